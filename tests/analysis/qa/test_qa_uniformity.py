"""Uniform-cylinder check on synthetic cylinders of known SUV."""

import numpy as np
import pytest

from workstation.analysis.qa.uniformity import UniformityError, analyse_uniformity
from workstation.core.geometry import ImageGeometry


def cylinder(value=1.0, radius=100.0, z_range=(-75.0, 75.0), shape=(60, 80, 80), spacing=(3.0, 3.0, 3.0),
             centre=(0.0, 0.0)):
    ni, nj = shape[2], shape[1]
    g = ImageGeometry(shape=shape, spacing=spacing,
                      origin=(-(ni - 1) * spacing[0] / 2, -(nj - 1) * spacing[1] / 2, -(shape[0] - 1) * spacing[2] / 2))
    w = g.kji_to_world(np.argwhere(np.ones(shape, bool))).reshape(*shape, 3)
    inside = (np.hypot(w[..., 0] - centre[0], w[..., 1] - centre[1]) <= radius) & (
        w[..., 2] >= z_range[0]) & (w[..., 2] <= z_range[1])
    return inside * float(value), g, w


@pytest.mark.parametrize("value,passed", [(1.0, True), (1.05, True), (0.91, True), (1.12, False), (0.85, False)])
def test_mean_and_verdict(value, passed):
    img, g, _ = cylinder(value)
    res = analyse_uniformity(img, g)
    assert res.mean == pytest.approx(value, rel=1e-12)  # every VOI voxel is inside the cylinder
    assert res.passed is passed
    assert res.deviation_percent == pytest.approx(100 * (value - 1), abs=1e-9)
    assert all(c == pytest.approx(0.0, abs=1e-9) for c in res.slice_cov)
    assert res.phantom_radius_mm == pytest.approx(100.0, rel=0.03)
    assert np.hypot(*res.axis_world) < 1.0


def test_slice_means_profile_and_cov():
    img, g, w = cylinder(1.0, centre=(10.0, -7.0))
    # slice k scaled by 1 + 0.01 (k - 30): slice means are exactly that; a +-e column pattern gives CoV
    ks = np.arange(g.shape[0])
    scale = 1 + 0.01 * (ks - 30)
    img = img * scale[:, None, None]
    e = 0.04
    pattern = np.where(np.arange(g.shape[2]) % 2 == 0, 1 + e, 1 - e)
    img = img * pattern[None, None, :]
    res = analyse_uniformity(img, g)
    assert np.hypot(res.axis_world[0] - 10.0, res.axis_world[1] + 7.0) < 1.0
    # the cylinder spans z -75..75 (slices 5..54 on 3 mm); 15 mm margins leave z -60..60
    assert res.slice_z[0] == pytest.approx(-60.0, abs=1.6) and res.slice_z[-1] == pytest.approx(60.0, abs=1.6)
    # NumPy twin: the VOI disc from the reported axis and radius
    disc = np.hypot(w[0, ..., 0] - res.axis_world[0], w[0, ..., 1] - res.axis_world[1]) <= res.voi_radius_mm
    n_even = int(disc[:, ::2].sum())
    n_odd = int(disc[:, 1::2].sum())
    pm = ((1 + e) * n_even + (1 - e) * n_odd) / (n_even + n_odd)
    for k, m, c in zip(res.voi_slices, res.slice_mean, res.slice_cov):
        vals = img[k][disc]
        assert m == pytest.approx(scale[k] * pm, rel=1e-12)
        assert c == pytest.approx(100 * vals.std(ddof=1) / vals.mean(), rel=1e-9)
    assert res.mean == pytest.approx(np.mean([scale[k] for k in res.voi_slices]) * pm, rel=1e-12)
    assert res.max_slice_deviation_percent == pytest.approx(
        100 * max(abs(scale[k] / np.mean(scale[res.voi_slices]) - 1) for k in res.voi_slices), rel=1e-9)
    # the profile covers every slice with phantom in it (z -73.5 .. 73.5 on 3 mm slices), VOI slices among them
    assert len(res.profile_z) == 50
    assert res.profile_z[0] == pytest.approx(-73.5) and res.profile_z[-1] == pytest.approx(73.5)
    assert set(res.slice_z) <= set(res.profile_z)


def test_errors():
    img, g, _ = cylinder(1.0)
    with pytest.raises(UniformityError, match="empty"):
        analyse_uniformity(np.zeros(g.shape), g)
    with pytest.raises(UniformityError, match="too short"):
        short, g2, _ = cylinder(1.0, z_range=(-10.0, 10.0))
        analyse_uniformity(short, g2)
    with pytest.raises(UniformityError, match="radius fraction"):
        analyse_uniformity(img, g, radius_fraction=1.5)
    with pytest.raises(UniformityError, match="non-finite"):
        analyse_uniformity(np.full(g.shape, np.nan), g)
