"""Region statistics over a mask in one pass: count, sum, sum of squares, min and max.

The loop reads the image once, accumulates in float64 and skips nothing but voxels outside the
mask; non-finite values inside the mask are an error (a wrong number is worse than none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.kernels._common import as_mask, as_values, loops


@dataclass(frozen=True)
class RegionSums:
    count: int
    sum: float
    sumsq: float
    min: float  # nan when count == 0
    max: float

    @property
    def mean(self) -> float:
        return self.sum / self.count if self.count else float("nan")

    @property
    def std(self) -> float:
        """Population standard deviation (ddof=0)."""
        if not self.count:
            return float("nan")
        m = self.mean
        return float(np.sqrt(max(self.sumsq / self.count - m * m, 0.0)))


def region_stats(values, mask) -> RegionSums:
    """count/sum/sumsq/min/max of ``values`` (cast to float32) where ``mask`` is true."""
    v = as_values(values)
    m = as_mask(mask, v.shape)
    n, s, s2, mn, mx, bad = loops().region_stats_loop(v.reshape(-1), m.reshape(-1))
    if bad:
        raise ValueError(f"{bad} non-finite values (NaN/inf) inside the mask; fix the image before measuring")
    if n == 0:
        return RegionSums(0, 0.0, 0.0, float("nan"), float("nan"))
    return RegionSums(int(n), float(s), float(s2), float(mn), float(mx))
