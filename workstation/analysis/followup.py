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
applies :mod:`workstation.analysis.response`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workstation.analysis import response as R
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

__all__ = ["TimePoint", "LesionMeasure", "LesionRow", "FollowupReading", "load_timepoint", "register_timepoints",
           "measure_timepoint", "match_lesions", "read_followup", "CHANGE_COLUMNS", "FollowupError"]

MATCH_GATE_MM = 15.0
CARRY_MARGIN_MM = 5.0
REGISTRATION_VOXEL_MM = 8.0
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
    from workstation.analysis.suv import compute_suv
    from workstation.analysis.suv_apply import suv_array
    from workstation.io.loader import find_series, load_pet_folder, load_series

    pet = load_pet_folder(path, series_uid=series_uid)
    bw = compute_suv(pet.pet, "bw", overrides)
    lbm = compute_suv(pet.pet, "lbm-janma", overrides)
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
    return TimePoint(pet, suv_array(pet, bw), suv_array(pet, lbm), ct, str(path),
                     list(pet.warnings) + list(bw.warnings) + list(lbm.warnings))


def _subsampled(vol: Volume, voxel_mm: float) -> Volume:
    step = [max(1, int(round(voxel_mm / s))) for s in vol.geometry.spacing]  # i, j, k
    arr = np.ascontiguousarray(np.asarray(vol.array)[::step[2], ::step[1], ::step[0]], np.float32)
    g = vol.geometry
    geom = ImageGeometry(arr.shape, tuple(s * n for s, n in zip(g.spacing, step)), g.origin, g.direction)
    return Volume(arr, geom, modality=vol.modality, units=vol.units)


def register_timepoints(baseline: TimePoint, followup: TimePoint, progress=None) -> dict:
    """Rigid CT-to-CT registration: ``followup_from_baseline`` (4x4) and a summary."""
    from workstation.analysis.registration import register_rigid

    if baseline.ct is None or followup.ct is None:
        which = "baseline" if baseline.ct is None else "follow-up"
        raise FollowupError(f"the {which} folder holds no CT series to register; give folders with PET and CT, "
                            "or pass --no-register when both studies share the patient's position")
    reg = register_rigid(_subsampled(baseline.ct, REGISTRATION_VOXEL_MM),
                         _subsampled(followup.ct, REGISTRATION_VOXEL_MM), progress=progress, iterations=100)
    return {"followup_from_baseline": reg.pet_from_anat, "summary": reg.summary(), "metric": reg.metric,
            "method": f"rigid, Mattes MI, CT to CT subsampled to ~{REGISTRATION_VOXEL_MM:g} mm"}


def apply(t: np.ndarray, points) -> np.ndarray:
    p = np.asarray(points, float)
    return p @ np.asarray(t, float)[:3, :3].T + np.asarray(t, float)[:3, 3]


# ============================================================================ measuring
def _liver(tp: TimePoint, centre) -> dict:
    from workstation.analysis.references import liver_reference

    suv = liver_reference(tp.suv, tp.geometry, centre)
    sul = liver_reference(tp.sul, tp.geometry, centre)
    return {"centre_world": [float(v) for v in centre], "suv_mean": suv.mean, "suv_sd": suv.std, "sul_mean": sul.mean,
            "sul_sd": sul.std, "voxels": suv.voxels}


def _blood_pool(tp: TimePoint, centre) -> dict:
    from workstation.analysis.references import blood_pool_reference

    suv = blood_pool_reference(tp.suv, tp.geometry, centre)
    sul = blood_pool_reference(tp.sul, tp.geometry, centre)
    return {"centre_world": [float(v) for v in centre], "suv_mean": suv.mean, "suv_sd": suv.std, "sul_mean": sul.mean,
            "sul_sd": sul.std, "voxels": suv.voxels}


def measure_timepoint(tp: TimePoint, liver_world, *, blood_pool_world=None, min_volume_ml: float = 0.5,
                      progress=None) -> dict:
    """Segment (PERCIST threshold on SUVbw, brain/bladder excluded) and measure each lesion."""
    from workstation.analysis.errors import QuantError
    from workstation.analysis.regions import region_stats
    from workstation.analysis.segmentation import segment_whole_body

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
    from workstation.analysis.regions import region_stats
    from workstation.analysis.shapes import sphere_mask

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


