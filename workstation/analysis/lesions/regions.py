"""Region statistics: what a set of voxels of an SUV image measures, as a typed result.

A region is a boolean mask on the image grid (indexed ``[k, j, i]``); world points are DICOM LPS
millimetres. The rules (written down once, followed by the kernels and their NumPy twins):

* ``std`` is the population standard deviation (ddof = 0); ``median`` is NumPy's;
* volumes are voxel count × voxel volume (mL); ``tlg`` = SUVmean × volume (SUV·mL, i.e. g for SUVbw);
* ``suvpeak`` follows ``workstation.kernels.peak``: the mean in a 1 cm³ sphere of voxel centres
  within 6.2035 mm, centred on every voxel of the region (sphere voxels may lie outside the region),
  over the in-grid voxels at the image border.

Also the grid-box helpers every region computation shares: the bounding box of a mask and one
padded box clipped to the grid (:func:`padded_box`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from workstation.kernels import stats
from workstation.kernels import peak as peak_mod
from workstation.core.geometry import ImageGeometry

from workstation.analysis.errors import QuantError

NAN = float("nan")


@dataclass(frozen=True)
class RegionStats:
    """SUV statistics of one region. Values are NaN (and worlds None) for an empty region.

    ``max_world``: centre of the first maximum voxel in raster order; ``suvpeak`` / ``peak_world``
    are None when the peak was not asked for (or the region is empty).
    """

    voxels: int
    volume_ml: float
    min: float = NAN
    max: float = NAN
    mean: float = NAN
    median: float = NAN
    std: float = NAN
    sum: float = NAN
    tlg: float = NAN
    max_world: tuple[float, float, float] | None = None
    suvpeak: float | None = None
    peak_world: tuple[float, float, float] | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (worlds as lists)."""
        d = asdict(self)
        for k in ("max_world", "peak_world"):
            if d[k] is not None:
                d[k] = list(d[k])
        return d


# ============================================================================ grid boxes
def padded_box(lo, hi, pad, shape) -> tuple[slice, slice, slice]:
    """The index box ``[lo - pad, hi + pad)`` clipped to a grid of ``shape`` (``pad``: int or per axis)."""
    pad = np.broadcast_to(np.asarray(pad, int), (3,))
    return tuple(slice(max(int(a) - int(p), 0), min(int(b) + int(p), int(n)))
                 for a, b, p, n in zip(lo, hi, pad, shape))


def bounding_box(mask: np.ndarray) -> tuple[slice, slice, slice] | None:
    """Slices of the smallest box holding every True voxel of ``mask``; None for an empty mask."""
    nz = [np.flatnonzero(mask.any(axis=ax)) for ax in ((1, 2), (0, 2), (0, 1))]
    if any(a.size == 0 for a in nz):
        return None
    return tuple(slice(int(a[0]), int(a[-1]) + 1) for a in nz)


def sub_geometry(geometry: ImageGeometry, box) -> ImageGeometry:
    """Geometry of the block ``box`` (slices) of a grid: same spacing and direction, shifted origin."""
    lo = [sl.start for sl in box]
    return ImageGeometry(tuple(sl.stop - sl.start for sl in box), geometry.spacing,
                         geometry.kji_to_world(np.asarray(lo, float)), geometry.direction)


def peak_reach(geometry: ImageGeometry) -> np.ndarray:
    """Voxels (k, j, i) from its centre to the edge of the SUVpeak sphere: the pad that keeps peaks exact."""
    return np.abs(peak_mod.sphere_offsets(geometry.spacing)).max(axis=0).astype(int)


def world_of(geometry: ImageGeometry, kji) -> tuple[float, float, float]:
    """World point (LPS mm) of an array index (k, j, i) as a tuple of floats."""
    return tuple(float(x) for x in geometry.kji_to_world(np.asarray(kji, float)))


def check_image(values, geometry: ImageGeometry) -> np.ndarray:
    """``values`` as an array, or QuantError when it is not a 3-D image of the geometry's shape."""
    arr = np.asarray(values)
    if arr.ndim != 3 or tuple(arr.shape) != tuple(geometry.shape):
        raise QuantError(f"SUV array shape {arr.shape} does not match the geometry shape {geometry.shape}")
    return arr


