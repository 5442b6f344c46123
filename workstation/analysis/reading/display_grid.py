"""The display grid: the one axis-aligned grid every slice view samples.

Concept
-------
Every view samples one axis-aligned grid (direction = identity, so the array ``[z, y, x]`` runs
towards L, P, S). For the usual axial CT this *is* the CT grid; a CT stored in any
signed-permutation orientation is re-indexed exactly (transpose/flip, no interpolation); an
oblique one is resampled through world coordinates. When PET and anatomy share a frame of
reference the grid is extended by whole voxels to cover the PET too (``pad_to_union``); when they
do not, a registration that places the PET extends it the same way (``union_geometry``,
``regrid_by_offset``: the anatomy is cropped/padded on its own lattice, never interpolated).
"""

from __future__ import annotations

import numpy as np

from workstation.analysis.registration.resample import resample_to_grid
from workstation.core.display import PaddedArray
from workstation.core.geometry import ImageGeometry

#: the most voxels an oblique volume's axis-aligned display grid may hold: an oblique 1024² MR
#: would otherwise make a huge grid at its finest spacing; beyond the budget the spacing grows
MAX_OBLIQUE_GRID_VOXELS = 64_000_000


def _signed_permutation(direction: np.ndarray, tol: float = 1e-4):
    """For a direction matrix that is a signed permutation return (axis_of_world, sign_of_world)."""
    d = np.asarray(direction)
    idx = np.argmax(np.abs(d), axis=1)  # for world axis a, the index axis m
    if sorted(idx.tolist()) != [0, 1, 2]:
        return None
    if not np.allclose(np.abs(d[np.arange(3), idx]), 1.0, atol=tol):
        return None
    return idx, np.sign(d[np.arange(3), idx])


def axis_aligned(array: np.ndarray, geometry: ImageGeometry, progress=None,
                 max_voxels: int = MAX_OBLIQUE_GRID_VOXELS) -> tuple[np.ndarray, ImageGeometry]:
    """Return the volume on an axis-aligned grid (direction = identity).

    Signed-permutation orientations are re-indexed exactly; oblique ones are resampled
    (linear) onto the bounding box at the smallest spacing of the volume, made coarser
    (isotropically) when that grid would hold more than ``max_voxels`` voxels.
    """
    perm = _signed_permutation(geometry.direction)
    if perm is not None:
        idx, sign = perm
        # numpy axis of index axis m is 2 - m; new numpy axis of world axis a is 2 - a
        out = np.transpose(array, [2 - idx[2], 2 - idx[1], 2 - idx[0]])
        flips = tuple(2 - a for a in range(3) if sign[a] < 0)
        if flips:
            out = np.flip(out, axis=flips)
        spacing = tuple(geometry.spacing[idx[a]] for a in range(3))
        origin = geometry.corners_world().min(axis=0)
        geo = ImageGeometry(out.shape, spacing, origin, np.eye(3))
        return np.ascontiguousarray(out), geo
    corners = geometry.corners_world()
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    s = min(geometry.spacing)
    size = np.maximum(1, np.round((hi - lo) / s).astype(int) + 1)
    while np.prod(size.astype(float)) > max_voxels:  # a memory budget: coarser (isotropic) spacing
        s *= max(1.01, (np.prod(size.astype(float)) / max_voxels) ** (1.0 / 3.0))
        size = np.maximum(1, np.ceil((hi - lo) / s).astype(int) + 1)
    geo = ImageGeometry((size[2], size[1], size[0]), (s, s, s), lo, np.eye(3))
    return resample_to_grid(array, geometry, geo, progress=progress), geo


def pad_to_union(array: np.ndarray, geometry: ImageGeometry, pet_geometry: ImageGeometry, pet_from_anat,
                 fill: float) -> tuple[np.ndarray | PaddedArray, ImageGeometry]:
    """Extend an axis-aligned anatomical grid by whole voxels so that it also covers the PET's field
    of view (mapped into the anatomical frame through the inverse of ``pet_from_anat``): the views
    then show the union of the two fields of view, PET outside the CT/MR included. The anatomical
    voxels keep their values and positions exactly; the added ones read ``fill`` (a
    ``core.display.PaddedArray``: only the anatomical voxels are held)."""
    geo = union_geometry(geometry, pet_geometry, pet_from_anat, max_factor=None)
    if geo is geometry:
        return array, geometry
    return regrid_by_offset(array, geometry, geo, fill), geo


#: a union grid may hold at most this many times the anatomical grid's voxels (a wild transform must not
#: allocate a huge empty grid; the display then keeps the anatomical field of view)
UNION_MAX_FACTOR = 8.0


def union_geometry(geometry: ImageGeometry, pet_geometry: ImageGeometry, pet_from_anat,
                   max_factor: float | None = UNION_MAX_FACTOR) -> ImageGeometry:
    """The axis-aligned anatomical grid extended by whole voxels to cover the PET's field of view mapped
    into the anatomical frame (through the inverse of ``pet_from_anat``); ``geometry`` itself when it
    already covers it, or when the union would exceed ``max_factor`` times its voxels (None: no limit)."""
    inv = np.linalg.inv(np.asarray(pet_from_anat, float))
    corners = pet_geometry.corners_world() @ inv[:3, :3].T + inv[:3, 3]
    sp = np.asarray(geometry.spacing, float)  # (x, y, z): identity direction
    lo_a = np.asarray(geometry.origin, float)
    hi_a = lo_a + (np.asarray(geometry.shape[::-1]) - 1) * sp
    tol = 1e-3
    add_lo = np.maximum(0, np.ceil((lo_a - corners.min(axis=0)) / sp - tol)).astype(int)
    add_hi = np.maximum(0, np.ceil((corners.max(axis=0) - hi_a) / sp - tol)).astype(int)
    if not (add_lo.any() or add_hi.any()):
        return geometry
    shape = tuple(int(n + add_lo[a] + add_hi[a]) for n, a in zip(geometry.shape, (2, 1, 0)))
    if max_factor is not None and float(np.prod(shape)) > max_factor * float(np.prod(geometry.shape)):
        return geometry
    return ImageGeometry(shape, geometry.spacing, lo_a - add_lo * sp, np.eye(3))


def regrid_by_offset(array, geometry: ImageGeometry, target: ImageGeometry, fill: float):
    """``array`` (or a ``PaddedArray``) on an axis-aligned grid put on another axis-aligned grid of the same
    spacing whose voxels lie on the same lattice (an offset by whole voxels): cropped and padded, never
    interpolated, as a ``PaddedArray`` over the stored voxels (no copy); ``array`` itself on its own grid."""
    if geometry == target or (tuple(geometry.shape) == tuple(target.shape)
                              and np.allclose(geometry.origin, target.origin, atol=1e-4)):
        return array
    sp = np.asarray(geometry.spacing, float)
    off = np.rint((np.asarray(geometry.origin, float) - np.asarray(target.origin, float)) / sp).astype(int)[::-1]
    if isinstance(array, PaddedArray):  # the stored block moves by the same whole voxels
        return array.shifted([o + d for o, d in zip(array.offset, off)], target.shape)
    return PaddedArray(array, off, target.shape, fill)
