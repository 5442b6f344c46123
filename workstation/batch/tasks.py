"""The task of a batch run: a plain function of one series that any worker can run.

:func:`run_task` loads the series from its files, computes its SUV factor (``analysis.suv.factor``,
with its provenance) and then, by task:

* ``lesions[:METHOD]``: whole-body lesions exactly as ``workstation lesions`` finds them
  (``analysis.reading.measure`` → ``segmentation.find_lesions``, brain and bladder excluded,
  ``min_volume_ml``), plus the liver reference found automatically (``references.find_liver``,
  a 3 cm sphere), which PERCIST needs and the cohort report plots;
* ``suv``: the SUV factor, its trail and QC flags, the image's SUVmax;
* ``references``: the liver and blood-pool references found automatically;
* ``qa``: the uniform-cylinder check (``analysis.qa.series.uniformity_volume``).

It returns ``{"series": row, "lesions": [rows]}`` with the columns of :mod:`.schema`. It never
raises: any failure (unreadable files, missing SUV tags, a method that refuses) is a row with
``status = "failed"`` and the reason, so one bad series never stops a run. The function has no
state, opens no database and knows nothing of Dask: the serial loop and the workers call the
same code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from workstation.batch.schema import empty_lesion_row, empty_region_row, empty_series_row, empty_voi_row

TASKS = ("lesions", "suv", "references", "qa", "brain", "dosimetry")
DOSE_METHODS = ("led", "dvk")  # analysis.dosimetry.pipeline.METHODS (checked by a test)
BRAIN_REFERENCES = ("pons", "cerebellum", "global")  # analysis.brain.pipeline.REFERENCES (checked by a test)
DEFAULT_METHOD = "fixed:2.5"


class BatchError(ValueError):
    """A batch request that cannot run (bad task, bad selection); the message says the fix."""


@dataclass(frozen=True)
class SeriesRef:
    """One series to quantify: its UID (may be empty for loose files) and its files, or (``url``,
    no files) the DICOMweb service root it is retrieved from by WADO-RS (see :class:`WebSource`)."""

    series_uid: str
    files: tuple[str, ...]
    study_uid: str = ""
    url: str = ""
    group: tuple[str, ...] = ()  # dosimetry: the Series Instance UIDs of the therapy's time points

    @property
    def source(self) -> str:
        if self.url:
            return strip_credentials(self.url)
        return str(Path(self.files[0]).parent) if self.files else ""

    @property
    def identity(self) -> str:
        """What names the series for resume: its UID, else its sorted file paths (a therapy: the UIDs
        of all its time points, so a therapy with one more scan is a new result)."""
        if self.group:
            return "therapy:" + "|".join(sorted(self.group))
        return self.series_uid or "files:" + "|".join(sorted(self.files))


@dataclass(frozen=True)
class TaskSpec:
    """The task and its parameters (all of which enter the resume key)."""

    name: str = "lesions"
    method: str = ""
    suv_type: str = "bw"
    min_volume_ml: float = 0.5
    exclude: tuple[str, ...] = ("brain", "bladder")
    reference: str = "pons"  # brain: reference region
    database: str = ""  # brain: normal database (name or folder; empty: SUVR and asymmetry only)
    grid_mm: float = 4.0  # brain: MNI grid without a database (a database has its own)
    dose_method: str = "led"  # dosimetry: led or dvk

    @classmethod
    def parse(cls, text: str, *, suv_type: str = "bw", min_volume_ml: float = 0.5,
              exclude: tuple[str, ...] = ("brain", "bladder"), reference: str = "pons", database: str = "",
              grid_mm: float = 4.0, dose_method: str = "led") -> "TaskSpec":
        """``lesions``, ``lesions:pct:41``, ``suv``, ``references``, ``qa`` or ``brain`` -> TaskSpec (BatchError if not)."""
        from workstation.core.vocabulary import DEFAULT_EXCLUDE
        from workstation.analysis.suv.factor import normalize_suv_type
        from workstation.core.vocabulary import VocabularyError, parse_method

        name, _, method = str(text).strip().partition(":")
        name = name.lower()
        if name not in TASKS:
            raise BatchError(f"--task {text!r}: known tasks are lesions[:METHOD], suv, references, qa, brain, dosimetry")
        if method and name != "lesions":
            raise BatchError(f"--task {text!r}: only the lesions task takes a method")
        if name == "lesions":
            method = method or DEFAULT_METHOD
            try:
                parse_method(method)
            except VocabularyError as exc:
                raise BatchError(f"--task {text!r}: {exc}") from None
        try:
            suv_type = normalize_suv_type(suv_type)
        except ValueError as exc:
            raise BatchError(f"--suv: {exc}") from None
        if not (min_volume_ml >= 0):
            raise BatchError("--min-volume must be 0 or more (mL)")
        bad = [e for e in exclude if e not in DEFAULT_EXCLUDE]
        if bad:
            raise BatchError(f"--exclude {bad}: known organs are {', '.join(DEFAULT_EXCLUDE)}")
        if name == "brain":
            if reference not in BRAIN_REFERENCES:
                raise BatchError(f"--brain-reference {reference!r}: one of {', '.join(BRAIN_REFERENCES)}")
            if not (grid_mm > 0):
                raise BatchError("--brain-grid must be more than 0 mm")
            return cls(name, "", suv_type, reference=reference, database=str(database or ""), grid_mm=float(grid_mm))
        if name == "dosimetry":
            if dose_method not in DOSE_METHODS:
                raise BatchError(f"--dosimetry-method {dose_method!r}: one of {', '.join(DOSE_METHODS)}")
            return cls(name, "", suv_type, dose_method=dose_method)
        return cls(name, method, suv_type, float(min_volume_ml), tuple(exclude))

    @property
    def label(self) -> str:
        return f"{self.name}:{self.method}" if self.method else self.name

    def parameters(self) -> dict:
        p = {"task": self.name, "suv_type": self.suv_type}
        if self.name == "lesions":
            p.update(method=self.method, min_volume_ml=self.min_volume_ml, exclude=list(self.exclude),
                     liver="found automatically (3 cm sphere)")
        if self.name == "references":
            p.update(liver="found automatically (3 cm sphere)", blood_pool="found automatically (1 x 2 cm cylinder)")
        if self.name == "brain":
            p.update(reference=self.reference, database=self.database, grid_mm=self.grid_mm if not self.database else None)
        if self.name == "dosimetry":
            p = {"task": self.name, "dose_method": self.dose_method, "fit": "auto", "decay_policy": "factor",
                 "register": True, "vois": "RTSTRUCT below the scans"}
        return p

    def parameters_json(self) -> str:
        return json.dumps(self.parameters(), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class WebSource:
    """How a worker retrieves a series that has a DICOMweb ``url``: credentials (``auth``: user and
    password, or token; never in a row, a log or a repr), the number of attempts and the deadline of
    the retrieve of one series (``net.web.get_series_files``)."""

    auth: dict = field(default_factory=dict, repr=False, compare=False, hash=False)
    attempts: int = 2
    deadline_s: float = 600.0


def strip_credentials(url: str) -> str:
    """The URL without a ``user:password@`` part."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def software_version() -> str:
    from workstation import __version__

    return __version__


