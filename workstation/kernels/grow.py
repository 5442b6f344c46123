"""Seeded 26-connected region growing: the voxels connected to a seed with lo <= value <= hi.

Bounds are rounded to float32, like the image. A seed outside the bounds gives an empty region.
"""

from __future__ import annotations

import numpy as np

from workstation.kernels._common import as_values, loops


def region_grow(values, seed_kji, lo: float, hi: float = np.inf, *, return_box: bool = False):
    """Boolean mask of the 26-connected region of ``lo <= values <= hi`` containing ``seed_kji``.

    With ``return_box=True`` returns (mask, box): box is the tuple of slices of the region's
    bounding box (None for an empty region), found during the growing at no extra pass.
    """
    v = as_values(values)
    seed = tuple(int(s) for s in seed_kji)
    if len(seed) != 3 or any(s < 0 or s >= n for s, n in zip(seed, v.shape)):
        raise ValueError(f"seed {seed_kji} is outside the image of shape {v.shape}")
    out = np.zeros(v.shape, np.uint8)
    flat = int(np.ravel_multi_index(seed, v.shape))
    bbox = np.zeros(6, np.int64)
    count = loops().grow_loop(v, np.float32(lo), np.float32(hi), flat, out, bbox)
    mask = out.view(np.bool_)
    if not return_box:
        return mask
    box = tuple(slice(int(bbox[a]), int(bbox[a + 3]) + 1) for a in range(3)) if count else None
    return mask, box
