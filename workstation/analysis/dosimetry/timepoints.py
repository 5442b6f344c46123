"""Imaging time points of one therapy: when each scan was taken after the injection, and in what units.

A therapy (one cycle) is an administration: injection date-time, administered activity and nuclide.
Each quantitative SPECT (or PET) series of the patient after it is a :class:`TimePoint`:

* **Time after injection** comes from the DICOM date-times: the acquisition (AcquisitionDateTime, or
  AcquisitionDate + AcquisitionTime, earliest instance) and the injection (RadiopharmaceuticalStart-
  DateTime, or the clock time RadiopharmaceuticalStartTime put on the latest day at or before the
  acquisition: midnight rollover). A UTC offset written in a DT value (``&ZZXX``) or in
  TimezoneOffsetFromUTC (0008,0201) is honoured: both instants are taken to UTC before the
  difference, so a scan a week later across a daylight-saving change is not an hour off. When only
  one of the two has an offset, the same clock is assumed and a warning says so.
* **Decay policy.** The stored values become Bq/mL *at the acquisition time*. DecayCorrection START:
  the values are that already (a DecayFactor there is the decay within the frame). ADMIN or NONE:
  ``factor`` (default) trusts DecayFactor (0054,1321) - values are divided by it (DecayFactor 1 means
  nothing was applied, whatever DecayCorrection says); ``correction`` trusts DecayCorrection
  (0054,1102) - ADMIN values are decayed from the injection to the acquisition with the physical
  half-life, NONE values are taken as they are. Either way, when DecayCorrection ADMIN and the DecayFactor disagree with the decay from
  injection to acquisition by more than 0.5 %, or NONE comes with a DecayFactor other than 1, a
  warning says so (the Lu-177 reference pair: ADMIN with DecayFactor 1).
* **Counts SPECT.** A reconstruction in counts (Units CNTS, or an NM image without Units) becomes Bq/mL
  through the camera's calibration factor S (cps/MBq, measured for this camera and nuclide, with its
  date): A [Bq] = counts / (T [s] x S) x 1e6 per voxel, T the total acquisition time (RotationInformation-
  Sequence frames x frame duration, or ActualFrameDuration of a PT-stored reconstruction, or given).
  The result is the mean activity over the acquisition, referenced to its start (for Lu-177 a 30 min
  acquisition decays 0.2 %).
* **Grouping.** Series of one patient (PatientID compared, never shown) with the same injection
  (within a minute) and administered activity (within 1 %) form one therapy; another injection is
  another cycle.

No patient name, ID or birth date is logged or put into a message.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field

import numpy as np

from workstation.core.vocabulary import NUCLIDE_LIST, Nuclide, nuclide_from_code
from workstation.core.volume import Volume
from workstation.io.dicom_time import latest_at_or_before, parse_da, parse_dt, parse_tm

from workstation.analysis.suv.decay import DECAY_FACTOR_TOLERANCE, check_decay_statement

__all__ = ["DosimetryError", "TimePoint", "Therapy", "time_point_from_volume", "group_by_therapy",
           "decay_scale", "utc_offset_minutes", "hours_after_injection", "DECAY_POLICIES", "therapy_nuclide"]

DECAY_POLICIES = ("factor", "correction")
COUNT_UNITS = ("CNTS", "COUNTS")  # a SPECT in counts (the loader says "counts" for an NM image without Units)
DECAY_TOLERANCE = DECAY_FACTOR_TOLERANCE  # relative disagreement between DecayFactor and the expected decay, warned


class DosimetryError(ValueError):
    """Input that dosimetry cannot honestly use (one line, naming the tag or the option)."""


_OFFSET_RE = re.compile(r"([+-])(\d{2})(\d{2})$")


def utc_offset_minutes(text) -> int | None:
    """The UTC offset (minutes) of a DICOM DT value's ``&ZZXX`` suffix or a TimezoneOffsetFromUTC value."""
    if text is None:
        return None
    s = str(text).strip()
    m = _OFFSET_RE.search(s)
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return sign * (int(m.group(2)) * 60 + int(m.group(3)))


def _dt_has_offset(text) -> bool:
    s = str(text or "").strip()
    return len(s) > 5 and s[-5] in "+-" and s[-4:].isdigit()


