"""The reading worklist and the signed report versions in the study database. A mixin of
:class:`workstation.io.db.StudyDB` (tables ``worklist`` and ``report_versions``, created when missing).

One row per study waiting to be read or read: where it came from (the sending AE title, a DICOMweb
source, a CD), when it arrived, its priority, modality and tracer, its status
(``new`` → ``being read`` → ``reported`` → ``sent back`` → ``acknowledged``) and its reader. The
lock that keeps two readers from reporting the same study at once is the row itself: ``claim``
is one conditional UPDATE (atomic in SQLite, also between processes sharing the file), and the
owner and the time of the claim stay visible to everyone. Every change of status, claim or
release is written to the audit trail (event ``worklist``) by Study UID and reader only.

A lock also records the process that took it (host, PID and the process's start time, so that a
reused PID is not taken for the owner). A **stale lock** — older than ``STALE_AFTER_S`` (30 min) and
whose process is gone on this host, or that names no process — is taken over by the next claim,
audited as such; a lock whose process still runs, or that was taken on another host, is never taken
over without ``take_over`` (an explicit, audited decision).

A signed report is a version (``report_versions``): version 1, then each amendment a new version
whose ``supersedes`` names the previous version's SOP Instance UID; nothing is ever overwritten. A
version may carry its structured report (``sr_uid``, ``sr_path``), versioned the same way.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

NEW, BEING_READ, REPORTED, SENT_BACK, ACKNOWLEDGED = "new", "being read", "reported", "sent back", "acknowledged"
STATUSES = (NEW, BEING_READ, REPORTED, SENT_BACK, ACKNOWLEDGED)
PRIORITIES = ("stat", "urgent", "routine")  # most urgent first
STALE_AFTER_S = 30 * 60.0  # a lock this old whose process is gone may be taken over
# status -> statuses it may go to (amending a reported study means claiming it again)
TRANSITIONS = {
    NEW: {BEING_READ},
    BEING_READ: {NEW, REPORTED},
    REPORTED: {BEING_READ, SENT_BACK},
    SENT_BACK: {BEING_READ, ACKNOWLEDGED, REPORTED},
    ACKNOWLEDGED: {BEING_READ},
}

WORKLIST_SCHEMA = """
CREATE TABLE IF NOT EXISTS worklist (
    study_uid TEXT PRIMARY KEY, origin TEXT NOT NULL, origin_kind TEXT NOT NULL, origin_host TEXT,
    arrived TEXT NOT NULL, priority TEXT NOT NULL DEFAULT 'routine', modality TEXT, tracer TEXT,
    status TEXT NOT NULL DEFAULT 'new', reader TEXT, locked_by TEXT, locked_at TEXT, updated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_worklist_status ON worklist(status, priority, arrived);
CREATE TABLE IF NOT EXISTS report_versions (
    study_uid TEXT NOT NULL, version INTEGER NOT NULL, sop_instance_uid TEXT NOT NULL UNIQUE,
    series_uid TEXT NOT NULL, reader TEXT NOT NULL, signed TEXT NOT NULL, supersedes TEXT,
    pdf_path TEXT NOT NULL, sr_uid TEXT, PRIMARY KEY (study_uid, version));
"""


class WorklistError(ValueError):
    """A worklist change that is not allowed (unknown study, wrong status, claimed by someone else)."""


class StudyLocked(WorklistError):
    """The study is being read by another reader: ``owner`` and ``since`` say who and since when."""

    def __init__(self, study_uid: str, owner: str, since: str):
        self.owner, self.since = owner, since
        super().__init__(f"study {study_uid} is being read by {owner} since {since}")


@dataclass(frozen=True)
class WorklistRow:
    study_uid: str
    origin: str
    origin_kind: str
    origin_host: str
    arrived: str
    priority: str
    modality: str
    tracer: str
    status: str
    reader: str
    locked_by: str
    locked_at: str
    updated: str


@dataclass(frozen=True)
class ReportVersion:
    study_uid: str
    version: int
    sop_instance_uid: str
    series_uid: str
    reader: str
    signed: str
    supersedes: str
    pdf_path: str
    sr_uid: str
    sr_path: str = ""


_COLS = ("study_uid, origin, origin_kind, origin_host, arrived, priority, modality, tracer, status, reader, "
         "locked_by, locked_at, updated")


def _now() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), empty when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19] if ")" in stat else ""


def process_identity(pid: int | None = None) -> str:
    """``host:pid:start`` of a process (this one by default): a PID reused later has another start time."""
    pid = os.getpid() if pid is None else int(pid)
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def lock_is_stale(locked_at: str, lock_proc: str, stale_after_s: float = STALE_AFTER_S) -> str:
    """Why a lock may be taken over (empty when it may not): older than ``stale_after_s`` and its owner gone —
    no process recorded, or a process of this host that no longer runs (or whose PID now names another)."""
    try:
        age = (datetime.now() - datetime.fromisoformat(locked_at)).total_seconds()
    except (TypeError, ValueError):
        age = float("inf")  # no readable time: as old as can be
    if age < stale_after_s:
        return ""
    if not lock_proc:
        return f"{age / 60:.0f} min old, no owning process recorded"
    host, _, rest = lock_proc.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname():
        return ""  # cannot tell from here whether it still runs
    if not pid.isdigit() or not _start_time(int(pid)) or (start and _start_time(int(pid)) != start):
        return f"{age / 60:.0f} min old, its process {pid} is gone"
    return ""


class WorklistStore:
    """Tables ``worklist`` and ``report_versions`` (mixed into ``StudyDB``)."""

    def _wl_schema(self) -> None:
        if getattr(self, "_wl_ready", False):
            return
        with self._lock, self._con:
            self._con.executescript(WORKLIST_SCHEMA)
            cols = {r[1] for r in self._con.execute("PRAGMA table_info(worklist)")}
            if "lock_proc" not in cols:  # databases from before stale-lock detection
                self._con.execute("ALTER TABLE worklist ADD COLUMN lock_proc TEXT")
            if "sr_path" not in {r[1] for r in self._con.execute("PRAGMA table_info(report_versions)")}:
                self._con.execute("ALTER TABLE report_versions ADD COLUMN sr_path TEXT")
        self._wl_ready = True

    def worklist_lock_process(self, study_uid: str) -> str:
        """The process holding the study's lock (``host:pid:start``), empty when none is recorded."""
        self._wl_schema()
        with self._lock:
            r = self._con.execute("SELECT lock_proc FROM worklist WHERE study_uid = ?", (study_uid,)).fetchone()
        return (r[0] or "") if r else ""

    # ---------------------------------------------------------------- entries
    def worklist_add(self, study_uid: str, origin: str, origin_kind: str = "dimse", *, origin_host: str = "",
                     arrived: str | None = None, priority: str = "routine", modality: str = "",
                     tracer: str = "") -> bool:
        """Put a study on the worklist (kept as it is when already there). True when it was added."""
        self._wl_schema()
        if priority not in PRIORITIES:
            raise WorklistError(f"priority {priority!r}: expected one of {', '.join(PRIORITIES)}")
        now = _now()
        with self._lock, self._con:
            cur = self._con.execute(
                "INSERT OR IGNORE INTO worklist (study_uid, origin, origin_kind, origin_host, arrived, priority, "
                "modality, tracer, status, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (study_uid, origin, origin_kind, origin_host, arrived or now, priority, modality, tracer, NEW, now))
            added = cur.rowcount == 1
        if added:
            self.audit("worklist", study_uid=study_uid, peer_ae=origin if origin_kind == "dimse" else "",
                       peer_host=origin_host, detail=f"arrived from {origin_kind} {origin}: {NEW}")
        return added

    def worklist_arrivals(self) -> tuple[list[dict], int, list[str]]:
        """Studies received (node, C-GET/DICOMweb retrieval) since the last :meth:`worklist_seen` that the
        worklist lacks: (study, origin, first arrival) dicts; the last audit row looked at; and the studies
        already listed, still new, that received more instances (their facts are read again). Only audit rows
        after the watermark are read, so a timer can call this on a large trail."""
        self._wl_schema()
        with self._lock:
            row = self._con.execute("SELECT value FROM meta WHERE key = 'worklist_audit_seen'").fetchone()
            seen = int(row[0]) if row else 0
            last = self._con.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
            rows = self._con.execute(
                "SELECT a.study_uid, a.peer_ae, a.peer_host, min(a.time) FROM audit a "
                "WHERE a.id > ? AND a.id <= ? AND a.event IN ('store-received', 'retrieve') AND a.study_uid != '' "
                "AND a.study_uid NOT IN (SELECT study_uid FROM worklist) "
                "AND a.study_uid IN (SELECT study_uid FROM studies) GROUP BY a.study_uid", (seen, last)).fetchall()
            more = self._con.execute(
                "SELECT DISTINCT a.study_uid FROM audit a JOIN worklist w ON w.study_uid = a.study_uid "
                "WHERE a.id > ? AND a.id <= ? AND a.event IN ('store-received', 'retrieve') AND w.status = ?",
                (seen, last, NEW)).fetchall()
        out = []
        for uid, ae, host, first in rows:
            kind = "dimse" if ae else "dicomweb"
            out.append(dict(study_uid=uid, origin=ae or host, origin_kind=kind, origin_host=host, arrived=first))
        return out, last, [r[0] for r in more]

    def worklist_update_facts(self, study_uid: str, *, modality: str, tracer: str, priority: str) -> None:
        """Modality, tracer and priority of a study still new, read again (its later series have arrived)."""
        if priority not in PRIORITIES:
            priority = "routine"
        with self._lock, self._con:
            self._con.execute("UPDATE worklist SET modality = ?, tracer = ?, priority = ?, updated = ? "
                              "WHERE study_uid = ? AND status = ?", (modality, tracer, priority, _now(), study_uid, NEW))

    def worklist_seen(self, last_audit_id: int) -> None:
        """Audit rows up to ``last_audit_id`` are on the worklist (called once they were added)."""
        with self._lock, self._con:
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('worklist_audit_seen', ?)", (str(int(last_audit_id)),))

    def worklist(self, status: str | None = None, origin: str | None = None) -> list[WorklistRow]:
        """The worklist, most urgent first, then oldest arrival first."""
        self._wl_schema()
        q, args, where = f"SELECT {_COLS} FROM worklist", [], []
        if status:
            where.append("status = ?")
            args.append(status)
        if origin:
            where.append("origin = ?")
            args.append(origin)
        if where:
            q += " WHERE " + " AND ".join(where)
        q += (" ORDER BY CASE priority WHEN 'stat' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, arrived, study_uid")
        with self._lock:
            rows = self._con.execute(q, args).fetchall()
        return [WorklistRow(*[("" if v is None else v) for v in r]) for r in rows]

    def worklist_entry(self, study_uid: str) -> WorklistRow:
        self._wl_schema()
        with self._lock:
            r = self._con.execute(f"SELECT {_COLS} FROM worklist WHERE study_uid = ?", (study_uid,)).fetchone()
        if r is None:
            raise WorklistError(f"study {study_uid} is not on the worklist")
        return WorklistRow(*[("" if v is None else v) for v in r])

    def worklist_set_priority(self, study_uid: str, priority: str) -> None:
        if priority not in PRIORITIES:
            raise WorklistError(f"priority {priority!r}: expected one of {', '.join(PRIORITIES)}")
        self.worklist_entry(study_uid)
        with self._lock, self._con:
            self._con.execute("UPDATE worklist SET priority = ?, updated = ? WHERE study_uid = ?",
                              (priority, _now(), study_uid))
        self.audit("worklist", study_uid=study_uid, detail=f"priority {priority}")

    # ---------------------------------------------------------------- the lock
    def worklist_claim(self, study_uid: str, reader: str, take_over: bool = False,
                       stale_after_s: float = STALE_AFTER_S) -> WorklistRow:
        """Open the study for reporting as ``reader``: status ``being read``, locked by ``reader``.

        Raises :class:`StudyLocked` when another reader holds it, unless the lock is stale (older than
        ``stale_after_s`` and its process gone: taken over, audited) or ``take_over`` breaks it (audited).
        """
        if not reader:
            raise WorklistError("a reader name is needed to claim a study")
        row = self.worklist_entry(study_uid)
        if BEING_READ not in TRANSITIONS[row.status] and row.locked_by != reader and row.status != BEING_READ:
            raise WorklistError(f"study {study_uid} is {row.status}; it cannot be opened for reporting")
        now = _now()
        held_by_other = bool(row.locked_by) and row.locked_by != reader
        stale = why = ""
        if held_by_other and not take_over:
            why = lock_is_stale(row.locked_at, self.worklist_lock_process(study_uid), stale_after_s)
            stale = "yes" if why else ""
        if take_over or stale:
            # compare and swap: only the lock that was judged (same owner, same time) is replaced
            cond, extra = " AND IFNULL(locked_by, '') = ? AND IFNULL(locked_at, '') = ?", [row.locked_by,
                                                                                          row.locked_at]
            if take_over:
                cond, extra = "", []
        else:
            cond, extra = " AND (locked_by IS NULL OR locked_by = '' OR locked_by = ?)", [reader]
        args = [reader, reader, now, now, process_identity(), study_uid, *extra]
        with self._lock, self._con:
            cur = self._con.execute(
                "UPDATE worklist SET status = 'being read', locked_by = ?, reader = ?, locked_at = ?, updated = ?, "
                "lock_proc = ? WHERE study_uid = ?" + cond, args)
            ok = cur.rowcount == 1
        if not ok:
            cur_row = self.worklist_entry(study_uid)
            raise StudyLocked(study_uid, cur_row.locked_by, cur_row.locked_at)
        detail = f"claimed by {reader}"
        if held_by_other and take_over:
            detail += f" (lock of {row.locked_by} taken over)"
        elif held_by_other and stale:
            detail += f" (stale lock of {row.locked_by} since {row.locked_at} taken over: {why})"
        self.audit("worklist", study_uid=study_uid, detail=f"{detail}: {BEING_READ}")
        return self.worklist_entry(study_uid)

    def worklist_release(self, study_uid: str, reader: str) -> WorklistRow:
        """Give the study back without a report: ``new`` again (or its status before, for an amendment)."""
        row = self.worklist_entry(study_uid)
        if row.locked_by != reader:
            raise StudyLocked(study_uid, row.locked_by or "nobody", row.locked_at)
        back = REPORTED if self.report_versions(study_uid) else NEW
        self._set_status(study_uid, back, unlock=True, detail=f"released by {reader}")
        return self.worklist_entry(study_uid)

    def _set_status(self, study_uid: str, status: str, *, unlock: bool = False, detail: str = "",
                    expect_owner: str | None = None) -> None:
        row = self.worklist_entry(study_uid)
        if status != row.status and status not in TRANSITIONS[row.status]:
            raise WorklistError(f"study {study_uid}: {row.status} cannot become {status}")
        if expect_owner is not None and row.locked_by != expect_owner:
            raise StudyLocked(study_uid, row.locked_by or "nobody", row.locked_at)
        sets = "status = ?, updated = ?" + (", locked_by = NULL, locked_at = NULL, lock_proc = NULL" if unlock else "")
        with self._lock, self._con:
            self._con.execute(f"UPDATE worklist SET {sets} WHERE study_uid = ?", (status, _now(), study_uid))
        self.audit("worklist", study_uid=study_uid, detail=(detail + ": " if detail else "") + status)

    def worklist_mark(self, study_uid: str, status: str, detail: str = "") -> None:
        """Move a study on (``sent back`` once the outgoing queue delivered, ``acknowledged`` once the origin
        confirmed), following the allowed transitions."""
        if status not in STATUSES:
            raise WorklistError(f"status {status!r}: expected one of {', '.join(STATUSES)}")
        self._set_status(study_uid, status, detail=detail)

    # ---------------------------------------------------------------- signed reports
    def report_versions(self, study_uid: str) -> list[ReportVersion]:
        self._wl_schema()
        with self._lock:
            rows = self._con.execute(
                "SELECT study_uid, version, sop_instance_uid, series_uid, reader, signed, supersedes, pdf_path, sr_uid, "
                "sr_path FROM report_versions WHERE study_uid = ? ORDER BY version", (study_uid,)).fetchall()
        return [ReportVersion(*[("" if v is None else v) for v in r]) for r in rows]

    def record_signed_report(self, study_uid: str, reader: str, *, sop_instance_uid: str, series_uid: str,
                             signed: str, pdf_path: str, sr_uid: str = "", version: int, supersedes: str = "",
                             sr_path: str = "") -> None:
        """Record a signed report version and set the study ``reported``, unlocked. The reader must hold the lock."""
        row = self.worklist_entry(study_uid)
        if row.locked_by != reader:
            raise StudyLocked(study_uid, row.locked_by or "nobody", row.locked_at)
        prev = self.report_versions(study_uid)
        if version != len(prev) + 1 or (prev and supersedes != prev[-1].sop_instance_uid):
            raise WorklistError(f"study {study_uid}: report version {version} does not follow version {len(prev)}")
        with self._lock, self._con:
            self._con.execute("INSERT INTO report_versions (study_uid, version, sop_instance_uid, series_uid, reader, "
                              "signed, supersedes, pdf_path, sr_uid, sr_path) VALUES (?,?,?,?,?,?,?,?,?,?)",
                              (study_uid, version, sop_instance_uid, series_uid, reader, signed, supersedes or None,
                               pdf_path, sr_uid or None, sr_path or None))
        self._set_status(study_uid, REPORTED, unlock=True,
                         detail=f"report version {version} ({sop_instance_uid}) signed by {reader}")
