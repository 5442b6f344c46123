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
  - ``gradient`` (edge method, as PET Edge-type tools: the boundary is where the SUV falls to
    the background, found along rays): from the maximum, :data:`GRADIENT_RAYS` rays (samples every
    quarter of the smallest voxel, trilinear, each profile smoothed along the ray by
    :data:`GRADIENT_RAY_SMOOTH` voxel) up to the constraint or the image edge. The local
    background B is the lower quartile of the A50 shell around the lesion's A50 region
    (:func:`gradient_background`); a profile has fallen to the background below
    L = B + :data:`GRADIENT_EXTENT` (SUVmax − B). The tumour's extent is what is connected to the
    maximum above L (on the image smoothed by one voxel; a hotter voxel is a barrier; holes filled
    per slice). On each ray the edge is the OUTERMOST fall: from the ray's last point in that
    extent, inwards to the top M of its final fall (ripples passed), the boundary is where the
    profile first crosses (M + B) / 2 outwards from M. So a hot cap inside a heterogeneous tumour,
    or the inner edge of a hot rim around a necrotic centre, is not taken for the tumour's edge,
    and a neighbour that joins the tumour only below L is not followed. A neighbour joined ABOVE L (a
    bridge; a lesion at an organ's edge with air around it, B = 0): a ray whose final fall starts from a
    top below the lesion's half-way (B + SUVmax) / 2, which it climbed to from a valley by more than
    :data:`GRADIENT_SEPARATE` of (top − B), has its final fall behind a valley (another structure, or a
    lobe of a non-convex tumour that the ray re-enters); the region is built with those rays as found and
    with them stopped at the lesion's own first fall: when the first is more than
    :data:`GRADIENT_SEPARATE_RATIO` times the second (the two disagree by more than the method's
    accuracy), the second is the result and a warning gives both volumes. A ray stops at its lowest
    point before it enters a structure hotter than the maximum. Each ray's radius and half-way value
    are the median over it and its :data:`GRADIENT_NEIGHBOURS` nearest rays (outlier rays
    rejected); the region is the voxels inside the surface through the edges (within half a voxel
    diagonal of it, those that reach their ray's half-way value), connected to the maximum, cavities
    filled: the whole tumour, as a GTV is. On a uniform sphere blurred by a PSF the half-way
    crossing lies near the true surface, whatever the contrast. Limit: a hot spot in the MIDDLE of
    a warm mass has the warm mass all around (its lower quartile), so only the hot spot is found.
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
* **A fixed threshold in an organ** (``fixed``, ``percist``): a region that grew beyond
  :data:`DEFAULT_CONSTRAINT_MM` from the click is refused (:class:`SegmentationLeak`, kind "organ
  background", :func:`_organ_leak_check`) when the lesion's local background (A50 shell median) is
  at or above the threshold, or when the region grown at the threshold on the image smoothed by
  one voxel is less than half of it (the threshold is within the noise of the tissue around the
  lesion: the liver at SUV 2.2 with SUV 2.5): the message suggests % of SUVmax or A50.
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
  The brain is found on the components above :data:`ORGAN_FIND_SUV` (or the method's threshold
  when that is lower), whatever the method's threshold (the bladder, solid at any level, at the
  method's): at a higher one (PERCIST: 1.5 x liver + 2 SD,
  often SUV 3.5-4.5) a real FDG brain falls apart into a cortical shell and islands (white matter
  lies near that level), the opening finds only part of the shell and the rest would come out as
  "lesions"; at SUV 2.5 the brain is one bulky component, where the opening is made for.
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
#: SUV above which the physiological organs (brain, bladder) are found for exclusion (module docstring)
ORGAN_FIND_SUV = 2.5
GRADIENT_RAYS = 400
#: radii (mm) tried in turn when the caller gives no constraint: the first the region does not reach is used
AUTO_CONSTRAINT_MM = (40.0, 60.0, 90.0, 135.0, 200.0)
#: gradient method: a profile has fallen to the background below B + this fraction of (SUVmax - B)
GRADIENT_EXTENT = 0.15
#: gradient method: the background B is this percentile of the A50 shell around the lesion's A50 region
GRADIENT_BG_PERCENTILE = 25
#: gradient method: going inwards from the tumour's outer end, the top of its final fall is passed when the
#: profile drops below its running top by more than this fraction of (top - B) (ripples are passed)
GRADIENT_RIPPLE = 0.1
#: gradient method: going inwards up the final fall, its top is where the climb per sample falls below this
#: fraction of its steepest (a plateau or a peak: a hot cap beyond the plateau is not the top)
GRADIENT_KNEE = 0.2
#: gradient method: a ray whose final fall starts below the lesion's half-way (B + SUVmax) / 2, from a top
#: that it climbed to from a valley by more than this fraction of (top - B), has met another structure
#: (first choice, not fitted; but the real-lesion matrix is sensitive to it: at 0.2 the STS_005 sarcoma is
#: cut to 0.36x of its GTV (warned), at 0.45 the Lu-177 SCAN_001 bridge is no longer caught)
GRADIENT_SEPARATE = 0.3
#: gradient method: when the region with such rays is more than this many times the region with them stopped
#: at the lesion's own first fall, the two readings disagree by more than the method's stated accuracy
#: (0.5-2x of a GTV): the lesion's own edge is used and a warning gives both volumes
GRADIENT_SEPARATE_RATIO = 2.0
#: gradient method: each ray's radius and half-way value are the median over it and its nearest rays
GRADIENT_NEIGHBOURS = 7
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
    notes: list[str] = []
    if req.threshold is not None:
        thr = req.threshold
        if not suv32[start] >= np.float32(thr):
            raise QuantError(f"no voxel at or above SUV {thr:.3g} near the seed (local maximum "
                             f"{float(suv32[start]):.3g}); click on the lesion or lower the threshold")
        region, box = _grow(suv32, start, thr, inside)
    elif req.name == "gradient":
        region, box, thr, notes = gradient_region(suv32, geometry, start, inside)
        for _ in range(3):  # a hotter voxel of the same tumour (a rim, several peaks): its maximum is there
            rmax, where = _region_max(suv32, region, box)
            if not rmax > float(suv32[start]):
                break
            again = gradient_region(suv32, geometry, where, inside)
            if not again[0][start]:
                break  # another structure: _guard says so
            start = where
            region, box, thr, notes = again
    else:
        region, box, thr, start, background = _relative_region(suv32, start, req.name, req.value, req.spacing_kji,
                                                               limit=inside, guard=(inside, surface, constraint,
                                                                                    geometry))
    _guard(suv32, region, box, start, thr, inside, surface, constraint, geometry, req.label)
    if req.threshold is not None:
        _organ_leak_check(suv32, geometry, region, box, start, thr, inside, constraint, req.label)
    # measure on a crop padded by the SUVpeak sphere (same numbers: outside the crop is outside the grid)
    crop = padded_box([sl.start for sl in box], [sl.stop for sl in box], peak_reach(geometry), suv32.shape)
    crop_labels = region[crop].astype(np.int32)
    report = _report(req, np.ascontiguousarray(suv32[crop]), crop_labels, 1, sub_geometry(geometry, crop),
                     [thr], [background], seeded=True, min_volume_ml=0.0, excluded=[])
    report.labels = np.zeros(suv32.shape, np.int32)
    report.labels[crop] = crop_labels
    report.constraint = constraint.to_dict()
    report.warnings.extend(notes)
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
        brain_thr = min(base_thr, ORGAN_FIND_SUV)
        if "brain" in exclude and brain_thr < base_thr:  # the brain found where it is solid (module docstring)
            blabels, bn = labeling.label_components(suv32, brain_thr)
            bst = labeling.label_stats(blabels, suv32, bn)
            bkeep = np.flatnonzero(bst.count * geometry.voxel_volume_ml >= min_volume_ml) + 1
            found = _organ_masks(suv32, blabels, bst, geometry, ("brain",), bkeep)
            del blabels
            found += _organ_masks(suv32, labels, st, geometry, tuple(e for e in exclude if e != "brain"), keep,
                                  taken=found[0].full(labels.shape) if found else None)
        else:
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


def _organ_leak_check(suv32, geometry: ImageGeometry, region, box, start, thr, inside, constraint, label) -> None:
    """A fixed threshold that grew beyond :data:`DEFAULT_CONSTRAINT_MM` from the click into tissue around the
    lesion that is itself at the threshold (an organ: the liver at SUV 2.5) is a leak: raises
    :class:`SegmentationLeak` (kind "organ background") when the lesion's local background (the A50
    shell median) is at or above the threshold, or when the region grown at the threshold on the image
    smoothed by one voxel is less than half of it (it grew through the noise of tissue just below the
    threshold)."""
    from scipy import ndimage as ndi

    c = np.asarray(constraint.centre_world, float)
    kk = np.argwhere(region[box]) + [sl.start for sl in box]
    far = float(np.max(np.linalg.norm(geometry.kji_to_world(kk.astype(float)) - c, axis=1)))
    if far <= DEFAULT_CONSTRAINT_MM:
        return
    vmax = float(suv32[start])
    try:
        bg = _relative_region(suv32, start, "a50", None, tuple(geometry.spacing[::-1]))[4]
    except QuantError:
        bg = None
    n = int(np.count_nonzero(region[box]))
    crop = padded_box([sl.start for sl in box], [sl.stop for sl in box], 3, suv32.shape)
    sm = ndi.gaussian_filter(suv32[crop], 1.0, mode="nearest")
    local = tuple(int(a - sl.start) for a, sl in zip(start, crop))
    sm = np.where(inside[crop] & (suv32[crop] <= np.float32(vmax)), sm, -np.inf).astype(np.float32)
    n_smooth = int(np.count_nonzero(grow_mod.region_grow(sm, local, np.float32(thr)))) if sm[local] >= thr else 0
    ml = n * geometry.voxel_volume_ml
    if bg is not None and bg >= thr:
        why = f"the tissue around the lesion is itself at SUV {bg:.3g} (its A50 background), not below {thr:.3g}"
    elif n_smooth < 0.5 * n:
        why = (f"it grew through the noise of the tissue around the lesion (on the image smoothed by one voxel "
               f"it is {n_smooth * geometry.voxel_volume_ml:.1f} mL)")
    else:
        return
    raise SegmentationLeak(f"the {label} region grew {far:.0f} mm from the click ({ml:.1f} mL) into an organ: {why}; "
                           "a fixed threshold cannot separate this lesion: use % of SUVmax (e.g. 41 %) or A50",
                           kind="organ background", region=region, constraint=constraint)


def _unit_directions(n: int = GRADIENT_RAYS) -> np.ndarray:
    """``n`` nearly uniform unit vectors (Fibonacci sphere), (x, y, z)."""
    i = np.arange(n) + 0.5
    phi = np.arccos(1.0 - 2.0 * i / n)
    theta = np.pi * (1.0 + 5 ** 0.5) * i
    return np.stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)], axis=1)


