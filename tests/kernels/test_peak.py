"""SUVpeak: sphere offsets, exact search equal to a convolve twin and to brute force."""

import math

import numpy as np
import pytest

from workstation.kernels.peak import PEAK_RADIUS_MM, sphere_offsets, suvpeak_labels, suvpeak_mask
from workstation.kernels.labeling import label_components, label_stats
from workstation.kernels.reference import sphere_kernel, suvpeak_ref


def test_radius_is_one_ml():
    assert 4 / 3 * math.pi * PEAK_RADIUS_MM ** 3 == pytest.approx(1000.0)
    assert PEAK_RADIUS_MM == pytest.approx(6.2035, abs=1e-4)


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (4.0, 4.0, 2.0), (2.734, 2.734, 3.27), (2.0, 3.0, 5.0)])
def test_offsets_rule(spacing):
    off = sphere_offsets(spacing)
    di, dj, dk = spacing
    d2 = (off[:, 0] * dk) ** 2 + (off[:, 1] * dj) ** 2 + (off[:, 2] * di) ** 2
    assert (d2 <= PEAK_RADIUS_MM ** 2 + 1e-9).all()
    assert len(off) == int(sphere_kernel(spacing, PEAK_RADIUS_MM).sum())
    # brute force over a larger box: nothing within r is missed
    r = range(-8, 9)
    count = sum(1 for a in r for b in r for c in r if (a * dk) ** 2 + (b * dj) ** 2 + (c * di) ** 2 <= PEAK_RADIUS_MM ** 2)
    assert count == len(off)
    if spacing == (4.0, 4.0, 2.0):
        # by hand, r^2 = 38.48 mm^2: (j, i) = (0, 0): 4k^2 <= 38.48 -> 7 slices; one of j, i = +-1 (4 ways):
        # 4k^2 + 16 <= 38.48 -> 5 slices; both +-1 (4 ways): 4k^2 + 32 <= 38.48 -> 3 slices. 7 + 20 + 12 = 39
        assert len(off) == 39


def _brute_peak(v, mask, spacing):
    """Plain loops: mean over in-grid voxel centres within r, for every mask voxel."""
    di, dj, dk = spacing
    best, where = -np.inf, None
    nk, nj, ni = v.shape
    for k, j, i in zip(*np.nonzero(mask)):
        s = c = 0
        for kk in range(nk):
            for jj in range(nj):
                for ii in range(ni):
                    if ((kk - k) * dk) ** 2 + ((jj - j) * dj) ** 2 + ((ii - i) * di) ** 2 <= PEAK_RADIUS_MM ** 2:
                        s += float(v[kk, jj, ii])
                        c += 1
        if s / c > best:
            best, where = s / c, (k, j, i)
    return best, where


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("spacing", [(2.0, 2.0, 2.0), (4.0, 4.0, 2.5), (1.5, 2.5, 3.5)])
def test_equals_convolve_twin(seed, spacing):
    rng = np.random.default_rng(seed)
    v = rng.gamma(2.0, 1.0, (16, 20, 24)).astype(np.float32)
    labels, n = label_components(v, 5.0)  # many small components, several on the border
    assert n > 3
    st = label_stats(labels, v, n)
    peak, centre = suvpeak_labels(v, labels, spacing, st.bbox, n)
    rpeak, rcentre = suvpeak_ref(v, labels, n, spacing, PEAK_RADIUS_MM)
    np.testing.assert_allclose(peak, rpeak, rtol=1e-12)
    np.testing.assert_array_equal(centre, rcentre)  # random data: no ties
    # without bbox the same
    p2, c2 = suvpeak_labels(v, labels, spacing)
    np.testing.assert_array_equal(p2, peak)


def test_equals_brute_force_small():
    rng = np.random.default_rng(5)
    v = rng.random((6, 7, 8)).astype(np.float32)
    spacing = (2.5, 3.0, 2.0)
    mask = np.zeros(v.shape, bool)
    mask[0:3, 4:7, 5:8] = True  # touches three borders
    peak, where = suvpeak_mask(v, mask, spacing)
    bpeak, bwhere = _brute_peak(v, mask, spacing)
    assert peak == pytest.approx(bpeak, rel=1e-12)
    assert where == tuple(int(x) for x in bwhere)


def test_peak_not_at_max_voxel():
    """A single hot voxel loses to a broad warm area: the search is exact, not around the max."""
    v = np.ones((20, 20, 20), np.float32)
    v[5, 5, 5] = 20.0  # SUVmax here, but its sphere mean is (20 + 38) / 39 ≈ 1.5 at 4x4x2 mm
    v[8:19, 12:17, 12:17] = 4.0  # broad 4.0 region holding a whole sphere (±3 slices, ±1 row/column): peak 4.0
    mask = v > 2.0
    peak, where = suvpeak_mask(v, mask, (4.0, 4.0, 2.0))
    assert peak == pytest.approx(4.0)
    assert 11 <= where[0] <= 15 and 13 <= where[1] <= 15 and where != (5, 5, 5)


def test_uniform_and_empty():
    v = np.full((10, 10, 10), 3.5, np.float32)
    m = np.zeros(v.shape, bool)
    assert np.isnan(suvpeak_mask(v, m, (2, 2, 2))[0])
    m[0, 0, 0] = True
    assert suvpeak_mask(v, m, (2, 2, 2))[0] == pytest.approx(3.5)
