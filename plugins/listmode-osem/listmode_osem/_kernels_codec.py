"""numba kernels of the PETSIRD event codec (see petsird_io for the format). Compiled on first use."""

import numba as nb
import numpy as np

STATUS = {0: "ok", 1: "truncated data", 2: "unsupported time-block kind", 3: "varint too long",
          }


@nb.njit(cache=True, nogil=True)
def _varint(data, pos):
    result = np.int64(0)
    shift = 0
    n = data.size
    while True:
        if pos >= n:
            return np.int64(-1), pos, 1
        b = np.int64(data[pos])
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos, 0
        shift += 7
        if shift > 63:
            return np.int64(-1), pos, 3


@nb.njit(cache=True, nogil=True)
def _skip_nested(data, pos, depth, leaf_varints):
    """Skip vectors nested ``depth`` deep whose leaves are records of ``leaf_varints`` varints."""
    remaining = np.zeros(depth, np.int64)  # items left at each level
    level = 0
    n, pos, st = _varint(data, pos)
    if st != 0:
        return pos, st
    remaining[0] = n
    while level >= 0:
        if remaining[level] == 0:
            level -= 1
            continue
        remaining[level] -= 1
        if level == depth - 1:
            for _k in range(leaf_varints):
                v, pos, st = _varint(data, pos)
                if st != 0:
                    return pos, st
        else:
            n, pos, st = _varint(data, pos)
            if st != 0:
                return pos, st
            level += 1
            remaining[level] = n
    return pos, 0


@nb.njit(cache=True, nogil=True, inline="always")
def _varint_unchecked(data, pos):
    """A varint where the caller guaranteed 10 readable bytes; (-1, pos) if longer than 10 bytes."""
    b = np.int64(data[pos])
    pos += 1
    if b < 0x80:
        return b, pos
    result = b & 0x7F
    shift = 7
    while True:
        b = np.int64(data[pos])
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            return np.int64(-1), pos


@nb.njit(cache=True, nogil=True)
def _events(data, pos, nev, store, count, b1, b2, tof, tms, start):
    """Decode (store=True) or skip ``nev`` coincidence events (3 varints each); returns (pos, status).

    When the whole list fits in the buffer even at the longest varints (30 bytes per event), the
    bounds are checked once for the list instead of per byte.
    """
    n = data.size
    if pos + 30 * nev <= n:
        if store:
            for e in range(nev):
                x1, pos = _varint_unchecked(data, pos)
                x2, pos = _varint_unchecked(data, pos)
                t, pos = _varint_unchecked(data, pos)
                if x1 < 0 or x2 < 0 or t < 0:
                    return pos, 3
                b1[count + e] = x1
                b2[count + e] = x2
                tof[count + e] = t
                tms[count + e] = start
        else:  # count only: a varint ends at each byte below 0x80
            ends = 0
            need = 3 * nev
            run = 0
            while ends < need:
                b = data[pos]
                pos += 1
                if b < 0x80:
                    ends += 1
                    run = 0
                else:
                    run += 1
                    if run >= 10:
                        return pos, 3
        return pos, 0
    for e in range(nev):
        x1, pos, st = _varint(data, pos)
        if st != 0:
            return pos, st
        x2, pos, st = _varint(data, pos)
        if st != 0:
            return pos, st
        t, pos, st = _varint(data, pos)
        if st != 0:
            return pos, st
        if store:
            b1[count + e] = x1
            b2[count + e] = x2
            tof[count + e] = t
            tms[count + e] = start
    return pos, 0


