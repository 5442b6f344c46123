"""SUV factor and provenance: refdata (cornerstone, QIBA DRO, ACRIN) and synthetic edge cases.

Every expected number is either a published third-party value or worked out here by hand from
the formula SUV factor = N / (dose * 2^(-(t_ref - t_inj) / T_half)).
"""

import datetime as dt
import json
import math
from pathlib import Path

import pydicom
import pytest

from workstation.testing.pet_factory import from_cornerstone, pet_dataset
from workstation.analysis.suv import (
    SUV_TYPES,
    SuvError,
    SuvInputMissing,
    SuvOverrides,
    compute_suv,
    describe_suv_type,
    half_life_from_code,
)
from workstation.io.pet_header import read_pet_acquisition

REFDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "refdata"


def _ref(folder):
    path = REFDATA / folder
    if not path.is_dir():
        pytest.skip(f"reference data not present at {path}")
    return path


def _suv(datasets, suv_type="bw", overrides=None):
    return compute_suv(read_pet_acquisition(datasets), suv_type, overrides)


def _bw_by_hand(weight_kg, dose, t_inj, t_ref, half_life):
    return weight_kg * 1000.0 / (dose * 2 ** (-(t_ref - t_inj).total_seconds() / half_life))


def _entry(result, name):
    hits = [p for p in result.provenance if p["input"] == name]
    assert hits, f"no provenance entry {name!r}: {[p['input'] for p in result.provenance]}"
    return hits[0]


# ------------------------------------------------------------------------------ cornerstone
CORNERSTONE = "cornerstone-calculate-suv-metadata"


def _cornerstone_expected():
    path = REFDATA / CORNERSTONE / "expected_suv_factors.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text())["suvbw_factor_per_metadata_file"]


@pytest.mark.parametrize("name", sorted(_cornerstone_expected()) or ["(refdata missing)"])
def test_cornerstone_suvbw_factor(name):
    folder = _ref(CORNERSTONE)
    expected = json.loads((folder / "expected_suv_factors.json").read_text())["suvbw_factor_per_metadata_file"][name]
    records = json.loads((folder / name).read_text())
    result = _suv([from_cornerstone(r, i) for i, r in enumerate(records)])
    assert result.factor == pytest.approx(expected, rel=1e-6)
    assert result.instance_factors is None
    assert result.units == "g/ml"
    json.dumps(result.provenance)


def test_cornerstone_rules_in_provenance():
    folder = _ref(CORNERSTONE)
    recs = json.loads((folder / "CPS_AND_BQML_AC_DT_-_S_DT-instances.json").read_text())
    r = _suv([from_cornerstone(x, i) for i, x in enumerate(recs)])
    ref = _entry(r, "reference (scan start) time")
    assert "earliest acquisition" in ref["rule"] and ref["value"] == "2020-12-17T13:03:48.234000"
    recs = json.loads((folder / "PHILIPS_CNTS_AND_SUV-instances.json").read_text())
    r = _suv([from_cornerstone(x, i) for i, x in enumerate(recs)])
    assert _entry(r, "Philips SUV scale factor")["source"] == "Philips SUVScaleFactor (7053,1000)"
    assert r.input_units == "CNTS"


def test_cornerstone_philips_activity_concentration_factor():
    """CNTS without (7053,1000): (7053,1009) x the BQML factor (cornerstone's documented rule)."""
    folder = _ref(CORNERSTONE)
    recs = json.loads((folder / "PHILIPS_CNTS_AND_BQML_SUV-instances.json").read_text())
    for r in recs:
        r["PhilipsPETPrivateGroup"].pop("SUVScaleFactor")
    res = _suv([from_cornerstone(x, i) for i, x in enumerate(recs)])
    r0 = recs[0]
    # series 09:35:56 is before acquisition 09:54:39: series time; injection 08:30:00 on the series date
    bqml = _bw_by_hand(54, 238000000, dt.datetime(2020, 12, 17, 8, 30), dt.datetime(2020, 12, 17, 9, 35, 56), 6588)
    assert res.factor == pytest.approx(1.602563 * bqml, rel=1e-12)
    assert float(r0["PhilipsPETPrivateGroup"]["ActivityConcentrationScaleFactor"]) == 1.602563


