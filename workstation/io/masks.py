"""Masks and structures from files: NIfTI label images, DICOM Segmentations (SEG) and RT Structure Sets.

``read_mask(path, label=None, geometry=None)`` returns a boolean array ``[k, j, i]`` and its
ImageGeometry in LPS.  For a label image, ``label`` selects one label (default: every non-zero
voxel).  For a SEG, the frames of all segments are placed on one regular grid built from their
ImagePositionPatient along the slice normal (frames may be present only where a segment is);
``label`` selects a segment number (default: union of all segments).  Fractional SEGs are
thresholded at half their maximum fractional value.  An RTSTRUCT has no grid of its own: its
contours are rasterised onto ``geometry`` (``workstation.io.rtstruct``); ``label`` is an ROI number.

``read_structures(path, geometry=None)`` returns every structure of the file separately (each
SEG segment, each RTSTRUCT ROI, each label value) with its number, name and display colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workstation.core.geometry import ImageGeometry

from workstation.io.errors import DicomError, GeometryError

__all__ = ["Structure", "read_mask", "read_structures", "read_seg", "read_seg_segments", "check_label_values",
           "seg_frame_of_reference"]


@dataclass
class Structure:
    """One structure: a SEG segment, an RTSTRUCT ROI or a label value, as a mask on ``geometry``."""

    number: int
    name: str
    color: tuple[int, int, int] | None
    mask: np.ndarray
    geometry: ImageGeometry
    kind: str  # "SEG", "RTSTRUCT" or "LABELS"
    source: str = ""


def _is_nifti(path: Path) -> bool:
    return path.name.lower().endswith((".nii", ".nii.gz", ".nia", ".hdr", ".img"))


def _read_dicom(path: Path):
    import pydicom

    try:
        return pydicom.dcmread(str(path))
    except Exception as exc:  # noqa: BLE001
        raise DicomError(f"{path}: not a readable DICOM file ({type(exc).__name__})") from exc


def read_structures(path, geometry: ImageGeometry | None = None) -> list[Structure]:
    """Every structure of a SEG, RTSTRUCT or NIfTI label file (RTSTRUCT needs ``geometry``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if _is_nifti(path):
        from workstation.io.nifti import read_nifti

        arr, geom = read_nifti(path)
        check_label_values(arr, path)
        values = [int(v) for v in np.unique(arr) if v != 0]
        return [Structure(v, f"label {v}", None, arr == v, geom, "LABELS", str(path)) for v in values]
    ds = _read_dicom(path)
    from workstation.io.rtstruct import contours_to_mask, is_rtstruct, read_rtstruct

    if is_rtstruct(ds):
        if geometry is None:
            raise DicomError(f"{path}: an RT Structure Set has no image grid of its own; give the image "
                             "(PET series) it is to be drawn on")
        rs = read_rtstruct(path, ds)
        return [Structure(r.number, r.name, r.color, contours_to_mask(r.contours, geometry, name=r.name, path=str(path)),
                          geometry, "RTSTRUCT", str(path)) for r in rs.rois]
    segments, geom = read_seg_segments(path, ds)
    return [Structure(n, name, color, m, geom, "SEG", str(path)) for n, name, color, m in segments]


def read_mask(path, label: int | None = None, geometry: ImageGeometry | None = None) -> tuple[np.ndarray, ImageGeometry]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if _is_nifti(path):
        from workstation.io.nifti import read_nifti

        arr, geom = read_nifti(path)
        check_label_values(arr, path)
        if label is None:
            mask = arr != 0
        else:
            mask = arr == label
    else:
        structures = read_structures(path, geometry)
        if label is not None:
            chosen = [s for s in structures if s.number == label]
            if not chosen:
                kind = "ROI" if structures and structures[0].kind == "RTSTRUCT" else "segment"
                raise DicomError(f"{path}: no {kind} number {label} ({kind}s: "
                                 f"{', '.join(f'{s.number} {s.name!r}' for s in structures)})")
            structures = chosen
        geom = structures[0].geometry
        mask = np.zeros(geom.shape, bool)
        for st in structures:
            mask |= st.mask
    if not mask.any():
        raise DicomError(f"{path}: the mask is empty" + (f" for label {label}" if label is not None else ""))
    return mask, geom


def read_seg(path, segment: int | None = None) -> tuple[np.ndarray, ImageGeometry]:
    """Union of the segments of a SEG (or one ``segment``) on the SEG's grid."""
    return read_mask(path, segment)


def _lab_to_rgb(lab16) -> tuple[int, int, int] | None:
    """DICOM CIELab (0-65535 scaled, D65) to 8-bit sRGB."""
    try:
        L, a, b = (float(v) for v in lab16)
    except (TypeError, ValueError):
        return None
    L, a, b = L * 100.0 / 65535.0, a * 255.0 / 65535.0 - 128.0, b * 255.0 / 65535.0 - 128.0
    fy = (L + 16.0) / 116.0
    fx, fz = fy + a / 500.0, fy - b / 200.0

    def finv(t):
        return t ** 3 if t > 6.0 / 29.0 else 3 * (6.0 / 29.0) ** 2 * (t - 4.0 / 29.0)

    x, y, z = 0.95047 * finv(fx), 1.0 * finv(fy), 1.08883 * finv(fz)
    lin = (3.2406 * x - 1.5372 * y - 0.4986 * z, -0.9689 * x + 1.8758 * y + 0.0415 * z,
           0.0557 * x - 0.2040 * y + 1.0570 * z)

    def gamma(c):
        c = min(max(c, 0.0), 1.0)
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    return tuple(int(round(255 * gamma(c))) for c in lin)


lab_to_rgb = _lab_to_rgb  # public: the structure list reads SEG colours from the header


def read_seg_segments(path, ds=None):
    """([(number, name, colour, mask)], geometry): each segment of a SEG on one common grid."""
    path = Path(path)
    if ds is None:
        ds = _read_dicom(path)
    if str(ds.get("Modality", "")) != "SEG":
        raise DicomError(f"{path}: not a DICOM Segmentation or RT Structure Set (Modality is "
                         f"{ds.get('Modality', 'missing')}); give a NIfTI mask, a SEG or an RTSTRUCT")
    frames = np.asarray(ds.pixel_array)
    n_frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames.ndim == 2 or (frames.ndim == 3 and n_frames == 1 and frames.shape[0] != 1):
        frames = frames.reshape((1,) + frames.shape[-2:])
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
    if len(ipps) != len(frames):
        raise GeometryError(f"{path}: {len(frames)} frames but {len(ipps)} per-frame functional groups")
    iop = np.array([float(v) for v in iop])
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    ipps = np.array(ipps)
    segs = np.array(segs)
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
    binary = str(ds.get("SegmentationType", "BINARY")).upper() == "BINARY"
    thr = 0 if binary else float(ds.get("MaximumFractionalValue", 255)) / 2
    origin_frame = int(np.argmin(dist))
    dj, di = (float(v) for v in spacing)
    origin = ipps[origin_frame] - normal * (dist[origin_frame] - uniq[0])
    # in-plane positions must agree across frames (no tilt for masks)
    inplane = ipps - np.outer(dist, normal)
    if np.max(np.linalg.norm(inplane - inplane[0], axis=1)) > 0.05 * min(di, dj):
        raise GeometryError(f"{path}: SEG frames are shifted in-plane (tilted stack); not supported")
    geom = ImageGeometry((nk, rows, cols), (di, dj, step), tuple(origin), np.stack([row, col, normal], axis=1))
    described = {}
    for item in ds.get("SegmentSequence", []) or []:
        n = int(item.get("SegmentNumber", 0) or 0)
        name = str(item.get("SegmentLabel", "") or item.get("SegmentDescription", "") or f"segment {n}").strip()
        described[n] = (name, _lab_to_rgb(item.get("RecommendedDisplayCIELabValue", None)))
    out = []
    for n in sorted(set(segs.tolist()) | set(described)):
        mask = np.zeros((nk, rows, cols), bool)
        for f in np.flatnonzero(segs == n):
            mask[k_index[f]] |= frames[f] > thr
        name, color = described.get(n, (f"segment {n}", None))
        out.append((int(n), name, color, mask))
    return out, geom


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
