"""Volumes of interest of a dosimetry: masks per time point, their activity and their mass.

A VOI comes from an RTSTRUCT ROI rasterised on a time point's own grid (``io.rtstruct``: contours
matched to slices by position, even-odd fill), or is propagated from the first time point through
the registration (:mod:`.align`). Its activity at a time point is the sum of the activity
concentration (Bq/mL at scan time) over its voxels times the voxel volume; its mass is its volume at
the first time point times the tissue density (1.0 g/mL unless given).

An RTSTRUCT whose ReferencedFrameOfReferenceUID is not the image's is not rasterised on it: its
contours live in another patient coordinate system (the reference pair's two scans have different
frames and a 47 mm table shift). It is refused with a message naming both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.io.rtstruct import contours_to_mask, read_rtstruct

from workstation.analysis.dosimetry.timepoints import DosimetryError, TimePoint

__all__ = ["Voi", "rtstruct_masks", "activity_mbq"]


@dataclass
class Voi:
    """One VOI over all time points: its mask on each time point's grid and where it came from."""

    name: str
    masks: dict[int, np.ndarray] = field(default_factory=dict)  # time-point index -> bool mask on its grid
    sources: dict[int, str] = field(default_factory=dict)  # time-point index -> "rtstruct FILE" / "propagated"
    volume_ml: float = 0.0  # at the first time point
    mass_g: float = 0.0
    activities_mbq: list = field(default_factory=list)


def rtstruct_masks(path, geometry: ImageGeometry, frame_of_reference_uid: str = "") -> tuple[dict[str, np.ndarray], list[str]]:
    """({ROI name: mask on ``geometry``}, warnings) of every ROI of an RTSTRUCT with an area."""
    rs = read_rtstruct(path)
    if frame_of_reference_uid and rs.frame_of_reference_uid and rs.frame_of_reference_uid != frame_of_reference_uid:
        raise DosimetryError(f"{path}: ReferencedFrameOfReferenceUID {rs.frame_of_reference_uid} is not the image's "
                             f"FrameOfReferenceUID {frame_of_reference_uid}; give the RTSTRUCT of this scan, or only the "
                             "first scan's and let the VOIs be propagated by registration")
    out, warns = {}, list(rs.warnings)
    for roi in rs.rois:
        if not roi.contours:
            continue
        m = contours_to_mask(roi.contours, geometry, name=roi.name, path=str(path))
        if not m.any():
            warns.append(f"{path}: ROI {roi.name!r} covers no voxel of the image; left out")
            continue
        out[roi.name] = m
    return out, warns


def activity_mbq(tp: TimePoint, mask: np.ndarray) -> float:
    """Activity (MBq) of a VOI at a time point: sum of Bq/mL over the mask times the voxel volume."""
    values = np.asarray(tp.volume.array)[mask].astype(np.float64)
    return float(values.sum() * tp.scale * tp.volume.geometry.voxel_volume_ml / 1e6)
