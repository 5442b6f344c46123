"""Follow-up reading: two time points of one patient, lesions matched, change table, response.

Concept
-------
A follow-up reading compares a baseline PET/CT with a later one. The two studies have their own
frames of reference (the patient lay differently), so world coordinates do not agree: a rigid
CT-to-CT registration (mutual information, :func:`workstation.analysis.registration.register_rigid`
on CTs subsampled to about 4 mm) finds ``followup_from_baseline``, the 4x4 map of a baseline world
point (LPS mm) to the follow-up world point of the same anatomy.

Lesions are segmented in each study with the PERCIST threshold (1.5 x liver SUVmean + 2 SD of a
3 cm liver sphere; SUVbw or SUL give the same regions, the threshold scales with the factor),
brain and bladder excluded. Baseline lesions are carried through the registration and matched to
follow-up lesions:

* **overlap**: the fraction of a baseline lesion's voxel centres that, carried to the follow-up,
  land inside a follow-up lesion;
* **position**: the distance between the carried baseline centroid and the follow-up centroid.

A pair is allowed when it overlaps or its centroids lie within ``gate_mm`` (default 15 mm); among
allowed pairs the assignment maximises overlap, then minimises distance (Hungarian algorithm,
one-to-one). An unmatched baseline lesion has **disappeared**, an unmatched follow-up lesion is
**new**. The reader may unlink a pair or link two lesions by hand (:meth:`FollowupReading.link`,
:meth:`FollowupReading.unlink`); the change table and categories follow.

For a disappeared lesion the follow-up values are read in a sphere around its carried centroid
(radius: the lesion's equivalent-sphere radius + 5 mm), for a new lesion the baseline values
likewise at the centroid carried back; their MTV and TLG there are 0 (nothing segmented).

The change table holds per lesion SUVmax (bw), SULpeak (Janmahasatian LBM, 1 cm3 sphere), MTV and
TLG (SUVbw mean x MTV) at both time points, absolute and percent changes, the PERCIST and EORTC
category of the lesion and the QIBA repeatability flag on SUVmax. The patient-level response
applies :mod:`workstation.analysis.followup.response`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workstation.analysis.followup import response as R
from workstation.analysis.followup.registration import (
    DEFORMABLE_VOXEL_MM, DeformableMap, apply, register_ct_pair,
    register_deformable, subsampled,
)
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

__all__ = ["TimePoint", "LesionMeasure", "LesionRow", "FollowupReading", "load_timepoint", "register_timepoints",
           "DeformableMap", "register_deformable", "register_timepoints_deformable",
           "measure_timepoint", "match_lesions", "read_followup", "CHANGE_COLUMNS", "FollowupError"]

MATCH_GATE_MM = 15.0
CARRY_MARGIN_MM = 5.0
EDIT_MATCH_MM = 3.0  # a stored edit finds its lesion again when a centre lies this close
METHODS = ("percist", "eortc", "deauville")


class FollowupError(ValueError):
    """A follow-up reading cannot be done as asked; the message says what to give."""


# ============================================================================ data
@dataclass
class TimePoint:
    """One study: the PET (file units), its SUVbw and SUL images, and the CT when there is one."""

    pet: Volume
    suv: np.ndarray  # SUVbw
    sul: np.ndarray  # SUV normalised to lean body mass (Janmahasatian)
    ct: Volume | None = None
    label: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def geometry(self) -> ImageGeometry:
        return self.pet.geometry


@dataclass
class LesionMeasure:
    centre_world: list[float]
    suvmax: float
    sulpeak: float
    mtv_ml: float
    tlg: float
    voxels: int = 0
    segmented: bool = True  # False: read in a sphere at a carried position (nothing segmented there)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class LesionRow:
    key: str
    status: str  # matched | disappeared | new
    baseline: LesionMeasure
    followup: LesionMeasure
    baseline_index: int | None = None  # index into the baseline lesion list
    followup_index: int | None = None
    overlap: float = 0.0
    distance_mm: float | None = None
    percist: str = ""
    eortc: str = ""
    qiba_within_repeatability: bool = False
    name: str = ""

    def changes(self) -> dict:
        out = {}
        for what in ("suvmax", "sulpeak", "mtv_ml", "tlg"):
            c = R.change(getattr(self.baseline, what), getattr(self.followup, what))
            out[what] = c.to_dict()
        return out

    def to_dict(self) -> dict:
        return {"key": self.key, "name": self.name or self.key, "status": self.status,
                "baseline": self.baseline.to_dict(), "followup": self.followup.to_dict(),
                "changes": self.changes(), "overlap": self.overlap, "distance_mm": self.distance_mm,
                "percist": self.percist, "eortc": self.eortc,
                "qiba_within_repeatability": self.qiba_within_repeatability}


CHANGE_COLUMNS = ["lesion", "status", "baseline_x_mm", "baseline_y_mm", "baseline_z_mm", "followup_x_mm",
                  "followup_y_mm", "followup_z_mm"] + [
    f"{w}_{p}" for w in ("suvmax", "sulpeak", "mtv_ml", "tlg") for p in ("baseline", "followup", "change", "change_pct")
] + ["percist", "eortc", "qiba_within_repeatability"]


# ============================================================================ loading
def load_timepoint(path, *, series_uid: str | None = None, overrides=None, with_ct: bool = True,
                   progress=None) -> TimePoint:
    """Load the PET below ``path`` (SUVbw and SUL with the per-instance factors) and the CT beside it."""
    from workstation.io.series import find_series
    from workstation.io.loader import load_pet_folder, load_series

    pet = load_pet_folder(path, series_uid=series_uid)
    ct = None
    if with_ct:
        cts = [s for s in find_series([path]) if s.is_image and s.modality == "CT"]
        pet_study = getattr(pet, "study_uid", None)
        if pet_study:
            same = [s for s in cts if s.study_uid == pet_study]
            cts = same or cts
        if len(cts) == 1:
            ct = load_series(cts[0].files)
        elif len(cts) > 1:
            raise FollowupError(f"{path}: {len(cts)} CT series found; point to a folder with one PET and one CT")
    return timepoint(pet, ct, str(path), overrides)


def timepoint(pet: Volume, ct: Volume | None, label: str, overrides=None) -> TimePoint:
    """A time point from loaded volumes: SUVbw and SUL (Janmahasatian) with the per-instance factors."""
    from workstation.analysis.suv.factor import compute_suv
    from workstation.analysis.suv.apply import suv_array

    bw = compute_suv(pet.pet, "bw", overrides)
    lbm = compute_suv(pet.pet, "lbm-janma", overrides)
    return TimePoint(pet, suv_array(pet, bw), suv_array(pet, lbm), ct, label,
                     list(pet.warnings) + list(bw.warnings) + list(lbm.warnings))


def load_study_timepoint(db, study_uid: str, progress=None) -> TimePoint:
    """The PET of a study of the study database and its CT (the usual pair, as the viewer opens it)."""
    from workstation.analysis.reading.study_open import choose_pair
    from workstation.io.loader import load_series

    series = [s for s in db.series(study_uid) if getattr(s, "is_image", True)]
    pet_s, anat_s = choose_pair(series, None, None)
    if pet_s is None or pet_s.modality not in ("PT", "PET"):
        raise FollowupError(f"study {study_uid}: no PET series in the database; a follow-up reading compares PETs")
    pet = load_series(db.series_files(pet_s.series_uid), progress=None if progress is None else progress.sub(0, 0.6))
    ct = None
    if anat_s is not None and anat_s.modality == "CT":
        ct = load_series(db.series_files(anat_s.series_uid),
                         progress=None if progress is None else progress.sub(0.6, 1.0))
    date = " ".join(v for v in (getattr(pet, "info", {}).get("series_date", ""),) if v)
    return timepoint(pet, ct, date or study_uid)


def register_timepoints(baseline: TimePoint, followup: TimePoint, progress=None) -> dict:
    """Rigid CT-to-CT registration: ``followup_from_baseline`` (4x4) and a summary."""
    if baseline.ct is None or followup.ct is None:
        which = "baseline" if baseline.ct is None else "follow-up"
        raise FollowupError(f"the {which} folder holds no CT series to register; give folders with PET and CT, "
                            "or pass --no-register when both studies share the patient's position")
    return register_ct_pair(baseline.ct, followup.ct, progress)


def register_timepoints_deformable(baseline: TimePoint, followup: TimePoint, followup_from_baseline,
                                   progress=None) -> DeformableMap:
    """:func:`register_deformable` on the two CTs subsampled to :data:`DEFORMABLE_VOXEL_MM`."""
    if baseline.ct is None or followup.ct is None:
        raise FollowupError("deformable registration needs a CT in both studies")
    return register_deformable(subsampled(baseline.ct, DEFORMABLE_VOXEL_MM),
                               subsampled(followup.ct, DEFORMABLE_VOXEL_MM), followup_from_baseline,
                               progress=progress)


# ============================================================================ measuring
def _liver(tp: TimePoint, centre) -> dict:
    from workstation.analysis.lesions.references import liver_reference

    suv = liver_reference(tp.suv, tp.geometry, centre)
    sul = liver_reference(tp.sul, tp.geometry, centre)
    return {"centre_world": [float(v) for v in centre], "suv_mean": suv.mean, "suv_sd": suv.std, "sul_mean": sul.mean,
            "sul_sd": sul.std, "voxels": suv.voxels}


def _blood_pool(tp: TimePoint, centre) -> dict:
    from workstation.analysis.lesions.references import blood_pool_reference

    suv = blood_pool_reference(tp.suv, tp.geometry, centre)
    sul = blood_pool_reference(tp.sul, tp.geometry, centre)
    return {"centre_world": [float(v) for v in centre], "suv_mean": suv.mean, "suv_sd": suv.std, "sul_mean": sul.mean,
            "sul_sd": sul.std, "voxels": suv.voxels}


def measure_timepoint(tp: TimePoint, liver_world, *, blood_pool_world=None, min_volume_ml: float = 0.5,
                      progress=None) -> dict:
    """Segment (PERCIST threshold on SUVbw, brain/bladder excluded) and measure each lesion."""
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.regions import region_stats
    from workstation.analysis.lesions.segmentation import segment_whole_body

    try:
        liver = _liver(tp, liver_world)
        bp = _blood_pool(tp, blood_pool_world) if blood_pool_world is not None else None
        rep = segment_whole_body(tp.suv, tp.geometry, "percist", liver_world=liver_world,
                                 min_volume_ml=min_volume_ml, exclude=("brain", "bladder"), progress=progress)
    except QuantError as exc:
        raise FollowupError(f"{tp.label}: {exc}") from None
    lesions = []
    for les in rep.lesions:
        mask = rep.labels == les.label
        st = region_stats(tp.sul, mask, tp.geometry, median=False)
        lesions.append(LesionMeasure(list(les.centre_world), les.suvmax, float(st.suvpeak), les.mtv_ml, les.tlg,
                                     les.voxels))
    return {"lesions": lesions, "labels": rep.labels, "threshold_suv": rep.threshold, "liver": liver,
            "blood_pool": bp, "excluded": rep.excluded}


def measure_at(tp: TimePoint, centre_world, radius_mm: float) -> LesionMeasure:
    """SUVmax and SULpeak in a sphere (a lesion's carried position where nothing was segmented)."""
    from workstation.analysis.lesions.regions import region_stats
    from workstation.analysis.lesions.shapes import sphere_mask

    mask = sphere_mask(tp.geometry, centre_world, radius_mm)
    if not mask.any():
        return LesionMeasure([float(v) for v in centre_world], float("nan"), float("nan"), 0.0, 0.0, 0, False)
    st = region_stats(tp.suv, mask, tp.geometry, median=False, peak=False)
    sul = region_stats(tp.sul, mask, tp.geometry, median=False)
    return LesionMeasure([float(v) for v in centre_world], float(st.max), float(sul.suvpeak), 0.0, 0.0, 0, False)


def _or_zero(v: float) -> float:
    """A value read outside the image (NaN) counts as no uptake."""
    return float(v) if math.isfinite(v) else 0.0


def _equivalent_radius(mtv_ml: float) -> float:
    return (3.0 * mtv_ml * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0)


def _carrier(followup_from_baseline):
    """A 4x4 matrix, a :class:`DeformableMap` or a function of (n, 3) points, as a function."""
    if hasattr(followup_from_baseline, "carry"):
        return followup_from_baseline.carry
    if callable(followup_from_baseline):
        return followup_from_baseline
    t = np.asarray(followup_from_baseline, float)
    return lambda p: apply(t, p)


def match_lesions(base_labels: np.ndarray, base_geometry: ImageGeometry, base_centres, fu_labels: np.ndarray,
                  fu_geometry: ImageGeometry, fu_centres, followup_from_baseline, gate_mm: float = MATCH_GATE_MM):
    """One-to-one matches ``[(b, f, overlap, distance_mm)]`` (0-based lesion indices; label = index + 1).

    ``followup_from_baseline``: the rigid 4x4 map or a :class:`DeformableMap`. Overlap: fraction of
    baseline lesion b's voxel centres that, carried to the follow-up, fall in follow-up lesion f. Allowed pairs overlap or lie within ``gate_mm``; the assignment maximises
    overlap, then minimises distance.
    """
    from scipy.optimize import linear_sum_assignment

    nb, nf = len(base_centres), len(fu_centres)
    if nb == 0 or nf == 0:
        return []
    carry = _carrier(followup_from_baseline)
    overlap = np.zeros((nb, nf))
    kji = np.argwhere(base_labels > 0)
    if kji.size:
        labs = base_labels[tuple(kji.T)]
        world = carry(base_geometry.kji_to_world(kji.astype(float)))
        fk = np.rint(fu_geometry.world_to_kji(world)).astype(int)
        inside = np.all((fk >= 0) & (fk < np.asarray(fu_geometry.shape)), axis=1)
        hit = np.zeros(len(kji), int)
        hit[inside] = fu_labels[tuple(fk[inside].T)]
        for b in range(nb):
            sel = labs == b + 1
            n = int(sel.sum())
            if n:
                counts = np.bincount(hit[sel], minlength=nf + 1)
                overlap[b] = counts[1:nf + 1] / n
    carried = carry(np.asarray(base_centres, float).reshape(-1, 3))
    dist = np.linalg.norm(carried[:, None, :] - np.asarray(fu_centres, float).reshape(-1, 3)[None, :, :], axis=-1)
    allowed = (overlap > 0) | (dist <= gate_mm)
    big = 1e6
    cost = np.where(allowed, -overlap + dist / 1e4, big)
    rows, cols = linear_sum_assignment(cost)
    return [(int(b), int(f), float(overlap[b, f]), float(dist[b, f])) for b, f in zip(rows, cols) if allowed[b, f]]


# ============================================================================ the reading
def _series_date(tp: TimePoint) -> str:
    acq = getattr(tp.pet, "pet", None)
    try:
        when = acq.series_datetime if acq is not None else None
    except Exception:  # noqa: BLE001 - a header without times has no date
        when = None
    return when.strftime("%Y-%m-%d") if when is not None else ""


@dataclass
class FollowupReading:
    baseline: TimePoint
    followup: TimePoint
    followup_from_baseline: np.ndarray
    base: dict  # measure_timepoint of the baseline
    fu: dict
    matches: list[tuple[int, int, float, float]]
    registration: dict = field(default_factory=dict)
    after_one_cycle: bool = False
    names: dict = field(default_factory=dict)  # ("b", baseline index) or ("f", follow-up index) -> reader's name
    gate_mm: float = MATCH_GATE_MM
    deformable: "DeformableMap | None" = None  # found on request; used for matching only when chosen
    matching: str = "rigid"  # rigid | deformable: the map lesions are matched through
    edits: list = field(default_factory=list)  # the reader's link / unlink / rename, replayable (see apply_edits)

    # ---- editing the matches (the reader confirms, renames or unlinks)
    def _row(self, key: str) -> LesionRow:
        row = next((r for r in self.rows() if r.key == key), None)
        if row is None:
            raise FollowupError(f"no lesion {key} in the change table")
        return row

    def _centre(self, side: str, index: int) -> list[float]:
        tp = self.base if side == "baseline" else self.fu
        return [round(float(v), 3) for v in tp["lesions"][index].centre_world]

    def unlink(self, key: str) -> None:
        row = self._row(key)
        if row.status != "matched":
            raise FollowupError(f"{key} is not a matched lesion")
        self._unlink(row.baseline_index)
        self.edits.append({"op": "unlink", "baseline": self._centre("baseline", row.baseline_index),
                           "followup": self._centre("followup", row.followup_index)})

    def _unlink(self, baseline_index: int) -> None:
        self.matches = [m for m in self.matches if m[0] != baseline_index]

    def link(self, baseline_index: int, followup_index: int) -> None:
        self._link(baseline_index, followup_index)
        self.edits.append({"op": "link", "baseline": self._centre("baseline", baseline_index),
                           "followup": self._centre("followup", followup_index)})

    def _link(self, baseline_index: int, followup_index: int) -> None:
        if not (0 <= baseline_index < len(self.base["lesions"]) and 0 <= followup_index < len(self.fu["lesions"])):
            raise FollowupError("link: no such baseline or follow-up lesion")
        self.matches = [m for m in self.matches if m[0] != baseline_index and m[1] != followup_index]
        c = self.carry_for_matching(self.base["lesions"][baseline_index].centre_world)
        d = float(np.linalg.norm(c - np.asarray(self.fu["lesions"][followup_index].centre_world)))
        self.matches.append((baseline_index, followup_index, float("nan"), d))

    def rename(self, key: str, name: str) -> None:
        row = self._row(key)
        side, index = ("baseline", row.baseline_index) if row.baseline_index is not None \
            else ("followup", row.followup_index)
        self.names[(side[0], index)] = str(name)
        self.edits.append({"op": "rename", "side": side, "centre": self._centre(side, index), "name": str(name)})

    def _find(self, side: str, centre) -> int | None:
        """The lesion of that study whose centre lies within :data:`EDIT_MATCH_MM` of ``centre``."""
        tp = self.base if side == "baseline" else self.fu
        if not tp["lesions"] or centre is None:
            return None
        d = np.linalg.norm(np.asarray([les.centre_world for les in tp["lesions"]], float)
                           - np.asarray(centre, float)[None, :], axis=1)
        i = int(np.argmin(d))
        return i if d[i] <= EDIT_MATCH_MM else None

    def apply_edits(self, edits) -> list[str]:
        """Replay stored edits (oldest first) on this reading; each finds its lesions again by their
        centres. Returns one line per edit that no longer fits (its lesion is not found, or the
        pair it unlinks is not matched any more); the others become this reading's edits."""
        skipped = []
        for e in list(edits or []):
            op = e.get("op") if isinstance(e, dict) else None
            try:
                if op == "unlink":
                    b, f = self._find("baseline", e.get("baseline")), self._find("followup", e.get("followup"))
                    if b is None or not any(m[0] == b and (f is None or m[1] == f) for m in self.matches):
                        raise FollowupError("that pair is not matched in this reading")
                    self._unlink(b)
                elif op == "link":
                    b, f = self._find("baseline", e.get("baseline")), self._find("followup", e.get("followup"))
                    if b is None or f is None:
                        raise FollowupError("a lesion of the pair is not found")
                    self._link(b, f)
                elif op == "rename":
                    side = "baseline" if e.get("side") == "baseline" else "followup"
                    i = self._find(side, e.get("centre"))
                    if i is None:
                        raise FollowupError("the lesion is not found")
                    self.names[(side[0], i)] = str(e.get("name", ""))
                else:
                    raise FollowupError("unknown edit")
            except FollowupError as exc:
                skipped.append(f"{op or '?'} {e.get('baseline') or e.get('centre') or ''}: {exc}")
                continue
            self.edits.append(dict(e))
        return skipped

    # ---- the maps between the studies
    def carry_to_followup(self, world) -> np.ndarray:
        """Rigid map (the one the views are linked through)."""
        return apply(self.followup_from_baseline, world)

    def carry_to_baseline(self, world) -> np.ndarray:
        return apply(np.linalg.inv(self.followup_from_baseline), world)

    def carry_for_matching(self, world) -> np.ndarray:
        """The map lesions are matched through: rigid, or the B-spline when ``matching`` is deformable."""
        if self.matching == "deformable" and self.deformable is not None:
            return self.deformable.carry(world)
        return self.carry_to_followup(world)

    def rematch(self) -> list[str]:
        """Match the lesions again through the current map, then replay the reader's edits."""
        edits, self.edits = self.edits, []
        self.matches = match_lesions(
            self.base["labels"], self.baseline.geometry, [les.centre_world for les in self.base["lesions"]],
            self.fu["labels"], self.followup.geometry, [les.centre_world for les in self.fu["lesions"]],
            self.deformable if self.matching == "deformable" and self.deformable is not None
            else self.followup_from_baseline, self.gate_mm)
        self.names = {}
        return self.apply_edits(edits)

    def set_registration(self, followup_from_baseline, registration: dict | None = None) -> list[str]:
        """Use another rigid map (accepted, undone, or a stored version): the matches follow. A
        deformable map found from the old rigid one no longer applies and is dropped."""
        t = np.asarray(followup_from_baseline, float)
        if t.shape != (4, 4) or not np.all(np.isfinite(t)):
            raise FollowupError("a follow-up registration is a finite 4x4 matrix")
        if not np.allclose(t, self.followup_from_baseline):
            self.deformable, self.matching = None, "rigid"
        self.followup_from_baseline = t
        self.registration = dict(registration or {"method": "given", "followup_from_baseline": t})
        self.registration.setdefault("followup_from_baseline", t)
        return self.rematch()

    def set_matching(self, how: str) -> list[str]:
        """Match through ``"rigid"`` or ``"deformable"`` (needs :attr:`deformable`)."""
        if how not in ("rigid", "deformable"):
            raise FollowupError(f"matching is rigid or deformable, not {how!r}")
        if how == "deformable" and self.deformable is None:
            raise FollowupError("no deformable registration has been computed for this reading")
        self.matching = how
        return self.rematch()

    # ---- the table
    def rows(self) -> list[LesionRow]:
        bl, fl = self.base["lesions"], self.fu["lesions"]
        matched_b = {m[0]: m for m in self.matches}
        matched_f = {m[1] for m in self.matches}
        liver_fu_sul = self.fu["liver"]["sul_mean"]
        rows = []
        for b, les in enumerate(bl):
            key = f"L{b + 1}"
            if b in matched_b:
                _, f, ov, d = matched_b[b]
                row = LesionRow(key, "matched", les, fl[f], b, f, ov, d)
            else:
                c = self.carry_for_matching(les.centre_world)
                row = LesionRow(key, "disappeared", les,
                                measure_at(self.followup, c, _equivalent_radius(les.mtv_ml) + CARRY_MARGIN_MM), b)
            row.percist = R.percist_category(row.baseline.sulpeak, _or_zero(row.followup.sulpeak),
                                             followup_liver_mean=liver_fu_sul).category
            row.eortc = R.eortc_category(row.baseline.suvmax, _or_zero(row.followup.suvmax), resolved=row.status == "disappeared",
                                         after_one_cycle=self.after_one_cycle).category
            row.qiba_within_repeatability = R.qiba_within_repeatability(row.baseline.suvmax,
                                                                        _or_zero(row.followup.suvmax))
            rows.append(row)
        n = 0
        for f, les in enumerate(fl):
            if f in matched_f:
                continue
            n += 1
            c = self.carry_to_baseline(les.centre_world)
            row = LesionRow(f"N{n}", "new", measure_at(self.baseline, c, _equivalent_radius(les.mtv_ml) + CARRY_MARGIN_MM),
                            les, None, f)
            row.percist = row.eortc = R.PMD
            row.qiba_within_repeatability = R.qiba_within_repeatability(_or_zero(row.baseline.suvmax),
                                                                        row.followup.suvmax)
            rows.append(row)
        for r in rows:
            ident = ("b", r.baseline_index) if r.baseline_index is not None else ("f", r.followup_index)
            r.name = self.names.get(ident) or (self.names.get(("f", r.followup_index)) if r.followup_index is not None
                                              else None) or r.key
        return rows

    # ---- the patient
    def response(self, method: str = "percist", percist_targets: int = 1) -> R.RuleResult:
        method = str(method).lower()
        if method not in METHODS:
            raise FollowupError(f"unknown response method {method!r}; use one of {', '.join(METHODS)}")
        rows = self.rows()
        new = sum(r.status == "new" for r in rows)
        if method == "percist":
            return self._percist(rows, new, percist_targets)
        if method == "eortc":
            return self._eortc(rows, new)
        return self._deauville(new)

    def _percist(self, rows, new, n_targets) -> R.RuleResult:
        lb, lf = self.base["liver"], self.fu["liver"]
        thr = R.percist_measurable_threshold(lb["sul_mean"], lb["sul_sd"])
        base_t = R.select_targets([R.Target(r.key, r.baseline.sulpeak) for r in rows if r.status != "new"],
                                  max_total=max(1, n_targets), threshold=thr)
        measurable = bool(base_t)
        b_val = sum(t.value for t in base_t) if base_t else max([r.baseline.sulpeak for r in rows] or [0.0])
        if n_targets <= 1:  # the hottest lesion of each study, not necessarily the same one
            f_val = max([_or_zero(r.followup.sulpeak) for r in rows] or [0.0])
        else:  # the same targets followed
            keys = {t.key for t in base_t}
            f_val = sum(r.followup.sulpeak for r in rows if r.key in keys)
        stab = R.liver_stability(lb["sul_mean"], lf["sul_mean"])
        bp = self.fu.get("blood_pool")
        res = R.percist_category(b_val if b_val > 0 else 1.0, f_val, new_lesions=new,
                                 followup_liver_mean=lf["sul_mean"],
                                 followup_blood_pool_mean=bp["sul_mean"] if bp else None,
                                 followup_blood_pool_sd=bp["sul_sd"] if bp else 0.0, baseline_measurable=measurable)
        res.values.update({"measurability_threshold_sul": thr, "targets": [t.key for t in base_t],
                           "liver_stability": stab, "liver_sul": {"baseline": lb["sul_mean"], "followup": lf["sul_mean"]}})
        if not stab["stable"]:
            res.reasons.append("liver reference not stable: " + "; ".join(stab["reasons"]))
        return res

    def _eortc(self, rows, new) -> R.RuleResult:
        targets = sorted([r for r in rows if r.status != "new"], key=lambda r: -r.baseline.suvmax)[:R.PERCIST_MAX_TARGETS]
        if not targets:
            raise FollowupError("EORTC needs at least one baseline lesion")
        resolved = all(r.status == "disappeared" for r in targets)
        b = sum(r.baseline.suvmax for r in targets)
        f = sum(r.followup.suvmax for r in targets)
        res = R.eortc_category(b, f, new_lesions=new, resolved=resolved, after_one_cycle=self.after_one_cycle)
        res.values["targets"] = [r.key for r in targets]
        res.values["sum_suvmax"] = {"baseline": b, "followup": f}
        return res

    def _deauville(self, new) -> R.RuleResult:
        out = {}
        for name, tp in (("baseline", self.base), ("followup", self.fu)):
            if tp.get("blood_pool") is None:
                raise FollowupError("Deauville needs a mediastinal blood-pool VOI: give --blood-pool x,y,z "
                                    "(descending thoracic aorta, LPS mm)")
            top = max([les.suvmax for les in tp["lesions"]], default=None)
            out[name] = R.deauville_score(top, tp["blood_pool"]["suv_mean"], tp["liver"]["suv_mean"],
                                          new_lesions=new if name == "followup" else 0)
        res = out["followup"]
        res.values["baseline_score"] = out["baseline"].category
        res.reasons.insert(0, f"baseline score {out['baseline'].category}, follow-up score {res.category}")
        return res

    # ---- output
    def table(self) -> list[dict]:
        """The change table as CSV-ready rows (keys: CHANGE_COLUMNS)."""
        out = []
        for r in self.rows():
            ch = r.changes()
            row = {"lesion": r.name, "status": r.status}
            for pre, m in (("baseline", r.baseline), ("followup", r.followup)):
                for ax, v in zip("xyz", m.centre_world):
                    row[f"{pre}_{ax}_mm"] = round(float(v), 2)
            for w in ("suvmax", "sulpeak", "mtv_ml", "tlg"):
                c = ch[w]
                row[f"{w}_baseline"], row[f"{w}_followup"] = c["baseline"], c["followup"]
                row[f"{w}_change"], row[f"{w}_change_pct"] = c["absolute"], c["percent"]
            row.update({"percist": r.percist, "eortc": r.eortc,
                        "qiba_within_repeatability": r.qiba_within_repeatability})
            out.append(row)
        return out

    def report_summary(self) -> dict:
        """Plain values for the PDF report's change table (``report.reading_report.followup_section``):
        per lesion (baseline, follow-up, change %) of SUVmax, SULpeak and MTV, its PERCIST and EORTC
        category and the Deauville score of its follow-up SUVmax (both follow-up references needed),
        and the patient-level responses."""
        fu_bp, fu_liver = self.fu.get("blood_pool"), self.fu["liver"]
        rows = []
        for r in self.rows():
            ch = r.changes()
            d = None
            if fu_bp and r.status != "disappeared":
                d = R.deauville_points(r.followup.suvmax, fu_bp["suv_mean"], fu_liver["suv_mean"])
            rows.append({"lesion": r.name, "status": r.status, "percist": r.percist, "eortc": r.eortc, "deauville": d,
                         **{w: (ch[w]["baseline"], ch[w]["followup"], ch[w]["percent"])
                            for w in ("suvmax", "sulpeak", "mtv_ml")}})
        methods = ["percist", "eortc"] + (["deauville"] if fu_bp and self.base.get("blood_pool") else [])
        response = []
        for m in methods:
            res = self.response(m)
            response.append((m.upper() if m != "deauville" else "Deauville",
                             f"{res.category} ({res.name}); " + "; ".join(res.reasons)))
        reg = self.registration
        text = str(reg.get("summary") or reg.get("method") or "")
        if self.matching == "deformable" and self.deformable is not None:
            text += "; lesions matched through " + self.deformable.summary()
        return {"rows": rows, "response": response, "registration": text,
                "baseline_date": _series_date(self.baseline), "followup_date": _series_date(self.followup)}

    def to_dict(self, method: str | None = None) -> dict:
        out = {
            "registration": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.registration.items()},
            "followup_from_baseline": np.asarray(self.followup_from_baseline).tolist(),
            "matching": self.matching,
            "deformable": self.deformable.summary() if self.deformable is not None else None,
            "edits": list(self.edits),
            "references": {"baseline": {"liver": self.base["liver"], "blood_pool": self.base["blood_pool"],
                                        "threshold_suv": self.base["threshold_suv"]},
                           "followup": {"liver": self.fu["liver"], "blood_pool": self.fu["blood_pool"],
                                        "threshold_suv": self.fu["threshold_suv"]}},
            "lesions": [r.to_dict() for r in self.rows()],
            "qiba": R.QIBA_REFERENCE,
        }
        methods = [method] if method else ["percist", "eortc"] + (["deauville"] if self.fu.get("blood_pool") else [])
        out["response"] = {m: self.response(m).to_dict() for m in methods}
        return out


