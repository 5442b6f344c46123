"""RT Structure Sets (RTSTRUCT): planar contours turned into masks on any image grid.

An RTSTRUCT lists regions of interest (ROIs); each ROI has closed planar contours, each a list of
points in patient coordinates (LPS, mm) lying in one image plane.  A structure is not tied to
voxels: :func:`contours_to_mask` rasterises an ROI onto any :class:`ImageGeometry` whose slices are
parallel to the contour planes:

* **Slices by position.**  Each contour is matched to image slices through its position along
  the slice normal, never through its image references (those often point to images that are no
  longer in the series, e.g. after cropping or when the contours were drawn on another modality).
  Each plane stands for the slab of ± half the contour plane spacing around it (a lone plane: ±
  half a slice); a target slice whose centre lies in a slab takes that plane's contours, so a
  finer grid repeats a plane and a coarser grid samples the nearest one.
* **In-plane fill, even-odd rule.**  A voxel is inside when a ray from its centre crosses the
  contours of its plane an odd number of times.  Several contours per plane are allowed, and a
  contour inside another is a hole (the DICOM convention for rings and cavities).
* ``POINT`` and ``OPEN_PLANAR`` contours have no area and are skipped (said in the warnings).

Messages name the file and the ROI; no patient identity is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workstation.core.geometry import ImageGeometry

from workstation.io.errors import DicomError, GeometryError

__all__ = ["RtRoi", "RtStruct", "read_rtstruct", "contours_to_mask", "polygon_fill"]

RTSTRUCT_SOP = "1.2.840.10008.5.1.4.1.1.481.3"


@dataclass
class RtRoi:
    """One ROI: number, name, display colour (RGB 0-255) and its closed planar contours (N×3 LPS mm)."""

    number: int
    name: str
    color: tuple[int, int, int] | None
    contours: list[np.ndarray] = field(default_factory=list)
    interpreted_type: str = ""
    skipped: int = 0  # contours without area (POINT, OPEN_PLANAR)


@dataclass
class RtStruct:
    path: str
    frame_of_reference_uid: str
    rois: list[RtRoi]
    warnings: list[str] = field(default_factory=list)

    def roi(self, key) -> RtRoi:
        """ROI by number (int) or name (str)."""
        for r in self.rois:
            if (isinstance(key, int) and r.number == key) or (isinstance(key, str) and r.name == key):
                return r
        names = ", ".join(f"{r.number} {r.name!r}" for r in self.rois)
        raise DicomError(f"{self.path}: no ROI {key!r} (ROIs: {names or 'none'})")


def is_rtstruct(ds) -> bool:
    return str(ds.get("Modality", "")).upper() == "RTSTRUCT" or str(ds.get("SOPClassUID", "")) == RTSTRUCT_SOP


def read_rtstruct(path, ds=None) -> RtStruct:
    """The ROIs and contours of an RTSTRUCT file (``ds``: an already read dataset of it)."""
    import pydicom

    path = Path(path)
    if ds is None:
        try:
            ds = pydicom.dcmread(str(path))
        except Exception as exc:  # noqa: BLE001
            raise DicomError(f"{path}: not a readable DICOM file ({type(exc).__name__})") from exc
    if not is_rtstruct(ds):
        raise DicomError(f"{path}: not an RT Structure Set (Modality is {ds.get('Modality', 'missing')})")
    names, frames = {}, {}
    for item in ds.get("StructureSetROISequence", []) or []:
        n = int(item.get("ROINumber", 0) or 0)
        names[n] = str(item.get("ROIName", "") or f"ROI {n}").strip()
        frames[n] = str(item.get("ReferencedFrameOfReferenceUID", "") or "")
    types = {int(o.get("ReferencedROINumber", 0) or 0): str(o.get("RTROIInterpretedType", "") or "")
             for o in ds.get("RTROIObservationsSequence", []) or []}
    rois, warnings = [], []
    for item in ds.get("ROIContourSequence", []) or []:
        n = int(item.get("ReferencedROINumber", 0) or 0)
        col = item.get("ROIDisplayColor", None)
        color = tuple(int(v) for v in col)[:3] if col is not None and len(col) >= 3 else None
        roi = RtRoi(n, names.get(n, f"ROI {n}"), color, interpreted_type=types.get(n, ""))
        for c in item.get("ContourSequence", []) or []:
            kind = str(c.get("ContourGeometricType", "CLOSED_PLANAR") or "CLOSED_PLANAR").upper()
            data = c.get("ContourData", None)
            if kind != "CLOSED_PLANAR" or data is None or len(data) < 9:
                roi.skipped += 1
                continue
            pts = np.asarray([float(v) for v in data], float).reshape(-1, 3)
            roi.contours.append(pts)
        if roi.skipped:
            warnings.append(f"ROI {roi.name!r}: {roi.skipped} contour(s) without area (POINT/OPEN_PLANAR) skipped")
        rois.append(roi)
    if not rois:
        raise DicomError(f"{path}: the RT Structure Set has no ROI contours")
    frame = next((f for f in frames.values() if f), "")
    return RtStruct(str(path), frame, rois, warnings)


def polygon_fill(polygons, shape: tuple[int, int]) -> np.ndarray:
    """Boolean (rows, cols) mask of the pixel centres inside ``polygons`` by the even-odd rule.

    ``polygons``: arrays of (col, row) vertices in pixel-index units (pixel centres at integers);
    all polygons together decide parity, so a polygon inside another is a hole.
    """
    rows, cols = shape
    out = np.zeros(shape, bool)
    x0s, y0s, x1s, y1s = [], [], [], []
    for poly in polygons:
        p = np.asarray(poly, float)
        if len(p) < 3:
            continue
        q = np.roll(p, -1, axis=0)
        x0s.append(p[:, 0]), y0s.append(p[:, 1]), x1s.append(q[:, 0]), y1s.append(q[:, 1])
    if not x0s:
        return out
    x0, y0, x1, y1 = (np.concatenate(a) for a in (x0s, y0s, x1s, y1s))
    flat = y0 != y1
    x0, y0, x1, y1 = x0[flat], y0[flat], x1[flat], y1[flat]
    r_lo = max(0, int(np.ceil(min(y0.min(), y1.min()))))
    r_hi = min(rows - 1, int(np.floor(max(y0.max(), y1.max()))))
    centres = np.arange(cols, dtype=float)
    for r in range(r_lo, r_hi + 1):
        y = float(r)
        cross = ((y0 <= y) & (y < y1)) | ((y1 <= y) & (y < y0))  # half-open: each vertex counted once
        if not np.any(cross):
            continue
        xs = x0[cross] + (y - y0[cross]) * (x1[cross] - x0[cross]) / (y1[cross] - y0[cross])
        xs.sort()
        # crossings to the right of each centre; odd = inside
        right = len(xs) - np.searchsorted(xs, centres, side="right")
        out[r] = (right % 2) == 1
    return out


def contours_to_mask(contours, geometry: ImageGeometry, *, name: str = "ROI", path: str = "") -> np.ndarray:
    """Rasterise closed planar contours (N×3 LPS mm each) onto ``geometry`` (see the module docstring)."""
    where = f"{path}: " if path else ""
    mask = np.zeros(geometry.shape, bool)
    if not contours:
        return mask
    items = []
    for pts in contours:
        kji = geometry.world_to_kji(pts)  # (N, 3) fractional (k, j, i)
        k = kji[:, 0]
        if np.ptp(k) > 0.1:
            raise GeometryError(f"{where}ROI {name!r}: a contour is not parallel to the image slices "
                                f"(it spans {np.ptp(k):.2f} slices); resample the image to the contours' plane")
        items.append((float(k.mean()), np.stack([kji[:, 2], kji[:, 1]], axis=1)))  # (col, row)
    # contours of one plane (positions within 0.05 slice) are filled together
    items.sort(key=lambda t: t[0])
    planes: dict[float, list[np.ndarray]] = {}
    key = None
    for k, poly in items:
        if key is None or k - key > 0.05:
            key = k
        planes.setdefault(key, []).append(poly)
    ks = np.array(sorted(planes))
    gaps = np.diff(ks)
    plane_step = float(np.median(gaps)) if len(gaps) else 1.0  # in slices (one plane: one slice thick)
    reach = plane_step / 2.0 + 1e-3  # each plane stands for the slab of +- half the plane spacing
    nk, rows, cols = geometry.shape
    for kk in range(nk):
        i = int(np.argmin(np.abs(ks - kk)))
        if abs(ks[i] - kk) > reach:
            continue
        mask[kk] = polygon_fill(planes[float(ks[i])], (rows, cols))
    return mask
