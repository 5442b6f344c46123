"""Header-only scan of a folder tree: every readable DICOM file becomes an :class:`InstanceRecord`.

Files are parsed with ``stop_before_pixels`` (pixel data is never read here) in parallel worker
processes for large trees. Files that are not DICOM, or whose header is corrupt, are skipped with a
message in ``ScanResult.skipped``; the scan goes on. Source files are opened read-only.

Only regular files are opened: a FIFO, socket or device in a scanned folder would block the reader
forever (a FIFO until a writer comes, ``/dev/zero`` never ends), so they are skipped and counted in
``ScanResult.special_files``; one named directly is a :class:`ScanInputError`. The worker processes
carry the application's PHI filter (:func:`workstation.settings.logs.setup_child_logging`).
"""

from __future__ import annotations

import os
import time
import stat
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
import multiprocessing as mp

from workstation.io import dicom_text
from workstation.io.errors import DicomError

# SOP classes that are not image volumes: indexed, never loaded as volumes
NON_IMAGE_MODALITIES = {"SR", "SEG", "RTSTRUCT", "RTPLAN", "RTDOSE", "PR", "KO", "REG", "RWV", "DOC", "OT-PDF", "PLAN"}
NON_IMAGE_SOP_PREFIXES = (
    "1.2.840.10008.5.1.4.1.1.88.",  # structured reports, KO
    "1.2.840.10008.5.1.4.1.1.66",  # raw data, registration, SEG (66.4), surface seg
    "1.2.840.10008.5.1.4.1.1.11.",  # presentation states
    "1.2.840.10008.5.1.4.1.1.481.",  # RT objects
    "1.2.840.10008.5.1.4.1.1.67",  # real world value mapping
    "1.2.840.10008.5.1.4.1.1.104.",  # encapsulated documents
)

_PARALLEL_MIN_FILES = 2000  # below this, starting worker processes costs more than it saves


@dataclass
class InstanceRecord:
    path: str
    sop_instance_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    modality: str
    patient_name: str = ""
    patient_id: str = ""
    patient_birth_date: str = ""
    patient_sex: str = ""
    study_date: str = ""
    study_time: str = ""
    study_description: str = ""
    accession_number: str = ""
    series_number: int | None = None
    series_description: str = ""
    series_date: str = ""
    series_time: str = ""
    frame_of_reference_uid: str = ""
    instance_number: int | None = None
    image_position: tuple | None = None
    image_orientation: tuple | None = None
    rows: int | None = None
    columns: int | None = None
    number_of_frames: int = 1
    transfer_syntax_uid: str = ""
    is_image: bool = True
    file_size: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ScanResult:
    instances: list[InstanceRecord] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    files_seen: int = 0
    special_files: int = 0  # FIFOs, sockets, devices met in the folders: never opened


class ScanInputError(DicomError):
    """A path given to the scan is neither a regular file nor a folder (a FIFO, socket or device)."""


def file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def is_image_object(modality: str, sop_class_uid: str) -> bool:
    if modality in NON_IMAGE_MODALITIES:
        return False
    return not any(sop_class_uid.startswith(p) for p in NON_IMAGE_SOP_PREFIXES)


