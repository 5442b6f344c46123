"""The NEMA IEC body phantom and the EARL recovery bands, written down once.

Geometry (inner dimensions) after the OpenGATE model of the phantom as transcribed in
``refdata/nema-iec-body-phantom/geometry.json``: six spheres of inner diameter 37, 28, 22, 17, 13
and 10 mm with their centres on a circle of radius 57.2 mm around the lung insert's axis, 60 degrees
apart, all in one transverse plane; a lung insert of 50 mm outer diameter along the whole length;
the body's cross-section is a half-cylinder of inner radius 147 mm above a 140 x 77 mm box flanked
by two quarter-cylinders of inner radius 77 mm; interior length 194 mm, sphere plane 27 mm from the
mid-plane towards the lid.

EARL bands (RCmax, RCA50) from ``refdata/earl-nema-standards/README.md`` (Kaalep et al. 2018 as
encoded in pynemaiqpet 0.5.4). EARL2 RCpeak bands could not be verified here, so RCpeak is
reported without a verdict.

:func:`iec_phantom_image` draws the phantom of known truth on any grid (voxel-centre inclusion,
optionally supersampled), for tests, demos and the reconstruction -> QA loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SPHERE_DIAMETERS_MM = (37.0, 28.0, 22.0, 17.0, 13.0, 10.0)
SPHERE_CIRCLE_RADIUS_MM = 57.2
LUNG_OUTER_RADIUS_MM = 25.0
LUNG_ROI_DIAMETER_MM = 30.0
BODY_HALF_CYLINDER_RADIUS_MM = 147.0
BODY_BOX_HALF_WIDTH_MM = 70.0
BODY_LOWER_DEPTH_MM = 77.0
BODY_INTERIOR_LENGTH_MM = 194.0
SPHERE_PLANE_FROM_MID_MM = 27.0
LUNG_OFFSET_FROM_CYLINDER_CENTRE_MM = 35.0
PEAK_SPHERE_ML = 1.0
#: NU 2 background ROI slices: the central sphere slice and +-1 cm, +-2 cm
BACKGROUND_SLICE_OFFSETS_MM = (-20.0, -10.0, 0.0, 10.0, 20.0)
BACKGROUND_ROIS_PER_SLICE = 12
#: NU 2 margins for background ROIs (mm): from the phantom edge and from any sphere
ROI_EDGE_MARGIN_MM = 15.0
ROI_SPHERE_MARGIN_MM = 15.0

# sphere mm -> (low, high); RC = measured / true activity concentration
EARL_BANDS: dict[str, dict[str, dict[float, tuple[float, float]]]] = {
    "EARL1": {
        "rc_max": {37.0: (0.95, 1.16), 28.0: (0.91, 1.13), 22.0: (0.83, 1.09), 17.0: (0.73, 1.01),
                   13.0: (0.59, 0.85), 10.0: (0.34, 0.57)},
        "rc_a50": {37.0: (0.76, 0.89), 28.0: (0.72, 0.85), 22.0: (0.63, 0.78), 17.0: (0.57, 0.73),
                   13.0: (0.44, 0.60), 10.0: (0.27, 0.43)},
    },
    "EARL2": {
        "rc_max": {37.0: (1.05, 1.29), 28.0: (1.01, 1.26), 22.0: (1.01, 1.32), 17.0: (1.00, 1.38),
                   13.0: (0.85, 1.22), 10.0: (0.52, 0.88)},
        "rc_a50": {37.0: (0.85, 1.00), 28.0: (0.82, 0.97), 22.0: (0.80, 0.99), 17.0: (0.76, 0.97),
                   13.0: (0.63, 0.86), 10.0: (0.39, 0.61)},
    },
}


def earl_verdict(standard: str, diameter_mm: float, rc_max: float, rc_a50: float) -> dict:
    """Pass/fail of one sphere against one EARL standard (both RCmax and RCA50 must be in band)."""
    bands = EARL_BANDS[standard]
    out = {}
    for key, value in (("rc_max", rc_max), ("rc_a50", rc_a50)):
        lo, hi = bands[key][float(diameter_mm)]
        out[key] = {"band": [lo, hi], "pass": bool(math.isfinite(value) and lo <= value <= hi)}
    out["pass"] = bool(out["rc_max"]["pass"] and out["rc_a50"]["pass"])
    out["rc_peak"] = {"band": None, "pass": None, "note": "EARL RCpeak bands not verified; no verdict"}
    return out


def body_inside_xy(dx, dy):
    """Inside the body cross-section; ``dx, dy`` in mm from the half-cylinder centre (dy > 0 = posterior/flat side)."""
    dx = np.asarray(dx, dtype=float)
    dy = np.asarray(dy, dtype=float)
    r = BODY_HALF_CYLINDER_RADIUS_MM
    upper = (dy <= 0) & (dx * dx + dy * dy <= r * r)
    box = (dy > 0) & (dy <= BODY_LOWER_DEPTH_MM) & (np.abs(dx) <= BODY_BOX_HALF_WIDTH_MM)
    ax = np.abs(dx) - BODY_BOX_HALF_WIDTH_MM
    corner = (dy > 0) & (ax > 0) & (ax * ax + dy * dy <= BODY_LOWER_DEPTH_MM ** 2)
    return upper | box | corner


@dataclass(frozen=True)
class PhantomTruth:
    sphere_centres_world: tuple[tuple[float, float, float], ...]  # in SPHERE_DIAMETERS_MM order
    lung_axis_xy: tuple[float, float]
    sphere_plane_z: float
    sphere_values: tuple[float, ...]
    background: float
    lung_value: float


def sphere_centres(lung_xy, z, theta0_deg: float = 0.0, handedness: int = 1) -> list[tuple[float, float, float]]:
    """World centres of the six spheres, the 37 mm one at ``theta0_deg`` (x axis = 0), 60-degree steps."""
    out = []
    for n in range(6):
        t = math.radians(theta0_deg + handedness * 60.0 * n)
        out.append((lung_xy[0] + SPHERE_CIRCLE_RADIUS_MM * math.cos(t),
                    lung_xy[1] + SPHERE_CIRCLE_RADIUS_MM * math.sin(t), float(z)))
    return out


def iec_phantom_image(geometry, background: float = 1.0, ratio: float = 4.0, *, sphere_values=None,
                      lung_value: float = 0.0, lung_xy=(0.0, 0.0), sphere_plane_z: float = 0.0,
                      theta0_deg: float = 0.0, handedness: int = 1, supersample: int = 1,
                      slice_scale=None) -> tuple[np.ndarray, PhantomTruth]:
    """The IEC body phantom drawn on ``geometry`` (a :class:`~workstation.core.geometry.ImageGeometry`).

    ``sphere_values`` (six numbers, 37 mm first) override ``ratio * background``. With
    ``supersample=1`` a voxel belongs to a compartment when its centre does (the rule the analysis's
    VOIs use, so clean phantoms give exact answers); larger values average ``s**3`` sub-voxel
    samples (partial volume). ``slice_scale`` (one factor per slice) multiplies background and lung
    on each slice (not the spheres) -- a known slice-to-slice variation for tests.
    """
    values = (tuple(float(v) for v in sphere_values) if sphere_values is not None
              else tuple(ratio * background for _ in SPHERE_DIAMETERS_MM))
    if len(values) != 6:
        raise ValueError("sphere_values needs six values (37 mm first)")
    centres = sphere_centres(lung_xy, sphere_plane_z, theta0_deg, handedness)
    cyl_centre = (lung_xy[0], lung_xy[1] + LUNG_OFFSET_FROM_CYLINDER_CENTRE_MM)
    mid_z = sphere_plane_z - SPHERE_PLANE_FROM_MID_MM  # the lid is towards +z
    nk, nj, ni = geometry.shape
    s = int(supersample)
    offs = (np.arange(s) + 0.5) / s - 0.5
    out = np.zeros(geometry.shape, dtype=np.float64)
    scale = np.ones(nk) if slice_scale is None else np.asarray(slice_scale, dtype=float)
    for k in range(nk):
        acc = np.zeros((nj, ni))
        for ok in offs:
            for oj in offs:
                for oi in offs:
                    jj, ii = np.meshgrid(np.arange(nj) + oj, np.arange(ni) + oi, indexing="ij")
                    kji = np.stack([np.full(jj.shape, k + ok), jj, ii], axis=-1).reshape(-1, 3)
                    w = geometry.kji_to_world(kji)
                    x, y, z = w[:, 0], w[:, 1], w[:, 2]
                    v = np.zeros(x.shape)
                    inside = body_inside_xy(x - cyl_centre[0], y - cyl_centre[1]) & (
                        np.abs(z - mid_z) <= BODY_INTERIOR_LENGTH_MM / 2)
                    v[inside] = background * scale[k]
                    lung = inside & ((x - lung_xy[0]) ** 2 + (y - lung_xy[1]) ** 2 <= LUNG_OUTER_RADIUS_MM ** 2)
                    v[lung] = lung_value * scale[k]
                    for d, c, val in zip(SPHERE_DIAMETERS_MM, centres, values):
                        ball = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= (d / 2) ** 2
                        v[ball] = val
                    acc += v.reshape(nj, ni)
        out[k] = acc / s ** 3
    truth = PhantomTruth(tuple(tuple(c) for c in centres), (float(lung_xy[0]), float(lung_xy[1])),
                         float(sphere_plane_z), values, float(background), float(lung_value))
    return out, truth
