"""Masks from files: NIfTI label images and DICOM Segmentation objects (SEG).

``read_mask(path, label=None)`` returns a boolean array ``[k, j, i]`` and its ImageGeometry in LPS.
For a label image, ``label`` selects one label (default: every non-zero voxel). For a SEG, the
frames are placed on a regular grid built from their ImagePositionPatient along the slice normal
(frames may be present only where the segment is); ``label`` selects a segment number (default:
union of all segments). Fractional SEGs are thresholded at half their maximum fractional value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workstation.core import ImageGeometry

from .errors import DicomError, GeometryError


def read_mask(path, label: int | None = None) -> tuple[np.ndarray, ImageGeometry]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith((".nii", ".nii.gz", ".nia", ".hdr", ".img")):
        from .nifti import read_nifti

        arr, geom = read_nifti(path)
        check_label_values(arr, path)
        if label is None:
            mask = arr != 0
        else:
            mask = arr == label
    else:
        mask, geom = read_seg(path, label)
    if not mask.any():
        raise DicomError(f"{path}: the mask is empty" + (f" for label {label}" if label is not None else ""))
    return mask, geom


def read_seg(path, segment: int | None = None) -> tuple[np.ndarray, ImageGeometry]:
    import pydicom

    try:
        ds = pydicom.dcmread(str(path))
    except Exception as exc:  # noqa: BLE001
        raise DicomError(f"{path}: not a readable DICOM file ({type(exc).__name__})") from exc
    if str(ds.get("Modality", "")) != "SEG":
        raise DicomError(f"{path}: not a DICOM Segmentation (Modality is {ds.get('Modality', 'missing')}); "
                         "give a NIfTI mask or a SEG")
    frames = np.asarray(ds.pixel_array)
    if frames.ndim == 2:
        frames = frames[None]
    shared = ds.SharedFunctionalGroupsSequence[0] if "SharedFunctionalGroupsSequence" in ds else None

    def grab(item, seq, attr):
        for src in (item, shared):
            if src is not None and seq in src and attr in src[seq][0]:
                return src[seq][0].get(attr)
        return None

    ipps, segs = [], []
    iop = spacing = step = None
    for item in ds.PerFrameFunctionalGroupsSequence:
        ipp = grab(item, "PlanePositionSequence", "ImagePositionPatient")
        if ipp is None:
            raise GeometryError(f"{path}: SEG frame without ImagePositionPatient")
        ipps.append([float(v) for v in ipp])
        segs.append(int(grab(item, "SegmentIdentificationSequence", "ReferencedSegmentNumber") or 1))
        iop = iop or grab(item, "PlaneOrientationSequence", "ImageOrientationPatient")
        spacing = spacing or grab(item, "PixelMeasuresSequence", "PixelSpacing")
        step = step or grab(item, "PixelMeasuresSequence", "SpacingBetweenSlices") \
            or grab(item, "PixelMeasuresSequence", "SliceThickness")
    if iop is None or spacing is None:
        raise GeometryError(f"{path}: SEG without ImageOrientationPatient or PixelSpacing")
    iop = np.array([float(v) for v in iop])
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    ipps = np.array(ipps)
    segs = np.array(segs)
    if segment is not None:
        if segment not in set(segs.tolist()):
            raise DicomError(f"{path}: no segment number {segment} (segments: {sorted(set(segs.tolist()))})")
        keep = segs == segment
        frames, ipps = frames[keep], ipps[keep]
    dist = ipps @ normal
    uniq = np.unique(np.round(dist, 3))
    if step is None or float(step) <= 0:
        step = float(np.min(np.diff(uniq))) if len(uniq) > 1 else 1.0
    step = float(step)
    k_index = np.rint((dist - uniq[0]) / step).astype(int)
    if np.any(np.abs((dist - uniq[0]) / step - k_index) > 0.05):
        raise GeometryError(f"{path}: SEG frame positions are not on a regular {step} mm grid")
    nk = int(k_index.max()) + 1
    rows, cols = frames.shape[1:]
    mask = np.zeros((nk, rows, cols), bool)
    binary = str(ds.get("SegmentationType", "BINARY")).upper() == "BINARY"
    thr = 0 if binary else float(ds.get("MaximumFractionalValue", 255)) / 2
    origin_frame = int(np.argmin(dist))
    for f in range(len(frames)):
        mask[k_index[f]] |= frames[f] > thr
    dj, di = (float(v) for v in spacing)
    origin = ipps[origin_frame] - normal * (dist[origin_frame] - uniq[0])
    # in-plane positions must agree across frames (no tilt for masks)
    inplane = ipps - np.outer(dist, normal)
    if np.max(np.linalg.norm(inplane - inplane[0], axis=1)) > 0.05 * min(di, dj):
        raise GeometryError(f"{path}: SEG frames are shifted in-plane (tilted stack); not supported")
    geom = ImageGeometry((nk, rows, cols), (di, dj, step), tuple(origin), np.stack([row, col, normal], axis=1))
    return mask, geom


def check_label_values(arr: np.ndarray, path) -> None:
    """A mask holds 0/1 or label values: finite, non-negative whole numbers. Anything else is refused.

    A NaN-filled image compared with ``!= 0`` would count every voxel as inside; a probability
    map would be silently binarised. Both are refused with what was found.
    """
    if arr.dtype.kind == "b":
        return
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            n = int(arr.size - np.count_nonzero(finite))
            raise DicomError(f"{path}: the mask holds {n} NaN or infinite value(s); a mask must hold 0/1 or label "
                             "values only")
        frac = arr != np.round(arr)
        if frac.any():
            example = float(arr[frac].flat[0])
            raise DicomError(f"{path}: the mask holds fractional values (e.g. {example:g}): it looks like a "
                             "probability map; threshold it to 0/1 or labels first")
    if arr.dtype.kind in "fi" and arr.size and arr.min() < 0:
        raise DicomError(f"{path}: the mask holds negative values (min {float(arr.min()):g}); a mask must hold 0/1 "
                         "or label values only")
    if arr.dtype.kind not in "fiub":
        raise DicomError(f"{path}: the mask has data type {arr.dtype}, not numbers")


def seg_frame_of_reference(path) -> str:
    """The FrameOfReferenceUID of a DICOM SEG ('' when absent or not a SEG)."""
    import pydicom

    try:
        ds = pydicom.dcmread(str(path), stop_before_pixels=True, specific_tags=["FrameOfReferenceUID", "Modality"])
    except Exception:  # noqa: BLE001 - read_mask reports unreadable files
        return ""
    return str(ds.get("FrameOfReferenceUID", "") or "")