# ============================================================================ statistics
def region_stats(values, mask, geometry: ImageGeometry, *, peak: bool = True, median: bool = True) -> RegionStats:
    """Statistics of ``values`` (SUV) inside ``mask`` (see the module docstring for the rules)."""
    arr = check_image(values, geometry)
    m = np.asarray(mask, bool)
    if m.shape != arr.shape:
        raise QuantError(f"mask shape {m.shape} does not match the image shape {arr.shape}")
    s = stats.region_stats(arr, m)
    vol = s.count * geometry.voxel_volume_ml
    if not s.count:
        return RegionStats(0, vol, s.min, s.max, s.mean, NAN, s.std, s.sum, NAN)
    box = bounding_box(m)
    vals = np.asarray(arr[box], np.float32)
    inside = m[box]
    med = float(np.median(vals[inside])) if median else NAN
    masked = np.where(inside, vals, -np.inf)
    kmax = np.unravel_index(int(np.argmax(masked)), masked.shape)
    max_world = world_of(geometry, np.add(kmax, [sl.start for sl in box]))
    suvpeak = peak_world = None
    if peak:
        suvpeak, where = peak_mod.suvpeak_mask(arr, m, geometry.spacing)
        peak_world = world_of(geometry, where)
    return RegionStats(s.count, vol, s.min, s.max, s.mean, med, s.std, s.sum, s.mean * vol, max_world, suvpeak,
                       peak_world)


def measure_crop(suv: np.ndarray, geometry: ImageGeometry, lo, crop: np.ndarray) -> RegionStats:
    """:func:`region_stats` of the mask given as a crop (``lo`` offset + boolean block), on a padded block.

    Same numbers as on the whole image: voxels outside the block padded by the SUVpeak sphere are
    outside the mask and beyond the reach of any SUVpeak sphere centred in it (the block is clipped
    only at the image border).
    """
    hi = [int(x) + n for x, n in zip(lo, crop.shape)]
    box = padded_box(lo, hi, peak_reach(geometry), suv.shape)
    m = np.zeros([sl.stop - sl.start for sl in box], bool)
    m[tuple(slice(int(x) - sl.start, int(x) - sl.start + n) for x, sl, n in zip(lo, box, crop.shape))] = crop
    return region_stats(np.ascontiguousarray(suv[box]), m, sub_geometry(geometry, box))


def summed_std(count: int, total: float, total_sq: float) -> tuple[float, float]:
    """(mean, population SD) from a voxel count, the sum and the sum of squares."""
    mean = total / count
    return mean, math.sqrt(max(total_sq / count - mean * mean, 0.0))


# ============================================================================ masks from elsewhere
def mask_on_grid(mask: np.ndarray, mask_geometry: ImageGeometry, target: ImageGeometry,
                 what: str = "mask") -> tuple[np.ndarray, bool]:
    """A mask of another grid (a NIfTI / SEG file) on the ``target`` (PET) grid: (mask, resampled?).

    Nearest-neighbour resampling in world coordinates when the grids differ. Refuses (QuantError
    naming ``what``) a mask that lies partly outside the target volume (at least 99 % of its voxel
    centres must be inside: it belongs to another geometry otherwise) or that vanishes on the grid.
    """
    from workstation.analysis.registration.resample import fraction_inside, resample_array

    if mask_geometry.same_grid(target):
        return mask, False
    pts = mask_geometry.kji_to_world(np.argwhere(mask))
    inside = fraction_inside(pts, target)
    if inside < 0.99:
        raise QuantError(f"{what}: only {100 * inside:.1f}% of the mask lies inside the PET volume: the mask "
                         "belongs to another geometry (another patient, study or series?)")
    on_grid = resample_array(mask.astype(np.uint8), mask_geometry, target, order=0).astype(bool)
    if not on_grid.any():
        raise QuantError(f"{what}: the mask is smaller than one PET voxel after resampling onto the PET grid")
    return on_grid, True
