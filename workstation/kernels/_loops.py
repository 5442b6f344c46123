"""The compiled loops behind the kernel wrappers (imported lazily by the wrappers).

Everything here works on C-contiguous arrays whose dtypes the wrappers fix (values float32,
masks uint8, labels int32), so each loop is compiled for one signature only. Accumulators are
float64. Arrays are 3-D ``[k, j, i]``; flat indices are C-order ravel indices.
"""

from __future__ import annotations

import numpy as np

from workstation.kernels._jit import njit


@njit
def region_stats_loop(values, mask):
    """One pass: (count, sum, sum of squares, min, max, non-finite count) of values where mask != 0."""
    n = 0
    bad = 0
    s = 0.0
    s2 = 0.0
    mn = np.inf
    mx = -np.inf
    for p in range(values.size):
        if mask[p] != 0:
            v = np.float64(values[p])
            if not np.isfinite(v):
                bad += 1
                continue
            n += 1
            s += v
            s2 += v * v
            if v < mn:
                mn = v
            if v > mx:
                mx = v
    return n, s, s2, mn, mx, bad


@njit
def _row_has(values, k, j, thr):
    """Any value >= thr in row (k, j)? Branch-free reduction so the compiler can vectorise it."""
    acc = False
    for i in range(values.shape[2]):
        acc |= values[k, j, i] >= thr
    return acc


@njit
def _row_nonzero(labels, k, j):
    acc = 0
    for i in range(labels.shape[2]):
        acc |= labels[k, j, i]
    return acc != 0


@njit
def _find(parent, x):
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit
def label_loop(values, thr, labels):
    """26-connected components of ``values >= thr`` (two-pass union-find).

    ``labels`` (int32, zero-filled, same shape) receives labels 1..n numbered in the raster
    order of each component's first voxel, which is the order scipy.ndimage.label uses.
    Returns n.
    """
    nk, nj, ni = values.shape
    cap = 4096
    parent = np.empty(cap, np.int32)
    parent[0] = 0
    nprov = 0
    rows = np.zeros((nk, nj), np.uint8)  # rows holding foreground: the second pass visits only these
    for k in range(nk):
        for j in range(nj):
            if not _row_has(values, k, j, thr):
                continue
            rows[k, j] = 1
            for i in range(ni):
                if not (values[k, j, i] >= thr):
                    continue
                cur = 0
                # the 13 neighbours already visited in raster order
                for dk in range(-1, 1):
                    kk = k + dk
                    if kk < 0:
                        continue
                    for dj in range(-1, 2):
                        if dk == 0 and dj > 0:
                            break
                        jj = j + dj
                        if jj < 0 or jj >= nj:
                            continue
                        for di in range(-1, 2):
                            if dk == 0 and dj == 0 and di >= 0:
                                break
                            ii = i + di
                            if ii < 0 or ii >= ni:
                                continue
                            lab = labels[kk, jj, ii]
                            if lab == 0:
                                continue
                            r = _find(parent, lab)
                            if cur == 0:
                                cur = r
                            elif r != cur:
                                if r < cur:
                                    parent[cur] = r
                                    cur = r
                                else:
                                    parent[r] = cur
                if cur == 0:
                    nprov += 1
                    if nprov >= cap:
                        grown = np.empty(cap * 2, np.int32)
                        grown[:cap] = parent
                        parent = grown
                        cap *= 2
                    parent[nprov] = nprov
                    cur = nprov
                labels[k, j, i] = cur
    # second pass: final labels in raster order of first appearance
    final = np.zeros(nprov + 1, np.int32)
    n = 0
    for k in range(nk):
        for j in range(nj):
            if rows[k, j] == 0:
                continue
            for i in range(ni):
                lab = labels[k, j, i]
                if lab != 0:
                    r = _find(parent, lab)
                    f = final[r]
                    if f == 0:
                        n += 1
                        f = n
                        final[r] = n
                    labels[k, j, i] = f
    return n


@njit
def label_stats_loop(labels, values, n):
    """One pass per-label statistics for labels 1..n (index 0 of each output is background).

    Returns count, sum, sumsq, max, argmax (flat index of the first voxel holding the max, in
    raster order) and bbox (n+1, 6) = kmin, jmin, imin, kmax, jmax, imax (inclusive).
    """
    nk, nj, ni = labels.shape
    count = np.zeros(n + 1, np.int64)
    total = np.zeros(n + 1, np.float64)
    sumsq = np.zeros(n + 1, np.float64)
    vmax = np.full(n + 1, -np.inf, np.float64)
    argmax = np.full(n + 1, -1, np.int64)
    bbox = np.empty((n + 1, 6), np.int64)
    for lab in range(n + 1):
        bbox[lab, 0] = nk
        bbox[lab, 1] = nj
        bbox[lab, 2] = ni
        bbox[lab, 3] = -1
        bbox[lab, 4] = -1
        bbox[lab, 5] = -1
    for k in range(nk):
        for j in range(nj):
            if not _row_nonzero(labels, k, j):
                continue
            for i in range(ni):
                lab = labels[k, j, i]
                p = (k * nj + j) * ni + i
                if lab > 0 and lab <= n:
                    v = np.float64(values[k, j, i])
                    count[lab] += 1
                    total[lab] += v
                    sumsq[lab] += v * v
                    if v > vmax[lab] or argmax[lab] < 0:
                        vmax[lab] = v
                        argmax[lab] = p
                    if k < bbox[lab, 0]:
                        bbox[lab, 0] = k
                    if j < bbox[lab, 1]:
                        bbox[lab, 1] = j
                    if i < bbox[lab, 2]:
                        bbox[lab, 2] = i
                    if k > bbox[lab, 3]:
                        bbox[lab, 3] = k
                    if j > bbox[lab, 4]:
                        bbox[lab, 4] = j
                    if i > bbox[lab, 5]:
                        bbox[lab, 5] = i
    return count, total, sumsq, vmax, argmax, bbox


