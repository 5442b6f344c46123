"""The follow-up change table as a DICOM SR: written, validated, read back with the same values."""

import shutil
import subprocess

import numpy as np
import pytest

from export_study import write_pet
from workstation.io.export_common import ExportError, source_headers_for
from workstation.io.export_sr import FollowupLesion, read_followup_measurements, write_followup_sr
from workstation.io.loader import load_pet_folder


@pytest.fixture(scope="module")
def headers(tmp_path_factory):
    root = tmp_path_factory.mktemp("fu-sr")
    write_pet(root / "pet")
    return source_headers_for(load_pet_folder(str(root / "pet"))), root


def test_followup_sr_round_trip(headers, tmp_path):
    heads, _ = headers
    lesions = [FollowupLesion("liver segment 7", "matched", (10.0, 15.0, 50.0), (6.0, 9.1, 51.67), (14.1, 20.0, 41.8),
                              "PMD", "PMD", 5),
               FollowupLesion("L2", "disappeared", (8.0, 1.2, -85.0), (5.0, 0.9, -82.0), (3.0, 0.0, -100.0), "CMR", "CMR"),
               FollowupLesion("N1", "new", (0.6, 9.0, float("nan")), (0.4, 6.0, 1400.0), (0.0, 2.1, float("inf")),
                              "PMD", "PMD", 5)]
    path = tmp_path / "fu-sr.dcm"
    write_followup_sr(path, heads, lesions, {"PERCIST": "PMD", "EORTC": "PMD", "Deauville": "5"})
    groups = read_followup_measurements(path)
    assert [g["tracking_id"] for g in groups] == ["liver segment 7", "L2", "N1", "Patient response"]
    g = groups[0]
    assert g["measurements"]["SUVMAXBL"] == (10.0, "{SUVbw}g/ml")
    assert g["measurements"]["SUVMAXFU"] == (15.0, "{SUVbw}g/ml")
    assert g["measurements"]["SULPEAKCHG"][0] == pytest.approx(51.67) and g["measurements"]["SULPEAKCHG"][1] == "%"
    assert g["measurements"]["MTVFU"] == (20.0, "ml")
    assert g["evaluations"] == {"STATUS": "matched", "PERCIST": "PMD", "EORTC": "PMD", "DEAUVILLE": "Deauville score 5"}
    assert groups[1]["evaluations"]["STATUS"] == "disappeared" and "DEAUVILLE" not in groups[1]["evaluations"]
    # a change from nothing (nan, inf) is left out, never written as a number
    assert "SUVMAXCHG" not in groups[2]["measurements"] and "MTVCHG" not in groups[2]["measurements"]
    assert groups[2]["measurements"]["SULPEAKCHG"][0] == pytest.approx(1400.0)
    assert groups[3]["evaluations"] == {"PERCIST": "PMD", "EORTC": "PMD", "DEAUVILLE": "Deauville score 5"}
    with pytest.raises(ExportError, match="exists"):
        write_followup_sr(path, heads, lesions, {"PERCIST": "PMD"})
    with pytest.raises(ExportError, match="Deauville"):
        write_followup_sr(tmp_path / "bad.dcm", heads, [FollowupLesion("x", "new", (1, 2, 3), (1, 2, 3), (1, 2, 3),
                                                                       deauville=7)], {})
    if shutil.which("dciodvfy"):
        r = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True)
        errors = [line for line in (r.stdout + r.stderr).splitlines() if line.startswith("Error")]
        assert not errors, errors
    assert np.isfinite([v for g in groups for v, _ in g["measurements"].values()]).all()
