"""DICOM dates and times (DA, TM, DT) as timezone-naive Python datetimes.

DICOM writes a date as ``YYYYMMDD`` (DA), a clock time as ``HHMMSS.FFFFFF`` (TM, trailing parts
optional: ``HH``, ``HHMM``, ``HHMMSS``, 1 to 6 fraction digits; old ACR-NEMA files use
``HH:MM:SS.frac``) and a date-time as ``YYYYMMDDHHMMSS.FFFFFF&ZZXX`` (DT, trailing parts
optional, ``&ZZXX`` an optional offset from UTC). Times in the workstation are *naive*: the
clock time of the scanner as written. An offset in a DT is therefore dropped (the clock time is
kept), which is what every PET decay computation wants, since injection and scan times are
written by the same site clock.

A PET header often carries only a clock time for the injection (Radiopharmaceutical Start Time)
and a date for the series: when the injection was before midnight and the scan after it, the
naive combination lands the injection ~24 h in the future. :func:`latest_at_or_before` gives
the datetime of a clock time on the day that puts it at or before a reference instant.

Values may come as ``str``, ``bytes``, pydicom's DA/TM/DT value types or Python
``date``/``time``/``datetime`` objects; empty values give ``None``; malformed ones raise
:class:`DicomTimeError` (a ``ValueError``) naming the value and the expected form.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = [
    "DicomTimeError",
    "parse_da",
    "parse_tm",
    "parse_dt",
    "combine",
    "latest_at_or_before",
    "seconds_between",
]


class DicomTimeError(ValueError):
    """A DICOM DA/TM/DT value that cannot be read."""


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    s = str(value).strip().rstrip("\x00").strip()
    return s or None


def parse_da(value) -> _dt.date | None:
    """DICOM DA (``YYYYMMDD``; the ACR-NEMA ``YYYY.MM.DD`` form is accepted) to ``date``."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    s = _text(value)
    if s is None:
        return None
    digits = s.replace(".", "") if re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", s) else s
    if not re.fullmatch(r"\d{8}", digits):
        raise DicomTimeError(f"date {s!r} is not a DICOM DA value (expected YYYYMMDD)")
    try:
        return _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise DicomTimeError(f"date {s!r} is not a valid calendar date ({exc})") from None


def _fraction_to_us(frac: str) -> int:
    """Fraction digits after the decimal point to microseconds (rounded)."""
    if not frac:
        return 0
    if len(frac) <= 6:
        return int(frac.ljust(6, "0"))
    # more digits than DICOM allows: round to the microsecond
    return min(999_999, int(round(float("0." + frac) * 1_000_000)))


_TM_RE = re.compile(r"(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,9}))?")
_TM_COLON_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?")


def parse_tm(value) -> _dt.time | None:
    """DICOM TM (``HH``, ``HHMM``, ``HHMMSS``, ``HHMMSS.F`` to ``.FFFFFF``) to ``time``.

    A leap second (``SS`` = 60, allowed by DICOM) is read as 59.999999 s.
    """
    if isinstance(value, _dt.datetime):
        return value.time()
    if isinstance(value, _dt.time):
        return value
    s = _text(value)
    if s is None:
        return None
    m = _TM_RE.fullmatch(s) or _TM_COLON_RE.fullmatch(s)
    if m is None:
        raise DicomTimeError(f"time {s!r} is not a DICOM TM value (expected HHMMSS.FFFFFF)")
    hh, mm, ss, frac = m.group(1), m.group(2) or "0", m.group(3) or "0", m.group(4) or ""
    if frac and m.group(3) is None:
        raise DicomTimeError(f"time {s!r}: a fraction needs seconds (expected HHMMSS.FFFFFF)")
    h, mi, se, us = int(hh), int(mm), int(ss), _fraction_to_us(frac)
    if se == 60:  # leap second
        se, us = 59, 999_999
    if h > 23 or mi > 59 or se > 59:
        raise DicomTimeError(f"time {s!r} is out of range (hours 0-23, minutes and seconds 0-59)")
    return _dt.time(h, mi, se, us)


_DT_RE = re.compile(
    r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,9}))?([+-]\d{4})?"
)


def parse_dt(value) -> _dt.datetime | None:
    """DICOM DT (``YYYY[MM[DD[HH[MM[SS[.F...]]]]]][&ZZXX]``) to a naive ``datetime``.

    Missing trailing components take their lowest value (month/day 1, time 0). A UTC offset is
    dropped: the clock time as written is kept (see the module docstring).
    """
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    s = _text(value)
    if s is None:
        return None
    m = _DT_RE.fullmatch(s)
    if m is None:
        raise DicomTimeError(f"date-time {s!r} is not a DICOM DT value (expected YYYYMMDDHHMMSS.FFFFFF)")
    y, mo, d, h, mi, se, frac, _offset = m.groups()
    if frac and se is None:
        raise DicomTimeError(f"date-time {s!r}: a fraction needs seconds")
    try:
        sec = int(se or 0)
        us = _fraction_to_us(frac or "")
        if sec == 60:
            sec, us = 59, 999_999
        return _dt.datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), sec, us)
    except ValueError as exc:
        raise DicomTimeError(f"date-time {s!r} is out of range ({exc})") from None


def combine(date: _dt.date, time: _dt.time) -> _dt.datetime:
    """A DA and a TM to one naive datetime."""
    if date is None or time is None:
        raise DicomTimeError("combine() needs both a date and a time")
    return _dt.datetime.combine(date, time.replace(tzinfo=None))


def latest_at_or_before(time: _dt.time, reference: _dt.datetime) -> _dt.datetime:
    """The latest datetime with clock time ``time`` that is not after ``reference``.

    Use it for an injection clock time without a date: with a scan at 00:40 on 2 March, an
    injection at 23:50 is 23:50 on 1 March; an injection at 00:10 is 00:10 on 2 March.
    """
    candidate = combine(reference.date(), time)
    if candidate > reference:
        candidate -= _dt.timedelta(days=1)
    return candidate


def seconds_between(start: _dt.datetime, end: _dt.datetime) -> float:
    """``end - start`` in seconds (negative when end is before start)."""
    return (end - start).total_seconds()
