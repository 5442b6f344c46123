"""NEMA IQ analysis on synthetic IEC body phantoms of known truth, and on the two real reconstructions.

The clean phantoms are drawn with the same voxel-centre rule as the analysis's VOIs and ROIs, so
every number has an exact hand-worked value:

* spheres at ``4 B``, background ``B``: RCmax = RCA50 = 1 (every sphere voxel is at the maximum, the
  A50 threshold ``B + 0.5 (4B - B) = 2.5 B`` keeps exactly the sphere), hot contrast
  ``(4B/B - 1)/(4 - 1) = 100 %``, background variability 0 %, lung residual = lung value / B;
* background and lung multiplied by ``s_k`` per slice: every background ROI on slice k has mean
  ``B s_k``, so ``C_B = B mean(s)``, ``SD = B sd(s repeated 12 times, ddof=1)``, and with a ratio-only
  fill the true sphere value is ``4 C_B``.
"""

import datetime as dt
import math

import numpy as np
import pytest

from workstation.analysis.qa.nema_iq import Fill, NemaIqError, analyse_nema_iq
from workstation.analysis.qa.phantom import SPHERE_DIAMETERS_MM, iec_phantom_image
from workstation.core.geometry import ImageGeometry

B = 1000.0


def grid(spacing=(3.0, 3.0, 2.0), shape=(40, 112, 112), z0=-40.0):
    ni, nj = shape[2], shape[1]
    origin = (-(ni - 1) * spacing[0] / 2, -(nj - 1) * spacing[1] / 2, z0)
    return ImageGeometry(shape=shape, spacing=spacing, origin=origin)


@pytest.fixture(scope="module")
def geom():
    return grid()


def truth_centres(truth):
    return {d: c for d, c in zip(SPHERE_DIAMETERS_MM, truth.sphere_centres_world)}


def test_clean_phantom_hand_worked(geom):
    img, truth = iec_phantom_image(geom, B, 4.0, lung_value=0.05 * B)
    res = analyse_nema_iq(img, geom, Fill(ratio=4.0), units="BQML", centres=truth_centres(truth))
    assert res.edition == "2018"
    assert res.background_slices == [10, 15, 20, 25, 30]  # z = -20, -10, 0, 10, 20 mm on 2 mm slices
    assert res.background_mean == pytest.approx(B, rel=1e-12)
    assert res.background_sd == pytest.approx(0.0, abs=1e-9)
    assert res.lung_residual_percent == pytest.approx(5.0, rel=1e-12)
    for s in res.spheres:
        assert s.placed_by == "user"
        assert s.rc_max == pytest.approx(1.0, rel=1e-12)
        assert s.rc_a50 == pytest.approx(1.0, rel=1e-12)
        assert s.contrast_hot == pytest.approx(100.0, rel=1e-12)
        assert res.variability[s.diameter_mm]["n_percent"] == pytest.approx(0.0, abs=1e-9)
        assert res.variability[s.diameter_mm]["rois"] == 60
    # a 1 mL ball (r 6.2 mm) fits inside the spheres down to 13 mm: peak = sphere value
    for s in res.spheres[:5]:
        assert s.rc_peak == pytest.approx(1.0, rel=1e-12)
    # in the 10 mm sphere the 1 mL ball also holds background: RCpeak between 1/4 and 1
    assert 0.25 < res.spheres[5].rc_peak < 1.0


def test_slice_variation_hand_worked(geom):
    scale = np.ones(geom.shape[0])
    s5 = [0.9, 0.95, 1.0, 1.05, 1.2]  # at slices 10, 15, 20, 25, 30
    for k, s in zip((10, 15, 20, 25, 30), s5):
        scale[k] = s
    img, truth = iec_phantom_image(geom, B, 4.0, lung_value=0.1 * B, slice_scale=scale)
    res = analyse_nema_iq(img, geom, Fill(ratio=4.0), centres=truth_centres(truth))
    mean_s = sum(s5) / 5  # 1.02
    sd_s = math.sqrt(sum(12 * (s - mean_s) ** 2 for s in s5) / 59)
    assert res.background_mean == pytest.approx(B * mean_s, rel=1e-12)
    for s in res.spheres:
        v = res.variability[s.diameter_mm]
        assert v["mean"] == pytest.approx(B * mean_s, rel=1e-12)
        assert v["n_percent"] == pytest.approx(100 * sd_s / mean_s, rel=1e-9)
        assert s.contrast_hot == pytest.approx(100 * (4 / mean_s - 1) / 3, rel=1e-12)
        assert s.rc_max == pytest.approx(1 / mean_s, rel=1e-12)  # true sphere = 4 x C_B (ratio-only fill)
        assert s.rc_a50 == pytest.approx(1 / mean_s, rel=1e-12)
    assert res.lung_residual_percent == pytest.approx(10.0, rel=1e-12)
    assert res.lung_residual_per_slice == pytest.approx([10.0] * 5, rel=1e-12)