def result_key(ref: SeriesRef, spec: TaskSpec, version: str | None = None) -> str:
    """The resume key: the same series, task, parameters and software version give the same key."""
    text = "\n".join([ref.identity, spec.parameters_json(), version or software_version()])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def warm_up() -> float:
    """Import the task's modules and load the numba kernels on a tiny image in this process (a
    worker), so the first series is not charged for them; returns the seconds it took."""
    import numpy as np

    t0 = time.perf_counter()
    import workstation.analysis.qa.series  # noqa: F401
    import workstation.analysis.lesions.findings  # noqa: F401
    import workstation.analysis.suv.factor  # noqa: F401
    import workstation.analysis.suv.apply  # noqa: F401
    import workstation.io.loader  # noqa: F401
    import workstation.io.pet_header  # noqa: F401
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.references import find_liver, liver_reference
    from workstation.analysis.lesions.segmentation import find_lesions
    from workstation.core.geometry import ImageGeometry

    geometry = ImageGeometry((12, 12, 12), (8.0, 8.0, 8.0), (0.0, 0.0, 0.0))
    suv = np.full((12, 12, 12), 2.0, np.float32)
    suv[3:5, 3:5, 3:5] = 5.0
    find_lesions(suv, geometry, DEFAULT_METHOD, min_volume_ml=0.0, exclude=())
    try:
        liver_reference(suv, geometry, find_liver(suv, geometry))
    except QuantError:
        pass
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------ the task
def run_task(ref: SeriesRef, spec: TaskSpec, web: WebSource | None = None) -> dict:
    """Quantify one series (see the module docstring). Never raises. A series with a DICOMweb
    ``url`` is first retrieved by WADO-RS into a temporary folder of this process (``TMPDIR``),
    which is removed when the task ends, whatever happened; a series not retrieved whole is a
    failure row."""
    t0, c0 = time.perf_counter(), time.thread_time()
    row = empty_series_row()
    row.update(result_key=result_key(ref, spec), series_uid=ref.series_uid, study_uid=ref.study_uid,
               source=ref.source, n_files=len(ref.files), task=spec.name, method=spec.method,
               parameters=spec.parameters_json(), software_version=software_version(), status="ok", error="",
               started_utc=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
               worker=f"{socket.gethostname()}:{os.getpid()}", qc_missing_tags=False, qc_decay_conflict=False,
               qc_sex_unknown=False, qc_flags="")
    lesions: list[dict] = []
    try:
        if ref.url:
            lesions = _quantify_remote(ref, spec, row, web or WebSource())
        else:
            lesions = _quantify(ref, ref.files, spec, row)
    except MemoryError:
        row.update(status="failed", error="MemoryError: the series does not fit in this worker's memory")
    except Exception as exc:  # noqa: BLE001 - a failure is a row with its reason, never the end of the run
        msg = " ".join(str(exc).split()) or "(no message)"
        row.update(status="failed", error=f"{type(exc).__name__}: {msg}")
        lesions = []
    row["seconds"] = time.perf_counter() - t0
    row["cpu_seconds"] = time.thread_time() - c0
    if spec.name == "brain":
        return {"series": row, "lesions": [], "regions": lesions}
    if spec.name == "dosimetry":
        return {"series": row, "lesions": [], "vois": lesions}
    return {"series": row, "lesions": lesions}