def _floats(value, n) -> tuple | None:
    try:
        vals = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return vals if len(vals) == n else None


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# the elements a record needs, read by the header walker on the fast road: keyword -> (tag, kind)
_RECORD_TAGS = {
    "SOPClassUID": (0x00080016, "UI"), "SOPInstanceUID": (0x00080018, "UI"), "StudyInstanceUID": (0x0020000D, "UI"),
    "SeriesInstanceUID": (0x0020000E, "UI"), "Modality": (0x00080060, "CS"), "PatientName": (0x00100010, "PN"),
    "PatientID": (0x00100020, "LO"), "PatientBirthDate": (0x00100030, "DA"), "PatientSex": (0x00100040, "CS"),
    "StudyDate": (0x00080020, "DA"), "StudyTime": (0x00080030, "TM"), "StudyDescription": (0x00081030, "LO"),
    "AccessionNumber": (0x00080050, "SH"), "SeriesNumber": (0x00200011, "IS"), "SeriesDescription": (0x0008103E, "LO"),
    "SeriesDate": (0x00080021, "DA"), "SeriesTime": (0x00080031, "TM"), "FrameOfReferenceUID": (0x00200052, "UI"),
    "InstanceNumber": (0x00200013, "IS"), "ImagePositionPatient": (0x00200032, "DS"),
    "ImageOrientationPatient": (0x00200037, "DS"), "Rows": (0x00280010, "US"), "Columns": (0x00280011, "US"),
    "NumberOfFrames": (0x00280008, "IS"), "BitsAllocated": (0x00280100, "US"), "PixelSpacing": (0x00280030, "DS"),
    "SpecificCharacterSet": (0x00080005, "CS"),
}
_RECORD_WANT = frozenset(tag for tag, _ in _RECORD_TAGS.values())
_HEAD_BYTES = 1 << 14


class _NotFast(Exception):
    """The header needs pydicom (see ``_fast_record``)."""


def _fast_record(path: str) -> InstanceRecord:
    """The record of a plain single-frame image file from its header bytes alone (``dicom_walk``:
    little-endian, preamble, every element before the pixel data within the file, ASCII text, the
    geometry at the top level). Raises ``_NotFast`` for anything else: pydicom then reads it, so the
    records are the same either way (tests/io/test_scan_fast.py compares the two roads)."""
    from workstation.io import dicom_walk as dw

    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
        size = os.fstat(f.fileno()).st_size
        try:
            ts, raw, poff, _plen = dw.walk(head, _RECORD_WANT)
            if poff is None and len(head) == _HEAD_BYTES:  # a long header: the rest of the file
                head += f.read()
                ts, raw, poff, _plen = dw.walk(head, _RECORD_WANT)
        except dw.WalkError:
            raise _NotFast from None
    if poff is None:
        raise _NotFast  # no pixel data (not an image), or an element runs past the end: pydicom names it
    text, numbers = {}, {}
    utf8 = raw.get(0x00080005, b"").strip(b" \x00") == b"ISO_IR 192"  # one declared set, UTF-8: no code extensions
    for name, (tag, kind) in _RECORD_TAGS.items():
        value = raw.get(tag)
        if value is None:
            continue
        if kind == "US":
            if len(value) != 2:
                raise _NotFast
            numbers[name] = dw.as_int(value)
            continue
        if any(b == 0x1B or (b < 0x20 and b != 0x00) for b in value):
            raise _NotFast  # escapes or control bytes: pydicom's decoding
        if any(b > 0x7F for b in value):
            if not (utf8 and kind in ("PN", "LO", "SH")):
                raise _NotFast  # another character set: pydicom's decoding (dicom_text)
            try:
                t = value.decode("utf-8").strip(" \x00")
            except UnicodeDecodeError:
                raise _NotFast from None
        else:
            t = value.decode("ascii").strip(" \x00")
        if kind == "IS":
            if not t:
                continue
            if not t.lstrip("+-").isdigit():
                raise _NotFast
            numbers[name] = int(t)
        elif kind == "DS":
            vals = dw.as_floats(value)
            if vals is None and t:
                raise _NotFast
            numbers[name] = vals
        else:
            text[name] = t
    ipp, iop = numbers.get("ImagePositionPatient"), numbers.get("ImageOrientationPatient")
    if ipp is None or iop is None or len(ipp) != 3 or len(iop) != 6 or numbers.get("NumberOfFrames", 1) != 1:
        raise _NotFast  # enhanced multi-frame objects keep their geometry in functional groups
    sop_class, sop_uid = text.get("SOPClassUID", ""), text.get("SOPInstanceUID", "")
    series_uid, study_uid = text.get("SeriesInstanceUID", ""), text.get("StudyInstanceUID", "")
    if not (sop_class and sop_uid and series_uid and study_uid):
        raise _NotFast  # pydicom looks in the file meta, or names what is missing
    modality = text.get("Modality", "").upper()
    name = text.get("PatientName", "").rstrip("=^ ")
    phi = [v for v in (name, text.get("PatientID", ""), text.get("PatientBirthDate", ""),
                       text.get("AccessionNumber", "")) if v]
    if phi:  # as dicom_text does for every identifying value it decodes
        from workstation.settings.logs import register_phi

        register_phi(*phi)
    return InstanceRecord(
        path=str(path), sop_instance_uid=sop_uid, sop_class_uid=sop_class, study_uid=study_uid,
        series_uid=series_uid, modality=modality, patient_name=name,
        patient_id=text.get("PatientID", ""), patient_birth_date=text.get("PatientBirthDate", ""),
        patient_sex=text.get("PatientSex", ""), study_date=text.get("StudyDate", ""),
        study_time=text.get("StudyTime", ""), study_description=text.get("StudyDescription", ""),
        accession_number=text.get("AccessionNumber", ""), series_number=numbers.get("SeriesNumber"),
        series_description=text.get("SeriesDescription", ""), series_date=text.get("SeriesDate", ""),
        series_time=text.get("SeriesTime", ""), frame_of_reference_uid=text.get("FrameOfReferenceUID", ""),
        instance_number=numbers.get("InstanceNumber"), image_position=tuple(ipp), image_orientation=tuple(iop),
        rows=numbers.get("Rows"), columns=numbers.get("Columns"), number_of_frames=numbers.get("NumberOfFrames", 1),
        transfer_syntax_uid=ts, is_image=is_image_object(modality, sop_class), file_size=size,
    )


