"""Lesion segmentation: one lesion grown from a click (seeded) or every lesion of the body (whole-body).

Both work on an SUV array indexed ``[k, j, i]`` plus its :class:`ImageGeometry`; world points are
DICOM LPS millimetres. The method strings are those of ``core.vocabulary`` (``fixed:T``, ``pct:P``,
``percist``, ``a50``); the measurements of a lesion follow ``analysis.lesions.regions``.

Rules (the choices the literature leaves open, written down once)
-----------------------------------------------------------------
* **Thresholds** select ``SUV >= T`` and regions are 26-connected.
* **Seeded segmentation** (:func:`segment_seeded`) starts at the clicked voxel and climbs to the
  local maximum (steepest 26-neighbour ascent), so a click near a hot spot lands on its peak. Then:

  - ``fixed:T`` (default 2.5) and ``percist``: region growing at T from that voxel;
  - ``pct:P`` (default 41): region growing at P % of the maximum;
  - ``a50``: T = B + 0.5 (SUVmax − B), where the local background B is the **median SUV in a
    shell 6–16 mm outside the current region** (distance measured in mm from the region with a
    Euclidean distance transform; the 6 mm gap keeps the partial-volume spill-out of the lesion
    out of B). The first region is the one at 50 % of the maximum, or, when that one runs into
    a hotter structure, the maximum voxel alone; B and the region are then updated until the
    threshold changes by less than 0.1 % (at most 20 rounds).
  - pct / a50: if the grown region holds a voxel hotter than the maximum, the maximum moves there
    when the region grown from that voxel at its threshold still holds the first maximum (one
    lesion with several peaks); otherwise the lesion cannot be separated from the hotter
    structure at this threshold and a QuantError says so (no silently merged regions).
  - ``gradient`` (edge method, as PET Edge-type tools: the boundary is where the SUV falls
    fastest): rays are cast from the maximum in 98 directions; along each ray (samples every
    quarter of the smallest voxel, trilinear) the edge is the point of steepest SUV descent
    (the profile smoothed along the ray by :data:`GRADIENT_RAY_SMOOTH` voxel, so that the flank
    of a one-voxel hot spot is not the edge) before the profile rises again by more than
    :data:`GRADIENT_REBOUND` of its fall so far
    (another structure beyond; smaller ripples of noise or of a heterogeneous tumour are passed);
    T is the median SUV at those edge points, the region is grown at T, and cavities it encloses
    (a necrotic centre) are filled: the region is the whole tumour, as a GTV is. On a sphere
    blurred by a Gaussian PSF the steepest descent lies near the true surface, so the volume does
    not depend on a percentage.
* **Constraint and leaks (one mechanism for every seeded method).** A seeded region grows only
  inside a constraint (a sphere around the click, or a box; the caller shows it and lets the
  user resize it). When the caller gives none, the constraint is **sized from the tumour**: a
  sphere of :data:`DEFAULT_CONSTRAINT_MM` first, enlarged through :data:`AUTO_CONSTRAINT_MM`
  while the region reaches its surface (the report's ``constraint`` says the radius used and
  that it was enlarged, and a warning asks the reader to check the outline: a threshold that
  joins an organ smaller than the last sphere is not refused); a constraint the caller gives is
  never changed. :func:`_guard` checks every seeded
  region: if it touches the constraint's surface, or holds a voxel hotter than the lesion's own
  maximum that belongs to another structure, nothing is measured: :class:`SegmentationLeak`
  (a ``QuantError``) says what happened and carries the offending region so that it can be
  outlined. So no SUVmax outside the clicked lesion is ever reported.
* **PERCIST** uses the threshold of ``analysis.lesions.references`` from a liver VOI at ``liver_world``.
* **Whole-body segmentation** (:func:`segment_whole_body`) labels the 26-connected components
  above the threshold and keeps those of at least ``min_volume_ml``. For ``fixed`` and ``percist``
  that threshold is global. For ``pct`` and ``a50`` (thresholds relative to each lesion)
  candidates are the components above ``candidate_threshold`` (default SUV 2.5); inside each
  candidate the lesion is grown from its maximum at the lesion's own threshold (but never below
  the candidate threshold).
* **Brain / bladder exclusion** (whole-body only, by default: :data:`DEFAULT_EXCLUDE`, used by the
  CLI (`lesions`, `export`, `report`) and the viewer alike): the organ is a mask found from the
  image's anatomy (``analysis.lesions.organ_masks``: the bulky cranial / pelvic-midline part of a
  candidate component, found by a morphological opening); only the voxels inside the mask are
  removed. A component that crosses the mask boundary is cut there and its outside part is
  labelled again and kept (a head-and-neck cancer touching the brain stays a lesion). Every
  exclusion is listed (``report.excluded``: organ, volume, SUVmax, the volume cut off the
  component and kept); one outside the organ's plausible range is a warning (``report.warnings``).
* **Warnings**: a lesion of fewer than :data:`MIN_VOXELS_WARN` PET voxels is reported with a
  warning (its volume and mean are at the resolution limit), never silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workstation.kernels import labeling
from workstation.kernels import grow as grow_mod
from workstation.kernels import peak as peak_mod
from workstation.core import vocabulary as vocab
from workstation.core.geometry import ImageGeometry
from workstation.core.vocabulary import DEFAULT_CONSTRAINT_MM, DEFAULT_EXCLUDE, ORGANS

from workstation.analysis.errors import QuantError
from workstation.analysis.lesions.references import LIVER_DIAMETER_MM, liver_reference, percist_threshold
from workstation.analysis.lesions.regions import (bounding_box, check_image, padded_box, peak_reach, sub_geometry, summed_std,
                      world_of)
from workstation.analysis.lesions.shapes import world_point

DEFAULT_FIXED = vocab.DEFAULT_FIXED
DEFAULT_PCT = vocab.DEFAULT_PCT
METHODS_HELP = vocab.METHODS_HELP
A50_GAP_MM = 6.0
A50_SHELL_MM = 10.0
#: a lesion of fewer PET voxels than this is reported with a warning
MIN_VOXELS_WARN = 3
GRADIENT_RAYS = 98
#: radii (mm) tried in turn when the caller gives no constraint: the first the region does not reach is used
AUTO_CONSTRAINT_MM = (40.0, 60.0, 90.0, 135.0, 200.0)
#: gradient method: a ray stops where its profile rises again by more than this fraction of its fall so far
GRADIENT_REBOUND = 0.3
#: gradient method: each ray's profile is smoothed along the ray by a Gaussian of this many (coarsest) voxel
#: spacings, so that the flank of a one-voxel hot spot at the maximum is not taken for the tumour's edge
#: (1-D smoothing leaves the inflection of a symmetric edge in place)
GRADIENT_RAY_SMOOTH = 1.0


@dataclass(frozen=True)
class Constraint:
    """Where a seeded region may grow: a sphere (``radius_mm`` around ``centre_world``) or an
    axis-aligned box (``half_size_mm`` (x, y, z) around ``centre_world``), world LPS mm."""

    centre_world: tuple[float, float, float]
    radius_mm: float | None = DEFAULT_CONSTRAINT_MM
    half_size_mm: tuple[float, float, float] | None = None

    def __post_init__(self):
        if self.half_size_mm is None and not (self.radius_mm is not None and self.radius_mm > 0):
            raise QuantError(f"constraint radius must be > 0 mm, got {self.radius_mm}", field="constraint")
        if self.half_size_mm is not None and not all(h > 0 for h in self.half_size_mm):
            raise QuantError(f"constraint box half-sizes must be > 0 mm, got {self.half_size_mm}", field="constraint")

    @property
    def label(self) -> str:
        if self.half_size_mm is not None:
            return "box of " + " x ".join(f"{2 * h:g}" for h in self.half_size_mm) + " mm"
        return f"sphere of radius {self.radius_mm:g} mm"

    def masks(self, geometry: ImageGeometry) -> tuple[np.ndarray, np.ndarray]:
        """(inside, surface) boolean images: voxel centres inside the constraint, and those inside
        voxels that have a 6-neighbour outside it (or lie on the image border)."""
        from scipy import ndimage as ndi

        c = np.asarray(self.centre_world, float)
        half = np.asarray(self.half_size_mm, float) if self.half_size_mm is not None else np.full(3, self.radius_mm)
        corners = np.array([[c[0] + sx * half[0], c[1] + sy * half[1], c[2] + sz * half[2]]
                            for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
        kji = geometry.world_to_kji(corners)
        shape = np.asarray(geometry.shape)
        lo = np.clip(np.floor(kji.min(axis=0)).astype(int) - 1, 0, shape)
        hi = np.clip(np.ceil(kji.max(axis=0)).astype(int) + 2, 0, shape)
        inside = np.zeros(geometry.shape, bool)
        if np.all(hi > lo):
            k, j, i = np.meshgrid(*[np.arange(a, b) for a, b in zip(lo, hi)], indexing="ij")
            d = geometry.kji_to_world(np.stack([k.ravel(), j.ravel(), i.ravel()], 1).astype(float)) - c
            if self.half_size_mm is not None:
                sub = np.all(np.abs(d) <= half, axis=1)
            else:
                sub = np.einsum("ij,ij->i", d, d) <= float(self.radius_mm) ** 2
            inside[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = sub.reshape(k.shape)
        eroded = ndi.binary_erosion(inside, border_value=0)
        return inside, inside & ~eroded

    def to_dict(self) -> dict:
        return {"shape": "box" if self.half_size_mm is not None else "sphere",
                "centre_world": [float(v) for v in self.centre_world], "radius_mm": self.radius_mm,
                "half_size_mm": None if self.half_size_mm is None else [float(v) for v in self.half_size_mm]}


class SegmentationLeak(QuantError):
    """A seeded region reached its constraint or merged with a hotter structure: nothing was measured.

    ``kind`` is "constraint" or "hotter structure"; ``region`` the boolean image of what grew (to
    outline), ``constraint`` the :class:`Constraint` used, ``hotter_world`` where the hotter voxel is.
    """

    def __init__(self, message: str, *, kind: str, region=None, constraint=None, hotter_world=None):
        super().__init__(message, field="constraint" if kind == "constraint" else "seed_world")
        self.kind = kind
        self.region = region
        self.constraint = constraint
        self.hotter_world = hotter_world


def parse_method(method: str) -> vocab.Method:
    """``core.vocabulary.parse_method`` with its error as a QuantError (``field='method'``)."""
    try:
        return vocab.parse_method(method)
    except vocab.VocabularyError as exc:
        raise QuantError(str(exc), field="method") from None


# ============================================================================ results
@dataclass
class Lesion:
    label: int
    centre_world: tuple[float, float, float]  # centroid of the lesion voxels, LPS mm
    voxels: int
    mtv_ml: float
    suvmax: float
    suvmean: float
    suvpeak: float
    tlg: float  # SUVmean × MTV
    max_world: tuple[float, float, float]
    peak_world: tuple[float, float, float]
    suv_sd: float = float("nan")
    threshold: float = float("nan")  # the SUV threshold that defined this lesion
    background: float | None = None  # A50 local background

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class LesionReport:
    method: str
    threshold: float | None  # global threshold (None for per-lesion thresholds: pct / a50 whole-body)
    lesions: list[Lesion]
    total_mtv_ml: float
    total_tlg: float
    count: int
    seeded: bool = False
    min_volume_ml: float = 0.0
    reference: dict | None = None  # liver VOI used by percist
    excluded: list[dict] = field(default_factory=list)
    labels: np.ndarray | None = field(default=None, repr=False)  # int32 label image (lesion i = label i)
    exclude_rules: tuple = ()  # whole-body: the organs looked for (and removed when found)
    constraint: dict | None = None  # seeded: the constraint the region grew in
    warnings: list[str] = field(default_factory=list)  # what the reader must check (shown by CLI, viewer, report)

    def to_dict(self) -> dict:
        return {"method": self.method, "threshold": self.threshold, "seeded": self.seeded,
                "min_volume_ml": self.min_volume_ml, "count": self.count, "total_mtv_ml": self.total_mtv_ml,
                "total_tlg": self.total_tlg, "reference": self.reference, "excluded": list(self.excluded),
                "exclude_rules": list(self.exclude_rules), "constraint": self.constraint,
                "warnings": list(self.warnings), "lesions": [les.to_dict() for les in self.lesions]}

    def add_small_lesion_warnings(self) -> None:
        for les in self.lesions:
            if les.voxels < MIN_VOXELS_WARN:
                self.warnings.append(f"lesion {les.label}: only {les.voxels} PET voxel(s) ({les.mtv_ml:.2f} mL): "
                                     f"below {MIN_VOXELS_WARN} voxels its volume, SUVmean and TLG are not "
                                     "measurable; check the outline or use another method")


@dataclass
class _Request:
    """A checked segmentation request: the image, the method and the global threshold (None: per lesion)."""

    suv32: np.ndarray
    geometry: ImageGeometry
    name: str
    value: float | None
    threshold: float | None
    reference: dict | None
    progress: object = None

    @property
    def label(self) -> str:
        return vocab.Method(self.name, self.value).label

    @property
    def spacing_kji(self) -> tuple[float, float, float]:
        return tuple(self.geometry.spacing[::-1])

    def step(self, fraction: float, message: str) -> None:
        if self.progress is not None:
            self.progress.update(fraction, message)


def _request(suv, geometry, method, liver_world, liver_diameter_mm, progress) -> _Request:
    arr = check_image(suv, geometry)
    name, value = parse_method(method)
    suv32 = np.ascontiguousarray(arr, np.float32)
    if not np.isfinite(suv32).all():
        raise QuantError("the SUV image holds NaN or infinite values; check the PET series and its SUV factor")
    req = _Request(suv32, geometry, name, value, value if name == "fixed" else None, None, progress)
    req.step(0.0, "segmenting")
    if name == "percist":
        if liver_world is None:
            raise QuantError("method 'percist' needs a liver reference: give the world centre (LPS mm) of a "
                             "normal right liver lobe; the 3 cm liver VOI must lie inside the PET image",
                             field="liver_world")
        liver = liver_reference(suv32, geometry, liver_world, liver_diameter_mm)
        req.threshold = percist_threshold(liver)
        req.reference = {"liver": liver.to_dict(), "percist_threshold": req.threshold}
    return req


# ============================================================================ entry points
def find_lesions(suv, geometry: ImageGeometry, method: str = "fixed:2.5", seed_world=None, *,
                 liver_world=None, liver_diameter_mm: float = LIVER_DIAMETER_MM, min_volume_ml: float = 0.5,
                 exclude=DEFAULT_EXCLUDE, candidate_threshold: float = DEFAULT_FIXED, progress=None,
                 constraint=None) -> LesionReport:
    """:func:`segment_seeded` when ``seed_world`` is given, else :func:`segment_whole_body`."""
    if seed_world is not None:
        return segment_seeded(suv, geometry, seed_world, method, liver_world=liver_world,
                              liver_diameter_mm=liver_diameter_mm, progress=progress, constraint=constraint)
    return segment_whole_body(suv, geometry, method, liver_world=liver_world, liver_diameter_mm=liver_diameter_mm,
                              min_volume_ml=min_volume_ml, exclude=exclude, candidate_threshold=candidate_threshold,
                              progress=progress)


def segment_seeded(suv, geometry: ImageGeometry, seed_world, method: str = "fixed:2.5", *, liver_world=None,
                   liver_diameter_mm: float = LIVER_DIAMETER_MM, progress=None,
                   constraint: Constraint | float | None = None) -> LesionReport:
    """Grow one lesion from the clicked point ``seed_world`` (LPS mm) and measure it.

    ``method``: "fixed:2.5", "pct:41", "percist" (needs ``liver_world``), "a50" or "gradient".
    ``constraint``: a :class:`Constraint`, or a radius in mm of a sphere around the seed; None
    (the default): sized from the tumour (:data:`AUTO_CONSTRAINT_MM`, module docstring). Raises :class:`SegmentationLeak` when the region reaches the
    constraint or merges with a hotter structure. ``progress``: an object with
    ``update(fraction, message)`` that may raise to cancel. ``report.labels`` is the int32 label
    image (the lesion has label 1).
    """
    req = _request(suv, geometry, method, liver_world, liver_diameter_mm, progress)
    suv32 = req.suv32
    seed = geometry.world_to_nearest_kji(world_point(seed_world, "seed"))
    if seed is None:
        raise QuantError(f"seed {list(np.round(seed_world, 1))} mm lies outside the PET image; "
                         "click inside the field of view", field="seed_world")
    centre = tuple(float(v) for v in world_point(seed_world, "seed"))
    if constraint is None:  # sized from the tumour: enlarged while the region reaches it
        radii = AUTO_CONSTRAINT_MM
        for n_try, radius in enumerate(radii):
            try:
                report = _seeded_in(req, seed, Constraint(centre, radius))
            except SegmentationLeak as exc:
                if exc.kind != "constraint":
                    raise
                if n_try == len(radii) - 1:
                    raise SegmentationLeak(f"{exc} (the constraint was enlarged in steps from {radii[0]:g} to "
                                           f"{radii[-1]:g} mm)", kind=exc.kind, region=exc.region,
                                           constraint=exc.constraint) from None
                continue
            if n_try:
                report.constraint["enlarged_from_mm"] = radii[0]
                les = report.lesions[0]
                report.warnings.append(f"the region reached the {radii[0]:g} mm constraint; it was enlarged to "
                                       f"{radius:g} mm, where the region ({les.mtv_ml:.1f} mL) stops: check that "
                                       "the outline is the lesion and not an organ it joined at this threshold")
            return report
    if isinstance(constraint, (int, float)):
        constraint = Constraint(centre, float(constraint))
    return _seeded_in(req, seed, constraint)


def _seeded_in(req: _Request, seed, constraint: Constraint) -> LesionReport:
    """Seeded segmentation inside one constraint (see :func:`segment_seeded`)."""
    suv32, geometry = req.suv32, req.geometry
    inside, surface = constraint.masks(geometry)
    start = climb_to_max(np.where(inside, suv32, -np.inf).astype(np.float32), seed)
    background = None
    if req.threshold is not None:
        thr = req.threshold
        if not suv32[start] >= np.float32(thr):
            raise QuantError(f"no voxel at or above SUV {thr:.3g} near the seed (local maximum "
                             f"{float(suv32[start]):.3g}); click on the lesion or lower the threshold")
        region, box = _grow(suv32, start, thr, inside)
    elif req.name == "gradient":
        region, box, thr = gradient_region(suv32, geometry, start, inside)
    else:
        region, box, thr, start, background = _relative_region(suv32, start, req.name, req.value, req.spacing_kji,
                                                               limit=inside, guard=(inside, surface, constraint,
                                                                                    geometry))
    _guard(suv32, region, box, start, thr, inside, surface, constraint, geometry, req.label)
    # measure on a crop padded by the SUVpeak sphere (same numbers: outside the crop is outside the grid)
    crop = padded_box([sl.start for sl in box], [sl.stop for sl in box], peak_reach(geometry), suv32.shape)
    crop_labels = region[crop].astype(np.int32)
    report = _report(req, np.ascontiguousarray(suv32[crop]), crop_labels, 1, sub_geometry(geometry, crop),
                     [thr], [background], seeded=True, min_volume_ml=0.0, excluded=[])
    report.labels = np.zeros(suv32.shape, np.int32)
    report.labels[crop] = crop_labels
    report.constraint = constraint.to_dict()
    report.add_small_lesion_warnings()
    req.step(1.0, "1 lesion")
    return report


def segment_whole_body(suv, geometry: ImageGeometry, method: str = "fixed:2.5", *, liver_world=None,
                       liver_diameter_mm: float = LIVER_DIAMETER_MM, min_volume_ml: float = 0.5,
                       exclude=DEFAULT_EXCLUDE,
                       candidate_threshold: float = DEFAULT_FIXED, progress=None) -> LesionReport:
    """Find and measure every lesion of the image (see the module docstring for every rule).

    ``exclude``: any of "brain", "bladder". ``report.labels`` is the int32 label image (lesion i
    has label i).
    """
    exclude = tuple(str(e).lower() for e in (exclude or ()))
    bad = [e for e in exclude if e not in ORGANS]
    if bad:
        raise QuantError(f"cannot exclude {bad}: known organs are 'brain' and 'bladder'", field="exclude")
    if not (min_volume_ml >= 0):
        raise QuantError(f"minimum volume must be >= 0 mL, got {min_volume_ml}", field="min_volume_ml")
    req = _request(suv, geometry, method, liver_world, liver_diameter_mm, progress)
    suv32 = req.suv32
    base_thr = req.threshold if req.threshold is not None else candidate_threshold
    labels, n = labeling.label_components(suv32, base_thr)
    req.step(0.4, f"{n} components above SUV {base_thr:.3g}")
    st = labeling.label_stats(labels, suv32, n)
    excluded, warnings = [], []
    if exclude:
        keep = np.flatnonzero(st.count * geometry.voxel_volume_ml >= min_volume_ml) + 1
        found = _organ_masks(suv32, labels, st, geometry, exclude, keep)
        if found:
            masked = suv32.copy()
            for organ in found:
                sub = masked[organ.box]
                sub[organ.mask] = -np.inf
                excluded.append(_exclusion_entry(organ, suv32, geometry))
                if excluded[-1]["warning"]:
                    warnings.append(excluded[-1]["warning"])
            labels, n = labeling.label_components(masked, base_thr)  # the cut components, labelled again
            st = labeling.label_stats(labels, suv32, n)
            del masked
    keep = np.flatnonzero(st.count * geometry.voxel_volume_ml >= min_volume_ml) + 1
    new_labels = _relabel(labels, st.bbox, n, keep)
    thresholds = [base_thr] * keep.size
    backgrounds = [None] * keep.size
    if req.threshold is None:  # pct / a50: refine each candidate at its own threshold
        for idx, old in enumerate(keep):
            req.step(0.4 + 0.4 * idx / max(keep.size, 1), f"refining lesion {idx + 1}/{keep.size}")
            thresholds[idx], backgrounds[idx] = _refine_candidate(req, new_labels, idx + 1, st, old,
                                                                  candidate_threshold)
    report = _report(req, suv32, new_labels, int(keep.size), geometry, thresholds, backgrounds, seeded=False,
                     min_volume_ml=min_volume_ml, excluded=excluded)
    # a refined lesion can fall below the minimum volume: drop it (renumbering the rest)
    small = [les.label for les in report.lesions if les.mtv_ml < min_volume_ml]
    if small:
        keep2 = np.array([les.label for les in report.lesions if les.mtv_ml >= min_volume_ml], int)
        boxes = np.array([_box_of(new_labels, les.label, st.bbox[keep[les.label - 1] - 1])
                          for les in report.lesions], np.int64).reshape(-1, 6)
        labels2 = _relabel(new_labels, boxes, int(keep.size), keep2)
        report = _report(req, suv32, labels2, int(keep2.size), geometry, [thresholds[i - 1] for i in keep2],
                         [backgrounds[i - 1] for i in keep2], seeded=False, min_volume_ml=min_volume_ml,
                         excluded=excluded)
    report.exclude_rules = exclude
    report.warnings = warnings
    report.add_small_lesion_warnings()
    req.step(1.0, f"{report.count} lesions")
    return report


def _refine_candidate(req: _Request, labels: np.ndarray, lab: int, st, old: int, floor: float):
    """Grow lesion ``lab`` (candidate component ``old``) at its own threshold, inside its candidate.

    Voxels of the candidate outside the grown region are zeroed in ``labels`` (in place). Returns
    (threshold, background or None).
    """
    b = st.bbox[old - 1]
    pad = [int(math.ceil((A50_GAP_MM + A50_SHELL_MM) / s)) + 1 for s in req.spacing_kji]
    box = padded_box(b[:3], np.asarray(b[3:]) + 1, pad, req.suv32.shape)
    cand = labels[box] == lab
    start = tuple(int(x) - sl.start for x, sl in zip(st.argmax[old - 1], box))
    sub = np.ascontiguousarray(req.suv32[box])
    region, _, t, _, bg = _relative_region(sub, start, req.name, req.value, req.spacing_kji, limit=cand, floor=floor)
    view = labels[box]
    view[cand & ~region] = 0
    return t, bg


# ============================================================================ growing
def climb_to_max(suv: np.ndarray, start_kji) -> tuple[int, int, int]:
    """Steepest 26-neighbour ascent from ``start_kji`` to a local maximum (ties: first in raster order)."""
    p = tuple(int(x) for x in start_kji)
    for _ in range(int(sum(suv.shape))):  # the value rises strictly, so this ends; bound it anyway
        block_box = padded_box(p, [x + 1 for x in p], 1, suv.shape)
        block = suv[block_box]
        q = np.unravel_index(int(np.argmax(block)), block.shape)
        q = tuple(int(a + sl.start) for a, sl in zip(q, block_box))
        if not suv[q] > suv[p]:
            return p
        p = q
    return p


def _shell_background(suv, region, box, spacing_kji) -> float:
    """Median SUV in the shell A50_GAP_MM < distance <= A50_GAP_MM + A50_SHELL_MM outside a region.

    ``region`` is a boolean image (or None for the single voxel ``box``) and ``box`` the slices of
    its bounding box; only a padded box around it is looked at.
    """
    from scipy import ndimage as ndi

    reach = A50_GAP_MM + A50_SHELL_MM
    pad = [int(math.ceil(reach / s)) + 1 for s in spacing_kji]
    outer = padded_box([sl.start for sl in box], [sl.stop for sl in box], pad, suv.shape)
    local = np.zeros([sl.stop - sl.start for sl in outer], bool)
    inner = tuple(slice(sl.start - o.start, sl.stop - o.start) for sl, o in zip(box, outer))
    local[inner] = True if region is None else region[box]
    dist = ndi.distance_transform_edt(~local, sampling=spacing_kji)
    shell = (dist > A50_GAP_MM) & (dist <= reach)
    if not shell.any():
        raise QuantError("A50: no background voxels around the lesion (it fills the image); use another method")
    return float(np.median(np.asarray(suv[outer], np.float32)[shell]))


def _grow(suv32, start, thr, limit=None):
    """(mask, box) of the region grown from ``start`` at ``thr`` (inside ``limit`` when given)."""
    if limit is not None:
        suv32 = np.where(limit, suv32, -np.inf).astype(np.float32)
    return grow_mod.region_grow(suv32, start, thr, return_box=True)


def _region_max(suv32, region, box):
    vals = np.where(region[box], suv32[box], -np.inf)
    q = np.unravel_index(int(np.argmax(vals)), vals.shape)
    return float(vals[q]), tuple(int(a + sl.start) for a, sl in zip(q, box))


def _relative_region(suv32, start, name, value, spacing_kji, limit=None, floor=None, guard=None):
    """pct / a50 region from a local maximum: returns (mask, box, threshold, start, background or None).

    pct: T = P % of the maximum. a50: T = B + 0.5 (max - B) with B the shell median around the
    current region, starting from the maximum voxel alone and iterated to convergence. When the
    grown region holds a voxel hotter than the maximum, that voxel becomes the maximum only if the
    region grown from it at its own threshold still holds the starting voxel (same lesion);
    otherwise the lesion cannot be separated from the hotter structure and QuantError says so.
    """
    def clamp(t):
        return t if floor is None else max(t, floor)

    vmax = float(suv32[start])
    background = None
    if name == "a50":
        region, box = _grow(suv32, start, clamp(0.5 * vmax), limit)
        if _region_max(suv32, region, box)[0] > vmax:  # the 50 % region runs into a hotter structure
            background = _shell_background(suv32, None, tuple(slice(x, x + 1) for x in start), spacing_kji)
        else:
            background = _shell_background(suv32, region, box, spacing_kji)
    for _ in range(20):
        thr = clamp(value / 100.0 * vmax if name == "pct" else background + 0.5 * (vmax - background))
        thr = min(thr, vmax)  # a background above the maximum (a cold spot) leaves the maximum voxel(s)
        region, box = _grow(suv32, start, thr, limit)
        rmax, where = _region_max(suv32, region, box)
        if rmax > vmax:
            new_thr = clamp(value / 100.0 * rmax if name == "pct" else background + 0.5 * (rmax - background))
            if not _grow(suv32, where, new_thr, limit)[0][start]:
                what = f"{value:g} % of SUVmax" if name == "pct" else "A50"
                raise _hotter_leak(what, vmax, rmax, region, where, guard)
            start, vmax = where, rmax
            continue
        if name == "pct":
            return region, box, thr, start, None
        new_bg = _shell_background(suv32, region, box, spacing_kji)
        new_thr = clamp(new_bg + 0.5 * (vmax - new_bg))
        if abs(new_thr - thr) <= 1e-3 * abs(thr):
            return region, box, thr, start, background
        background = new_bg
    return region, box, thr, start, background


def _hotter_leak(what: str, vmax: float, rmax: float, region, where, guard) -> SegmentationLeak:
    geometry = guard[3] if guard else None
    hot = None if geometry is None else tuple(float(v) for v in geometry.kji_to_world(np.asarray(where, float)))
    at = "" if hot is None else f" at {', '.join(f'{v:.1f}' for v in hot)} mm"
    return SegmentationLeak(f"the {what} region grown from the seed (local SUVmax {vmax:.3g}) runs into a hotter "
                            f"structure (SUV {rmax:.3g}{at}): this lesion cannot be separated with {what}; try "
                            "another method, a smaller constraint, or click closer to the lesion's peak",
                            kind="hotter structure", region=region, constraint=guard[2] if guard else None,
                            hotter_world=hot)


def _guard(suv32, region, box, start, thr, inside, surface, constraint, geometry, label) -> None:
    """The one leak check of every seeded method (see the module docstring); raises SegmentationLeak."""
    vmax = float(suv32[start])
    rmax, where = _region_max(suv32, region, box)
    if rmax > vmax:
        raise _hotter_leak(label, vmax, rmax, region, where, (inside, surface, constraint, geometry))
    if np.any(region[box] & surface[box]):
        ml = float(np.count_nonzero(region[box])) * geometry.voxel_volume_ml
        raise SegmentationLeak(f"the {label} region (threshold SUV {thr:.3g}) reached the constraint ({constraint.label} "
                               f"around the click) after {ml:.1f} mL: the threshold does not separate the lesion from "
                               "its surroundings; enlarge the constraint if the lesion is larger, else use another "
                               "method or a higher threshold", kind="constraint", region=region, constraint=constraint)


def _unit_directions(n: int = GRADIENT_RAYS) -> np.ndarray:
    """``n`` nearly uniform unit vectors (Fibonacci sphere), (x, y, z)."""
    i = np.arange(n) + 0.5
    phi = np.arccos(1.0 - 2.0 * i / n)
    theta = np.pi * (1.0 + 5 ** 0.5) * i
    return np.stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)], axis=1)


def gradient_region(suv32: np.ndarray, geometry: ImageGeometry, start, inside: np.ndarray):
    """(mask, box, edge value T) of the gradient method (module docstring): T from the steepest descent
    along rays (:func:`gradient_threshold`), the region grown at T inside the constraint, the
    cavities it encloses filled."""
    from scipy import ndimage as ndi

    thr = gradient_threshold(suv32, geometry, start, inside)
    region, box = _grow(suv32, start, np.float32(thr), inside)
    if box is not None:
        crop = padded_box([sl.start for sl in box], [sl.stop for sl in box], 1, suv32.shape)
        region[crop] = ndi.binary_fill_holes(region[crop]) & inside[crop]
    return region, box, thr


def gradient_threshold(suv32: np.ndarray, geometry: ImageGeometry, start, inside=None) -> float:
    """Edge threshold from the steepest SUV descent along rays from the maximum ``start`` (k, j, i).

    Along each of :data:`GRADIENT_RAYS` rays (samples every quarter of the smallest voxel, linear
    interpolation, up to the constraint or the image edge) the profile is followed while it falls;
    the edge is where the descent per mm is steepest (the middle of a straight steepest stretch). The threshold is the median SUV at
    the edge points of all rays (rays without any fall are skipped).
    """
    from scipy import ndimage as ndi

    step = 0.25 * float(min(geometry.spacing))
    reach = DEFAULT_CONSTRAINT_MM if inside is None else None
    p0 = geometry.kji_to_world(np.asarray(start, float))
    if reach is None:  # the farthest inside voxel bounds the rays
        kk = np.argwhere(inside)
        reach = float(np.max(np.linalg.norm(geometry.kji_to_world(kk.astype(float)) - p0, axis=1))) + step
    s = np.arange(0.0, reach + step, step)
    dirs = _unit_directions()
    pts = p0[None, None, :] + dirs[:, None, :] * s[None, :, None]  # (rays, samples, 3)
    kji = geometry.world_to_kji(pts.reshape(-1, 3)).T
    prof = ndi.map_coordinates(suv32, kji, order=1, mode="constant", cval=np.nan).reshape(len(dirs), len(s))
    if inside is not None:
        near = np.clip(np.rint(kji).astype(int), 0, np.asarray(suv32.shape)[:, None] - 1)
        ok = inside[near[0], near[1], near[2]].reshape(len(dirs), len(s))
        prof = np.where(ok, prof, np.nan)
    edges = []
    sigma = GRADIENT_RAY_SMOOTH * float(max(geometry.spacing)) / step  # samples
    for row in prof:
        valid = np.isfinite(row)
        n = int(np.argmin(valid)) if not valid.all() else len(row)
        r = row[:n]
        if r.size < 3:
            continue
        r = ndi.gaussian_filter1d(r, sigma, mode="nearest") if sigma > 0 else r
        d = np.diff(r)
        # follow the fall: stop where the profile rises again by more than GRADIENT_REBOUND of the fall so
        # far (another structure beyond); smaller ripples (noise, a heterogeneous tumour) are passed
        low = np.minimum.accumulate(r)
        fall = float(r[0]) - low
        rising = np.flatnonzero((r - low > GRADIENT_REBOUND * fall) & (fall > 1e-6 * max(1.0, abs(float(r[0])))))
        stop = int(rising[0]) - 1 if rising.size else d.size
        if stop < 1:
            continue
        j = int(np.argmin(d[:stop]))  # steepest descent between samples j and j+1
        if not d[j] < -1e-6 * max(1.0, abs(float(r[0]))):
            continue  # a flat ray (it left the image or the constraint before any fall): no edge
        a, b = j, j  # a straight stretch of the same steepest slope: its middle is the edge
        while a > 0 and d[a - 1] <= 0.99 * d[j]:
            a -= 1
        while b + 1 < stop and d[b + 1] <= 0.99 * d[j]:
            b += 1
        edges.append(0.5 * (r[a] + r[b + 1]))
    if not edges:
        raise QuantError("gradient: no edge found around the maximum (flat image); use another method")
    return float(np.median(edges))


# ============================================================================ measuring labels
def _lesions_from_labels(suv32, labels, n, geometry, thresholds, backgrounds, progress=None) -> list[Lesion]:
    st = labeling.label_stats(labels, suv32, n)
    if progress is not None:
        progress.update(0.8, "SUVpeak")
    peak, pcentre = peak_mod.suvpeak_labels(suv32, labels, geometry.spacing, st.bbox, n)
    vv = geometry.voxel_volume_ml
    out = []
    for idx in range(n):
        lab = idx + 1
        b = st.bbox[idx]
        box = labels[b[0]:b[3] + 1, b[1]:b[4] + 1, b[2]:b[5] + 1] == lab
        centroid = np.mean(np.nonzero(box), axis=1) + b[:3]
        cnt = int(st.count[idx])
        mean, sd = summed_std(cnt, float(st.sum[idx]), float(st.sumsq[idx]))
        mtv = cnt * vv
        out.append(Lesion(lab, world_of(geometry, centroid), cnt, mtv, float(st.max[idx]), mean, float(peak[idx]),
                          mean * mtv, world_of(geometry, st.argmax[idx]), world_of(geometry, pcentre[idx]), sd,
                          float(thresholds[idx]), backgrounds[idx]))
    return out


def _report(req: _Request, suv32, labels, n, geometry, thresholds, backgrounds, *, seeded, min_volume_ml,
            excluded) -> LesionReport:
    lesions = _lesions_from_labels(suv32, labels, n, geometry, thresholds, backgrounds, req.progress)
    return LesionReport(req.label, req.threshold if not seeded else float(thresholds[0]), lesions,
                        float(sum(les.mtv_ml for les in lesions)), float(sum(les.tlg for les in lesions)),
                        len(lesions), seeded, min_volume_ml, req.reference, excluded, labels)


def _relabel(labels: np.ndarray, bbox: np.ndarray, n: int, keep: np.ndarray) -> np.ndarray:
    """Keep labels ``keep`` (ascending) renumbered 1..len(keep), zero the others; in place, per bounding box.

    Labels are processed in ascending order and each new number is below the old one, so a later
    box never meets a voxel already renumbered to its own old value.
    """
    keep = np.asarray(keep, int)
    if keep.size == n and np.array_equal(keep, np.arange(1, n + 1)):
        return labels
    new = np.zeros(n + 1, np.int64)
    new[keep] = np.arange(1, keep.size + 1)
    for old in range(1, n + 1):
        b = bbox[old - 1]
        if b[3] < 0:
            continue
        view = labels[b[0]:b[3] + 1, b[1]:b[4] + 1, b[2]:b[5] + 1]
        view[view == old] = new[old]
    return labels


def _box_of(labels, lab, hint) -> tuple[int, ...]:
    """Bounding box (kmin, jmin, imin, kmax, jmax, imax) of label ``lab`` inside the box ``hint``."""
    box = bounding_box(labels[hint[0]:hint[3] + 1, hint[1]:hint[4] + 1, hint[2]:hint[5] + 1] == lab)
    if box is None:
        return (0, 0, 0, -1, -1, -1)
    return (*(sl.start + int(h) for sl, h in zip(box, hint[:3])), *(sl.stop - 1 + int(h) for sl, h in zip(box, hint[:3])))


def _organ_masks(suv32, labels, st, geometry: ImageGeometry, exclude, keep) -> list:
    """The organ masks (``analysis.lesions.organ_masks``) of the organs in ``exclude``, brain first."""
    from workstation.analysis.lesions.organ_masks import find_organ

    found, taken = [], None
    for organ in ORGANS:
        if organ not in exclude:
            continue
        om = find_organ(organ, labels, st, geometry, keep, taken, suv=suv32)
        if om is None:
            continue
        found.append(om)
        taken = om.full(labels.shape) if taken is None else (taken | om.full(labels.shape))
    return found


def _exclusion_entry(organ, suv32, geometry: ImageGeometry) -> dict:
    """What an exclusion removed: organ, centre, volume, SUVmax, what of its component was kept, a warning."""
    from workstation.analysis.lesions.organ_masks import plausibility_warning

    vals = suv32[organ.box][organ.mask]
    kji = np.argwhere(organ.mask).mean(axis=0) + [sl.start for sl in organ.box]
    vol = float(vals.size * geometry.voxel_volume_ml)
    suvmax = float(vals.max())
    return {"organ": organ.organ, "centre_world": [float(x) for x in geometry.kji_to_world(kji)],
            "volume_ml": vol, "suvmax": suvmax, "component_ml": organ.component_ml,
            "kept_outside_ml": max(organ.component_ml - vol, 0.0), "core_radius_mm": organ.core_radius_mm,
            "warning": plausibility_warning(organ.organ, vol, suvmax)}
