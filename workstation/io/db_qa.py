"""Physicist QA results in the study database: NEMA IQ and uniform-cylinder results with the scanner's
identity (no patient data) and acquisition date, followed over time. A mixin of
:class:`workstation.io.db.StudyDB`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime


class QaLog:
    """Table ``qa_results`` of the study database (mixed into ``StudyDB``)."""

    def save_qa_result(self, kind: str, scanner: dict, *, acquired: str | None, series_uid: str = "",
                       passed: bool | None = None, summary: dict | None = None, result: dict | None = None,
                       created: datetime | None = None) -> int:
        """Store one QA result; ``scanner`` holds manufacturer/model/station_name/device_serial. Returns its id."""
        if not kind:
            raise ValueError("a QA result needs its kind (e.g. 'nema-iq', 'uniformity')")
        ident = qa_scanner_key(scanner)
        when = (created or datetime.now()).isoformat(timespec="seconds")
        with self._lock, self._con:
            cur = self._con.execute(
                "INSERT INTO qa_results (kind, scanner, manufacturer, model, station_name, device_serial, acquired, "
                "created, series_uid, passed, summary, result) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (kind, ident, scanner.get("manufacturer", ""), scanner.get("model", ""),
                 scanner.get("station_name", ""), scanner.get("device_serial", ""), acquired, when, series_uid,
                 None if passed is None else int(bool(passed)), json.dumps(summary or {}, default=str),
                 json.dumps(result or {}, default=str)))
        return int(cur.lastrowid)

    def qa_results(self, kind: str | None = None, scanner: str | None = None) -> list[QaRow]:
        """Stored QA results, oldest acquisition first; ``scanner`` filters on the key (substring, any case)."""
        sql = ("SELECT qa_id, kind, scanner, acquired, created, series_uid, passed, summary, result "
               "FROM qa_results WHERE 1=1")
        args: list = []
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        if scanner:
            sql += " AND lower(scanner) LIKE ?"
            args.append(f"%{scanner.lower()}%")
        sql += " ORDER BY acquired, qa_id"
        with self._lock:
            rows = self._con.execute(sql, args).fetchall()
        return [QaRow(r[0], r[1], r[2], r[3], r[4], r[5], None if r[6] is None else bool(r[6]), json.loads(r[7]),
                      json.loads(r[8])) for r in rows]

    def qa_trend(self, kind: str, metric: str, scanner: str | None = None) -> list[tuple[str, str, float | None]]:
        """``(scanner, acquired, value)`` of one summary metric over time (e.g. 'background_cov', 'rc_max_37')."""
        return [(r.scanner, r.acquired, r.summary.get(metric)) for r in self.qa_results(kind, scanner)]


def qa_scanner_key(scanner: dict) -> str:
    """One text naming a scanner: manufacturer / model / station / serial (the parts present)."""
    parts = [str(scanner.get(k) or "").strip() for k in ("manufacturer", "model", "station_name", "device_serial")]
    key = " / ".join(p for p in parts if p)
    return key or "unknown scanner"


@dataclass(frozen=True)
class QaRow:
    qa_id: int
    kind: str
    scanner: str
    acquired: str | None
    created: str
    series_uid: str
    passed: bool | None
    summary: dict
    result: dict