def read_record(path: str) -> InstanceRecord:
    """Parse one file's header into a record. Raises on non-DICOM or corrupt headers.

    A plain single-frame image is read from its header bytes alone (``_fast_record``); anything
    else through pydicom (``_read_record_pydicom``)."""
    try:
        return _fast_record(path)
    except _NotFast:
        return _read_record_pydicom(path)
    except OSError:
        return _read_record_pydicom(path)  # unreadable: pydicom's error names it


def _read_record_pydicom(path: str) -> InstanceRecord:
    from workstation.io.dicom_file import read_dataset

    ds = read_dataset(path, stop_before_pixels=True)
    meta = getattr(ds, "file_meta", None)
    sop_class = str(ds.get("SOPClassUID", "") or (meta.get("MediaStorageSOPClassUID", "") if meta else ""))
    sop_uid = str(ds.get("SOPInstanceUID", "") or (meta.get("MediaStorageSOPInstanceUID", "") if meta else ""))
    series_uid = str(ds.get("SeriesInstanceUID", ""))
    study_uid = str(ds.get("StudyInstanceUID", ""))
    if not (sop_uid and series_uid and study_uid):
        raise ValueError("missing SOPInstanceUID, SeriesInstanceUID or StudyInstanceUID")
    modality = str(ds.get("Modality", "") or "").upper()
    ipp = _floats(ds.get("ImagePositionPatient", None), 3)
    iop = _floats(ds.get("ImageOrientationPatient", None), 6)
    if ipp is None or iop is None:  # enhanced multi-frame: shared/per-frame functional groups
        try:
            shared = ds.SharedFunctionalGroupsSequence[0]
            iop = iop or _floats(shared.PlaneOrientationSequence[0].ImageOrientationPatient, 6)
        except (AttributeError, IndexError, KeyError):
            pass
        try:
            first = ds.PerFrameFunctionalGroupsSequence[0]
            ipp = ipp or _floats(first.PlanePositionSequence[0].ImagePositionPatient, 3)
        except (AttributeError, IndexError, KeyError):
            pass
    return InstanceRecord(
        path=str(path),
        sop_instance_uid=sop_uid,
        sop_class_uid=sop_class,
        study_uid=study_uid,
        series_uid=series_uid,
        modality=modality,
        patient_name=dicom_text.person_name(ds),
        patient_id=dicom_text.text(ds, "PatientID"),
        patient_birth_date=dicom_text.text(ds, "PatientBirthDate"),
        patient_sex=dicom_text.text(ds, "PatientSex"),
        study_date=dicom_text.text(ds, "StudyDate"),
        study_time=dicom_text.text(ds, "StudyTime"),
        study_description=dicom_text.text(ds, "StudyDescription"),
        accession_number=dicom_text.text(ds, "AccessionNumber"),
        series_number=_int_or_none(ds.get("SeriesNumber", None)),
        series_description=dicom_text.text(ds, "SeriesDescription"),
        series_date=dicom_text.text(ds, "SeriesDate"),
        series_time=dicom_text.text(ds, "SeriesTime"),
        frame_of_reference_uid=str(ds.get("FrameOfReferenceUID", "") or ""),
        instance_number=_int_or_none(ds.get("InstanceNumber", None)),
        image_position=ipp,
        image_orientation=iop,
        rows=_int_or_none(ds.get("Rows", None)),
        columns=_int_or_none(ds.get("Columns", None)),
        number_of_frames=_int_or_none(ds.get("NumberOfFrames", None)) or 1,
        transfer_syntax_uid=str(meta.get("TransferSyntaxUID", "")) if meta else "",
        is_image=is_image_object(modality, sop_class) and any(
            k in ds for k in ("Rows", "Columns", "BitsAllocated", "PixelSpacing", "ImagePositionPatient",
                              "PerFrameFunctionalGroupsSequence")),
        file_size=os.path.getsize(path),
    )


