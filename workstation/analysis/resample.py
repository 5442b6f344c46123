"""Resampling one grid onto another through world coordinates (never by index).

For target voxel index kji: world = target.kji_to_world(kji), then source index =
source.world_to_kji(world). Both maps are affine, so the composition is one affine in index space
handed to ``scipy.ndimage.affine_transform``. Voxels whose source point falls outside the source
grid get ``fill``.
"""

from __future__ import annotations

import numpy as np

from workstation.core import ImageGeometry, Volume


def index_affine(source: ImageGeometry, target: ImageGeometry) -> tuple[np.ndarray, np.ndarray]:
    """(matrix, offset) mapping target array index (k, j, i) to source array index (k, j, i)."""
    rev = np.eye(4)[[2, 1, 0, 3]]  # (k, j, i, 1) <-> (i, j, k, 1)
    t_kji_to_world = target.affine @ rev
    world_to_s_kji = rev @ np.linalg.inv(source.affine)
    m = world_to_s_kji @ t_kji_to_world
    return m[:3, :3], m[:3, 3]


def resample_array(array: np.ndarray, source: ImageGeometry, target: ImageGeometry, order: int = 1,
                   fill: float = 0.0, dtype=None) -> np.ndarray:
    """Resample ``array`` (on ``source``) onto ``target``. order 0 = nearest (labels), 1 = linear."""
    from scipy import ndimage

    if source.same_grid(target):
        return np.asarray(array, dtype=dtype) if dtype is not None else np.array(array)
    matrix, offset = index_affine(source, target)
    out_dtype = dtype or (np.float32 if order > 0 else array.dtype)
    src = array if order == 0 else np.asarray(array, dtype=np.float32)
    return ndimage.affine_transform(src, matrix, offset, output_shape=target.shape, order=order, mode="constant",
                                    cval=fill, prefilter=False, output=out_dtype)


def resample_volume(volume: Volume, target_geometry: ImageGeometry, order: int = 1, fill: float = 0.0) -> np.ndarray:
    return resample_array(volume.array, volume.geometry, target_geometry, order=order, fill=fill)


def fraction_inside(points_world: np.ndarray, geometry: ImageGeometry) -> float:
    """Fraction of world points that fall inside the grid's voxel extent."""
    if len(points_world) == 0:
        return 0.0
    kji = geometry.world_to_kji(points_world)
    inside = np.all((kji >= -0.5) & (kji <= np.asarray(geometry.shape) - 0.5), axis=1)
    return float(inside.mean())
