"""QA use cases on a DICOM PET series: load, find the image's reference time and the scanner, analyse, store.

Shared by the ``workstation qa`` commands and the viewer's QA panel, so both give the same
numbers. The image's reference time (what its pixel values are decay-corrected to) is the series
date/time for DecayCorrection START (the usual case) and the injection time for ADMIN; the
scanner's identity (manufacturer, model, station name, device serial number) is read from the
first file's header. Nothing here reads or logs patient identity.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from workstation.analysis.qa.nema_iq import Fill, NemaIqResult, analyse_nema_iq
from workstation.analysis.qa.uniformity import UniformityResult, analyse_uniformity


@dataclass
class QaContext:
    """What a QA result needs besides the numbers: which series, which scanner, when."""

    series_dir: str
    series_uid: str
    units: str
    scanner: dict
    reference_datetime: _dt.datetime | None
    reference_note: str
    description: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"series_dir": self.series_dir, "series_uid": self.series_uid, "units": self.units,
                "scanner": dict(self.scanner),
                "reference_datetime": self.reference_datetime.isoformat() if self.reference_datetime else None,
                "reference_note": self.reference_note, "description": self.description}


def _scanner(files) -> dict:
    import pydicom

    if not files:
        return {}
    ds = pydicom.dcmread(files[0], stop_before_pixels=True)
    return {"manufacturer": str(ds.get("Manufacturer", "") or ""), "model": str(ds.get("ManufacturerModelName", "") or ""),
            "station_name": str(ds.get("StationName", "") or ""),
            "device_serial": str(ds.get("DeviceSerialNumber", "") or ""),
            "institution": str(ds.get("InstitutionName", "") or "")}


def reference_time(volume) -> tuple[_dt.datetime | None, str]:
    """The time the image's values refer to, and how it was found."""
    from workstation.io.dicom_time import combine

    acq = volume.pet
    if acq is None:
        return None, "no PET header: reference time unknown"
    dc = str(acq.value("decay_correction") or "").upper()
    if dc == "ADMIN":
        inj = acq.value("radiopharmaceutical_start_datetime")
        if inj is not None:
            return inj, "DecayCorrection ADMIN: values refer to the injection time (0018,1078)"
    d, t = acq.value("series_date"), acq.value("series_time")
    if d is not None and t is not None:
        note = "series date/time (0008,0021)/(0008,0031)"
        if dc not in ("START", ""):
            note += f"; DecayCorrection is {dc}, not START: check the fill's reference time"
        return combine(d, t), note
    return None, "no SeriesDate/SeriesTime: reference time unknown"


def half_life(volume) -> tuple[float, str]:
    """The half-life (s) to decay a fill with, and where it came from: the series' RadionuclideHalfLife
    (0018,1075), else the nuclide of its RadionuclideCodeSequence (0054,0300) in the vocabulary, else F-18."""
    from workstation.core import vocabulary as vocab

    acq = getattr(volume, "pet", None)
    if acq is not None:
        h = acq.value("radionuclide_half_life_s")
        if h is not None and float(h) > 0:
            return float(h), "RadionuclideHalfLife (0018,1075)"
        n = vocab.nuclide_from_code(acq.value("radionuclide_code"))
        if n is not None:
            return n.half_life_s, f"{n.name} from RadionuclideCodeSequence (0054,0300)"
    f18 = vocab.NUCLIDES["F-18"]
    return f18.half_life_s, f"no nuclide in the header: {f18.name} assumed"


def load_context(series_dir, series_uid: str | None = None, progress=None):
    """``(volume, QaContext)`` of the one PET series below ``series_dir``."""
    from workstation.io.loader import load_pet_folder

    vol = load_pet_folder(str(series_dir), series_uid=series_uid, progress=progress)
    when, note = reference_time(vol)
    ctx = QaContext(str(Path(series_dir)), vol.series_uid, vol.units or "", _scanner(vol.source_files), when, note,
                    vol.description, list(vol.warnings))
    return vol, ctx


