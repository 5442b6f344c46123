"""QA results in the study database: stored with the scanner identity and date, listed over time."""

import json

from workstation.io.db import StudyDB
from workstation.io.db_qa import qa_scanner_key


def test_qa_results_and_trend(tmp_path):
    db = StudyDB(tmp_path / "s.db")
    a = {"manufacturer": "Acme", "model": "PET-1", "device_serial": "42"}
    b = {"manufacturer": "Other", "model": "X"}
    # stored out of order: listed by acquisition date
    db.save_qa_result("nema-iq", a, acquired="2026-03-01T10:00:00", passed=True, summary={"rc_a50_37": 0.93},
                      result={"spheres": []})
    db.save_qa_result("nema-iq", a, acquired="2026-01-01T10:00:00", passed=False, summary={"rc_a50_37": 0.71})
    db.save_qa_result("uniformity", a, acquired="2026-02-01T09:00:00", passed=True, summary={"mean": 1.02})
    db.save_qa_result("nema-iq", b, acquired="2026-02-01T10:00:00", summary={"rc_a50_37": 0.88})
    rows = db.qa_results("nema-iq", "pet-1")
    assert [r.acquired for r in rows] == ["2026-01-01T10:00:00", "2026-03-01T10:00:00"]
    assert [r.passed for r in rows] == [False, True]
    assert rows[1].result == {"spheres": []} and rows[0].scanner == "Acme / PET-1 / 42"
    assert db.qa_trend("nema-iq", "rc_a50_37", "acme") == [("Acme / PET-1 / 42", "2026-01-01T10:00:00", 0.71),
                                                          ("Acme / PET-1 / 42", "2026-03-01T10:00:00", 0.93)]
    assert len(db.qa_results()) == 4 and len(db.qa_results("uniformity")) == 1
    assert db.qa_results(scanner="nobody") == []
    db.close()
    # the table survives reopening (it is created on open for older files too)
    with StudyDB(tmp_path / "s.db") as again:
        assert len(again.qa_results()) == 4
        assert json.loads(json.dumps(again.qa_results()[0].summary))


def test_scanner_key():
    assert qa_scanner_key({}) == "unknown scanner"
    assert qa_scanner_key({"model": "M", "station_name": "S"}) == "M / S"
