"""Reader's measurements without Qt: the value under the mouse, distances, line profiles, VOI histograms.

Concept
-------
* **Readout at a point** (:func:`readout_at`): the anatomical value (HU for CT) and the PET value
  (SUV through the one SUV road ``suv_apply.suv_value_at`` with the per-slice factors, else the file
  units) of the nearest voxel of each *source* volume at a world point of the display frame (the
  PET is looked up through the session's ``pet_from_anat``). It is what the crosshair readout
  shows, for any point, so hovering never has to move the crosshair.
* **Distance** (:func:`distance_mm`): the length of a segment between two world points (LPS mm),
  so anisotropic pixels are taken care of by the world coordinates of its ends.
* **Line profile** (:func:`line_profile`): values along a segment drawn in a slice view, sampled
  every half pixel of the plane from the slice images the view shows (``slice_image``: anatomy in
  its units, PET in display units, i.e. SUV when known) with bilinear interpolation.
* **VOI histogram** (:func:`histogram`): counts of a VOI's voxel values (SUV) in equal bins from 0
  (or the minimum, when below 0) to the maximum, with the mean and the maximum to mark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage


# ----------------------------------------------------------------------------- readout
def readout_at(session, xyz) -> dict:
    """Values at a display-frame world point: ``world``, ``anat_value``/``anat_units``, ``pet_value``/``pet_units``
    (None outside a volume), like ``ReadingSession.readout`` at the crosshair."""
    p = np.asarray(xyz, float)
    out = {"world": tuple(float(v) for v in p), "anat_value": None, "anat_units": "", "pet_value": None,
           "pet_units": session.pet_units}
    anat = session.anatomical
    if anat is not None:
        out["anat_value"] = anat.value_at_world(p)
        out["anat_units"] = "HU" if anat.modality == "CT" else (anat.units or "")
    if session.pet is not None:
        t = np.asarray(session.pet_from_anat, float)
        q = t[:3, :3] @ p + t[:3, 3]
        out["pet_value"] = session.pet_value_at(q)
    return out


def readout_text_at(session, xyz) -> str:
    """One line for the status bar: position, anatomical value and PET value at a world point."""
    return session.readout_line(readout_at(session, xyz))


# ----------------------------------------------------------------------------- distance & profile
def distance_mm(a, b) -> float:
    """Length of the segment between two world points (mm)."""
    return float(np.linalg.norm(np.asarray(b, float) - np.asarray(a, float)))


@dataclass
class Profile:
    """Values along a segment: ``position_mm`` from its start; ``anat``/``pet`` (None without that image;
    NaN outside it) in ``anat_units``/``pet_units``."""

    plane: str
    start: np.ndarray
    end: np.ndarray
    position_mm: np.ndarray
    anat: np.ndarray | None
    pet: np.ndarray | None
    anat_units: str
    pet_units: str

    @property
    def length_mm(self) -> float:
        return distance_mm(self.start, self.end)


def _bilinear(image: np.ndarray, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
    vals = ndimage.map_coordinates(np.asarray(image, np.float64), np.vstack([rows, cols]), order=1, mode="nearest")
    h, w = image.shape
    outside = (cols < -0.5) | (cols > w - 0.5) | (rows < -0.5) | (rows > h - 0.5)
    vals[outside] = np.nan
    return vals


def line_profile(session, plane: str, start, end, step_mm: float | None = None) -> Profile:
    """Sample the anatomy and the PET of ``plane`` (at the current slice) along start → end (world mm)."""
    a, b = np.asarray(start, float), np.asarray(end, float)
    length = distance_mm(a, b)
    if step_mm is None:
        step_mm = 0.5 * min(session.plane_pixel_spacing(plane))
    n = max(2, int(math.ceil(length / step_mm)) + 1)
    pos = np.linspace(0.0, length, n)
    f = pos / length if length > 0 else np.zeros(n)
    # world -> pixel is affine: map the two ends, interpolate between them
    pa, pb = np.asarray(session.world_to_pixel(plane, a)), np.asarray(session.world_to_pixel(plane, b))
    pix = pa[None, :] + f[:, None] * (pb - pa)[None, :]
    cols, rows = pix[:, 0], pix[:, 1]
    anat_img = session.slice_image("ct", plane) if session.anatomical is not None else None
    pet_img = session.slice_image("pet", plane) if session.pet is not None else None
    anat_units = ""
    if session.anatomical is not None:
        anat_units = "HU" if session.anatomical.modality == "CT" else (session.anatomical.units or "")
    return Profile(plane, a, b, pos,
                   None if anat_img is None else _bilinear(anat_img, cols, rows),
                   None if pet_img is None else _bilinear(pet_img, cols, rows),
                   anat_units, session.pet_units if session.pet is not None else "")


# ----------------------------------------------------------------------------- histogram
@dataclass
class Histogram:
    counts: np.ndarray
    edges: np.ndarray
    mean: float
    max: float
    voxels: int
    units: str = "SUV"


def histogram(values, bins: int = 40, units: str = "SUV") -> Histogram:
    """Histogram of values (a VOI's voxels) in ``bins`` equal bins from min(0, minimum) to the maximum."""
    v = np.asarray(values, np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise ValueError("the VOI holds no voxel with a value; draw it inside the PET field of view")
    lo, hi = min(0.0, float(v.min())), float(v.max())
    if hi <= lo:
        hi = lo + 1.0
    counts, edges = np.histogram(v, bins=int(bins), range=(lo, hi))
    return Histogram(counts, edges, float(v.mean()), float(v.max()), int(v.size), units)


def voi_values(model, voi_id: int) -> np.ndarray:
    """The SUV values of a VOI's voxels (``analysis.voi.VoiModel``: the PET grid, the model's SUV image)."""
    v = model.get(voi_id)
    return np.asarray(model.suv[v.slices()][v.crop], np.float64)
