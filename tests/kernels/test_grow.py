"""Seeded 26-connected region growing equals the component of scipy's labelling that holds the seed."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from workstation.kernels.grow import region_grow
from workstation.kernels.reference import region_grow_ref


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_equals_twin(seed):
    rng = np.random.default_rng(seed)
    v = rng.random((18, 22, 26)).astype(np.float32)
    for _ in range(5):
        s = tuple(int(rng.integers(0, n)) for n in v.shape)
        lo, hi = sorted(rng.uniform(0.2, 1.0, 2))
        hi = hi if rng.random() > 0.5 else np.inf
        ref = region_grow_ref(v, s, lo, hi)
        mask, box = region_grow(v, s, lo, hi, return_box=True)
        np.testing.assert_array_equal(mask, ref)
        if ref.any():
            assert box == ndi.find_objects(ref.astype(np.int32))[0]
        else:
            assert box is None


def test_seed_corner_and_outside_bounds():
    v = np.zeros((5, 5, 5), np.float32)
    v[:2, :2, :2] = 3.0
    v[4, 4, 4] = 3.0
    g = region_grow(v, (0, 0, 0), 2.0)
    assert g.sum() == 8 and not g[4, 4, 4]
    assert not region_grow(v, (2, 2, 2), 2.0).any()  # seed below the threshold: empty
    assert region_grow(v, (4, 4, 4), 2.0).sum() == 1
    with pytest.raises(ValueError, match="outside"):
        region_grow(v, (5, 0, 0), 1.0)


def test_large_region_grows_the_stack():
    v = np.ones((30, 40, 50), np.float32)
    assert region_grow(v, (15, 20, 25), 0.5).sum() == v.size
