"""One-pass region statistics equal NumPy on random masks."""

import numpy as np
import pytest

from workstation.kernels.stats import region_stats
from workstation.kernels.reference import region_stats_ref


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_numpy(seed):
    rng = np.random.default_rng(seed)
    v = (rng.gamma(2.0, 1.5, (20, 25, 30)) + 50 * seed).astype(np.float32)
    m = rng.random(v.shape) > 0.6
    got = region_stats(v, m)
    ref = region_stats_ref(v, m)
    assert got.count == ref["count"]
    assert got.sum == pytest.approx(ref["sum"], rel=1e-10)
    assert got.min == ref["min"] and got.max == ref["max"]
    assert got.mean == pytest.approx(ref["mean"], rel=1e-10)
    assert got.std == pytest.approx(ref["std"], rel=1e-7)


def test_hand_worked():
    v = np.arange(8, dtype=np.float32).reshape(2, 2, 2)
    m = np.zeros(v.shape, bool)
    m[0, 0, 1] = m[1, 1, 1] = m[1, 0, 0] = True  # values 1, 7, 4
    s = region_stats(v, m)
    assert (s.count, s.sum, s.sumsq, s.min, s.max) == (3, 12.0, 66.0, 1.0, 7.0)
    assert s.mean == 4.0 and s.std == pytest.approx(np.sqrt(6.0))


def test_empty_mask_and_nan():
    v = np.ones((2, 3, 4), np.float32)
    s = region_stats(v, np.zeros(v.shape, bool))
    assert s.count == 0 and np.isnan(s.mean) and np.isnan(s.max)
    v[1, 1, 1] = np.nan
    assert region_stats(v, v == 1).count == 23  # NaN outside the mask is not looked at
    with pytest.raises(ValueError, match="non-finite"):
        region_stats(v, np.ones(v.shape, bool))
    with pytest.raises(ValueError, match="shape"):
        region_stats(v, np.ones((2, 3, 3), bool))
