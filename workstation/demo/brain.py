"""The demo head's brain: FDG uptake made from the MNI152 grey/white-matter maps and the CerebrA labels
(``resources/brain/mni_2mm.npz``), the way the synthetic brain cohort (``workstation.testing.brain_cohort``)
makes its subjects: uptake = scale x (3 x GM x F + WM), F = 1 except in the regions of a small AD-like
deficit (posterior cingulate, isthmus cingulate, precuneus, inferior parietal, both sides, -25 %).

The brain sits in the phantom's brain ellipsoid by a known similarity (no rotation): demo LPS point =
:data:`SCALE` x (MNI LPS point - :data:`MNI_CENTRE`) + :data:`DEMO_CENTRE` (the MNI brain, scaled by 0.85,
lies wholly inside the ellipsoid). Everything inside the ellipsoid that is not
brain tissue (CSF, meninges) is :data:`CSF_SUV`. The truth (regions, amplitude, the mapping) goes into
the demo's ``truth.json`` under ``"brain"``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "brain"
DEFICIT_REGIONS = ("Posterior Cingulate", "Isthmus Cingulate", "Precuneus", "Inferior Parietal")
DEFICIT_AMPLITUDE = 0.25  # fractional decrease of grey-matter uptake in those regions
GM_WM_RATIO = 3.0
SCALE_SUV = 3.0  # white matter SUV 3, cortex 9 before the system blur
CSF_SUV = 0.5
#: MNI LPS (0, 17, 5) (RAS 0, -17, 5: the middle of the brain) lands on the phantom's brain centre (0, 2, -103)
MNI_CENTRE = (0.0, 17.0, 5.0)
DEMO_CENTRE = (0.0, 2.0, -103.0)
SCALE = 0.85


def mni_to_demo_matrix() -> np.ndarray:
    """4x4: MNI LPS mm -> demo LPS mm."""
    m = np.eye(4)
    m[:3, :3] *= SCALE
    m[:3, 3] = np.asarray(DEMO_CENTRE) - SCALE * np.asarray(MNI_CENTRE)
    return m


@functools.lru_cache(maxsize=1)
def _uptake_mni():
    """(SUV on the MNI 2 mm grid, grid origin, deficit mask) with the deficit applied."""
    from scipy import ndimage

    d = np.load(RESOURCES / "mni_2mm.npz")
    rows = json.loads((RESOURCES / "cerebra_labels.json").read_text())
    gm, wm, atlas = d["gm"].astype(np.float32) / 255, d["wm"].astype(np.float32) / 255, d["atlas"]
    lut = np.ones(int(atlas.max()) + 1, np.float32)
    hit = [int(r["label"]) for r in rows if r["name"] in DEFICIT_REGIONS]
    lut[hit] = 1.0 - DEFICIT_AMPLITUDE
    factor = ndimage.gaussian_filter(lut[atlas], 1.0)
    suv = SCALE_SUV * (GM_WM_RATIO * gm * factor + wm)
    deficit = np.isin(atlas, hit) & (gm >= 0.3)
    return suv.astype(np.float32), np.asarray(d["origin"], float), deficit


def brain_suv(x, y, z) -> np.ndarray:
    """SUV of the demo brain at demo LPS points (arrays of any shape); CSF level where there is no tissue."""
    from scipy import ndimage

    suv, origin, _ = _uptake_mni()
    sh = np.shape(x)
    m = [(np.ravel(np.asarray(c, float)) - dc) / SCALE + mc - o
         for c, dc, mc, o in zip((x, y, z), DEMO_CENTRE, MNI_CENTRE, origin)]
    idx = np.stack([m[2] / 2.0, m[1] / 2.0, m[0] / 2.0])  # (k, j, i) on the 2 mm grid
    v = ndimage.map_coordinates(suv, idx, order=1, mode="constant", cval=0.0)
    return np.maximum(v, CSF_SUV).reshape(sh).astype(np.float32)


def brain_truth() -> dict:
    _suv, origin, deficit = _uptake_mni()
    k, j, i = np.nonzero(deficit)
    centre_mni = [float(origin[0] + 2 * i.mean()), float(origin[1] + 2 * j.mean()), float(origin[2] + 2 * k.mean())]
    return {
        "generator": "workstation.demo.brain (MNI152 2009a GM/WM maps, CerebrA labels; as workstation.testing.brain_cohort)",
        "uptake": f"SUV = {SCALE_SUV} x ({GM_WM_RATIO} x GM x F + WM), CSF {CSF_SUV}",
        "mni_lps_to_demo_lps": mni_to_demo_matrix().tolist(),
        "deficit": {"pattern": "AD-like", "regions": list(DEFICIT_REGIONS), "hemispheres": ["L", "R"],
                    "amplitude": -DEFICIT_AMPLITUDE, "grey_matter_ml": float(deficit.sum() * 8.0 / 1000.0),
                    "centroid_mni_ras_mm": [round(-centre_mni[0], 1), round(-centre_mni[1], 1), round(centre_mni[2], 1)]},
        "expected": "regional z below about -2 in the deficit regions against a synthetic normal database; whether "
                    "clusters and the AD pattern score pass their thresholds depends on the database's size (its "
                    "leave-one-out calibrated cluster extent and pattern thresholds)",
    }