def gradient_background(suv32: np.ndarray, geometry: ImageGeometry, start) -> float:
    """The gradient method's local background B: the lower quartile (:data:`GRADIENT_BG_PERCENTILE`) of
    the SUV in the A50 shell (6-16 mm) around the converged A50 region of the maximum ``start``.

    The lower quartile, not the median: a hot part at the rim of a warm tumour has the tumour on one
    side and normal tissue on the other, and the tumour's warm part is not its background."""
    from scipy import ndimage as ndi

    sp = tuple(geometry.spacing[::-1])
    region, box, _, _, _ = _relative_region(suv32, start, "a50", None, sp)
    reach = A50_GAP_MM + A50_SHELL_MM
    pad = [int(math.ceil(reach / x)) + 1 for x in sp]
    outer = padded_box([sl.start for sl in box], [sl.stop for sl in box], pad, suv32.shape)
    dist = ndi.distance_transform_edt(~region[outer], sampling=sp)
    shell = (dist > A50_GAP_MM) & (dist <= reach)
    if not shell.any():
        raise QuantError("gradient: no background voxels around the lesion (it fills the image); use another method")
    return float(np.percentile(np.asarray(suv32[outer], np.float32)[shell], GRADIENT_BG_PERCENTILE))


@dataclass
class RayEdges:
    """What the gradient method found along its rays (for tests and the report)."""

    background: float  # B
    extent_level: float  # L: the level at which a profile has fallen to the background
    radii_mm: np.ndarray  # per ray, after the neighbour median
    half_values: np.ndarray  # per ray, the half-way value (M + B) / 2 of its final fall, after the median
    reached_end: np.ndarray  # per ray: no edge before the constraint or the image edge
    separated: np.ndarray | None = None  # per ray: its final fall is behind a valley (module docstring)
    own: "RayEdges | None" = None  # the edges with every separated ray stopped at the lesion's own first fall


