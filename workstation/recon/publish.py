"""Publishing a reconstruction: from a validated result volume to a PET series in the patient's study.

A plugin hands back activity concentration (Bq/mL) on a grid in scanner = patient coordinates.
To enter the normal data flow it must become a DICOM PET series that any reader (ours included)
can turn into SUV, in the same study and frame of reference as the CT it was attenuation-corrected
with:

* **Study context** comes from the CT (:func:`study_from_ct`): StudyInstanceUID,
  FrameOfReferenceUID, patient identity, study date/time, accession number and description, and
  the patient's weight / size if the CT header has them.
* **SUV facts** (:class:`SuvFacts`): injected dose, injection date-time, patient weight, the
  acquisition start (the series reference time) and the half-life. Each comes with its source,
  and several sources are merged field by field, the first that has a value winning
  (:meth:`SuvFacts.merge`): explicit user values, then the study's PET series headers
  (:func:`facts_from_pet_series`), then the CT header, then the PETSIRD exam header that the
  plugin reports in its provenance (:func:`facts_from_exam`).
* **Decay correction**: a list-mode reconstruction estimates the *mean* activity over the
  acquisition ``[t0, t0 + T]``. The series is written with DecayCorrection START, so the values
  are multiplied by ``lambda T / (1 - exp(-lambda T))`` (the same factor
  :func:`workstation.io.dicom_write.decay_factor` writes as DecayFactor), which refers them to
  ``t0``. Units BQML, CorrectedImage includes DECY and ATTN (ATTN only when an attenuation map
  was used; without it SUV is refused downstream, as it should be).

:func:`publish_result` writes the series with :func:`workstation.io.dicom_write.write_series`
and imports it into the study database. Nothing here logs patient identity.

Without a CT (a phantom, or raw data whose study is not here), :func:`publish_standalone` writes
the result as a PET series of **its own new study** (new Study and Frame of Reference UIDs, no
patient identity), with the SUV headers the facts allow: dose and injection time when known,
otherwise Units BQML alone (SUV is then refused downstream, naming the missing tag). The decay
correction to the acquisition start is applied as above; when the acquisition start is unknown
the series time is the time of writing and the result says so.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from workstation.core.volume import PatientInfo, Volume
from workstation.core import vocabulary as vocab

__all__ = [
    "PublishError",
    "PublishedSeries",
    "SuvFacts",
    "decay_to_start_factor",
    "facts_from_exam",
    "facts_from_pet_series",
    "publish_result",
    "publish_standalone",
    "study_from_ct",
    "write_recon_series",
]

F18_HALF_LIFE_S = vocab.F18_HALF_LIFE_S
RECON_SERIES_NUMBER = 901

class PublishError(ValueError):
    """The result cannot be written as a trustworthy PET series (the message says what to give).

    ``fields``: the SUV facts (names of :class:`SuvFacts` fields) that are missing or wrong; the
    CLI names its options for them, the reconstruction panel its form fields.
    """

    def __init__(self, message: str, *, fields: tuple[str, ...] = ()):
        super().__init__(message)
        self.fields = tuple(fields)
        self.field = self.fields[0] if self.fields else None


def _what(name: str) -> str:
    return vocab.INPUT_FIELDS.get(name, name.replace("_", " "))


def parse_datetime(value, what: str, name: str | None = None) -> _dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=None)
    text = str(value).strip()
    try:
        return _dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    from workstation.io.dicom_time import DicomTimeError, parse_dt

    try:
        parsed = parse_dt(text)
    except DicomTimeError:
        parsed = None
    if parsed is None:
        raise PublishError(f"{what}: {text!r} is not a date-time (use YYYYMMDDHHMMSS or YYYY-MM-DDTHH:MM:SS)",
                           fields=(name,) if name else ())
    return parsed.replace(tzinfo=None)


@dataclass(frozen=True)
class SuvFacts:
    """What SUV needs besides the pixels, each value with where it came from (``sources``)."""

    injected_dose_bq: float | None = None
    injection_datetime: _dt.datetime | None = None
    weight_kg: float | None = None
    height_m: float | None = None
    acquisition_start: _dt.datetime | None = None
    half_life_s: float | None = None
    radionuclide: str | None = None
    sources: dict = field(default_factory=dict)

    @classmethod
    def given(cls, source: str, **values) -> "SuvFacts":
        """Facts from one source; None values are left out. Numbers are checked."""
        clean: dict[str, Any] = {}
        for k, v in values.items():
            if v is None or v == "":
                continue
            if k in ("injection_datetime", "acquisition_start"):
                v = parse_datetime(v, f"{source}: {_what(k)}", k)
            elif k != "radionuclide":
                try:
                    v = float(v)
                except (TypeError, ValueError):
                    raise PublishError(f"{source}: {_what(k)} {v!r} is not a number", fields=(k,)) from None
                if not (math.isfinite(v) and v > 0):
                    raise PublishError(f"{source}: {_what(k)} must be a positive number, got {v!r}", fields=(k,))
            clean[k] = v
        return cls(**clean, sources={k: source for k in clean})

    def merge(self, *others: "SuvFacts") -> "SuvFacts":
        """Field by field, the first value present in ``self, *others``."""
        out, src = {}, dict(self.sources)
        for f in fields(self):
            if f.name == "sources":
                continue
            v = getattr(self, f.name)
            for o in others:
                if v is not None:
                    break
                v = getattr(o, f.name)
                if v is not None:
                    src[f.name] = o.sources.get(f.name, "?")
            out[f.name] = v
        return SuvFacts(**out, sources=src)

    def missing(self) -> list[str]:
        need = ("injected_dose_bq", "injection_datetime", "acquisition_start")
        return [n for n in need if getattr(self, n) is None]

    def to_dict(self) -> dict:
        d = {}
        for f in fields(self):
            if f.name == "sources":
                continue
            v = getattr(self, f.name)
            d[f.name] = {"value": v.isoformat() if isinstance(v, _dt.datetime) else v,
                         "source": self.sources.get(f.name)}
        return d


def facts_from_exam(exam: dict | None, source: str = "PETSIRD exam information") -> SuvFacts:
    """Facts reported by a plugin from the raw data's header (``provenance['exam']``)."""
    exam = exam or {}
    return SuvFacts.given(source, injected_dose_bq=exam.get("injected_dose_bq"),
                          injection_datetime=exam.get("injection_datetime"), weight_kg=exam.get("weight_kg"),
                          height_m=exam.get("height_m"), acquisition_start=exam.get("acquisition_start"))


