"""Plain NumPy/scipy twins of the kernels, for equivalence tests and benchmarks.

They follow the same documented rules (float32 image, float32-rounded thresholds, raster-order
labels, sphere of voxel centres within r, in-grid mean at the border, first-in-raster-order
ties) but are written independently with whole-array operations.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

STRUCTURE_26 = np.ones((3, 3, 3), bool)


def region_stats_ref(values, mask) -> dict:
    x = np.asarray(values, np.float32)[np.asarray(mask, bool)].astype(np.float64)
    if x.size == 0:
        return {"count": 0, "sum": 0.0, "min": np.nan, "max": np.nan, "mean": np.nan, "std": np.nan}
    return {"count": int(x.size), "sum": float(x.sum()), "min": float(x.min()), "max": float(x.max()),
            "mean": float(x.mean()), "std": float(x.std())}


def label_ref(values, threshold) -> tuple[np.ndarray, int]:
    v = np.asarray(values, np.float32)
    labels, n = ndi.label(v >= np.float32(threshold), structure=STRUCTURE_26)
    return labels.astype(np.int32), int(n)


def label_stats_ref(labels, values, n) -> dict:
    v = np.asarray(values, np.float32).astype(np.float64)
    idx = np.arange(1, n + 1)
    count = np.bincount(labels.ravel(), minlength=n + 1)[1:n + 1]
    objs = ndi.find_objects(labels, max_label=n)
    bbox = np.array([[s[0].start, s[1].start, s[2].start, s[0].stop - 1, s[1].stop - 1, s[2].stop - 1]
                     if s is not None else [-1] * 6 for s in objs], np.int64).reshape(-1, 6)
    return {
        "count": count,
        "sum": np.asarray(ndi.sum(v, labels, idx), float),
        "max": np.asarray(ndi.maximum(v, labels, idx), float),
        "argmax": np.asarray(ndi.maximum_position(v, labels, idx), np.int64).reshape(-1, 3),
        "bbox": bbox,
    }


def sphere_kernel(spacing, radius_mm) -> np.ndarray:
    """Boolean ball of voxel centres within radius_mm (array [k, j, i]), spacing (di, dj, dk)."""
    di, dj, dk = spacing
    h = [int(np.floor(radius_mm / d + 1e-9)) for d in (dk, dj, di)]
    zk, zj, zi = np.ogrid[-h[0]:h[0] + 1, -h[1]:h[1] + 1, -h[2]:h[2] + 1]
    return (zk * dk) ** 2 + (zj * dj) ** 2 + (zi * di) ** 2 <= radius_mm ** 2 * (1 + 1e-12)


def sphere_mean_ref(values, spacing, radius_mm, normalise_in_grid=True) -> np.ndarray:
    """Mean over the sphere centred at every voxel (scipy.ndimage.convolve, zero outside the grid)."""
    ball = sphere_kernel(spacing, radius_mm).astype(np.float64)
    v = np.asarray(values, np.float32).astype(np.float64)
    s = ndi.convolve(v, ball, mode="constant", cval=0.0)
    if normalise_in_grid:
        c = ndi.convolve(np.ones_like(v), ball, mode="constant", cval=0.0)
    else:
        c = ball.sum()
    return s / c


def suvpeak_ref(values, labels, n, spacing, radius_mm) -> tuple[np.ndarray, np.ndarray]:
    means = sphere_mean_ref(values, spacing, radius_mm)
    idx = np.arange(1, n + 1)
    peak = np.asarray(ndi.maximum(means, labels, idx), float).reshape(-1)
    pos = np.asarray(ndi.maximum_position(means, labels, idx), np.int64).reshape(-1, 3)
    return peak, pos


def region_grow_ref(values, seed_kji, lo, hi=np.inf) -> np.ndarray:
    v = np.asarray(values, np.float32)
    inside = (v >= np.float32(lo)) & (v <= np.float32(hi))
    labels, _ = ndi.label(inside, structure=STRUCTURE_26)
    lab = labels[tuple(seed_kji)]
    if lab == 0:
        return np.zeros(v.shape, bool)
    return labels == lab
