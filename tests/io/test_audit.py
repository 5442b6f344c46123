"""The audit trail: who opened which study, by UID, when; never a patient name."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from workstation.io.db import StudyDB


def test_audit_records_study_opened_by_uid(tmp_path):
    pet = SimpleNamespace(study_uid="1.2.3", series_uid="1.2.3.4", patient=SimpleNamespace(name="SECRET^NAME"))
    ct = SimpleNamespace(study_uid="1.2.3", series_uid="1.2.3.5", patient=SimpleNamespace(name="SECRET^NAME"))
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.audit_open([pet, None, ct], "viewer")
        db.audit_open([ct], user="reader2")
        db.audit_open([None])  # nothing opened, nothing recorded
        rows = db.audit_rows(event="study-opened")
        assert len(rows) == 2
        assert rows[0]["study_uid"] == "1.2.3" and rows[0]["series_uid"] == "1.2.3.4,1.2.3.5"
        assert rows[0]["detail"].startswith("user ") and rows[0]["detail"].endswith("; viewer")
        assert rows[1]["detail"] == "user reader2"
        assert dt.datetime.fromisoformat(rows[0]["time"]) <= dt.datetime.now()
    raw = (tmp_path / "db.sqlite").read_bytes()
    assert b"SECRET" not in raw