def therapy_nuclide(volume: Volume) -> Nuclide:
    """The nuclide of a series: its RadionuclideCodeSequence, else its half-life (within 1 %)."""
    pet = volume.pet
    code = pet.value("radionuclide_code") if pet is not None else None
    nuc = nuclide_from_code(code) if code is not None else None
    if nuc is None and pet is not None:
        hl = pet.value("radionuclide_half_life_s")
        if hl:
            nuc = next((n for n in NUCLIDE_LIST if abs(n.half_life_s / float(hl) - 1) < 0.01), None)
    if nuc is None:
        raise DosimetryError(f"series {volume.description!r}: the radionuclide is not named "
                             "(RadionuclideCodeSequence (0054,0300) and RadionuclideHalfLife (0018,1075) "
                             "match no nuclide of the vocabulary)")
    if nuc.electron_energy_mev is None:
        raise DosimetryError(f"series {volume.description!r}: {nuc.name} has no electron energy per decay in the "
                             "nuclide vocabulary; dosimetry needs one")
    return nuc


def decay_scale(decay_correction: str, decay_factor: float | None, seconds_after_injection: float,
                half_life_s: float, policy: str = "factor", *,
                injection: _dt.datetime | None = None) -> tuple[float, str, list[str]]:
    """(scale, note, warnings): stored value x scale = activity concentration at the acquisition time.

    See the module docstring for the policies. Whether DecayCorrection and DecayFactor disagree is decided,
    and said, by ``analysis.suv.decay.check_decay_statement`` (one check and one text for SUV and dosimetry);
    ``injection`` (clock time) only dates the message."""
    if policy not in DECAY_POLICIES:
        raise DosimetryError(f"--decay {policy!r}: choose one of {', '.join(DECAY_POLICIES)}")
    dc = (decay_correction or "").strip().upper() or "NONE"
    lam = math.log(2.0) / half_life_s
    expected_admin = math.exp(lam * seconds_after_injection)
    warns: list[str] = []
    df = None if decay_factor is None else float(decay_factor)
    if df is not None and not (df > 0 and math.isfinite(df)):
        raise DosimetryError(f"DecayFactor (0054,1321) is {decay_factor!r}; it must be a positive number")
    if dc in ("ADMIN", "NONE") and df is not None:
        inj = injection or _dt.datetime(2000, 1, 1)
        st = check_decay_statement(dc, df, half_life_s=half_life_s, injection=inj,
                                   acquisition_start=inj + _dt.timedelta(seconds=seconds_after_injection),
                                   tolerance=DECAY_TOLERANCE)
        if st.conflict:
            warns.append(st.message if policy == "factor" else
                         st.message + "; overridden by --decay correction: trusting DecayCorrection instead")
    if dc == "START":  # values are activity at the acquisition start; a DecayFactor there is in-frame decay
        return 1.0, "DecayCorrection START: taken as activity at the acquisition start", warns
    if policy == "factor":
        if df is not None:
            return 1.0 / df, f"divided by DecayFactor {df:g}", warns
        if dc == "ADMIN":
            warns.append("DecayFactor (0054,1321) absent; DecayCorrection ADMIN: values decayed from injection "
                         "to the scan time")
            return 1.0 / expected_admin, f"ADMIN without DecayFactor: x 1/{expected_admin:.5f}", warns
        return 1.0, f"DecayCorrection {dc}, no DecayFactor: taken as activity at the scan time", warns
    if dc == "ADMIN":
        return 1.0 / expected_admin, f"DecayCorrection ADMIN: x 1/{expected_admin:.5f}", warns
    return 1.0, f"DecayCorrection {dc}: taken as activity at the scan time", warns


def hours_after_injection(injection: _dt.datetime, acquisition: _dt.datetime, injection_offset_min: int | None = None,
                          acquisition_offset_min: int | None = None) -> tuple[float, _dt.datetime, list[str]]:
    """(hours, injection in UTC or as written, warnings) from injection to acquisition.

    Both clock times are taken to UTC with their offsets (minutes east of UTC) when both are known; with
    one offset only, the same clock is assumed (and said)."""
    warns = []
    if (injection_offset_min is None) != (acquisition_offset_min is None):
        warns.append("only one of the injection and acquisition date-times has a UTC offset; "
                     "the same clock is assumed for both")
        injection_offset_min = acquisition_offset_min = (injection_offset_min if injection_offset_min is not None
                                                         else acquisition_offset_min)
    if injection_offset_min is not None:
        inj_utc = injection - _dt.timedelta(minutes=injection_offset_min)
        acq_utc = acquisition - _dt.timedelta(minutes=acquisition_offset_min)
    else:
        inj_utc, acq_utc = injection, acquisition
    return (acq_utc - inj_utc).total_seconds() / 3600.0, inj_utc, warns


