"""SUVpeak against a brute force on world coordinates written here: non-uniform lesions, anisotropic voxels,
and exact ties (two identical hot spots: the first centre in raster order wins, as the kernel documents)."""

import itertools
import math

import numpy as np
import pytest

from workstation.kernels.peak import suvpeak_labels, suvpeak_mask

R = (3.0 / (4.0 * math.pi)) ** (1.0 / 3.0) * 10.0  # 1 cm3 sphere radius, mm


def brute_peak(values, mask, spacing):
    """Highest mean over voxel centres within R mm of a region voxel's centre (inside the grid), first in raster
    order on ties: every pair of voxels compared by their world distance."""
    di, dj, dk = spacing
    nk, nj, ni = values.shape
    best, where = -np.inf, None
    kk, jj, ii = np.indices(values.shape)
    for k, j, i in itertools.product(range(nk), range(nj), range(ni)):
        if not mask[k, j, i]:
            continue
        d2 = ((kk - k) * dk) ** 2 + ((jj - j) * dj) ** 2 + ((ii - i) * di) ** 2
        sel = d2 <= R * R * (1 + 1e-12)
        m = values[sel].astype(np.float64).mean()
        if m > best:  # strictly greater: an equal later centre does not replace the first
            best, where = m, (k, j, i)
    return best, where


def test_non_uniform_lesion_matches_brute_force():
    rng = np.random.default_rng(7)
    v = rng.gamma(2.0, 1.0, (12, 14, 16)).astype(np.float32)
    v[4:9, 5:10, 6:12] += np.linspace(1.0, 6.0, 6)[None, None, :].astype(np.float32)  # a gradient across it
    mask = np.zeros(v.shape, bool)
    mask[4:9, 5:10, 6:12] = True
    spacing = (2.0, 2.5, 3.0)  # (di, dj, dk) mm
    peak, centre = suvpeak_mask(v, mask, spacing)
    ref, where = brute_peak(v, mask, spacing)
    assert peak == pytest.approx(ref, rel=1e-6) and centre == where
    assert peak < float(v[mask].max())  # SUVpeak below SUVmax on a non-uniform lesion


def test_ties_go_to_the_first_centre_in_raster_order():
    v = np.zeros((10, 10, 10), np.float32)
    v[2, 2, 2] = v[7, 7, 7] = 10.0  # two identical hot voxels: identical sphere means
    mask = np.zeros(v.shape, bool)
    mask[2, 2, 2] = mask[7, 7, 7] = True
    spacing = (4.0, 4.0, 4.0)
    ref, where = brute_peak(v, mask, spacing)
    peak, centre = suvpeak_mask(v, mask, spacing)
    assert where == (2, 2, 2) and centre == where and peak == pytest.approx(ref)
    labels = mask.astype(np.int32)
    p, c = suvpeak_labels(v, labels, spacing, n=1)
    assert tuple(c[0]) == (2, 2, 2) and p[0] == pytest.approx(ref)
