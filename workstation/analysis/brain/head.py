"""Find the head in a PET volume (whole-body or a dedicated brain acquisition) and crop around it.

Superior is +z in DICOM LPS whatever the patient position (HFS, FFS), so the head is at the top of
the body in world z. The brain is then the largest connected region of high uptake (above 40 % of
the 99.5th percentile of the top 300 mm of the body) whose centre lies in that slab. A region that
is not brain-sized (400-3000 mL) is refused: the study has no head in its field of view (an
extremity or a torso-only scan), or the head is cut off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.core.geometry import ImageGeometry


class NoHeadFound(ValueError):
    """The PET has no brain in its field of view (or not one that can be found automatically)."""


@dataclass
class HeadCrop:
    array: np.ndarray
    geometry: ImageGeometry
    mode: str  # "whole-body" or "brain"
    brain_ml: float
    brain_centre_world: tuple


def find_head(array: np.ndarray, geometry: ImageGeometry, *, margin_mm: float = 25.0) -> HeadCrop:
    from scipy import ndimage

    d = np.asarray(geometry.direction)
    if abs(abs(d[2, 2]) - 1.0) > 0.05:
        raise NoHeadFound("the PET is not an axial acquisition (slice normal not along z); the head cannot be found")
    a = np.nan_to_num(np.asarray(array, dtype=np.float32))
    sp_k = geometry.spacing[2]
    nk = a.shape[0]
    z_of_k = np.array([geometry.kji_to_world((k, 0, 0))[2] for k in range(nk)])
    extent_z = abs(z_of_k[-1] - z_of_k[0]) + sp_k
    sm = ndimage.gaussian_filter(a, 1.0)
    hi = float(np.percentile(sm, 99.5))
    if not hi > 0:
        raise NoHeadFound("the PET is empty (no positive values)")
    body = sm > 0.05 * hi
    area_mm2 = body.sum(axis=(1, 2)) * geometry.spacing[0] * geometry.spacing[1]
    order = np.argsort(-z_of_k)  # superior first
    present = [k for k in order if area_mm2[k] >= 1500.0]  # 15 cm2 of body in the slice
    if not present:
        raise NoHeadFound("no body found in the PET")
    top_z = z_of_k[present[0]]
    slab = (z_of_k <= top_z + 1e-6) & (z_of_k >= top_z - 300.0)
    sub = np.where(slab[:, None, None], sm, 0.0)
    thr = 0.4 * float(np.percentile(sub[slab], 99.5))
    lab, n = ndimage.label(sub > thr)
    if n == 0:
        raise NoHeadFound("no high-uptake region at the top of the body")
    vox_ml = float(np.prod(geometry.spacing)) / 1000.0
    sizes = ndimage.sum(np.ones_like(lab), lab, index=np.arange(1, n + 1))
    best = int(np.argmax(sizes)) + 1
    vol_ml = float(sizes[best - 1]) * vox_ml
    if not 400.0 <= vol_ml <= 3000.0:
        raise NoHeadFound(f"no brain-sized uptake at the top of the field of view (largest region {vol_ml:.0f} mL, "
                          "a brain is 400-3000 mL): is the head in this PET?")
    comp = lab == best
    kk, jj, ii = np.nonzero(comp)
    if ii.min() == 0 or jj.min() == 0 or ii.max() == a.shape[2] - 1 or jj.max() == a.shape[1] - 1:
        raise NoHeadFound("the brain-like region touches the edge of the field of view: a cropped image, or no head "
                          "in this PET")
    ext = [(x.max() - x.min() + 1) * s for x, s in ((ii, geometry.spacing[0]), (jj, geometry.spacing[1]),
                                                     (kk, geometry.spacing[2]))]
    if not (90 <= ext[0] <= 220 and 110 <= ext[1] <= 240 and 60 <= ext[2] <= 200):
        raise NoHeadFound(f"the high-uptake region at the top is {ext[0]:.0f} x {ext[1]:.0f} x {ext[2]:.0f} mm "
                          "(a brain is about 140 x 170 x 120 mm): is the head in this PET?")
    # the brain must not touch the top of the field of view by more than a few slices (head cut off)
    centre = geometry.kji_to_world((kk.mean(), jj.mean(), ii.mean()))
    m = [int(np.ceil(margin_mm / s)) for s in (geometry.spacing[2], geometry.spacing[1], geometry.spacing[0])]
    lo = [max(0, int(x.min()) - mm) for x, mm in zip((kk, jj, ii), m)]
    hi_ = [min(sz, int(x.max()) + mm + 1) for x, sz, mm in zip((kk, jj, ii), a.shape, m)]
    crop = a[lo[0]:hi_[0], lo[1]:hi_[1], lo[2]:hi_[2]]
    origin = geometry.kji_to_world((lo[0], lo[1], lo[2]))
    g = ImageGeometry(crop.shape, geometry.spacing, tuple(origin), geometry.direction)
    mode = "whole-body" if extent_z > 350.0 else "brain"
    return HeadCrop(np.ascontiguousarray(crop), g, mode, vol_ml, tuple(float(c) for c in centre))