def test_cornerstone_lbm_and_bsa_unit_values():
    """Cornerstone's LBM (kg x 1000 = g) and BSA (cm2) for W=75 kg, H=1.85 m.

    Our LBM/BSA factors are N / decayed dose; with the same acquisition, N = factor / bw_factor * W_g.
    Cornerstone's current James formula uses 120 for men (our "lbm-james120"; women 148 in both
    variants); its BSA is DuBois in cm2, like ours.
    """
    folder = _ref(CORNERSTONE)
    unit = json.loads((folder / "expected_suv_factors.json").read_text())["unit_tests_synthetic_inputs"]
    for sex in ("M", "F"):
        dss = [pet_dataset(weight=75, size=1.85, sex=sex)]
        bw = _suv(dss).factor
        n = {k: _suv(dss, k).factor / bw * 75000.0 for k in ("lbm-james120", "lbm-janma", "bsa")}
        assert n["lbm-james120"] == pytest.approx(unit["lbm_James_kg_x1000 (W=75kg,H=1.85m)"][sex], rel=1e-9)
        assert n["lbm-janma"] == pytest.approx(unit["lbm_Janmahasatian_kg_x1000 (W=75kg,H=1.85m)"][sex], rel=1e-9)
        assert n["bsa"] == pytest.approx(unit["bsa_cm2 (W=75kg,H=1.85m)"], rel=1e-9)
        if sex == "F":  # the 128/120 variants differ for men only
            assert _suv(dss, "lbm-james128").factor == pytest.approx(_suv(dss, "lbm-james120").factor, rel=1e-12)
    bsa = _suv([pet_dataset(weight=75, size=1.85)], "bsa")
    assert bsa.units == "cm2/ml"


# ------------------------------------------------------------------------------ QIBA DRO
def _dro_dataset(h):
    c = h["common"]
    return pet_dataset(weight=h["PatientWeight_kg"], size=h["PatientSize_m"], sex=h["PatientSex"],
                       dose=c["RadionuclideTotalDose_Bq"], half_life=c["RadionuclideHalfLife_s"],
                       start_time=c["RadiopharmaceuticalStartTime"], series_date=c["SeriesDate"],
                       series_time=c["SeriesTime"], acquisition_date=c["SeriesDate"],
                       acquisition_time=c["AcquisitionTime"], units="BQML", decay_correction="START")


@pytest.mark.parametrize("variant", ["female", "male"])
def test_qiba_dro_test_voxels(variant):
    folder = _ref("qiba-fdg-petct-dro-expected")
    exp = json.loads((folder / "expected_values.json").read_text())
    h = dict(exp["header_values"][variant], common=exp["header_values"]["common"])
    slope = h["RescaleSlope_slice40"]
    res = _suv([_dro_dataset(h)])
    voxels = exp["suvbw_test_voxels_slice40"]
    tol = exp["tolerance_reported_by_pictologics"]
    assert voxels["stored_values"]["max"] * slope * res.factor == pytest.approx(voxels["max"], abs=tol)
    assert voxels["stored_values"]["min"] * slope * res.factor == pytest.approx(voxels["min"], abs=tol)
    # LBM / BW ratios as published (2-4 significant digits)
    ratios = exp["suvlbm_to_suvbw_ratio"]
    james = _suv([_dro_dataset(h)], "lbm-james128").factor / res.factor
    janma = _suv([_dro_dataset(h)], "lbm-janma").factor / res.factor
    assert james == pytest.approx(ratios["James (PERCIST 1.0)"][variant], abs=6e-4)
    assert janma == pytest.approx(ratios["Janmahasatian"][variant], abs=6e-3)


