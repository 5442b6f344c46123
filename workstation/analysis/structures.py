"""Structures of a study (DICOM SEG segments, RTSTRUCT ROIs, NIfTI labels) on a PET grid.

:func:`structures_on_grid` reads every structure of a file (``io.masks.read_structures``; an
RTSTRUCT's contours are filled directly on the PET grid) and puts each mask on the PET grid
(``regions.mask_on_grid``: nearest neighbour through world coordinates when the file has its own
grid).  A structure that lies outside the PET is a ``QuantError`` naming it: it belongs to another
geometry.
"""

from __future__ import annotations

from workstation.core.geometry import ImageGeometry

from .regions import mask_on_grid

__all__ = ["structures_on_grid"]


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
