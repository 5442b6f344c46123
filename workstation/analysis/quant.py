"""Quantification engine: VOIs, region statistics, lesion segmentation, SUVpeak, MTV and TLG.

Everything works on an SUV array indexed ``[k, j, i]`` plus its :class:`ImageGeometry`; world
points are DICOM LPS millimetres. No Qt; the hot loops are the kernels of
``workstation.kernels`` (numba) and the rules below are the ones their twins follow.

Rules (the choices the literature leaves open, written down once)
-----------------------------------------------------------------
* **Voxel membership of sphere, cylinder and box VOIs: centre inclusion.** A voxel belongs to
  the VOI when its centre lies inside the shape; no partial-voxel weights. The voxel count × the
  voxel volume is then bracketed by the volumes of the shape shrunk and grown by half a voxel
  diagonal, and over random positions of the centre it equals the shape's volume on average.
* **Statistics:** ``std`` is the population standard deviation (ddof = 0); ``median`` is NumPy's;
  volumes are voxel count × voxel volume (mL); ``tlg`` = SUVmean × volume (SUV·mL, i.e. g for
  SUVbw); ``suvpeak`` follows ``workstation.kernels.peak`` (1 cm³ sphere of voxel centres within
  6.2035 mm, centred on every voxel of the region, sphere voxels may lie outside the region,
  mean over the in-grid voxels at the image border).
* **Thresholds** select ``SUV >= T`` and regions are 26-connected.
* **Seeded segmentation** starts at the clicked voxel and climbs to the local maximum
  (steepest 26-neighbour ascent), so a click near a hot spot lands on its peak. Then:

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
* **PERCIST threshold** = 1.5 × liver SUVmean + 2 × liver SD, from a 3 cm diameter sphere VOI at
  the liver centre the user gives (``liver_world``). With an abnormal liver PERCIST uses the blood
  pool: 2.0 × blood-pool mean + 2 × SD, blood pool being a 1 cm diameter × 2 cm long cylinder in
  the descending thoracic aorta, axis along the slice normal.
* **Whole-body segmentation** labels the 26-connected components above the threshold and keeps
  those of at least ``min_volume_ml``. For ``fixed`` and ``percist`` that threshold is global.
  For ``pct`` and ``a50`` (thresholds relative to each lesion) candidates are the components above
  ``candidate_threshold`` (default SUV 2.5); inside each candidate the lesion is grown from its
  maximum at the lesion's own threshold (but never below the candidate threshold).
* **Brain / bladder exclusion** (whole-body only, on request, heuristics that report what they
  removed): *brain* is the largest component of at least 50 mL whose bounding-box centre lies in
  the superior 15 % of the scanned head-foot (world z) range; *bladder* is the largest component
  of at least 10 mL whose bounding-box centre lies in the inferior 30 % of that range and in the
  middle third of the left-right (world x) range. A scan that does not include the head or the
  pelvis can trip these rules; the excluded components are listed in the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workstation import kernels as K
from workstation.core.geometry import ImageGeometry

DEFAULT_FIXED = 2.5
DEFAULT_PCT = 41.0
LIVER_DIAMETER_MM = 30.0
BLOOD_POOL_DIAMETER_MM = 10.0
BLOOD_POOL_LENGTH_MM = 20.0
A50_GAP_MM = 6.0
A50_SHELL_MM = 10.0
BRAIN_MIN_ML = 50.0
BLADDER_MIN_ML = 10.0
METHODS_HELP = "fixed[:SUV] (default 2.5), pct[:PERCENT] (default 41), percist, a50"


class QuantError(ValueError):
    """Bad request to the quantification engine (method, seed, reference VOI); the message says the fix."""


# ============================================================================ VOI masks
def _check(suv, geometry: ImageGeometry) -> np.ndarray:
    arr = np.asarray(suv)
    if arr.ndim != 3 or tuple(arr.shape) != tuple(geometry.shape):
        raise QuantError(f"SUV array shape {arr.shape} does not match the geometry shape {geometry.shape}")
    return arr


def _world3(p, what: str) -> np.ndarray:
    a = np.asarray(p, dtype=float).reshape(-1)
    if a.size != 3 or not np.all(np.isfinite(a)):
        raise QuantError(f"{what} needs 3 finite world coordinates x,y,z in mm (LPS), got {p!r}")
    return a


def _index_box(geometry: ImageGeometry, centre_kji: np.ndarray, half_kji: np.ndarray):
    lo = np.maximum(np.floor(centre_kji - half_kji).astype(int), 0)
    hi = np.minimum(np.ceil(centre_kji + half_kji).astype(int) + 1, np.asarray(geometry.shape))
    return lo, hi


def _offsets_mm(geometry: ImageGeometry, lo, hi) -> tuple[np.ndarray, ...]:
    """World coordinates (x, y, z arrays broadcastable over the box) of voxel centres in [lo, hi)."""
    k, j, i = np.ogrid[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    m = geometry.direction * np.asarray(geometry.spacing)[None, :]
    o = np.asarray(geometry.origin)
    return tuple(o[r] + m[r, 0] * i + m[r, 1] * j + m[r, 2] * k for r in range(3))


def sphere_mask(geometry: ImageGeometry, centre_world, radius_mm: float) -> np.ndarray:
    """Voxels whose centre lies within ``radius_mm`` of ``centre_world`` (centre inclusion)."""
    c = _world3(centre_world, "sphere centre")
    if not radius_mm > 0:
        raise QuantError(f"sphere radius must be positive, got {radius_mm}")
    mask = np.zeros(geometry.shape, bool)
    ckji = geometry.world_to_kji(c)
    half = radius_mm / np.asarray(geometry.spacing)[::-1]
    lo, hi = _index_box(geometry, ckji, half)
    if np.any(hi <= lo):
        return mask
    x, y, z = _offsets_mm(geometry, lo, hi)
    inside = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= radius_mm ** 2
    mask[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = inside
    return mask


def cylinder_mask(geometry: ImageGeometry, centre_world, diameter_mm: float, length_mm: float,
                  axis_world=None) -> np.ndarray:
    """Voxels whose centre lies in a cylinder (axis through ``centre_world``; default: slice normal)."""
    c = _world3(centre_world, "cylinder centre")
    if not (diameter_mm > 0 and length_mm > 0):
        raise QuantError(f"cylinder diameter and length must be positive, got {diameter_mm}, {length_mm}")
    ax = np.asarray(geometry.slice_normal if axis_world is None else axis_world, float)
    ax = ax / np.linalg.norm(ax)
    r, h = diameter_mm / 2.0, length_mm / 2.0
    mask = np.zeros(geometry.shape, bool)
    reach = math.hypot(r, h)
    lo, hi = _index_box(geometry, geometry.world_to_kji(c), reach / np.asarray(geometry.spacing)[::-1])
    if np.any(hi <= lo):
        return mask
    x, y, z = _offsets_mm(geometry, lo, hi)
    dx, dy, dz = x - c[0], y - c[1], z - c[2]
    along = dx * ax[0] + dy * ax[1] + dz * ax[2]
    radial2 = dx ** 2 + dy ** 2 + dz ** 2 - along ** 2
    mask[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = (np.abs(along) <= h) & (radial2 <= r * r)
    return mask


def box_mask(geometry: ImageGeometry, corner_a_world, corner_b_world) -> np.ndarray:
    """Voxels whose centre lies in the world-axis-aligned box spanned by two opposite corners."""
    a, b = _world3(corner_a_world, "box corner"), _world3(corner_b_world, "box corner")
    lo_w, hi_w = np.minimum(a, b), np.maximum(a, b)
    corners = np.array([[x, y, z] for x in (lo_w[0], hi_w[0]) for y in (lo_w[1], hi_w[1]) for z in (lo_w[2], hi_w[2])])
    kji = geometry.world_to_kji(corners)
    lo = np.maximum(np.floor(kji.min(axis=0)).astype(int), 0)
    hi = np.minimum(np.ceil(kji.max(axis=0)).astype(int) + 1, np.asarray(geometry.shape))
    mask = np.zeros(geometry.shape, bool)
    if np.any(hi <= lo):
        return mask
    x, y, z = _offsets_mm(geometry, lo, hi)
    eps = 1e-6
    inside = ((x >= lo_w[0] - eps) & (x <= hi_w[0] + eps) & (y >= lo_w[1] - eps) & (y <= hi_w[1] + eps)
              & (z >= lo_w[2] - eps) & (z <= hi_w[2] + eps))
    mask[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = inside
    return mask


# ============================================================================ statistics
def region_stats(values, mask, geometry: ImageGeometry, *, peak: bool = True, median: bool = True) -> dict:
    """Statistics of ``values`` (SUV) inside ``mask``.

    Keys: voxels, volume_ml, min, max, mean, median, std (ddof 0), sum, tlg (mean × volume_ml),
    max_world (first maximum voxel in raster order), suvpeak and peak_world (None when
    ``peak=False``). Values are NaN (and worlds None) for an empty mask.
    """
    arr = _check(values, geometry)
    m = np.asarray(mask, bool)
    if m.shape != arr.shape:
        raise QuantError(f"mask shape {m.shape} does not match the image shape {arr.shape}")
    s = K.region_stats(arr, m)
    vol = s.count * geometry.voxel_volume_ml
    out = {"voxels": s.count, "volume_ml": vol, "min": s.min, "max": s.max, "mean": s.mean,
           "median": float("nan"), "std": s.std, "sum": s.sum, "tlg": s.mean * vol if s.count else float("nan"),
           "max_world": None, "suvpeak": None, "peak_world": None}
    if not s.count:
        return out
    sub, lo = _crop(m)
    vals = np.asarray(arr[sub], np.float32)
    inside = m[sub]
    if median:
        out["median"] = float(np.median(vals[inside]))
    masked = np.where(inside, vals, -np.inf)
    kmax = np.unravel_index(int(np.argmax(masked)), masked.shape)
    out["max_world"] = _world(geometry, np.add(kmax, lo))
    if peak:
        p, where = K.suvpeak_mask(arr, m, geometry.spacing)
        out["suvpeak"] = p
        out["peak_world"] = _world(geometry, where)
    return out


def _crop(mask: np.ndarray):
    nz = [np.flatnonzero(mask.any(axis=ax)) for ax in ((1, 2), (0, 2), (0, 1))]
    lo = [int(a[0]) for a in nz]
    return tuple(slice(int(a[0]), int(a[-1]) + 1) for a in nz), lo


def _world(geometry: ImageGeometry, kji) -> list[float]:
    return [float(x) for x in geometry.kji_to_world(np.asarray(kji, float))]


# ============================================================================ reference VOIs
@dataclass(frozen=True)
class ReferenceVOI:
    """A normal-tissue reference region (liver, blood pool) and its SUV statistics."""

    name: str
    shape: str  # "sphere" or "cylinder"
    centre_world: tuple[float, float, float]
    size_mm: tuple[float, ...]  # sphere: (diameter,); cylinder: (diameter, length)
    voxels: int
    volume_ml: float
    mean: float
    std: float
    max: float

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _reference(name, shape, centre, size, suv, geometry, mask) -> ReferenceVOI:
    st = region_stats(suv, mask, geometry, peak=False, median=False)
    if st["voxels"] < 1:
        raise QuantError(f"the {name} VOI at {list(np.round(centre, 1))} mm holds no voxel of the image; "
                         f"give a centre inside the PET field of view")
    return ReferenceVOI(name, shape, tuple(float(x) for x in centre), tuple(float(s) for s in size),
                        st["voxels"], st["volume_ml"], st["mean"], st["std"], st["max"])


def liver_reference(suv, geometry: ImageGeometry, centre_world, diameter_mm: float = LIVER_DIAMETER_MM) -> ReferenceVOI:
    """Liver reference: sphere VOI (PERCIST: 3 cm diameter in the right lobe)."""
    c = _world3(centre_world, "liver VOI centre (--liver x,y,z)")
    _check(suv, geometry)
    return _reference("liver", "sphere", c, (diameter_mm,), suv, geometry, sphere_mask(geometry, c, diameter_mm / 2))


def blood_pool_reference(suv, geometry: ImageGeometry, centre_world, diameter_mm: float = BLOOD_POOL_DIAMETER_MM,
                         length_mm: float = BLOOD_POOL_LENGTH_MM) -> ReferenceVOI:
    """Blood-pool reference (mediastinum / descending aorta): cylinder along the slice normal."""
    c = _world3(centre_world, "blood-pool VOI centre")
    _check(suv, geometry)
    return _reference("blood_pool", "cylinder", c, (diameter_mm, length_mm), suv, geometry,
                      cylinder_mask(geometry, c, diameter_mm, length_mm))


def percist_threshold(liver: ReferenceVOI | None = None, blood_pool: ReferenceVOI | None = None) -> float:
    """PERCIST measurability threshold: 1.5 × liver mean + 2 SD (or 2.0 × blood-pool mean + 2 SD)."""
    if liver is not None:
        return 1.5 * liver.mean + 2.0 * liver.std
    if blood_pool is not None:
        return 2.0 * blood_pool.mean + 2.0 * blood_pool.std
    raise QuantError("PERCIST needs a liver reference VOI: give the world centre of a normal right liver "
                     "lobe (CLI: --liver x,y,z in mm, LPS) or a blood-pool VOI")


def deauville_score(lesion_suvmax: float, mediastinum: ReferenceVOI, liver: ReferenceVOI, *,
                    marked_factor: float = 2.0, uptake: bool = True) -> int:
    """Quantitative surrogate of the Deauville 5-point score.

    1: no uptake (``uptake=False``); 2: SUVmax ≤ mediastinal blood-pool SUVmean; 3: ≤ liver
    SUVmean; 4: ≤ ``marked_factor`` × liver SUVmean; 5: above (markedly higher than liver). The
    visual score remains the reader's; this is an aid with its comparisons stated.
    """
    if not uptake:
        return 1
    if lesion_suvmax <= mediastinum.mean:
        return 2
    if lesion_suvmax <= liver.mean:
        return 3
    if lesion_suvmax <= marked_factor * liver.mean:
        return 4
    return 5


# ============================================================================ methods
def parse_method(method: str) -> tuple[str, float | None]:
    """'fixed:2.5' -> ('fixed', 2.5); 'pct' -> ('pct', 41.0); 'percist' / 'a50' -> (name, None)."""
    text = str(method).strip().lower()
    name, _, arg = text.partition(":")
    if name in ("percist", "a50"):
        if arg:
            raise QuantError(f"method {method!r} takes no value; use {name!r}")
        return name, None
    if name not in ("fixed", "pct"):
        raise QuantError(f"unknown segmentation method {method!r}; use {METHODS_HELP}")
    if not arg:
        return name, DEFAULT_FIXED if name == "fixed" else DEFAULT_PCT
    try:
        value = float(arg)
    except ValueError:
        raise QuantError(f"method {method!r}: {arg!r} is not a number") from None
    if name == "fixed" and not (math.isfinite(value) and value > 0):
        raise QuantError(f"method {method!r}: the SUV threshold must be positive")
    if name == "pct" and not (0 < value < 100):
        raise QuantError(f"method {method!r}: the percentage must be between 0 and 100 (e.g. pct:41)")
    return name, value


def climb_to_max(suv: np.ndarray, start_kji) -> tuple[int, int, int]:
    """Steepest 26-neighbour ascent from ``start_kji`` to a local maximum (ties: first in raster order)."""
    p = tuple(int(x) for x in start_kji)
    shape = suv.shape
    for _ in range(int(sum(shape))):  # the value rises strictly, so this ends; bound it anyway
        lo = [max(x - 1, 0) for x in p]
        hi = [min(x + 2, n) for x, n in zip(p, shape)]
        block = suv[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
        q = np.unravel_index(int(np.argmax(block)), block.shape)
        q = tuple(int(a + b) for a, b in zip(q, lo))
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
    lo = [max(sl.start - p, 0) for sl, p in zip(box, pad)]
    hi = [min(sl.stop + p, n) for sl, p, n in zip(box, pad, suv.shape)]
    local = np.zeros([b - a for a, b in zip(lo, hi)], bool)
    inner = tuple(slice(sl.start - a, sl.stop - a) for sl, a in zip(box, lo))
    local[inner] = True if region is None else region[box]
    dist = ndi.distance_transform_edt(~local, sampling=spacing_kji)
    shell = (dist > A50_GAP_MM) & (dist <= reach)
    if not shell.any():
        raise QuantError("A50: no background voxels around the lesion (it fills the image); use another method")
    outer = tuple(slice(a, b) for a, b in zip(lo, hi))
    return float(np.median(np.asarray(suv[outer], np.float32)[shell]))


def _grow(suv32, start, thr, limit=None):
    """(mask, box) of the region grown from ``start`` at ``thr`` (inside ``limit`` when given)."""
    if limit is not None:
        suv32 = np.where(limit, suv32, -np.inf).astype(np.float32)
    return K.region_grow(suv32, start, thr, return_box=True)


def _region_max(suv32, region, box):
    vals = np.where(region[box], suv32[box], -np.inf)
    q = np.unravel_index(int(np.argmax(vals)), vals.shape)
    return float(vals[q]), tuple(int(a + sl.start) for a, sl in zip(q, box))


def _relative_region(suv32, start, name, value, spacing_kji, limit=None, floor=None):
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
                raise QuantError(f"the {what} region grown from the seed (local SUVmax {vmax:.3g}) runs into a "
                                 f"hotter structure (SUV {rmax:.3g}): this lesion cannot be separated with {what}; "
                                 "try a50, a fixed threshold, or click closer to the lesion's peak")
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


# ============================================================================ lesions
@dataclass
class Lesion:
    label: int
    centre_world: list[float]  # centroid of the lesion voxels, LPS mm
    voxels: int
    mtv_ml: float
    suvmax: float
    suvmean: float
    suvpeak: float
    tlg: float  # SUVmean × MTV
    max_world: list[float]
    peak_world: list[float]
    suv_sd: float = float("nan")
    threshold: float = float("nan")  # the SUV threshold that defined this lesion
    background: float | None = None  # A50 local background

    def to_dict(self) -> dict:
        return dict(self.__dict__)


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

    def to_dict(self) -> dict:
        return {"method": self.method, "threshold": self.threshold, "seeded": self.seeded,
                "min_volume_ml": self.min_volume_ml, "count": self.count, "total_mtv_ml": self.total_mtv_ml,
                "total_tlg": self.total_tlg, "reference": self.reference, "excluded": list(self.excluded),
                "lesions": [les.to_dict() for les in self.lesions]}


def _lesions_from_labels(suv32, labels, n, geometry, thresholds, backgrounds, progress=None) -> list[Lesion]:
    st = K.label_stats(labels, suv32, n)
    if progress is not None:
        progress.update(0.8, "SUVpeak")
    peak, pcentre = K.suvpeak_labels(suv32, labels, geometry.spacing, st.bbox, n)
    vv = geometry.voxel_volume_ml
    out = []
    for idx in range(n):
        lab = idx + 1
        b = st.bbox[idx]
        box = labels[b[0]:b[3] + 1, b[1]:b[4] + 1, b[2]:b[5] + 1] == lab
        centroid = np.mean(np.nonzero(box), axis=1) + b[:3]
        cnt = int(st.count[idx])
        mean = float(st.sum[idx] / cnt)
        sd = math.sqrt(max(float(st.sumsq[idx]) / cnt - mean * mean, 0.0))
        mtv = cnt * vv
        out.append(Lesion(lab, _world(geometry, centroid), cnt, mtv, float(st.max[idx]), mean, float(peak[idx]),
                          mean * mtv, _world(geometry, st.argmax[idx]), _world(geometry, pcentre[idx]), sd,
                          float(thresholds[idx]), backgrounds[idx]))
    return out


def _report(method, threshold, suv32, labels, n, geometry, thresholds, backgrounds, *, seeded, min_volume_ml,
            reference, excluded, progress) -> LesionReport:
    lesions = _lesions_from_labels(suv32, labels, n, geometry, thresholds, backgrounds, progress)
    return LesionReport(method, threshold, lesions, float(sum(les.mtv_ml for les in lesions)),
                        float(sum(les.tlg for les in lesions)), len(lesions), seeded, min_volume_ml,
                        reference, excluded, labels)


def find_lesions(suv, geometry: ImageGeometry, method: str = "fixed:2.5", seed_world=None, *,
                 liver_world=None, liver_diameter_mm: float = LIVER_DIAMETER_MM, min_volume_ml: float = 0.5,
                 exclude=(), candidate_threshold: float = DEFAULT_FIXED, progress=None) -> LesionReport:
    """Segment lesions and measure them (see the module docstring for every rule).

    With ``seed_world`` (LPS mm) one lesion is grown from the clicked point (``min_volume_ml``
    and ``exclude`` do not apply); without it the whole body is searched. ``method``:
    "fixed:2.5", "pct:41", "percist" (needs ``liver_world``) or "a50". ``exclude``: any of
    "brain", "bladder". ``progress``: an object with ``update(fraction, message)`` that may
    raise to cancel. ``report.labels`` is the int32 label image (lesion i has label i).
    """
    arr = _check(suv, geometry)
    name, value = parse_method(method)
    exclude = tuple(str(e).lower() for e in (exclude or ()))
    bad = [e for e in exclude if e not in ("brain", "bladder")]
    if bad:
        raise QuantError(f"cannot exclude {bad}: known organs are 'brain' and 'bladder'")
    if not (min_volume_ml >= 0):
        raise QuantError(f"minimum volume must be >= 0 mL, got {min_volume_ml}")
    suv32 = np.ascontiguousarray(arr, np.float32)
    if not np.isfinite(suv32).all():
        raise QuantError("the SUV image holds NaN or infinite values; check the PET series and its SUV factor")
    if progress is not None:
        progress.update(0.0, "segmenting")
    spacing_kji = tuple(geometry.spacing[::-1])

    reference = None
    thr = value if name == "fixed" else None
    if name == "percist":
        if liver_world is None:
            raise QuantError("method 'percist' needs a liver reference: give the world centre (LPS mm) of a "
                             "normal right liver lobe, e.g. --liver x,y,z on the command line or "
                             "liver_world=(x, y, z); the 3 cm liver VOI must lie inside the PET image")
        liver = liver_reference(suv32, geometry, liver_world, liver_diameter_mm)
        thr = percist_threshold(liver)
        reference = {"liver": liver.to_dict(), "percist_threshold": thr}

    method_label = f"{name}:{value:g}" if value is not None else name
    if seed_world is not None:
        seed = geometry.world_to_nearest_kji(_world3(seed_world, "seed"))
        if seed is None:
            raise QuantError(f"seed {list(np.round(seed_world, 1))} mm lies outside the PET image; "
                             "click inside the field of view")
        start = climb_to_max(suv32, seed)
        background = None
        if thr is not None:
            if not suv32[start] >= np.float32(thr):
                raise QuantError(f"no voxel at or above SUV {thr:.3g} near the seed (local maximum "
                                 f"{float(suv32[start]):.3g}); click on the lesion or lower the threshold")
            region, box = _grow(suv32, start, thr)
            lesion_thr = thr
        else:
            region, box, lesion_thr, start, background = _relative_region(suv32, start, name, value, spacing_kji)
        # measure on a crop padded by the SUVpeak sphere (same numbers: outside the crop is outside the grid)
        half = np.abs(K.sphere_offsets(geometry.spacing)).max(axis=0)
        lo = [max(sl.start - int(h), 0) for sl, h in zip(box, half)]
        hi = [min(sl.stop + int(h), n) for sl, h, n in zip(box, half, suv32.shape)]
        crop = tuple(slice(a, b) for a, b in zip(lo, hi))
        crop_geom = ImageGeometry(tuple(b - a for a, b in zip(lo, hi)), geometry.spacing,
                                  geometry.kji_to_world(np.asarray(lo, float)), geometry.direction)
        crop_labels = region[crop].astype(np.int32)
        report = _report(method_label, lesion_thr, np.ascontiguousarray(suv32[crop]), crop_labels, 1, crop_geom,
                         [lesion_thr], [background], seeded=True, min_volume_ml=0.0, reference=reference,
                         excluded=[], progress=progress)
        report.labels = np.zeros(suv32.shape, np.int32)
        report.labels[crop] = crop_labels
        if progress is not None:
            progress.update(1.0, "1 lesion")
        return report

    # ---- whole body
    base_thr = thr if thr is not None else candidate_threshold
    labels, n = K.label_components(suv32, base_thr)
    if progress is not None:
        progress.update(0.4, f"{n} components above SUV {base_thr:.3g}")
    st = K.label_stats(labels, suv32, n)
    vv = geometry.voxel_volume_ml
    keep = np.flatnonzero(st.count * vv >= min_volume_ml) + 1
    excluded = []
    if exclude:
        keep, excluded = _exclude_organs(keep, st, geometry, exclude)
    new_labels = _relabel(labels, st.bbox, n, keep)
    thresholds = [base_thr] * keep.size
    backgrounds = [None] * keep.size
    if thr is None:  # pct / a50: refine each candidate at its own threshold
        for idx, old in enumerate(keep):
            if progress is not None:
                progress.update(0.4 + 0.4 * idx / max(keep.size, 1), f"refining lesion {idx + 1}/{keep.size}")
            b = st.bbox[old - 1]
            pad = [int(math.ceil((A50_GAP_MM + A50_SHELL_MM) / s)) + 1 for s in spacing_kji]
            lo = [max(int(b[a]) - pad[a], 0) for a in range(3)]
            hi = [min(int(b[a + 3]) + pad[a] + 1, suv32.shape[a]) for a in range(3)]
            box = tuple(slice(a, c) for a, c in zip(lo, hi))
            cand = new_labels[box] == idx + 1  # (renumbered in place: lesion idx is label idx + 1)
            start = tuple(int(x) - o for x, o in zip(st.argmax[old - 1], lo))
            sub = np.ascontiguousarray(suv32[box])
            region, _, t, _, bg = _relative_region(sub, start, name, value, spacing_kji, limit=cand,
                                                   floor=candidate_threshold)
            view = new_labels[box]
            view[cand & ~region] = 0
            thresholds[idx], backgrounds[idx] = t, bg
    report = _report(method_label, thr, suv32, new_labels, int(keep.size), geometry, thresholds, backgrounds,
                     seeded=False, min_volume_ml=min_volume_ml, reference=reference, excluded=excluded,
                     progress=progress)
    # a refined lesion can fall below the minimum volume: drop it (renumbering the rest)
    small = [les.label for les in report.lesions if les.mtv_ml < min_volume_ml]
    if small:
        keep2 = np.array([les.label for les in report.lesions if les.mtv_ml >= min_volume_ml], int)
        boxes = np.array([_box_of(new_labels, les.label, st.bbox[keep[les.label - 1] - 1])
                          for les in report.lesions], np.int64).reshape(-1, 6)
        labels2 = _relabel(new_labels, boxes, int(keep.size), keep2)
        report = _report(method_label, thr, suv32, labels2, int(keep2.size), geometry,
                         [thresholds[i - 1] for i in keep2], [backgrounds[i - 1] for i in keep2], seeded=False,
                         min_volume_ml=min_volume_ml, reference=reference, excluded=excluded, progress=progress)
    if progress is not None:
        progress.update(1.0, f"{report.count} lesions")
    return report


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
    view = labels[hint[0]:hint[3] + 1, hint[1]:hint[4] + 1, hint[2]:hint[5] + 1] == lab
    idx = [np.flatnonzero(view.any(axis=ax)) for ax in ((1, 2), (0, 2), (0, 1))]
    if any(a.size == 0 for a in idx):
        return (0, 0, 0, -1, -1, -1)
    return (*(int(a[0]) + int(h) for a, h in zip(idx, hint[:3])), *(int(a[-1]) + int(h) for a, h in zip(idx, hint[:3])))


def _exclude_organs(keep: np.ndarray, st, geometry: ImageGeometry, exclude) -> tuple[np.ndarray, list[dict]]:
    corners = geometry.corners_world()
    zmin, zmax = corners[:, 2].min(), corners[:, 2].max()
    xmin, xmax = corners[:, 0].min(), corners[:, 0].max()
    vv = geometry.voxel_volume_ml
    centres = {int(lab): geometry.kji_to_world((st.bbox[lab - 1, :3] + st.bbox[lab - 1, 3:]) / 2.0) for lab in keep}
    removed: list[dict] = []
    drop: set[int] = set()

    def largest(cands):
        return max(cands, key=lambda lab: st.count[lab - 1]) if cands else None

    zr, xr = max(zmax - zmin, 1e-9), max(xmax - xmin, 1e-9)
    if "brain" in exclude:
        c = [lab for lab, w in centres.items()
             if st.count[lab - 1] * vv >= BRAIN_MIN_ML and (w[2] - zmin) / zr >= 0.85]
        lab = largest(c)
        if lab is not None:
            drop.add(lab)
            removed.append({"organ": "brain", "centre_world": [float(x) for x in centres[lab]],
                            "volume_ml": float(st.count[lab - 1] * vv), "suvmax": float(st.max[lab - 1])})
    if "bladder" in exclude:
        c = [lab for lab, w in centres.items() if lab not in drop
             and st.count[lab - 1] * vv >= BLADDER_MIN_ML and (w[2] - zmin) / zr <= 0.30
             and 1 / 3 <= (w[0] - xmin) / xr <= 2 / 3]
        lab = largest(c)
        if lab is not None:
            drop.add(lab)
            removed.append({"organ": "bladder", "centre_world": [float(x) for x in centres[lab]],
                            "volume_ml": float(st.count[lab - 1] * vv), "suvmax": float(st.max[lab - 1])})
    return np.array([lab for lab in keep if int(lab) not in drop], dtype=keep.dtype), removed
