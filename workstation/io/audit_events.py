"""One audit entry from anywhere (CLI commands, exports, reports): opens the study database when none is given.

Apart from ``io.db_audit`` (the trail itself, a mixin of ``StudyDB``) because it needs ``StudyDB``.
"""

from __future__ import annotations

from workstation.io.db import StudyDB


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
        with StudyDB() as own:
            own.audit(event, detail=detail, **uids)
    except Exception:  # noqa: BLE001 - auditing must not fail the command
        logging.getLogger("workstation.io.audit").warning("could not write the audit trail (%s event)", event)
