"""NEMA NU 2 image quality of the IEC body phantom, with EARL recovery coefficients.

The analysis takes a PET volume (array ``[k, j, i]`` on an axial
:class:`~workstation.core.geometry.ImageGeometry`) and the known fill, and:

1. **finds the phantom**: Otsu threshold of a 4 mm-smoothed copy, background level ``b0`` = the
   median inside; the slices whose filled cross-section is at least 70 % of the largest are the
   phantom's full-body slices (end caps and noisy edge slices are left out);
2. **finds the lung insert**: the cold hole inside the body in the mean of those slices (the
   hole whose area is nearest to a 50 mm disc); its centroid is the lung axis;
3. **finds the sphere plane**: the slice where the ring 57.2 mm around the lung axis departs
   most from the background (parabolic sub-slice refinement);
4. **finds the rotation**: the image sampled on that ring every 0.5 degree is matched against
   the six sphere positions (60-degree steps, 37 mm first, both handednesses), with weights that
   fall with sphere size, for all six hot (NU 2-2018, EARL) or the 37 and 28 mm cold (NU 2-2012);
5. **refines each centre** by a matched filter (a ball of the sphere's size) in 3-D: the three
   largest within 8 mm of the pattern, the three small ones within 4 mm of the pattern moved by the
   large ones' mean shift. The caller can move any sphere (``centres``): such centres are used
   as given.

Metrics, per sphere (image units, 3-D sphere VOI = voxel centres within the inner radius):
``max``, ``mean``; ``mean_a50``: mean of the voxels connected to the maximum, within the sphere
radius + 5 mm, at or above ``C_B + 0.5 (max - C_B)`` (background-adapted A50, ``C_B`` = mean of the
37 mm background ROIs); ``peak``: the highest mean of a 1 mL ball (radius 6.2 mm) whose centre is a
voxel of the sphere VOI. ``rc_* = value / true sphere concentration``. NU 2 (2-D ROIs on the slice
nearest the sphere centre, diameter = the sphere's inner diameter): hot contrast
``Q_H = (C_H / C_B - 1) / (a_H / a_B - 1) x 100``, cold contrast ``Q_C = (1 - C_C / C_B) x 100``,
background variability ``N = SD_B / C_B x 100`` over the 60 background ROIs of each size (12 per
slice, on the slice nearest the sphere plane and the slices nearest +-10, +-20 mm from it; SD with K - 1), lung residual
``C_lung / C_B,37 x 100`` with a 30 mm ROI on each of those slices. The 12 background ROI centres
are spread by farthest-point sampling over the central slice where a 37 mm ROI keeps 15 mm from
the phantom's edge, from every sphere and from the lung insert (NU 2 asks for 15 mm from edge and
spheres); the smaller ROIs are concentric.

The two editions differ in the fill: NU 2-2012 has the 37 and 28 mm spheres cold (no RC, cold
contrast), NU 2-2018 all six hot. The NU 2 text was not at hand when this was written: the
formulas are the ones transcribed in ``refdata/earl-nema-standards/README.md``.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

import numpy as np

from workstation.core.vocabulary import F18_HALF_LIFE_S

from workstation.analysis.qa.phantom import (BACKGROUND_ROIS_PER_SLICE, BACKGROUND_SLICE_OFFSETS_MM, LUNG_OUTER_RADIUS_MM,
                      LUNG_ROI_DIAMETER_MM, PEAK_SPHERE_ML, ROI_EDGE_MARGIN_MM, ROI_SPHERE_MARGIN_MM,
                      SPHERE_CIRCLE_RADIUS_MM, SPHERE_DIAMETERS_MM, earl_verdict, sphere_centres)

PEAK_RADIUS_MM = (3.0 * PEAK_SPHERE_ML * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0)
A50_MARGIN_MM = 5.0


class NemaIqError(ValueError):
    """The image cannot be analysed as a NEMA IEC body phantom (the message says why and what to do)."""


@dataclass(frozen=True)
class Fill:
    """The known fill: a sphere:background ratio, or both concentrations (Bq/mL) at a reference time.

    ``reference_datetime`` is when the concentrations were measured; None means "at the scan
    start". The ratio does not decay (same nuclide everywhere).
    """

    ratio: float | None = None
    sphere_bqml: float | None = None
    background_bqml: float | None = None
    reference_datetime: _dt.datetime | None = None
    half_life_s: float = F18_HALF_LIFE_S

    def __post_init__(self):
        conc = (self.sphere_bqml, self.background_bqml)
        if self.ratio is None and None in conc:
            raise NemaIqError("the fill is unknown: give the sphere:background ratio, or both the sphere and the "
                              "background activity concentration")
        for name, v in (("ratio", self.ratio), ("sphere concentration", self.sphere_bqml),
                        ("background concentration", self.background_bqml), ("half-life", self.half_life_s)):
            if v is not None and not (math.isfinite(v) and v > 0):
                raise NemaIqError(f"fill: {name} must be a positive number, got {v!r}")
        if self.ratio is not None and None not in conc and abs(self.ratio - conc[0] / conc[1]) > 1e-6 * self.ratio:
            raise NemaIqError(f"fill: ratio {self.ratio} contradicts the concentrations "
                              f"({conc[0]} / {conc[1]} = {conc[0] / conc[1]:.4g}); give one or the other")
        if self.ratio is not None and self.ratio <= 1:
            raise NemaIqError(f"fill: the sphere:background ratio must be above 1, got {self.ratio}")

    @property
    def true_ratio(self) -> float:
        return float(self.ratio) if self.ratio is not None else self.sphere_bqml / self.background_bqml

    @property
    def has_concentrations(self) -> bool:
        return self.sphere_bqml is not None and self.background_bqml is not None

    def decay_to(self, scan_datetime: _dt.datetime | None) -> tuple[float, str]:
        """Factor from the reference time to the scan start, and a sentence saying how it was found."""
        if self.reference_datetime is None:
            return 1.0, "concentrations taken as at the scan start (no reference time given)"
        if scan_datetime is None:
            raise NemaIqError("the fill has a reference time but the image has no acquisition time "
                              "(SeriesDate/SeriesTime); give the concentrations at the scan start instead")
        dt = (scan_datetime - self.reference_datetime).total_seconds()
        f = 2.0 ** (-dt / self.half_life_s)
        return f, (f"decayed from {self.reference_datetime.isoformat()} to the scan start "
                   f"{scan_datetime.isoformat()} ({dt:.0f} s, half-life {self.half_life_s:g} s): x{f:.6f}")


@dataclass
class SphereResult:
    diameter_mm: float
    centre_world: tuple[float, float, float]
    hot: bool
    placed_by: str  # "found", "pattern" or "user"
    max: float | None
    mean: float
    mean_a50: float | None
    peak: float | None
    contrast_roi_mean: float
    rc_max: float | None = None
    rc_a50: float | None = None
    rc_peak: float | None = None
    contrast_hot: float | None = None
    contrast_cold: float | None = None
    earl: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("diameter_mm", "hot", "placed_by", "max", "mean", "mean_a50", "peak",
                                          "rc_max", "rc_a50", "rc_peak", "contrast_hot", "contrast_cold")}
        d["centre_world"] = [float(v) for v in self.centre_world]
        d["contrast_roi_mean"] = self.contrast_roi_mean
        d["earl1"] = self.earl.get("EARL1")
        d["earl2"] = self.earl.get("EARL2")
        return d


@dataclass
class NemaIqResult:
    units: str
    edition: str
    spheres: list[SphereResult]
    background_mean: float
    background_sd: float
    background_cov: float
    variability: dict  # diameter -> {"mean", "sd", "n_percent", "rois"}
    lung_residual_percent: float
    lung_residual_per_slice: list[float]
    lung_axis_world: tuple[float, float]
    sphere_plane_z: float
    background_slices: list[int]
    background_roi_centres: list[tuple[float, float]]
    true_sphere: float
    true_background: float | None
    true_ratio: float
    fill_note: str
    calibration_ratio: float | None
    warnings: list[str] = field(default_factory=list)
    #: the slice nearest the sphere plane and its world extent (x0, x1, y0, y1) of voxel centres, for reports
    plane_image: np.ndarray | None = field(default=None, repr=False)
    plane_extent: tuple[float, float, float, float] | None = None
    background_slice_z: list[float] = field(default_factory=list)

    def earl_pass(self, standard: str) -> bool | None:
        hot = [s for s in self.spheres if s.hot]
        if not hot:
            return None
        return all(s.earl.get(standard, {}).get("pass") for s in hot)

    def to_dict(self) -> dict:
        u = self.units or "image units"
        return {
            "units": {"concentration": u, "rc": "1", "contrast": "%", "variability": "%", "lung_residual": "%",
                      "lengths": "mm (DICOM patient coordinates, LPS)"},
            "edition": self.edition,
            "fill": {"true_ratio": self.true_ratio, "true_sphere": self.true_sphere,
                     "true_background": self.true_background, "note": self.fill_note},
            "spheres": [s.to_dict() for s in self.spheres],
            "background": {"mean": self.background_mean, "sd": self.background_sd, "cov": self.background_cov,
                           "cov_units": "%", "calibration_ratio": self.calibration_ratio,
                           "variability": {f"{d:g}": v for d, v in self.variability.items()},
                           "slices": self.background_slices, "slices_z": self.background_slice_z,
                           "roi_centres_world": [list(map(float, c)) for c in self.background_roi_centres]},
            "lung": {"residual": self.lung_residual_percent, "residual_units": "%",
                     "per_slice": self.lung_residual_per_slice, "axis_world": list(self.lung_axis_world)},
            "sphere_plane_z": self.sphere_plane_z,
            "earl1_pass": self.earl_pass("EARL1"),
            "earl2_pass": self.earl_pass("EARL2"),
            "warnings": list(self.warnings),
        }


# ------------------------------------------------------------------------------------- grid
class Grid:
    """World coordinates of an axial grid: X[j, i], Y[j, i] per slice and Z[k]."""

    def __init__(self, geometry):
        d = np.asarray(geometry.direction, dtype=float)
        if abs(d[2, 2]) < 0.999 or abs(d[2, 0]) > 1e-3 or abs(d[2, 1]) > 1e-3:
            raise NemaIqError("the PET slices are not transverse (axial); the phantom analysis needs axial slices")
        nk, nj, ni = geometry.shape
        if nk < 5 or nj < 16 or ni < 16:
            raise NemaIqError(f"the image ({nk} x {nj} x {ni}) is too small to hold the IEC body phantom")
        jj, ii = np.meshgrid(np.arange(nj), np.arange(ni), indexing="ij")
        w = geometry.kji_to_world(np.stack([np.zeros(jj.size), jj.ravel(), ii.ravel()], axis=1))
        self.X = w[:, 0].reshape(nj, ni)
        self.Y = w[:, 1].reshape(nj, ni)
        self.Z = geometry.kji_to_world(np.stack([np.arange(nk), np.zeros(nk), np.zeros(nk)], axis=1))[:, 2]
        self.dz = abs(float(self.Z[1] - self.Z[0])) if nk > 1 else float(geometry.spacing[2])
        self.di, self.dj = float(geometry.spacing[0]), float(geometry.spacing[1])
        self.geometry = geometry

    def nearest_k(self, z: float) -> int:
        return int(np.argmin(np.abs(self.Z - z)))

    def frac_k(self, z: float) -> float:
        """Fractional slice index of world z."""
        return float(np.interp(z, self.Z, np.arange(self.Z.size))) if self.Z[-1] > self.Z[0] else float(
            np.interp(-z, -self.Z, np.arange(self.Z.size)))

    def disc(self, cx: float, cy: float, r: float) -> np.ndarray:
        return (self.X - cx) ** 2 + (self.Y - cy) ** 2 <= r * r

    def to_ji(self, x: float, y: float) -> tuple[float, float]:
        kji = self.geometry.world_to_kji(np.array([[x, y, self.Z[0]]]))[0]
        return float(kji[1]), float(kji[2])


def otsu(values: np.ndarray, bins: int = 256) -> float:
    hist, edges = np.histogram(values, bins=bins)
    centres = 0.5 * (edges[:-1] + edges[1:])
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m = np.cumsum(hist * centres)
    mu0 = m / np.maximum(w0, 1)
    mu1 = (m[-1] - m) / np.maximum(w1, 1)
    between = w0 * w1 * (mu0 - mu1) ** 2
    return float(centres[int(np.argmax(between[:-1]))])


def _ball_kernel(radius_mm: float, spacing_kji) -> np.ndarray:
    n = [int(math.floor(radius_mm / s)) for s in spacing_kji]
    g = np.meshgrid(*[np.arange(-m, m + 1) * s for m, s in zip(n, spacing_kji)], indexing="ij")
    ball = (g[0] ** 2 + g[1] ** 2 + g[2] ** 2) <= radius_mm ** 2
    return ball.astype(np.float64)


class _Box:
    """A sub-block of the volume around a world point, with the world distance of every voxel."""

    def __init__(self, grid: Grid, a: np.ndarray, centre, half_mm: float):
        cx, cy, cz = centre
        kc = grid.frac_k(cz)
        jc, ic = grid.to_ji(cx, cy)
        nk, nj, ni = a.shape
        hk, hj, hi = (int(math.ceil(half_mm / grid.dz)) + 1, int(math.ceil(half_mm / grid.dj)) + 1,
                      int(math.ceil(half_mm / grid.di)) + 1)
        self.k0, self.k1 = max(0, int(round(kc)) - hk), min(nk, int(round(kc)) + hk + 1)
        self.j0, self.j1 = max(0, int(round(jc)) - hj), min(nj, int(round(jc)) + hj + 1)
        self.i0, self.i1 = max(0, int(round(ic)) - hi), min(ni, int(round(ic)) + hi + 1)
        if self.k1 <= self.k0 or self.j1 <= self.j0 or self.i1 <= self.i0:
            raise NemaIqError(f"a sphere centre ({cx:.1f}, {cy:.1f}, {cz:.1f}) mm lies outside the image")
        self.values = a[self.k0:self.k1, self.j0:self.j1, self.i0:self.i1]
        X = grid.X[self.j0:self.j1, self.i0:self.i1][None]
        Y = grid.Y[self.j0:self.j1, self.i0:self.i1][None]
        Z = grid.Z[self.k0:self.k1][:, None, None]
        self.X, self.Y, self.Z = X, Y, Z
        self.grid = grid

    def dist2(self, c) -> np.ndarray:
        return (self.X - c[0]) ** 2 + (self.Y - c[1]) ** 2 + (self.Z - c[2]) ** 2

    def world(self, kji) -> tuple[float, float, float]:
        k, j, i = kji
        return tuple(float(v) for v in self.grid.geometry.kji_to_world(
            np.array([[k + self.k0, j + self.j0, i + self.i0]], dtype=float))[0])


# ------------------------------------------------------------------------------------- finding
def _find_body(grid: Grid, a: np.ndarray, warnings: list[str]):
    from scipy import ndimage

    sigma = (4.0 / grid.dz, 4.0 / grid.dj, 4.0 / grid.di)
    sm = ndimage.gaussian_filter(a, sigma=sigma, mode="nearest")
    vals = sm[np.isfinite(sm) & (sm > 0)]
    if vals.size < 1000:
        raise NemaIqError("the image is empty (no positive values): no phantom to analyse")
    thr = otsu(vals)
    inside = sm > thr
    if not inside.any():
        raise NemaIqError("no phantom found: the image has no region clearly above the air")
    b0 = float(np.median(sm[inside]))
    body = sm > 0.5 * b0
    filled = np.zeros_like(body)
    for k in range(body.shape[0]):
        lab, n = ndimage.label(body[k])
        if n == 0:
            continue
        sizes = ndimage.sum(np.ones_like(lab), lab, index=np.arange(1, n + 1))
        biggest = lab == (1 + int(np.argmax(sizes)))
        filled[k] = ndimage.binary_fill_holes(biggest)
    area = filled.sum(axis=(1, 2)) * grid.di * grid.dj
    if area.max() < 100.0 * 100.0:
        raise NemaIqError(f"no phantom found: the largest cross-section is {area.max() / 100:.0f} cm2, the IEC body "
                          "phantom has about 540 cm2")
    valid = area >= 0.7 * area.max()
    # refine the background level on the full slices
    b0 = float(np.median(sm[valid][filled[valid] & (sm[valid] > 0.5 * b0)]))
    return sm, filled, valid, b0


def _find_lung(grid: Grid, sm, filled, valid, b0):
    from scipy import ndimage

    m2 = sm[valid].mean(axis=0)
    body2 = filled[valid].mean(axis=0) >= 0.5  # the cross-section most full slices share
    hole = body2 & ~(m2 > 0.5 * b0)
    lab, n = ndimage.label(hole)
    if n == 0:
        raise NemaIqError("no lung insert found (no cold cylinder inside the phantom): is this the IEC body "
                          "phantom? For a uniform cylinder use the uniformity check")
    want = math.pi * LUNG_OUTER_RADIUS_MM ** 2
    px = grid.di * grid.dj
    best, best_err = None, None
    for lbl in range(1, n + 1):
        area = float((lab == lbl).sum()) * px
        err = abs(math.log(max(area, 1e-6) / want))
        if best_err is None or err < best_err:
            best, best_err = lbl, err
    if best_err > math.log(3.0):
        raise NemaIqError("no lung insert found: the cold region inside the phantom is not the size of the 50 mm "
                          "insert")
    m = lab == best
    return (float(grid.X[m].mean()), float(grid.Y[m].mean())), body2


def _find_plane(grid: Grid, sm, valid, b0, lung):
    dist = np.hypot(grid.X - lung[0], grid.Y - lung[1])
    ring = np.abs(dist - SPHERE_CIRCLE_RADIUS_MM) <= 12.0
    score = np.full(sm.shape[0], -np.inf)
    for k in np.flatnonzero(valid):
        score[k] = float(np.mean(np.abs(sm[k][ring] - b0)))
    k = int(np.argmax(score))
    frac = float(k)
    if 0 < k < sm.shape[0] - 1 and np.isfinite(score[k - 1]) and np.isfinite(score[k + 1]):
        den = score[k - 1] - 2 * score[k] + score[k + 1]
        if den < 0:
            frac = k + 0.5 * (score[k - 1] - score[k + 1]) / den
    z = float(np.interp(frac, np.arange(grid.Z.size), grid.Z))
    return z


def _plane_image(grid: Grid, sm, z):
    f = grid.frac_k(z)
    k0 = int(math.floor(f))
    k1 = min(k0 + 1, sm.shape[0] - 1)
    w = f - k0
    return (1 - w) * sm[k0] + w * sm[k1]


def _find_rotation(grid: Grid, plane, b0, lung, edition: str):
    from scipy import ndimage

    ang = np.arange(0.0, 360.0, 0.5)
    xs = lung[0] + SPHERE_CIRCLE_RADIUS_MM * np.cos(np.radians(ang))
    ys = lung[1] + SPHERE_CIRCLE_RADIUS_MM * np.sin(np.radians(ang))
    pts = grid.geometry.world_to_kji(np.stack([xs, ys, np.full(xs.shape, grid.Z[0])], axis=1))
    prof = ndimage.map_coordinates(plane, [pts[:, 1], pts[:, 2]], order=1, mode="nearest") - b0
    weights = np.array([6.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    configs = {"2018": np.ones(6), "2012": np.array([-1.0, -1.0, 1, 1, 1, 1])}
    if edition in configs:
        configs = {edition: configs[edition]}
    best = None
    n = ang.size
    for name, signs in configs.items():
        for hand in (1, -1):
            idx = (np.arange(n)[:, None] + hand * (np.arange(6)[None, :] * 120)) % n  # 60 deg = 120 steps
            score = (prof[idx] * (weights * signs)[None, :]).sum(axis=1)
            i = int(np.argmax(score))
            # how many of the six positions have the sign the fill says (hot above, cold below b0)
            agree = int(np.sum(np.sign(prof[idx[i]]) == signs))
            key = (agree, float(score[i]))
            if best is None or key > best[0]:
                best = (key, float(ang[i]), hand, name)
    return best[1], best[2], best[3]


def _refine(grid: Grid, a, centre, diameter, hot: bool, search_mm: float, b0: float):
    from scipy.signal import fftconvolve

    r = diameter / 2.0
    box = _Box(grid, a, centre, r + search_mm + 4.0)
    kr = max(r, 5.0)
    kern = _ball_kernel(kr, (grid.dz, grid.dj, grid.di))
    kern /= kern.sum()
    resp = fftconvolve(box.values, kern, mode="same")
    if not hot:
        resp = -resp
    allowed = box.dist2(centre) <= search_mm ** 2
    # keep away from the box border, where the convolution sees zero padding
    border = np.zeros_like(allowed)
    hk, hj, hi = (s // 2 for s in kern.shape)
    border[hk:resp.shape[0] - hk or None, hj:resp.shape[1] - hj or None, hi:resp.shape[2] - hi or None] = True
    allowed &= border
    if not allowed.any():
        return tuple(centre)
    masked = np.where(allowed, resp, -np.inf)
    kji = list(np.unravel_index(int(np.argmax(masked)), masked.shape))
    sub = [float(v) for v in kji]
    for ax in range(3):
        lo, hi_ = list(kji), list(kji)
        lo[ax] -= 1
        hi_[ax] += 1
        if lo[ax] < 0 or hi_[ax] >= masked.shape[ax]:
            continue
        f0, f1, f2 = masked[tuple(lo)], masked[tuple(kji)], masked[tuple(hi_)]
        den = f0 - 2 * f1 + f2
        if np.isfinite(f0) and np.isfinite(f2) and den < 0:
            sub[ax] += float(np.clip(0.5 * (f0 - f2) / den, -0.5, 0.5))
    c = box.world(sub)
    # then the centroid of the sphere's excess over the background within r + 4 mm (twice): exact
    # for a symmetric sphere, where the matched filter's top can be flat
    for _ in range(2):
        w = (box.values - b0) if hot else (b0 - box.values)
        w = np.where(box.dist2(c) <= (r + 4.0) ** 2, np.clip(w, 0.0, None), 0.0)
        tot = float(w.sum())
        if not tot > 0:
            break
        new = (float((w * box.X).sum() / tot), float((w * box.Y).sum() / tot), float((w * box.Z).sum() / tot))
        if np.linalg.norm(np.subtract(new, centre)) > search_mm + 2.0:
            break
        c = new
    return c


# ------------------------------------------------------------------------------------- metrics
def _sphere_metrics(grid: Grid, a, centre, diameter, hot: bool, cb: float):
    from scipy import ndimage

    r = diameter / 2.0
    box = _Box(grid, a, centre, r + PEAK_RADIUS_MM + A50_MARGIN_MM + 4.0)
    d2 = box.dist2(centre)
    voi = d2 <= r * r
    if not voi.any():
        raise NemaIqError(f"the {diameter:g} mm sphere VOI holds no voxel: the image is too coarse")
    v = box.values
    mean = float(v[voi].mean())
    if not hot:
        return None, mean, None, None
    vmax = float(v[voi].max())
    thr = cb + 0.5 * (vmax - cb)
    near = d2 <= (r + A50_MARGIN_MM) ** 2
    cand = near & (v >= thr)
    lab, _ = ndimage.label(cand)
    kmax = np.unravel_index(int(np.argmax(np.where(voi, v, -np.inf))), v.shape)
    region = lab == lab[kmax]
    a50 = float(v[region].mean())
    kern = _ball_kernel(PEAK_RADIUS_MM, (grid.dz, grid.dj, grid.di))
    sums = ndimage.convolve(v, kern, mode="constant", cval=0.0)
    counts = ndimage.convolve(np.ones_like(v), kern, mode="constant", cval=0.0)
    full = counts >= kern.sum() - 0.5  # a full 1 mL ball inside the box
    peak_c = voi & full
    peak = float((sums[peak_c] / counts[peak_c]).max()) if peak_c.any() else float("nan")
    return vmax, mean, a50, peak


def _background_rois(grid: Grid, body2, spheres, lung, warnings):
    """12 centres of 37 mm ROIs that do not overlap, as far from the spheres as the phantom allows."""
    from scipy import ndimage

    r37 = SPHERE_DIAMETERS_MM[0] / 2.0
    edge = ndimage.distance_transform_edt(body2, sampling=(grid.dj, grid.di))
    best = None
    for edge_margin, margin in ((ROI_EDGE_MARGIN_MM, ROI_SPHERE_MARGIN_MM), (ROI_EDGE_MARGIN_MM, 10.0),
                                (ROI_EDGE_MARGIN_MM, 5.0), (10.0, 5.0), (10.0, 0.0), (5.0, 0.0)):
        allowed = edge >= edge_margin + r37
        for d, c in spheres:
            allowed &= np.hypot(grid.X - c[0], grid.Y - c[1]) >= d / 2.0 + margin + r37
        allowed &= np.hypot(grid.X - lung[0], grid.Y - lung[1]) >= LUNG_OUTER_RADIUS_MM + margin + r37
        pts = np.stack([grid.X[allowed], grid.Y[allowed]], axis=1)
        if pts.shape[0] < BACKGROUND_ROIS_PER_SLICE:
            continue
        # farthest-point sampling from the allowed point farthest from the lung axis
        d_lung = np.hypot(pts[:, 0] - lung[0], pts[:, 1] - lung[1])
        chosen = [int(np.argmax(d_lung))]
        mind = np.hypot(pts[:, 0] - pts[chosen[0], 0], pts[:, 1] - pts[chosen[0], 1])
        sep = np.inf
        while len(chosen) < BACKGROUND_ROIS_PER_SLICE:
            nxt = int(np.argmax(mind))
            sep = min(sep, float(mind[nxt]))
            chosen.append(nxt)
            mind = np.minimum(mind, np.hypot(pts[:, 0] - pts[nxt, 0], pts[:, 1] - pts[nxt, 1]))
        centres = [(float(pts[i, 0]), float(pts[i, 1])) for i in chosen]
        if best is None or sep > best[1]:
            best = (centres, sep, edge_margin, margin)
        if sep >= 2 * r37:
            break
    if best is None:
        raise NemaIqError("no room for 12 background ROIs of 37 mm inside the phantom: the phantom is not fully "
                          "in the field of view or is not the IEC body phantom")
    centres, sep, edge_margin, margin = best
    if (edge_margin, margin) != (ROI_EDGE_MARGIN_MM, ROI_SPHERE_MARGIN_MM):
        warnings.append(f"background ROIs: placed {edge_margin:g} mm from the phantom edge and {margin:g} mm from "
                        "the spheres and lung insert (not enough room with 15 mm)")
    if sep < 2 * r37:
        warnings.append(f"background ROIs of 37 mm overlap (closest centres {sep:.1f} mm apart)")
    return centres


def analyse_nema_iq(array, geometry, fill: Fill, *, units: str = "", scan_datetime: _dt.datetime | None = None,
                    edition: str = "auto", centres: dict | None = None, progress=None) -> NemaIqResult:
    """Analyse an image of the NEMA IEC body phantom; see the module docstring.

    ``units`` are the image's (DICOM Units, e.g. BQML; empty when uncalibrated). ``edition`` is
    "2018" (all spheres hot), "2012" (37 and 28 mm cold) or "auto" (decided from the image).
    ``centres`` maps a sphere diameter (mm) to a world centre the user placed.
    """
    if edition not in ("auto", "2012", "2018"):
        raise NemaIqError(f"edition must be 2012, 2018 or auto, got {edition!r}")
    a = np.asarray(array, dtype=np.float64)
    if not np.isfinite(a).all():
        raise NemaIqError("the image holds non-finite values (NaN or infinity)")
    warnings: list[str] = []

    def step(frac, msg):
        if progress is not None:
            progress.update(frac, msg)

    grid = Grid(geometry)
    step(0.05, "finding the phantom")
    sm, filled, valid, b0 = _find_body(grid, a, warnings)
    step(0.2, "finding the lung insert")
    lung, body2 = _find_lung(grid, sm, filled, valid, b0)
    step(0.3, "finding the spheres")
    z_plane = _find_plane(grid, sm, valid, b0, lung)
    theta, hand, found_edition = _find_rotation(grid, _plane_image(grid, sm, z_plane), b0, lung, edition)
    if edition == "auto":
        edition = found_edition
    hot = [not (edition == "2012" and d >= 28.0) for d in SPHERE_DIAMETERS_MM]
    ideal = sphere_centres(lung, z_plane, theta, hand)
    user = {float(k): tuple(float(v) for v in c) for k, c in (centres or {}).items()}
    for k in user:
        if k not in SPHERE_DIAMETERS_MM:
            raise NemaIqError(f"no {k:g} mm sphere in the phantom (diameters: 37, 28, 22, 17, 13, 10 mm)")
    found: list[tuple[tuple[float, float, float], str]] = [None] * 6  # type: ignore[list-item]
    shifts = []
    for n in range(3):
        d = SPHERE_DIAMETERS_MM[n]
        if d in user:
            found[n] = (user[d], "user")
        else:
            found[n] = (_refine(grid, a, ideal[n], d, hot[n], 8.0, b0), "found")
        shifts.append(np.subtract(found[n][0], ideal[n]))
    shift = np.mean(shifts, axis=0)
    for n in range(3, 6):
        d = SPHERE_DIAMETERS_MM[n]
        if d in user:
            found[n] = (user[d], "user")
            continue
        pred = tuple(float(v) for v in np.add(ideal[n], shift))
        c = _refine(grid, a, pred, d, hot[n], 4.0, b0)
        found[n] = (c, "found")
    step(0.5, "background ROIs")
    sphere_list = [(d, c) for d, (c, _) in zip(SPHERE_DIAMETERS_MM, found)]
    roi_xy = _background_rois(grid, body2, sphere_list, lung, warnings)
    k0 = grid.nearest_k(z_plane)
    slices = []
    z0 = float(grid.Z[k0])  # NU 2: +-1 cm and +-2 cm from the central slice
    for off in BACKGROUND_SLICE_OFFSETS_MM:
        k = grid.nearest_k(z0 + off)
        if abs(grid.Z[k] - (z0 + off)) > max(grid.dz, 3.0) or not valid[k]:
            warnings.append(f"background slice at {off:+g} mm from the sphere plane is outside the phantom's full "
                            "slices; left out")
            continue
        if k not in slices:
            slices.append(k)
    if k0 not in slices:
        raise NemaIqError("the sphere plane is not on a full slice of the phantom")
    variability = {}
    per_slice_37 = {}
    for d in SPHERE_DIAMETERS_MM:
        discs = [grid.disc(cx, cy, d / 2.0) for cx, cy in roi_xy]
        means = np.array([[a[k][m].mean() for m in discs] for k in slices])  # [slice, roi]
        cb = float(means.mean())
        sd = float(means.ravel().std(ddof=1))
        variability[d] = {"mean": cb, "sd": sd, "n_percent": 100.0 * sd / cb, "rois": int(means.size)}
        if d == SPHERE_DIAMETERS_MM[0]:
            per_slice_37 = {k: float(means[n].mean()) for n, k in enumerate(slices)}
            all37 = means.ravel()
    cb37 = variability[SPHERE_DIAMETERS_MM[0]]["mean"]
    if not cb37 > 0:
        raise NemaIqError("the background mean is not positive: the image is not a filled phantom")
    step(0.7, "sphere metrics")
    ratio = fill.true_ratio
    calibrated = (units or "").upper() == "BQML"
    calibration = None
    true_b = None
    if fill.has_concentrations and calibrated:
        f, note = fill.decay_to(scan_datetime)
        true_s, true_b = fill.sphere_bqml * f, fill.background_bqml * f
        calibration = cb37 / true_b
    else:
        true_s = ratio * cb37
        note = ("true sphere concentration = ratio x measured background (37 mm ROIs)"
                + ("; the image has no calibrated units, so the concentrations were used as a ratio only"
                   if fill.has_concentrations else ""))
    spheres = []
    lung_disc = grid.disc(lung[0], lung[1], LUNG_ROI_DIAMETER_MM / 2.0)
    for n, (d, (c, how)) in enumerate(zip(SPHERE_DIAMETERS_MM, found)):
        vmax, mean, a50, peak = _sphere_metrics(grid, a, c, d, hot[n], cb37)
        kc = grid.nearest_k(c[2])
        roi_mean = float(a[kc][grid.disc(c[0], c[1], d / 2.0)].mean())
        cbj = variability[d]["mean"]
        s = SphereResult(d, tuple(c), hot[n], how, vmax, mean, a50, peak, roi_mean)
        if hot[n]:
            s.rc_max, s.rc_a50, s.rc_peak = vmax / true_s, a50 / true_s, peak / true_s
            s.contrast_hot = 100.0 * (roi_mean / cbj - 1.0) / (ratio - 1.0)
            s.earl = {std: earl_verdict(std, d, s.rc_max, s.rc_a50) for std in ("EARL1", "EARL2")}
        else:
            s.contrast_cold = 100.0 * (1.0 - roi_mean / cbj)
        spheres.append(s)
    lung_res = [100.0 * float(a[k][lung_disc].mean()) / per_slice_37[k] for k in slices]
    step(1.0, "done")
    return NemaIqResult(
        units=units or "", edition=edition, spheres=spheres, background_mean=cb37,
        background_sd=float(all37.std(ddof=1)), background_cov=100.0 * float(all37.std(ddof=1)) / cb37,
        variability=variability, lung_residual_percent=float(np.mean(lung_res)), lung_residual_per_slice=lung_res,
        lung_axis_world=lung, sphere_plane_z=z_plane, background_slices=slices, background_roi_centres=roi_xy,
        true_sphere=float(true_s), true_background=None if true_b is None else float(true_b), true_ratio=ratio,
        fill_note=note, calibration_ratio=calibration, warnings=warnings,
        background_slice_z=[float(grid.Z[k]) for k in slices], plane_image=a[k0].astype(np.float32), plane_extent=(float(grid.X[0, 0]), float(grid.X[0, -1]),
                                                            float(grid.Y[0, 0]), float(grid.Y[-1, 0])))
