"""The whole chain on the synthetic multi-time-point phantom written as DICOM: registration, TIA, doses."""

import numpy as np
import pytest

from workstation.analysis.dosimetry.dose import led_constant, sphere_absorbed_fraction
from workstation.analysis.dosimetry.pipeline import (DosimetryOptions, find_rtstructs, load_time_points,
                                                     run_dosimetry)
from workstation.testing.dosimetry_phantom import make_phantom, write_phantom

pytestmark = pytest.mark.slow  # five DICOM time points registered: about a minute


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    ph = make_phantom()  # 5 time points, 1-2 voxel movements, table shifts, 2 % noise
    dirs = write_phantom(tmp_path_factory.mktemp("dosi"), ph)
    tps = load_time_points(dirs)
    res = run_dosimetry(tps, find_rtstructs(dirs), DosimetryOptions(method="dvk"))
    return ph, res


def test_registration_recovers_the_known_shifts(chain):
    ph, res = chain
    for n, tp in enumerate(res.therapy.time_points[1:], start=1):
        got = np.asarray(tp.registration["moving_from_fixed"])
        assert not tp.registration["same_frame_of_reference"]
        assert np.abs(got[:3, 3] - ph.moving_from_fixed(n)[:3, 3]).max() < 0.4  # mm (4 mm voxels)
        assert tp.registration["rotation_deg"] < 0.5
    # the VOIs of later time points were carried there, so the activities follow the truth
    for v in res.vois:
        assert v.mask_sources[0].startswith("rtstruct") and v.mask_sources[1].startswith("propagated")
        truth = ph.truth_activity_mbq(v.name, v.times_h)
        np.testing.assert_allclose(v.activities_mbq, truth, rtol=0.01)


def test_tia_within_half_a_percent_of_the_analytic_integral(chain):
    ph, res = chain
    models = {}
    for v in res.vois:
        assert v.fit.tia_mbq_h == pytest.approx(ph.truth_tia_mbq_h(v.name), rel=0.005), v.name
        assert 0 < v.fit.tia_sd_mbq_h < 0.2 * v.fit.tia_mbq_h
        models[v.name] = v.fit.model
    assert models["tumour"] == "mono" and models["kidney left"] == "uptake-washout"


def test_led_equals_the_hand_value_and_dvk_is_close(chain):
    ph, res = chain
    for v in res.vois:
        mass = ph.region_volume_ml(v.name) * 1.04  # soft tissue, ICRU 44
        assert v.mass_g == pytest.approx(mass)
        hand = 0.14792 * 1.602176634e-13 * 3.6e9 * 1e3 * v.fit.tia_mbq_h / mass
        assert v.dose_led_gy == pytest.approx(hand, rel=1e-9)
        assert led_constant(res.therapy.nuclide) == pytest.approx(0.0853, abs=1e-4)
        # electrons escape only near the VOI surface: DVK mean a little below LED
        assert 0.9 * v.dose_led_gy < v.dose_dvk_gy < 1.005 * v.dose_led_gy
        assert v.percentiles["D98"] <= v.percentiles["D50"] <= v.percentiles["D2"]
        assert v.gy_per_gbq == pytest.approx(v.dose_gy / 7.4)
        phi = sphere_absorbed_fraction(res.therapy.nuclide, v.mass_g, 1.04)
        assert v.dose_sphere_gy == pytest.approx(v.dose_led_gy * phi) and 0.9 < phi < 1
        assert isinstance(v.warnings, list)
    kid = next(v for v in res.vois if v.name == "kidney left")
    assert kid.bed_gy > kid.dose_gy
    assert next(v for v in res.vois if v.name == "tumour").bed_gy is None


def test_json_keys(chain):
    import json

    _, res = chain
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert {"time_points", "vois", "warnings"} <= set(d)
    assert {"time_h", "registration"} <= set(d["time_points"][0])
    v = d["vois"][0]
    assert {"name", "mass_g", "activity_mbq", "fit", "tia_mbq_h", "dose_gy", "dvh"} <= set(v)
    assert {"model", "params", "aicc"} <= set(v["fit"]) and {"value", "sd"} <= set(v["tia_mbq_h"])


def test_two_cycles_summed_per_voi(tmp_path):
    from datetime import datetime

    from workstation.analysis.dosimetry.pipeline import cumulative_doses, run_cycles

    dirs = []
    for c, inj in enumerate((datetime(2025, 3, 3, 9, 30), datetime(2025, 4, 28, 10, 0))):
        ph = make_phantom(times_h=(4.0, 24.0, 96.0), shape=(24, 36, 36), noise=0.0, injection=inj,
                          shifts_vox=[(0, 0, 0)] * 3, table_mm=(0.0, 0.0, 0.0))
        dirs += write_phantom(tmp_path / f"c{c}", ph)
    tps = load_time_points(dirs)
    results = run_cycles(tps, find_rtstructs(dirs), DosimetryOptions(register=False))
    assert len(results) == 2 and [len(r.therapy.time_points) for r in results] == [3, 3]
    total = {c["name"]: c for c in cumulative_doses(results)}
    for name, c in total.items():
        per = [next(v.dose_gy for v in r.vois if v.name == name) for r in results]
        assert c["dose_gy"] == pytest.approx(sum(per)) and c["missing_in"] == []
    kid = total["kidney left"]
    beds = [next(v.bed_gy for v in r.vois if v.name == "kidney left") for r in results]
    assert kid["bed_gy"] == pytest.approx(sum(beds))


def test_voi_outside_a_later_scan_is_refused(tmp_path):
    from workstation.analysis.dosimetry.timepoints import DosimetryError

    ph = make_phantom(times_h=(4.0, 24.0), shape=(16, 36, 36), noise=0.0, shifts_vox=[(0, 0, 0)] * 2,
                      table_mm=(0.0, 400.0))
    dirs = write_phantom(tmp_path, ph)
    with pytest.raises(DosimetryError, match="outside that scan's field of view"):
        run_dosimetry(load_time_points(dirs), find_rtstructs(dirs), DosimetryOptions(register=False))
