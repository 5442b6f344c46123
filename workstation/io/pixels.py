"""Pixel reading: from DICOM files to 2-D slices of stored values with their geometry tags.

Two roads. The fast path walks the headers of single-frame, native little-endian 16-bit files
with :mod:`workstation.io.dicom_walk` and reads the pixel bytes straight into one preallocated
stack, rescaled in place. The general path reads each file with pydicom (any transfer syntax,
through pydicom's pixel handlers: pylibjpeg, openjpeg), splits enhanced multi-frame objects and
NM tomograms into per-frame slices, and keeps the stored values for
:mod:`workstation.io.stack` to sort and rescale. Unreadable files are skipped with a reason.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from io import BytesIO

import numpy as np

from .errors import GeometryError, PixelDataError

_UNCOMPRESSED = {
    "1.2.840.10008.1.2",  # implicit VR little endian
    "1.2.840.10008.1.2.1",  # explicit VR little endian
    "1.2.840.10008.1.2.1.99",  # deflated (pydicom inflates on read)
}


@dataclass
class _Slice:
    """One 2-D image: a single-frame file, or one frame of a multi-frame object."""

    path: str
    ipp: np.ndarray
    iop: np.ndarray
    spacing: tuple[float, float]  # (row spacing = between rows (dj), column spacing (di))
    slope: float
    intercept: float
    shape: tuple[int, int]
    frame: int | None = None  # frame index within a multi-frame file
    pixels: np.ndarray | None = None  # raw stored values (2-D)
    sop_uid: str = ""
    acq_key: str = ""
    stack_index: int | None = None  # row of the preallocated stack holding this slice (fast path)


# ---------------------------------------------------------------------- reading files
def _read_file(path: str):
    """The whole dataset, pixel data included (the general path: any transfer syntax)."""
    import pydicom

    try:
        return pydicom.dcmread(path, force=False)
    except Exception as exc:  # noqa: BLE001
        raise PixelDataError(f"{path}: not a readable DICOM file ({type(exc).__name__})") from exc


def _stored_pixels(ds, path: str) -> np.ndarray:
    """Stored values as an (frames, rows, cols) or (rows, cols) array, no rescale applied."""
    ts = str(ds.file_meta.get("TransferSyntaxUID", "")) if getattr(ds, "file_meta", None) else ""
    rows, cols = int(ds.Rows), int(ds.Columns)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.get("SamplesPerPixel", 1) or 1)
    if spp != 1:
        raise PixelDataError(f"{path}: colour images (SamplesPerPixel={spp}) cannot be loaded as a volume")
    bits = int(ds.BitsAllocated)
    if ts in _UNCOMPRESSED and "PixelData" in ds and bits in (8, 16, 32):
        signed = int(ds.get("PixelRepresentation", 0)) == 1
        dtype = np.dtype(f"<{'i' if signed else 'u'}{bits // 8}")
        n = rows * cols * frames
        buf = ds.PixelData
        if len(buf) < n * dtype.itemsize:
            raise PixelDataError(f"{path}: pixel data is truncated ({len(buf)} bytes, expected {n * dtype.itemsize})")
        arr = np.frombuffer(buf, dtype=dtype, count=n)
        bits_stored = int(ds.get("BitsStored", bits))
        if bits_stored < bits:  # mask unused high bits, sign-extend signed data
            arr = arr & ((1 << bits_stored) - 1) if not signed else \
                ((arr.astype(np.int64) << (64 - bits_stored)) >> (64 - bits_stored)).astype(dtype)
        return arr.reshape((frames, rows, cols) if frames > 1 else (rows, cols))
    try:
        arr = ds.pixel_array
    except Exception as exc:  # noqa: BLE001 - missing codec, corrupt stream
        raise PixelDataError(f"{path}: pixel data could not be decoded (transfer syntax {ts}): "
                             f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}. "
                             "Install pylibjpeg-libjpeg / pylibjpeg-openjpeg for compressed data.") from exc
    return np.asarray(arr)


def _floats(v, n, what, path):
    try:
        a = np.array([float(x) for x in v], dtype=float)
    except (TypeError, ValueError):
        raise GeometryError(f"{path}: {what} is missing or not numeric") from None
    if a.size != n:
        raise GeometryError(f"{path}: {what} has {a.size} values, expected {n}")
    return a


def _slices_from_dataset(ds, path: str) -> list[_Slice]:
    pixels = _stored_pixels(ds, path)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    sop = str(ds.get("SOPInstanceUID", ""))
    acq = f"{ds.get('AcquisitionNumber', '')}"
    if frames == 1 or "PerFrameFunctionalGroupsSequence" not in ds and str(ds.get("Modality", "")) != "NM":
        if frames > 1:
            raise GeometryError(f"{path}: multi-frame image without per-frame geometry cannot be loaded as a volume")
        if "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds:
            raise GeometryError(f"{path}: ImagePositionPatient/ImageOrientationPatient missing: not a tomographic slice")
        ps = _floats(ds.get("PixelSpacing", None), 2, "PixelSpacing (0028,0030)", path)
        return [_Slice(path, _floats(ds.ImagePositionPatient, 3, "ImagePositionPatient", path),
                       _floats(ds.ImageOrientationPatient, 6, "ImageOrientationPatient", path),
                       (ps[0], ps[1]), float(ds.get("RescaleSlope", 1) or 1), float(ds.get("RescaleIntercept", 0) or 0),
                       pixels.shape, None, pixels, sop, acq)]
    if "PerFrameFunctionalGroupsSequence" in ds:  # enhanced CT/MR/PET
        shared = ds.SharedFunctionalGroupsSequence[0] if "SharedFunctionalGroupsSequence" in ds else None
        out = []
        for f, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
            def grab(seq_name, attr, item=item):
                for src in (item, shared):
                    if src is not None and seq_name in src and attr in src[seq_name][0]:
                        return src[seq_name][0].get(attr)
                return None
            ipp = grab("PlanePositionSequence", "ImagePositionPatient")
            iop = grab("PlaneOrientationSequence", "ImageOrientationPatient")
            ps = grab("PixelMeasuresSequence", "PixelSpacing")
            slope = grab("PixelValueTransformationSequence", "RescaleSlope")
            inter = grab("PixelValueTransformationSequence", "RescaleIntercept")
            if slope is None:
                slope, inter = ds.get("RescaleSlope", 1), ds.get("RescaleIntercept", 0)
            ps = _floats(ps, 2, "PixelSpacing (per-frame)", path)
            out.append(_Slice(path, _floats(ipp, 3, "ImagePositionPatient (per-frame)", path),
                              _floats(iop, 6, "ImageOrientationPatient (per-frame)", path), (ps[0], ps[1]),
                              float(slope or 1), float(inter or 0), pixels.shape[1:], f, pixels[f], f"{sop}#{f}", acq))
        return out
    # NM tomogram (RECON TOMO): frames stacked along the normal from the detector geometry
    det = ds.DetectorInformationSequence[0] if "DetectorInformationSequence" in ds else ds
    ipp0 = _floats(det.get("ImagePositionPatient", None), 3, "ImagePositionPatient (NM detector)", path)
    iop = _floats(det.get("ImageOrientationPatient", None), 6, "ImageOrientationPatient (NM detector)", path)
    ps = _floats(ds.get("PixelSpacing", None), 2, "PixelSpacing", path)
    step = float(ds.get("SpacingBetweenSlices", None) or ds.get("SliceThickness", None) or 0)
    if step == 0:
        raise GeometryError(f"{path}: NM tomogram without SpacingBetweenSlices")
    normal = np.cross(iop[:3], iop[3:])
    slope, inter = float(ds.get("RescaleSlope", 1) or 1), float(ds.get("RescaleIntercept", 0) or 0)
    return [_Slice(path, ipp0 + f * step * normal, iop, (ps[0], ps[1]), slope, inter, pixels.shape[1:], f,
                   pixels[f], f"{sop}#{f}", acq) for f in range(frames)]


# Top-level elements the fast path reads with the header walker (tag, kind)
_FAST_TAGS = {
    "SamplesPerPixel": (0x00280002, "US"), "Rows": (0x00280010, "US"), "Columns": (0x00280011, "US"),
    "BitsAllocated": (0x00280100, "US"), "BitsStored": (0x00280101, "US"),
    "PixelRepresentation": (0x00280103, "US"), "NumberOfFrames": (0x00280008, "IS"),
    "RescaleSlope": (0x00281053, "DS"), "RescaleIntercept": (0x00281052, "DS"),
    "ImagePositionPatient": (0x00200032, "DS"), "ImageOrientationPatient": (0x00200037, "DS"),
    "PixelSpacing": (0x00280030, "DS"), "Modality": (0x00080060, "CS"), "SOPInstanceUID": (0x00080018, "UI"),
    "SeriesInstanceUID": (0x0020000E, "UI"),
}


class _NotFast(Exception):
    """The files need the general path (compressed, multi-frame, odd bit depths, mixed sizes)."""


_POPULATE_MIN_BYTES = 64 << 20


def _alloc_stack(shape, dtype) -> np.ndarray:
    """A large writable array whose pages are mapped up front (MAP_POPULATE, Linux).

    Touching fresh memory page by page costs one fault per 4 KiB; on virtual machines that can
    cost more than reading the files. One populating mmap maps it all at once. Elsewhere, or for
    small arrays, plain np.empty.
    """
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    populate = getattr(mmap, "MAP_POPULATE", 0)
    if nbytes < _POPULATE_MIN_BYTES or not populate or not hasattr(mmap, "MAP_ANONYMOUS"):
        return np.empty(shape, dtype=dtype)
    try:
        buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate)
    except (OSError, ValueError):
        return np.empty(shape, dtype=dtype)
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


_HEAD_CHUNK = 1 << 14


@dataclass
class _StackState:
    """What the first file of a fast-path read decided: output dtype and slice shape."""

    stack: np.ndarray
    shape: tuple[int, int]
    integral: bool


def _read_one(path: str, idx: int, state: _StackState | None, n: int, want: set, tags: dict):
    """Read one file of the fast path into ``state.stack[idx]``.

    Returns (slice, header bytes, modality, series UID, state)."""
    from . import dicom_walk as dw

    with open(path, "rb") as f:
        head = f.read(_HEAD_CHUNK)
        try:
            ts, raw, poff, plen = dw.walk(head, want)
            if poff is None:  # a header longer than the first chunk
                head += f.read()
                ts, raw, poff, plen = dw.walk(head, want)
        except dw.WalkError:
            raise _NotFast from None
        if poff is None:
            raise _NotFast

        def get(name):
            return raw.get(tags[name])

        frames = dw.as_floats(get("NumberOfFrames"))
        ipp, iop = dw.as_floats(get("ImagePositionPatient")), dw.as_floats(get("ImageOrientationPatient"))
        if (dw.as_int(get("BitsAllocated")) != 16 or (dw.as_int(get("SamplesPerPixel")) or 1) != 1
                or (frames is not None and frames != [1.0]) or ipp is None or iop is None
                or len(ipp) != 3 or len(iop) != 6):
            raise _NotFast
        rows, cols = dw.as_int(get("Rows")), dw.as_int(get("Columns"))
        signed = dw.as_int(get("PixelRepresentation")) == 1
        bits_stored = dw.as_int(get("BitsStored")) or 16
        if signed and bits_stored != 16 or not rows or not cols:
            raise _NotFast
        slope = (dw.as_floats(get("RescaleSlope")) or [1.0])[0]
        intercept = (dw.as_floats(get("RescaleIntercept")) or [0.0])[0]
        modality = dw.as_str(get("Modality")).upper()
        if state is None:
            integral = modality == "CT" and slope == 1.0 and intercept == round(intercept) and signed
            state = _StackState(_alloc_stack((n, rows, cols), np.int16 if integral else np.float32), (rows, cols),
                                integral)
        elif (rows, cols) != state.shape:
            raise _NotFast
        count = rows * cols
        if plen < 2 * count:
            raise _NotFast
        stored_dtype = np.dtype("<i2" if signed else "<u2")
        row = state.stack[idx]
        direct = state.integral and signed  # stored int16 is the output type: read straight into the row
        if direct and not (slope == 1.0 and intercept == round(intercept)):
            raise _NotFast
        if poff + 2 * count <= len(head):
            src = np.frombuffer(head, dtype=stored_dtype, count=count, offset=poff).reshape(rows, cols)
            if direct:
                row[...] = src
        else:
            src = row if direct else np.empty((rows, cols), dtype=stored_dtype)
            f.seek(poff)
            if f.readinto(memoryview(src).cast("B")) != 2 * count:
                raise _NotFast
    if state.integral:
        if not direct:
            raise _NotFast
        if intercept:
            lo, hi = int(row.min()), int(row.max())
            if lo + intercept < -32768 or hi + intercept > 32767:
                raise _NotFast
            row += np.int16(intercept)
    else:
        if not signed and bits_stored < 16:
            src = src & np.uint16((1 << bits_stored) - 1)
        np.multiply(src, np.float32(slope), out=row, casting="unsafe")
        if intercept:
            row += np.float32(intercept)
    ps = dw.as_floats(get("PixelSpacing"))
    if ps is None or len(ps) != 2:
        raise GeometryError(f"{path}: PixelSpacing (0028,0030) is missing or not 2 numbers")
    sl = _Slice(path, np.array(ipp), np.array(iop), (ps[0], ps[1]), 1.0, 0.0, (rows, cols), None, None,
                dw.as_str(get("SOPInstanceUID")), "", idx)
    return sl, head, modality, dw.as_str(get("SeriesInstanceUID")), state


def _read_stack(files: list[str], progress=None, threads: int | None = None):
    """Fast path: single-frame, native little-endian 16-bit slices read straight into one array.

    Each header is walked with :mod:`dicom_walk` (only the attributes the geometry and rescale
    need); the pixel bytes go straight into their row of a preallocated stack (in file order)
    and are rescaled in place: int16 HU for CT with unit slope and integral intercept, float32
    otherwise. The first file decides the layout; the others are read by a few threads (file
    reads and array copies release the GIL). pydicom parses the first header (patient and study
    facts) and, for PET, every header (the SUV facts). Raises _NotFast when any file needs the
    general path.
    """
    import pydicom
    from concurrent.futures import ThreadPoolExecutor

    want = {tag for tag, _ in _FAST_TAGS.values()}
    tags = {name: tag for name, (tag, _) in _FAST_TAGS.items()}
    n = len(files)
    first_slice, first_head, modality, first_uid, state = _read_one(files[0], 0, None, n, want, tags)
    results = [(first_slice, first_head, first_uid)]
    threads = threads or min(4, (os.cpu_count() or 1) + 1)
    if n > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [pool.submit(_read_one, files[i], i, state, n, want, tags) for i in range(1, n)]
            try:
                for i, fut in enumerate(futures, start=2):
                    sl, head, _, uid, _ = fut.result()
                    results.append((sl, head, uid))
                    if progress is not None and (i % 32 == 0 or i == n):
                        progress.update(0.9 * i / n, f"read {i}/{n} files")
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise

    def header(head):
        try:
            return pydicom.dcmread(BytesIO(head), stop_before_pixels=True, force=False)
        except Exception:  # noqa: BLE001
            raise _NotFast from None

    first = header(first_head)
    is_pet = modality in ("PT", "PET")
    headers = [first] + [header(h) for _, h, _ in results[1:]] if is_pet else []
    slices = [sl for sl, _, _ in results]
    series_uids = {uid for _, _, uid in results}
    return slices, state.stack, headers, first, series_uids


def _read_general(files: list[str], skipped: list[str], progress=None):
    """General path: any transfer syntax, multi-frame objects, unreadable files skipped."""
    slices: list[_Slice] = []
    headers = []
    first = None
    series_uids = set()
    for n, path in enumerate(files):
        try:
            ds = _read_file(path)
            if "PixelData" not in ds and "FloatPixelData" not in ds:
                raise PixelDataError(f"{path}: no pixel data")
            new = _slices_from_dataset(ds, path)
        except PixelDataError as exc:
            skipped.append(str(exc))
            continue
        series_uids.add(str(ds.get("SeriesInstanceUID", "")))
        slices.extend(new)
        if first is None:
            first = ds
        if str(ds.get("Modality", "")) in ("PT", "PET"):
            if "PixelData" in ds:
                del ds.PixelData  # keep the header only
            headers.append(ds)
        if progress is not None and (n % 16 == 0 or n == len(files) - 1):
            progress.update(0.9 * (n + 1) / len(files), f"read {n + 1}/{len(files)} files")
    return slices, headers, first, series_uids
