"""The study database: an embedded SQLite index of patient → study → series → instance.

Only headers are indexed (file paths plus the tags needed to list, group and load series); pixel
data stays in the source files, which are never written. Importing the same files again updates
the rows in place (keys are the DICOM UIDs), so re-importing is idempotent.

The database also keeps what the reader decided about a study that is not in the files: the rigid
registration of a moving series (PET) onto a fixed one (CT/MR), as a 4x4 ``moving_from_fixed``
matrix (maps a world point of the fixed frame to the moving frame, LPS mm), with the metric, the
method and the time (table ``registrations``, schema version 2; a version-1 file gains the table
when it is opened). Every registration stored is also kept as a numbered version of its pair
(table ``registration_history``, created when missing): ``undo_registration`` goes back to the
previous version (or to none, which means the scanner's own alignment), ``reset_registration``
stores the identity as a new version, so a reset can be undone too.

The audit trail (table ``audit``, schema version 3) records who sent or received what over the
network, by UID only (never a patient name or ID): time, event (``store-received``, ``store-sent``,
``retrieve``, ``find``, ``rejected``, ...), the peer's AE title and address, the study/series/SOP
instance UIDs, the DIMSE status and a short detail.

Physicist QA results (NEMA IQ, uniform cylinder) are kept in table ``qa_results`` with the
scanner's identity (manufacturer, model, station name, device serial number: no patient data) and
the acquisition date, so that a scanner's results can be followed over time (:meth:`StudyDB.qa_trend`).
The table is additive: files without it gain it when opened.

UID conflicts are detected at import and kept in table ``conflicts`` (schema version 4), never
resolved silently: a SOP Instance UID found in two different files keeps the first file as the
instance and lists the other file (so every file stays reachable); a Study UID found under two
different patients keeps the study under the first patient and lists the files that name the
other one (by patient key, no identity in the detail). Opening a study for reading is audited too
(event ``study-opened``: the operating-system user, the Study and Series UIDs).

This module holds the schema, the import and the queries; the registration versions, the audit trail
and the QA log are mixins of :class:`StudyDB` in ``io.db_registrations``, ``io.db_audit`` and
``io.db_qa`` (their names are re-exported here).
The query model of the node's C-FIND/C-GET/C-MOVE (``io.db_query``) and the reading worklist with its
signed report versions (``io.db_worklist``, tables ``worklist`` and ``report_versions``, created when
missing) are mixins too.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from workstation.io.db_audit import AUDIT_INSERT, AuditTrail, audit_rows
from workstation.io.db_qa import QaLog, QaRow, qa_scanner_key  # noqa: F401  (re-exported)
from workstation.io.db_query import QueryIndex
from workstation.io.db_worklist import WorklistStore
from workstation.io.db_registrations import (  # noqa: F401  (re-exported)
    METHOD_SCANNER, RegistrationError, RegistrationRow, RegistrationStore,
)
from workstation.io.scan import ScanResult, scan_paths

SCHEMA_VERSION = 4  # 1: index of patients/studies/series/instances; 2: + registrations; 3: + audit; 4: + conflicts
# (+ followup_edits: an additive table created on open, like every table here; no version of its own)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS patients (
    patient_key INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL, name TEXT NOT NULL, birth_date TEXT NOT NULL, sex TEXT,
    UNIQUE (patient_id, name, birth_date));
CREATE TABLE IF NOT EXISTS studies (
    study_uid TEXT PRIMARY KEY, patient_key INTEGER NOT NULL REFERENCES patients(patient_key),
    study_date TEXT, study_time TEXT, description TEXT, accession_number TEXT);
CREATE TABLE IF NOT EXISTS series (
    series_uid TEXT PRIMARY KEY, study_uid TEXT NOT NULL REFERENCES studies(study_uid),
    modality TEXT, series_number INTEGER, description TEXT, series_date TEXT, series_time TEXT,
    frame_of_reference_uid TEXT, is_image INTEGER);
CREATE TABLE IF NOT EXISTS instances (
    sop_instance_uid TEXT PRIMARY KEY, series_uid TEXT NOT NULL REFERENCES series(series_uid),
    path TEXT NOT NULL, sop_class_uid TEXT, instance_number INTEGER, image_position TEXT,
    image_orientation TEXT, rows INTEGER, columns INTEGER, number_of_frames INTEGER,
    transfer_syntax_uid TEXT, file_size INTEGER);
CREATE INDEX IF NOT EXISTS idx_instances_series ON instances(series_uid);
CREATE INDEX IF NOT EXISTS idx_series_study ON series(study_uid);
CREATE INDEX IF NOT EXISTS idx_studies_patient ON studies(patient_key);
CREATE TABLE IF NOT EXISTS registrations (
    moving_series_uid TEXT NOT NULL, fixed_series_uid TEXT NOT NULL,
    matrix TEXT NOT NULL, metric REAL, method TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (moving_series_uid, fixed_series_uid));
CREATE TABLE IF NOT EXISTS registration_history (
    moving_series_uid TEXT NOT NULL, fixed_series_uid TEXT NOT NULL, version INTEGER NOT NULL,
    matrix TEXT NOT NULL, metric REAL, method TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (moving_series_uid, fixed_series_uid, version));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, event TEXT NOT NULL,
    peer_ae TEXT, peer_host TEXT, study_uid TEXT, series_uid TEXT, sop_instance_uid TEXT,
    status INTEGER, detail TEXT);
CREATE INDEX IF NOT EXISTS idx_audit_sop ON audit(sop_instance_uid);
CREATE TABLE IF NOT EXISTS qa_results (
    qa_id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, scanner TEXT NOT NULL,
    manufacturer TEXT, model TEXT, station_name TEXT, device_serial TEXT,
    acquired TEXT, created TEXT NOT NULL, series_uid TEXT, passed INTEGER, summary TEXT NOT NULL,
    result TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_qa_scanner ON qa_results(scanner, kind, acquired);
CREATE TABLE IF NOT EXISTS conflicts (
    kind TEXT NOT NULL, uid TEXT NOT NULL, path TEXT NOT NULL, other_path TEXT, patient_key INTEGER,
    detail TEXT NOT NULL, found TEXT NOT NULL, PRIMARY KEY (kind, uid, path));
CREATE TABLE IF NOT EXISTS followup_edits (
    baseline_series_uid TEXT NOT NULL, followup_series_uid TEXT NOT NULL, edits TEXT NOT NULL,
    updated TEXT NOT NULL, PRIMARY KEY (baseline_series_uid, followup_series_uid));
"""