# ------------------------------------------------------------------------------ ACRIN Siemens
@pytest.mark.parametrize("name", ["acrin_flt_breast_1.dcm", "acrin_flt_breast_2.dcm"])
def test_acrin_siemens_slices(name):
    folder = _ref("acrin-flt-breast-pet-slices")
    s = json.loads((folder / "header_summary.json").read_text())[name]
    res = _suv([pydicom.dcmread(folder / name, stop_before_pixels=True)])

    def at(date, time):  # "YYYYMMDD", "HHMMSS.ffffff" -> datetime, by hand
        return dt.datetime(int(date[:4]), int(date[4:6]), int(date[6:8]), int(time[:2]), int(time[2:4]),
                           int(time[4:6]), int(round(float("0" + time[6:]) * 1e6)))

    series = at(s["SeriesDate"], s["SeriesTime"])
    acq = at(s["AcquisitionDate"], s["AcquisitionTime"])
    assert series <= acq  # so QIBA uses the series time
    inj = at(s["SeriesDate"], s["RadiopharmaceuticalStartTime"])
    expected = _bw_by_hand(float(s["PatientWeight"]), float(s["RadionuclideTotalDose"]), inj, series,
                           float(s["RadionuclideHalfLife"]))
    assert res.factor == pytest.approx(expected, rel=1e-12)
    assert res.warnings == []
    text = res.to_text()
    assert "PatientWeight (0010,1030)" in text and "ACRIN-FLT" not in text


# ------------------------------------------------------------------------------ other refdata
def test_slicer_qin_headneck_factor():
    folder = _ref("slicer-petdicom-qin-headneck-0139-expected")
    files = [p.name for p in folder.iterdir()]
    if not any(p.endswith(".dcm") for p in files):
        pytest.skip("only the expected factor 0.000401664 is stored; the PET headers (weight, dose, times) are "
                    "not, so the factor cannot be reproduced")


def test_dcmqi_rwvm_factor():
    folder = _ref("dcmqi-qin-headneck-sr-example")
    ds = pydicom.dcmread(folder / "rwvm.dcm", stop_before_pixels=True)
    if "RadiopharmaceuticalInformationSequence" not in ds:
        pytest.skip("rwvm.dcm holds the SUVbw slope 0.000375125 and the weight, but no dose or injection/scan "
                    "times; the PET series itself is not included")


# ------------------------------------------------------------------------------ synthetic
BASE = dict(weight=80.0, dose=350e6, half_life=6586.2, series_time="100000", acquisition_time="100000",
            start_time="090000")


def _base_bw():
    return _bw_by_hand(80, 350e6, dt.datetime(2020, 12, 17, 9), dt.datetime(2020, 12, 17, 10), 6586.2)


def test_base_case_and_provenance_contents():
    r = _suv([pet_dataset(**BASE)])
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)
    w = _entry(r, "patient weight")
    assert w == {"input": "patient weight", "value": 80.0, "unit": "kg", "source": "PatientWeight (0010,1030)",
                 "rule": ""}
    assert _entry(r, "decay time")["value"] == 3600.0
    assert _entry(r, "injection time")["value"] == "2020-12-17T09:00:00"
    json.loads(json.dumps(r.to_dict()))
    text = r.to_text()
    assert "SECRET" not in text and "19010101" not in text
    assert f"{r.factor:.9g}" in text


