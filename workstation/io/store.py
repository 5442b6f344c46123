"""The managed store: the DICOM files the workstation owns (received over the network, copied from
CDs/DVDs and other media). One module for both ways in, so that there is one layout and one way to
write a file.

Layout: ``ROOT/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`` under the user data folder.
Every file is written under a temporary name, flushed and fsynced, then renamed onto its final name
(atomic on one file system) and the directory fsynced; only then is it indexed. A crash therefore
leaves either a complete file under its final name or a temporary file that is never indexed.

* :class:`ManagedStore` (the DICOM node): UIDs are checked to be digits and dots, so a hostile peer
  cannot choose a path; a SOP Instance UID already in the store is kept once (the first copy wins);
  the SCP answers Success only after the file is indexed. :meth:`ManagedStore.reconcile` indexes
  every final file that the database lacks and removes stale temporary files (the file store is
  authoritative).
* :func:`copy_into_store` (DICOMDIR import): sources are only read; a file already in the store with
  the same content is not copied again, and one with the same UID but other content is kept beside
  it under a suffix (``<SOP>.1.dcm``), so that every file stays reachable.
"""

from __future__ import annotations

import filecmp
import os
import queue
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from workstation.io.db import StudyDB
from workstation.io.scan import ScanResult, read_record

_UID_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
_SAFE = re.compile(r"[^0-9A-Za-z.\-]")


class StoreError(ValueError):
    """An incoming dataset cannot be stored (missing or malformed UIDs, unreadable header)."""


def check_uid(uid: str, what: str) -> str:
    uid = (uid or "").strip().rstrip("\x00")
    if not uid or len(uid) > 64 or not _UID_RE.match(uid):
        raise StoreError(f"{what} is missing or not a valid UID")
    return uid


@dataclass
class Stored:
    path: str
    sop_instance_uid: str
    series_uid: str
    study_uid: str
    duplicate: bool


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_store_dir(create: bool = True) -> Path:
    from workstation.settings.paths import data_dir

    path = data_dir() / "store"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