@nb.njit(cache=True, nogil=True)
def _walk(data, pos, fill, pb1, pb2, ptof, ptms, db1, db2, dtof, dtms, times):
    """Walk the time-block stream once; count (fill=False) or store (fill=True) prompts and delayeds.

    Returns ``(n_prompts, n_delayeds, status, pos)``.
    """
    counts = np.zeros(2, np.int64)
    first = True
    while True:
        nitems, pos, st = _varint(data, pos)
        if st != 0:
            return counts[0], counts[1], st, pos
        if nitems == 0:
            return counts[0], counts[1], 0, pos
        for _ in range(nitems):
            if pos >= data.size:
                return counts[0], counts[1], 1, pos
            tag = data[pos]
            pos += 1
            if tag != 0:
                return counts[0], counts[1], 2, pos
            start, pos, st = _varint(data, pos)
            if st != 0:
                return counts[0], counts[1], st, pos
            stop, pos, st = _varint(data, pos)
            if st != 0:
                return counts[0], counts[1], st, pos
            if first:
                times[0] = start
                first = False
            times[1] = stop
            pos, st = _skip_nested(data, pos, 2, 2)  # singles: [type][event](bin, time)
            if st != 0:
                return counts[0], counts[1], st, pos
            for which in range(2):  # prompts, delayeds
                nrows, pos, st = _varint(data, pos)
                if st != 0:
                    return counts[0], counts[1], st, pos
                for _r in range(nrows):
                    ncols, pos, st = _varint(data, pos)
                    if st != 0:
                        return counts[0], counts[1], st, pos
                    for _c in range(ncols):
                        nev, pos, st = _varint(data, pos)
                        if st != 0:
                            return counts[0], counts[1], st, pos
                        if which == 0:
                            pos, st = _events(data, pos, nev, fill, counts[0], pb1, pb2, ptof, ptms, start)
                        else:
                            pos, st = _events(data, pos, nev, fill, counts[1], db1, db2, dtof, dtms, start)
                        if st != 0:
                            return counts[0], counts[1], st, pos
                        counts[which] += nev
            pos, st = _skip_nested(data, pos, 4, 5)  # triples: 3 bins + 2 TOF indices
            if st != 0:
                return counts[0], counts[1], st, pos
            pos, st = _skip_nested(data, pos, 5, 5)  # quadruples (serialised like triples in 0.12)
            if st != 0:
                return counts[0], counts[1], st, pos


@nb.njit(cache=True, nogil=True)
def count_events(data, pos):
    """``(n_prompts, n_delayeds, status, pos)`` of the stream starting at ``pos``."""
    d32 = np.zeros(0, np.int32)
    d64 = np.zeros(0, np.int64)
    times = np.zeros(2, np.int64)
    return _walk(data, pos, False, d32, d32, d32, d64, d32, d32, d32, d64, times)


@nb.njit(cache=True, nogil=True)
def fill_events(data, pos, pb1, pb2, ptof, ptms, db1, db2, dtof, dtms, times):
    return _walk(data, pos, True, pb1, pb2, ptof, ptms, db1, db2, dtof, dtms, times)


@nb.njit(cache=True, nogil=True)
def _put(buf, pos, v):
    v = np.uint64(v)
    while v >= 0x80:
        buf[pos] = np.uint8((v & np.uint64(0x7F)) | np.uint64(0x80))
        v >>= np.uint64(7)
        pos += 1
    buf[pos] = np.uint8(v)
    return pos + 1


@nb.njit(cache=True, nogil=True)
def encode_blocks(buf, p1, p2, pt, d1, d2, dt, p_split, d_split, block_ms, duration_ms):
    pos = 0
    nblocks = p_split.size - 1
    for b in range(nblocks):
        pos = _put(buf, pos, 1)  # one item in this stream chunk
        buf[pos] = 0  # EventTimeBlock
        pos += 1
        start = b * block_ms
        stop = min((b + 1) * block_ms, duration_ms)
        pos = _put(buf, pos, start)
        pos = _put(buf, pos, stop)
        pos = _put(buf, pos, 0)  # singles: empty
        for which in range(2):
            if which == 0:
                a1, a2, at, lo, hi = p1, p2, pt, p_split[b], p_split[b + 1]
            else:
                a1, a2, at, lo, hi = d1, d2, dt, d_split[b], d_split[b + 1]
            if hi == lo:
                pos = _put(buf, pos, 0)
                continue
            pos = _put(buf, pos, 1)
            pos = _put(buf, pos, 1)
            pos = _put(buf, pos, hi - lo)
            for e in range(lo, hi):
                pos = _put(buf, pos, a1[e])
                pos = _put(buf, pos, a2[e])
                pos = _put(buf, pos, at[e])
        pos = _put(buf, pos, 0)  # triples
        pos = _put(buf, pos, 0)  # quadruples
    pos = _put(buf, pos, 0)  # end of stream
    return pos
