"""numba kernels of the list-mode simulator (see simulate.py). Compiled on first use."""

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True, inline="always")
def _inside_s(kind, P, s, x, y, z):
    """Whether (x, y, z) is inside shape ``s`` (row ``s`` of ``P``: its parameters)."""
    if kind == 0:
        dx, dy, dz = x - P[s, 0], y - P[s, 1], z - P[s, 2]
        return dx * dx + dy * dy + dz * dz <= P[s, 3] * P[s, 3]
    if kind == 1:
        if not (P[s, 3] <= z <= P[s, 4]):
            return False
        dx, dy = x - P[s, 0], y - P[s, 1]
        return dx * dx + dy * dy <= P[s, 2] * P[s, 2]
    if kind == 2 or kind == 3:
        y0 = P[s, 0]
        w = P[s, 3] if kind == 2 else 0.0
        if not (P[s, 1] <= z <= P[s, 2]):
            return False
        if y <= y0:  # upper half-cylinder (anterior = -y)
            return x * x + (y - y0) ** 2 <= (150.0 - w) ** 2
        if y > y0 + 80.0 - w:
            return False
        if abs(x) <= 70.0:
            return True
        cx = 70.0 if x > 0 else -70.0
        return (x - cx) ** 2 + (y - y0) ** 2 <= (80.0 - w) ** 2
    if kind == 4:  # axis-aligned ellipsoid (cx, cy, cz, a, b, c)
        ex, ey, ez = (x - P[s, 0]) / P[s, 3], (y - P[s, 1]) / P[s, 4], (z - P[s, 2]) / P[s, 5]
        return ex * ex + ey * ey + ez * ez <= 1.0
    if kind == 5:  # elliptic cylinder along z (cx, cy, a, b, z0, z1)
        if not (P[s, 4] <= z <= P[s, 5]):
            return False
        ex, ey = (x - P[s, 0]) / P[s, 2], (y - P[s, 1]) / P[s, 3]
        return ex * ex + ey * ey <= 1.0
    return False


@nb.njit(cache=True, nogil=True)
def _value(kinds, params, vals, x, y, z):
    """Value of the last painted shape holding the point (shapes are painted in order): searched backwards."""
    for s in range(kinds.size - 1, -1, -1):
        if _inside_s(kinds[s], params, s, x, y, z):
            return vals[s]
    return 0.0


@nb.njit(cache=True, nogil=True)
def values_at(pts, kinds, params, vals):
    out = np.empty(pts.shape[0])
    for n in range(pts.shape[0]):
        out[n] = _value(kinds, params, vals, pts[n, 0], pts[n, 1], pts[n, 2])
    return out


@nb.njit(cache=True, nogil=True)
def mu_integral_fine(kinds, params, mu, x, y, z, ux, uy, uz, t1, t2, step):
    """Reference twin: midpoint rule with a fixed (fine) step along ``p + t u``, t in [t1, t2]."""
    L = t2 - t1
    nstep = int(L / step) + 1
    ds = L / nstep
    integ = 0.0
    for s in range(nstep):
        t = t1 + (s + 0.5) * ds
        integ += _value(kinds, params, mu, x + t * ux, y + t * uy, z + t * uz)
    return integ * ds


@nb.njit(cache=True, nogil=True, inline="always")
def _circle_roots(buf, n, cx, cy, r, x, y, ux, uy):
    A = ux * ux + uy * uy
    if A < 1e-18:
        return n
    dx, dy = x - cx, y - cy
    B = 2 * (dx * ux + dy * uy)
    C = dx * dx + dy * dy - r * r
    disc = B * B - 4 * A * C
    if disc <= 0:
        return n
    sq = math.sqrt(disc)
    buf[n] = (-B - sq) / (2 * A)
    buf[n + 1] = (-B + sq) / (2 * A)
    return n + 2


@nb.njit(cache=True, nogil=True, inline="always")
def _plane_root(buf, n, p, u, c):
    if abs(u) < 1e-18:
        return n
    buf[n] = (c - p) / u
    return n + 1


@nb.njit(cache=True, nogil=True)
def shape_crossings(kind, p, x, y, z, ux, uy, uz, buf, n):
    """Append to ``buf`` every t where the line ``(x,y,z) + t u`` may cross the surface of a shape.

    A superset of the real crossings (every circle, plane and sphere the shape is cut from), so
    that between two consecutive candidates the painted value is constant.
    """
    if kind == 0:
        dx, dy, dz = x - p[0], y - p[1], z - p[2]
        B = 2 * (dx * ux + dy * uy + dz * uz)
        C = dx * dx + dy * dy + dz * dz - p[3] * p[3]
        A = ux * ux + uy * uy + uz * uz
        disc = B * B - 4 * A * C
        if disc > 0:
            sq = math.sqrt(disc)
            buf[n] = (-B - sq) / (2 * A)
            buf[n + 1] = (-B + sq) / (2 * A)
            n += 2
        return n
    if kind == 1:
        n = _circle_roots(buf, n, p[0], p[1], p[2], x, y, ux, uy)
        n = _plane_root(buf, n, z, uz, p[3])
        return _plane_root(buf, n, z, uz, p[4])
    if kind == 2 or kind == 3:
        y0 = p[0]
        w = p[3] if kind == 2 else 0.0
        n = _circle_roots(buf, n, 0.0, y0, 150.0 - w, x, y, ux, uy)
        n = _circle_roots(buf, n, 70.0, y0, 80.0 - w, x, y, ux, uy)
        n = _circle_roots(buf, n, -70.0, y0, 80.0 - w, x, y, ux, uy)
        n = _plane_root(buf, n, y, uy, y0)
        n = _plane_root(buf, n, y, uy, y0 + 80.0 - w)
        n = _plane_root(buf, n, x, ux, 70.0)
        n = _plane_root(buf, n, x, ux, -70.0)
        n = _plane_root(buf, n, z, uz, p[1])
        return _plane_root(buf, n, z, uz, p[2])
    if kind == 4:  # ellipsoid: a unit sphere in coordinates scaled by the semi-axes (same t)
        dx, dy, dz = (x - p[0]) / p[3], (y - p[1]) / p[4], (z - p[2]) / p[5]
        vx, vy, vz = ux / p[3], uy / p[4], uz / p[5]
        A = vx * vx + vy * vy + vz * vz
        B = 2 * (dx * vx + dy * vy + dz * vz)
        C = dx * dx + dy * dy + dz * dz - 1.0
        disc = B * B - 4 * A * C
        if disc > 0:
            sq = math.sqrt(disc)
            buf[n] = (-B - sq) / (2 * A)
            buf[n + 1] = (-B + sq) / (2 * A)
            n += 2
        return n
    if kind == 5:  # elliptic cylinder: a unit circle in scaled x, y, and the two end planes
        n = _circle_roots(buf, n, 0.0, 0.0, 1.0, (x - p[0]) / p[2], (y - p[1]) / p[3], ux / p[2], uy / p[3])
        n = _plane_root(buf, n, z, uz, p[4])
        return _plane_root(buf, n, z, uz, p[5])
    return n


