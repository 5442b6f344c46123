"""DICOM DA/TM/DT parsing and the midnight-rollover helper (hand-worked expectations)."""

import datetime as dt

import pytest

from workstation.io.dicom_time import (
    DicomTimeError,
    combine,
    latest_at_or_before,
    parse_da,
    parse_dt,
    parse_tm,
    seconds_between,
)


def test_parse_da_forms():
    assert parse_da("20201217") == dt.date(2020, 12, 17)
    assert parse_da(b"20201217 ") == dt.date(2020, 12, 17)
    assert parse_da("2020.12.17") == dt.date(2020, 12, 17)  # ACR-NEMA
    assert parse_da("") is None and parse_da(None) is None
    assert parse_da(dt.date(2001, 2, 3)) == dt.date(2001, 2, 3)


@pytest.mark.parametrize("bad", ["2020121", "20201317", "2020-12-17", "abc"])
def test_parse_da_rejects(bad):
    with pytest.raises(DicomTimeError, match="date"):
        parse_da(bad)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("123515.000000", dt.time(12, 35, 15)),
        ("123514.999995", dt.time(12, 35, 14, 999995)),
        ("084500.00", dt.time(8, 45, 0)),
        ("095621", dt.time(9, 56, 21)),
        ("0956", dt.time(9, 56)),
        ("09", dt.time(9)),
        ("135431.843", dt.time(13, 54, 31, 843000)),
        ("10:20:30.5", dt.time(10, 20, 30, 500000)),  # ACR-NEMA
        ("235959.9999999", dt.time(23, 59, 59, 999999)),  # > 6 digits: rounded to the microsecond
        ("235960", dt.time(23, 59, 59, 999999)),  # leap second
        (" 101010 ", dt.time(10, 10, 10)),
    ],
)
def test_parse_tm_forms(text, expected):
    assert parse_tm(text) == expected


@pytest.mark.parametrize("bad", ["2460", "1261", "ab", "1.5", "12345"])
def test_parse_tm_rejects(bad):
    with pytest.raises(DicomTimeError):
        parse_tm(bad)


def test_parse_dt_forms():
    assert parse_dt("20201217084500.00 ") == dt.datetime(2020, 12, 17, 8, 45)
    assert parse_dt("20201217083045.000000") == dt.datetime(2020, 12, 17, 8, 30, 45)
    assert parse_dt("2020121708") == dt.datetime(2020, 12, 17, 8)
    assert parse_dt("2020") == dt.datetime(2020, 1, 1)
    # the UTC offset is dropped: the clock time as written is kept
    assert parse_dt("20201217084500.5+0100") == dt.datetime(2020, 12, 17, 8, 45, 0, 500000)
    assert parse_dt("20201217084500-0500") == dt.datetime(2020, 12, 17, 8, 45, 0)
    assert parse_dt("") is None
    with pytest.raises(DicomTimeError):
        parse_dt("20201332")
    with pytest.raises(DicomTimeError):
        parse_dt("2020-12-17T08:45")


def test_combine_and_seconds():
    a = combine(dt.date(2020, 12, 17), dt.time(8, 45))
    b = combine(dt.date(2020, 12, 17), dt.time(9, 56, 21))
    assert seconds_between(a, b) == 71 * 60 + 21
    assert seconds_between(b, a) == -(71 * 60 + 21)
    with pytest.raises(DicomTimeError):
        combine(None, dt.time(1))


def test_injection_before_midnight_scan_after():
    scan = dt.datetime(2021, 3, 2, 0, 40)
    inj = latest_at_or_before(dt.time(23, 50), scan)
    assert inj == dt.datetime(2021, 3, 1, 23, 50)
    assert seconds_between(inj, scan) == 50 * 60
    # same-day injection stays on the scan date
    assert latest_at_or_before(dt.time(0, 10), scan) == dt.datetime(2021, 3, 2, 0, 10)
    # equal times are "at or before"
    assert latest_at_or_before(dt.time(0, 40), scan) == scan