SOP_CONFLICT = "sop_instance_uid"  # one SOP Instance UID, two different files
STUDY_CONFLICT = "study_uid_patient"  # one Study UID, two different patients
SERIES_CONFLICT = "series_uid_study"  # one Series UID, two different studies

_UID_CHARS = re.compile(r"[0-9]+(\.[0-9]+)*")


def uid_problem(uid: str) -> str | None:
    """Why ``uid`` is not a UID (None when it is one): at most 64 characters, digits and dots only."""
    if not uid:
        return "is empty"
    if len(uid) > 64:
        return f"is {len(uid)} characters long (at most 64)"
    if not _UID_CHARS.fullmatch(uid):
        return "has characters other than digits and dots"
    return None

#: method name of a stored identity: the scanner's own alignment (a reset)


@dataclass(frozen=True)
class PatientRow:
    patient_key: int
    patient_id: str
    name: str
    birth_date: str
    sex: str

    def __repr__(self):
        return f"PatientRow(key={self.patient_key}, <identity hidden>)"


@dataclass(frozen=True)
class StudyRow:
    study_uid: str
    patient_key: int
    patient_name: str
    patient_id: str
    patient_birth_date: str
    study_date: str
    study_time: str
    description: str
    accession_number: str
    modalities: tuple[str, ...]
    n_series: int

    def __repr__(self):
        return f"StudyRow({self.study_uid}, {self.study_date}, {'/'.join(self.modalities)})"


