"""Drawn shapes as voxel masks: sphere, cylinder and box VOIs on an image grid.

**Voxel membership: centre inclusion.** A voxel belongs to the shape when its centre lies inside
it; no partial-voxel weights. The voxel count × the voxel volume is then bracketed by the volumes
of the shape shrunk and grown by half a voxel diagonal, and over random positions of the centre
it equals the shape's volume on average. Coordinates are DICOM LPS millimetres; masks are
indexed ``[k, j, i]`` like the image.
"""

from __future__ import annotations

import math

import numpy as np

from workstation.core.geometry import ImageGeometry

from workstation.analysis.errors import QuantError
from workstation.analysis.lesions.regions import padded_box


def world_point(p, what: str) -> np.ndarray:
    """``p`` as 3 finite world coordinates (x, y, z mm), or a QuantError naming ``what``."""
    a = np.asarray(p, dtype=float).reshape(-1)
    if a.size != 3 or not np.all(np.isfinite(a)):
        raise QuantError(f"{what} needs 3 finite world coordinates x,y,z in mm (LPS), got {p!r}")
    return a


def _box_around(geometry: ImageGeometry, kji_min, kji_max):
    """Index box (slices) of the voxels whose centres may lie between two continuous indices."""
    lo = np.floor(np.asarray(kji_min, float)).astype(int)
    hi = np.ceil(np.asarray(kji_max, float)).astype(int) + 1
    return padded_box(lo, hi, 0, geometry.shape)


def _centres_mm(geometry: ImageGeometry, box) -> tuple[np.ndarray, ...]:
    """World coordinates (x, y, z arrays broadcastable over the box) of the voxel centres in ``box``."""
    k, j, i = np.ogrid[box[0], box[1], box[2]]
    m = geometry.direction * np.asarray(geometry.spacing)[None, :]
    o = np.asarray(geometry.origin)
    return tuple(o[r] + m[r, 0] * i + m[r, 1] * j + m[r, 2] * k for r in range(3))


def _empty(box) -> bool:
    return any(sl.stop <= sl.start for sl in box)


def sphere_mask(geometry: ImageGeometry, centre_world, radius_mm: float) -> np.ndarray:
    """Voxels whose centre lies within ``radius_mm`` of ``centre_world`` (centre inclusion)."""
    c = world_point(centre_world, "sphere centre")
    if not radius_mm > 0:
        raise QuantError(f"sphere radius must be positive, got {radius_mm}")
    mask = np.zeros(geometry.shape, bool)
    ckji = geometry.world_to_kji(c)
    half = radius_mm / np.asarray(geometry.spacing)[::-1]
    box = _box_around(geometry, ckji - half, ckji + half)
    if _empty(box):
        return mask
    x, y, z = _centres_mm(geometry, box)
    mask[box] = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= radius_mm ** 2
    return mask


def cylinder_mask(geometry: ImageGeometry, centre_world, diameter_mm: float, length_mm: float,
                  axis_world=None) -> np.ndarray:
    """Voxels whose centre lies in a cylinder (axis through ``centre_world``; default: slice normal)."""
    c = world_point(centre_world, "cylinder centre")
    if not (diameter_mm > 0 and length_mm > 0):
        raise QuantError(f"cylinder diameter and length must be positive, got {diameter_mm}, {length_mm}")
    ax = np.asarray(geometry.slice_normal if axis_world is None else axis_world, float)
    ax = ax / np.linalg.norm(ax)
    r, h = diameter_mm / 2.0, length_mm / 2.0
    mask = np.zeros(geometry.shape, bool)
    ckji = geometry.world_to_kji(c)
    half = math.hypot(r, h) / np.asarray(geometry.spacing)[::-1]
    box = _box_around(geometry, ckji - half, ckji + half)
    if _empty(box):
        return mask
    x, y, z = _centres_mm(geometry, box)
    dx, dy, dz = x - c[0], y - c[1], z - c[2]
    along = dx * ax[0] + dy * ax[1] + dz * ax[2]
    radial2 = dx ** 2 + dy ** 2 + dz ** 2 - along ** 2
    mask[box] = (np.abs(along) <= h) & (radial2 <= r * r)
    return mask


def box_mask(geometry: ImageGeometry, corner_a_world, corner_b_world) -> np.ndarray:
    """Voxels whose centre lies in the world-axis-aligned box spanned by two opposite corners."""
    a, b = world_point(corner_a_world, "box corner"), world_point(corner_b_world, "box corner")
    lo_w, hi_w = np.minimum(a, b), np.maximum(a, b)
    corners = np.array([[x, y, z] for x in (lo_w[0], hi_w[0]) for y in (lo_w[1], hi_w[1]) for z in (lo_w[2], hi_w[2])])
    kji = geometry.world_to_kji(corners)
    mask = np.zeros(geometry.shape, bool)
    box = _box_around(geometry, kji.min(axis=0), kji.max(axis=0))
    if _empty(box):
        return mask
    x, y, z = _centres_mm(geometry, box)
    eps = 1e-6
    mask[box] = ((x >= lo_w[0] - eps) & (x <= hi_w[0] + eps) & (y >= lo_w[1] - eps) & (y <= hi_w[1] + eps)
                 & (z >= lo_w[2] - eps) & (z <= hi_w[2] + eps))
    return mask