def ray_edges(suv32: np.ndarray, geometry: ImageGeometry, start, inside: np.ndarray,
              n_rays: int = GRADIENT_RAYS) -> tuple[RayEdges, np.ndarray]:
    """The per-ray edges of the gradient method (module docstring); returns (edges, directions)."""
    from scipy import ndimage as ndi
    from scipy.spatial import cKDTree

    vmax = float(suv32[start])
    B = min(gradient_background(suv32, geometry, start), vmax)
    level = B + GRADIENT_EXTENT * (vmax - B)
    ib = bounding_box(inside)
    box = padded_box([sl.start for sl in ib], [sl.stop for sl in ib], 2, suv32.shape)
    off = np.array([sl.start for sl in box])
    sub = suv32[box]
    st = tuple(int(a - o) for a, o in zip(start, off))
    # the tumour's extent: what is connected to the maximum above L (the image smoothed by one voxel, so
    # that noise does not bridge; voxels hotter than the maximum are a barrier), holes filled per slice
    sm = ndi.gaussian_filter(sub, 1.0, mode="nearest")
    vals = np.where(inside[box] & (sub <= np.float32(vmax)), sm, -np.inf).astype(np.float32)
    if float(sm[st]) >= level:
        extent = grow_mod.region_grow(vals, st, np.float32(level))
    else:  # a one-voxel spike: smoothed, it is below L; its extent is the voxel itself
        extent = np.zeros(sub.shape, bool)
        extent[st] = True
    for k in range(extent.shape[0]):
        if extent[k].any():
            extent[k] = ndi.binary_fill_holes(extent[k])
    step = 0.25 * float(min(geometry.spacing))
    p0 = geometry.kji_to_world(np.asarray(start, float))
    kk = np.argwhere(inside)
    reach = float(np.max(np.linalg.norm(geometry.kji_to_world(kk.astype(float)) - p0, axis=1))) + step
    s = np.arange(0.0, reach + step, step)
    dirs = _unit_directions(n_rays)
    pts = p0[None, None, :] + dirs[:, None, :] * s[None, :, None]
    kji = geometry.world_to_kji(pts.reshape(-1, 3)).T - off[:, None]
    raw = ndi.map_coordinates(sub, kji, order=1, mode="constant", cval=np.nan).reshape(len(dirs), len(s))
    near = np.rint(kji).astype(int)
    inb = np.all((near >= 0) & (near < np.asarray(sub.shape)[:, None]), axis=0)
    near = np.clip(near, 0, np.asarray(sub.shape)[:, None] - 1)
    ok = (inside[box][near[0], near[1], near[2]] & inb).reshape(raw.shape) & np.isfinite(raw)
    in_extent = extent[near[0], near[1], near[2]].reshape(raw.shape)
    sigma = GRADIENT_RAY_SMOOTH * float(max(geometry.spacing)) / step  # samples
    radii = np.zeros(len(dirs))
    halves = np.full(len(dirs), vmax)
    hit = np.zeros(len(dirs), bool)
    separated = np.zeros(len(dirs), bool)
    radii_own, halves_own, hit_own = radii.copy(), halves.copy(), hit.copy()
    for n in range(len(dirs)):
        m = int(np.argmin(ok[n])) if not ok[n].all() else ok.shape[1]
        if m < 2:
            hit[n] = hit_own[n] = True
            continue
        r = ndi.gaussian_filter1d(raw[n, :m], sigma, mode="nearest")
        hot = np.flatnonzero(raw[n, :m] > vmax)  # a hotter structure: stop at the lowest point before it
        lim = m if not hot.size else int(np.argmin(r[:hot[0]])) + 1
        inner = np.flatnonzero(in_extent[n, :lim])
        e = int(inner[-1]) if inner.size else 0  # the outermost point of the tumour's extent on this ray
        t, top, steepest = e, float(r[e]), 0.0  # the top M of the final fall: inwards from e while it climbs,
        while t > 0:  # up to where it flattens after its steepest part (a knee) or drops (ripples passed)
            rise = float(r[t - 1] - r[t])
            if float(r[t - 1]) < top - GRADIENT_RIPPLE * (top - B):
                break
            top = max(top, float(r[t - 1]))
            steepest = max(steepest, rise)
            t -= 1
            if rise < GRADIENT_KNEE * steepest:
                break
        t += int(np.argmax(r[t:e + 1]))
        radii[n], halves[n], hit[n] = _ray_edge(r, t, lim, B, s, step)
        radii_own[n], halves_own[n], hit_own[n] = radii[n], halves[n], hit[n]
        if t > 0 and float(r[t]) < B + 0.5 * (vmax - B):
            # the top of the final fall is below the lesion's own half-way and the ray climbed to it from a
            # valley: another structure behind the valley (or a lobe of the tumour re-entered): the lesion's
            # own edge on this ray is its first fall, from its own top before the valley
            valley = int(np.argmin(r[:t]))
            if float(r[t]) - float(r[valley]) > GRADIENT_SEPARATE * (float(r[t]) - B):
                separated[n] = True
                radii_own[n], halves_own[n], hit_own[n] = _ray_edge(r, int(np.argmax(r[:valley + 1])), lim, B, s,
                                                                    step)
    _, nbr = cKDTree(dirs).query(dirs, k=GRADIENT_NEIGHBOURS)
    edges = RayEdges(B, level, np.median(radii[nbr], axis=1), np.median(halves[nbr], axis=1), hit, separated)
    if separated.any():
        edges.own = RayEdges(B, level, np.median(radii_own[nbr], axis=1), np.median(halves_own[nbr], axis=1),
                             hit_own, separated)
    return edges, dirs


