"""Resampling one grid onto another through world coordinates (never by index).

For target voxel index kji: world = target.kji_to_world(kji), optionally moved by a rigid
transform into the source frame, then source index = source.world_to_kji(world). The maps are
affine, so the composition is one affine in index space handed to
``scipy.ndimage.affine_transform``. Voxels whose source point falls more than half a voxel
outside the source grid get ``fill``. Used for PET onto the CT grid (display), masks onto the PET
grid (statistics), and anything else that changes grids.
"""

from __future__ import annotations

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume


def resample_to_grid(array: np.ndarray, source: ImageGeometry, target: ImageGeometry,
                     transform: np.ndarray | None = None, order: int = 1, fill: float = 0.0,
                     progress=None, chunk: int = 32) -> np.ndarray:
    """Sample ``array`` (on ``source``) at the voxel centres of ``target`` through world coordinates.

    ``transform`` (4x4) maps a target-frame world point to the source frame (``pet_from_anat``).
    Points farther than half a voxel outside the source grid get ``fill``; nearer ones take the
    edge value. The result is float32.

    Target index -> source index is one affine map (``inv(source.affine) @ transform @
    target.affine``), so scipy's ``affine_transform`` samples it without coordinate arrays, a block
    of ``chunk`` target slices at a time (progress and cancel between blocks).
    """
    from scipy import ndimage  # imported when used: opening an axis-aligned PET/CT needs no scipy

    t = np.eye(4) if transform is None else np.asarray(transform, float)
    # continuous source ijk = M @ target ijk (homogeneous)
    m = np.linalg.inv(source.affine) @ t @ target.affine
    # the same map in numpy axis order (k, j, i)
    mn = m[:3, :3][::-1, ::-1]
    tn = m[:3, 3][::-1]
    src = np.asarray(array, dtype=np.float32)
    nk, nj, ni = target.shape
    out = np.empty(target.shape, np.float32)
    chunk = max(1, int(chunk))
    diagonal = not np.any(mn - np.diag(np.diag(mn)))
    for k0 in range(0, nk, chunk):
        k1 = min(nk, k0 + chunk)
        # a diagonal map (no rotation, the usual PET/CT) takes scipy's faster zoom-and-shift path
        ndimage.affine_transform(src, np.diag(mn) if diagonal else mn, offset=tn + mn[:, 0] * k0, output_shape=(k1 - k0, nj, ni),
                                 output=out[k0:k1], order=order, mode="nearest", prefilter=order > 1)
        if progress is not None:
            progress.update(k1 / nk, "resampling")
    inside = _inside_mask(m, target.shape, source.shape)
    if inside is not True:
        np.putmask(out, ~inside, np.float32(fill))
    return out


def _inside_mask(m: np.ndarray, target_shape, source_shape):
    """Boolean (nk, nj, ni) mask of target voxels whose source index lies within half a voxel of the
    source grid (True when all are inside). ``m`` maps target ijk to source ijk."""
    nk, nj, ni = target_shape
    n_src = np.asarray(source_shape[::-1], float)  # (ni, nj, nk) of the source
    axes = (np.arange(ni, dtype=float)[None, None, :], np.arange(nj, dtype=float)[None, :, None],
            np.arange(nk, dtype=float)[:, None, None])
    mask = True
    for a in range(3):  # source axis a: -0.5 < s_a < n_a - 0.5
        terms = [m[a, b] * axes[b] for b in range(3) if m[a, b] != 0.0]
        if len(terms) == 1:  # axis-aligned: a 1-D condition, broadcast later
            s_a = terms[0] + m[a, 3]
            ok = (s_a > -0.5) & (s_a < n_src[a] - 0.5)
        else:  # rotated: evaluate per block of slices to bound memory
            ok = np.empty((nk, nj, ni), bool)
            step = max(1, 4_000_000 // max(1, nj * ni))
            for k0 in range(0, nk, step):
                sl = slice(k0, min(nk, k0 + step))
                s_a = m[a, 3] + m[a, 0] * axes[0] + m[a, 1] * axes[1] + m[a, 2] * axes[2][sl]
                ok[sl] = (s_a > -0.5) & (s_a < n_src[a] - 0.5)
        if np.all(ok):
            continue
        mask = ok if mask is True else (mask & ok)
    if mask is True:
        return True
    return np.broadcast_to(mask, (nk, nj, ni))


def resample_array(array: np.ndarray, source: ImageGeometry, target: ImageGeometry, order: int = 1,
                   fill: float = 0.0, dtype=None) -> np.ndarray:
    """Resample ``array`` (on ``source``) onto ``target``. order 0 = nearest (labels), 1 = linear.

    The result has ``dtype`` (default: float32 for interpolation, the input's type for nearest).
    """
    out_dtype = dtype or (np.float32 if order > 0 else array.dtype)
    if source.same_grid(target):
        return np.array(array, dtype=out_dtype)
    return resample_to_grid(array, source, target, order=order, fill=fill).astype(out_dtype, copy=False)


def resample_volume(volume: Volume, target_geometry: ImageGeometry, order: int = 1, fill: float = 0.0) -> np.ndarray:
    return resample_array(volume.array, volume.geometry, target_geometry, order=order, fill=fill)


def fraction_inside(points_world: np.ndarray, geometry: ImageGeometry) -> float:
    """Fraction of world points that fall inside the grid's voxel extent."""
    if len(points_world) == 0:
        return 0.0
    kji = geometry.world_to_kji(points_world)
    inside = np.all((kji >= -0.5) & (kji <= np.asarray(geometry.shape) - 0.5), axis=1)
    return float(inside.mean())