def _quantify_remote(ref: SeriesRef, spec: TaskSpec, row: dict, web: WebSource) -> list[dict]:
    import tempfile

    from workstation.net.web import get_series_files

    if not ref.series_uid or not ref.study_uid:
        raise BatchError("a DICOMweb series needs its Study and Series Instance UIDs")
    with tempfile.TemporaryDirectory(prefix="workstation-batch-") as tmp:
        files = get_series_files(ref.url, ref.study_uid, ref.series_uid, tmp, web.auth or None,
                                 attempts=web.attempts, deadline_s=web.deadline_s)
        row["n_files"] = len(files)
        return _quantify(ref, tuple(files), spec, row)


def _quantify(ref: SeriesRef, files: tuple[str, ...], spec: TaskSpec, row: dict) -> list[dict]:
    from workstation.analysis.suv.factor import compute_suv
    from workstation.analysis.suv.apply import suv_array
    from workstation.io.loader import load_series

    if not files:
        raise BatchError("the series has no files")
    if spec.name == "dosimetry":
        return _dosimetry(files, spec, row)
    vol = load_series(list(files))
    _describe(vol, row)
    if not vol.is_pet or vol.pet is None:
        raise BatchError(f"modality {vol.modality or '?'} is not PET: nothing to quantify")
    row["series_uid"] = row["series_uid"] or vol.series_uid
    row["study_uid"] = row["study_uid"] or vol.study_uid
    if spec.name == "brain":
        return _brain(vol, spec, row)
    if spec.name == "qa":
        from workstation.analysis.qa.series import uniformity_volume

        res, suv = uniformity_volume(vol, spec.suv_type)
        _suv_fields(suv, list(vol.warnings), row)
        row.update(qa_mean=res.mean, qa_deviation_percent=res.deviation_percent,
                   qa_max_slice_deviation_percent=res.max_slice_deviation_percent, qa_pass=bool(res.passed))
        row["suvmax_image"] = float(suv_array(vol, suv).max())
        return []
    suv = compute_suv(vol.pet, spec.suv_type)
    _suv_fields(suv, list(vol.warnings), row)
    arr = suv_array(vol, suv)
    row["suvmax_image"] = float(arr.max())
    if spec.name == "suv":
        return []
    liver = _auto_liver(arr, vol.geometry, row, required=spec.name == "lesions" and spec.method == "percist")
    if spec.name == "references":
        if liver is not None:
            _blood_pool(arr, vol.geometry, liver, row)
        return []
    from workstation.analysis.lesions.findings import measure

    reading = measure(vol, suv, spec.method, liver_world=None if liver is None else liver.centre_world,
                      min_volume_ml=spec.min_volume_ml, exclude=spec.exclude)
    rep = reading.report
    les = rep.lesions
    from workstation.analysis.lesions.findings import whole_body_tracer_warning

    caveat = whole_body_tracer_warning(vol)
    if caveat:
        _flag(row, "tracer_not_fdg")
        row["warnings"] = json.dumps(list(dict.fromkeys(json.loads(row.get("warnings") or "[]") + [caveat])))
    row.update(n_lesions=len(les), tmtv_ml=float(rep.total_mtv_ml), tlg_total=float(rep.total_tlg),
               suvmax=max((x.suvmax for x in les), default=None),
               suvpeak_max=max((x.suvpeak for x in les), default=None),
               threshold=None if rep.threshold is None else float(rep.threshold))
    out = []
    for x in les:
        r = empty_lesion_row()
        r.update(result_key=row["result_key"], series_uid=row["series_uid"], task=spec.name, method=spec.method,
                 lesion=int(x.label), voxels=int(x.voxels), mtv_ml=float(x.mtv_ml), suvmax=float(x.suvmax),
                 suvmean=float(x.suvmean), suvpeak=float(x.suvpeak), suv_sd=_num(x.suv_sd), tlg=float(x.tlg),
                 threshold=_num(x.threshold), background=_num(x.background))
        r["centre_x"], r["centre_y"], r["centre_z"] = (float(v) for v in x.centre_world)
        r["max_x"], r["max_y"], r["max_z"] = (float(v) for v in x.max_world)
        out.append(r)
    return out