def _test_hooks() -> tuple[float, int]:
    """Test hooks, off unless set: ``WORKSTATION_TEST_SCAN_DELAY_S`` (seconds before each file, at most 1) keeps
    the workers mid-chunk; ``WORKSTATION_TEST_KILL_IMPORT_AFTER`` (N) makes a parallel worker SIGKILL the
    import after its N-th file, so that a test kills the import mid-batch, deterministically."""
    try:
        delay = min(1.0, max(0.0, float(os.environ.get("WORKSTATION_TEST_SCAN_DELAY_S", "0") or 0)))
    except ValueError:
        delay = 0.0
    try:
        kill_after = max(0, int(os.environ.get("WORKSTATION_TEST_KILL_IMPORT_AFTER", "0") or 0))
    except ValueError:
        kill_after = 0
    return delay, kill_after


def _scan_chunk(paths: list[str], parent_pid: int | None = None) -> tuple[list[InstanceRecord], list[tuple[str, str]]]:
    records, skipped = [], []
    delay, kill_after = _test_hooks()
    for n, p in enumerate(paths):
        if delay:
            time.sleep(delay)
        if kill_after and parent_pid and n == kill_after and os.getppid() == parent_pid:
            import signal

            os.kill(parent_pid, signal.SIGKILL)
        try:
            records.append(read_record(p))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is skipped with its reason
            skipped.append((p, _reason(exc, p)))
    return records, skipped


def _reason(exc: BaseException, path: str = "") -> str:
    from workstation.io.errors import HeaderError

    name = type(exc).__name__
    if isinstance(exc, HeaderError):  # our typed message already names the element: shown whole
        msg = str(exc)
        return msg[len(path) + 2:] if path and msg.startswith(f"{path}: ") else msg
    if name in ("InvalidDicomError", "NotDicomError"):
        return "not a DICOM file"
    msg = str(exc).splitlines()[0] if str(exc) else ""
    return f"unreadable DICOM header ({name}{': ' + msg[:120] if msg else ''})"


def iter_files(paths) -> list[str]:
    """All regular files below the given files/folders (hidden files and DICOMDIR skipped)."""
    return collect_files(paths)[0]


