"""The study database: an embedded SQLite index of patient → study → series → instance.

Only headers are indexed (file paths plus the tags needed to list, group and load series); pixel
data stays in the source files, which are never written. Importing the same files again updates
the rows in place (keys are the DICOM UIDs), so re-importing is idempotent.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from .scan import InstanceRecord, ScanResult, scan_paths

SCHEMA_VERSION = 1

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
"""


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


@dataclass
class ImportSummary:
    files_seen: int = 0
    instances: int = 0
    new_instances: int = 0
    patients: int = 0
    studies: int = 0
    series: int = 0
    skipped: list[tuple[str, str]] | None = None

    def text(self) -> str:
        s = (f"{self.files_seen} files: {self.instances} DICOM instances ({self.new_instances} new) in "
             f"{self.series} series, {self.studies} studies, {self.patients} patients")
        if self.skipped:
            s += f"; {len(self.skipped)} files skipped"
        return s


def default_db_path() -> Path:
    from workstation.settings import data_dir

    return data_dir() / "studies.sqlite"


class StudyDB:
    """Thread-safe handle on the study database (one connection, serialised by a lock)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = sqlite3.connect(str(self.path), check_same_thread=False)
        self._con.execute("PRAGMA foreign_keys = ON")
        self._con.execute("PRAGMA journal_mode = WAL")
        with self._con:
            self._con.executescript(_SCHEMA)
            self._con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

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

    def add_records(self, scan: ScanResult) -> ImportSummary:
        recs = scan.instances
        with self._lock, self._con:
            cur = self._con.cursor()
            known = set()
            if recs:
                uids = [r.sop_instance_uid for r in recs]
                for i in range(0, len(uids), 500):
                    part = uids[i:i + 500]
                    q = "SELECT sop_instance_uid FROM instances WHERE sop_instance_uid IN (%s)" % ",".join("?" * len(part))
                    known.update(row[0] for row in cur.execute(q, part))
            patient_keys: dict[tuple, int] = {}
            studies, series = set(), set()
            for r in recs:
                pk_tuple = (r.patient_id, r.patient_name, r.patient_birth_date)
                pk = patient_keys.get(pk_tuple)
                if pk is None:
                    cur.execute("INSERT OR IGNORE INTO patients (patient_id, name, birth_date, sex) VALUES (?,?,?,?)",
                                (*pk_tuple, r.patient_sex))
                    pk = cur.execute("SELECT patient_key FROM patients WHERE patient_id=? AND name=? AND birth_date=?",
                                     pk_tuple).fetchone()[0]
                    patient_keys[pk_tuple] = pk
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
        return ImportSummary(files_seen=scan.files_seen, instances=len(recs),
                             new_instances=len({r.sop_instance_uid for r in recs} - known),
                             patients=len(patient_keys), studies=len(studies), series=len(series),
                             skipped=list(scan.skipped))

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

    def counts(self) -> dict:
        with self._lock:
            c = self._con.execute
            return {t: c(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("patients", "studies", "series", "instances")}
