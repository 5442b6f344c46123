"""Volumes of interest (VOIs) of a reading: the shapes a reader draws and their statistics.

Concept
-------
A VOI is a set of voxels **of the PET grid** (never of the display grid: statistics are always on
the native PET voxels) with the SUV statistics of ``regions.region_stats`` over it (a
:class:`~workstation.analysis.regions.RegionStats`). Its shape is given in world coordinates of the
PET frame (DICOM LPS mm; the viewer maps a click through the session's ``pet_from_anat`` transform
first):

* ``sphere``: centre + radius; ``box``: two opposite corners (world-axis aligned);
* ``lesion``: grown from a seed with a segmentation method of ``analysis.lesions.segmentation``
  (``fixed:T``, ``pct:P``, ``percist``, ``a50``), or one component of a whole-body detection;
* ``liver``: the PERCIST liver reference, a 3 cm diameter sphere;
* ``blood_pool``: the mediastinal blood-pool reference, a 1 cm × 2 cm cylinder along the slice normal.

Membership of spheres, boxes and cylinders is the centre-inclusion rule of ``analysis.lesions.shapes``.
Each VOI keeps its mask as a crop (``lo`` offset + boolean block) so that many VOIs stay small in
memory. How a VOI is drawn (its colour) and how the viewer names the methods live in
``ui.quant.voi_style``; the CSV file of :meth:`VoiModel.rows` is written by ``io.table_csv``.

:class:`VoiModel` is an evented model without Qt (napari style, like ``fusion.ReadingSession``):
``model.events.connect(name, cb)`` with the events ``added`` (voi), ``changed`` (voi),
``removed`` (voi_id), ``selected`` (voi_id) and ``suv`` (new SUV image: every VOI re-measured;
segmented masks are kept as they were segmented, with the threshold they were made with).
Segmentation is a plain function (:func:`segment_lesion`, :func:`detect_lesions`) that the UI
runs off its thread and hands back to :meth:`VoiModel.add_segmentation` /
:meth:`VoiModel.update_segmentation`.

Reading aids (only when the reference VOIs exist): the PERCIST threshold (1.5 × liver mean + 2 SD,
else 2 × blood-pool mean + 2 SD) and per-VOI measurability (SUVpeak ≥ threshold), and the
quantitative Deauville surrogate of ``response.deauville_score`` (needs liver and blood pool).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from workstation.core.geometry import ImageGeometry

from workstation.analysis.lesions import references as R
from workstation.analysis.lesions.regions import RegionStats, bounding_box, measure_crop
from workstation.core.vocabulary import DEFAULT_EXCLUDE
from workstation.analysis.lesions.segmentation import segment_seeded, segment_whole_body
from workstation.analysis.lesions.shapes import box_mask, cylinder_mask, sphere_mask, world_point
from workstation.analysis.reading.events import EventEmitter

KINDS = ("sphere", "box", "lesion", "liver", "blood_pool", "structure")
REFERENCE_KINDS = ("liver", "blood_pool")

class VoiError(ValueError):
    """Bad VOI request (unknown id, empty shape, wrong kind); the message says the fix."""


# ============================================================================ segmentation (pure)
@dataclass
class Segmentation:
    """A segmented region on the PET grid (crop ``lo`` + ``crop``) and how it was made."""

    method: str
    threshold: float
    lo: tuple[int, int, int]
    crop: np.ndarray  # bool
    seed_world: tuple[float, float, float] | None = None
    background: float | None = None


def _crop_of(mask: np.ndarray, lo=(0, 0, 0)) -> tuple[tuple[int, int, int], np.ndarray]:
    box = bounding_box(mask)
    if box is None:
        raise VoiError("the VOI holds no voxel of the PET image; draw it inside the PET field of view")
    crop = np.ascontiguousarray(mask[box], bool)
    return tuple(sl.start + int(o) for sl, o in zip(box, lo)), crop


def segment_lesion(suv, geometry: ImageGeometry, seed_world, method: str, *, liver_world=None,
                   liver_diameter_mm: float = R.LIVER_DIAMETER_MM, progress=None, constraint=None) -> Segmentation:
    """Grow one lesion from a seed (PET-frame world, LPS mm) with ``method`` (``segmentation.segment_seeded``),
    inside ``constraint`` (a ``segmentation.Constraint`` or a sphere radius in mm; default sphere)."""
    rep = segment_seeded(suv, geometry, seed_world, method, liver_world=liver_world,
                         liver_diameter_mm=liver_diameter_mm, progress=progress, constraint=constraint)
    lesion = rep.lesions[0]
    lo, crop = _crop_of(rep.labels == 1)
    return Segmentation(rep.method, float(lesion.threshold), lo, crop,
                        tuple(float(x) for x in seed_world), lesion.background)


class Detected(list):
    """The lesions of a whole-body detection (a list of :class:`Segmentation`) plus what was left out:
    ``exclude_rules`` (organs looked for) and ``excluded`` (the components removed, as in the report)."""

    excluded: list
    exclude_rules: tuple
    warnings: list


def detect_lesions(suv, geometry: ImageGeometry, method: str, *, liver_world=None,
                   liver_diameter_mm: float = R.LIVER_DIAMETER_MM, min_volume_ml: float = 0.5,
                   exclude=DEFAULT_EXCLUDE, progress=None) -> list[Segmentation]:
    """Whole-body detection: one :class:`Segmentation` per lesion of ``segmentation.segment_whole_body``."""
    rep = segment_whole_body(suv, geometry, method, liver_world=liver_world, liver_diameter_mm=liver_diameter_mm,
                             min_volume_ml=min_volume_ml, exclude=exclude, progress=progress)
    out = Detected()
    out.excluded, out.exclude_rules = list(rep.excluded), tuple(rep.exclude_rules)
    out.warnings = list(rep.warnings)
    objects = ndimage.find_objects(rep.labels, max_label=rep.count) if rep.count else []
    for les, sl in zip(rep.lesions, objects):
        if sl is None:
            continue
        lo = tuple(int(s.start) for s in sl)
        out.append(Segmentation(rep.method, float(les.threshold), lo, rep.labels[sl] == les.label,
                                tuple(float(x) for x in les.max_world), les.background))
    return out


# ============================================================================ VOIs
@dataclass
class VOI:
    id: int
    kind: str  # one of KINDS
    name: str
    lo: tuple[int, int, int]  # array index (k, j, i) of crop[0, 0, 0] on the PET grid
    crop: np.ndarray = field(repr=False)  # bool block of the mask
    params: dict = field(default_factory=dict)  # shape: centre_world/radius_mm, corners, seed_world/method, ...
    stats: RegionStats | None = None  # regions.region_stats over the mask
    ordinal: int = 0  # n-th non-reference VOI of its model (0, 1, ...): what ui.quant.voi_style cycles colours by
    source: str = "manual"  # manual | seeded | whole-body | reference

    @property
    def method(self) -> str:
        return str(self.params.get("method", ""))

    @property
    def threshold(self) -> float | None:
        return self.params.get("threshold")

    @property
    def is_reference(self) -> bool:
        return self.kind in REFERENCE_KINDS

    def slices(self) -> tuple[slice, slice, slice]:
        return tuple(slice(a, a + n) for a, n in zip(self.lo, self.crop.shape))

    def mask(self, shape) -> np.ndarray:
        """The full boolean mask on a grid of ``shape`` (the PET grid)."""
        m = np.zeros(shape, bool)
        m[self.slices()] = self.crop
        return m

    def centre_world(self, geometry: ImageGeometry) -> np.ndarray:
        """Where the VOI is (PET-frame world): the shape's centre, or the centroid of a segmented region."""
        if "centre_world" in self.params:
            return np.asarray(self.params["centre_world"], float)
        kji = np.mean(np.nonzero(self.crop), axis=1) + np.asarray(self.lo)
        return geometry.kji_to_world(kji)