def read_followup(baseline: TimePoint, followup: TimePoint, liver_world, *, blood_pool_world=None,
                  followup_liver_world=None, followup_blood_pool_world=None, followup_from_baseline=None,
                  min_volume_ml: float = 0.5, gate_mm: float = MATCH_GATE_MM, after_one_cycle: bool = False,
                  deformable: bool = False, edits=None, progress=None) -> FollowupReading:
    """Register (unless ``followup_from_baseline`` is given), segment, measure and match both studies.

    Reference VOI centres are baseline world points carried to the follow-up through the
    registration unless ``followup_*_world`` are given. ``deformable``: also find a B-spline map
    after the rigid one (:func:`register_timepoints_deformable`) and match lesions through it;
    the views stay linked through the rigid map. ``edits``: the reader's stored link / unlink /
    rename, replayed (those that no longer fit are listed in ``reading.registration["edits_skipped"]``).
    """
    def part(a, b):
        return None if progress is None else progress.sub(a, b)

    r0, r1 = (0.0, 0.35) if deformable else (0.0, 0.5)
    registration = {}
    if followup_from_baseline is None:
        registration = register_timepoints(baseline, followup, progress=part(r0, r1))
        t = registration["followup_from_baseline"]
    else:
        t = np.asarray(followup_from_baseline, float)
        registration = {"method": "given", "followup_from_baseline": t}
    dmap = None
    if deformable:
        dmap = register_timepoints_deformable(baseline, followup, t, progress=part(r1, 0.6))
    m0 = 0.6 if deformable else 0.5
    fl = followup_liver_world if followup_liver_world is not None else apply(t, liver_world)
    fbp = followup_blood_pool_world
    if fbp is None and blood_pool_world is not None:
        fbp = apply(t, blood_pool_world)
    base = measure_timepoint(baseline, liver_world, blood_pool_world=blood_pool_world, min_volume_ml=min_volume_ml,
                             progress=part(m0, (m0 + 1.0) / 2))
    fu = measure_timepoint(followup, fl, blood_pool_world=fbp, min_volume_ml=min_volume_ml,
                           progress=part((m0 + 1.0) / 2, 1.0))
    reading = FollowupReading(baseline, followup, t, base, fu, [], registration, after_one_cycle, gate_mm=gate_mm,
                              deformable=dmap, matching="deformable" if dmap is not None else "rigid")
    reading.rematch()
    if edits:
        skipped = reading.apply_edits(edits)
        if skipped:
            reading.registration["edits_skipped"] = skipped
    return reading