@dataclass(frozen=True)
class SeriesRow:
    series_uid: str
    study_uid: str
    modality: str
    series_number: int | None
    description: str
    series_date: str
    series_time: str
    frame_of_reference_uid: str
    is_image: bool
    n_instances: int


@dataclass(frozen=True)
class ConflictRow:
    """A UID conflict found at import (see the module docstring); ``path`` is the file not used for the UID."""

    kind: str
    uid: str
    path: str
    other_path: str
    patient_key: int | None
    detail: str
    found: str

    def text(self) -> str:
        what = {SOP_CONFLICT: "SOP Instance UID", SERIES_CONFLICT: "Series UID"}.get(self.kind, "Study UID")
        return f"{what} {self.uid}: {self.detail}"


def _same_content(a: str, b: str) -> bool:
    import filecmp
    import os

    try:
        return os.path.getsize(a) == os.path.getsize(b) and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


@dataclass
class ImportSummary:
    files_seen: int = 0
    instances: int = 0
    new_instances: int = 0
    patients: int = 0
    studies: int = 0
    series: int = 0
    skipped: list[tuple[str, str]] | None = None
    series_uids: list[str] | None = None  # the series the import touched
    conflicts: list[ConflictRow] | None = None  # UID conflicts found by this import
    copied: int = 0  # files copied into the managed store (DICOMDIR media)
    special_files: int = 0  # FIFOs, sockets, devices in the folders: skipped, never opened

    def text(self) -> str:
        s = (f"{self.files_seen} files: {self.instances} DICOM instances ({self.new_instances} new) in "
             f"{self.series} series, {self.studies} studies, {self.patients} patients")
        if self.skipped:
            s += f"; {len(self.skipped)} files skipped"
        if self.special_files:
            s += f"; {self.special_files} special file(s) (FIFO, socket, device) skipped"
        if self.conflicts:
            s += f"; {len(self.conflicts)} UID conflict(s)"
        if self.copied:
            s += f"; {self.copied} files copied into the store"
        return s


def default_db_path() -> Path:
    from workstation.settings.paths import data_dir

    return data_dir() / "studies.sqlite"


class StudyDBError(RuntimeError):
    """The study database file cannot be used (a folder, not a database, unwritable); one line."""


def disk_full_hint(path) -> str:
    """'; no space left on device' when the file system holding ``path`` is full (SQLite then often says only
    'disk I/O error'), else empty."""
    import shutil

    try:
        return "; no space left on device" if shutil.disk_usage(Path(path).parent).free < 64 * 1024 else ""
    except OSError:
        return ""


