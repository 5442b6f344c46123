"""3D stereotactic surface projection (3D-SSP; Minoshima et al., J Nucl Med 1995;36:1238).

On the MNI grid, the brain surface is found from the template's brain mask, seen from each of the
8 standard views. Each surface pixel takes the maximum of the image along the inward surface
normal from the surface to ``depth_mm`` (13.5 mm: six 2.25 mm voxels in the original). The normal
is the gradient of the smoothed mask. Medial views project one hemisphere (cut at the midline)
seen from the other side. A z-score projection compares the patient's projection with the
normals' projections pixel by pixel (done by the database, ``normals.py``).

Image orientation of each view (rows top to bottom, columns left to right):
right lateral: superior→inferior, posterior→anterior; left lateral: superior→inferior, anterior→posterior;
superior (from above): anterior→posterior, patient left→right; inferior (from below): anterior→posterior,
patient right→left; anterior: superior→inferior, patient right→left; posterior: superior→inferior, patient
left→right; right medial (right hemisphere seen from the left): anterior→posterior; left medial: posterior→anterior.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

VIEWS = ("right_lateral", "left_lateral", "superior", "inferior", "anterior", "posterior", "right_medial",
         "left_medial")
VIEW_TITLES = {"right_lateral": "Right lateral", "left_lateral": "Left lateral", "superior": "Superior",
               "inferior": "Inferior", "anterior": "Anterior", "posterior": "Posterior",
               "right_medial": "Right medial", "left_medial": "Left medial"}
DEPTH_MM = 13.5


@dataclass(frozen=True, eq=False)
class SurfaceView:
    shape: tuple  # (rows, cols) of the projection image
    rows: np.ndarray  # pixel rows that show brain
    cols: np.ndarray
    coords: np.ndarray  # (3, npix, nsteps) continuous (k, j, i) sample points along the inward normal


@dataclass(frozen=True, eq=False)
class SurfaceModel:
    views: dict  # name -> SurfaceView
    depth_mm: float
    spacing_mm: float


def _view_geometry(name: str, shape):
    """(axis of the rays, +1/-1 direction of travel, function (k,j,i) -> (row, col), image shape, hemisphere)."""
    nk, nj, ni = shape
    if name == "right_lateral":
        return 2, +1, lambda k, j, i: (nk - 1 - k, nj - 1 - j), (nk, nj), None
    if name == "left_lateral":
        return 2, -1, lambda k, j, i: (nk - 1 - k, j), (nk, nj), None
    if name == "superior":
        return 0, -1, lambda k, j, i: (j, i), (nj, ni), None
    if name == "inferior":
        return 0, +1, lambda k, j, i: (j, ni - 1 - i), (nj, ni), None
    if name == "anterior":
        return 1, +1, lambda k, j, i: (nk - 1 - k, i), (nk, ni), None
    if name == "posterior":
        return 1, -1, lambda k, j, i: (nk - 1 - k, ni - 1 - i), (nk, ni), None
    if name == "right_medial":  # right hemisphere (x_LPS < 0, low i) seen from the left: rays go toward -i
        return 2, -1, lambda k, j, i: (nk - 1 - k, j), (nk, nj), "R"
    if name == "left_medial":
        return 2, +1, lambda k, j, i: (nk - 1 - k, nj - 1 - j), (nk, nj), "L"
    raise ValueError(name)


def build_surface(brain: np.ndarray, x_lps: np.ndarray, spacing_mm: float, depth_mm: float = DEPTH_MM) -> SurfaceModel:
    """The 8 views' surface pixels and sampling points for a brain mask on an isotropic grid."""
    from scipy import ndimage

    views = {}
    step_vox = 0.5
    n_steps = int(np.floor(depth_mm / spacing_mm / step_vox)) + 1
    t = np.arange(n_steps) * step_vox
    for name in VIEWS:
        axis, sign, to_img, shape, hemi = _view_geometry(name, brain.shape)
        mask = brain.copy()
        if hemi == "R":
            mask &= (x_lps < -0.5 * spacing_mm)[None, None, :]
        elif hemi == "L":
            mask &= (x_lps > 0.5 * spacing_mm)[None, None, :]
        sm = ndimage.gaussian_filter(mask.astype(np.float32), 1.5)
        grad = np.stack(np.gradient(sm))  # (3, k, j, i), points inward (mask increases inward)
        m = np.moveaxis(mask, axis, 0)
        if sign < 0:
            m = m[::-1]
        hit = m.any(axis=0)
        first = m.argmax(axis=0)
        if sign < 0:
            first = mask.shape[axis] - 1 - first
        other = [a for a in range(3) if a != axis]
        aa, bb = np.nonzero(hit)
        kji = np.zeros((3, aa.size), dtype=float)
        kji[axis] = first[aa, bb]
        kji[other[0]] = aa
        kji[other[1]] = bb
        idx = tuple(kji.astype(int))
        n = grad[(slice(None),) + idx]
        norm = np.linalg.norm(n, axis=0)
        default = np.zeros(3)
        default[axis] = sign
        n = np.where(norm > 1e-6, n / np.maximum(norm, 1e-12), default[:, None])
        coords = kji[:, :, None] + n[:, :, None] * t[None, None, :]
        r, c = to_img(kji[0].astype(int), kji[1].astype(int), kji[2].astype(int))
        views[name] = SurfaceView(shape, np.asarray(r), np.asarray(c), coords)
    return SurfaceModel(views, depth_mm, spacing_mm)


@functools.lru_cache(maxsize=4)
def surface_for(spacing_mm: float) -> SurfaceModel:
    from workstation.analysis.brain.template import load_mni

    space = load_mni(spacing_mm)
    return build_surface(space.brain, space.x_lps(), space.spacing_mm)


def project(image: np.ndarray, model: SurfaceModel) -> dict:
    """{view: 2-D array} of the maximum along the inward normal (NaN off the brain)."""
    from scipy import ndimage

    out = {}
    img = np.asarray(image, dtype=np.float32)
    for name, v in model.views.items():
        npix, nst = v.coords.shape[1], v.coords.shape[2]
        vals = ndimage.map_coordinates(img, v.coords.reshape(3, -1), order=1, mode="nearest").reshape(npix, nst)
        p = np.full(v.shape, np.nan, dtype=np.float32)
        p[v.rows, v.cols] = vals.max(axis=1)
        out[name] = p
    return out


def stack(proj: dict) -> np.ndarray:
    """The 8 projections as one flat vector (for the database's statistics)."""
    return np.concatenate([proj[v].ravel() for v in VIEWS])


def unstack(vec: np.ndarray, model: SurfaceModel) -> dict:
    out, pos = {}, 0
    for name in VIEWS:
        shape = model.views[name].shape
        n = shape[0] * shape[1]
        out[name] = np.asarray(vec[pos:pos + n], dtype=np.float32).reshape(shape)
        pos += n
    return out
