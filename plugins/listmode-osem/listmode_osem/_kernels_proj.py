"""numba kernels of the Joseph ray-driven projector (non-TOF and TOF). Compiled on first use.

Coordinates: the image is ``img[k, j, i]``; a world point p (mm, scanner = patient frame,
axis-aligned grid) has continuous index ``q = (p - origin) / spacing`` in (i, j, k) order with
voxel centres at integers. For one LOR p1 -> p2 the principal axis ``a`` is the one with the
largest index-space extent; the ray is sampled where it crosses each plane ``q_a = m`` of voxel
centres and the image is interpolated bilinearly in the two other axes (zero outside). Each
sample weighs ``|p2 - p1| / |q2_a - q1_a|`` mm (the ray length between planes). With TOF the
sample at signed distance ``s`` from the LOR midpoint (positive towards p2) is further weighted by
the probability that a Gaussian (sigma) time difference falls in the event's TOF bin,
``Phi((hi - s)/sigma) - Phi((lo - s)/sigma)``, and samples beyond ``nsig`` sigma of the bin are
skipped. Forward and back projection share one sample generator, so they are exact adjoints.
"""

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True, inline="always")
def _setup(p1, p2, e, origin, spacing, shape_ijk):
    q1 = np.empty(3)
    d = np.empty(3)
    for ax in range(3):
        q1[ax] = (p1[e, ax] - origin[ax]) / spacing[ax]
        d[ax] = (p2[e, ax] - origin[ax]) / spacing[ax] - q1[ax]
    a = 0
    if abs(d[1]) > abs(d[a]):
        a = 1
    if abs(d[2]) > abs(d[a]):
        a = 2
    L = 0.0
    for ax in range(3):
        L += (p2[e, ax] - p1[e, ax]) ** 2
    L = math.sqrt(L)
    return q1, d, a, L


@nb.njit(cache=True, nogil=True)
def _ray(img, out_img, q1, d, a, L, value, tof_lo, tof_hi, sigma, nsig, use_tof, forward):
    """Forward: return the weighted line sum. Back: add value * weights to out_img."""
    nk, nj, ni = img.shape if forward else out_img.shape
    n_a = (ni, nj, nk)[a]
    if d[a] == 0.0:
        return 0.0
    b = (a + 1) % 3
    c = (a + 2) % 3
    nb_ = (ni, nj, nk)[b]
    nc_ = (ni, nj, nk)[c]
    w = L / abs(d[a])
    m0 = 0
    m1 = n_a - 1
    if use_tof:
        # restrict to planes whose TOF weight is non-negligible: s in [lo - nsig sigma, hi + nsig sigma]
        slo = tof_lo - nsig * sigma
        shi = tof_hi + nsig * sigma
        t_lo = slo / L + 0.5
        t_hi = shi / L + 0.5
        qa_lo = q1[a] + t_lo * d[a]
        qa_hi = q1[a] + t_hi * d[a]
        if qa_lo > qa_hi:
            qa_lo, qa_hi = qa_hi, qa_lo
        m0 = max(m0, int(math.ceil(qa_lo)))
        m1 = min(m1, int(math.floor(qa_hi)))
    acc = 0.0
    inv = 1.0 / (math.sqrt(2.0) * sigma) if use_tof else 0.0
    for m in range(m0, m1 + 1):
        t = (m - q1[a]) / d[a]
        wt = w
        if use_tof:
            s = (t - 0.5) * L
            wt *= 0.5 * (math.erf((tof_hi - s) * inv) - math.erf((tof_lo - s) * inv))
            if wt == 0.0:
                continue
        qb = q1[b] + t * d[b]
        qc = q1[c] + t * d[c]
        ib = int(math.floor(qb))
        ic = int(math.floor(qc))
        fb = qb - ib
        fc = qc - ic
        for db in range(2):
            jb = ib + db
            if jb < 0 or jb >= nb_:
                continue
            wb = fb if db == 1 else 1.0 - fb
            for dc in range(2):
                jc = ic + dc
                if jc < 0 or jc >= nc_:
                    continue
                wgt = wt * wb * (fc if dc == 1 else 1.0 - fc)
                if wgt == 0.0:
                    continue
                # index (i, j, k) from (a, b, c)
                ii = m if a == 0 else (jb if b == 0 else jc)
                jj = m if a == 1 else (jb if b == 1 else jc)
                kk = m if a == 2 else (jb if b == 2 else jc)
                if forward:
                    acc += wgt * img[kk, jj, ii]
                else:
                    out_img[kk, jj, ii] += value * wgt
    return acc


@nb.njit(cache=True, nogil=True, parallel=True)
def forward(img, origin, spacing, p1, p2, tof_bin, edges, sigma, nsig, use_tof, out):
    n = p1.shape[0]
    shape_ijk = np.array([img.shape[2], img.shape[1], img.shape[0]])
    for e in nb.prange(n):
        q1, d, a, L = _setup(p1, p2, e, origin, spacing, shape_ijk)
        lo = 0.0
        hi = 0.0
        if use_tof:
            lo = edges[tof_bin[e]]
            hi = edges[tof_bin[e] + 1]
        out[e] = _ray(img, img, q1, d, a, L, 0.0, lo, hi, sigma, nsig, use_tof, True)


@nb.njit(cache=True, nogil=True, parallel=True)
def back(out_img, origin, spacing, p1, p2, tof_bin, edges, sigma, nsig, use_tof, values, nchunks):
    n = p1.shape[0]
    shape_ijk = np.array([out_img.shape[2], out_img.shape[1], out_img.shape[0]])
    partial = np.zeros((nchunks,) + out_img.shape, dtype=np.float64)
    for ch in nb.prange(nchunks):
        lo_e = ch * n // nchunks
        hi_e = (ch + 1) * n // nchunks
        buf = partial[ch]
        for e in range(lo_e, hi_e):
            v = values[e]
            if v == 0.0:
                continue
            q1, d, a, L = _setup(p1, p2, e, origin, spacing, shape_ijk)
            lo = 0.0
            hi = 0.0
            if use_tof:
                lo = edges[tof_bin[e]]
                hi = edges[tof_bin[e] + 1]
            _ray(buf, buf, q1, d, a, L, v, lo, hi, sigma, nsig, use_tof, False)
    for ch in range(nchunks):
        out_img += partial[ch]
