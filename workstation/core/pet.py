"""PET acquisition facts: the header values SUV needs, each with where it came from.

A PET series stores activity concentration (or counts, or an SUV the scanner already computed).
Turning it into SUV needs a handful of header facts: units, decay correction, the injected dose
and its time, the half-life, the patient's weight (height and sex for lean-body-mass and
body-surface variants), the time the scan is decay-corrected to, and a few vendor private
values. :class:`PetAcquisition` holds those facts as read, *not* yet interpreted: each is a
:class:`Fact` — a value together with its source, the DICOM keyword and ``(gggg,eeee)`` tag it
was read from, or ``"derived"`` with a note saying from what. Interpretation (which reference
time applies, whether a dose looks like MBq, midnight rollover, ...) is the job of
``workstation.analysis.suv.factor``, which turns these facts into a factor and a provenance trail.

Facts that can differ between the instances of one series (acquisition time, frame reference
time, frame duration, decay factor, the Philips private scale factors) are kept per instance,
keyed by SOPInstanceUID, in :class:`InstanceFacts`.

Units of the stored values: dose as written in (0018,1074) (should be Bq; not corrected here),
half-life in s, weight in kg, size in m (as written), frame times in ms. Dates, times and
date-times are naive ``datetime.date``/``time``/``datetime`` objects (clock time as written).

This module imports the standard library only. It holds no patient name, ID or birth date.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Fact", "InstanceFacts", "PetAcquisition", "json_value"]

DERIVED = "derived"


def json_value(value: Any) -> Any:
    """A fact value in a JSON-serialisable form (ISO strings for dates/times, lists for tuples)."""
    if isinstance(value, (_dt.date, _dt.time, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:  # numpy scalars and similar
        return value.item()
    except AttributeError:
        return str(value)


@dataclass(frozen=True)
class Fact:
    """One header value and its source.

    ``keyword`` is the DICOM keyword (or a descriptive name for private tags, e.g.
    ``"Philips SUVScaleFactor"``) or ``"derived"``; ``tag`` is ``"(gggg,eeee)"`` (empty for
    derived facts); ``note`` says how a derived value was obtained.
    """

    value: Any
    keyword: str = DERIVED
    tag: str = ""
    unit: str = ""
    note: str = ""

    @property
    def source(self) -> str:
        """``"PatientWeight (0010,1030)"``, or ``"derived"`` (+ note)."""
        if self.keyword == DERIVED:
            return DERIVED + (f" ({self.note})" if self.note else "")
        return f"{self.keyword} {self.tag}" if self.tag else self.keyword

    @property
    def is_derived(self) -> bool:
        return self.keyword == DERIVED

    def to_dict(self) -> dict:
        d = {"value": json_value(self.value), "unit": self.unit, "source": self.source}
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class InstanceFacts:
    """Facts that may differ per instance (one image / frame of the series)."""

    sop_instance_uid: str
    acquisition_datetime: Fact | None = None  # naive datetime
    frame_reference_time_ms: Fact | None = None  # (0054,1300), ms
    actual_frame_duration_ms: Fact | None = None  # (0018,1242), ms
    decay_factor: Fact | None = None  # (0054,1321)
    philips_suv_scale_factor: Fact | None = None  # (7053,1000)
    philips_activity_concentration_scale_factor: Fact | None = None  # (7053,1009)

    def to_dict(self) -> dict:
        out: dict = {"sop_instance_uid": self.sop_instance_uid}
        for f in fields(self):
            if f.name == "sop_instance_uid":
                continue
            v = getattr(self, f.name)
            out[f.name] = None if v is None else v.to_dict()
        return out


@dataclass
class PetAcquisition:
    """The header facts of one PET series needed for SUV (see the module docstring).

    Every field except ``instances``/``warnings``/``series_instance_uid``/``n_instances`` is a
    :class:`Fact` or ``None`` when the header does not have it.
    """

    series_instance_uid: str = ""
    n_instances: int = 0
    manufacturer: Fact | None = None  # (0008,0070)
    modality: Fact | None = None  # (0008,0060)
    units: Fact | None = None  # (0054,1001) BQML, CNTS, GML, CM2ML, ...
    suv_type: Fact | None = None  # (0054,1006) BW, BSA, LBM, LBMJAMES128, LBMJANMA, IBW
    decay_correction: Fact | None = None  # (0054,1102) START, ADMIN, NONE
    corrected_image: Fact | None = None  # (0028,0051) tuple of str
    series_date: Fact | None = None  # (0008,0021) date
    series_time: Fact | None = None  # (0008,0031) time
    radiopharmaceutical: Fact | None = None  # (0018,0031) free text
    radiopharmaceutical_start_datetime: Fact | None = None  # (0018,1078) datetime
    radiopharmaceutical_start_time: Fact | None = None  # (0018,1072) time
    radionuclide_total_dose: Fact | None = None  # (0018,1074) as written (should be Bq)
    radionuclide_half_life_s: Fact | None = None  # (0018,1075) s
    radionuclide_code: Fact | None = None  # (0054,0300) value (code value, scheme, meaning)
    patient_weight_kg: Fact | None = None  # (0010,1030)
    patient_size_m: Fact | None = None  # (0010,1020)
    patient_sex: Fact | None = None  # (0010,0040) M, F, O
    ge_scan_datetime: Fact | None = None  # (0009,100D) GEMS_PETD_01 private scan date-time
    instances: dict[str, InstanceFacts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ helpers
    def value(self, name: str, default: Any = None) -> Any:
        """The value of fact ``name`` or ``default`` when absent."""
        f = getattr(self, name)
        return default if f is None else f.value

    @property
    def series_datetime(self) -> _dt.datetime | None:
        d, t = self.value("series_date"), self.value("series_time")
        if d is None or t is None:
            return None
        return _dt.datetime.combine(d, t)

    def acquisition_datetimes(self) -> dict[str, _dt.datetime]:
        """Per-instance acquisition date-time (instances without one are left out)."""
        return {
            uid: inst.acquisition_datetime.value
            for uid, inst in self.instances.items()
            if inst.acquisition_datetime is not None and inst.acquisition_datetime.value is not None
        }

    def earliest_acquisition(self) -> tuple[str, _dt.datetime] | None:
        """(SOPInstanceUID, datetime) of the earliest acquisition in the series, or None."""
        times = self.acquisition_datetimes()
        if not times:
            return None
        uid = min(times, key=lambda u: (times[u], u))
        return uid, times[uid]

    def instance_values(self, name: str) -> dict[str, Any]:
        """Per-instance values of InstanceFacts field ``name`` (absent ones left out)."""
        out = {}
        for uid, inst in self.instances.items():
            f = getattr(inst, name)
            if f is not None and f.value is not None:
                out[uid] = f.value
        return out

    def to_dict(self) -> dict:
        out: dict = {"series_instance_uid": self.series_instance_uid, "n_instances": self.n_instances}
        for f in fields(self):
            if f.name in ("series_instance_uid", "n_instances", "instances", "warnings"):
                continue
            v = getattr(self, f.name)
            out[f.name] = None if v is None else v.to_dict()
        out["instances"] = {uid: inst.to_dict() for uid, inst in self.instances.items()}
        out["warnings"] = list(self.warnings)
        return out