def test_per_sphere_recovery_and_earl_verdicts(geom):
    f = [1.0, 0.95, 0.9, 0.8, 0.7, 0.5]
    img, truth = iec_phantom_image(geom, B, sphere_values=[4 * B * x for x in f])
    res = analyse_nema_iq(img, geom, Fill(ratio=4.0), centres=truth_centres(truth))
    for s, x in zip(res.spheres, f):
        assert s.rc_max == pytest.approx(x, rel=1e-12)
        assert s.rc_a50 == pytest.approx(x, rel=1e-12)
        assert s.contrast_hot == pytest.approx(100 * (4 * x - 1) / 3, rel=1e-12)
    by = {s.diameter_mm: s for s in res.spheres}
    # hand-checked against the table in refdata/earl-nema-standards/README.md
    # 37 mm, RC 1.0: EARL1 RCmax 0.95-1.16 in, RCA50 0.76-0.89 out; EARL2 RCmax 1.05-1.29 out, RCA50 0.85-1.00 in
    e1, e2 = by[37.0].earl["EARL1"], by[37.0].earl["EARL2"]
    assert (e1["rc_max"]["pass"], e1["rc_a50"]["pass"], e1["pass"]) == (True, False, False)
    assert (e2["rc_max"]["pass"], e2["rc_a50"]["pass"], e2["pass"]) == (False, True, False)
    # 10 mm, RC 0.5: EARL1 RCmax 0.34-0.57 in, RCA50 0.27-0.43 out; EARL2 RCmax 0.52-0.88 out, RCA50 0.39-0.61 in
    e1, e2 = by[10.0].earl["EARL1"], by[10.0].earl["EARL2"]
    assert (e1["rc_max"]["pass"], e1["rc_a50"]["pass"]) == (True, False)
    assert (e2["rc_max"]["pass"], e2["rc_a50"]["pass"]) == (False, True)
    # 13 mm, RC 0.7: EARL1 RCmax 0.59-0.85 in, RCA50 0.44-0.60 out; EARL2 0.85-1.22 out, 0.63-0.86 in
    assert by[13.0].earl["EARL1"]["rc_max"]["pass"] and not by[13.0].earl["EARL2"]["rc_max"]["pass"]
    assert by[13.0].earl["EARL2"]["rc_a50"]["pass"]
    assert res.earl_pass("EARL1") is False
    # EARL1 RCmax band of the 37 mm sphere typed from Boellaard et al., EJNMMI 2015;42:328 (EANM guideline v2)
    assert by[37.0].earl["EARL1"]["rc_max"]["band"] == pytest.approx([0.95, 1.16], abs=1e-9)


def test_known_concentrations_with_decay(geom):
    t_ref = dt.datetime(2026, 5, 4, 9, 0, 0)
    scan = t_ref + dt.timedelta(seconds=3600)
    decay = 2 ** (-3600 / 6586.2)
    img, truth = iec_phantom_image(geom, 5300.0 * decay, 4.0)
    fill = Fill(sphere_bqml=21200.0, background_bqml=5300.0, reference_datetime=t_ref)
    res = analyse_nema_iq(img, geom, fill, units="BQML", scan_datetime=scan, centres=truth_centres(truth))
    assert res.true_background == pytest.approx(5300.0 * decay, rel=1e-12)
    assert res.true_sphere == pytest.approx(21200.0 * decay, rel=1e-12)
    assert res.calibration_ratio == pytest.approx(1.0, rel=1e-12)
    assert all(s.rc_max == pytest.approx(1.0, rel=1e-12) for s in res.spheres)
    # the same fill said to be at the scan start: the image reads low by the decay factor
    res2 = analyse_nema_iq(img, geom, Fill(sphere_bqml=21200.0, background_bqml=5300.0), units="BQML",
                           centres=truth_centres(truth))
    assert res2.calibration_ratio == pytest.approx(decay, rel=1e-12)
    assert res2.spheres[0].rc_max == pytest.approx(decay, rel=1e-12)
    # uncalibrated image: concentrations count as a ratio only
    res3 = analyse_nema_iq(img, geom, fill, units="", centres=truth_centres(truth))
    assert res3.calibration_ratio is None and res3.spheres[0].rc_max == pytest.approx(1.0, rel=1e-12)
    assert "ratio only" in res3.fill_note