def _ray_edge(r, t, lim, B, s, step):
    """(radius, half-way value, reached the end) of one smoothed ray profile ``r`` whose final fall starts at
    sample ``t``: where it first crosses (r[t] + B) / 2 outwards from t, interpolated, before ``lim``."""
    half = B + 0.5 * (float(r[t]) - B)
    below = np.flatnonzero(r[t:lim] < half)
    if not below.size:
        return s[lim - 1], half, True
    j = t + int(below[0])
    a, b = float(r[j - 1]), float(r[j])
    return s[j - 1] + (step * (a - half) / (a - b) if a != b else 0.0), half, False


def gradient_region(suv32: np.ndarray, geometry: ImageGeometry, start, inside: np.ndarray):
    """(mask, box, edge value, warnings) of the gradient method (module docstring): the surface through the
    per-ray edges (:func:`ray_edges`), the voxels inside it, cavities filled; the edge value reported
    is the median of the rays' half-way values. When the rays that end behind a valley make the region
    more than :data:`GRADIENT_SEPARATE_RATIO` times the one with those rays stopped at the lesion's own
    first fall, the latter is returned and a warning gives both volumes."""

    edges, dirs = ray_edges(suv32, geometry, start, inside)
    region, box = _surface_region(suv32, geometry, start, inside, edges, dirs)
    notes = []
    if edges.own is not None:  # some rays' final fall lies behind a valley (module docstring)
        own, own_box = _surface_region(suv32, geometry, start, inside, edges.own, dirs)
        n_all, n_own = int(np.count_nonzero(region[box])), int(np.count_nonzero(own[own_box]))
        if n_all > GRADIENT_SEPARATE_RATIO * n_own:
            vv = geometry.voxel_volume_ml
            notes.append(f"gradient: on {int(edges.separated.sum())} of {len(dirs)} rays the outermost fall is "
                         "behind a valley, at the edge of a structure with its own maximum below the lesion's "
                         f"half-way (another lesion or organ joined by a bridge, or a lobe of the tumour): with "
                         f"it the outline would be {n_all * vv:.1f} mL, more than {GRADIENT_SEPARATE_RATIO:g}x the "
                         f"lesion's own edge ({n_own * vv:.1f} mL, shown); check the outline, or use A50 or a "
                         "smaller constraint")
            region, box, edges = own, own_box, edges.own
    return region, box, float(np.median(edges.half_values)), notes