class ManagedStore:
    def __init__(self, root: str | Path | None = None, db: StudyDB | None = None, group_commit: bool = False):
        """``group_commit``: many threads storing at once (the SCP) share one database transaction per
        batch; each caller still returns only after its own instance is indexed. Call :meth:`close`."""
        self.root = Path(root) if root is not None else default_store_dir()
        self.incoming = self.root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.db = db
        self._lock = threading.Lock()  # serialises the check-then-rename of one UID
        self._durable_dirs: set[Path] = set()  # series directories whose own entries are known fsynced
        self._queue: queue.Queue | None = None
        self._indexer: threading.Thread | None = None
        if group_commit and db is not None:
            self._queue = queue.Queue()
            self._indexer = threading.Thread(target=self._index_loop, name="store-indexer", daemon=True)
            self._indexer.start()

    def close(self) -> None:
        if self._indexer is not None:
            self._queue.put(None)
            self._indexer.join(30)
            self._indexer = None

    def _index_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < 256:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            try:
                self.db.add_records(ScanResult(instances=[b[0] for b in batch], files_seen=len(batch)),
                                    audit=[e for b in batch for e in b[1]])
                error = None
            except Exception as exc:  # noqa: BLE001 - handed to each waiting caller
                error = exc
            for b in batch:
                b[2]["error"] = error
                b[3].set()

    def _index(self, rec, entries) -> None:
        if self._indexer is None:
            self.db.add_records(ScanResult(instances=[rec], files_seen=1), audit=entries)
            return
        done, box = threading.Event(), {}
        self._queue.put((rec, entries, box, done))
        if not done.wait(120):
            raise OSError("the index did not answer within 120 s")
        if box["error"] is not None:
            raise OSError(f"indexing failed: {box['error']}")

    def final_path(self, study_uid: str, series_uid: str, sop_uid: str) -> Path:
        return self.root / study_uid / series_uid / f"{sop_uid}.dcm"

    def store_bytes(self, data: bytes, index: bool = True, audit: dict | None = None,
                    expect: dict | None = None) -> Stored:
        """Write one DICOM file's bytes (preamble + meta + dataset) atomically; index it; return where.

        ``expect`` ({"study_uid": ..., "series_uid": ...}, None values ignored): a retrieve's request; an
        instance of another study or series is refused (:class:`StoreError`), never stored."""
        fd, tmp = tempfile.mkstemp(prefix="in-", suffix=".part", dir=str(self.incoming))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            return self._commit(Path(tmp), index, audit, expect)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def store_file(self, path: str | Path, index: bool = True, audit: dict | None = None) -> Stored:
        """Like :meth:`store_bytes` for a file, copied in 1 MiB pieces: never held whole in memory."""
        import shutil

        fd, tmp = tempfile.mkstemp(prefix="in-", suffix=".part", dir=str(self.incoming))
        try:
            with os.fdopen(fd, "wb") as fh, open(path, "rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)
                fh.flush()
                os.fsync(fh.fileno())
            return self._commit(Path(tmp), index, audit)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def adopt_file(self, path: str | Path, index: bool = True, audit: dict | None = None) -> Stored:
        """Like :meth:`store_file` for a temporary file that is ours to take (the SCP's received
        dataset): fsynced and renamed into place instead of copied, when it is on the store's file
        system; copied otherwise. When it is kept (a duplicate, or an error), the caller removes it."""
        path = Path(path)
        try:
            same_fs = path.stat().st_dev == self._incoming_dev()
        except OSError:
            same_fs = False
        if not same_fs:
            return self.store_file(path, index=index, audit=audit)
        fd = os.open(str(path), os.O_RDONLY)
        try:
            os.fsync(fd)  # the data written through the writer's descriptor: durable before the rename
        finally:
            os.close(fd)
        return self._commit(path, index, audit, keep_duplicate=True)

    def _incoming_dev(self) -> int:
        dev = getattr(self, "_dev", None)
        if dev is None:
            dev = self._dev = self.incoming.stat().st_dev
        return dev

    def _commit(self, tmp: Path, index: bool, audit: dict | None = None, expect: dict | None = None,
                keep_duplicate: bool = False) -> Stored:
        try:
            rec = read_record(str(tmp))
        except Exception as exc:  # noqa: BLE001 - any unreadable header is a refusal, never a crash
            raise StoreError(f"unreadable DICOM header ({type(exc).__name__})") from None
        for key, what in (("study_uid", "study"), ("series_uid", "series")):
            want = (expect or {}).get(key)
            if want and getattr(rec, key) != want:
                raise StoreError(f"the instance belongs to another {what} than the one requested; refused")
        sop = check_uid(rec.sop_instance_uid, "SOP Instance UID")
        series = check_uid(rec.series_uid, "Series Instance UID")
        study = check_uid(rec.study_uid, "Study Instance UID")
        final = self.final_path(study, series, sop)
        with self._lock:
            duplicate = final.exists()
            if duplicate:
                if not keep_duplicate:
                    tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
        if not duplicate:
            # the rename itself durable before the instance is indexed, so before we answer (done here,
            # in the caller's thread: the file system groups the fsyncs of many threads into one journal
            # commit, where one indexer thread fsyncing a batch's directories would wait for each)
            _fsync_dir(final.parent)
            if final.parent not in self._durable_dirs:  # a new series or study: its directory entries too
                _fsync_dir(final.parent.parent)
                _fsync_dir(self.root)
                self._durable_dirs.add(final.parent)
        entries = []
        if audit is not None:
            entries = [{**audit, "study_uid": study, "series_uid": series, "sop_instance_uid": sop,
                        "detail": "duplicate, kept the first copy" if duplicate else audit.get("detail", "")}]
        if index and self.db is not None:
            if duplicate:
                self.db.audit_many(entries)
            else:
                rec.path = str(final)
                self._index(rec, entries)
        return Stored(str(final), sop, series, study, duplicate)

    def reconcile(self) -> tuple[int, int]:
        """Remove stale temporary files; index final files the database lacks. Returns (removed, indexed)."""
        removed = 0
        for p in self.incoming.glob("*.part"):
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
        if self.db is None:
            return removed, 0
        known = self.db.indexed_paths()
        missing = [str(p) for p in self.root.glob("*/*/*.dcm") if str(p) not in known]
        recs, indexed = [], 0
        for p in missing:
            try:
                recs.append(read_record(p))
            except Exception:  # noqa: BLE001 - a damaged final file stays unindexed (it is never half-written)
                continue
        if recs:
            self.db.add_records(ScanResult(instances=recs, files_seen=len(recs)))
            indexed = len(recs)
        return removed, indexed


def _name(uid: str) -> str:
    return _SAFE.sub("_", uid)[:128] or "unknown"


def copy_into_store(records, store: Path | None = None, progress=None) -> dict[str, str]:
    """Copy the files of the scan ``records`` (from a medium) into the store; returns {source: stored path}."""
    store = Path(store) if store is not None else default_store_dir()
    out: dict[str, str] = {}
    n = len(records)
    for i, r in enumerate(records):
        folder = store / _name(r.study_uid) / _name(r.series_uid)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{_name(r.sop_instance_uid)}.dcm"
        if target.exists() and filecmp.cmp(r.path, target, shallow=False):
            out[r.path] = str(target)
            continue
        if target.exists():  # the same UID with other content: keep both, the newcomer under a suffix
            k = 1
            while (folder / f"{_name(r.sop_instance_uid)}.{k}.dcm").exists():
                k += 1
            target = folder / f"{_name(r.sop_instance_uid)}.{k}.dcm"
        tmp = folder / f".{target.name}.part"
        with open(r.path, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
        _fsync_dir(folder)
        out[r.path] = str(target)
        if progress is not None and (i % 16 == 0 or i == n - 1):
            progress.update((i + 1) / n, f"copied {i + 1}/{n} files")
    return out


def import_dicomdir(db: StudyDB, dicomdir, progress=None, store=None):
    """Import the instances a DICOMDIR references into ``db``, copied into the managed store (the medium is only
    read); returns the ``ImportSummary``."""
    import dataclasses
    import os

    from workstation.io.dicomdir import referenced_files
    from workstation.io.scan import scan_paths

    files, missing = referenced_files(dicomdir)
    scan = scan_paths(files, progress=progress.sub(0.0, 0.4) if progress is not None else None, workers=1)
    copies = copy_into_store(scan.instances, store,
                             progress=progress.sub(0.4, 0.9) if progress is not None else None)
    scan.instances = [dataclasses.replace(r, path=copies[r.path], file_size=os.path.getsize(copies[r.path]))
                      for r in scan.instances]
    scan.skipped = list(scan.skipped) + [(str(dicomdir) + ": " + fid, why) for fid, why in missing]
    summary = db.add_records(scan)
    summary.copied = len(set(copies.values()))
    if progress is not None:
        progress.update(1.0, summary.text())
    return summary
