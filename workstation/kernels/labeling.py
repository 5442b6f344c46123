"""Threshold + 26-connected component labelling, and per-label statistics in one pass.

Foreground is ``values >= threshold`` with the threshold rounded to float32 (the type the image
is compared in, as NumPy does for a float32 array). Components are numbered 1..n in the raster
(C) order of their first voxel, which is the numbering of ``scipy.ndimage.label`` with a
3×3×3 structure, so the two label images are identical, not just equal up to a permutation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.kernels._common import as_labels, as_values, loops


def label_components(values, threshold: float) -> tuple[np.ndarray, int]:
    """(labels int32, n) of the 26-connected components of ``values >= threshold``."""
    v = as_values(values)
    thr = np.float32(threshold)
    if not np.isfinite(thr):
        raise ValueError(f"threshold must be finite, got {threshold}")
    labels = np.zeros(v.shape, np.int32)
    n = loops().label_loop(v, thr, labels)
    return labels, int(n)


@dataclass(frozen=True)
class LabelStats:
    """Per-label arrays for labels 1..n (row l-1 is label l)."""

    count: np.ndarray  # int64 (n,)
    sum: np.ndarray  # float64 (n,)
    sumsq: np.ndarray  # float64 (n,)
    max: np.ndarray  # float64 (n,)
    argmax: np.ndarray  # int64 (n, 3): (k, j, i) of the first voxel holding the max, raster order
    bbox: np.ndarray  # int64 (n, 6): kmin, jmin, imin, kmax, jmax, imax (inclusive)

    @property
    def n(self) -> int:
        return int(self.count.size)

    @property
    def mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sum / self.count


def label_stats(labels, values, n: int | None = None) -> LabelStats:
    """Count, sum, sum of squares, max, argmax and bounding box of every label 1..n in one pass."""
    v = as_values(values)
    lab = as_labels(labels, v.shape)
    if n is None:
        n = int(lab.max()) if lab.size else 0
    count, total, sumsq, vmax, argmax, bbox = loops().label_stats_loop(lab, v, int(n))
    arg = np.full((n, 3), -1, np.int64)
    ok = argmax[1:] >= 0
    arg[ok] = np.stack(np.unravel_index(argmax[1:][ok], v.shape), axis=1)
    return LabelStats(count[1:], total[1:], sumsq[1:], vmax[1:], arg, bbox[1:])
