"""Volumes of interest (VOIs) of a reading: the shapes a reader draws, their statistics, CSV export.

Concept
-------
A VOI is a set of voxels **of the PET grid** (never of the display grid: statistics are always on
the native PET voxels) with the SUV statistics of ``quant.region_stats`` over it. Its shape is
given in world coordinates of the PET frame (DICOM LPS mm; the viewer maps a click through the
session's ``pet_from_anat`` transform first):

* ``sphere``: centre + radius; ``box``: two opposite corners (world-axis aligned);
* ``lesion``: grown from a seed with a segmentation method of ``quant.find_lesions``
  (``fixed:T``, ``pct:P``, ``percist``, ``a50``), or one component of a whole-body detection;
* ``liver``: the PERCIST liver reference, a 3 cm diameter sphere;
* ``blood_pool``: the mediastinal blood-pool reference, a 1 cm × 2 cm cylinder along the slice normal.

Membership of spheres, boxes and cylinders is quant's centre-inclusion rule. Each VOI keeps its
mask as a crop (``lo`` offset + boolean block) so that many VOIs stay small in memory.

:class:`VoiModel` is an evented model without Qt (napari style, like ``fusion.ReadingSession``):
``model.events.connect(name, cb)`` with the events ``added`` (voi), ``changed`` (voi),
``removed`` (voi_id), ``selected`` (voi_id) and ``suv`` (new SUV image: every VOI re-measured;
segmented masks are kept as they were segmented, with the threshold they were made with).
Segmentation is a plain function (:func:`segment_lesion`, :func:`detect_lesions`) that the UI
runs off its thread and hands back to :meth:`VoiModel.add_segmentation` /
:meth:`VoiModel.update_segmentation`.

Reading aids (only when the reference VOIs exist): the PERCIST threshold (1.5 × liver mean + 2 SD,
else 2 × blood-pool mean + 2 SD) and per-VOI measurability (SUVpeak ≥ threshold), and the
quantitative Deauville surrogate of ``quant.deauville_score`` (needs liver and blood pool).
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage

from workstation import kernels as K
from workstation.core.geometry import ImageGeometry

from . import quant as Q
from .fusion import EventEmitter

KINDS = ("sphere", "box", "lesion", "liver", "blood_pool", "structure")
REFERENCE_KINDS = ("liver", "blood_pool")

#: The segmentation choices of the viewer: label -> method template ({v} = the user value).
METHOD_CHOICES: tuple[tuple[str, str], ...] = (
    ("fixed SUV 2.5", "fixed:2.5"),
    ("fixed SUV (user)", "fixed:{v}"),
    ("41 % of SUVmax", "pct:41"),
    ("50 % of SUVmax", "pct:50"),
    ("% of SUVmax (user)", "pct:{v}"),
    ("PERCIST (liver)", "percist"),
    ("A50 (background-adapted)", "a50"),
)

#: Outline colours (RGB 0..1). Lesion colours cycle; references have their own.
LESION_COLOURS = ((0.0, 1.0, 1.0), (1.0, 0.0, 1.0), (0.35, 0.55, 1.0), (0.55, 1.0, 0.0), (1.0, 0.55, 0.0),
                  (0.7, 0.4, 1.0))
REFERENCE_COLOURS = {"liver": (0.3, 0.3, 1.0), "blood_pool": (1.0, 0.45, 0.75)}

CSV_FIELDS = ("id", "name", "kind", "method", "threshold", "background", "units", "centre_x_mm", "centre_y_mm",
              "centre_z_mm", "voxels", "volume_ml", "suv_min", "suv_max", "suv_mean", "suv_median", "suv_std",
              "suv_peak", "tlg", "max_x_mm", "max_y_mm", "max_z_mm", "peak_x_mm", "peak_y_mm", "peak_z_mm",
              "percist_threshold", "percist_measurable", "deauville")


class VoiError(ValueError):
    """Bad VOI request (unknown id, empty shape, wrong kind); the message says the fix."""


def method_from_choice(label: str, user_value: float | None = None) -> str:
    """Method string of a viewer choice, e.g. ('% of SUVmax (user)', 35) -> 'pct:35'."""
    for text, template in METHOD_CHOICES:
        if text == label:
            if "{v}" in template:
                if user_value is None or not math.isfinite(float(user_value)) or float(user_value) <= 0:
                    raise VoiError(f"method {label!r} needs a positive user value, got {user_value!r}")
                return template.format(v=f"{float(user_value):g}")
            return template
    raise VoiError(f"unknown method choice {label!r}; choose one of {', '.join(t for t, _ in METHOD_CHOICES)}")


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
    nz = [np.flatnonzero(mask.any(axis=ax)) for ax in ((1, 2), (0, 2), (0, 1))]
    if any(a.size == 0 for a in nz):
        raise VoiError("the VOI holds no voxel of the PET image; draw it inside the PET field of view")
    a = [int(x[0]) for x in nz]
    b = [int(x[-1]) + 1 for x in nz]
    crop = np.ascontiguousarray(mask[a[0]:b[0], a[1]:b[1], a[2]:b[2]], bool)
    return (a[0] + lo[0], a[1] + lo[1], a[2] + lo[2]), crop


def segment_lesion(suv, geometry: ImageGeometry, seed_world, method: str, *, liver_world=None,
                   liver_diameter_mm: float = Q.LIVER_DIAMETER_MM, progress=None) -> Segmentation:
    """Grow one lesion from a seed (PET-frame world, LPS mm) with ``method`` (see ``quant.find_lesions``)."""
    rep = Q.find_lesions(suv, geometry, method, seed_world=seed_world, liver_world=liver_world,
                         liver_diameter_mm=liver_diameter_mm, progress=progress)
    lesion = rep.lesions[0]
    lo, crop = _crop_of(rep.labels == 1)
    return Segmentation(rep.method, float(lesion.threshold), lo, crop,
                        tuple(float(x) for x in seed_world), lesion.background)


def detect_lesions(suv, geometry: ImageGeometry, method: str, *, liver_world=None,
                   liver_diameter_mm: float = Q.LIVER_DIAMETER_MM, min_volume_ml: float = 0.5,
                   exclude=(), progress=None) -> list[Segmentation]:
    """Whole-body detection: one :class:`Segmentation` per lesion of ``quant.find_lesions`` (no seed)."""
    rep = Q.find_lesions(suv, geometry, method, liver_world=liver_world, liver_diameter_mm=liver_diameter_mm,
                         min_volume_ml=min_volume_ml, exclude=exclude, progress=progress)
    out = []
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
    stats: dict = field(default_factory=dict)  # quant.region_stats over the mask
    colour: tuple[float, float, float] = (0.0, 1.0, 1.0)
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


def measure(suv: np.ndarray, geometry: ImageGeometry, lo, crop: np.ndarray) -> dict:
    """``quant.region_stats`` of the mask (lo, crop), computed on a block padded by the SUVpeak sphere.

    Same numbers as on the whole image: voxels outside the padded block are outside the mask and
    beyond the reach of any SUVpeak sphere centred in it (the block is clipped only at the image border).
    """
    half = np.abs(K.sphere_offsets(geometry.spacing)).max(axis=0)
    a = [max(int(x) - int(h), 0) for x, h in zip(lo, half)]
    b = [min(int(x) + n + int(h), s) for x, n, h, s in zip(lo, crop.shape, half, suv.shape)]
    box = tuple(slice(p, q) for p, q in zip(a, b))
    m = np.zeros([q - p for p, q in zip(a, b)], bool)
    m[tuple(slice(x - p, x - p + n) for x, p, n in zip(lo, a, crop.shape))] = crop
    g = ImageGeometry(m.shape, geometry.spacing, geometry.kji_to_world(np.asarray(a, float)), geometry.direction)
    return Q.region_stats(np.ascontiguousarray(suv[box]), m, g)


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
            v.stats = measure(self.suv, self.geometry, v.lo, v.crop)
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
        if kind in REFERENCE_KINDS:
            colour = REFERENCE_COLOURS[kind]
        else:
            colour = LESION_COLOURS[self._lesion_count % len(LESION_COLOURS)]
            self._lesion_count += 1
        v = VOI(vid, kind, name or f"{kind} {vid}", lo, crop, dict(params), measure(self.suv, self.geometry, lo, crop),
                colour, source)
        self.vois[vid] = v
        self.events.emit("added", voi=v)
        return v

    def add_sphere(self, centre_world, radius_mm: float, name: str = "") -> VOI:
        c = Q._world3(centre_world, "sphere centre")
        mask = Q.sphere_mask(self.geometry, c, float(radius_mm))
        return self._add("sphere", name, mask, {"centre_world": c.tolist(), "radius_mm": float(radius_mm)}, "manual")

    def add_box(self, corner_a_world, corner_b_world, name: str = "") -> VOI:
        a, b = Q._world3(corner_a_world, "box corner"), Q._world3(corner_b_world, "box corner")
        mask = Q.box_mask(self.geometry, a, b)
        return self._add("box", name, mask, {"corner_a": a.tolist(), "corner_b": b.tolist(),
                                             "centre_world": ((a + b) / 2).tolist()}, "manual")

    def set_liver_reference(self, centre_world, diameter_mm: float = Q.LIVER_DIAMETER_MM) -> VOI:
        """The liver reference VOI (a sphere, PERCIST: 3 cm); replaces an existing one."""
        c = Q._world3(centre_world, "liver VOI centre")
        mask = Q.sphere_mask(self.geometry, c, diameter_mm / 2.0)
        old = self.reference("liver")
        v = self._add("liver", "liver reference", mask, {"centre_world": c.tolist(), "diameter_mm": float(diameter_mm),
                                                         "radius_mm": float(diameter_mm) / 2.0}, "reference")
        if old is not None:
            self.delete(old.id)
        return v

    def set_blood_pool_reference(self, centre_world, diameter_mm: float = Q.BLOOD_POOL_DIAMETER_MM,
                                 length_mm: float = Q.BLOOD_POOL_LENGTH_MM) -> VOI:
        """The blood-pool reference VOI (cylinder along the slice normal); replaces an existing one."""
        c = Q._world3(centre_world, "blood-pool VOI centre")
        mask = Q.cylinder_mask(self.geometry, c, diameter_mm, length_mm)
        old = self.reference("blood_pool")
        v = self._add("blood_pool", "blood-pool reference", mask,
                      {"centre_world": c.tolist(), "diameter_mm": float(diameter_mm), "length_mm": float(length_mm)},
                      "reference")
        if old is not None:
            self.delete(old.id)
        return v

    def add_structure(self, mask: np.ndarray, name: str, colour=None, params: dict | None = None) -> VOI:
        """A structure of the study (SEG segment, RTSTRUCT ROI) already on the PET grid, as a VOI.

        ``colour``: RGB 0-255 from the file (its display colour), else the next lesion colour."""
        m = np.asarray(mask, bool)
        if m.shape != tuple(self.geometry.shape):
            raise VoiError(f"structure {name!r}: mask shape {m.shape} is not the PET grid {self.geometry.shape}")
        if not m.any():
            raise VoiError(f"structure {name!r} has no voxel on the PET grid")
        v = self._add("structure", name, m, dict(params or {}), "structure")
        if colour is not None:
            v.colour = tuple(float(c) / 255.0 for c in colour[:3])
        return v

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
        v.stats = measure(self.suv, self.geometry, v.lo, v.crop)
        self.events.emit("changed", voi=v)
        return v

    def set_radius(self, voi_id: int, radius_mm: float) -> VOI:
        """New radius of a sphere VOI (or liver reference: diameter = 2 × radius)."""
        v = self.get(voi_id)
        if v.kind not in ("sphere", "liver"):
            raise VoiError(f"VOI {v.id} is a {v.kind}; only spheres have a radius")
        if not radius_mm > 0:
            raise VoiError(f"radius must be positive, got {radius_mm}")
        mask = Q.sphere_mask(self.geometry, v.params["centre_world"], float(radius_mm))
        v.lo, v.crop = _crop_of(mask)
        v.params["radius_mm"] = float(radius_mm)
        if v.kind == "liver":
            v.params["diameter_mm"] = 2.0 * float(radius_mm)
        v.stats = measure(self.suv, self.geometry, v.lo, v.crop)
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
        st = v.stats
        size = (v.params["diameter_mm"],) if kind == "liver" else (v.params["diameter_mm"], v.params["length_mm"])
        return Q.ReferenceVOI(kind, "sphere" if kind == "liver" else "cylinder",
                              tuple(v.params["centre_world"]), size, st["voxels"], st["volume_ml"], st["mean"],
                              st["std"], st["max"])

    def liver_kwargs(self) -> dict:
        """``liver_world`` / ``liver_diameter_mm`` of the liver reference VOI for quant (empty without one)."""
        v = self.reference("liver")
        if v is None:
            return {}
        return {"liver_world": tuple(v.params["centre_world"]), "liver_diameter_mm": v.params["diameter_mm"]}

    def percist_threshold(self) -> float | None:
        """1.5 × liver mean + 2 SD (or 2 × blood-pool mean + 2 SD); None without a reference VOI."""
        liver, blood = self._reference_voi("liver"), self._reference_voi("blood_pool")
        if liver is None and blood is None:
            return None
        return Q.percist_threshold(liver, blood)

    def deauville(self, voi_id: int) -> int | None:
        """Quantitative Deauville surrogate of a VOI's SUVmax; None without both references."""
        v = self.get(voi_id)
        liver, blood = self._reference_voi("liver"), self._reference_voi("blood_pool")
        if v.is_reference or liver is None or blood is None or not v.stats.get("voxels"):
            return None
        return Q.deauville_score(v.stats["max"], blood, liver)

    def percist_measurable(self, voi_id: int) -> bool | None:
        v = self.get(voi_id)
        thr = self.percist_threshold()
        if v.is_reference or thr is None or v.stats.get("suvpeak") is None:
            return None
        return bool(v.stats["suvpeak"] >= thr)

    def summary(self) -> str:
        """One line about the reference VOIs and what they enable."""
        parts = []
        for kind, label in (("liver", "Liver"), ("blood_pool", "Blood pool")):
            v = self.reference(kind)
            if v is not None:
                parts.append(f"{label}: mean {v.stats['mean']:.2f} SD {v.stats['std']:.2f} {self.units}")
        thr = self.percist_threshold()
        if thr is not None:
            parts.append(f"PERCIST threshold {thr:.2f}")
        if self.reference("liver") is not None and self.reference("blood_pool") is not None:
            parts.append("Deauville shown per VOI")
        return " · ".join(parts) if parts else "No reference VOI: place a liver (and blood-pool) VOI for PERCIST/Deauville"

    # ------------------------------------------------------------ table rows & CSV
    def row(self, voi_id: int) -> dict:
        v = self.get(voi_id)
        st = v.stats
        c = v.centre_world(self.geometry)
        mw = st.get("max_world") or [float("nan")] * 3
        pw = st.get("peak_world") or [float("nan")] * 3
        peak = st.get("suvpeak")
        return {"id": v.id, "name": v.name, "kind": v.kind, "method": v.method,
                "threshold": v.threshold, "background": v.params.get("background"), "units": self.units,
                "centre_x_mm": float(c[0]), "centre_y_mm": float(c[1]), "centre_z_mm": float(c[2]),
                "voxels": int(st["voxels"]), "volume_ml": float(st["volume_ml"]), "suv_min": float(st["min"]),
                "suv_max": float(st["max"]), "suv_mean": float(st["mean"]), "suv_median": float(st["median"]),
                "suv_std": float(st["std"]), "suv_peak": float("nan") if peak is None else float(peak),
                "tlg": float(st["tlg"]), "max_x_mm": mw[0], "max_y_mm": mw[1], "max_z_mm": mw[2],
                "peak_x_mm": pw[0], "peak_y_mm": pw[1], "peak_z_mm": pw[2],
                "percist_threshold": self.percist_threshold(), "percist_measurable": self.percist_measurable(v.id),
                "deauville": self.deauville(v.id)}

    def rows(self) -> list[dict]:
        return [self.row(vid) for vid in self.vois]

    def export_csv(self, path, overwrite: bool = False) -> Path:
        """Write one row per VOI (columns ``CSV_FIELDS``; numbers in full precision, '' for not applicable).

        Never overwrites an existing file unless ``overwrite=True`` (FileExistsError otherwise).
        No patient identity is written.
        """
        p = Path(path)
        if p.exists() and not overwrite:
            raise FileExistsError(f"{p} already exists; choose another file name or confirm overwriting")
        if not p.parent.is_dir():
            raise VoiError(f"cannot write {p}: folder {p.parent} does not exist")
        tmp = p.with_name(p.name + ".part")
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
            w.writeheader()
            for r in self.rows():
                w.writerow({k: _csv_value(r[k]) for k in CSV_FIELDS})
        os.replace(tmp, p)
        return p

    # ------------------------------------------------------------ outlines (plain data for render)
    def outline_items(self) -> list[tuple]:
        """(id, lo, crop, colour, selected) of every VOI: what ``render.overlays`` draws."""
        return [(v.id, v.lo, v.crop, v.colour, v.id == self.selected) for v in self.vois.values()]


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "" if not math.isfinite(v) else repr(v)
    return v
