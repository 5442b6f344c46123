"""The managed store: where instances received over the network are kept.

Layout: ``ROOT/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`` (UIDs are checked to be
digits and dots, so a hostile peer cannot choose a path). A file is written under a temporary name
in ``ROOT/.incoming``, flushed and fsynced, its header parsed, then renamed onto its final name
(atomic on one file system) and the directory fsynced; only then is it indexed in the study
database and only then does the SCP answer Success. A crash therefore leaves either a complete
file under its final name or a temporary file that is never indexed (and is removed at the next
start). A SOP Instance UID already in the store is kept once (the first copy wins).

The file store is authoritative: :meth:`ManagedStore.reconcile` indexes every final file that the
database lacks (after a crash between rename and indexing) and removes stale temporary files.
"""

from __future__ import annotations

import os
import queue
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from workstation.io.db import StudyDB
from workstation.io.scan import ScanResult, read_record

_UID_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")


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


def default_store_dir() -> Path:
    from workstation.settings import data_dir

    return data_dir() / "store"


class ManagedStore:
    def __init__(self, root: str | Path | None = None, db: StudyDB | None = None, group_commit: bool = False):
        """``group_commit``: many threads storing at once (the SCP) share one database transaction per
        batch; each caller still returns only after its own instance is indexed. Call :meth:`close`."""
        self.root = Path(root) if root is not None else default_store_dir()
        self.incoming = self.root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.db = db
        self._lock = threading.Lock()  # serialises the check-then-rename of one UID
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

    def store_bytes(self, data: bytes, index: bool = True, audit: dict | None = None) -> Stored:
        """Write one DICOM file's bytes (preamble + meta + dataset) atomically; index it; return where."""
        fd, tmp = tempfile.mkstemp(prefix="in-", suffix=".part", dir=str(self.incoming))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            return self._commit(Path(tmp), index, audit)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def store_file(self, path: str | Path, index: bool = True, audit: dict | None = None) -> Stored:
        return self.store_bytes(Path(path).read_bytes(), index, audit)

    def _commit(self, tmp: Path, index: bool, audit: dict | None = None) -> Stored:
        try:
            rec = read_record(str(tmp))
        except Exception as exc:  # noqa: BLE001 - any unreadable header is a refusal, never a crash
            raise StoreError(f"unreadable DICOM header ({type(exc).__name__})") from None
        sop = check_uid(rec.sop_instance_uid, "SOP Instance UID")
        series = check_uid(rec.series_uid, "Series Instance UID")
        study = check_uid(rec.study_uid, "Study Instance UID")
        final = self.final_path(study, series, sop)
        with self._lock:
            duplicate = final.exists()
            if duplicate:
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
        if not duplicate:
            _fsync_dir(final.parent)  # the rename itself is durable before we answer
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