def test_missing_weight_names_tag_and_option_and_override_fixes_it():
    ds = [pet_dataset(**dict(BASE, weight=None))]
    with pytest.raises(SuvInputMissing) as ei:
        _suv(ds)
    e = ei.value
    assert e.tag == "(0010,1030) PatientWeight" and e.field == "weight_kg"  # the CLI shows --weight KG (tests/cli)
    assert "(0010,1030)" in str(e) and "patient weight" in str(e)
    assert isinstance(e, SuvError) and isinstance(e, ValueError)
    r = _suv(ds, overrides=SuvOverrides(weight_kg=80.0))
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)
    w = _entry(r, "patient weight")
    assert w["source"] == "override" and w["value"] == 80.0
    # weight 0 is missing too; an override of a present weight is recorded with the header value
    with pytest.raises(SuvInputMissing):
        _suv([pet_dataset(**dict(BASE, weight=0))])
    r = _suv([pet_dataset(**BASE)], overrides=SuvOverrides(weight_kg=40.0))
    assert r.factor == pytest.approx(_base_bw() / 2, rel=1e-12)
    assert "80" in _entry(r, "patient weight")["rule"]


def test_missing_dose_and_injection_time():
    with pytest.raises(SuvInputMissing) as ei:
        _suv([pet_dataset(**dict(BASE, dose=None))])
    assert ei.value.tag == "(0018,1074) RadionuclideTotalDose" and ei.value.field == "dose_bq"
    r = _suv([pet_dataset(**dict(BASE, dose=None))], overrides=SuvOverrides(dose_bq=350e6))
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12) and _entry(r, "injected dose")["source"] == "override"

    with pytest.raises(SuvInputMissing) as ei:
        _suv([pet_dataset(**dict(BASE, start_time=None))])
    assert ei.value.tag == "(0018,1072) RadiopharmaceuticalStartTime"
    assert ei.value.field == "injection_datetime"
    ov = SuvOverrides(injection_datetime="20201217090000")
    r = _suv([pet_dataset(**dict(BASE, start_time=None))], overrides=ov)
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)
    assert _entry(r, "injection time")["source"] == "override"
    assert SuvOverrides(injection_datetime="2020-12-17T09:00:00").injection_datetime == dt.datetime(2020, 12, 17, 9)


def test_injection_before_midnight_scan_after():
    ds = pet_dataset(**dict(BASE, series_date="20210302", acquisition_date="20210302", series_time="004000",
                            acquisition_time="004000", start_time="235000"))
    r = _suv([ds])
    expected = _bw_by_hand(80, 350e6, dt.datetime(2021, 3, 1, 23, 50), dt.datetime(2021, 3, 2, 0, 40), 6586.2)
    assert r.factor == pytest.approx(expected, rel=1e-12)
    inj = _entry(r, "injection time")
    assert inj["value"] == "2021-03-01T23:50:00" and "day before" in inj["rule"]
    assert _entry(r, "decay time")["value"] == 3000.0


def test_start_datetime_preferred_and_injection_after_scan_is_error():
    ds = pet_dataset(**dict(BASE, start_time="080000", start_datetime="20201217090000"))
    assert _suv([ds]).factor == pytest.approx(_base_bw(), rel=1e-12)
    with pytest.raises(SuvError, match="after the scan start"):
        _suv([pet_dataset(**dict(BASE, start_datetime="20201217110000"))])


def test_mbq_looking_dose():
    r = _suv([pet_dataset(**dict(BASE, dose=350.0))])
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)
    d = _entry(r, "injected dose")
    assert d["value"] == 350e6 and "MBq" in d["rule"] and "1e5" in d["rule"]
    assert any("MBq" in w for w in r.warnings)


def test_decay_correction_admin_has_no_decay_term():
    r = _suv([pet_dataset(**dict(BASE, decay_correction="ADMIN", start_time=None))])
    assert r.factor == pytest.approx(80000.0 / 350e6, rel=1e-12)
    assert "ADMIN" in _entry(r, "decayed dose")["rule"]