MAX_CROSSINGS_PER_SHAPE = 12


@nb.njit(cache=True, nogil=True)
def mu_integral_exact(kinds, params, mu, x, y, z, ux, uy, uz, t1, t2, buf):
    """Exact integral of the painted (piecewise-constant) mu along the line from t1 to t2.

    Candidates for every surface crossing are collected, sorted, and each piece between two
    consecutive ones contributes (value at its midpoint) x (its length). ``buf`` holds at least
    ``MAX_CROSSINGS_PER_SHAPE * n_shapes + 2`` floats.
    """
    n = 0
    for s in range(kinds.size):
        if mu[s] != 0.0 or s > 0:  # a zero-mu shape painted over others still changes the value
            n = shape_crossings(kinds[s], params[s], x, y, z, ux, uy, uz, buf, n)
    m = 0
    for i in range(n):  # keep the crossings strictly inside (t1, t2)
        if t1 < buf[i] < t2:
            buf[m] = buf[i]
            m += 1
    for i in range(1, m):  # insertion sort (a few dozen values)
        v = buf[i]
        j = i - 1
        while j >= 0 and buf[j] > v:
            buf[j + 1] = buf[j]
            j -= 1
        buf[j + 1] = v
    integ = 0.0
    a = t1
    for i in range(m + 1):
        b = buf[i] if i < m else t2
        if b > a:
            t = 0.5 * (a + b)
            integ += (b - a) * _value(kinds, params, mu, x + t * ux, y + t * uy, z + t * uz)
            a = b
    return integ


@nb.njit(cache=True, nogil=True)
def _trues_chunk(n_trials, seed, lo, hi, floor, ceil, kinds, params, act, mu, R, n_per_ring, n_rings,
                 pitch, eff, edges, sigma, out):
    np.random.seed(seed)
    n = 0
    half_ax = n_rings * pitch / 2
    dphi = 2 * math.pi / n_per_ring
    nb_ = edges.size - 1
    buf = np.empty(MAX_CROSSINGS_PER_SHAPE * kinds.size + 2)
    for _ in range(n_trials):
        x = lo[0] + (hi[0] - lo[0]) * np.random.random()
        y = lo[1] + (hi[1] - lo[1]) * np.random.random()
        z = lo[2] + (hi[2] - lo[2]) * np.random.random()
        # isotropic direction, drawn first: a line that leaves the axial field of view is lost
        # whatever the activity here. Both hits lie at least R - r_xy away transversally, so
        # |cot(theta)| <= (half_ax + |z|) / (R - r_xy) bounds the detectable directions: decays
        # with |cz| above the bound are dropped before the (costlier) activity look-up.
        cz = 2 * np.random.random() - 1
        rxy = math.sqrt(x * x + y * y)
        if rxy < R:
            cot = (half_ax + abs(z)) / (R - rxy)
            if cz * cz > cot * cot / (1.0 + cot * cot):
                continue
        # this layer's share of the activity: min(a, ceil) - floor (layers add up to a)
        a = _value(kinds, params, act, x, y, z)
        if a <= floor or np.random.random() * (ceil - floor) > min(a, ceil) - floor:
            continue
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
        r = np.random.random()
        integ = mu_integral_exact(kinds, params, mu, x, y, z, ux, uy, uz, t1, t2, buf)
        if r > math.exp(-integ):
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


@nb.njit(cache=True, nogil=True, parallel=True)
def simulate_trues(trials, seeds, los, his, floors, ceils, kinds, params, act, mu, R, n_per_ring, n_rings, pitch,
                   eff, edges, sigma, out, counts):
    """Independent chunks (own seed, box, activity layer and slice of ``out``) in parallel.

    Deterministic for any thread count: each chunk reseeds the generator of the thread running it.
    """
    cap = out.shape[0] // trials.size
    for c in nb.prange(trials.size):
        counts[c] = _trues_chunk(trials[c], seeds[c], los[c], his[c], floors[c], ceils[c], kinds, params, act, mu,
                                 R, n_per_ring, n_rings, pitch, eff, edges, sigma, out[c * cap:(c + 1) * cap])
