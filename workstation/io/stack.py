"""Stack geometry: sorting slices into a volume whose geometry can be trusted.

Slices are sorted along the slice normal (the cross product of the ImageOrientationPatient
cosines), never by InstanceNumber; mixed orientations, uneven spacing, missing slices and gantry
tilt are detected here and either corrected with a warning or refused (see
:mod:`workstation.io.loader` for the rules). Each slice's own rescale is applied when the stack
is assembled.
"""

from __future__ import annotations

import numpy as np

from workstation.core.geometry import ImageGeometry

from workstation.io.errors import GeometryError
from workstation.io.pixels import Slice

SPACING_REL_TOL = 0.01  # 1 % deviation of a slice gap from the median gap is "uneven"
SPACING_ABS_TOL = 0.01  # mm
ORIENTATION_TOL = 1e-3
TILT_TOL_DEG = 0.05


# ---------------------------------------------------------------------- geometry
def _group_key(s: Slice):
    return (tuple(np.round(s.iop, 3)), s.shape, tuple(np.round(s.spacing, 4)))


def choose_stack(slices: list[Slice], warnings: list[str]) -> list[Slice]:
    groups: dict = {}
    for s in slices:
        groups.setdefault(_group_key(s), []).append(s)
    if len(groups) == 1:
        return slices
    ranked = sorted(groups.values(), key=len, reverse=True)
    if len(ranked[0]) == len(ranked[1]):
        raise GeometryError(
            f"series mixes {len(groups)} orientations/matrix sizes with equally many slices "
            f"({', '.join(str(len(g)) for g in ranked)}): cannot tell which is the volume; split the series")
    dropped = sum(len(g) for g in ranked[1:])
    warnings.append(f"mixed orientations or matrix sizes: {dropped} slice(s) that differ from the main stack of "
                    f"{len(ranked[0])} (e.g. a localizer) were left out")
    return ranked[0]


def build_geometry(slices: list[Slice], warnings: list[str]):
    """Sort slices, check spacing/tilt. Returns (sorted slices, geometry, positions along normal, shifts)."""
    iop = slices[0].iop
    row_dir, col_dir = iop[:3], iop[3:]
    if abs(np.linalg.norm(row_dir) - 1) > 1e-2 or abs(np.linalg.norm(col_dir) - 1) > 1e-2 or abs(row_dir @ col_dir) > 1e-2:
        raise GeometryError(f"{slices[0].path}: ImageOrientationPatient is not two orthonormal vectors")
    row_dir = row_dir / np.linalg.norm(row_dir)
    col_dir = col_dir - (col_dir @ row_dir) * row_dir
    col_dir /= np.linalg.norm(col_dir)
    normal = np.cross(row_dir, col_dir)
    dist = np.array([s.ipp @ normal for s in slices])
    order = np.argsort(dist, kind="stable")
    slices = [slices[i] for i in order]
    dist = dist[order]
    dj, di = slices[0].spacing  # PixelSpacing = (row spacing, column spacing)
    if not (np.isfinite(dj) and np.isfinite(di) and dj > 0 and di > 0):
        raise GeometryError(f"{getattr(slices[0], 'path', '')}: PixelSpacing (0028,0030) is {dj:g}\\{di:g}; "
                            "both values must be positive mm")
    ipp = np.array([s.ipp for s in slices])
    if len(slices) > 1:
        gaps = np.diff(dist)
        if np.any(gaps < SPACING_ABS_TOL):
            n_dup = int(np.sum(gaps < SPACING_ABS_TOL))
            raise GeometryError(
                f"{n_dup} slice(s) share a position with another slice: this looks like a dynamic, gated or "
                "multi-acquisition series; load one frame/acquisition at a time")
        step = float(np.median(gaps))
        # gantry tilt: in-plane drift of the positions along the stack
        inplane = ipp - ipp[0] - np.outer(dist - dist[0], normal)
        drift = np.linalg.norm(inplane[-1]) if len(slices) > 1 else 0.0
        tilt_deg = float(np.degrees(np.arctan2(drift, dist[-1] - dist[0])))
        shifts = None
        if tilt_deg > TILT_TOL_DEG:
            warnings.append(f"gantry tilt of {tilt_deg:.2f} degrees: slices were shifted in-plane onto an "
                            "orthogonal grid (de-sheared)")
            shifts = np.stack([inplane @ col_dir / dj, inplane @ row_dir / di], axis=1)  # (rows, cols) pixels
        uneven = np.abs(gaps - step) > np.maximum(SPACING_REL_TOL * step, SPACING_ABS_TOL)
        resample_to = None
        if np.any(uneven):
            ratio = gaps / step
            missing = int(np.sum(np.clip(np.rint(ratio) - 1, 0, None)[np.abs(ratio - np.rint(ratio)) < 0.05]))
            detail = f"gaps from {gaps.min():.3f} to {gaps.max():.3f} mm, median {step:.3f} mm"
            if missing:
                warnings.append(f"{missing} missing slice(s) ({detail}): the gaps were filled by linear interpolation "
                                f"on a regular {step:.3f} mm grid")
            else:
                warnings.append(f"uneven slice spacing ({detail}): resampled by linear interpolation onto a regular "
                                f"{step:.3f} mm grid")
            n_out = int(np.floor((dist[-1] - dist[0]) / step + 1e-6)) + 1
            resample_to = dist[0] + step * np.arange(n_out)
        nk = len(slices) if resample_to is None else len(resample_to)
    else:
        step, shifts, resample_to, nk = 1.0, None, None, 1
        warnings.append("single slice: slice spacing unknown, 1 mm assumed for display only")
    rows, cols = slices[0].shape
    direction = np.stack([row_dir, col_dir, normal], axis=1)
    geom = ImageGeometry((nk, rows, cols), (di, dj, step), tuple(ipp[0]), direction)
    return slices, geom, dist, shifts, resample_to


