"""Shape masks (sphere, cylinder, box) against analytic volumes and brute force on oblique grids."""

import numpy as np
import pytest

from workstation.analysis.lesions import shapes as S
from workstation.core.geometry import ImageGeometry
from workstation.testing.phantoms import ball_volume, half_diag, oblique_geometry, world_grid


def test_sphere_mask_equals_brute_force_on_oblique_grid():
    g = oblique_geometry()
    c = g.ijk_to_world((20.3, 25.7, 18.2))
    m = S.sphere_mask(g, c, 17.0)
    brute = np.sum((world_grid(g) - c) ** 2, axis=-1) <= 17.0 ** 2
    np.testing.assert_array_equal(m, brute)


@pytest.mark.parametrize("r", [6.2, 15.0, 30.0])
def test_sphere_volume_bracketed_by_half_voxel_diagonal(r):
    """Centre inclusion: every voxel whose cell lies inside the ball of radius r - h is counted and
    every counted voxel's cell lies inside radius r + h (h = half voxel diagonal)."""
    g = ImageGeometry((60, 60, 60), (2.0, 3.0, 4.0), origin=(-100, -80, -120))
    h = half_diag(g)
    rng = np.random.default_rng(1)
    for _ in range(10):
        c = g.ijk_to_world(rng.uniform(25, 35, 3))
        v = S.sphere_mask(g, c, r).sum() * g.voxel_volume_ml * 1000.0
        assert ball_volume(r - h) <= v <= ball_volume(r + h)


def test_sphere_volume_unbiased_over_random_positions():
    """The mean lattice-point count over uniformly random translations equals V / voxel volume exactly;
    with 300 random centres the sampling error of the mean is well below 1 % here."""
    g = ImageGeometry((40, 40, 40), (2.0, 3.0, 4.0))
    r = 15.0
    rng = np.random.default_rng(7)
    vols = [S.sphere_mask(g, g.ijk_to_world(np.array([20, 20, 20]) + rng.random(3)), r).sum() * g.voxel_volume_ml
            for _ in range(300)]
    assert np.mean(vols) == pytest.approx(ball_volume(r) / 1000.0, rel=0.01)
    assert np.std(vols) / np.sqrt(len(vols)) < 0.003 * ball_volume(r) / 1000.0


def test_cylinder_and_box_equal_brute_force():
    g = oblique_geometry()
    w = world_grid(g)
    c = g.ijk_to_world((24, 22, 20))
    cyl = S.cylinder_mask(g, c, 12.5, 30.5)  # no voxel centre exactly on the surface
    d = w - c
    ax = g.slice_normal
    along = d @ ax
    radial2 = np.sum(d * d, axis=-1) - along ** 2
    np.testing.assert_array_equal(cyl, (np.abs(along) <= 15.25) & (radial2 <= 6.25 ** 2))
    a, b = c - (10, 20, 5), c + (15, 5, 25)
    box = S.box_mask(g, b, a)
    brute = np.all((w >= np.minimum(a, b) - 1e-6) & (w <= np.maximum(a, b) + 1e-6), axis=-1)
    np.testing.assert_array_equal(box, brute)
    # a VOI outside the image is empty, not an error
    assert not S.sphere_mask(g, (5000, 0, 0), 10).any()
