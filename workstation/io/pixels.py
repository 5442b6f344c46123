"""Pixel reading: from DICOM files to 2-D slices of stored values with their geometry tags.

Two roads. The fast path walks the headers of single-frame, native little-endian 16-bit files
with :mod:`workstation.io.dicom_walk` and reads the pixel bytes straight into one preallocated
stack, rescaled in place. The general path reads each file with pydicom (any transfer syntax,
through pydicom's pixel handlers: pylibjpeg, openjpeg), splits enhanced multi-frame objects and
NM tomograms into per-frame slices, and keeps the stored values for
:mod:`workstation.io.stack` to sort and rescale. Unreadable files are skipped with a reason.
"""

from __future__ import annotations

import math
import mmap
import os
import warnings
from dataclasses import dataclass
from io import BytesIO

import numpy as np

from workstation.io.errors import (DicomError, GeometryError, HeaderError, MemoryBudgetError, NonFiniteError, PixelDataError)

_UNCOMPRESSED = {
    "1.2.840.10008.1.2",  # implicit VR little endian
    "1.2.840.10008.1.2.1",  # explicit VR little endian
    "1.2.840.10008.1.2.1.99",  # deflated (pydicom inflates on read)
}


@dataclass
class Slice:
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
    from workstation.io.dicom_file import read_dataset

    try:
        ds = read_dataset(path)
        _convert_or_drop(ds, path)
        return ds
    except DicomError as exc:
        raise PixelDataError(str(exc)) from None
    except RecursionError:
        raise PixelDataError(f"{path}: not a readable DICOM file (sequences nested too deeply)") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt header: named, never a traceback
        raise PixelDataError(f"{path}: not a readable DICOM file ({type(exc).__name__})") from None


# elements the loader needs: when one of these cannot be converted, the file is refused naming it
_NEEDED = {"Rows", "Columns", "BitsAllocated", "BitsStored", "PixelRepresentation", "SamplesPerPixel", "PixelData",
           "FloatPixelData", "NumberOfFrames", "SOPInstanceUID", "SeriesInstanceUID", "StudyInstanceUID", "Modality",
           "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "RescaleSlope", "RescaleIntercept",
           "FrameOfReferenceUID", "Units", "PerFrameFunctionalGroupsSequence", "SharedFunctionalGroupsSequence",
           "DetectorInformationSequence", "SpacingBetweenSlices", "SliceThickness", "SpecificCharacterSet"}


