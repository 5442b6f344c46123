"""Organ VOIs (thresholded, drawn, marrow cylinders), CT density and CT-to-CT registration on the phantom."""

import numpy as np
import pytest

from workstation.analysis.dosimetry.organs import drawn_voi, hu_to_density, marrow_voi, threshold_voi
from workstation.analysis.dosimetry.timepoints import DosimetryError
from workstation.testing.dosimetry_phantom import make_phantom, write_phantom

MEV_J = 1.602176634e-13
E_LU = 0.14792  # MeV of electrons per Lu-177 decay (ICRP 107)


def _hand_density(hu):
    """The stated bilinear calibration by hand: air (-1000, 0.0012), water (0, 1), bone (1900, 1.92)."""
    hu = np.asarray(hu, float)
    return np.where(hu <= 0, 1.0 + hu / 1000.0 * (1.0 - 0.0012), 1.0 + hu * 0.92 / 1900.0)


def test_hu_to_density_points_and_lines():
    hu = np.array([-1000.0, -500.0, 0.0, 30.0, 950.0, 1900.0, -1200.0])
    got = hu_to_density(hu)
    np.testing.assert_allclose(got[:6], [0.0012, 0.5006, 1.0, 1.0 + 30 * 0.92 / 1900, 1.46, 1.92], rtol=1e-6, atol=1e-7)
    assert got[6] == pytest.approx(0.0012)  # never below air


def _dice(a, b):
    return 2.0 * (a & b).sum() / (a.sum() + b.sum())


def test_threshold_voi_recovers_the_kidney_and_says_how():
    ph = make_phantom(times_h=(4.0,), noise=0.0)
    g, a = ph.geometry, ph.volumes[0].array
    truth = ph.masks["kidney left"]
    v = threshold_voi("kidney left", a, g, (40.0, 22.0, -26.0), 40.0, box_mm=80.0)
    assert _dice(v.mask, truth) > 0.99 and "40 %" in v.how
    # a seed in the background next to the kidney: the region of the box's maximum is taken, and said
    seed_out = g.kji_to_world(np.argwhere(truth).min(axis=0) - np.array([0, 0, 2]))
    v2 = threshold_voi("kidney left", a, g, seed_out, 40.0, box_mm=60.0)
    assert "seed below it" in v2.how and v2.mask.any()
    # a box too small for the organ is said
    v3 = threshold_voi("kidney left", a, g, (40.0, 22.0, -26.0), 40.0, box_mm=16.0)
    assert "edge" in v3.how
    with pytest.raises(DosimetryError, match="between 0 and 100"):
        threshold_voi("x", a, g, (40.0, 22.0, -26.0), 140.0)
    with pytest.raises(DosimetryError, match="outside"):
        threshold_voi("x", a, g, (4000.0, 22.0, -26.0))


def test_drawn_and_marrow_vois():
    ph = make_phantom(times_h=(4.0,), noise=0.0)
    g = ph.geometry
    s = drawn_voi("liver sphere", g, "sphere", centre=(-28.0, 8.0, 22.0), radius_mm=12.0)
    assert s.mask.sum() * g.voxel_volume_ml == pytest.approx(4 / 3 * np.pi * 1.2 ** 3, rel=0.15)
    m = marrow_voi(g, [(0.0, 38.0, -30.0), (0.0, 38.0, -18.0), (0.0, 38.0, -6.0)], length_mm=12.0)
    assert (m.mask & ~ph.masks["vertebra"]).sum() == 0 and m.mask.sum() > 0 and "3 cylinder" in m.how
    with pytest.raises(DosimetryError, match="radius_mm"):
        drawn_voi("x", g, "sphere", centre=(0, 0, 0))
    with pytest.raises(DosimetryError, match="no voxel"):
        drawn_voi("x", g, "sphere", centre=(900.0, 0, 0), radius_mm=5.0)


@pytest.fixture(scope="module")
def spect_ct(tmp_path_factory):
    from workstation.analysis.dosimetry.pipeline import load_time_points

    ph = make_phantom(times_h=(4.0, 24.0, 72.0, 168.0), noise=0.0, with_ct=True)
    dirs = write_phantom(tmp_path_factory.mktemp("spectct"), ph, rtstruct=False)
    return ph, dirs, load_time_points(dirs)