def assemble(slices: list[Slice], modality: str, shifts, resample_to, dist) -> np.ndarray:
    """Stack the (sorted) slices' stored values with each slice's own rescale applied."""
    nk_in = len(slices)
    rows, cols = slices[0].shape
    integral = modality == "CT" and all(s.slope == 1.0 and s.intercept == round(s.intercept) for s in slices)
    if integral:
        out = np.empty((nk_in, rows, cols), dtype=np.int16)
        for k, s in enumerate(slices):
            px = s.pixels
            lo, hi = int(px.min()), int(px.max())
            if lo + s.intercept < -32768 or hi + s.intercept > 32767:
                integral = False  # HU would not fit int16: float32 instead
                break
            out[k] = px
            if s.intercept:
                out[k] += np.int16(s.intercept)
    if not integral:
        out = np.empty((nk_in, rows, cols), dtype=np.float32)
        for k, s in enumerate(slices):
            np.multiply(s.pixels, np.float32(s.slope), out=out[k], casting="unsafe")
            if s.intercept:
                out[k] += np.float32(s.intercept)
    return postprocess_stack(out, dist, shifts, resample_to)


def take_rows(stack: np.ndarray, order: list[int]) -> np.ndarray:
    """stack[order] without a second full-size array when ``order`` is a permutation of all rows."""
    n = len(stack)
    if len(order) != n or sorted(order) != list(range(n)):
        return stack[order]
    if order == list(range(n)):
        return stack
    done = np.zeros(n, bool)
    tmp = np.empty_like(stack[0])
    for start in range(n):
        if done[start] or order[start] == start:
            done[start] = True
            continue
        tmp[...] = stack[start]
        j = start
        while True:
            k = order[j]
            done[j] = True
            if k == start:
                stack[j] = tmp
                break
            stack[j] = stack[k]
            j = k
    return stack


def postprocess_stack(stack, dist, shifts, resample_to):
    """De-shear (gantry tilt) and regularise the slice spacing of a sorted stack."""
    if shifts is None and resample_to is None:
        return stack
    out = stack.astype(np.float32, copy=False)
    if shifts is not None:
        from scipy import ndimage

        for k in range(len(out)):
            if np.any(np.abs(shifts[k]) > 1e-3):
                out[k] = ndimage.shift(out[k], shifts[k], order=1, mode="nearest")
    if resample_to is not None:
        nk_in = len(out)
        idx = np.interp(resample_to, dist, np.arange(nk_in))
        lo = np.clip(np.floor(idx).astype(int), 0, nk_in - 1)
        hi = np.clip(lo + 1, 0, nk_in - 1)
        w = (idx - lo).astype(np.float32)[:, None, None]
        out = out[lo] * (1 - w) + out[hi] * w
    return out