def _brain(vol, spec: TaskSpec, row: dict) -> list[dict]:
    """Regional SUVR (and z-scores against a normal database) of a brain FDG PET, as
    ``workstation brain`` computes them (``analysis.brain.analysis.analyse``); one region row per
    atlas region and hemisphere. SUVR is a ratio: the SUV factor is recorded when the header gives
    one, and its absence is a QC flag, not a failure."""
    from workstation.analysis.brain.analysis import analyse
    from workstation.analysis.brain.normals import NormalDatabase
    from workstation.analysis.suv.factor import compute_suv

    warnings = list(vol.warnings)
    try:
        _suv_fields(compute_suv(vol.pet, spec.suv_type), warnings, row)
    except Exception as exc:  # noqa: BLE001 - SUVR needs no SUV
        _flag(row, "suv_unavailable")
        warnings.append(f"no SUV factor ({' '.join(str(exc).split())}); SUVR needs none")
    db = NormalDatabase.open(spec.database) if spec.database else None
    res = analyse(vol, db, spec.reference, age=row.get("patient_age_y"), grid_mm=spec.grid_mm)
    row["warnings"] = json.dumps(list(dict.fromkeys((json.loads(row["warnings"]) if row.get("warnings") else warnings)
                                                    + list(res.warnings))))
    zs = [r["z"] for r in res.regions if r.get("z") is not None]
    row.update(brain_reference=spec.reference, brain_reference_value=_num(res.reference_value),
               brain_database=db.name if db is not None else "",
               brain_n_clusters=len(res.clusters) if db is not None else None,
               brain_min_region_z=min(zs) if zs else None)
    out = []
    for r in res.regions:
        x = empty_region_row()
        x.update(result_key=row["result_key"], series_uid=row["series_uid"], task=spec.name, region=r["name"],
                 hemisphere=r["hemisphere"], suvr=_num(r["suvr"]), z=_num(r.get("z")),
                 percentile=_num(r.get("percentile")), ai=_num(r.get("ai")), ai_z=_num(r.get("ai_z")),
                 reference=r["reference"])
        out.append(x)
    return out


