"""Reader's measurements (analysis.reading.measure) against hand-worked answers: a distance along each axis of an
anisotropic grid is (pixels × that axis' spacing); a profile along a synthetic ramp is the ramp's formula at
each sample's world position; the readout at a point is the voxel an independent index computation finds;
a histogram of a few values is counted by hand."""

import math

import numpy as np
import pytest

from workstation.analysis.reading import measure as M
from workstation.analysis.reading.session import ReadingSession
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

SPACING = (0.8, 1.3, 2.5)  # x, y, z mm: anisotropic on purpose
ORIGIN = (-20.0, -30.0, 40.0)
SHAPE = (16, 24, 40)  # z, y, x


def _ramp_session():
    g = ImageGeometry(SHAPE, SPACING, ORIGIN, np.eye(3))
    k, j, i = np.indices(SHAPE)
    ct = Volume((10.0 * i - 100.0).astype(np.float32), g, modality="CT", units="HU", frame_of_reference_uid="1")
    pet = Volume((0.5 * j + 0.1 * k).astype(np.float32), g, modality="PT", units="SUV", frame_of_reference_uid="1")
    return ReadingSession(ct, pet, mip_frames=2)


def ct_formula(p):
    return 10.0 * (p[..., 0] - ORIGIN[0]) / SPACING[0] - 100.0


def pet_formula(p):
    return 0.5 * (p[..., 1] - ORIGIN[1]) / SPACING[1] + 0.1 * (p[..., 2] - ORIGIN[2]) / SPACING[2]


@pytest.mark.parametrize("plane, axis_u, axis_v", [("axial", 0, 1), ("coronal", 0, 2), ("sagittal", 1, 2)])
def test_distance_along_each_axis_uses_that_axis_spacing(plane, axis_u, axis_v):
    s = _ramp_session()
    a = s.pixel_to_world(plane, 2, 3)
    assert M.distance_mm(a, s.pixel_to_world(plane, 12, 3)) == pytest.approx(10 * SPACING[axis_u])
    assert M.distance_mm(a, s.pixel_to_world(plane, 2, 10)) == pytest.approx(7 * SPACING[axis_v])
    diag = M.distance_mm(a, s.pixel_to_world(plane, 5, 7))
    assert diag == pytest.approx(math.hypot(3 * SPACING[axis_u], 4 * SPACING[axis_v]))


@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_profile_along_a_ramp_is_the_ramp(plane):
    s = _ramp_session()
    a, b = s.pixel_to_world(plane, 1.0, 2.0), s.pixel_to_world(plane, 9.0, 11.0)
    prof = M.line_profile(s, plane, a, b)
    assert prof.length_mm == pytest.approx(M.distance_mm(a, b))
    assert prof.position_mm[0] == 0 and prof.position_mm[-1] == pytest.approx(prof.length_mm)
    assert np.all(np.diff(prof.position_mm) <= 0.5 * min(s.plane_pixel_spacing(plane)) + 1e-9)
    pts = a[None, :] + (prof.position_mm / prof.length_mm)[:, None] * (b - a)[None, :]
    np.testing.assert_allclose(prof.anat, ct_formula(pts), atol=1e-3)
    np.testing.assert_allclose(prof.pet, pet_formula(pts), atol=1e-4)
    assert prof.anat_units == "HU" and prof.pet_units.startswith("SUV")


def test_profile_outside_the_image_is_nan():
    s = _ramp_session()
    a, b = s.pixel_to_world("axial", 35.0, 5.0), s.pixel_to_world("axial", 45.0, 5.0)  # 40 columns
    prof = M.line_profile(s, "axial", a, b)
    assert np.isfinite(prof.anat[0]) and np.isnan(prof.anat[-1])


def test_readout_at_is_the_voxel_under_the_point():
    s = _ramp_session()
    rng = np.random.default_rng(2)
    for _ in range(20):
        kji = rng.integers(0, SHAPE)
        p = np.array(ORIGIN) + kji[::-1] * np.array(SPACING) + rng.uniform(-0.45, 0.45, 3) * np.array(SPACING)
        r = M.readout_at(s, p)
        assert r["anat_value"] == pytest.approx(10.0 * kji[2] - 100.0)
        assert r["pet_value"] == pytest.approx(0.5 * kji[1] + 0.1 * kji[0], rel=1e-6)
    old = s.crosshair.copy()
    M.readout_text_at(s, p)
    assert np.array_equal(s.crosshair, old)  # looking is not moving
    assert M.readout_at(s, np.array([500.0, 0, 0]))["anat_value"] is None


def test_readout_at_follows_the_pet_transform():
    s = _ramp_session()
    p = s.pixel_to_world("axial", 10, 10)
    before = M.readout_at(s, p)["pet_value"]
    s.nudge(0.0, 2 * SPACING[1], 0.0)  # PET moved 2 rows posterior: the value here is that of 2 rows anterior
    assert M.readout_at(s, p)["pet_value"] == pytest.approx(before - 0.5 * 2)


def test_histogram_counted_by_hand():
    h = M.histogram([1.0, 2.0, 2.0, 3.0, 4.0], bins=4)
    np.testing.assert_array_equal(h.edges, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(h.counts, [0, 1, 2, 2])  # the last bin holds its right edge
    assert h.mean == pytest.approx(2.4) and h.max == 4.0 and h.voxels == 5
    with pytest.raises(ValueError, match="no voxel"):
        M.histogram([np.nan])


def test_voi_values_are_the_mask_voxels():
    from workstation.analysis.lesions.voi import VoiModel

    g = ImageGeometry((10, 10, 10), (2.0, 2.0, 2.0), (0.0, 0.0, 0.0), np.eye(3))
    suv = np.arange(1000, dtype=np.float32).reshape(g.shape) / 100.0
    m = VoiModel(suv, g)
    v = m.add_box((4.0, 6.0, 8.0), (8.0, 8.0, 10.0))
    vals = M.voi_values(m, v.id)
    # box from x 4..8 (i 2..4), y 6..8 (j 3..4), z 8..10 (k 4..5), centre inclusion
    expect = suv[4:6, 3:5, 2:5].ravel()
    np.testing.assert_allclose(np.sort(vals), np.sort(expect))
    assert vals.max() == pytest.approx(v.stats.max)
