"""Camera calibration factors for quantitative SPECT, kept per camera and nuclide with their date.

A SPECT reconstructed in counts becomes Bq/mL through the sensitivity S (cps/MBq) measured for that
camera, that nuclide (and its energy windows and collimator) on a given day. Each measurement is one
entry ``{camera, nuclide, cps_per_mbq, measured (YYYY-MM-DD), who, note}``; a camera is named as its
headers name it: Manufacturer (0008,0070), ManufacturerModelName (0008,1090) and DeviceSerialNumber
(0018,1000), joined with `` / ``. The newest measurement for a camera and nuclide is the one used;
older ones stay as its history.

Stored as one JSON file, ``camera_calibration.json``, in the user's data folder (``settings.paths``),
written atomically: ``{"max_age_days": 365, "entries": [...]}``. ``max_age_days`` is the age after which
a factor is still used but warned about (a yearly re-measurement is the usual QA interval). A damaged
file is an error naming the file (a calibration must never silently vanish), unlike the viewer's
preferences.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from workstation.settings.paths import data_dir

__all__ = ["CalibrationEntry", "CalibrationError", "camera_name", "calibration_path", "load_store", "add_entry",
           "entries", "find_entry", "max_age_days", "set_max_age_days", "entry_age_days", "DEFAULT_MAX_AGE_DAYS"]

FILE_NAME = "camera_calibration.json"
DEFAULT_MAX_AGE_DAYS = 365


class CalibrationError(ValueError):
    """A calibration entry or store that cannot be used (one line, naming the field or the file)."""


@dataclass(frozen=True)
class CalibrationEntry:
    camera: str  # "Manufacturer / ManufacturerModelName / DeviceSerialNumber"
    nuclide: str  # vocabulary name, e.g. "Lu-177"
    cps_per_mbq: float
    measured: str  # YYYY-MM-DD
    who: str = ""
    note: str = ""

    @property
    def measured_date(self) -> _dt.date:
        return _dt.date.fromisoformat(self.measured)

    def to_dict(self) -> dict:
        return asdict(self)


def camera_name(manufacturer, model, serial) -> str:
    """The camera's name from its three header values (an absent value is written as '?')."""
    parts = [str(v).strip() if v is not None and str(v).strip() else "?" for v in (manufacturer, model, serial)]
    return " / ".join(parts)


def _same_camera(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def calibration_path() -> Path:
    return data_dir() / FILE_NAME


def load_store() -> dict:
    """The stored calibrations ({"max_age_days", "entries"}); an absent file is an empty store."""
    p = calibration_path()
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"max_age_days": DEFAULT_MAX_AGE_DAYS, "entries": []}
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"{p}: the camera calibration file cannot be read ({type(exc).__name__}); "
                               "repair or remove it") from None
    if not isinstance(value, dict) or not isinstance(value.get("entries", []), list):
        raise CalibrationError(f"{p}: not a camera calibration file (expected an object with 'entries')")
    value.setdefault("max_age_days", DEFAULT_MAX_AGE_DAYS)
    value.setdefault("entries", [])
    return value


def _save_store(store: dict) -> None:
    p = calibration_path()
    tmp = p.with_name(f".{p.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(store, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, p)


def _entry(d: dict) -> CalibrationEntry:
    try:
        return CalibrationEntry(str(d["camera"]), str(d["nuclide"]), float(d["cps_per_mbq"]), str(d["measured"]),
                                str(d.get("who", "")), str(d.get("note", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise CalibrationError(f"{calibration_path()}: a damaged entry ({exc})") from None


def entries() -> list[CalibrationEntry]:
    """Every stored measurement, newest first."""
    out = [_entry(d) for d in load_store()["entries"]]
    return sorted(out, key=lambda e: e.measured, reverse=True)


def _validate(camera: str, nuclide: str, cps_per_mbq: float, measured: str) -> None:
    if not camera.strip() or camera.replace("/", "").replace("?", "").strip() == "":
        raise CalibrationError("camera: give Manufacturer / ManufacturerModelName / DeviceSerialNumber")
    from workstation.core.vocabulary import NUCLIDES

    if nuclide not in NUCLIDES:
        raise CalibrationError(f"nuclide {nuclide!r}: choose one of {', '.join(sorted(NUCLIDES))}")
    if not (isinstance(cps_per_mbq, (int, float)) and math.isfinite(cps_per_mbq) and cps_per_mbq > 0):
        raise CalibrationError(f"cps/MBq must be a positive number, got {cps_per_mbq!r}")
    try:
        day = _dt.date.fromisoformat(measured)
    except (TypeError, ValueError):
        raise CalibrationError(f"date measured {measured!r}: write it as YYYY-MM-DD") from None
    if day > _dt.date.today():
        raise CalibrationError(f"date measured {measured}: lies in the future")


def add_entry(camera: str, nuclide: str, cps_per_mbq: float, measured: str, who: str = "",
              note: str = "") -> CalibrationEntry:
    """Store one measurement (checked); the same camera, nuclide and day replaces the earlier value."""
    _validate(camera, nuclide, cps_per_mbq, measured)
    e = CalibrationEntry(" / ".join(p.strip() for p in camera.split("/")), nuclide, float(cps_per_mbq), measured,
                         who.strip(), note.strip())
    store = load_store()
    kept = [d for d in store["entries"]
            if not (_same_camera(str(d.get("camera", "")), e.camera) and d.get("nuclide") == nuclide
                    and d.get("measured") == measured)]
    store["entries"] = kept + [e.to_dict()]
    _save_store(store)
    return e


def find_entry(camera: str, nuclide: str) -> CalibrationEntry | None:
    """The newest measurement for this camera and nuclide, or None."""
    hits = [e for e in entries() if _same_camera(e.camera, camera) and e.nuclide == nuclide]
    return hits[0] if hits else None


def max_age_days() -> int:
    v = load_store().get("max_age_days", DEFAULT_MAX_AGE_DAYS)
    try:
        return int(v)
    except (TypeError, ValueError):
        return DEFAULT_MAX_AGE_DAYS


def set_max_age_days(days: int) -> None:
    if not (isinstance(days, int) and days > 0):
        raise CalibrationError(f"maximum age must be a positive number of days, got {days!r}")
    store = load_store()
    store["max_age_days"] = days
    _save_store(store)


def entry_age_days(entry: CalibrationEntry, on: _dt.date) -> int:
    """Days from the measurement to ``on`` (the scan date)."""
    return (on - entry.measured_date).days