@dataclass
class TimePoint:
    """One quantitative image of the therapy, its time after injection and its scale to Bq/mL at scan time."""

    volume: Volume
    label: str
    acquisition: _dt.datetime  # naive clock time as written
    injection: _dt.datetime  # naive clock time as written
    time_h: float  # hours from injection to acquisition start (UTC offsets honoured)
    administered_bq: float | None
    nuclide: Nuclide
    scale: float  # stored value x scale = Bq/mL at the acquisition time
    decay_note: str
    injection_utc: _dt.datetime | None = None
    warnings: list[str] = field(default_factory=list)
    registration: dict = field(default_factory=dict)  # filled by align: transform to the first time point
    calibration: dict = field(default_factory=dict)  # counts SPECT: the factor used, its date, camera and source
    ct: Volume | None = None  # the CT of a SPECT/CT in the same frame of reference (HU), when the scan has one
    deformation: object | None = field(default=None, repr=False)  # deform.Deformation after the rigid step, if any

    def activity_bqml(self) -> np.ndarray:
        """The image in Bq/mL at the acquisition time (float32)."""
        if self.scale == 1.0:
            return np.asarray(self.volume.array, np.float32)
        return np.asarray(self.volume.array, np.float32) * np.float32(self.scale)

    def to_dict(self) -> dict:
        return {"label": self.label, "series_uid": self.volume.series_uid,
                "frame_of_reference_uid": self.volume.frame_of_reference_uid,
                "acquisition": self.acquisition.isoformat(), "injection": self.injection.isoformat(),
                "time_h": self.time_h, "decay": self.decay_note, "scale_to_bqml": self.scale,
                "registration": self.registration,
                "ct_series_uid": None if self.ct is None else self.ct.series_uid,
                **({"calibration": self.calibration} if self.calibration else {})}


def _header(volume: Volume):
    """The first file's header (no pixels), for the date-time values with their UTC offsets."""
    import pydicom

    if not volume.source_files:
        return None
    try:
        return pydicom.dcmread(volume.source_files[0], stop_before_pixels=True)
    except Exception:  # noqa: BLE001 - fall back to the parsed facts
        return None


def _text(ds, keyword) -> str:
    if ds is None:
        return ""
    v = ds.get(keyword, None)
    return "" if v is None else str(v).strip()