def test_decay_correction_none_gives_per_instance_factors():
    times = {"1.5.1": "100000", "1.5.2": "100300", "1.5.3": "100600"}
    dss = [pet_dataset(**dict(BASE, sop_uid=u, acquisition_time=t, decay_correction="NONE", frame_duration=180000,
                              corrected_image=("NORM", "ATTN", "SCAT")))
           for u, t in times.items()]
    r = _suv(dss)
    assert r.instance_factors is not None and set(r.instance_factors) == set(times)
    lam = math.log(2) / 6586.2
    mean_decay = (1 - math.exp(-lam * 180)) / (lam * 180)  # mean of exp(-lam t) over a 180 s frame
    for uid, t in times.items():
        start = dt.datetime(2020, 12, 17, 10, int(t[2:4]))
        expected = _bw_by_hand(80, 350e6, dt.datetime(2020, 12, 17, 9), start, 6586.2) / mean_decay
        assert r.instance_factors[uid] == pytest.approx(expected, rel=1e-12)
        assert r.factor_for(uid) == r.instance_factors[uid]
    assert r.factor == r.instance_factors["1.5.1"]  # the earliest
    assert r.instance_factors["1.5.3"] > r.instance_factors["1.5.2"] > r.instance_factors["1.5.1"]
    assert any("differs between" in w for w in r.warnings)


def test_series_after_acquisition_uses_ge_private_then_earliest_acquisition():
    dss = [pet_dataset(**dict(BASE, sop_uid=f"1.6.{i}", series_time="120000", acquisition_time=t))
           for i, t in enumerate(["100500", "100000"])]
    r = _suv(dss)
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)  # earliest acquisition 10:00
    assert any("after the earliest acquisition" in w for w in r.warnings)
    dss = [pet_dataset(**dict(BASE, sop_uid=f"1.7.{i}", series_time="120000", acquisition_time=t,
                              ge_scan_datetime="20201217095000")) for i, t in enumerate(["100500", "100000"])]
    r = _suv(dss)
    expected = _bw_by_hand(80, 350e6, dt.datetime(2020, 12, 17, 9), dt.datetime(2020, 12, 17, 9, 50), 6586.2)
    assert r.factor == pytest.approx(expected, rel=1e-12)
    ref = _entry(r, "reference (scan start) time")
    assert ref["rule"] == "GE private scan time used because series time is after acquisition time"
    assert ref["source"] == "GE private scan_datetime (0009,100D)"


def test_half_life_from_radionuclide_code():
    r = _suv([pet_dataset(**dict(BASE, half_life=None))])
    hl = _entry(r, "half-life")
    assert hl["value"] == 6586.2 and "F-18" in hl["rule"] and hl["source"].startswith("RadionuclideCodeSequence")
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)
    ga = _suv([pet_dataset(**dict(BASE, half_life=None, radionuclide_code=("C-131A3", "SRT", "^68^Gallium")))])
    assert _entry(ga, "half-life")["value"] == pytest.approx(67.71 * 60)
    assert half_life_from_code(("", "", "F^18^[^18^Fluorine]"))[0] == "F-18"
    assert half_life_from_code(("77004003", "SCT", ""))[0] == "F-18"
    assert half_life_from_code(("", "", "^89^Zirconium"))[0] == "Zr-89"
    assert half_life_from_code("C-11")[0] == "C-11"
    assert half_life_from_code(("X", "Y", "^99m^Technetium")) is None
    with pytest.raises(SuvInputMissing) as ei:
        _suv([pet_dataset(**dict(BASE, half_life=None, radionuclide_code=None))])
    assert ei.value.field == "half_life_s"
    r = _suv([pet_dataset(**dict(BASE, half_life=None, radionuclide_code=None))],
             overrides=SuvOverrides(half_life_s=6586.2))
    assert r.factor == pytest.approx(_base_bw(), rel=1e-12)