class StudyDB(RegistrationStore, AuditTrail, QaLog, QueryIndex, WorklistStore):
    """Thread-safe handle on the study database (one connection, serialised by a lock)."""

    def __init__(self, path: str | Path | None = None, synchronous: str = "FULL"):
        """``synchronous="NORMAL"`` (WAL: commits survive a crashed process, maybe not a power cut) is for
        the DICOM node, whose file store is authoritative and re-indexed at start."""
        self.path = Path(path) if path is not None else default_db_path()
        if synchronous.upper() not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        if self.path.is_dir():
            raise StudyDBError(f"{self.path}: is a folder; the study database is a file (e.g. {self.path / 'studies.sqlite'})")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._con = sqlite3.connect(str(self.path), check_same_thread=False)
            self._open(synchronous)
        except sqlite3.DatabaseError as exc:
            raise StudyDBError(f"{self.path}: cannot be used as the study database ({exc}{disk_full_hint(self.path)})") \
                from None

    def _open(self, synchronous: str) -> None:
        self._con.execute("PRAGMA foreign_keys = ON")
        self._con.execute("PRAGMA journal_mode = WAL")
        self._con.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        with self._con:
            self._con.executescript(_SCHEMA)
            self._con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            # an older file has just gained the tables it lacked (all changes are additive)
            self._con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
                              (str(SCHEMA_VERSION), SCHEMA_VERSION))

    def schema_version(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ import
    def import_paths(self, paths, progress=None, workers: int | None = None) -> ImportSummary:
        scan = scan_paths(paths, progress=progress.sub(0.0, 0.9) if progress is not None else None,
                          workers=workers)
        summary = self.add_records(scan)
        if progress is not None:
            progress.update(1.0, summary.text())
        return summary

    def add_records(self, scan: ScanResult, audit: list[dict] | None = None) -> ImportSummary:
        """Index the scanned records (and append ``audit`` entries, see :meth:`audit_many`) in one transaction."""
        import os

        recs = scan.instances
        now = datetime.now().isoformat(timespec="seconds")
        conflicts: list[ConflictRow] = []

        def conflict(kind, uid, path, other, pk, detail):
            row = ConflictRow(kind, uid, path, other, pk, detail, now)
            conflicts.append(row)
            cur.execute("INSERT OR REPLACE INTO conflicts VALUES (?,?,?,?,?,?,?)",
                        (kind, uid, path, other, pk, detail, now))

        with self._lock, self._con:
            cur = self._con.cursor()
            if audit:
                cur.executemany(AUDIT_INSERT, audit_rows(audit))
            known: dict[str, str] = {}  # SOP Instance UID -> path already in the database
            if recs:
                uids = [r.sop_instance_uid for r in recs]
                for i in range(0, len(uids), 500):
                    part = uids[i:i + 500]
                    q = ("SELECT sop_instance_uid, path FROM instances WHERE sop_instance_uid IN (%s)"
                         % ",".join("?" * len(part)))
                    known.update((row[0], row[1]) for row in cur.execute(q, part))
            patient_keys: dict[tuple, int] = {}
            studies, series = set(), set()
            study_patient: dict[str, int] = {}
            used: dict[str, str] = {}  # SOP Instance UID -> the file used for it in this import
            series_study: dict[str, str] = {}  # Series UID -> its study (this import or the database)
            indexed = []  # the records this import indexes (conflicting and invalid ones are left out)
            bad_uids: list[tuple[str, str]] = []
            for r in recs:
                why = next((f"{what} {p}" for what, u in (("SOP Instance UID", r.sop_instance_uid),
                                                            ("Series Instance UID", r.series_uid),
                                                            ("Study Instance UID", r.study_uid))
                            if (p := uid_problem(u))), None)
                if why:
                    bad_uids.append((r.path, f"not indexed: the {why}"))
                    continue
                owner_study = series_study.get(r.series_uid)
                if owner_study is None:
                    row = cur.execute("SELECT study_uid FROM series WHERE series_uid = ?", (r.series_uid,)).fetchone()
                    owner_study = series_study[r.series_uid] = row[0] if row else r.study_uid
                if owner_study != r.study_uid:
                    conflict(SERIES_CONFLICT, r.series_uid, r.path, "", None,
                             f"this Series UID belongs to study {owner_study}; the file names study {r.study_uid}: "
                             "not indexed, listed here")
                    continue
                first_path = used.get(r.sop_instance_uid) or known.get(r.sop_instance_uid)
                if first_path and first_path != r.path and (r.sop_instance_uid in used or os.path.exists(first_path)):
                    if not _same_content(first_path, r.path):
                        conflict(SOP_CONFLICT, r.sop_instance_uid, r.path, first_path, None,
                                 "the same SOP Instance UID is used by two different files; the first is indexed, "
                                 "this one is listed here")
                    continue  # an identical copy, or a conflicting file: the instance keeps its first file
                used[r.sop_instance_uid] = r.path
                indexed.append(r)
                pk_tuple = (r.patient_id, r.patient_name, r.patient_birth_date)
                pk = patient_keys.get(pk_tuple)
                if pk is None:
                    cur.execute("INSERT OR IGNORE INTO patients (patient_id, name, birth_date, sex) VALUES (?,?,?,?)",
                                (*pk_tuple, r.patient_sex))
                    pk = cur.execute("SELECT patient_key FROM patients WHERE patient_id=? AND name=? AND birth_date=?",
                                     pk_tuple).fetchone()[0]
                    patient_keys[pk_tuple] = pk
                owner = study_patient.get(r.study_uid)
                if owner is None:
                    row = cur.execute("SELECT patient_key FROM studies WHERE study_uid = ?", (r.study_uid,)).fetchone()
                    owner = study_patient[r.study_uid] = row[0] if row else pk
                if owner != pk:
                    conflict(STUDY_CONFLICT, r.study_uid, r.path, "", pk,
                             f"this file names another patient (key {pk}) than the study's (key {owner}); it is "
                             "filed under the study's patient and listed here")
                if r.study_uid not in studies:
                    cur.execute(
                        "INSERT INTO studies VALUES (?,?,?,?,?,?) ON CONFLICT(study_uid) DO UPDATE SET "
                        "study_date=excluded.study_date, study_time=excluded.study_time, "
                        "description=excluded.description, accession_number=excluded.accession_number",
                        (r.study_uid, pk, r.study_date, r.study_time, r.study_description, r.accession_number))
                    studies.add(r.study_uid)
                if r.series_uid not in series:
                    cur.execute(
                        "INSERT INTO series VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(series_uid) DO UPDATE SET "
                        "modality=excluded.modality, series_number=excluded.series_number, "
                        "description=excluded.description, series_date=excluded.series_date, "
                        "series_time=excluded.series_time, frame_of_reference_uid=excluded.frame_of_reference_uid, "
                        "is_image=excluded.is_image",
                        (r.series_uid, r.study_uid, r.modality, r.series_number, r.series_description,
                         r.series_date, r.series_time, r.frame_of_reference_uid, int(r.is_image)))
                    series.add(r.series_uid)
                cur.execute(
                    "INSERT OR REPLACE INTO instances VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (r.sop_instance_uid, r.series_uid, r.path, r.sop_class_uid, r.instance_number,
                     json.dumps(r.image_position), json.dumps(r.image_orientation), r.rows, r.columns,
                     r.number_of_frames, r.transfer_syntax_uid, r.file_size))
            # no orphan rows: a patient neither in a study nor named by a conflict, a study without series
            cur.execute("DELETE FROM studies WHERE study_uid NOT IN (SELECT study_uid FROM series)")
            cur.execute("DELETE FROM patients WHERE patient_key NOT IN (SELECT patient_key FROM studies) AND "
                        "patient_key NOT IN (SELECT patient_key FROM conflicts WHERE patient_key IS NOT NULL)")
        return ImportSummary(files_seen=scan.files_seen, instances=len(indexed),
                             new_instances=len({r.sop_instance_uid for r in indexed} - set(known)),
                             patients=len(patient_keys), studies=len(studies), series=len(series),
                             skipped=list(scan.skipped) + bad_uids, series_uids=sorted(series), conflicts=conflicts,
                             special_files=scan.special_files)

    def conflicts(self, uid: str | None = None) -> list[ConflictRow]:
        """UID conflicts recorded at import (all, or those of one SOP Instance / Study UID)."""
        q = "SELECT kind, uid, path, other_path, patient_key, detail, found FROM conflicts"
        args: tuple = ()
        if uid is not None:
            q += " WHERE uid = ?"
            args = (uid,)
        with self._lock:
            rows = self._con.execute(q + " ORDER BY found, kind, uid, path", args).fetchall()
        return [ConflictRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6]) for r in rows]

    def conflicts_by_study(self) -> dict[str, list[ConflictRow]]:
        """The recorded conflicts grouped by the Study UID they concern (a SOP conflict: the study of the
        instance that kept its first file)."""
        with self._lock:
            rows = self._con.execute(
                "SELECT c.kind, c.uid, c.path, c.other_path, c.patient_key, c.detail, c.found, "
                "CASE WHEN c.kind = ? THEN c.uid ELSE (SELECT se.study_uid FROM instances i JOIN series se "
                "ON se.series_uid = i.series_uid WHERE i.sop_instance_uid = c.uid) END "
                "FROM conflicts c ORDER BY c.found, c.kind, c.uid, c.path", (STUDY_CONFLICT,)).fetchall()
        out: dict[str, list[ConflictRow]] = {}
        for r in rows:
            out.setdefault(r[7] or "", []).append(ConflictRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6]))
        return out

    # ------------------------------------------------------------------ queries
    def patients(self) -> list[PatientRow]:
        with self._lock:
            rows = self._con.execute("SELECT patient_key, patient_id, name, birth_date, sex FROM patients "
                                     "ORDER BY name, patient_id").fetchall()
        return [PatientRow(*r) for r in rows]

    def studies(self, patient_key: int | None = None) -> list[StudyRow]:
        q = ("SELECT s.study_uid, s.patient_key, p.name, p.patient_id, p.birth_date, s.study_date, s.study_time, "
             "s.description, s.accession_number, "
             "(SELECT group_concat(DISTINCT modality) FROM series WHERE series.study_uid = s.study_uid), "
             "(SELECT count(*) FROM series WHERE series.study_uid = s.study_uid) "
             "FROM studies s JOIN patients p ON p.patient_key = s.patient_key")
        args: tuple = ()
        if patient_key is not None:
            q += " WHERE s.patient_key = ?"
            args = (patient_key,)
        q += " ORDER BY p.name, s.study_date DESC, s.study_time DESC"
        with self._lock:
            rows = self._con.execute(q, args).fetchall()
        out = []
        for r in rows:
            mods = tuple(sorted(set((r[9] or "").split(",")) - {""}))
            out.append(StudyRow(r[0], r[1], r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6] or "",
                                r[7] or "", r[8] or "", mods, r[10]))
        return out

    def series(self, study_uid: str | None = None) -> list[SeriesRow]:
        q = ("SELECT s.series_uid, s.study_uid, s.modality, s.series_number, s.description, s.series_date, "
             "s.series_time, s.frame_of_reference_uid, s.is_image, "
             "(SELECT count(*) FROM instances i WHERE i.series_uid = s.series_uid) FROM series s")
        args: tuple = ()
        if study_uid is not None:
            q += " WHERE s.study_uid = ?"
            args = (study_uid,)
        q += " ORDER BY s.study_uid, s.series_number, s.series_uid"
        with self._lock:
            rows = self._con.execute(q, args).fetchall()
        return [SeriesRow(r[0], r[1], r[2] or "", r[3], r[4] or "", r[5] or "", r[6] or "", r[7] or "",
                          bool(r[8]), r[9]) for r in rows]

    def series_files(self, series_uid: str) -> list[str]:
        with self._lock:
            rows = self._con.execute("SELECT path FROM instances WHERE series_uid = ? ORDER BY instance_number, path",
                                     (series_uid,)).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ follow-up readings
    def save_followup_edits(self, baseline_series_uid: str, followup_series_uid: str, edits: list) -> None:
        """Store the reader's link / unlink / rename of lesion pairs of a follow-up reading (the two
        PET series), replacing what was stored; an empty list forgets them."""
        if not baseline_series_uid or not followup_series_uid:
            raise ValueError("follow-up edits need both PET series UIDs")
        text = json.dumps(list(edits))
        with self._lock, self._con:
            if not edits:
                self._con.execute("DELETE FROM followup_edits WHERE baseline_series_uid = ? AND followup_series_uid = ?",
                                  (baseline_series_uid, followup_series_uid))
                return
            self._con.execute("INSERT OR REPLACE INTO followup_edits VALUES (?,?,?,?)",
                              (baseline_series_uid, followup_series_uid, text,
                               datetime.now().isoformat(timespec="seconds")))

    def followup_edits(self, baseline_series_uid: str, followup_series_uid: str) -> list:
        """The stored edits of that follow-up reading, oldest first ([] when none)."""
        with self._lock:
            row = self._con.execute("SELECT edits FROM followup_edits WHERE baseline_series_uid = ? AND "
                                    "followup_series_uid = ?", (baseline_series_uid, followup_series_uid)).fetchone()
        return list(json.loads(row[0])) if row else []

    def indexed_paths(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._con.execute("SELECT path FROM instances").fetchall()}

    def integrity_check(self) -> str:
        with self._lock:
            return self._con.execute("PRAGMA integrity_check").fetchone()[0]

    def counts(self) -> dict:
        with self._lock:
            c = self._con.execute
            return {t: c(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("patients", "studies", "series", "instances")}
