"""Uniform cylinder check: is the scanner's SUV calibration right, and is the image flat along the axis?

A cylinder filled with a known activity and "weighed" (dose and weight in the headers, or given
by the user) should read SUV 1.0 everywhere. The check (EANM 2015 guideline tolerance):

* the phantom is found as in the NEMA analysis (Otsu threshold of a 4 mm-smoothed copy, largest
  region per slice, holes filled); its axis is the mean centroid of the slices whose cross-section
  is at least 70 % of the largest, its radius ``sqrt(area / pi)`` of those slices;
* the central VOI is a cylinder on that axis, of ``radius_fraction`` (default 0.7) of the phantom
  radius, over the full slices less ``end_margin_mm`` (default 15 mm) at each end;
* **pass** when the VOI's mean SUV is within +-10 % of 1.0;
* per slice of the VOI: mean SUV and coefficient of variation (SD / mean x 100 %, SD with N - 1);
  the axial profile is the per-slice mean inside the VOI radius over every slice of the phantom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

TOLERANCE = 0.10


class UniformityError(ValueError):
    """The image cannot be analysed as a uniform cylinder (the message says why)."""


@dataclass
class UniformityResult:
    units: str
    mean: float
    sd: float
    voxels: int
    volume_ml: float
    passed: bool
    deviation_percent: float
    axis_world: tuple[float, float]
    phantom_radius_mm: float
    voi_radius_mm: float
    voi_slices: list[int]
    slice_z: list[float]
    slice_mean: list[float]
    slice_cov: list[float]
    profile_z: list[float]
    profile_mean: list[float]
    max_slice_deviation_percent: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "units": self.units, "mean": self.mean, "sd": self.sd, "voxels": self.voxels,
            "volume_ml": self.volume_ml, "pass": self.passed, "tolerance_percent": 100 * TOLERANCE,
            "deviation_percent": self.deviation_percent, "axis_world": list(self.axis_world),
            "phantom_radius_mm": self.phantom_radius_mm, "voi_radius_mm": self.voi_radius_mm,
            "slices": [{"k": k, "z_mm": z, "mean": m, "cov_percent": c}
                       for k, z, m, c in zip(self.voi_slices, self.slice_z, self.slice_mean, self.slice_cov)],
            "max_slice_deviation_percent": self.max_slice_deviation_percent,
            "axial_profile": {"z_mm": self.profile_z, "mean": self.profile_mean},
            "warnings": list(self.warnings),
        }


def analyse_uniformity(values, geometry, *, units: str = "SUV", radius_fraction: float = 0.7,
                       end_margin_mm: float = 15.0, progress=None) -> UniformityResult:
    """Analyse ``values`` (already in SUV, or any unit whose expected value is 1.0); see the module docstring."""
    from scipy import ndimage

    from workstation.analysis.qa.nema_iq import Grid, otsu

    if not 0 < radius_fraction <= 1:
        raise UniformityError(f"radius fraction must be in (0, 1], got {radius_fraction}")
    a = np.asarray(values, dtype=np.float64)
    if not np.isfinite(a).all():
        raise UniformityError("the image holds non-finite values (NaN or infinity)")
    try:
        grid = Grid(geometry)
    except ValueError as exc:
        raise UniformityError(str(exc)) from None
    if progress is not None:
        progress.update(0.1, "finding the cylinder")
    sm = ndimage.gaussian_filter(a, sigma=(4.0 / grid.dz, 4.0 / grid.dj, 4.0 / grid.di), mode="nearest")
    vals = sm[sm > 0]
    if vals.size < 1000:
        raise UniformityError("the image is empty (no positive values): no cylinder to analyse")
    thr = otsu(vals)
    b0 = float(np.median(sm[sm > thr]))
    body = sm > 0.5 * b0
    filled = np.zeros_like(body)
    for k in range(a.shape[0]):
        lab, n = ndimage.label(body[k])
        if n:
            sizes = ndimage.sum(np.ones_like(lab), lab, index=np.arange(1, n + 1))
            filled[k] = ndimage.binary_fill_holes(lab == 1 + int(np.argmax(sizes)))
    px = grid.di * grid.dj
    area = filled.sum(axis=(1, 2)) * px
    if area.max() < 20.0 * 20.0:
        raise UniformityError("no cylinder found: the largest cross-section is smaller than 4 cm2")
    full = np.flatnonzero(area >= 0.7 * area.max())
    cx = float(np.mean([grid.X[filled[k]].mean() for k in full]))
    cy = float(np.mean([grid.Y[filled[k]].mean() for k in full]))
    radius = math.sqrt(float(area[full].mean()) / math.pi)
    r_voi = radius_fraction * radius
    disc = grid.disc(cx, cy, r_voi)
    zf = grid.Z[full]
    lo, hi = zf.min() + end_margin_mm, zf.max() - end_margin_mm
    voi_k = [int(k) for k in full if lo - 1e-6 <= grid.Z[k] <= hi + 1e-6]
    warnings = []
    if len(voi_k) < 3:
        raise UniformityError(f"the cylinder's full slices span {zf.max() - zf.min():.0f} mm: too short for a VOI "
                              f"with {end_margin_mm:g} mm margins at both ends")
    if progress is not None:
        progress.update(0.6, "statistics")
    stack = np.stack([a[k][disc] for k in voi_k])
    mean = float(stack.mean())
    sd = float(stack.std(ddof=1))
    slice_mean = [float(s.mean()) for s in stack]
    slice_cov = [100.0 * float(s.std(ddof=1)) / float(s.mean()) if s.mean() != 0 else float("nan") for s in stack]
    prof_k = [int(k) for k in np.flatnonzero(area > 0)]
    profile = [float(a[k][disc].mean()) for k in prof_k]
    dev = 100.0 * (mean - 1.0)
    max_dev = 100.0 * max(abs(m / mean - 1.0) for m in slice_mean) if mean else float("nan")
    return UniformityResult(
        units=units, mean=mean, sd=sd, voxels=int(stack.size), volume_ml=stack.size * px * grid.dz / 1000.0,
        passed=bool(abs(mean - 1.0) <= TOLERANCE + 1e-12), deviation_percent=dev, axis_world=(cx, cy),
        phantom_radius_mm=radius, voi_radius_mm=r_voi, voi_slices=voi_k,
        slice_z=[float(grid.Z[k]) for k in voi_k], slice_mean=slice_mean, slice_cov=slice_cov,
        profile_z=[float(grid.Z[k]) for k in prof_k], profile_mean=profile, max_slice_deviation_percent=max_dev,
        warnings=warnings)
