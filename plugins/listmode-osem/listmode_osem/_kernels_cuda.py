"""numba.cuda kernels of the Joseph projector: the same model as ``_kernels_proj`` on a GPU.

One thread per event. The event's LOR runs from ``det[i1[e]]`` to ``det[i2[e]]`` (a table of
points on the device, usually the crystal face centres, so only three int32 per event travel),
and the ray is sampled exactly as in ``_kernels_proj._ray``: principal axis ``a`` of the largest
index-space extent, one sample per plane of voxel centres ``q_a = m``, bilinear interpolation in
the two other axes, weight ``|p2 - p1| / |q2_a - q1_a|`` mm, and with TOF the Gaussian integrated
over the event's TOF bin with samples beyond ``nsig`` sigma of the bin skipped. Forward sums in
float64 per thread; back projection adds ``value * weight`` to a float64 image with atomic adds
(so the sum order, not the model, differs from the CPU kernel: results agree to rounding).

This module imports ``numba.cuda``: import it only when a GPU path is wanted (see ``gpu.py``).
Set ``NUMBA_ENABLE_CUDASIM=1`` before the first import of numba.cuda to run it on the CUDA
simulator (slow; tests only).
"""

import math

from numba import cuda, float64, int64

THREADS = 128


@cuda.jit(device=True, inline=True)
def _ray(img, out_img, det, e, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, value, forward):
    q1 = cuda.local.array(3, dtype=float64)
    d = cuda.local.array(3, dtype=float64)
    n = cuda.local.array(3, dtype=int64)
    if forward:
        n[0] = img.shape[2]
        n[1] = img.shape[1]
        n[2] = img.shape[0]
    else:
        n[0] = out_img.shape[2]
        n[1] = out_img.shape[1]
        n[2] = out_img.shape[0]
    a1 = i1[e]
    a2 = i2[e]
    L = 0.0
    for ax in range(3):
        q1[ax] = (det[a1, ax] - origin[ax]) / spacing[ax]
        d[ax] = (det[a2, ax] - origin[ax]) / spacing[ax] - q1[ax]
        L += (det[a2, ax] - det[a1, ax]) ** 2
    L = math.sqrt(L)
    a = 0
    if abs(d[1]) > abs(d[a]):
        a = 1
    if abs(d[2]) > abs(d[a]):
        a = 2
    if d[a] == 0.0:
        return 0.0
    b = (a + 1) % 3
    c = (a + 2) % 3
    n_a = n[a]
    nb_ = n[b]
    nc_ = n[c]
    w = L / abs(d[a])
    m0 = 0
    m1 = n_a - 1
    tof_lo = 0.0
    tof_hi = 0.0
    inv = 0.0
    if use_tof:
        tof_lo = edges[tof_bin[e]]
        tof_hi = edges[tof_bin[e] + 1]
        slo = tof_lo - nsig * sigma
        shi = tof_hi + nsig * sigma
        qa_lo = q1[a] + (slo / L + 0.5) * d[a]
        qa_hi = q1[a] + (shi / L + 0.5) * d[a]
        if qa_lo > qa_hi:
            qa_lo, qa_hi = qa_hi, qa_lo
        m0 = max(m0, int(math.ceil(qa_lo)))
        m1 = min(m1, int(math.floor(qa_hi)))
        inv = 1.0 / (math.sqrt(2.0) * sigma)
    acc = 0.0
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
                ii = m if a == 0 else (jb if b == 0 else jc)
                jj = m if a == 1 else (jb if b == 1 else jc)
                kk = m if a == 2 else (jb if b == 2 else jc)
                if forward:
                    acc += wgt * img[kk, jj, ii]
                else:
                    cuda.atomic.add(out_img, (kk, jj, ii), value * wgt)
    return acc


@cuda.jit
def forward_kernel(img, det, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, out):
    e = cuda.grid(1)
    if e < i1.shape[0]:
        out[e] = _ray(img, img, det, e, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, 0.0, True)


@cuda.jit
def back_kernel(out_img, det, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, values):
    e = cuda.grid(1)
    if e < i1.shape[0]:
        v = values[e]
        if v != 0.0:
            _ray(out_img, out_img, det, e, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, v, False)


def blocks(n: int) -> int:
    return max(1, (int(n) + THREADS - 1) // THREADS)


# ---------------------------------------------------------------- device-resident OSEM (gpu.lm_osem_resident)
@cuda.jit
def ratio_kernel(img, det, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, mult, add, ratio):
    """ratio_e = m_e / (m_e (A x)_e + r_e), 0 where the expectation is not positive (one thread per event)."""
    e = cuda.grid(1)
    if e < i1.shape[0]:
        m = float64(mult[e])
        ybar = m * _ray(img, img, det, e, i1, i2, origin, spacing, tof_bin, edges, sigma, nsig, use_tof, 0.0,
                        True) + float64(add[e])
        ratio[e] = m / max(ybar, 1e-30) if ybar > 0.0 else 0.0


@cuda.jit
def update_kernel(x, back, sub_sens, mask):
    """x <- x * back / sub_sens inside the mask, 0 outside; back is zeroed for the next subset (one thread per voxel)."""
    v = cuda.grid(1)
    nj = x.shape[1]
    ni = x.shape[2]
    if v < x.shape[0] * nj * ni:
        k = v // (nj * ni)
        j = (v // ni) % nj
        i = v % ni
        if mask[k, j, i]:
            x[k, j, i] = x[k, j, i] * back[k, j, i] / sub_sens[k, j, i]
        else:
            x[k, j, i] = 0.0
        back[k, j, i] = 0.0


@cuda.jit
def zero_kernel(a):
    v = cuda.grid(1)
    nj = a.shape[1]
    ni = a.shape[2]
    if v < a.shape[0] * nj * ni:
        a[v // (nj * ni), (v // ni) % nj, v % ni] = 0.0