def facts_from_pet_series(folder) -> SuvFacts:
    """Facts from the headers of the one PET series below ``folder`` (the study's scanner PET)."""
    import pydicom

    from workstation.io.dicom_time import combine, latest_at_or_before
    from workstation.io.series import find_pet_series
    from workstation.io.pet_header import read_pet_acquisition

    series = find_pet_series(folder)
    acq = read_pet_acquisition([pydicom.dcmread(series.files[0], stop_before_pixels=True)])
    src = f"study PET series ({Path(series.files[0]).name})"
    inj = acq.value("radiopharmaceutical_start_datetime")
    sdate, stime = acq.value("series_date"), acq.value("series_time")
    start = combine(sdate, stime) if (sdate is not None and stime is not None) else None
    if inj is None and acq.value("radiopharmaceutical_start_time") is not None and start is not None:
        inj = latest_at_or_before(acq.value("radiopharmaceutical_start_time"), start)  # midnight rollover
    half = acq.value("radionuclide_half_life_s")
    return SuvFacts.given(src, injected_dose_bq=acq.value("radionuclide_total_dose"), injection_datetime=inj,
                          weight_kg=acq.value("patient_weight_kg"), height_m=acq.value("patient_size_m"),
                          acquisition_start=start, half_life_s=half)


def study_from_ct(ct: Volume):
    """``(StudyInfo, SuvFacts)`` of the CT's study: UIDs, patient, dates, and weight/size if written."""
    import pydicom

    from workstation.io import dicom_text
    from workstation.io.dicom_time import combine, parse_da, parse_tm
    from workstation.io.dicom_write import StudyInfo

    if not ct.study_uid or not ct.frame_of_reference_uid:
        raise PublishError("the CT has no StudyInstanceUID or FrameOfReferenceUID; the reconstruction cannot be "
                           "placed in its study (load the CT from DICOM)")
    ds = pydicom.dcmread(ct.source_files[0], stop_before_pixels=True) if ct.source_files else pydicom.Dataset()
    d, t = parse_da(ds.get("StudyDate", "") or None), parse_tm(ds.get("StudyTime", "") or None)
    study_dt = combine(d, t) if (d is not None and t is not None) else (
        _dt.datetime.combine(d, _dt.time()) if d is not None else _dt.datetime(1900, 1, 1))

    def num(keyword):
        try:
            v = float(ds.get(keyword, "") or "nan")
        except (TypeError, ValueError):
            return None
        return v if math.isfinite(v) and v > 0 else None

    info = StudyInfo(patient=ct.patient or PatientInfo(), patient_weight_kg=num("PatientWeight"),
                     patient_size_m=num("PatientSize"), patient_age=str(ds.get("PatientAge", "") or ""),
                     study_datetime=study_dt, study_uid=ct.study_uid,
                     frame_of_reference_uid=ct.frame_of_reference_uid,
                     study_id=str(ds.get("StudyID", "") or ""),
                     accession_number=str(ds.get("AccessionNumber", "") or ""),
                     study_description=dicom_text.text(ds, "StudyDescription"),
                     institution_name=dicom_text.text(ds, "InstitutionName"),
                     patient_position=str(ds.get("PatientPosition", "") or "HFS"))
    facts = SuvFacts.given("CT header", weight_kg=info.patient_weight_kg, height_m=info.patient_size_m)
    return info, facts


