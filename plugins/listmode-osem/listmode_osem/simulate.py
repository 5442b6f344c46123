"""Simulated list-mode data from analytic phantoms, by a different model than the reconstructor.

No system matrix is used (no inverse crime): decays are sampled as points in the continuous
phantom (rejection sampling of the analytic activity), each emits two back-to-back photons in an
isotropic random direction, the line is intersected with the detector cylinder and the hit
crystal is the one whose face contains the hit point. The pair survives with probability
``eff_1 * eff_2 * exp(-integral mu dl)`` (mu integrated on the analytic phantom in 0.5 mm steps
along the true line), and its TOF is the true signed position blurred by a Gaussian of the
scanner's CTR, then binned (outside the coincidence window: dropped). Randoms are uniformly
distributed crystal pairs with uniform TOF bins; delayeds are an independent sample of the same
distribution. Activity is confined to the scanner's axial field of view (a stated
simplification); attenuation is not.

Phantoms are lists of shapes painted in order (later shapes override earlier):
``(kind, params[8], activity Bq/mL, mu 1/cm)`` with kinds 0 = sphere (cx, cy, cz, r),
1 = z-cylinder (cx, cy, r, z0, z1), 2 = NEMA IEC body interior (y0, z0, z1, wall),
3 = NEMA IEC body outer shell (y0, z0, z1).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

MU_WATER = 0.096  # 1/cm at 511 keV
MU_PMMA = 0.110
MU_LUNG = 0.030


def nema_phantom(geometry_json: str | Path, background: float = 5300.0, ratio: float = 4.0):
    """Shapes of the NEMA IEC body phantom, sphere plane at z = 0 (scanner centre)."""
    g = json.loads(Path(geometry_json).read_text(encoding="utf-8"))
    m = g["sources"]["opengate_model"]
    sph = m["spheres"]
    diam = [float(d) for d in sph["inner_diameters_mm"]]
    rc = float(sph["centre_circle_radius_mm"])
    a0 = math.radians(float(sph["default_angle_of_37mm_sphere_deg"]))
    step = math.radians(float(sph["angular_spacing_deg"]))
    wall = float(m["body"]["side_wall_mm"])
    lung_r = float(m["lung_insert"]["outer_radius_mm"])
    interior = float(m["body"]["interior_length_mm"])
    y0 = 35.0  # centre of the upper half-cylinder; the body spans y in [-115, 115]
    z0, z1 = -70.0, -70.0 + interior  # sphere plane 70 mm from the lid
    shapes = [(3, (y0, z0 - 10, z1 + 10, 0, 0, 0, 0, 0), 0.0, MU_PMMA),
              (2, (y0, z0, z1, wall, 0, 0, 0, 0), background, MU_WATER),
              (1, (0.0, 0.0, lung_r, z0, z1, 0, 0, 0), 0.0, MU_LUNG)]
    centres = []
    for n, d in enumerate(diam):
        a = a0 + n * step  # counter-clockwise in 60 degree steps
        c = (rc * math.cos(a), rc * math.sin(a), 0.0)
        centres.append(c)
        shapes.append((0, (c[0], c[1], c[2], d / 2, 0, 0, 0, 0), background * ratio, MU_WATER))
    info = {"sphere_diameters_mm": diam, "sphere_centres_mm": centres, "background_bqml": background,
            "sphere_bqml": background * ratio, "lung_centre_mm": (0.0, 0.0), "lung_radius_mm": lung_r,
            "body_y0_mm": y0, "wall_mm": wall}
    return shapes, info


def demo_phantom(activity: float = 10000.0):
    """A water cylinder (r 80 mm) with a hot sphere (4x) and a cold rod."""
    shapes = [(1, (0, 0, 80.0, -100.0, 100.0, 0, 0, 0), activity, MU_WATER),
              (0, (30.0, -20.0, 0.0, 12.0, 0, 0, 0, 0), 4 * activity, MU_WATER),
              (1, (-35.0, 10.0, 10.0, -100.0, 100.0, 0, 0, 0), 0.0, MU_WATER)]
    return shapes, {"background_bqml": activity}


def _pack(shapes):
    kinds = np.array([s[0] for s in shapes], np.int64)
    params = np.array([list(s[1]) + [0.0] * (8 - len(s[1])) for s in shapes], np.float64)
    act = np.array([s[2] for s in shapes], np.float64) / 1000.0  # Bq/mm^3
    mu = np.array([s[3] for s in shapes], np.float64) / 10.0  # 1/mm
    return kinds, params, act, mu


def phantom_image(shapes, geometry, supersample: int = 3, what: str = "activity") -> np.ndarray:
    """The phantom on a grid (mean over supersample^3 points per voxel): Bq/mL or mu (1/cm)."""
    from . import _kernels_sim as k

    kinds, params, act, mu = _pack(shapes)
    vals = act * 1000.0 if what == "activity" else mu * 10.0
    nk, nj, ni = geometry.shape
    out = np.zeros(geometry.shape)
    offs = (np.arange(supersample) + 0.5) / supersample - 0.5
    K, J, I = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    base = np.stack([I, J, K], -1).reshape(-1, 3).astype(float)
    for a in offs:
        for b in offs:
            for c in offs:
                pts = geometry.ijk_to_world(base + np.array([a, b, c]))
                out += k.values_at(pts, kinds, params, vals).reshape(geometry.shape)
    return out / supersample ** 3


def simulate(scanner, shapes, duration_s: float, randoms_fraction: float = 0.1, seed: int = 0):
    """Prompts (d1, d2, tof) with true/random labels, and delayeds (d1, d2, tof)."""
    from . import _kernels_sim as k

    if scanner.radius is None:
        raise ValueError("simulation needs a cylindrical scanner")
    kinds, params, act, mu = _pack(shapes)
    pitch = getattr(scanner, "ring_pitch")
    half_ax = scanner.n_rings * pitch / 2
    r = scanner.radius
    box_lo = np.array([-r, -r, -half_ax])
    box_hi = np.array([r, r, half_ax])
    vol = float(np.prod(box_hi - box_lo))
    amax = float(act.max())
    rng = np.random.default_rng(seed)
    n_trials = int(rng.poisson(amax * vol * duration_s))
    cap = max(16, int(n_trials * 0.5) + 1000)
    out = np.zeros((cap, 3), np.int64)
    sigma = scanner.tof_fwhm_mm / 2.3548200450309493
    n_true = k.simulate_trues(n_trials, seed, box_lo, box_hi, amax, kinds, params, act, mu, r, scanner.n_per_ring,
                              scanner.n_rings, pitch, np.asarray(scanner.efficiencies, np.float64),
                              np.asarray(scanner.tof_edges, np.float64), sigma, out)
    trues = out[:n_true]
    n_r = int(rng.poisson(randoms_fraction / max(1e-9, 1 - randoms_fraction) * n_true)) if randoms_fraction > 0 else 0

    def rand_pairs(n):
        d1 = rng.integers(0, scanner.n_detectors, n)
        d2 = rng.integers(0, scanner.n_detectors, n)
        keep = (d1 // scanner.n_rings) != (d2 // scanner.n_rings)  # not the same angular position
        return np.stack([d1[keep], d2[keep], rng.integers(0, scanner.n_tof_bins, keep.sum())], 1)

    randoms = rand_pairs(n_r)
    delayeds = rand_pairs(n_r)
    prompts = np.concatenate([trues, randoms])
    is_true = np.concatenate([np.ones(len(trues), bool), np.zeros(len(randoms), bool)])
    order = rng.permutation(len(prompts))
    return prompts[order], is_true[order], delayeds, {"decays_sampled_box": n_trials, "trues": n_true,
                                                       "randoms": len(randoms), "delayeds": len(delayeds)}