@pytest.mark.parametrize("theta0,hand,lung_xy,z", [(0.0, 1, (0.0, 0.0), 0.0), (37.0, -1, (12.0, -9.0), 5.0),
                                                   (200.0, 1, (-6.0, 4.0), -3.0)])
def test_finds_spheres_blurred_noisy(theta0, hand, lung_xy, z):
    from scipy import ndimage

    geom = grid(spacing=(2.5, 2.5, 2.5), shape=(36, 136, 136), z0=-44.0)
    img, truth = iec_phantom_image(geom, B, 4.0, lung_xy=lung_xy, sphere_plane_z=z, theta0_deg=theta0,
                                   handedness=hand, supersample=2)
    sigma = 6.0 / 2.3548 / 2.5
    img = ndimage.gaussian_filter(img, sigma)
    rng = np.random.default_rng(7)
    img = img + rng.normal(0, 0.05 * B, img.shape) * (img > 0.2 * B)
    res = analyse_nema_iq(img, geom, Fill(ratio=4.0))
    assert res.edition == "2018"
    assert np.hypot(res.lung_axis_world[0] - lung_xy[0], res.lung_axis_world[1] - lung_xy[1]) < 1.5
    for s, c in zip(res.spheres, truth.sphere_centres_world):
        assert s.placed_by == "found"
        err = np.linalg.norm(np.subtract(s.centre_world, c))
        assert err < 1.5, (s.diameter_mm, err)
    big = res.spheres[0]
    assert 0.85 < big.rc_a50 < 1.1 and big.rc_max > 0.95
    assert res.spheres[-1].rc_a50 < big.rc_a50  # partial volume of the 10 mm sphere
    # white noise of 5 % per voxel averaged over a 37 mm ROI of pi 18.5^2 / 2.5^2 = 172 voxels: 5 / sqrt(172) %
    expected = 5.0 / math.sqrt(math.pi * 18.5 ** 2 / 2.5 ** 2)
    assert res.variability[37.0]["n_percent"] == pytest.approx(expected, rel=0.3)


def test_nu2_2012_cold_spheres(geom):
    vals = [0.0, 0.0, 4 * B, 4 * B, 4 * B, 4 * B]
    img, truth = iec_phantom_image(geom, B, sphere_values=vals)
    res = analyse_nema_iq(img, geom, Fill(ratio=4.0))
    assert res.edition == "2012"
    for s, c in zip(res.spheres, truth.sphere_centres_world):
        assert np.linalg.norm(np.subtract(s.centre_world, c)) < 1.0
    exact = analyse_nema_iq(img, geom, Fill(ratio=4.0), edition="2012", centres=truth_centres(truth))
    for s in exact.spheres[:2]:
        assert not s.hot and s.rc_max is None and s.contrast_hot is None
        assert s.contrast_cold == pytest.approx(100.0, rel=1e-12)
    assert exact.spheres[2].contrast_hot == pytest.approx(100.0, rel=1e-12)
    assert exact.earl_pass("EARL1") is False  # judged on the hot spheres only (RCA50 1.0 is above EARL1)


def test_user_moves_a_sphere(geom):
    img, truth = iec_phantom_image(geom, B, 4.0)
    c = truth_centres(truth)
    wrong = {10.0: (c[10.0][0] + 20.0, c[10.0][1], c[10.0][2])}  # moved into the background
    res = analyse_nema_iq(img, geom, Fill(ratio=4.0), centres=wrong)
    s10 = res.spheres[-1]
    assert s10.placed_by == "user" and s10.centre_world == pytest.approx(wrong[10.0])
    assert s10.rc_max == pytest.approx(0.25, rel=1e-12)  # background only: B / 4B
    assert res.spheres[0].placed_by == "found"