def _convert_or_drop(ds, path: str) -> None:
    """Convert every top-level element now; drop the unconvertible ones the image does not need.

    pydicom converts values lazily, so a damaged element (an unknown VR, a length that runs into
    the next element) would otherwise raise wherever it is first touched.
    """
    from pydicom.datadict import keyword_for_tag

    for tag in list(ds.keys()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds[tag]
        except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on damaged values
            keyword = keyword_for_tag(tag) or ""
            if keyword in _NEEDED:
                raise HeaderError(f"{path}: {element_name(keyword)} cannot be read ({type(exc).__name__}); the file "
                                  "is damaged") from None
            del ds[tag]


def element_name(keyword: str) -> str:
    """'Rows' -> 'Rows (0028,0010)': how messages name an element."""
    from pydicom.datadict import tag_for_keyword

    tag = tag_for_keyword(keyword)
    return keyword if tag is None else f"{keyword} ({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _shown(value) -> str:
    """A short, printable rendering of a (non-PHI) element value for a message."""
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _get(ds, keyword: str, path: str):
    """An element's value, or None when absent; an unreadable value is a HeaderError naming it."""
    try:
        if keyword not in ds:
            return None
        return ds[keyword].value
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on corrupt values
        raise HeaderError(f"{path}: {element_name(keyword)} cannot be read ({type(exc).__name__}); "
                          "the file is damaged") from None


def _int_value(value, keyword: str, path: str, *, minimum: int | None = None) -> int:
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = value[0] if len(value) else None
    if value is None or value == "":
        raise HeaderError(f"{path}: {element_name(keyword)} is empty; the image cannot be read without it")
    try:
        number = float(value)
        if number != int(number):
            raise ValueError
        number = int(number)
    except (TypeError, ValueError, OverflowError):
        raise HeaderError(f"{path}: {element_name(keyword)} is not an integer ({_shown(value)}); "
                          "the file is damaged or was written by a faulty program") from None
    if minimum is not None and number < minimum:
        raise HeaderError(f"{path}: {element_name(keyword)} is {number}, must be at least {minimum}")
    return number


def _req_int(ds, keyword: str, path: str, *, minimum: int | None = None) -> int:
    value = _get(ds, keyword, path)
    if value is None:
        raise HeaderError(f"{path}: {element_name(keyword)} is missing; the image cannot be read without it")
    return _int_value(value, keyword, path, minimum=minimum)


def _opt_int(ds, keyword: str, path: str, default: int, *, minimum: int | None = None) -> int:
    value = _get(ds, keyword, path)
    if value is None or value == "":
        return default
    return _int_value(value, keyword, path, minimum=minimum)


def _finite(value, keyword: str, path: str, default: float) -> float:
    """A DS value as a finite float (``default`` when absent); NaN/inf is a NonFiniteError."""
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HeaderError(f"{path}: {element_name(keyword)} is not a number ({_shown(value)})") from None
    if not math.isfinite(number):
        raise NonFiniteError(f"{path}: {element_name(keyword)} is {number}: the stored values cannot be converted "
                             "to real values; the series is refused (fix or remove this file)")
    return number


def _opt_float(ds, keyword: str, path: str, default: float) -> float:
    return _finite(_get(ds, keyword, path), keyword, path, default)


def _stored_pixels(ds, path: str) -> np.ndarray:
    """Stored values as an (frames, rows, cols) or (rows, cols) array, no rescale applied."""
    ts = str(ds.file_meta.get("TransferSyntaxUID", "")) if getattr(ds, "file_meta", None) else ""
    rows = _req_int(ds, "Rows", path, minimum=1)
    cols = _req_int(ds, "Columns", path, minimum=1)
    frames = _opt_int(ds, "NumberOfFrames", path, 1, minimum=1)
    spp = _opt_int(ds, "SamplesPerPixel", path, 1)
    if spp != 1:
        raise PixelDataError(f"{path}: colour images (SamplesPerPixel={spp}) cannot be loaded as a volume")
    has_float = "FloatPixelData" in ds or "DoubleFloatPixelData" in ds
    if has_float:
        bits = _opt_int(ds, "BitsAllocated", path, 32)
    else:
        bits = _req_int(ds, "BitsAllocated", path, minimum=1)
    n = rows * cols * frames
    budget_check(n * 4, path)
    if "PixelData" in ds and not has_float:
        try:
            nbytes = len(ds.PixelData or b"")
        except Exception as exc:  # noqa: BLE001
            raise PixelDataError(f"{path}: {element_name('PixelData')} cannot be read ({type(exc).__name__})") \
                from None
        if nbytes == 0:
            raise PixelDataError(f"{path}: {element_name('PixelData')} is empty (0 bytes); the file holds no image")
    if ts in _UNCOMPRESSED and "PixelData" in ds and bits in (8, 16, 32):
        signed = _opt_int(ds, "PixelRepresentation", path, 0) == 1
        dtype = np.dtype(f"<{'i' if signed else 'u'}{bits // 8}")
        buf = ds.PixelData
        if len(buf) < n * dtype.itemsize:
            raise PixelDataError(f"{path}: {element_name('PixelData')} is truncated ({len(buf)} bytes, expected "
                                 f"{n * dtype.itemsize} for {frames} x {rows} x {cols} x {bits} bits)")
        arr = np.frombuffer(buf, dtype=dtype, count=n)
        bits_stored = _opt_int(ds, "BitsStored", path, bits, minimum=1)
        if bits_stored < bits:  # mask unused high bits, sign-extend signed data
            arr = arr & ((1 << bits_stored) - 1) if not signed else \
                ((arr.astype(np.int64) << (64 - bits_stored)) >> (64 - bits_stored)).astype(dtype)
        return arr.reshape((frames, rows, cols) if frames > 1 else (rows, cols))
    try:
        arr = ds.pixel_array
    except Exception as exc:  # noqa: BLE001 - missing codec, corrupt stream
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        raise PixelDataError(f"{path}: {element_name('PixelData')} could not be decoded (transfer syntax {ts}): "
                             f"{type(exc).__name__}: {detail}. Compressed data needs pylibjpeg-libjpeg / "
                             "pylibjpeg-openjpeg; a damaged file must be sent again.") from None
    arr = np.asarray(arr)
    if arr.ndim == 3 and spp == 1 and frames == 1:
        raise PixelDataError(f"{path}: decoded pixel data has an unexpected shape {arr.shape}")
    return arr


def _floats(v, n, what, path):
    try:
        a = np.array([float(x) for x in v], dtype=float)
    except (TypeError, ValueError):
        raise GeometryError(f"{path}: {what} is missing or not numeric") from None
    if a.size != n:
        raise GeometryError(f"{path}: {what} has {a.size} values, expected {n}")
    if not np.all(np.isfinite(a)):
        raise GeometryError(f"{path}: {what} holds a value that is not finite")
    return a


def _slices_from_dataset(ds, path: str) -> list[Slice]:
    pixels = _stored_pixels(ds, path)
    frames = _opt_int(ds, "NumberOfFrames", path, 1, minimum=1)
    sop = str(ds.get("SOPInstanceUID", ""))
    acq = f"{ds.get('AcquisitionNumber', '')}"
    modality = str(ds.get("Modality", "") or "")
    if frames == 1 or "PerFrameFunctionalGroupsSequence" not in ds and modality != "NM":
        if frames > 1:
            raise GeometryError(f"{path}: multi-frame image without per-frame geometry cannot be loaded as a volume")
        if "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds:
            raise GeometryError(f"{path}: ImagePositionPatient/ImageOrientationPatient missing: not a tomographic slice")
        ps = _floats(_get(ds, "PixelSpacing", path), 2, element_name("PixelSpacing"), path)
        return [Slice(path, _floats(_get(ds, "ImagePositionPatient", path), 3, element_name("ImagePositionPatient"),
                                     path),
                       _floats(_get(ds, "ImageOrientationPatient", path), 6, element_name("ImageOrientationPatient"),
                               path),
                       (ps[0], ps[1]), _opt_float(ds, "RescaleSlope", path, 1.0) or 1.0,
                       _opt_float(ds, "RescaleIntercept", path, 0.0), pixels.shape, None, pixels, sop, acq)]
    if "PerFrameFunctionalGroupsSequence" in ds:  # enhanced CT/MR/PET
        per_frame = _get(ds, "PerFrameFunctionalGroupsSequence", path)
        if len(per_frame) != frames:
            raise HeaderError(f"{path}: {element_name('PerFrameFunctionalGroupsSequence')} has {len(per_frame)} "
                              f"item(s) for {frames} frames (NumberOfFrames); the frames' positions are unknown")
        shared_seq = _get(ds, "SharedFunctionalGroupsSequence", path)
        shared = shared_seq[0] if shared_seq else None
        out = []
        for f, item in enumerate(per_frame):
            def grab(seq_name, attr, item=item):
                for src in (item, shared):
                    if src is not None and seq_name in src and len(src[seq_name].value) and \
                            attr in src[seq_name][0]:
                        return src[seq_name][0].get(attr)
                return None
            ipp = grab("PlanePositionSequence", "ImagePositionPatient")
            iop = grab("PlaneOrientationSequence", "ImageOrientationPatient")
            ps = grab("PixelMeasuresSequence", "PixelSpacing")
            slope = grab("PixelValueTransformationSequence", "RescaleSlope")
            inter = grab("PixelValueTransformationSequence", "RescaleIntercept")
            if slope is None:
                slope, inter = _get(ds, "RescaleSlope", path), _get(ds, "RescaleIntercept", path)
            ps = _floats(ps, 2, "PixelSpacing (per-frame)", path)
            out.append(Slice(path, _floats(ipp, 3, "ImagePositionPatient (per-frame)", path),
                              _floats(iop, 6, "ImageOrientationPatient (per-frame)", path), (ps[0], ps[1]),
                              _finite(slope, "RescaleSlope", path, 1.0) or 1.0,
                              _finite(inter, "RescaleIntercept", path, 0.0), pixels.shape[1:], f,
                              pixels[f], f"{sop}#{f}", acq))
        return out
    # NM tomogram (RECON TOMO): frames stacked along the normal from the detector geometry
    det_seq = _get(ds, "DetectorInformationSequence", path)
    det = det_seq[0] if det_seq else ds
    ipp0 = _floats(det.get("ImagePositionPatient", None), 3, "ImagePositionPatient (NM detector)", path)
    iop = _floats(det.get("ImageOrientationPatient", None), 6, "ImageOrientationPatient (NM detector)", path)
    ps = _floats(_get(ds, "PixelSpacing", path), 2, element_name("PixelSpacing"), path)
    step = _opt_float(ds, "SpacingBetweenSlices", path, 0.0) or _opt_float(ds, "SliceThickness", path, 0.0)
    if step == 0:
        raise GeometryError(f"{path}: NM tomogram without SpacingBetweenSlices")
    normal = np.cross(iop[:3], iop[3:])
    slope, inter = _opt_float(ds, "RescaleSlope", path, 1.0) or 1.0, _opt_float(ds, "RescaleIntercept", path, 0.0)
    return [Slice(path, ipp0 + f * step * normal, iop, (ps[0], ps[1]), slope, inter, pixels.shape[1:], f,
                   pixels[f], f"{sop}#{f}", acq) for f in range(frames)]


def memory_budget_bytes() -> int:
    """Half of this machine's physical memory (what one volume may take); 8 GiB when unknown."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")) // 2
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def budget_check(nbytes: int, what: str) -> None:
    """Refuse an allocation larger than the memory budget, with a message saying how large."""
    budget = memory_budget_bytes()
    if nbytes > budget:
        raise MemoryBudgetError(f"{what}: the image would need {nbytes / 2**30:.1f} GiB, more than the "
                                f"{budget / 2**30:.1f} GiB this machine allows for one volume")


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


class NotFast(Exception):
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
    from workstation.io import dicom_walk as dw

    with open(path, "rb") as f:
        head = f.read(_HEAD_CHUNK)
        try:
            ts, raw, poff, plen = dw.walk(head, want)
            if poff is None:  # a header longer than the first chunk
                head += f.read()
                ts, raw, poff, plen = dw.walk(head, want)
        except dw.WalkError:
            raise NotFast from None
        if poff is None:
            raise NotFast

        def get(name):
            return raw.get(tags[name])

        for name, (tag, kind) in _FAST_TAGS.items():  # present but not readable: the general path names it
            raw_value = raw.get(tag)
            if raw_value is not None and (kind in ("DS", "IS") and raw_value.strip(b" \x00") and
                                          dw.as_floats(raw_value) is None or kind == "US" and len(raw_value) != 2):
                raise NotFast
        frames = dw.as_floats(get("NumberOfFrames"))
        ipp, iop = dw.as_floats(get("ImagePositionPatient")), dw.as_floats(get("ImageOrientationPatient"))
        if (dw.as_int(get("BitsAllocated")) != 16 or (dw.as_int(get("SamplesPerPixel")) or 1) != 1
                or (frames is not None and frames != [1.0]) or ipp is None or iop is None
                or len(ipp) != 3 or len(iop) != 6):
            raise NotFast
        rows, cols = dw.as_int(get("Rows")), dw.as_int(get("Columns"))
        signed = dw.as_int(get("PixelRepresentation")) == 1
        bits_stored = dw.as_int(get("BitsStored")) or 16
        if signed and bits_stored != 16 or not rows or not cols:
            raise NotFast
        slope = (dw.as_floats(get("RescaleSlope")) or [1.0])[0]
        intercept = (dw.as_floats(get("RescaleIntercept")) or [0.0])[0]
        if not (math.isfinite(slope) and math.isfinite(intercept)):
            raise NotFast  # the general path names the element
        modality = dw.as_str(get("Modality")).upper()
        count = rows * cols
        if plen < 2 * count or poff + plen > os.fstat(f.fileno()).st_size:
            raise NotFast  # short, or declared beyond the end of the file: the general path names it
        if state is None:
            integral = modality == "CT" and slope == 1.0 and intercept == round(intercept) and signed
            budget_check(n * count * (2 if integral else 4), f"{path} (series of {n} files)")
            state = _StackState(_alloc_stack((n, rows, cols), np.int16 if integral else np.float32), (rows, cols),
                                integral)
        elif (rows, cols) != state.shape:
            raise NotFast
        stored_dtype = np.dtype("<i2" if signed else "<u2")
        row = state.stack[idx]
        direct = state.integral and signed  # stored int16 is the output type: read straight into the row
        if direct and not (slope == 1.0 and intercept == round(intercept)):
            raise NotFast
        if poff + 2 * count <= len(head):
            src = np.frombuffer(head, dtype=stored_dtype, count=count, offset=poff).reshape(rows, cols)
            if direct:
                row[...] = src
        else:
            src = row if direct else np.empty((rows, cols), dtype=stored_dtype)
            f.seek(poff)
            if f.readinto(memoryview(src).cast("B")) != 2 * count:
                raise NotFast
    if state.integral:
        if not direct:
            raise NotFast
        if intercept:
            lo, hi = int(row.min()), int(row.max())
            if lo + intercept < -32768 or hi + intercept > 32767:
                raise NotFast
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
    sl = Slice(path, np.array(ipp), np.array(iop), (ps[0], ps[1]), 1.0, 0.0, (rows, cols), None, None,
                dw.as_str(get("SOPInstanceUID")), "", idx)
    return sl, head, modality, dw.as_str(get("SeriesInstanceUID")), state


def read_stack(files: list[str], progress=None, threads: int | None = None):
    """Fast path: single-frame, native little-endian 16-bit slices read straight into one array.

    Each header is walked with :mod:`dicom_walk` (only the attributes the geometry and rescale
    need); the pixel bytes go straight into their row of a preallocated stack (in file order)
    and are rescaled in place: int16 HU for CT with unit slope and integral intercept, float32
    otherwise. The first file decides the layout; the others are read by a few threads (file
    reads and array copies release the GIL). pydicom parses the first header (patient and study
    facts) and, for PET, every header (the SUV facts). Raises NotFast when any file needs the
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
            ds = pydicom.dcmread(BytesIO(head), stop_before_pixels=True, force=False)
            _convert_or_drop(ds, "")
            return ds
        except Exception:  # noqa: BLE001 - the general path reads the file again and names the problem
            raise NotFast from None

    first = header(first_head)
    is_pet = modality in ("PT", "PET", "NM")  # NM: a reconstructed SPECT has the same acquisition header
    headers = [first] + _pet_headers(first, first_head, [h for _, h, _ in results[1:]], header) if is_pet else []
    slices = [sl for sl, _, _ in results]
    series_uids = {uid for _, _, uid in results}
    return slices, state.stack, headers, first, series_uids


# ---------------------------------------------------------------------- PET headers without pydicom
def _pet_tag_sets():
    """(series tags, instance tags): the public elements ``io.pet_header`` reads, as tags."""
    from pydicom.datadict import tag_for_keyword

    from workstation.io.pet_header import SERIES_KEYWORDS

    series = {tag_for_keyword(k) for k in SERIES_KEYWORDS} | {0x00080005}  # + SpecificCharacterSet
    instance = {tag_for_keyword(k) for k in ("SOPInstanceUID", "SeriesInstanceUID", "AcquisitionDate",
                                             "AcquisitionTime", "AcquisitionDateTime", "FrameReferenceTime",
                                             "ActualFrameDuration", "DecayFactor")}
    return series, instance


def _pet_elements(head: bytes, tags: set) -> tuple[bool, dict] | None:
    """(explicit VR?, {tag: (VR bytes or None, raw value, undefined length?)}) of the wanted
    top-level elements and of every element of the private groups 0009 (GE) and 7053 (Philips);
    None when the header walker cannot read this header."""
    import struct

    from workstation.io import dicom_walk as dw

    try:
        explicit, found, _poff = dw.header_elements(head, tags, (0x0009, 0x7053))
    except (dw.WalkError, IndexError, ValueError, struct.error):
        return None
    return explicit, found


def _pet_headers(first, first_head: bytes, heads: list[bytes], parse) -> list:
    """The datasets ``io.pet_header.read_pet_acquisition`` needs for the slices after the first,
    parsing each header once (the byte walk of the fast path), never a full pydicom parse where the
    walk shows it is not needed.

    A slice whose series-level elements (those ``read_pet_acquisition`` fingerprints, the GE
    private group and the character set) are byte for byte those of the first slice gets a small
    dataset: the first slice's (already converted) elements for those, and its own per-instance
    elements (SOP instance, acquisition date/time, frame reference time and duration, decay
    factor) as raw elements, converted by pydicom when read. Philips private elements, a VR the
    dictionary does not give, or anything the walk cannot read: that slice is parsed by ``parse``
    (pydicom) as before. The facts are the same either way (tests/io/test_pet_headers_fast.py)."""
    from pydicom.datadict import dictionary_VR
    from pydicom.dataelem import RawDataElement
    from pydicom.dataset import Dataset
    from pydicom.tag import Tag

    series_tags, instance_tags = _pet_tag_sets()
    ref = _pet_elements(first_head, series_tags | instance_tags)
    ok_ref = ref is not None and not any((t >> 16) == 0x7053 for t in ref[1])
    if ok_ref:
        ref_series = {t: v[1] for t, v in ref[1].items() if t in series_tags or (t >> 16) == 0x0009}
        shared = {}
        for t in ref_series:
            try:
                shared[t] = first.get_item(t) if t in first else None
            except KeyError:
                shared[t] = None
        ok_ref = all(e is not None for e in shared.values())
    out = []
    for head in heads:
        got = _pet_elements(head, series_tags | instance_tags) if ok_ref else None
        ds = None
        if got is not None:
            explicit, elems = got
            series = {t: v[1] for t, v in elems.items() if t in series_tags or (t >> 16) == 0x0009}
            if series == ref_series and not any((t >> 16) == 0x7053 for t in elems):
                ds = Dataset()
                for t, e in shared.items():
                    ds[t] = e
                for t in instance_tags:
                    if t not in elems:
                        continue
                    vr, value, undefined = elems[t]
                    vr_text = vr.decode("ascii", "replace") if vr is not None else None
                    if undefined or (vr_text is not None and vr_text != dictionary_VR(t)):
                        ds = None
                        break
                    ds._dict[Tag(t)] = RawDataElement(Tag(t), vr_text, len(value), value, 0, not explicit, True)
        out.append(ds if ds is not None else parse(head))
    return out


def read_general(files: list[str], skipped: list[str], progress=None):
    """General path: any transfer syntax, multi-frame objects, unreadable files skipped."""
    slices: list[Slice] = []
    headers = []
    first = None
    series_uids = set()
    for n, path in enumerate(files):
        try:
            ds = _read_file(path)
            if "PixelData" not in ds and "FloatPixelData" not in ds:
                raise PixelDataError(f"{path}: {element_name('PixelData')} is absent: no image in this file "
                                     "(or the file is truncated)")
            new = _slices_from_dataset(ds, path)
        except (PixelDataError, HeaderError) as exc:
            skipped.append(str(exc))
            continue
        except DicomError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged nested element: named by file, never a traceback
            skipped.append(f"{path}: damaged header ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})")
            continue
        series_uids.add(str(ds.get("SeriesInstanceUID", "")))
        slices.extend(new)
        if first is None:
            first = ds
        if str(ds.get("Modality", "")) in ("PT", "PET", "NM"):
            if "PixelData" in ds:
                del ds.PixelData  # keep the header only
            headers.append(ds)
        if progress is not None and (n % 16 == 0 or n == len(files) - 1):
            progress.update(0.9 * (n + 1) / len(files), f"read {n + 1}/{len(files)} files")
    return slices, headers, first, series_uids