def decay_to_start_factor(duration_s: float, half_life_s: float) -> float:
    """Mean activity over ``[0, T]`` -> activity at 0: ``lambda T / (1 - exp(-lambda T))``."""
    lam = math.log(2.0) / half_life_s
    x = lam * duration_s
    return 1.0 if x == 0 else x / -math.expm1(-x)


@dataclass
class PublishedSeries:
    series_dir: Path
    paths: list[Path]
    series_uid: str
    study_uid: str
    frame_of_reference_uid: str
    decay_factor: float
    facts: SuvFacts
    imported: Any = None  # workstation.io.db.ImportSummary when imported
    db_path: Path | None = None
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"series_dir": str(self.series_dir), "files": len(self.paths), "series_uid": self.series_uid,
                "study_uid": self.study_uid, "frame_of_reference_uid": self.frame_of_reference_uid,
                "decay_to_start_factor": self.decay_factor, "suv_facts": self.facts.to_dict(),
                "imported": self.imported.text() if self.imported is not None else None,
                "db": str(self.db_path) if self.db_path else None, "notes": list(self.notes)}


def write_recon_series(volume: Volume, out_dir, study, facts: SuvFacts, *, frame_duration_s: float,
                       attenuation_corrected: bool = True, description: str = "",
                       series_number: int = RECON_SERIES_NUMBER, reconstruction_method: str = "LM-OSEM",
                       overwrite: bool = False) -> PublishedSeries:
    """Write ``volume`` (mean Bq/mL over the acquisition) as a PT series of ``study``; see the module docstring."""
    from workstation.io.dicom_write import PetHeader, write_series

    missing = facts.missing()
    if missing:
        raise PublishError("cannot write a PET series with SUV headers: missing "
                           + ", ".join(_what(m) for m in missing)
                           + "; give them, or the study's PET series to read them from", fields=tuple(missing))
    if not (frame_duration_s > 0 and math.isfinite(frame_duration_s)):
        raise PublishError(f"acquisition duration {frame_duration_s!r} s is not positive; cannot decay-correct")
    if facts.acquisition_start < facts.injection_datetime:
        raise PublishError(f"acquisition start {facts.acquisition_start.isoformat()} is before the injection "
                           f"{facts.injection_datetime.isoformat()}; check the injection time and the acquisition "
                           "start", fields=("injection_datetime", "acquisition_start"))
    if volume.units and volume.units != "BQML":
        raise PublishError(f"result units are {volume.units!r}; only Bq/mL (BQML) results are published")
    half = facts.half_life_s or F18_HALF_LIFE_S
    if facts.half_life_s is None:
        facts = replace(facts, half_life_s=half, sources={**facts.sources, "half_life_s": "default (F-18)"})
    f = decay_to_start_factor(frame_duration_s, half)
    corrected = ("DECY", "ATTN", "RAN", "NORM") if attenuation_corrected else ("DECY", "RAN", "NORM")
    study = replace(study, patient_weight_kg=facts.weight_kg, patient_size_m=facts.height_m,
                    manufacturer="workstation", model_name="reconstruction plugin")
    pet = PetHeader(injected_dose_bq=float(facts.injected_dose_bq), injection_datetime=facts.injection_datetime,
                    series_datetime=facts.acquisition_start, half_life_s=half, frame_duration_s=frame_duration_s,
                    corrected_image=corrected, reconstruction_method=reconstruction_method[:64],
                    attenuation_correction_method="CT" if attenuation_corrected else "NONE",
                    scatter_correction_method="NONE", series_type=("STATIC", "IMAGE"))
    arr = np.asarray(volume.array, dtype=np.float64) * f
    out = Volume(arr, volume.geometry, modality="PT", units="BQML", patient=study.patient)
    out_dir = Path(out_dir)
    paths = write_series(out, out_dir, modality="PT", series_number=series_number,
                         description=(description or volume.description or "Reconstruction")[:64], study=study,
                         pet=pet, overwrite=overwrite)
    import pydicom

    uid = str(pydicom.dcmread(paths[0], stop_before_pixels=True).SeriesInstanceUID)
    return PublishedSeries(out_dir, paths, uid, study.study_uid, study.frame_of_reference_uid, f, facts)


