"""Benchmark: whole-body lesion pipeline and SUVpeak, our numba kernels versus scipy.ndimage.

Input: a deterministic synthetic whole-body SUV volume (600×256×256 float32, 2.734×2.734×2 mm,
an elliptic body of SUV ≈ 1 with noise and 40 spherical lesions with a peaked profile).

1. Lesion pipeline: threshold (SUV >= 2.5) + 26-connected labelling + per-lesion stats.
   Ours: label_components + label_stats (count, sum, sumsq, max, argmax, bbox).
   scipy: ndimage.label(vol >= 2.5, 3×3×3) + ndimage.sum + ndimage.maximum.
   The label images must be identical (same numbering), sums/maxima equal.
2. SUVpeak of every lesion: ours (sphere of voxel centres within 6.2035 mm, centres at lesion
   voxels only) versus ndimage.convolve of the whole volume with the same ball / its voxel count
   + ndimage.maximum over the labels. All lesions lie away from the border, so the in-grid
   normalisation of our rule is the constant voxel count there: the values must agree.

Both sides run on the same input in the same process; ours is timed after a warm-up call on a
small volume (numba compile / cache load is not counted; it is printed separately).

Usage: python bench/bench_quant.py [--small] [--repeat N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage as ndi

from workstation.kernels.peak import PEAK_RADIUS_MM, suvpeak_labels
from workstation.kernels.labeling import label_components, label_stats
from workstation.kernels.reference import sphere_kernel

SPACING = (2.734375, 2.734375, 2.0)  # (di, dj, dk) mm
THRESHOLD = 2.5


def make_volume(shape=(600, 256, 256), n_lesions=40, seed=20261126) -> np.ndarray:
    rng = np.random.default_rng(seed)
    nk, nj, ni = shape
    vol = rng.normal(0.05, 0.02, size=shape).astype(np.float32)
    jj, ii = np.ogrid[:nj, :ni]
    body = ((jj - nj / 2) / (0.38 * nj)) ** 2 + ((ii - ni / 2) / (0.45 * ni)) ** 2 <= 1.0
    vol[:, body] += 0.95 + rng.normal(0.0, 0.12, size=(nk, int(body.sum()))).astype(np.float32)
    di, dj, dk = SPACING
    placed = []
    while len(placed) < n_lesions:
        r_mm = rng.uniform(4.0, 16.0)
        h = [int(np.ceil(r_mm / d)) + 1 for d in (dk, dj, di)]
        m = h[0] + 4  # keep the lesion and its peak sphere away from the first/last slices
        c = np.array([rng.uniform(m, nk - 1 - m), rng.uniform(0.3, 0.7) * nj, rng.uniform(0.3, 0.7) * ni])
        cmm = c * (dk, dj, di)
        if any(np.linalg.norm(cmm - p) < r_mm + q + 12.0 for p, q in placed):
            continue
        placed.append((cmm, r_mm))
        amp = rng.uniform(3.0, 12.0)
        lo = [int(c[a]) - h[a] for a in range(3)]
        sl = tuple(slice(lo[a], lo[a] + 2 * h[a] + 1) for a in range(3))
        zk, zj, zi = np.ogrid[sl[0], sl[1], sl[2]]
        d = np.sqrt(((zk - c[0]) * dk) ** 2 + ((zj - c[1]) * dj) ** 2 + ((zi - c[2]) * di) ** 2)
        prof = np.clip(1.0 - (d / r_mm) ** 2, 0.0, None) ** 0.5
        vol[sl] += (amp * prof).astype(np.float32)
    return vol


def ours_pipeline(vol):
    labels, n = label_components(vol, THRESHOLD)
    st = label_stats(labels, vol, n)
    return labels, n, st


def scipy_pipeline(vol):
    labels, n = ndi.label(vol >= np.float32(THRESHOLD), structure=np.ones((3, 3, 3), bool))
    idx = np.arange(1, n + 1)
    return labels, n, np.asarray(ndi.sum(vol, labels, idx)), np.asarray(ndi.maximum(vol, labels, idx))


def scipy_peak(vol, labels, n):
    ball = sphere_kernel(SPACING, PEAK_RADIUS_MM)
    means = ndi.convolve(vol, ball.astype(np.float32), output=np.float64, mode="constant") / ball.sum()
    return np.asarray(ndi.maximum(means, labels, np.arange(1, n + 1)))


def best_of(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="150×128×128 with 10 lesions (quick run)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N for our kernels (scipy runs once)")
    args = ap.parse_args(argv)
    shape, nl = ((150, 128, 128), 10) if args.small else ((600, 256, 256), 40)

    t = time.perf_counter()
    small = make_volume((40, 64, 64), 2, seed=1)
    lab, n, st = ours_pipeline(small)
    suvpeak_labels(small, lab, SPACING, st.bbox, n)
    print(f"warm-up (numba compile or cache load): {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    vol = make_volume(shape, nl)
    print(f"volume {vol.shape} float32 ({vol.size / 1e6:.1f} M voxels), {nl} lesions, "
          f"built in {time.perf_counter() - t:.1f} s")
    t, _ = best_of(lambda: float(vol.sum(dtype=np.float64)), 3)
    print(f"one numpy pass (sum):            {t * 1e3:8.1f} ms")

    t_ours, (labels, n, st) = best_of(lambda: ours_pipeline(vol), args.repeat)
    t_ref, (rlabels, rn, rsum, rmax) = best_of(lambda: scipy_pipeline(vol), 1)
    same = n == rn and np.array_equal(labels, rlabels)
    print(f"lesion pipeline  ours {t_ours * 1e3:8.1f} ms   scipy {t_ref * 1e3:8.1f} ms   "
          f"ratio {t_ref / t_ours:6.1f}x   components {n} (scipy {rn}), labels identical: {same}")
    if not same:
        raise SystemExit("label images differ")
    if not (np.allclose(st.sum, rsum, rtol=1e-9) and np.array_equal(st.max, rmax)):
        raise SystemExit("per-label sums/maxima differ")

    ball = sphere_kernel(SPACING, PEAK_RADIUS_MM)
    half = np.array(ball.shape) // 2
    if np.any(st.bbox[:, :3] < half) or np.any(st.bbox[:, 3:] >= np.array(vol.shape) - half):
        raise SystemExit("a lesion touches the border: the constant-count reference does not apply")
    t_pk, (peak, centre) = best_of(lambda: suvpeak_labels(vol, labels, SPACING, st.bbox, n), args.repeat)
    t_pr, rpeak = best_of(lambda: scipy_peak(vol, labels, n), 1)
    err = float(np.max(np.abs(peak - rpeak) / np.abs(rpeak)))
    print(f"SUVpeak          ours {t_pk * 1e3:8.1f} ms   scipy {t_pr * 1e3:8.1f} ms   "
          f"ratio {t_pr / t_pk:6.1f}x   ({int(st.count.sum())} lesion voxels, {int(ball.sum())}-voxel sphere), "
          f"max rel. difference {err:.1e}")
    if err > 1e-9:
        raise SystemExit("SUVpeak values differ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
