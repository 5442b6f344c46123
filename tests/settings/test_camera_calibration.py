"""The camera calibration store: per camera and nuclide, newest first, checked entries, atomic JSON."""

import datetime as dt
import json

import pytest

from workstation.settings.camera_calibration import (CalibrationError, add_entry, calibration_path, camera_name,
                                                     entries, find_entry, max_age_days, set_max_age_days)


def test_entries_per_camera_and_nuclide_newest_first():
    assert entries() == [] and find_entry("A / B / C", "Lu-177") is None
    add_entry("A / B / C", "Lu-177", 9.1, "2024-05-01", who="x")
    add_entry("A / B / C", "Lu-177", 9.4, "2025-02-01", who="y")
    add_entry("A / B / D", "Lu-177", 11.0, "2025-03-01")
    add_entry("A / B / C", "I-131", 3.3, "2025-03-01")
    assert find_entry("a / b / c", "Lu-177").cps_per_mbq == 9.4  # case and spacing do not matter
    assert find_entry("A / B / D", "Lu-177").cps_per_mbq == 11.0
    assert find_entry("A / B / C", "I-131").cps_per_mbq == 3.3
    assert find_entry("A / B / C", "Y-90") is None
    # the same camera, nuclide and day replaces the value; the history is kept
    add_entry("A / B / C", "Lu-177", 9.5, "2025-02-01")
    lu = [e for e in entries() if e.camera == "A / B / C" and e.nuclide == "Lu-177"]
    assert [e.cps_per_mbq for e in lu] == [9.5, 9.1]
    stored = json.loads(calibration_path().read_text(encoding="utf-8"))
    assert stored["max_age_days"] == 365 and len(stored["entries"]) == 4


@pytest.mark.parametrize("args, word", [
    (("", "Lu-177", 9.0, "2025-01-01"), "camera"),
    (("A / B / C", "Lu-999", 9.0, "2025-01-01"), "nuclide"),
    (("A / B / C", "Lu-177", -1.0, "2025-01-01"), "cps/MBq"),
    (("A / B / C", "Lu-177", float("nan"), "2025-01-01"), "cps/MBq"),
    (("A / B / C", "Lu-177", 9.0, "01.02.2025"), "YYYY-MM-DD"),
    (("A / B / C", "Lu-177", 9.0, (dt.date.today() + dt.timedelta(days=3)).isoformat()), "future"),
])
def test_bad_entries_are_refused_by_name(args, word):
    with pytest.raises(CalibrationError, match=word):
        add_entry(*args)
    assert entries() == []


def test_damaged_file_is_an_error_naming_it_and_max_age():
    assert max_age_days() == 365
    set_max_age_days(180)
    assert max_age_days() == 180
    with pytest.raises(CalibrationError):
        set_max_age_days(0)
    calibration_path().write_text("{not json", encoding="utf-8")
    with pytest.raises(CalibrationError, match="camera_calibration.json"):
        entries()


def test_camera_name_from_header_values():
    assert camera_name("Siemens", " Symbia Intevo ", "1234") == "Siemens / Symbia Intevo / 1234"
    assert camera_name("GE", None, "") == "GE / ? / ?"