def _organs(ph, tps):
    g = tps[0].volume.geometry
    a = tps[0].activity_bqml()
    return [threshold_voi("kidney left", a, g, (40.0, 22.0, -26.0), 40.0, box_mm=80.0),
            threshold_voi("tumour", a, g, (22.0, -20.0, 30.0), 40.0, box_mm=60.0),
            drawn_voi("liver sphere", g, "sphere", centre=(-28.0, 8.0, 22.0), radius_mm=12.0),
            marrow_voi(g, [(0.0, 38.0, -30.0), (0.0, 38.0, -18.0), (0.0, 38.0, -6.0)], length_mm=12.0)]


@pytest.mark.slow
def test_spect_ct_organ_vois_ct_registration_and_density(spect_ct):
    from workstation.analysis.dosimetry.pipeline import DosimetryOptions, run_dosimetry

    ph, _, tps = spect_ct
    assert all(tp.ct is not None for tp in tps)
    organs = _organs(ph, tps)
    res = run_dosimetry(tps, [], DosimetryOptions(method="dvk"), extra_vois=organs)
    # CT-to-CT registration recovers the known movements (1-2 voxels and the table)
    for n, tp in enumerate(res.therapy.time_points[1:], start=1):
        assert "CT to CT" in tp.registration["method"]
        got = np.asarray(tp.registration["moving_from_fixed"])
        assert np.abs(got[:3, 3] - ph.moving_from_fixed(n)[:3, 3]).max() < 0.4
    vv = ph.geometry.voxel_volume_ml
    by = {v.name: v for v in res.vois}
    hu = ph.hu_map()
    e_j = E_LU * MEV_J
    for ov in organs:
        v = by[ov.name]
        assert v.origin == ov.how and v.mask_sources[1].startswith("propagated")
        mass_hand = float(_hand_density(hu[ov.mask]).sum() * vv)
        assert v.mass_g == pytest.approx(mass_hand, rel=1e-4), v.name
        # LED from the CT mass: the hand formula E x TIA / m
        assert v.dose_led_gy == pytest.approx(e_j * v.fit.tia_mbq_h * 3.6e9 / (mass_hand / 1000.0), rel=1e-6)
    # the thresholded kidney is the kidney: its activities and TIA follow the truth
    k = by["kidney left"]
    np.testing.assert_allclose(k.activities_mbq, ph.truth_activity_mbq("kidney left", k.times_h), rtol=0.01)
    assert k.fit.tia_mbq_h == pytest.approx(ph.truth_tia_mbq_h("kidney left"), rel=0.02)
    # the marrow cylinders hold the vertebra's concentration times their volume
    vert = next(r for r in ph.regions if r.name == "vertebra")
    frac = organs[3].mask.sum() / ph.masks["vertebra"].sum()
    np.testing.assert_allclose(by["red marrow (L2-L4)"].activities_mbq, vert.activity(k.times_h) * frac, rtol=0.01)
    # DVK with the water kernel scaled by density: deep in the liver (60 HU) it equals the voxel's LED
    c = tuple(int(round(x)) for x in ph.geometry.world_to_kji(np.array([-28.0, 8.0, 22.0])))
    rho = float(_hand_density(60.0))
    led_vox = float(res.tia_map_bq_s[c]) * e_j / (rho * vv / 1000.0)
    assert float(res.dose_map_gy[c]) == pytest.approx(led_vox, rel=2e-3)
    assert res.density_map[c] == pytest.approx(rho, rel=1e-5)
    d = res.to_dict()
    assert d["density_g_ml"] is None and d["density"].startswith("CT: bilinear")
    # without the CT: SPECT-to-SPECT registration and the stated 1.04 g/mL
    for tp in tps[1:]:
        tp.registration = {}
    res2 = run_dosimetry(tps, [], DosimetryOptions(method="led", use_ct=False), extra_vois=organs)
    assert "SPECT to SPECT" in res2.therapy.time_points[1].registration["method"]
    for ov in organs:
        v = next(x for x in res2.vois if x.name == ov.name)
        assert v.mass_g == pytest.approx(ov.mask.sum() * vv * 1.04, rel=1e-9)
    assert res2.to_dict()["density"] == "uniform 1.04 g/mL (no CT)"
