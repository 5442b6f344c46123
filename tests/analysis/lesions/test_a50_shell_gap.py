"""A50's local background is the median SUV in a shell 6-16 mm outside the lesion: the 6 mm gap keeps the
lesion's own spill-out out of the background. Every other A50 test has a flat background, where a shell
without its gap gives the same median; here the lesion sits in a spill-out rim (SUV 5, within ~5 mm of its
edge) on a background with a gradient, so a lost gap moves the background, and with it the threshold.

The expected background is computed independently: voxel centres in world mm by hand (origin + index x
spacing, identity direction), the distance of every voxel centre to the nearest lesion voxel centre by brute
force, the median of the voxels with 6 < distance <= 16 mm (the published A50 definition of the product's
docstring: T = B + 0.5 (SUVmax - B)).
"""

import numpy as np
import pytest

from workstation.analysis.lesions import segmentation as Q
from workstation.core.geometry import ImageGeometry

SHAPE = (30, 34, 32)  # (k, j, i)
SPACING = (2.2, 1.9, 2.4)  # (x, y, z) mm: anisotropic, so a mix-up of the axes' spacings shows
ORIGIN = (-35.0, -31.0, -36.0)
CENTRE = np.array([1.3, -0.7, 0.9])
RADIUS, RIM = 9.0, 14.0  # the lesion (SUV 12) and its spill-out rim (SUV 5) out to RIM mm from the centre
SUV_LESION, SUV_RIM = 12.0, 5.0


def _world():
    k, j, i = np.indices(SHAPE)
    return np.stack([ORIGIN[0] + i * SPACING[0], ORIGIN[1] + j * SPACING[1], ORIGIN[2] + k * SPACING[2]], axis=-1)


def _image():
    w = _world()
    r = np.linalg.norm(w - CENTRE, axis=-1)
    suv = 2.0 + 0.03 * (w[..., 0] - CENTRE[0]) + 0.015 * (w[..., 2] - CENTRE[2])  # a gradient, SUV 0.4-3.6
    suv[r <= RIM] = SUV_RIM
    suv[r <= RADIUS] = SUV_LESION
    return suv.astype(np.float32), r <= RADIUS


def _shell_median(suv, region, gap, reach):
    w = _world().reshape(-1, 3)
    inside = w[region.reshape(-1)]
    d = np.full(len(w), np.inf)
    for lo in range(0, len(w), 4096):
        diff = w[lo:lo + 4096, None, :] - inside[None, :, :]
        d[lo:lo + 4096] = np.sqrt((diff ** 2).sum(-1)).min(axis=1)
    shell = (d > gap) & (d <= reach)
    return float(np.median(suv.reshape(-1)[shell].astype(np.float64)))


def test_a50_background_keeps_its_6_mm_gap_on_a_gradient_with_spill_out():
    suv, truth = _image()
    g = ImageGeometry(SHAPE, SPACING, ORIGIN)
    b = _shell_median(suv, truth, 6.0, 16.0)
    # the design makes the gap matter: a shell that starts at the lesion's edge takes in the rim
    assert _shell_median(suv, truth, 0.0, 16.0) - b > 0.05
    assert _shell_median(suv, truth, 0.0, 10.0) - b > 0.25
    rep = Q.find_lesions(suv, g, "a50", seed_world=tuple(CENTRE))
    les = rep.lesions[0]
    assert les.voxels == int(truth.sum())  # the rim (SUV 5) stays below every threshold here
    assert les.background == pytest.approx(b, abs=1e-4)
    assert les.threshold == pytest.approx(b + 0.5 * (SUV_LESION - b), abs=1e-4)
