"""Simulated list-mode data from analytic phantoms, by a different model than the reconstructor.

No system matrix is used (no inverse crime): decays are sampled as points in the continuous
phantom (rejection sampling of the analytic activity, split into activity layers so that hot
spheres do not make the whole body be sampled at their level), each emits two back-to-back
photons in an isotropic random direction, the line is intersected with the detector cylinder and
the hit crystal is the one whose face contains the hit point. The pair survives with probability
``eff_1 * eff_2 * exp(-integral mu dl)`` (mu integrated exactly along the true line: every
surface crossing of every shape is found analytically, and each piece in between contributes
its value times its length; tested against a fine-step midpoint twin), and its TOF is the true signed position blurred by a Gaussian of the
scanner's CTR, then binned (outside the coincidence window: dropped). Randoms are uniformly
distributed crystal pairs with uniform TOF bins; delayeds are an independent sample of the same
distribution. Activity is confined to the scanner's axial field of view (a stated
simplification); attenuation is not.

Phantoms are lists of shapes painted in order (later shapes override earlier):
``(kind, params[8], activity Bq/mL, mu 1/cm)`` with kinds 0 = sphere (cx, cy, cz, r),
1 = z-cylinder (cx, cy, r, z0, z1), 2 = NEMA IEC body interior (y0, z0, z1, wall),
3 = NEMA IEC body outer shell (y0, z0, z1), 4 = axis-aligned ellipsoid (cx, cy, cz, a, b, c),
5 = elliptic cylinder along z (cx, cy, a, b, z0, z1).
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


def shape_box(kind: int, p) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounding box (lo, hi) of one shape, mm."""
    p = [float(v) for v in p]
    if kind == 0:
        c, r = np.array(p[:3]), p[3]
        return c - r, c + r
    if kind == 1:
        return np.array([p[0] - p[2], p[1] - p[2], p[3]]), np.array([p[0] + p[2], p[1] + p[2], p[4]])
    if kind in (2, 3):  # body: upper half-cylinder r 150 about y0, lower part to y0 + 80 (see _kernels_sim._inside_s)
        return np.array([-150.0, p[0] - 150.0, p[1]]), np.array([150.0, p[0] + 80.0, p[2]])
    if kind == 4:
        c, r = np.array(p[:3]), np.array(p[3:6])
        return c - r, c + r
    if kind == 5:
        return np.array([p[0] - p[2], p[1] - p[3], p[4]]), np.array([p[0] + p[2], p[1] + p[3], p[5]])
    raise ValueError(f"unknown shape kind {kind}")


def _union_box(shapes, which: int):
    """Box around the shapes whose value ``which`` (2 = activity, 3 = mu) is positive (None if none)."""
    boxes = [shape_box(s[0], s[1]) for s in shapes if s[which] > 0]
    if not boxes:
        return None
    return np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)


def simulate(scanner, shapes, duration_s: float, randoms_fraction: float = 0.1, seed: int = 0, chunks: int = 16,
             layered: bool = True):
    """Prompts (d1, d2, tof) with true/random labels, and delayeds (d1, d2, tof).

    Decays are sampled by rejection in activity layers: the activity is split as
    ``a = sum_i clip(a, l_{i-1}, l_i) - l_{i-1}`` over its distinct levels, and layer ``i`` is
    sampled uniformly in the box of the shapes at level ``l_i`` or above (inside the axial field
    of view), so a few hot spheres do not force the whole body to be sampled at their level.
    Each layer runs in ``chunks`` independent streams (seeded from ``seed``, in parallel; the
    result does not depend on the number of threads). ``layered=False`` samples one layer up to
    the highest level (slower; the same distribution, kept as a check).
    """
    from . import _kernels_sim as k

    if scanner.radius is None:
        raise ValueError("simulation needs a cylindrical scanner")
    kinds, params, act, mu = _pack(shapes)
    pitch = getattr(scanner, "ring_pitch")
    half_ax = scanner.n_rings * pitch / 2
    r = scanner.radius
    fov_lo, fov_hi = np.array([-r, -r, -half_ax]), np.array([r, r, half_ax])
    levels = sorted({float(v) for v in act if v > 0})
    if not layered:
        levels = levels[-1:]
    if not levels:
        raise ValueError("the phantom has no activity")
    # activity layers: a(x) = sum_i (clip(a(x), l_{i-1}, l_i) - l_{i-1}); layer i lives in the box of the
    # shapes with activity >= l_i, so hot spheres do not make the whole body be sampled at their level
    layers = []
    floor = 0.0
    for level in levels:
        box = _union_box([sh for sh in shapes if sh[2] / 1000.0 >= level * (1 - 1e-12) or not layered], 2)
        lo, hi = np.maximum(fov_lo, box[0]), np.minimum(fov_hi, box[1])
        if np.all(hi > lo):
            layers.append((lo, hi, floor, level))
        floor = level
    if not layers:
        raise ValueError("the phantom's activity lies outside the scanner's field of view")
    rng = np.random.default_rng(seed)
    chunks = max(1, int(chunks))
    los, his, floors, ceils, trials = [], [], [], [], []
    n_trials = 0
    for lo, hi, fl, ce in layers:
        n_layer = int(rng.poisson((ce - fl) * float(np.prod(hi - lo)) * duration_s))
        n_trials += n_layer
        per = np.full(chunks, n_layer // chunks, np.int64)
        per[: n_layer % chunks] += 1
        for c in range(chunks):
            los.append(lo)
            his.append(hi)
            floors.append(fl)
            ceils.append(ce)
            trials.append(per[c])
    trials = np.array(trials, np.int64)
    n_chunks = trials.size
    seeds = rng.integers(0, 2**31 - 1, n_chunks).astype(np.int64)
    cap = max(16, int(trials.max() * 0.5) + 1000)
    out = np.zeros((cap * n_chunks, 3), np.int64)
    counts = np.zeros(n_chunks, np.int64)
    sigma = scanner.tof_fwhm_mm / 2.3548200450309493
    k.simulate_trues(trials, seeds, np.array(los), np.array(his), np.array(floors), np.array(ceils), kinds, params,
                     act, mu, r, scanner.n_per_ring, scanner.n_rings, pitch,
                     np.asarray(scanner.efficiencies, np.float64), np.asarray(scanner.tof_edges, np.float64), sigma,
                     out, counts)
    trues = np.concatenate([out[c * cap: c * cap + counts[c]] for c in range(n_chunks)])
    n_true = len(trues)
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