def time_point_from_volume(volume: Volume, label: str = "", policy: str = "factor", *,
                           calibration: float | None = None, calibration_date: str = "",
                           acquisition_s: float | None = None) -> TimePoint:
    """A :class:`TimePoint` of a loaded quantitative SPECT/PET volume (see the module docstring).

    ``calibration`` (cps/MBq, with its ``calibration_date``) turns a counts SPECT into Bq/mL over the
    acquisition time (``acquisition_s`` or the header's)."""
    name = label or volume.description or volume.series_uid
    pet = volume.pet
    if pet is None:
        raise DosimetryError(f"{name}: not a PET/SPECT series with an acquisition header")
    units = (volume.units or "").upper()
    counts = units in COUNT_UNITS
    if units != "BQML" and not counts:
        raise DosimetryError(f"{name}: Units (0054,1001) is {volume.units or 'absent'}; dosimetry needs a "
                             "quantitative image in Bq/mL (BQML) or counts with a camera calibration (--calibration)")
    nuc = therapy_nuclide(volume)
    ds = _header(volume)
    cal_info: dict = {}
    if counts:
        calibration, calibration_date, cal_info = _camera_calibration(name, volume, ds, nuc, calibration,
                                                                      calibration_date)
    tz_default = utc_offset_minutes(_text(ds, "TimezoneOffsetFromUTC"))
    warns: list[str] = []
    # acquisition: earliest instance of the parsed facts; its offset from the header
    first = pet.earliest_acquisition()
    acq_text = _text(ds, "AcquisitionDateTime")
    if first is not None:
        acq = first[1]
    elif acq_text:
        acq = parse_dt(acq_text)
    else:
        d, t = parse_da(_text(ds, "AcquisitionDate") or _text(ds, "SeriesDate")), \
            parse_tm(_text(ds, "AcquisitionTime") or _text(ds, "SeriesTime"))
        if d is None or t is None:
            raise DosimetryError(f"{name}: no acquisition date and time (AcquisitionDateTime (0008,002A) or "
                                 "AcquisitionDate/Time (0008,0022)/(0008,0032))")
        acq = _dt.datetime.combine(d, t)
    acq_off = utc_offset_minutes(acq_text) if _dt_has_offset(acq_text) else tz_default
    # injection
    inj_text = ""
    if ds is not None and "RadiopharmaceuticalInformationSequence" in ds and ds.RadiopharmaceuticalInformationSequence:
        inj_text = _text(ds.RadiopharmaceuticalInformationSequence[0], "RadiopharmaceuticalStartDateTime")
    inj = pet.value("radiopharmaceutical_start_datetime")
    if inj is None:
        tm = pet.value("radiopharmaceutical_start_time")
        if tm is None:
            raise DosimetryError(f"{name}: no injection time (RadiopharmaceuticalStartDateTime (0018,1078) or "
                                 "RadiopharmaceuticalStartTime (0018,1072))")
        inj = latest_at_or_before(tm, acq)
        warns.append(f"{name}: injection date taken as the latest day at or before the scan "
                     "(RadiopharmaceuticalStartTime has no date)")
    inj_off = utc_offset_minutes(inj_text) if _dt_has_offset(inj_text) else tz_default
    hours, inj_utc, tw = hours_after_injection(inj, acq, inj_off, acq_off)
    warns += [f"{name}: {w}" for w in tw]
    seconds = hours * 3600.0
    if seconds <= 0:
        raise DosimetryError(f"{name}: the acquisition ({acq.isoformat()}) is not after the injection "
                             f"({inj.isoformat()}); check AcquisitionDateTime and RadiopharmaceuticalStartDateTime")
    # decay policy from the per-instance DecayFactor values (one value expected for a SPECT)
    dfs = sorted(set(round(float(v), 9) for v in pet.instance_values("decay_factor").values()))
    if len(dfs) > 1:
        warns.append(f"{name}: DecayFactor (0054,1321) differs between instances ({dfs[0]:g} to {dfs[-1]:g}); "
                     "the median is used")
    df = float(np.median(dfs)) if dfs else None
    scale, note, dw = decay_scale(pet.value("decay_correction", "") or "", df, seconds, nuc.half_life_s, policy,
                                  injection=inj)
    hl = pet.value("radionuclide_half_life_s")
    if hl and abs(float(hl) / nuc.half_life_s - 1) > 0.01:
        warns.append(f"{name}: RadionuclideHalfLife (0018,1075) {float(hl):g} s differs from {nuc.name}'s "
                     f"{nuc.half_life_s:g} s by more than 1 %; the vocabulary's value is used")
    if counts:
        seconds_acq = acquisition_s if acquisition_s else acquisition_seconds(volume, ds)
        if not seconds_acq:
            raise DosimetryError(f"{name}: the acquisition duration is not in the header (ActualFrameDuration "
                                 "(0018,1242) / RotationInformationSequence (0054,0052)); give it (command line: "
                                 "--acquisition-s SECONDS)")
        scale = 1e6 / (float(calibration) * float(seconds_acq) * volume.geometry.voxel_volume_ml)
        note = (f"counts / ({seconds_acq:g} s x {float(calibration):g} cps/MBq) per voxel volume"
                + (f" (calibration of {calibration_date})" if calibration_date else "")
                + f", {cal_info['source']}")
        dw = []
        cal_info["acquisition_s"] = float(seconds_acq)
        if cal_info.get("measured"):
            dw += _calibration_age_warnings(cal_info, acq.date())
    dose = pet.value("radionuclide_total_dose")
    return TimePoint(volume, name, acq, inj, seconds / 3600.0, float(dose) if dose else None, nuc, scale, note,
                     inj_utc, warns + [f"{name}: {w}" for w in dw], calibration=cal_info)


def camera_of(ds) -> str:
    """The camera of a header: Manufacturer / ManufacturerModelName / DeviceSerialNumber."""
    from workstation.settings.camera_calibration import camera_name

    return camera_name(_text(ds, "Manufacturer"), _text(ds, "ManufacturerModelName"), _text(ds, "DeviceSerialNumber"))