def therapy_groups(paths) -> list[SeriesRef]:
    """The dosimetry tasks of folders: their SPECT/PET image series (PT, NM) grouped into therapies,
    one per patient and administration (PatientID and RadiopharmaceuticalStartDateTime, else the
    series date and RadiopharmaceuticalStartTime, to the minute), each with the RTSTRUCTs whose
    referenced frame of reference is one of its scans'. The patient ID is used for grouping here,
    in the driver, and is written nowhere."""
    import pydicom

    from workstation.io.series import find_series

    found = find_series([str(p) for p in paths])
    images = [s for s in found if s.is_image and str(s.modality).upper() in ("PT", "PET", "NM")]
    structs = [s for s in found if str(s.modality).upper() == "RTSTRUCT"]
    groups: dict[tuple[str, str], list] = {}
    for se in images:
        try:
            ds = pydicom.dcmread(se.files[0], stop_before_pixels=True)
        except Exception:  # noqa: BLE001 - unreadable: a therapy of its own, whose task says why
            groups.setdefault(("?", se.series_uid), []).append(se)
            continue
        item = (ds.get("RadiopharmaceuticalInformationSequence") or [None])[0]
        start = str(item.get("RadiopharmaceuticalStartDateTime", "") or "") if item is not None else ""
        if not start and item is not None:
            start = str(ds.get("SeriesDate", "") or "") + str(item.get("RadiopharmaceuticalStartTime", "") or "")
        key = (str(ds.get("PatientID", "") or ""), start[:12] or se.series_uid)
        groups.setdefault(key, []).append(se)
    out = []
    for members in groups.values():
        members.sort(key=lambda s: s.series_uid)
        frames = {s.frame_of_reference_uid for s in members if s.frame_of_reference_uid}
        rs_files = []
        for rs in structs:  # the scan index reads an RTSTRUCT's (referenced) frame of reference
            if rs.frame_of_reference_uid and rs.frame_of_reference_uid in frames:
                rs_files += rs.files
        files = tuple(f for s in members for f in s.files) + tuple(sorted(rs_files))
        out.append(SeriesRef(members[0].series_uid, files, members[0].study_uid,
                             group=tuple(s.series_uid for s in members)))
    return out


def _dosimetry(files, spec: TaskSpec, row: dict) -> list[dict]:
    """One therapy (see :func:`therapy_groups`) through the dosimetry chain exactly as
    ``workstation dosimetry`` runs it (``analysis.dosimetry.pipeline``): time points, registration to
    the first, RTSTRUCT VOIs, fits, TIA and absorbed dose; one VOI row each."""
    from workstation.analysis.dosimetry.pipeline import DosimetryOptions, run_dosimetry
    from workstation.analysis.dosimetry.timepoints import time_point_from_volume
    from workstation.io.loader import load_series
    from workstation.io.series import find_series

    found = find_series(list(files))
    scans = [s for s in found if s.is_image and str(s.modality).upper() in ("PT", "PET", "NM")]
    structs = sorted(f for s in found if str(s.modality).upper() == "RTSTRUCT" for f in s.files)
    if not scans:
        raise BatchError("the therapy has no SPECT/PET image series")
    tps = []
    for n, se in enumerate(scans):
        vol = load_series(se.files)
        if n == 0:
            _describe(vol, row)
        tps.append(time_point_from_volume(vol, f"TP{n + 1}"))
    res = run_dosimetry(tps, structs, DosimetryOptions(method=spec.dose_method))
    tps = res.therapy.time_points  # sorted by time after injection
    first = tps[0].volume
    row.update(series_uid=first.series_uid or row["series_uid"], study_uid=first.study_uid or row["study_uid"],
               dosimetry_time_points=len(tps), dosimetry_times_h=json.dumps([round(tp.time_h, 4) for tp in tps]),
               dosimetry_nuclide=res.therapy.nuclide.name,
               dosimetry_administered_mbq=None if res.therapy.administered_bq is None
               else res.therapy.administered_bq / 1e6, warnings=json.dumps(list(res.warnings)))
    out = []
    for v in res.vois:
        x = empty_voi_row()
        x.update(result_key=row["result_key"], series_uid=row["series_uid"], task=spec.name, voi=v.name,
                 volume_ml=_num(v.volume_ml), mass_g=_num(v.mass_g), activities_mbq=json.dumps(list(v.activities_mbq)),
                 fit_model=v.fit.model, lambda_eff_per_h=_num(v.fit.lambda_eff_per_h), tia_mbq_h=_num(v.fit.tia_mbq_h),
                 tia_sd_mbq_h=_num(v.fit.tia_sd_mbq_h), dose_gy=_num(v.dose_gy), dose_sd_gy=_num(v.dose_sd_gy),
                 dose_led_gy=_num(v.dose_led_gy), dose_dvk_gy=_num(v.dose_dvk_gy), gy_per_gbq=_num(v.gy_per_gbq),
                 bed_gy=_num(v.bed_gy))
        out.append(x)
    return out


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _auto_liver(arr, geometry, row: dict, *, required: bool):
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.references import find_liver, liver_reference

    try:
        centre = find_liver(arr, geometry)
        liver = liver_reference(arr, geometry, centre)
    except QuantError as exc:
        if required:
            raise QuantError(f"percist needs the liver reference, which was not found automatically ({exc})",
                             field="liver_world") from None
        _flag(row, "liver_not_found")
        return None
    row.update(liver_suvmean=float(liver.mean), liver_suvsd=float(liver.std))
    row["liver_x"], row["liver_y"], row["liver_z"] = (float(v) for v in liver.centre_world)
    return liver


