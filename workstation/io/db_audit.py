"""The audit trail of the study database: who sent, received, retrieved or opened what, by UID only
(never a patient name or ID). A mixin of :class:`workstation.io.db.StudyDB`.
"""

from __future__ import annotations

from datetime import datetime

AUDIT_INSERT = ("INSERT INTO audit (time, event, peer_ae, peer_host, study_uid, series_uid, sop_instance_uid, "
                "status, detail) VALUES (?,?,?,?,?,?,?,?,?)")


def audit_rows(entries) -> list[tuple]:
    when = datetime.now().isoformat(timespec="milliseconds")
    return [(e.get("time") or when, e["event"], e.get("peer_ae", ""), e.get("peer_host", ""),
             e.get("study_uid", ""), e.get("series_uid", ""), e.get("sop_instance_uid", ""),
             e.get("status"), e.get("detail", "")) for e in entries]


class AuditTrail:
    """Table ``audit`` of the study database (mixed into ``StudyDB``)."""

    def audit(self, event: str, *, peer_ae: str = "", peer_host: str = "", study_uid: str = "",
              series_uid: str = "", sop_instance_uid: str = "", status: int | None = None,
              detail: str = "") -> None:
        """Append one audit entry (UIDs only: callers never pass patient names or IDs)."""
        self.audit_many([dict(event=event, peer_ae=peer_ae, peer_host=peer_host, study_uid=study_uid,
                              series_uid=series_uid, sop_instance_uid=sop_instance_uid, status=status,
                              detail=detail)])

    def audit_open(self, volumes, detail: str = "", user: str | None = None) -> None:
        """Record that this user (default: the operating-system user) opened the study of ``volumes`` to read it.

        UIDs only (event ``study-opened``); None entries are ignored.
        """
        import getpass

        vols = [v for v in volumes if v is not None]
        if not vols:
            return
        if user is None:
            try:
                user = getpass.getuser()
            except Exception:  # noqa: BLE001 - no user name in this environment
                user = "unknown"
        study = next((v.study_uid for v in vols if getattr(v, "study_uid", "")), "")
        series = ",".join(v.series_uid for v in vols if getattr(v, "series_uid", ""))
        self.audit("study-opened", study_uid=study, series_uid=series,
                   detail=f"user {user}" + (f"; {detail}" if detail else ""))

    def audit_many(self, entries) -> None:
        rows = audit_rows(entries)
        if not rows:
            return
        with self._lock, self._con:
            self._con.executemany(AUDIT_INSERT, rows)

    def audit_rows(self, event: str | None = None, sop_instance_uid: str | None = None) -> list[dict]:
        q, args = "SELECT time, event, peer_ae, peer_host, study_uid, series_uid, sop_instance_uid, status, detail " \
                  "FROM audit", []
        where = []
        if event is not None:
            where.append("event = ?")
            args.append(event)
        if sop_instance_uid is not None:
            where.append("sop_instance_uid = ?")
            args.append(sop_instance_uid)
        if where:
            q += " WHERE " + " AND ".join(where)
        q += " ORDER BY id"
        keys = ("time", "event", "peer_ae", "peer_host", "study_uid", "series_uid", "sop_instance_uid", "status",
                "detail")
        with self._lock:
            return [dict(zip(keys, r)) for r in self._con.execute(q, args).fetchall()]


def audit_event(event: str, *, volume=None, db=None, detail: str = "", **uids) -> None:
    """Append one audit entry (import, export, report, query, ...): UIDs and counts only, never a name,
    an ID or a file path (folders are often named after the patient). ``volume`` gives the study and
    series UIDs; ``db`` (default: the user's study database) is opened when not given. Never raises:
    an unwritable database must not stop the command (a warning is logged)."""
    import logging

    if volume is not None:
        uids.setdefault("study_uid", getattr(volume, "study_uid", "") or "")
        uids.setdefault("series_uid", getattr(volume, "series_uid", "") or "")
    try:
        if db is not None:
            db.audit(event, detail=detail, **uids)
            return
        from workstation.io.db import StudyDB

        with StudyDB() as own:
            own.audit(event, detail=detail, **uids)
    except Exception:  # noqa: BLE001 - auditing must not fail the command
        logging.getLogger("workstation.io.audit").warning("could not write the audit trail (%s event)", event)
