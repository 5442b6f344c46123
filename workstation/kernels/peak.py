"""SUVpeak: the highest mean value of a 1 cm³ sphere centred on any voxel of a region.

Definition used here (PERCIST 1.0, Wahl et al. 2009, with the details the paper leaves open
stated):

* sphere radius r = (3 / (4π))^(1/3) · 10 mm ≈ 6.2035 mm (volume 1 cm³);
* inclusion rule: a voxel belongs to the sphere when its *centre* lies within r of the centre
  voxel's centre (distance measured in mm with the voxel spacing; the grid direction is
  orthonormal so it does not change distances). The included voxels' volume therefore only
  approximates 1 mL (e.g. 39 voxels of 4×4×2 mm = 1.25 mL, 1021 voxels of 1 mm³);
* candidate centres: every voxel of the region (exact search, not only around the max voxel);
  the sphere itself may reach outside the region;
* near the grid border the mean is over the sphere voxels inside the grid;
* ties: the first centre in raster order wins.

The search is a direct sum over the precomputed offsets for the region's voxels only, so its cost
scales with lesion volume, not with the image.
"""

from __future__ import annotations

import math

import numpy as np

from workstation.kernels._common import as_labels, as_mask, as_values, loops

PEAK_RADIUS_MM = (3.0 / (4.0 * math.pi)) ** (1.0 / 3.0) * 10.0  # 6.2035 mm: 1 cm³ sphere


def peak_radius_mm(volume_ml: float = 1.0) -> float:
    """Radius in mm of a sphere of ``volume_ml`` mL."""
    return (3.0 * volume_ml * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0)


def sphere_offsets(spacing, radius_mm: float = PEAK_RADIUS_MM) -> np.ndarray:
    """(m, 3) int32 offsets (dk, dj, di) of the voxels whose centre lies within ``radius_mm``.

    ``spacing`` is (di, dj, dk) in mm, in the order of ``ImageGeometry.spacing``.
    """
    di, dj, dk = (float(s) for s in spacing)
    if min(di, dj, dk) <= 0 or radius_mm < 0:
        raise ValueError(f"spacing must be positive and radius non-negative, got {spacing}, {radius_mm}")
    hk, hj, hi = (int(math.floor(radius_mm / d + 1e-9)) for d in (dk, dj, di))
    k, j, i = np.mgrid[-hk:hk + 1, -hj:hj + 1, -hi:hi + 1]
    inside = (k * dk) ** 2 + (j * dj) ** 2 + (i * di) ** 2 <= radius_mm ** 2 * (1 + 1e-12)
    return np.ascontiguousarray(np.stack([k[inside], j[inside], i[inside]], axis=1), dtype=np.int32)


def suvpeak_labels(values, labels, spacing, bbox=None, n: int | None = None,
                   radius_mm: float = PEAK_RADIUS_MM) -> tuple[np.ndarray, np.ndarray]:
    """SUVpeak of every label 1..n: (peak (n,), centre (n, 3) as (k, j, i)).

    ``bbox`` (n, 6) from :func:`label_stats` saves a pass; without it it is computed here.
    """
    v = as_values(values)
    lab = as_labels(labels, v.shape)
    if bbox is None:
        from workstation.kernels.labeling import label_stats

        st = label_stats(lab, v, n)
        bbox, n = st.bbox, st.n
    bbox = np.asarray(bbox, np.int64).reshape(-1, 6)
    if n is None:
        n = bbox.shape[0]
    full = np.empty((n + 1, 6), np.int64)
    full[0] = (0, 0, 0, -1, -1, -1)
    full[1:] = bbox[:n]
    offsets = sphere_offsets(spacing, radius_mm)
    peak, where = loops().peak_loop(v, lab, int(n), full, offsets)
    centre = np.full((n, 3), -1, np.int64)
    ok = where[1:] >= 0
    centre[ok] = np.stack(np.unravel_index(where[1:][ok], v.shape), axis=1)
    peak = peak[1:]
    peak[~ok] = np.nan
    return peak, centre


def suvpeak_mask(values, mask, spacing, radius_mm: float = PEAK_RADIUS_MM) -> tuple[float, tuple[int, int, int] | None]:
    """SUVpeak of one region: (peak, (k, j, i) centre); (nan, None) for an empty mask.

    Works on a crop around the mask, padded by the sphere's half-size, so the cost does not
    depend on the image size beyond finding the mask's bounding box.
    """
    v = np.asarray(values)
    m = as_mask(mask, v.shape)
    nz = [np.flatnonzero(m.any(axis=ax)) for ax in ((1, 2), (0, 2), (0, 1))]
    if any(a.size == 0 for a in nz):
        return float("nan"), None
    offsets = sphere_offsets(spacing, radius_mm)
    half = np.abs(offsets).max(axis=0)
    lo = [max(int(a[0]) - int(h), 0) for a, h in zip(nz, half)]
    hi = [min(int(a[-1]) + int(h) + 1, s) for a, h, s in zip(nz, half, v.shape)]
    sl = tuple(slice(a, b) for a, b in zip(lo, hi))
    sub_v = as_values(v[sl])
    sub_l = np.ascontiguousarray(m[sl], dtype=np.int32)
    bbox = np.array([[0, 0, 0, *(s - 1 for s in sub_v.shape)]], np.int64)
    peak, centre = suvpeak_labels(sub_v, sub_l, spacing, bbox=bbox, n=1, radius_mm=radius_mm)
    if not np.isfinite(peak[0]):
        return float("nan"), None
    return float(peak[0]), tuple(int(c + o) for c, o in zip(centre[0], lo))