def publish_result(volume: Volume, out_dir, ct: Volume, *, facts: SuvFacts | None = None,
                   study_pet_dir=None, db=None, import_to_db: bool = True, overwrite: bool = False,
                   series_number: int = RECON_SERIES_NUMBER, progress=None) -> PublishedSeries:
    """Write a host result as a PT series in the CT's study and import it into the study database.

    ``facts`` are the user's explicit values (they win); the study PET (``study_pet_dir``), the CT
    header and the plugin's PETSIRD exam facts (``volume.info['provenance']['exam']``) fill in the
    rest. ``db`` is a :class:`workstation.io.db.StudyDB`, a database path, or None for the default.
    """
    study, ct_facts = study_from_ct(ct)
    prov = (volume.info or {}).get("provenance", {}) or {}
    merged = (facts or SuvFacts()).merge(
        *([facts_from_pet_series(study_pet_dir)] if study_pet_dir else []), ct_facts,
        facts_from_exam(prov.get("exam")))
    duration = prov.get("duration_s")
    if duration is None:
        raise PublishError("the plugin did not report the acquisition duration (provenance 'duration_s'); "
                           "cannot decay-correct the result")
    attn = bool(prov.get("attenuation", True))
    params = prov.get("parameters", {}) or {}
    method = str(volume.description or "")
    if params.get("post_filter_fwhm"):
        method += f" {params['post_filter_fwhm']:g}mm"
    pub = write_recon_series(volume, out_dir, study, merged, frame_duration_s=float(duration),
                             attenuation_corrected=attn, description=volume.description, series_number=series_number,
                             reconstruction_method=method or "reconstruction plugin", overwrite=overwrite)
    if import_to_db:
        _import_published(pub, db, progress)
    return pub


