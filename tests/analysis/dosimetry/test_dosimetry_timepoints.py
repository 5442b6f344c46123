"""Time after injection (midnight, UTC offsets), the decay policy, grouping by therapy."""

import datetime as dt
import math

import numpy as np
import pydicom
import pytest

from workstation.analysis.dosimetry.timepoints import (DosimetryError, decay_scale, group_by_therapy,
                                                       hours_after_injection, time_point_from_volume,
                                                       utc_offset_minutes)
from workstation.core.vocabulary import NUCLIDES
from workstation.io.loader import load_series
from workstation.testing.dosimetry_phantom import make_phantom, write_phantom

HL = NUCLIDES["Lu-177"].half_life_s


def test_utc_offsets():
    assert utc_offset_minutes("20250330013000+0100") == 60
    assert utc_offset_minutes("-0530") == -330
    assert utc_offset_minutes("20250330013000") is None


def test_hours_across_a_daylight_saving_change():
    # injected 10:00 CET (+0100) on 28 March, scanned 10:00 CEST (+0200) on 31 March: 71 h, not 72
    inj, acq = dt.datetime(2025, 3, 28, 10), dt.datetime(2025, 3, 31, 10)
    h, inj_utc, w = hours_after_injection(inj, acq, 60, 120)
    assert h == pytest.approx(71.0) and not w and inj_utc == dt.datetime(2025, 3, 28, 9)
    h, _, w = hours_after_injection(inj, acq, None, 120)
    assert h == pytest.approx(72.0) and "same clock" in w[0]


def test_decay_policy_admin_with_factor_one_warns_and_trusts_the_factor():
    s = 27.725 * 3600
    scale, note, w = decay_scale("ADMIN", 1.0, s, HL)
    assert scale == 1.0 and "DecayFactor" in note
    expected = math.exp(math.log(2) / HL * s)
    # the one text of analysis.suv.decay: the implied factor, the header's and the policy
    assert len(w) == 1 and w[0].startswith("decay statements disagree: DecayCorrection ADMIN implies DecayFactor "
                                           f"{expected:.4g}") and "trust DecayFactor" in w[0]
    scale, _, w = decay_scale("ADMIN", 1.0, s, HL, policy="correction")
    assert scale == pytest.approx(1 / expected) and w and "trusting DecayCorrection instead" in w[0]


def test_decay_policy_consistent_admin_is_silent():
    s = 24 * 3600.0
    f = math.exp(math.log(2) / HL * s)
    scale, _, w = decay_scale("ADMIN", f, s, HL)
    assert scale == pytest.approx(1 / f) and not w


def test_decay_policy_none_with_a_factor_warns():
    _, _, w = decay_scale("NONE", 1.2, 3600.0, HL)
    assert w and "DecayCorrection NONE implies DecayFactor 1 for" in w[0] and "is 1.2;" in w[0]
    with pytest.raises(DosimetryError, match="--decay"):
        decay_scale("NONE", 1.0, 3600.0, HL, policy="guess")


@pytest.fixture(scope="module")
def phantom_dirs(tmp_path_factory):
    ph = make_phantom(times_h=(4.0, 24.0), shape=(12, 16, 16), noise=0.0)
    return ph, write_phantom(tmp_path_factory.mktemp("ph"), ph, rtstruct=False)


def _load(folder):
    return load_series(sorted(str(p) for p in folder.glob("*.dcm")))


def test_time_points_from_files(phantom_dirs):
    ph, dirs = phantom_dirs
    tps = [time_point_from_volume(_load(d), d.name) for d in dirs]
    assert [tp.time_h for tp in tps] == pytest.approx([4.0, 24.0], abs=1e-6)
    assert tps[0].nuclide.name == "Lu-177" and tps[0].administered_bq == pytest.approx(7.4e9)
    (therapy,) = group_by_therapy(tps)
    assert [tp.label for tp in therapy.time_points] == ["TP1", "TP2"]


def test_midnight_rollover_and_timezone_from_files(tmp_path, phantom_dirs):
    """Injection 23:30 with a clock time only, scan at 03:30 the next day: 4 h, not -20 h."""
    _, dirs = phantom_dirs
    for p in sorted(dirs[0].glob("*.dcm")):
        ds = pydicom.dcmread(str(p))
        item = ds.RadiopharmaceuticalInformationSequence[0]
        del item.RadiopharmaceuticalStartDateTime
        item.RadiopharmaceuticalStartTime = "233000"
        ds.AcquisitionDate, ds.AcquisitionTime = "20250304", "033000"
        ds.SeriesDate, ds.SeriesTime = "20250304", "033000"
        ds.save_as(str(tmp_path / p.name))
    tp = time_point_from_volume(_load(tmp_path), "night")
    assert tp.time_h == pytest.approx(4.0)
    assert tp.injection == dt.datetime(2025, 3, 3, 23, 30)
    # a UTC offset on the injection date-time and another in TimezoneOffsetFromUTC
    for p in sorted(tmp_path.glob("*.dcm")):
        ds = pydicom.dcmread(str(p))
        ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime = "20250303233000+0100"
        ds.TimezoneOffsetFromUTC = "+0200"
        ds.save_as(str(p))
    tp = time_point_from_volume(_load(tmp_path), "night")
    assert tp.time_h == pytest.approx(3.0)


def test_mixed_patients_and_cycles(phantom_dirs):
    _, dirs = phantom_dirs
    a, b = (time_point_from_volume(_load(d), d.name) for d in dirs)
    b.injection = b.injection + dt.timedelta(days=56)
    b.injection_utc = b.injection
    assert len(group_by_therapy([a, b])) == 2
    b.volume.patient = type(b.volume.patient)(patient_id="someone else")
    with pytest.raises(DosimetryError, match="different patients"):
        group_by_therapy([a, b])