def test_gml_bw_as_bw_and_as_lbm():
    ds = [pet_dataset(**dict(BASE, units="GML", suv_type="BW", size=1.80, sex="M"))]
    r = _suv(ds)
    assert r.factor == 1.0 and r.input_units == "g/ml"
    lbm = _suv(ds, "lbm-james")
    james = 1.10 * 80 - 128 * (80 / 180) ** 2  # kg, by hand
    assert lbm.suv_type == "lbm-james128"
    assert lbm.factor == pytest.approx(james / 80, rel=1e-12)
    with pytest.raises(SuvInputMissing) as ei:
        _suv([pet_dataset(**dict(BASE, units="GML", suv_type="BW", size=None))], "lbm-janma")
    assert ei.value.tag == "(0010,1020) PatientSize" and ei.value.field == "height_m"


def test_cm2ml_bsa_to_bw():
    ds = [pet_dataset(**dict(BASE, units="CM2ML", suv_type="BSA", size=1.80))]
    assert _suv(ds, "bsa").factor == 1.0
    bsa_cm2 = 0.007184 * 80 ** 0.425 * 180 ** 0.725 * 1e4
    assert _suv(ds, "bw").factor == pytest.approx(80000.0 / bsa_cm2, rel=1e-12)
    with pytest.raises(SuvError, match="contradict"):
        _suv([pet_dataset(**dict(BASE, units="GML", suv_type="BSA", size=1.8))])


def test_ibw_and_sex_requirements():
    ds = [pet_dataset(**dict(BASE, size=1.70, sex="F"))]
    ibw = 45.5 + 0.91 * (170 - 152)
    assert _suv(ds, "ibw").factor == pytest.approx(_base_bw() * ibw / 80, rel=1e-12)
    with pytest.raises(SuvInputMissing) as ei:
        _suv([pet_dataset(**dict(BASE, size=1.70, sex="O"))], "lbm-janma")
    assert ei.value.tag == "(0010,0040) PatientSex" and ei.value.field == "sex"
    r = _suv([pet_dataset(**dict(BASE, size=1.70, sex="O"))], "ibw", SuvOverrides(sex="f"))
    assert r.factor == pytest.approx(_base_bw() * ibw / 80, rel=1e-12)


def test_height_in_cm_is_detected():
    r = _suv([pet_dataset(**dict(BASE, size=180.0))], "bsa")
    h = _entry(r, "patient height")
    assert h["value"] == 1.8 and "cm" in h["rule"]
    with pytest.raises(SuvError, match="metres"):
        SuvOverrides(height_m=180)


def test_errors_for_unusable_headers():
    with pytest.raises(SuvError, match="ATTN"):
        _suv([pet_dataset(**dict(BASE, corrected_image=("NORM", "DECY")))])
    with pytest.raises(SuvError, match="PROPCNTS"):
        _suv([pet_dataset(**dict(BASE, units="PROPCNTS"))])
    with pytest.raises(SuvInputMissing, match=r"\(0054,1001\)"):
        _suv([pet_dataset(**dict(BASE, units=None))])
    with pytest.raises(SuvError, match="7053"):
        _suv([pet_dataset(**dict(BASE, units="CNTS"))])
    with pytest.raises(SuvError, match="weight"):  # baked-in Philips factor cannot take a weight override
        _suv([pet_dataset(**dict(BASE, units="CNTS", philips_suv="0.0005"))], overrides=SuvOverrides(weight_kg=70))
    with pytest.raises(SuvError, match="unknown SUV type"):
        _suv([pet_dataset(**BASE)], "sul")
    with pytest.raises(SuvError):
        SuvOverrides(weight_kg=-1)


def test_suv_type_keys_and_descriptions():
    assert SUV_TYPES == ("bw", "lbm-james128", "lbm-james120", "lbm-janma", "bsa", "ibw")
    assert "DuBois" in describe_suv_type("bsa")
    assert "128" in describe_suv_type("lbm-james") and "Janmahasatian" in describe_suv_type("LBM-JANMA")
    ds = [pet_dataset(**dict(BASE, size=1.8))]
    assert _suv(ds, "lbm-james120").factor > _suv(ds, "lbm-james128").factor  # men: 120 < 128