@njit
def peak_loop(values, labels, n, bbox, offsets):
    """Highest sphere mean centred on any voxel of each label 1..n.

    The mean at a centre is over the sphere voxels (``offsets`` (m, 3) as dk, dj, di) that lie
    inside the grid. Returns (peak, flat index of the first centre in raster order reaching
    it); -inf / -1 for empty labels.
    """
    nk, nj, ni = values.shape
    m = offsets.shape[0]
    hk = 0
    hj = 0
    hi = 0
    for o in range(m):
        hk = max(hk, abs(offsets[o, 0]))
        hj = max(hj, abs(offsets[o, 1]))
        hi = max(hi, abs(offsets[o, 2]))
    peak = np.full(n + 1, -np.inf, np.float64)
    where = np.full(n + 1, -1, np.int64)
    for lab in range(1, n + 1):
        if bbox[lab, 3] < 0:
            continue
        best = -np.inf
        bestp = -1
        for k in range(bbox[lab, 0], bbox[lab, 3] + 1):
            for j in range(bbox[lab, 1], bbox[lab, 4] + 1):
                for i in range(bbox[lab, 2], bbox[lab, 5] + 1):
                    if labels[k, j, i] != lab:
                        continue
                    s = 0.0
                    c = 0
                    if (k - hk >= 0 and k + hk < nk and j - hj >= 0 and j + hj < nj
                            and i - hi >= 0 and i + hi < ni):
                        for o in range(m):
                            s += np.float64(values[k + offsets[o, 0], j + offsets[o, 1], i + offsets[o, 2]])
                        c = m
                    else:
                        for o in range(m):
                            kk = k + offsets[o, 0]
                            jj = j + offsets[o, 1]
                            ii = i + offsets[o, 2]
                            if kk >= 0 and kk < nk and jj >= 0 and jj < nj and ii >= 0 and ii < ni:
                                s += np.float64(values[kk, jj, ii])
                                c += 1
                    mean = s / c
                    if mean > best:
                        best = mean
                        bestp = (k * nj + j) * ni + i
        peak[lab] = best
        where[lab] = bestp
    return peak, where


@njit
def grow_loop(values, lo, hi, seed, out, bbox):
    """Seeded 26-connected region growing over lo <= value <= hi; marks ``out`` (uint8).

    Returns the voxel count; ``bbox`` (int64, 6) receives kmin, jmin, imin, kmax, jmax, imax.
    """
    nk, nj, ni = values.shape
    sk = seed // (nj * ni)
    sj = (seed // ni) % nj
    si = seed % ni
    bbox[0] = sk
    bbox[1] = sj
    bbox[2] = si
    bbox[3] = sk
    bbox[4] = sj
    bbox[5] = si
    v0 = values[sk, sj, si]
    if not (v0 >= lo and v0 <= hi):
        return 0
    cap = 4096
    stack = np.empty(cap, np.int64)
    top = 0
    stack[top] = seed
    top += 1
    out[sk, sj, si] = 1
    count = 1
    while top > 0:
        top -= 1
        p = stack[top]
        k = p // (nj * ni)
        j = (p // ni) % nj
        i = p % ni
        for kk in range(max(k - 1, 0), min(k + 2, nk)):
            for jj in range(max(j - 1, 0), min(j + 2, nj)):
                for ii in range(max(i - 1, 0), min(i + 2, ni)):
                    if out[kk, jj, ii] != 0:
                        continue
                    v = values[kk, jj, ii]
                    if v >= lo and v <= hi:
                        out[kk, jj, ii] = 1
                        count += 1
                        bbox[0] = min(bbox[0], kk)
                        bbox[1] = min(bbox[1], jj)
                        bbox[2] = min(bbox[2], ii)
                        bbox[3] = max(bbox[3], kk)
                        bbox[4] = max(bbox[4], jj)
                        bbox[5] = max(bbox[5], ii)
                        if top >= cap:
                            grown = np.empty(cap * 2, np.int64)
                            grown[:cap] = stack
                            stack = grown
                            cap *= 2
                        stack[top] = (kk * nj + jj) * ni + ii
                        top += 1
    return count