def match_lesions(base_labels: np.ndarray, base_geometry: ImageGeometry, base_centres, fu_labels: np.ndarray,
                  fu_geometry: ImageGeometry, fu_centres, followup_from_baseline, gate_mm: float = MATCH_GATE_MM):
    """One-to-one matches ``[(b, f, overlap, distance_mm)]`` (0-based lesion indices; label = index + 1).

    Overlap: fraction of baseline lesion b's voxel centres that, carried to the follow-up, fall in
    follow-up lesion f. Allowed pairs overlap or lie within ``gate_mm``; the assignment maximises
    overlap, then minimises distance.
    """
    from scipy.optimize import linear_sum_assignment

    nb, nf = len(base_centres), len(fu_centres)
    if nb == 0 or nf == 0:
        return []
    t = np.asarray(followup_from_baseline, float)
    overlap = np.zeros((nb, nf))
    kji = np.argwhere(base_labels > 0)
    if kji.size:
        labs = base_labels[tuple(kji.T)]
        world = apply(t, base_geometry.kji_to_world(kji.astype(float)))
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
    carried = apply(t, np.asarray(base_centres, float).reshape(-1, 3))
    dist = np.linalg.norm(carried[:, None, :] - np.asarray(fu_centres, float).reshape(-1, 3)[None, :, :], axis=-1)
    allowed = (overlap > 0) | (dist <= gate_mm)
    big = 1e6
    cost = np.where(allowed, -overlap + dist / 1e4, big)
    rows, cols = linear_sum_assignment(cost)
    return [(int(b), int(f), float(overlap[b, f]), float(dist[b, f])) for b, f in zip(rows, cols) if allowed[b, f]]


# ============================================================================ the reading
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
    names: dict = field(default_factory=dict)  # key -> reader's name

    # ---- editing the matches (the reader confirms, renames or unlinks)
    def unlink(self, key: str) -> None:
        row = next((r for r in self.rows() if r.key == key), None)
        if row is None or row.status != "matched":
            raise FollowupError(f"{key} is not a matched lesion")
        self.matches = [m for m in self.matches if m[0] != row.baseline_index]

    def link(self, baseline_index: int, followup_index: int) -> None:
        if not (0 <= baseline_index < len(self.base["lesions"]) and 0 <= followup_index < len(self.fu["lesions"])):
            raise FollowupError("link: no such baseline or follow-up lesion")
        self.matches = [m for m in self.matches if m[0] != baseline_index and m[1] != followup_index]
        c = apply(self.followup_from_baseline, self.base["lesions"][baseline_index].centre_world)
        d = float(np.linalg.norm(c - np.asarray(self.fu["lesions"][followup_index].centre_world)))
        self.matches.append((baseline_index, followup_index, float("nan"), d))

    def rename(self, key: str, name: str) -> None:
        self.names[key] = str(name)

    def carry_to_followup(self, world) -> np.ndarray:
        return apply(self.followup_from_baseline, world)

    def carry_to_baseline(self, world) -> np.ndarray:
        return apply(np.linalg.inv(self.followup_from_baseline), world)

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
                c = self.carry_to_followup(les.centre_world)
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
            r.name = self.names.get(r.key, r.key)
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

    def to_dict(self, method: str | None = None) -> dict:
        out = {
            "registration": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.registration.items()},
            "followup_from_baseline": np.asarray(self.followup_from_baseline).tolist(),
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
                  progress=None) -> FollowupReading:
    """Register (unless ``followup_from_baseline`` is given), segment, measure and match both studies.

    Reference VOI centres are baseline world points carried to the follow-up through the
    registration unless ``followup_*_world`` are given.
    """
    def part(a, b):
        return None if progress is None else progress.sub(a, b)

    registration = {}
    if followup_from_baseline is None:
        registration = register_timepoints(baseline, followup, progress=part(0.0, 0.5))
        t = registration["followup_from_baseline"]
    else:
        t = np.asarray(followup_from_baseline, float)
        registration = {"method": "given", "followup_from_baseline": t}
    fl = followup_liver_world if followup_liver_world is not None else apply(t, liver_world)
    fbp = followup_blood_pool_world
    if fbp is None and blood_pool_world is not None:
        fbp = apply(t, blood_pool_world)
    base = measure_timepoint(baseline, liver_world, blood_pool_world=blood_pool_world, min_volume_ml=min_volume_ml,
                             progress=part(0.5, 0.75))
    fu = measure_timepoint(followup, fl, blood_pool_world=fbp, min_volume_ml=min_volume_ml, progress=part(0.75, 1.0))
    matches = match_lesions(base["labels"], baseline.geometry, [les.centre_world for les in base["lesions"]],
                            fu["labels"], followup.geometry, [les.centre_world for les in fu["lesions"]], t, gate_mm)
    return FollowupReading(baseline, followup, t, base, fu, matches, registration, after_one_cycle)