def _camera_calibration(name: str, volume: Volume, ds, nuc: Nuclide, override, override_date: str):
    """(cps/MBq, date, info) for a counts SPECT: the ``--calibration`` override, else the newest factor kept in
    the settings for this camera and nuclide; refused, naming both, when there is none."""
    from workstation.settings.camera_calibration import CalibrationError, find_entry

    camera = camera_of(ds)
    if override:
        return float(override), override_date, {
            "cps_per_mbq": float(override), "measured": override_date, "who": "", "camera": camera,
            "nuclide": nuc.name, "source": "--calibration (override of the settings)"}
    try:
        e = find_entry(camera, nuc.name)
    except CalibrationError as exc:
        raise DosimetryError(f"{name}: {exc}") from None
    if e is None:
        raise DosimetryError(f"{name}: a counts SPECT (Units {volume.units or 'absent'}) needs the camera's calibration "
                             f"factor; none is kept for camera {camera!r} and {nuc.name} (add it: workstation dosimetry "
                             "calibration add, or the Dosimetry calibration settings; or give --calibration CPS_PER_MBQ)")
    return e.cps_per_mbq, e.measured, {"cps_per_mbq": e.cps_per_mbq, "measured": e.measured, "who": e.who,
                                       "camera": e.camera, "nuclide": e.nuclide, "source": "settings"}


def _calibration_age_warnings(info: dict, scan_day: _dt.date) -> list[str]:
    """A factor older than the settings' maximum age at the scan, or measured after the scan, is said."""
    from workstation.settings.camera_calibration import max_age_days

    try:
        measured = _dt.date.fromisoformat(str(info["measured"]))
    except ValueError:
        return [f"calibration date {info['measured']!r} is not YYYY-MM-DD; its age is unknown"]
    age = (scan_day - measured).days
    limit = max_age_days()
    if age > limit:
        return [f"the calibration {info['cps_per_mbq']:g} cps/MBq of camera {info['camera']!r} for {info['nuclide']} "
                f"was measured {measured.isoformat()}, {age} days before the scan (more than {limit} days): "
                "re-measure it"]
    if age < 0:
        return [f"the calibration of camera {info['camera']!r} for {info['nuclide']} was measured "
                f"{measured.isoformat()}, {-age} days after the scan"]
    return []


def acquisition_seconds(volume: Volume, ds=None) -> float | None:
    """Total acquisition time (s) of a SPECT: NM RotationInformationSequence (frames x frame duration per
    rotation, summed), else ActualFrameDuration (0018,1242) of a PT-stored reconstruction; None if absent."""
    ds = ds if ds is not None else _header(volume)
    total = 0.0
    for item in (ds.get("RotationInformationSequence", []) or []) if ds is not None else []:
        n = item.get("NumberOfFramesInRotation", None)
        ms = item.get("ActualFrameDuration", None)
        if n is not None and ms is not None:
            total += float(n) * float(ms) / 1000.0
    if total > 0:
        return total
    pet = volume.pet
    if pet is not None:
        vals = pet.instance_values("actual_frame_duration_ms")
        if vals:
            return float(np.median(list(vals.values()))) / 1000.0
    return None


@dataclass
class Therapy:
    """The time points of one administration, sorted by time after injection."""

    time_points: list[TimePoint]
    nuclide: Nuclide
    injection: _dt.datetime
    administered_bq: float | None

    @property
    def warnings(self) -> list[str]:
        return [w for tp in self.time_points for w in tp.warnings]


def group_by_therapy(time_points: list[TimePoint]) -> list[Therapy]:
    """Therapies (cycles) of one patient's time points, in injection order; refuses mixed patients."""
    if not time_points:
        raise DosimetryError("no time points given")
    ids = {tp.volume.patient.patient_id for tp in time_points}
    if len(ids) > 1:
        raise DosimetryError("the scans belong to different patients (PatientID (0010,0020) differs); "
                             "give the scans of one patient")
    groups: list[list[TimePoint]] = []
    for tp in sorted(time_points, key=lambda p: p.injection_utc or p.injection):
        for g in groups:
            g0 = g[0]
            same_time = abs(((tp.injection_utc or tp.injection) - (g0.injection_utc or g0.injection)).total_seconds()) <= 60
            same_dose = (tp.administered_bq is None or g0.administered_bq is None
                         or abs(tp.administered_bq / g0.administered_bq - 1) <= 0.01)
            if same_time and same_dose and tp.nuclide.name == g0.nuclide.name:
                g.append(tp)
                break
        else:
            groups.append([tp])
    out = []
    for g in groups:
        g.sort(key=lambda p: p.time_h)
        times = [p.time_h for p in g]
        if len(set(round(t, 4) for t in times)) < len(times):
            raise DosimetryError("two scans of one therapy at the same time after injection; give each time point once")
        out.append(Therapy(g, g[0].nuclide, g[0].injection, g[0].administered_bq))
    return out
