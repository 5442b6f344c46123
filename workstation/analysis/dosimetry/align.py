"""Registration of every time point to the first, and VOIs carried along.

Scans days apart are taken in different frames of reference (the patient got off the table): the
scanner's coordinates do not align them. Each later time point is registered rigidly to the first,
SPECT to SPECT (there is no CT in the reference pair), with the mutual-information registration of
``analysis.registration.rigid``: first the translation alone from the activity centroids (the table shift
dominates), then the rigid refinement (3 rotations + 3 translations). Both images are block-averaged
to about 4 mm voxels first: the activity distributions are smooth at that scale and a full-resolution
SPECT of 13 M voxels would take minutes on a laptop.

The result for time point n is ``moving_from_fixed`` (4x4, LPS mm): it maps a world point of the
first time point to the same anatomy in time point n. A VOI drawn on the first time point is carried
to time point n by sampling its mask (nearest neighbour) through the inverse map on n's grid.
"""

from __future__ import annotations

import numpy as np

from workstation.analysis.registration.rigid import register_rigid, register_translation, rotation_angle_deg
from workstation.analysis.registration.resample import resample_to_grid
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

from workstation.analysis.dosimetry.timepoints import TimePoint

__all__ = ["block_average", "activity_centroid", "register_to_first", "register_ct_to_first", "propagate_mask",
           "map_to_first"]


def block_average(volume: Volume, target_mm: float = 4.0) -> Volume:
    """A copy of ``volume`` averaged over blocks of whole voxels about ``target_mm`` wide (geometry kept exact)."""
    sp = np.asarray(volume.geometry.spacing, float)  # (i, j, k)
    f = np.maximum(1, np.round(target_mm / sp).astype(int))  # per (i, j, k)
    fk, fj, fi = int(f[2]), int(f[1]), int(f[0])
    a = np.asarray(volume.array, np.float32)
    nk, nj, ni = (a.shape[0] // fk, a.shape[1] // fj, a.shape[2] // fi)
    a = a[:nk * fk, :nj * fj, :ni * fi].reshape(nk, fk, nj, fj, ni, fi).mean(axis=(1, 3, 5))
    g = volume.geometry
    d = np.asarray(g.direction, float)
    new_sp = sp * f
    # the centre of block 0 in the old grid is at index (f - 1) / 2
    origin = np.asarray(g.origin, float) + d @ (sp * (f - 1) / 2.0)
    geom = ImageGeometry(shape=(nk, nj, ni), spacing=tuple(new_sp), origin=tuple(origin), direction=d)
    return Volume(array=a, geometry=geom, modality=volume.modality, units=volume.units,
                  frame_of_reference_uid=volume.frame_of_reference_uid)


def activity_centroid(volume: Volume) -> np.ndarray:
    """World (LPS mm) centroid of the positive values."""
    a = np.clip(np.asarray(volume.array, np.float64), 0, None)
    tot = a.sum()
    if not tot > 0:
        return volume.geometry.center_world()
    kji = [float((a.sum(axis=tuple(x for x in range(3) if x != ax)) * np.arange(a.shape[ax])).sum() / tot)
           for ax in range(3)]
    return volume.geometry.kji_to_world(kji)


def register_to_first(first: TimePoint, other: TimePoint, progress=None, *, target_mm: float = 4.0) -> dict:
    """Rigid SPECT-to-SPECT registration of ``other`` to ``first``: a dict with ``moving_from_fixed`` (4x4 list),
    the translation (mm), rotation (deg), metric and method (see the module docstring)."""
    f = block_average(first.volume, target_mm)
    m = block_average(other.volume, target_mm)
    out = _translation_then_rigid(f, m, activity_centroid(m) - activity_centroid(f),
                                  f"rigid Mattes MI, SPECT to SPECT, {target_mm:g} mm blocks; start: activity "
                                  "centroids, translation then rigid")
    out["same_frame_of_reference"] = first.volume.frame_of_reference_uid == other.volume.frame_of_reference_uid
    return out


def _translation_then_rigid(f, m, start_shift, method: str) -> dict:
    """Translation then rigid Mattes MI of ``m`` to ``f`` from ``start_shift`` (mm): the result dict shared by
    the SPECT-to-SPECT and CT-to-CT registrations (without the frame-of-reference flag)."""
    start = np.eye(4)
    start[:3, 3] = start_shift
    tr = register_translation(f, m, initial=start, iterations=200, shrink=(2, 1), smoothing=(1.0, 0.0))
    rg = register_rigid(f, m, initial=tr.pet_from_anat, iterations=200, shrink=(2, 1), smoothing=(1.0, 0.0),
                        learning_rate=1.0)
    mat = rg.pet_from_anat
    return {"method": method,
            "moving_from_fixed": [[float(v) for v in row] for row in mat],
            "translation_mm": [float(v) for v in mat[:3, 3]],
            "rotation_deg": float(rotation_angle_deg(mat)),
            "centroid_start_mm": [float(v) for v in start[:3, 3]],
            "metric": float(rg.metric)}


def register_ct_to_first(first: TimePoint, other: TimePoint, *, target_mm: float = 4.0) -> dict:
    """Rigid CT-to-CT registration of ``other``'s CT to ``first``'s (SPECT/CT: each SPECT shares its CT's frame and
    position, so the CT transform carries the SPECT). Start: the centroids of the body (HU above -500)."""
    f = block_average(first.ct, target_mm)
    m = block_average(other.ct, target_mm)
    fb = Volume(array=(np.asarray(f.array) > -500).astype(np.float32), geometry=f.geometry)
    mb = Volume(array=(np.asarray(m.array) > -500).astype(np.float32), geometry=m.geometry)
    out = _translation_then_rigid(f, m, activity_centroid(mb) - activity_centroid(fb),
                                  f"rigid Mattes MI, CT to CT, {target_mm:g} mm blocks; start: body centroids, "
                                  "translation then rigid")
    out["same_frame_of_reference"] = first.volume.frame_of_reference_uid == other.volume.frame_of_reference_uid
    return out


def propagate_mask(mask: np.ndarray, fixed: ImageGeometry, moving: ImageGeometry, moving_from_fixed) -> np.ndarray:
    """A mask on the first time point's grid carried to another time point's grid (nearest neighbour)."""
    fixed_from_moving = np.linalg.inv(np.asarray(moving_from_fixed, float))
    out = resample_to_grid(mask.astype(np.float32), fixed, moving, transform=fixed_from_moving, order=0, fill=0.0)
    return out > 0.5


def map_to_first(array: np.ndarray, moving: ImageGeometry, fixed: ImageGeometry, moving_from_fixed) -> np.ndarray:
    """A map of a later time point sampled on the first time point's grid (linear)."""
    return resample_to_grid(array, moving, fixed, transform=np.asarray(moving_from_fixed, float), order=1, fill=0.0)
