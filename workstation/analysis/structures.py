"""Structures of a study (DICOM SEG segments, RTSTRUCT ROIs, NIfTI labels) on a PET grid.

:func:`structures_on_grid` reads every structure of a file (``io.masks.read_structures``; an
RTSTRUCT's contours are filled directly on the PET grid) and puts each mask on the PET grid
(nearest neighbour through world coordinates when the file has its own grid).  A structure that
lies mostly outside the PET is an error naming it: it belongs to another geometry.
"""

from __future__ import annotations

import numpy as np

from workstation.core.geometry import ImageGeometry

from .resample import fraction_inside, resample_array

__all__ = ["StructureError", "mask_on_grid", "structures_on_grid"]


class StructureError(ValueError):
    """A structure cannot be placed on the PET grid (the message names it and says why)."""


def mask_on_grid(mask: np.ndarray, mask_geom: ImageGeometry, target: ImageGeometry, what: str = "mask"):
    """(mask on ``target``, resampled?) — nearest neighbour; refuses masks (partly) outside the target."""
    if mask_geom.same_grid(target):
        return np.asarray(mask, bool), False
    pts = mask_geom.kji_to_world(np.argwhere(mask))
    inside = fraction_inside(pts, target)
    if inside < 0.99:
        raise StructureError(f"{what}: only {100 * inside:.1f}% of the mask lies inside the PET volume: the mask "
                             "belongs to another geometry (another patient, study or series?)")
    on_grid = resample_array(np.asarray(mask, np.uint8), mask_geom, target, order=0).astype(bool)
    if not on_grid.any():
        raise StructureError(f"{what}: the mask is smaller than one PET voxel after resampling onto the PET grid")
    return on_grid, True


def structures_on_grid(path, geometry: ImageGeometry):
    """[(Structure, mask on ``geometry``)] for every non-empty structure of the file at ``path``."""
    from workstation.io.masks import read_structures

    out = []
    for st in read_structures(path, geometry):
        if not st.mask.any():
            continue
        m, _ = mask_on_grid(st.mask, st.geometry, geometry, f"{path} ({st.name})")
        out.append((st, m))
    return out