def collect_files(paths) -> tuple[list[str], int]:
    """(regular files below the given files/folders, number of special files skipped there).

    Hidden files and DICOMDIR are left out; FIFOs, sockets and devices are counted, never opened;
    a path given directly that is one of them is a :class:`ScanInputError`.
    """
    out: list[str] = []
    special = 0
    for p in paths:
        p = Path(p)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            raise FileNotFoundError(f"{p}: no such file or folder") from None
        if stat.S_ISREG(st.st_mode):
            out.append(str(p))
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise ScanInputError(f"{p}: is {file_kind(st.st_mode)}, not a file or folder; nothing to read there")
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if f.startswith(".") or f.upper() == "DICOMDIR":
                    continue
                full = os.path.join(root, f)
                try:
                    mode = os.stat(full).st_mode
                except OSError:  # a dangling link, a file gone meanwhile: the reader says why
                    out.append(full)
                    continue
                if stat.S_ISREG(mode):
                    out.append(full)
                elif not stat.S_ISDIR(mode):
                    special += 1
    return out, special


def _worker_init(parent_pid: int) -> None:
    """Each worker process gets the same PHI filter as the main process (no raw pydicom warning on
    stderr), and ends with its parent: an import killed with SIGKILL leaves no orphaned worker."""
    import sys

    from workstation.settings.logs import setup_child_logging

    setup_child_logging()
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() != parent_pid:  # the parent died before the line above
            os._exit(1)


class _PoolUnavailable(Exception):
    """Worker processes could not be started."""


def _scan_parallel(chunks, workers, result: ScanResult, total: int, progress) -> int:
    ctx = mp.get_context("spawn")
    done = 0
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                   initargs=(os.getpid(),))
    except (OSError, RuntimeError, ValueError) as exc:
        raise _PoolUnavailable(str(exc)) from exc
    with pool:
        try:
            futures = [pool.submit(_scan_chunk, c, os.getpid()) for c in chunks]
        except (OSError, RuntimeError) as exc:
            raise _PoolUnavailable(str(exc)) from exc
        try:
            for fut, c in zip(futures, chunks):
                try:
                    recs, skipped = fut.result()
                except BrokenProcessPool as exc:
                    raise _PoolUnavailable(str(exc)) from exc
                result.instances.extend(recs)
                result.skipped.extend(skipped)
                done += len(c)
                if progress is not None:
                    progress.update(done / total, f"read {done}/{total} headers")
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return done


def scan_paths(paths, progress=None, workers: int | None = None) -> ScanResult:
    """Scan files/folders header-only. ``progress`` is a :class:`workstation.tasks.Progress` or None."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files, special = collect_files(paths)
    result = ScanResult(files_seen=len(files), special_files=special)
    if not files:
        return result
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    chunk = max(50, len(files) // (workers * 8) or 1)
    chunks = [files[i:i + chunk] for i in range(0, len(files), chunk)]
    done = 0
    if workers > 1 and len(files) >= _PARALLEL_MIN_FILES:
        try:
            done = _scan_parallel(chunks, workers, result, len(files), progress)
        except _PoolUnavailable:
            # e.g. a script without an ``if __name__ == "__main__"`` guard, or a frozen build without
            # freeze_support: worker processes cannot start, so read the headers here instead
            done = 0
            result.instances.clear()
            result.skipped.clear()
    if done < len(files):
        for c in chunks:
            recs, skipped = _scan_chunk(c)
            result.instances.extend(recs)
            result.skipped.extend(skipped)
            done += len(c)
            if progress is not None:
                progress.update(done / len(files), f"read {done}/{len(files)} headers")
    _log_skipped(result)
    return result


def _log_skipped(result: ScanResult, limit: int = 200) -> None:
    """Log the skipped files (for support). Names read by worker processes are registered here
    first, so that the log's PHI filter masks folders named after these patients."""
    import logging

    from workstation.settings.logs import register_phi

    if not result.skipped:
        return
    seen: set[tuple[str, str, str]] = set()
    for r in result.instances:
        key = (r.patient_name, r.patient_id, r.patient_birth_date)
        if key not in seen:
            seen.add(key)
            register_phi(*key)
    log = logging.getLogger("workstation.io.scan")
    for path, why in result.skipped[:limit]:
        log.info("skipped %s: %s", path, why)
    if len(result.skipped) > limit:
        log.info("... and %d more skipped files", len(result.skipped) - limit)
