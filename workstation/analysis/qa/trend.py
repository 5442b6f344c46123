"""A scanner's stored QA results over time, as points a trend view draws (no Qt).

:func:`trend_points` turns stored rows (``io.db.QaRow``-like: ``kind``, ``scanner``, ``acquired``,
``passed``, ``summary``) into one time series per scanner for one summary metric, each point with
a verdict: against the metric's own band when it has one (:func:`metric_band`: the EARL RCmax /
RCA50 band of that sphere for the chosen standard, the +-10 % calibration tolerance for a
uniform cylinder's mean SUV), else the stored result's overall verdict. RCpeak has no band (the
EARL RCpeak bands are not in the verified reference data), so its points carry the stored verdict.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from workstation.analysis.qa.phantom import EARL_BANDS
from workstation.analysis.qa.uniformity import TOLERANCE

_SPHERE_METRIC = re.compile(r"^(rc_max|rc_a50)_(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class TrendPoint:
    when: _dt.datetime
    value: float
    passed: bool | None  # None: no verdict
    qa_id: int | None = None


def metric_band(kind: str, metric: str, standard: str = "EARL1") -> tuple[float, float] | None:
    """The acceptance band of a summary metric, or None when it has none."""
    if kind == "uniformity" and metric == "mean":
        return 1.0 - TOLERANCE, 1.0 + TOLERANCE
    m = _SPHERE_METRIC.match(metric)
    if kind == "nema-iq" and m and standard in EARL_BANDS:
        return EARL_BANDS[standard][m.group(1)].get(float(m.group(2)))
    return None


def metrics_of(rows, kind: str) -> list[str]:
    """The numeric summary metrics found in the stored rows of ``kind``, sorted."""
    out = set()
    for r in rows:
        if r.kind != kind:
            continue
        for k, v in (r.summary or {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.add(k)
    return sorted(out)


def trend_points(rows, kind: str, metric: str, standard: str = "EARL1") -> dict[str, list[TrendPoint]]:
    """Scanner -> its points of ``metric`` sorted by scan date (rows without the metric or a date are left out)."""
    band = metric_band(kind, metric, standard)
    out: dict[str, list[TrendPoint]] = {}
    for r in rows:
        if r.kind != kind or r.acquired is None:
            continue
        v = (r.summary or {}).get(metric)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        passed = (band[0] <= float(v) <= band[1]) if band is not None else r.passed
        out.setdefault(r.scanner, []).append(TrendPoint(_dt.datetime.fromisoformat(r.acquired), float(v), passed,
                                                        getattr(r, "qa_id", None)))
    for pts in out.values():
        pts.sort(key=lambda p: p.when)
    return out
