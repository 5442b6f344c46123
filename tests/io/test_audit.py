"""The audit trail: who opened which study, by UID, when; never a patient name."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from workstation.io.db import StudyDB


def test_audit_records_open_by_uid(tmp_path):
    pet = SimpleNamespace(study_uid="1.2.3", series_uid="1.2.3.4", patient=SimpleNamespace(name="SECRET^NAME"))
    ct = SimpleNamespace(study_uid="1.2.3", series_uid="1.2.3.5", patient=SimpleNamespace(name="SECRET^NAME"))
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.audit_open([pet, None, ct], "viewer")
        db.audit("export", "9.9", ["9.9.1"], "SEG", user="reader2", when=dt.datetime(2026, 1, 2, 3, 4, 5))
        trail = db.audit_trail()
        assert [r["action"] for r in trail] == ["open", "export"]
        assert trail[0]["study_uid"] == "1.2.3" and trail[0]["series_uids"] == ["1.2.3.4", "1.2.3.5"]
        assert trail[0]["user"] and trail[0]["detail"] == "viewer"
        assert dt.datetime.fromisoformat(trail[0]["time"]) <= dt.datetime.now()
        assert trail[1] == {"time": "2026-01-02T03:04:05", "user": "reader2", "action": "export", "study_uid": "9.9",
                            "series_uids": ["9.9.1"], "detail": "SEG"}
        assert db.audit_trail("9.9") == [trail[1]]
    raw = (tmp_path / "db.sqlite").read_bytes()
    assert b"SECRET" not in raw