def test_bad_input_errors(geom):
    with pytest.raises(NemaIqError, match="fill is unknown"):
        Fill()
    with pytest.raises(NemaIqError, match="contradicts"):
        Fill(ratio=4.0, sphere_bqml=10.0, background_bqml=2.0)
    with pytest.raises(NemaIqError, match="above 1"):
        Fill(ratio=0.5)
    with pytest.raises(NemaIqError, match="empty"):
        analyse_nema_iq(np.zeros(geom.shape), geom, Fill(ratio=4.0))
    # a uniform cylinder is not the IEC phantom
    g = grid()
    w = g.kji_to_world(np.argwhere(np.ones(g.shape, bool)))
    cyl = (np.hypot(w[:, 0], w[:, 1]) < 100).reshape(g.shape) * B
    with pytest.raises(NemaIqError, match="lung insert"):
        analyse_nema_iq(cyl, g, Fill(ratio=4.0))
    bad = np.full(geom.shape, np.nan)
    with pytest.raises(NemaIqError, match="non-finite"):
        analyse_nema_iq(bad, geom, Fill(ratio=4.0))
    with pytest.raises(NemaIqError, match="no 12 mm sphere"):
        img, _ = iec_phantom_image(geom, B, 4.0)
        analyse_nema_iq(img, geom, Fill(ratio=4.0), centres={12.0: (0, 0, 0)})


@pytest.mark.parametrize("recon", ["pet_recon_1", "pet_recon_2"])
def test_real_reconstructions(refdata, recon):
    from workstation.io.loader import load_pet_folder

    vol = load_pet_folder(refdata / "pynemaiqpet-nema-iq-recon" / recon)
    res = analyse_nema_iq(vol.array, vol.geometry, Fill(ratio=8.0), units=vol.units)
    assert res.edition == "2018"
    assert [s.placed_by for s in res.spheres] == ["found"] * 6
    # the six centres lie on the 57.2 mm circle around the lung axis, 60 degrees apart, in one plane
    ang = []
    for s in res.spheres:
        x, y, z = s.centre_world
        r = math.hypot(x - res.lung_axis_world[0], y - res.lung_axis_world[1])
        assert abs(r - 57.2) < 3.0, (s.diameter_mm, r)
        assert abs(z - res.sphere_plane_z) < 4.0
        ang.append(math.degrees(math.atan2(y - res.lung_axis_world[1], x - res.lung_axis_world[0])))
    steps = [((b - a + 180) % 360) - 180 for a, b in zip(ang, ang[1:])]
    assert all(abs(abs(st) - 60) < 4 for st in steps) and len({np.sign(st) for st in steps}) == 1
    # hot spheres: each sphere's mean well above the background, recovery falls from 37 to 10 mm
    assert all(s.mean > 2 * res.background_mean for s in res.spheres)
    assert res.spheres[0].rc_peak > res.spheres[-1].rc_peak
    assert 1.0 < res.variability[37.0]["n_percent"] < res.variability[10.0]["n_percent"] < 20.0
    assert res.lung_residual_percent < 10.0


def test_fill_half_life_from_the_vocabulary():
    """The decay half-life: the header's (0018,1075), else the nuclide code's vocabulary entry, else F-18."""
    from types import SimpleNamespace

    from workstation.analysis.qa.series import half_life
    from workstation.core.pet import Fact, PetAcquisition

    # half-lives typed from NNDC NuDat 3: F-18 109.77 min, Ga-68 67.71 min
    f18_s, ga68_s = 109.77 * 60.0, 67.71 * 60.0
    assert Fill(ratio=4.0).half_life_s == pytest.approx(f18_s, rel=5e-4)
    acq = PetAcquisition(radionuclide_half_life_s=Fact(4000.0, "RadionuclideHalfLife", "(0018,1075)"),
                         radionuclide_code=Fact(("C-131A3", "SRT", "^68^Gallium")))
    assert half_life(SimpleNamespace(pet=acq)) == (4000.0, "RadionuclideHalfLife (0018,1075)")
    acq = PetAcquisition(radionuclide_code=Fact(("C-131A3", "SRT", "^68^Gallium")))
    h, note = half_life(SimpleNamespace(pet=acq))
    assert h == pytest.approx(ga68_s, rel=5e-4) and "Ga-68" in note
    h, note = half_life(SimpleNamespace(pet=None))
    assert h == pytest.approx(f18_s, rel=5e-4) and "F-18 assumed" in note
