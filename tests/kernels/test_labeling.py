"""Threshold + 26-labelling and per-label stats equal their scipy twins (identical numbering)."""

import numpy as np
import pytest

from workstation.kernels.labeling import label_components, label_stats
from workstation.kernels.reference import label_ref, label_stats_ref


def _blobs(shape, seed, n=12):
    """Phantom: spheres of different sizes on noise, several cut by the array border."""
    rng = np.random.default_rng(seed)
    v = rng.normal(1.0, 0.3, shape).astype(np.float32)
    zk, zj, zi = np.indices(shape)
    for _ in range(n):
        c = rng.uniform(-2, np.array(shape) + 2)
        r = rng.uniform(1.0, 6.0)
        d2 = (zk - c[0]) ** 2 + (zj - c[1]) ** 2 + (zi - c[2]) ** 2
        v[d2 <= r * r] += rng.uniform(2.0, 8.0)
    return v


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("thr", [0.75, 0.85, 0.97])
def test_random_equals_scipy(seed, thr):
    v = np.random.default_rng(seed).random((23, 31, 17)).astype(np.float32)
    labels, n = label_components(v, thr)
    ref, rn = label_ref(v, thr)
    assert n == rn and n > 1
    np.testing.assert_array_equal(labels, ref)


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_phantom_labels_and_stats_equal_twins(seed):
    v = _blobs((40, 36, 30), seed)
    labels, n = label_components(v, 2.5)
    ref, rn = label_ref(v, 2.5)
    assert n == rn and n > 3
    np.testing.assert_array_equal(labels, ref)
    assert (labels[0] > 0).any() or (labels[-1] > 0).any() or (labels[:, :, 0] > 0).any()  # border cut
    st = label_stats(labels, v, n)
    r = label_stats_ref(ref, v, rn)
    np.testing.assert_array_equal(st.count, r["count"])
    np.testing.assert_allclose(st.sum, r["sum"], rtol=1e-10)
    np.testing.assert_array_equal(st.max, r["max"])
    np.testing.assert_array_equal(st.argmax, r["argmax"])
    np.testing.assert_array_equal(st.bbox, r["bbox"])
    # sumsq by hand
    for lab in (1, n):
        x = v[labels == lab].astype(np.float64)
        assert st.sumsq[lab - 1] == pytest.approx(float((x * x).sum()), rel=1e-10)


def test_26_connectivity_diagonal_and_raster_order():
    v = np.zeros((3, 4, 4), np.float32)
    v[0, 0, 3] = 1  # first in raster order
    v[1, 1, 2] = 1  # touches the previous only through a corner (26- but not 6-/18-connected)
    v[2, 3, 0] = 1  # isolated
    v[0, 3, 3] = 1  # isolated, appears earlier in raster order than (2, 3, 0)
    labels, n = label_components(v, 0.5)
    assert n == 3
    assert labels[0, 0, 3] == labels[1, 1, 2] == 1
    assert labels[0, 3, 3] == 2 and labels[2, 3, 0] == 3


def test_merging_u_shape_gets_one_label():
    v = np.zeros((1, 5, 7), np.float32)
    v[0, :, 0] = v[0, :, 6] = v[0, 4, :] = 3.0  # a U opened upwards: two arms meet at the bottom
    labels, n = label_components(v, 1.0)
    assert n == 1 and (labels[v > 0] == 1).all() and (labels[v == 0] == 0).all()


def test_empty_full_and_tiny():
    z = np.zeros((4, 5, 6), np.float32)
    labels, n = label_components(z, 1.0)
    assert n == 0 and not labels.any()
    st = label_stats(labels, z, 0)
    assert st.n == 0
    labels, n = label_components(z, 0.0)
    assert n == 1 and (labels == 1).all()
    labels, n = label_components(np.ones((1, 1, 1)), 0.5)
    assert n == 1


def test_threshold_is_compared_in_float32():
    v = np.array([0.1, 0.1 - 1e-9, 0.09], np.float32).reshape(1, 1, 3)  # 0.1 - 1e-9 rounds to 0.1f
    labels, n = label_components(v, 0.1)
    np.testing.assert_array_equal(labels, label_ref(v, 0.1)[0])
    assert labels[0, 0, 1] == 1 and labels[0, 0, 2] == 0


def test_many_provisional_labels_grow_the_table():
    v = np.zeros((3, 90, 90), np.float32)
    v[1, ::2, ::2] = 5.0  # 2025 isolated voxels ...
    v[0, 1::2, 1::2] = 5.0  # ... then joined diagonally through another plane: 1 component, many merges
    v[2, 0, 0] = 5.0
    labels, n = label_components(v, 1.0)
    ref, rn = label_ref(v, 1.0)
    assert n == rn
    np.testing.assert_array_equal(labels, ref)


def test_bad_input():
    with pytest.raises(ValueError, match="3-D"):
        label_components(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="finite"):
        label_components(np.zeros((3, 3, 3)), np.nan)
    with pytest.raises(ValueError, match="shape"):
        label_stats(np.zeros((3, 3, 3), np.int32), np.zeros((3, 3, 4)))
