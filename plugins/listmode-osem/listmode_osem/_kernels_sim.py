"""numba kernels of the list-mode simulator (see simulate.py). Compiled on first use."""

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def _inside(kind, p, x, y, z):
    if kind == 0:
        return (x - p[0]) ** 2 + (y - p[1]) ** 2 + (z - p[2]) ** 2 <= p[3] ** 2
    if kind == 1:
        return (x - p[0]) ** 2 + (y - p[1]) ** 2 <= p[2] ** 2 and p[3] <= z <= p[4]
    if kind == 2 or kind == 3:
        y0 = p[0]
        w = p[3] if kind == 2 else 0.0
        if not (p[1] <= z <= p[2]):
            return False
        if y <= y0:  # upper half-cylinder (anterior = -y)
            return x * x + (y - y0) ** 2 <= (150.0 - w) ** 2
        if y > y0 + 80.0 - w:
            return False
        if abs(x) <= 70.0:
            return True
        cx = 70.0 if x > 0 else -70.0
        return (x - cx) ** 2 + (y - y0) ** 2 <= (80.0 - w) ** 2
    return False


@nb.njit(cache=True, nogil=True)
def _value(kinds, params, vals, x, y, z):
    v = 0.0
    for s in range(kinds.size):
        if _inside(kinds[s], params[s], x, y, z):
            v = vals[s]
    return v


@nb.njit(cache=True, nogil=True)
def values_at(pts, kinds, params, vals):
    out = np.empty(pts.shape[0])
    for n in range(pts.shape[0]):
        out[n] = _value(kinds, params, vals, pts[n, 0], pts[n, 1], pts[n, 2])
    return out


@nb.njit(cache=True, nogil=True)
def simulate_trues(n_trials, seed, lo, hi, amax, kinds, params, act, mu, R, n_per_ring, n_rings, pitch, eff,
                   edges, sigma, out):
    np.random.seed(seed)
    n = 0
    half_ax = n_rings * pitch / 2
    dphi = 2 * math.pi / n_per_ring
    nb_ = edges.size - 1
    for _ in range(n_trials):
        x = lo[0] + (hi[0] - lo[0]) * np.random.random()
        y = lo[1] + (hi[1] - lo[1]) * np.random.random()
        z = lo[2] + (hi[2] - lo[2]) * np.random.random()
        a = _value(kinds, params, act, x, y, z)
        if a <= 0 or np.random.random() * amax > a:
            continue
        # isotropic direction
        cz = 2 * np.random.random() - 1
        ph = 2 * math.pi * np.random.random()
        sz = math.sqrt(1 - cz * cz)
        ux, uy, uz = sz * math.cos(ph), sz * math.sin(ph), cz
        A = ux * ux + uy * uy
        if A < 1e-12:
            continue
        B = 2 * (x * ux + y * uy)
        C = x * x + y * y - R * R
        disc = B * B - 4 * A * C
        if disc <= 0:
            continue
        sq = math.sqrt(disc)
        t1 = (-B - sq) / (2 * A)  # negative
        t2 = (-B + sq) / (2 * A)  # positive
        z1 = z + t1 * uz
        z2 = z + t2 * uz
        if abs(z1) >= half_ax or abs(z2) >= half_ax:
            continue
        x1, y1 = x + t1 * ux, y + t1 * uy
        x2, y2 = x + t2 * ux, y + t2 * uy
        j1 = int(math.floor(math.atan2(y1, x1) / dphi + 0.5)) % n_per_ring
        j2 = int(math.floor(math.atan2(y2, x2) / dphi + 0.5)) % n_per_ring
        r1 = min(n_rings - 1, int((z1 + half_ax) / pitch))
        r2 = min(n_rings - 1, int((z2 + half_ax) / pitch))
        det1 = j1 * n_rings + r1
        det2 = j2 * n_rings + r2
        if np.random.random() > eff[det1] * eff[det2]:
            continue
        # attenuation along the whole line between the hits
        L = t2 - t1
        nstep = int(L / 0.5) + 1
        ds = L / nstep
        integ = 0.0
        for s in range(nstep):
            t = t1 + (s + 0.5) * ds
            integ += _value(kinds, params, mu, x + t * ux, y + t * uy, z + t * uz)
        if np.random.random() > math.exp(-integ * ds):
            continue
        # TOF: signed position of the emission from the midpoint, towards det2
        s_true = -(t1 + t2) / 2  # emission at t = 0; midpoint at (t1 + t2) / 2
        s_meas = s_true + sigma * np.random.standard_normal()
        if s_meas < edges[0] or s_meas >= edges[nb_]:
            continue
        b = 0
        while s_meas >= edges[b + 1]:
            b += 1
        if n >= out.shape[0]:
            break
        out[n, 0] = det1
        out[n, 1] = det2
        out[n, 2] = b
        n += 1
    return n
