"""One PET to MNI maps: head crop, smoothing to the common resolution, normalisation, reference values,
regional means and 3D-SSP projections. Used alike for a database's normals and for a patient, so that
both go through exactly the same steps."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.analysis.brain import ssp, stats
from workstation.analysis.brain.head import find_head
from workstation.analysis.brain.normalize import normalise, normalise_mr_guided
from workstation.analysis.brain.template import MniSpace, load_mni, smooth

REFERENCES = ("pons", "cerebellum", "global")
REFERENCE_TEXT = {"pons": "pons (GAAIN mask)", "cerebellum": "cerebellar grey matter (GAAIN mask)",
                  "global": "whole brain (global mean, grey + white matter)"}
DEFAULT_NATIVE_FWHM_MM = 6.0
DEFAULT_TARGET_FWHM_MM = 10.0


@dataclass
class SubjectMaps:
    warped: np.ndarray  # PET on the MNI grid (file units), smoothed to the target resolution
    refs: dict  # reference name -> mean value in that reference region
    regional: np.ndarray  # mean per label of ``label_ids``
    label_ids: tuple
    ssp: np.ndarray  # flat 3D-SSP projections of ``warped`` (see ssp.stack)
    info: dict = field(default_factory=dict)  # head finding, normalisation facts
    normalisation: object = None  # the Normalisation (transform MNI -> PET world), not stored in databases


def label_ids(space: MniSpace) -> tuple:
    return tuple(sorted(lab for lab, (n, _h) in space.labels.items() if n not in stats.NON_TISSUE))


def reference_values(img: np.ndarray, space: MniSpace) -> dict:
    return {"pons": float(img[space.pons].mean()), "cerebellum": float(img[space.cerebellum_grey].mean()),
            "global": float(img[space.brain].mean())}


def process(array, geometry, space: MniSpace, template: np.ndarray, *, native_fwhm_mm: float = DEFAULT_NATIVE_FWHM_MM,
            target_fwhm_mm: float = DEFAULT_TARGET_FWHM_MM, nonlinear="demons", t1=None, progress=None) -> SubjectMaps:
    """``t1``: (array, geometry) of the patient's T1 for the MR-guided normalisation (PET -> T1 rigid, T1 -> MNI152
    T1 template); None: PET-only."""
    if native_fwhm_mm > target_fwhm_mm:
        raise ValueError(f"the PET's resolution ({native_fwhm_mm} mm FWHM) is coarser than the database's "
                         f"({target_fwhm_mm} mm): it cannot be compared with it")
    head = find_head(array, geometry)
    extra = float(np.sqrt(target_fwhm_mm ** 2 - native_fwhm_mm ** 2))
    pet = smooth(head.array, extra, (head.geometry.spacing[2], head.geometry.spacing[1], head.geometry.spacing[0]))
    sub = progress.sub(0.0, 0.9) if progress is not None else None
    if t1 is None:
        norm = normalise(pet, head.geometry, template, space.geometry, space.brain, nonlinear=nonlinear, progress=sub)
    else:
        norm = normalise_mr_guided(pet, head.geometry, t1[0], t1[1], load_mni(2.0), template, space.geometry, space.brain,
                                   progress=sub)
    warped = norm.warped.astype(np.float32)
    refs = reference_values(warped, space)
    if not all(v > 0 for v in refs.values()):
        raise ValueError("a reference region has no uptake after normalisation (is this a brain PET?)")
    ids = label_ids(space)
    reg = stats.regional_means(warped, space.atlas, ids)
    proj = ssp.stack(ssp.project(warped, ssp.surface_for(space.spacing_mm)))
    info = {"head": {"mode": head.mode, "brain_ml": round(head.brain_ml, 1),
                     "centre_world_mm": [round(c, 1) for c in head.brain_centre_world]},
            "normalisation": {**norm.method, "correlation_with_template": round(norm.correlation, 4)},
            "smoothing": {"native_fwhm_mm": native_fwhm_mm, "extra_fwhm_mm": round(extra, 2),
                          "effective_fwhm_mm": target_fwhm_mm}}
    maps = SubjectMaps(warped, refs, reg, ids, proj, info, norm)
    maps.t1_on_mni = getattr(norm, "t1_on_mni", None)
    return maps