class VoiModel:
    """The VOIs of one PET (SUV image on its own grid), evented, without Qt."""

    def __init__(self, suv: np.ndarray, geometry: ImageGeometry, units: str = "SUV"):
        self.events = EventEmitter()
        self.geometry = geometry
        self.suv = self._check_suv(suv, geometry)
        self.units = units
        self.vois: dict[int, VOI] = {}
        self.selected: int | None = None
        self._next = 1
        self._lesion_count = 0

    @staticmethod
    def _check_suv(suv, geometry) -> np.ndarray:
        arr = np.asarray(suv, np.float32)
        if arr.shape != tuple(geometry.shape):
            raise VoiError(f"SUV image shape {arr.shape} does not match the PET geometry {geometry.shape}")
        return arr

    # ------------------------------------------------------------ SUV
    def set_suv(self, suv: np.ndarray, units: str | None = None) -> None:
        """A new SUV image (SUV factor or type changed): re-measure every VOI (masks unchanged)."""
        self.suv = self._check_suv(suv, self.geometry)
        if units is not None:
            self.units = units
        for v in self.vois.values():
            v.stats = measure_crop(self.suv, self.geometry, v.lo, v.crop)
        self.events.emit("suv")

    # ------------------------------------------------------------ access
    def get(self, voi_id: int) -> VOI:
        try:
            return self.vois[int(voi_id)]
        except (KeyError, TypeError, ValueError):
            raise VoiError(f"no VOI with id {voi_id!r}; it may have been deleted") from None

    def lesions(self) -> list[VOI]:
        return [v for v in self.vois.values() if not v.is_reference]

    def reference(self, kind: str) -> VOI | None:
        return next((v for v in self.vois.values() if v.kind == kind), None)

    def select(self, voi_id: int | None) -> None:
        self.selected = None if voi_id is None else self.get(voi_id).id
        self.events.emit("selected", voi_id=self.selected)

    # ------------------------------------------------------------ adding
    def _add(self, kind, name, mask_or_crop, params, source, lo=None) -> VOI:
        if lo is None:
            lo, crop = _crop_of(np.asarray(mask_or_crop, bool))
        else:
            lo, crop = _crop_of(np.asarray(mask_or_crop, bool), lo)
        vid = self._next
        self._next += 1
        ordinal = -1
        if kind not in REFERENCE_KINDS:
            ordinal, self._lesion_count = self._lesion_count, self._lesion_count + 1
        v = VOI(vid, kind, name or f"{kind} {vid}", lo, crop, dict(params), measure_crop(self.suv, self.geometry, lo, crop),
                ordinal, source)
        self.vois[vid] = v
        self.events.emit("added", voi=v)
        return v

    def restore(self, kind: str, name: str, lo, crop, params: dict, source: str = "manual") -> VOI:
        """Add a VOI saved with a reading session (its mask as crop + origin; statistics recomputed)."""
        if kind not in KINDS:
            raise VoiError(f"unknown VOI kind {kind!r}")
        if kind in REFERENCE_KINDS:
            old = self.reference(kind)
            if old is not None:
                self.delete(old.id)
        return self._add(kind, name, np.asarray(crop, bool), params, source, lo=tuple(int(v) for v in lo))

    def add_sphere(self, centre_world, radius_mm: float, name: str = "") -> VOI:
        c = world_point(centre_world, "sphere centre")
        mask = sphere_mask(self.geometry, c, float(radius_mm))
        return self._add("sphere", name, mask, {"centre_world": c.tolist(), "radius_mm": float(radius_mm)}, "manual")

    def add_box(self, corner_a_world, corner_b_world, name: str = "") -> VOI:
        a, b = world_point(corner_a_world, "box corner"), world_point(corner_b_world, "box corner")
        mask = box_mask(self.geometry, a, b)
        return self._add("box", name, mask, {"corner_a": a.tolist(), "corner_b": b.tolist(),
                                             "centre_world": ((a + b) / 2).tolist()}, "manual")

    def set_liver_reference(self, centre_world, diameter_mm: float = R.LIVER_DIAMETER_MM) -> VOI:
        """The liver reference VOI (a sphere, PERCIST: 3 cm); replaces an existing one."""
        c = world_point(centre_world, "liver VOI centre")
        mask = sphere_mask(self.geometry, c, diameter_mm / 2.0)
        old = self.reference("liver")
        v = self._add("liver", "liver reference", mask, {"centre_world": c.tolist(), "diameter_mm": float(diameter_mm),
                                                         "radius_mm": float(diameter_mm) / 2.0}, "reference")
        if old is not None:
            self.delete(old.id)
        return v

    def set_blood_pool_reference(self, centre_world, diameter_mm: float = R.BLOOD_POOL_DIAMETER_MM,
                                 length_mm: float = R.BLOOD_POOL_LENGTH_MM) -> VOI:
        """The blood-pool reference VOI (cylinder along the slice normal); replaces an existing one."""
        c = world_point(centre_world, "blood-pool VOI centre")
        mask = cylinder_mask(self.geometry, c, diameter_mm, length_mm)
        old = self.reference("blood_pool")
        v = self._add("blood_pool", "blood-pool reference", mask,
                      {"centre_world": c.tolist(), "diameter_mm": float(diameter_mm), "length_mm": float(length_mm)},
                      "reference")
        if old is not None:
            self.delete(old.id)
        return v

    def add_structure(self, mask: np.ndarray, name: str, colour=None, params: dict | None = None) -> VOI:
        """A structure of the study (SEG segment, RTSTRUCT ROI) already on the PET grid, as a VOI.

        ``colour``: the file's display colour, RGB 0-255 (kept in ``params["colour_rgb"]``; the viewer
        draws the structure in it)."""
        m = np.asarray(mask, bool)
        if m.shape != tuple(self.geometry.shape):
            raise VoiError(f"structure {name!r}: mask shape {m.shape} is not the PET grid {self.geometry.shape}")
        if not m.any():
            raise VoiError(f"structure {name!r} has no voxel on the PET grid")
        p = dict(params or {})
        if colour is not None:
            p["colour_rgb"] = [int(c) for c in colour[:3]]
        return self._add("structure", name, m, p, "structure")

    def add_segmentation(self, seg: Segmentation, name: str = "", source: str = "seeded") -> VOI:
        return self._add("lesion", name, seg.crop, self._seg_params(seg), source, lo=seg.lo)

    @staticmethod
    def _seg_params(seg: Segmentation) -> dict:
        p = {"method": seg.method, "threshold": seg.threshold}
        if seg.seed_world is not None:
            p["seed_world"] = list(seg.seed_world)
        if seg.background is not None:
            p["background"] = seg.background
        return p

    def replace_whole_body(self, segs: list[Segmentation]) -> list[VOI]:
        """Drop the VOIs of an earlier whole-body detection and add these."""
        for v in [v for v in self.vois.values() if v.source == "whole-body"]:
            self.delete(v.id)
        return [self.add_segmentation(s, source="whole-body") for s in segs]

    # ------------------------------------------------------------ editing
    def update_segmentation(self, voi_id: int, seg: Segmentation) -> VOI:
        """Replace a lesion VOI's region (new threshold or method)."""
        v = self.get(voi_id)
        if v.kind != "lesion":
            raise VoiError(f"VOI {v.id} is a {v.kind}, not a segmented lesion")
        v.lo, v.crop = _crop_of(seg.crop, seg.lo)
        keep_seed = v.params.get("seed_world")
        v.params = self._seg_params(seg)
        if "seed_world" not in v.params and keep_seed is not None:
            v.params["seed_world"] = keep_seed
        v.stats = measure_crop(self.suv, self.geometry, v.lo, v.crop)
        self.events.emit("changed", voi=v)
        return v

    def set_radius(self, voi_id: int, radius_mm: float) -> VOI:
        """New radius of a sphere VOI (or liver reference: diameter = 2 × radius)."""
        v = self.get(voi_id)
        if v.kind not in ("sphere", "liver"):
            raise VoiError(f"VOI {v.id} is a {v.kind}; only spheres have a radius")
        if not radius_mm > 0:
            raise VoiError(f"radius must be positive, got {radius_mm}")
        mask = sphere_mask(self.geometry, v.params["centre_world"], float(radius_mm))
        v.lo, v.crop = _crop_of(mask)
        v.params["radius_mm"] = float(radius_mm)
        if v.kind == "liver":
            v.params["diameter_mm"] = 2.0 * float(radius_mm)
        v.stats = measure_crop(self.suv, self.geometry, v.lo, v.crop)
        self.events.emit("changed", voi=v)
        return v

    def rename(self, voi_id: int, name: str) -> VOI:
        v = self.get(voi_id)
        v.name = str(name)
        self.events.emit("changed", voi=v)
        return v

    def delete(self, voi_id: int) -> None:
        v = self.get(voi_id)
        del self.vois[v.id]
        if self.selected == v.id:
            self.selected = None
        self.events.emit("removed", voi_id=v.id)

    def clear(self) -> None:
        for vid in list(self.vois):
            self.delete(vid)

    # ------------------------------------------------------------ reading aids
    def _reference_voi(self, kind: str):
        v = self.reference(kind)
        if v is None:
            return None
        size = (v.params["diameter_mm"],) if kind == "liver" else (v.params["diameter_mm"], v.params["length_mm"])
        return R.ReferenceVOI.from_stats(kind, "sphere" if kind == "liver" else "cylinder",
                                         v.params["centre_world"], size, v.stats)

    def liver_kwargs(self) -> dict:
        """``liver_world`` / ``liver_diameter_mm`` of the liver reference VOI for segmentation (empty without one)."""
        v = self.reference("liver")
        if v is None:
            return {}
        return {"liver_world": tuple(v.params["centre_world"]), "liver_diameter_mm": v.params["diameter_mm"]}

    def percist_threshold(self) -> float | None:
        """1.5 × liver mean + 2 SD (or 2 × blood-pool mean + 2 SD); None without a reference VOI."""
        liver, blood = self._reference_voi("liver"), self._reference_voi("blood_pool")
        if liver is None and blood is None:
            return None
        return R.percist_threshold(liver, blood)

    def deauville(self, voi_id: int) -> int | None:
        """Quantitative Deauville surrogate of a VOI's SUVmax; None without both references."""
        v = self.get(voi_id)
        liver, blood = self._reference_voi("liver"), self._reference_voi("blood_pool")
        if v.is_reference or liver is None or blood is None or not v.stats.voxels:
            return None
        from workstation.analysis.followup.response import deauville_points

        return deauville_points(v.stats.max, blood.mean, liver.mean)

    def percist_measurable(self, voi_id: int) -> bool | None:
        v = self.get(voi_id)
        thr = self.percist_threshold()
        if v.is_reference or thr is None or v.stats.suvpeak is None:
            return None
        return bool(v.stats.suvpeak >= thr)

    def summary(self) -> str:
        """One line about the reference VOIs and what they enable."""
        parts = []
        for kind, label in (("liver", "Liver"), ("blood_pool", "Blood pool")):
            v = self.reference(kind)
            if v is not None:
                parts.append(f"{label}: mean {v.stats.mean:.2f} SD {v.stats.std:.2f} {self.units}")
        thr = self.percist_threshold()
        if thr is not None:
            parts.append(f"PERCIST threshold {thr:.2f}")
        if self.reference("liver") is not None and self.reference("blood_pool") is not None:
            parts.append("Deauville shown per VOI")
        return " · ".join(parts) if parts else "No reference VOI: place a liver (and blood-pool) VOI for PERCIST/Deauville"

    # ------------------------------------------------------------ table rows (io.table_csv writes them)
    def row(self, voi_id: int) -> dict:
        v = self.get(voi_id)
        st = v.stats
        c = v.centre_world(self.geometry)
        mw = st.max_world or [float("nan")] * 3
        pw = st.peak_world or [float("nan")] * 3
        peak = st.suvpeak
        return {"id": v.id, "name": v.name, "kind": v.kind, "method": v.method,
                "threshold": v.threshold, "background": v.params.get("background"), "units": self.units,
                "centre_x_mm": float(c[0]), "centre_y_mm": float(c[1]), "centre_z_mm": float(c[2]),
                "voxels": int(st.voxels), "volume_ml": float(st.volume_ml), "suv_min": float(st.min),
                "suv_max": float(st.max), "suv_mean": float(st.mean), "suv_median": float(st.median),
                "suv_std": float(st.std), "suv_peak": float("nan") if peak is None else float(peak),
                "tlg": float(st.tlg), "max_x_mm": mw[0], "max_y_mm": mw[1], "max_z_mm": mw[2],
                "peak_x_mm": pw[0], "peak_y_mm": pw[1], "peak_z_mm": pw[2],
                "percist_threshold": self.percist_threshold(), "percist_measurable": self.percist_measurable(v.id),
                "deauville": self.deauville(v.id)}

    def rows(self) -> list[dict]:
        return [self.row(vid) for vid in self.vois]

    # ------------------------------------------------------------ outlines (plain data for render)
    def outline_items(self) -> list[tuple]:
        """(voi, selected) of every VOI: what ``render.overlays`` draws (the colour is the viewer's choice)."""
        return [(v, v.id == self.selected) for v in self.vois.values()]