def context_from_volume(volume, series_dir: str = "") -> QaContext:
    """The QaContext of a Volume already loaded (the viewer's PET): scanner from its header facts."""
    info = volume.info or {}
    when, note = reference_time(volume)
    scanner = {"manufacturer": str(info.get("Manufacturer", "") or ""),
               "model": str(info.get("ManufacturerModelName", "") or ""),
               "institution": str(info.get("InstitutionName", "") or "")}
    if volume.source_files and not series_dir:
        series_dir = str(Path(volume.source_files[0]).parent)
    return QaContext(series_dir, volume.series_uid, volume.units or "", scanner, when, note, volume.description,
                     list(volume.warnings))


def nema_iq_series(series_dir, fill: Fill, *, edition: str = "auto", centres=None, series_uid=None,
                   progress=None) -> tuple[NemaIqResult, QaContext]:
    vol, ctx = load_context(series_dir, series_uid)
    res = analyse_nema_iq(vol.array, vol.geometry, fill, units=ctx.units, scan_datetime=ctx.reference_datetime,
                          edition=edition, centres=centres, progress=progress)
    res.warnings[:0] = ctx.warnings
    return res, ctx


def uniformity_series(series_dir, suv_type: str = "bw", overrides=None, series_uid=None, progress=None):
    """``(UniformityResult, QaContext, SuvResult)``: the uniform cylinder in SUV from the series' own factors."""
    vol, ctx = load_context(series_dir, series_uid)
    res, suv = uniformity_volume(vol, suv_type, overrides, progress=progress)
    res.warnings[:0] = ctx.warnings
    return res, ctx, suv


def uniformity_volume(volume, suv_type: str = "bw", overrides=None, progress=None):
    """``(UniformityResult, SuvResult)`` of a PET Volume already loaded (the viewer's), in SUV from its own factors."""
    from workstation.analysis.suv.factor import compute_suv
    from workstation.analysis.suv.apply import suv_array

    suv = compute_suv(volume.pet, suv_type, overrides)
    res = analyse_uniformity(suv_array(volume, suv), volume.geometry, units=suv.units, progress=progress)
    res.warnings[:0] = list(suv.warnings)
    return res, suv


def nema_summary(res: NemaIqResult) -> dict:
    """Headline numbers of a NEMA IQ result, for the trend table."""
    out = {"background_mean": res.background_mean, "background_cov": res.background_cov,
           "lung_residual": res.lung_residual_percent, "earl1_pass": res.earl_pass("EARL1"),
           "earl2_pass": res.earl_pass("EARL2"), "calibration_ratio": res.calibration_ratio}
    for s in res.spheres:
        d = f"{s.diameter_mm:g}"
        for key in ("rc_max", "rc_a50", "rc_peak", "contrast_hot", "contrast_cold"):
            v = getattr(s, key)
            if v is not None:
                out[f"{key}_{d}"] = v
        out[f"variability_{d}"] = res.variability[s.diameter_mm]["n_percent"]
    return out


def uniformity_summary(res: UniformityResult) -> dict:
    return {"mean": res.mean, "deviation_percent": res.deviation_percent,
            "max_slice_deviation_percent": res.max_slice_deviation_percent,
            "max_slice_cov": max(res.slice_cov) if res.slice_cov else None}


def store(db, kind: str, ctx: QaContext, summary: dict, result: dict, passed: bool | None) -> int:
    """Store a QA result in the study database (``db``: a StudyDB, a path, or None for the default)."""
    from workstation.io.db import StudyDB

    own = not isinstance(db, StudyDB)
    handle = StudyDB(db) if own else db
    try:
        return handle.save_qa_result(kind, ctx.scanner,
                                     acquired=ctx.reference_datetime.isoformat() if ctx.reference_datetime else None,
                                     series_uid=ctx.series_uid, passed=passed, summary=summary, result=result)
    finally:
        if own:
            handle.close()