def _import_published(pub: PublishedSeries, db, progress=None) -> None:
    """Index the written series in the study database (``db``: a StudyDB, a path, or None for the user's)."""
    from workstation.io.db import StudyDB

    own = not isinstance(db, StudyDB)
    handle = StudyDB(db) if own else db
    try:
        pub.imported = handle.import_paths([str(pub.series_dir)], progress=progress, workers=1)
        pub.db_path = handle.path
    finally:
        if own:
            handle.close()


def publish_standalone(volume: Volume, out_dir, *, facts: SuvFacts | None = None, db=None,
                       import_to_db: bool = True, overwrite: bool = False,
                       series_number: int = RECON_SERIES_NUMBER, study_description: str = "Reconstruction",
                       progress=None) -> PublishedSeries:
    """Write a host result as a PT series of a new study (no CT); see the module docstring."""
    from workstation.io.dicom_write import PetHeader, StudyInfo, write_series

    prov = (volume.info or {}).get("provenance", {}) or {}
    merged = (facts or SuvFacts()).merge(facts_from_exam(prov.get("exam")))
    duration = prov.get("duration_s")
    if duration is None or not (float(duration) > 0 and math.isfinite(float(duration))):
        raise PublishError("the plugin did not report the acquisition duration (provenance 'duration_s'); "
                           "cannot decay-correct the result")
    duration = float(duration)
    if volume.units and volume.units != "BQML":
        raise PublishError(f"result units are {volume.units!r}; only Bq/mL (BQML) results are published")
    notes = []
    start = merged.acquisition_start
    if start is None:
        start = _dt.datetime.now().replace(microsecond=0)
        notes.append("acquisition start unknown (--acquisition-start): the series time is the time of writing")
    if merged.injection_datetime is not None and merged.injection_datetime > start:
        raise PublishError(f"acquisition start {start.isoformat()} is before the injection "
                           f"{merged.injection_datetime.isoformat()}; check --injection-time / --acquisition-start")
    if merged.injected_dose_bq is None or merged.injection_datetime is None:
        notes.append("no injected dose / injection time: written in Bq/mL without SUV headers")
        merged = replace(merged, injected_dose_bq=None, injection_datetime=None)
    half = merged.half_life_s or F18_HALF_LIFE_S
    if merged.half_life_s is None:
        merged = replace(merged, half_life_s=half, sources={**merged.sources, "half_life_s": "default (F-18)"})
    f = decay_to_start_factor(duration, half)
    attn = bool(prov.get("attenuation", True))
    params = prov.get("parameters", {}) or {}
    method = str(volume.description or "reconstruction plugin")
    if params.get("post_filter_fwhm"):
        method += f" {params['post_filter_fwhm']:g}mm"
    study = StudyInfo(patient_weight_kg=merged.weight_kg, patient_size_m=merged.height_m, study_datetime=start,
                      study_description=study_description[:64], manufacturer="workstation",
                      model_name="reconstruction plugin").with_uids()
    corrected = ("DECY", "ATTN", "RAN", "NORM") if attn else ("DECY", "RAN", "NORM")
    pet = PetHeader(injected_dose_bq=merged.injected_dose_bq, injection_datetime=merged.injection_datetime,
                    series_datetime=start, half_life_s=half, frame_duration_s=duration, corrected_image=corrected,
                    reconstruction_method=method[:64], attenuation_correction_method="measured" if attn else "NONE",
                    scatter_correction_method="NONE", series_type=("STATIC", "IMAGE"))
    arr = np.asarray(volume.array, dtype=np.float64) * f
    out = Volume(arr, volume.geometry, modality="PT", units="BQML", patient=study.patient)
    out_dir = Path(out_dir)
    paths = write_series(out, out_dir, modality="PT", series_number=series_number,
                         description=(volume.description or "Reconstruction")[:64], study=study, pet=pet,
                         overwrite=overwrite)
    import pydicom

    uid = str(pydicom.dcmread(paths[0], stop_before_pixels=True).SeriesInstanceUID)
    pub = PublishedSeries(out_dir, paths, uid, study.study_uid, study.frame_of_reference_uid, f, merged)
    pub.notes = notes
    if import_to_db:
        _import_published(pub, db, progress)
    return pub