def _surface_region(suv32, geometry: ImageGeometry, start, inside, edges: RayEdges, dirs):
    """(mask, box) of the voxels inside the surface through the per-ray ``edges`` (see :func:`gradient_region`)."""
    from scipy import ndimage as ndi
    from scipy.spatial import cKDTree

    p0 = geometry.kji_to_world(np.asarray(start, float))
    big = float(edges.radii_mm.max()) + float(max(geometry.spacing))
    corners = np.array([p0 + np.array([sx, sy, sz]) * big for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    kji = geometry.world_to_kji(corners)
    box = padded_box(np.floor(kji.min(axis=0)).astype(int), np.ceil(kji.max(axis=0)).astype(int) + 1, 1,
                     suv32.shape)
    idx = np.stack(np.meshgrid(*[np.arange(sl.start, sl.stop) for sl in box], indexing="ij"), -1).reshape(-1, 3)
    w = geometry.kji_to_world(idx.astype(float)) - p0
    d = np.linalg.norm(w, axis=1)
    dist, nearest = cKDTree(dirs).query(w / np.maximum(d, 1e-9)[:, None], k=3)
    wt = 1.0 / np.maximum(dist, 1e-6)
    rho = (edges.radii_mm[nearest] * wt).sum(1) / wt.sum(1)
    half = (edges.half_values[nearest] * wt).sum(1) / wt.sum(1)
    # inside the surface; within half a voxel diagonal of it, a voxel is in when it reaches its ray's half-way value
    band = 0.5 * float(np.linalg.norm(geometry.spacing))
    v = suv32[box].reshape(-1)
    keep = (d <= rho - band) | ((d <= rho + band) & (v >= half))
    region = np.zeros(suv32.shape, bool)
    region[box] = keep.reshape([sl.stop - sl.start for sl in box]) & inside[box]
    lab, _ = ndi.label(region[box], np.ones((3, 3, 3), bool))
    local = tuple(int(a - sl.start) for a, sl in zip(start, box))
    region[box] = lab == lab[local] if lab[local] else False
    region[start] = True
    bb = bounding_box(region)
    crop = padded_box([sl.start for sl in bb], [sl.stop for sl in bb], 1, suv32.shape)
    region[crop] = ndi.binary_fill_holes(region[crop]) & inside[crop]
    return region, bounding_box(region)


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


def _organ_masks(suv32, labels, st, geometry: ImageGeometry, exclude, keep, taken=None) -> list:
    """The organ masks (``analysis.lesions.organ_masks``) of the organs in ``exclude``, brain first;
    ``taken``: voxels already given to an organ."""
    from workstation.analysis.lesions.organ_masks import find_organ

    found = []
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