def _blood_pool(arr, geometry, liver, row: dict) -> None:
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.references import blood_pool_reference, find_blood_pool

    try:
        c = find_blood_pool(arr, geometry, liver.centre_world, liver.mean)
        bp = blood_pool_reference(arr, geometry, c)
    except QuantError:
        _flag(row, "blood_pool_not_found")
        return
    row.update(blood_pool_suvmean=float(bp.mean), blood_pool_suvsd=float(bp.std))


def _flag(row: dict, name: str) -> None:
    flags = [f for f in (row.get("qc_flags") or "").split(",") if f]
    if name not in flags:
        flags.append(name)
    row["qc_flags"] = ",".join(flags)


# words of the loader's and the SUV trail's warnings -> QC flags
_MISSING = ("is missing", "was assumed", "not recorded", "have no actualframeduration")
_DECAY = ("does not list decy", "half-lives after injection", "after the earliest acquisition",
          "radiopharmaceuticalstartdatetime", "radionuclidehalflife", "back-computed")


def qc_flags(warnings: list[str], sex_assumed: str | None) -> dict:
    """The QC flags of a series from its warnings (the words the loader and the SUV trail use)."""
    low = [w.lower() for w in warnings]
    return {"qc_missing_tags": any(any(m in w for m in _MISSING) for w in low),
            "qc_decay_conflict": any(any(d in w for d in _DECAY) for w in low),
            "qc_sex_unknown": sex_assumed is not None}


def _suv_fields(suv, volume_warnings: list[str], row: dict) -> None:
    from workstation.analysis.suv.factor import sex_assumed

    warnings = list(dict.fromkeys(list(volume_warnings) + list(suv.warnings)))
    row.update(suv_type=suv.suv_type, suv_units=suv.units, suv_factor=float(suv.factor),
               suv_factor_varies=suv.instance_factors is not None,
               suv_provenance=json.dumps(suv.provenance, default=str, sort_keys=True),
               warnings=json.dumps(warnings))
    flags = qc_flags(warnings, sex_assumed(suv))
    row.update(flags)
    low = " ".join(volume_warnings).lower()
    for name, on in (("missing_tags", flags["qc_missing_tags"]), ("decay_conflict", flags["qc_decay_conflict"]),
                     ("sex_unknown", flags["qc_sex_unknown"]), ("files_skipped", "skipped" in low),
                     ("slices_interpolated", "interpolat" in low or "resampled" in low)):
        if on:
            _flag(row, name)


def _describe(vol, row: dict) -> None:
    info = vol.info or {}
    nk, nj, ni = vol.shape
    row.update(study_date=str(info.get("StudyDate", "") or ""), patient_sex=(vol.patient.sex or "").upper(),
               manufacturer=str(info.get("Manufacturer", "") or ""), model=str(info.get("ManufacturerModelName", "")
                                                                               or ""),
               units=vol.units or "", shape=f"{nk}x{nj}x{ni}", voxel_ml=float(vol.geometry.voxel_volume_ml))
    row["patient_age_y"] = age_years(vol.patient.birth_date, row["study_date"])
    pet = vol.pet
    if pet is not None:
        rp = pet.value("radiopharmaceutical")
        row["tracer"] = str(rp or "")
        code = pet.value("radionuclide_code")
        if isinstance(code, (tuple, list)) and len(code) >= 3:
            row["nuclide"] = str(code[2] or "").strip("^")
        elif code:
            row["nuclide"] = str(code)


def age_years(birth_date: str, study_date: str) -> float | None:
    """Whole years between two DICOM dates (YYYYMMDD); None when either is missing or invalid."""
    try:
        b = date(int(birth_date[:4]), int(birth_date[4:6]), int(birth_date[6:8]))
        s = date(int(study_date[:4]), int(study_date[4:6]), int(study_date[6:8]))
    except (TypeError, ValueError, IndexError):
        return None
    years = s.year - b.year - ((s.month, s.day) < (b.month, b.day))
    return float(years) if years >= 0 else None