def test_counts_image_refused(phantom_dirs):
    _, dirs = phantom_dirs
    v = _load(dirs[0])
    v.units = "CNTS"
    with pytest.raises(DosimetryError, match="Units"):
        time_point_from_volume(v)
    assert np.isfinite(v.array).all()


def _counts_spect(tmp_path, counts):
    from workstation.testing.dicom_factory import write_nm_spect

    return write_nm_spect(tmp_path / "nm.dcm", counts, origin=(0.0, 0.0, 0.0), spacing_ijk=(4.0, 4.0, 4.0),
                          units=None, nuclide=("C-101ED", "99SDM", "177 Lutetium", 574300.0))


def test_counts_spect_through_the_camera_calibration(tmp_path):
    """counts = A[MBq] x S[cps/MBq] x T[s] per voxel: the hand formula inverted by the time point's scale."""
    S, T = 9.2, 1800.0  # cps/MBq, s
    conc = np.zeros((6, 8, 8))
    conc[2:4, 3:6, 3:6] = 50_000.0  # Bq/mL
    vvol = 0.064  # mL (4 mm voxels)
    counts = np.round(conc * vvol / 1e6 * S * T).astype(np.uint16)
    p = _counts_spect(tmp_path, counts)
    v = load_series([str(p)])
    assert v.units.upper() == "COUNTS"
    with pytest.raises(DosimetryError, match="--calibration"):
        time_point_from_volume(v, "nm")
    with pytest.raises(DosimetryError, match="--acquisition-s"):
        time_point_from_volume(v, "nm", calibration=S)
    tp = time_point_from_volume(v, "nm", calibration=S, acquisition_s=T, calibration_date="2025-01-10")
    assert tp.nuclide.name == "Lu-177" and tp.time_h == pytest.approx(2.0)
    total_mbq = float(tp.activity_bqml().sum()) * vvol / 1e6
    assert total_mbq == pytest.approx(counts.sum() / (S * T), rel=1e-6)
    assert total_mbq == pytest.approx(conc.sum() * vvol / 1e6, rel=2e-3)
    assert "2025-01-10" in tp.decay_note
    # the acquisition time from the NM rotation information: 2 rotations of 60 frames of 15 s
    ds = pydicom.dcmread(str(p))
    items = []
    for _ in range(2):
        it = pydicom.Dataset()
        it.NumberOfFramesInRotation, it.ActualFrameDuration = 60, 15000
        items.append(it)
    ds.RotationInformationSequence = items
    ds.save_as(str(p))
    tp = time_point_from_volume(load_series([str(p)]), "nm", calibration=S)
    assert float(tp.activity_bqml().sum()) * vvol / 1e6 == pytest.approx(counts.sum() / (S * T), rel=1e-6)


def _with_camera(p, manufacturer="ACME", model="Gamma 2", serial="SN 0042"):
    ds = pydicom.dcmread(str(p))
    ds.Manufacturer, ds.ManufacturerModelName, ds.DeviceSerialNumber = manufacturer, model, serial
    ds.save_as(str(p))
    return p


def test_counts_spect_finds_its_camera_calibration_in_the_settings(tmp_path):
    """The factor kept for this camera and nuclide is used without --calibration; the hand formula holds."""
    from workstation.settings.camera_calibration import add_entry, set_max_age_days

    S, T, vvol = 7.5, 1200.0, 0.064
    conc = np.zeros((6, 8, 8))
    conc[2:4, 3:6, 3:6] = 40_000.0
    counts = np.round(conc * vvol / 1e6 * S * T).astype(np.uint16)
    p = _with_camera(_counts_spect(tmp_path, counts))
    v = load_series([str(p)])
    with pytest.raises(DosimetryError, match=r"none is kept for camera 'ACME / Gamma 2 / SN 0042' and Lu-177"):
        time_point_from_volume(v, "nm", acquisition_s=T)
    add_entry("ACME / Gamma 2 / SN 0042", "Lu-177", 99.0, "2020-01-01", who="old")  # older: not used
    add_entry("acme /  gamma 2 / sn 0042", "Lu-177", S, "2025-01-02", who="physicist A")
    tp = time_point_from_volume(v, "nm", acquisition_s=T)
    assert float(tp.activity_bqml().sum()) * vvol / 1e6 == pytest.approx(counts.sum() / (S * T), rel=1e-6)
    cal = tp.to_dict()["calibration"]
    assert cal["cps_per_mbq"] == S and cal["measured"] == "2025-01-02" and cal["source"] == "settings"
    assert cal["who"] == "physicist A"
    scan_day = tp.acquisition.date()
    age = (scan_day - dt.date(2025, 1, 2)).days
    old = [w for w in tp.warnings if "re-measure" in w]
    assert bool(old) == (age > 365)
    set_max_age_days(max(1, age - 1)) if age > 1 else None
    tp = time_point_from_volume(v, "nm", acquisition_s=T)
    assert (age > 1) == any(f"{age} days before the scan" in w for w in tp.warnings)
    # the command-line factor overrides the settings and says so
    tp = time_point_from_volume(v, "nm", acquisition_s=T, calibration=2 * S)
    assert tp.to_dict()["calibration"]["source"].startswith("--calibration")
    assert float(tp.activity_bqml().sum()) * vvol / 1e6 == pytest.approx(counts.sum() / (2 * S * T), rel=1e-6)
