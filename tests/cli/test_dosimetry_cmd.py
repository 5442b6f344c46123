"""`workstation dosimetry` end to end on a small phantom written as DICOM: JSON, RT Dose, CSV, PDF, errors."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pydicom
import pytest

from workstation.testing.dosimetry_phantom import make_phantom, write_phantom


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    ph = make_phantom(times_h=(4.0, 24.0, 72.0), shape=(28, 40, 40), noise=0.0, shifts_vox=[(0, 0, 0)] * 3,
                      table_mm=(0.0, 0.0, 0.0))
    return ph, write_phantom(tmp_path_factory.mktemp("cli"), ph)


def _run(*args):
    return subprocess.run([sys.executable, "-m", "workstation.cli", "dosimetry", *map(str, args)],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_json_rtdose_csv_report(scans, tmp_path):
    ph, dirs = scans
    out = _run(*dirs, "--no-register", "--method", "dvk", "--json", "--rtdose", tmp_path / "d.dcm",
               "--csv", tmp_path / "v.csv", "--report", tmp_path / "r.pdf")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)  # strict: json.loads would accept NaN, so check none is there
    assert "NaN" not in out.stdout and "Infinity" not in out.stdout
    assert [round(tp["time_h"], 3) for tp in d["time_points"]] == [4.0, 24.0, 72.0]
    names = {v["name"] for v in d["vois"]}
    assert names == {"liver", "kidney left", "kidney right", "tumour"}
    tum = next(v for v in d["vois"] if v["name"] == "tumour")
    np.testing.assert_allclose(tum["activity_mbq"], ph.truth_activity_mbq("tumour", [4.0, 24.0, 72.0]), rtol=2e-3)
    assert tum["fit"]["model"] == "mono" and tum["tia_mbq_h"]["sd"] > 0
    assert tum["dose_gy"]["value"] == pytest.approx(tum["dose_dvk_gy"])
    # RT Dose: on the first scan's grid and frame, Gy, and the tumour's mean dose read back from the file
    ds = pydicom.dcmread(str(tmp_path / "d.dcm"))
    assert ds.Modality == "RTDOSE" and ds.DoseUnits == "GY"
    assert ds.FrameOfReferenceUID == pydicom.dcmread(str(next(dirs[0].glob("IM*.dcm")))).FrameOfReferenceUID
    dose = ds.pixel_array * float(ds.DoseGridScaling)
    assert dose.shape == (28, 40, 40)
    mask = ph.masks["tumour"]
    assert dose[mask].mean() == pytest.approx(tum["dose_dvk_gy"], rel=1e-3)
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
    rows = (tmp_path / "v.csv").read_text().splitlines()
    assert rows[0].startswith("voi,") and len(rows) == 5
    if shutil.which("dciodvfy"):
        v = subprocess.run(["dciodvfy", str(tmp_path / "d.dcm")], capture_output=True, text=True)
        assert [ln for ln in (v.stdout + v.stderr).splitlines() if ln.startswith("Error")] == []
    # no silent overwrite
    again = _run(*dirs, "--no-register", "--rtdose", tmp_path / "d.dcm")
    assert again.returncode != 0 and "--force" in again.stderr and "Traceback" not in again.stderr


def test_errors_are_one_line(scans, tmp_path):
    _, dirs = scans
    out = _run(tmp_path / "missing")
    assert out.returncode != 0 and "Traceback" not in out.stderr and "missing" in out.stderr
    out = _run(dirs[0], "--activity-sigma", "3")
    assert out.returncode != 0 and "--activity-sigma" in out.stderr
    empty = tmp_path / "only"
    shutil.copytree(dirs[0], empty, ignore=shutil.ignore_patterns("RS.dcm"))
    out = _run(empty)
    assert out.returncode != 0 and "RTSTRUCT" in out.stderr and "Traceback" not in out.stderr


def test_registration_option_refusals(scans):
    _, dirs = scans
    out = _run(*dirs, "--registration", "deformable", "--no-register")
    assert out.returncode != 0 and "--registration" in out.stderr and "Traceback" not in out.stderr
    out = _run(*dirs, "--registration", "elastic")
    assert out.returncode != 0 and "--registration" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_registration_deformable_json(tmp_path):
    """A kidney moved 8 mm against the body at 24 h: the JSON names the deformable step per time point."""
    from workstation.testing.dosimetry_phantom import local_shift

    ph = make_phantom(times_h=(4.0, 24.0, 96.0), shape=(36, 44, 44))
    local_shift(ph, 1, "kidney left", (2, 0, 0))
    dirs = write_phantom(tmp_path, ph)
    out = _run(*dirs, "--registration", "deformable", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["registration"] == "deformable"
    reg = d["time_points"][1]["registration"]
    assert reg["type"] == "deformable" and reg["requested"] == "deformable" and reg["refused"] is None
    assert reg["metric_after"] < reg["metric_before"] and 4.0 < reg["max_displacement_mm"] < 12.0
    assert reg["parameters"]["grid_mm"] == 48.0 and reg["parameters"]["images"] == "SPECT to SPECT"
    assert "B-spline" in reg["method"]
    kid = next(v for v in d["vois"] if v["name"] == "kidney left")
    assert kid["activity_mbq"][1] == pytest.approx(float(ph.truth_activity_mbq("kidney left", 24.0)), rel=0.02)
    table = _run(*dirs, "--registration", "deformable")
    assert table.returncode == 0 and "deformable: max" in table.stdout


def test_two_cycles_json_and_refusals(tmp_path):
    from datetime import datetime

    dirs = []
    for c, inj in enumerate((datetime(2025, 3, 3, 9, 30), datetime(2025, 4, 28, 10, 0))):
        ph = make_phantom(times_h=(4.0, 24.0), shape=(24, 36, 36), noise=0.0, injection=inj,
                          shifts_vox=[(0, 0, 0)] * 2, table_mm=(0.0, 0.0))
        dirs += write_phantom(tmp_path / f"c{c}", ph)
    out = _run(*dirs, "--no-register", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert len(d["cycles"]) == 2
    for c in d["cumulative"]:
        assert c["dose_gy"] == pytest.approx(sum(c["dose_gy_per_cycle"]))
    # the cumulative RT Dose (cycle 2 carried onto cycle 1's grid and added), the report and the CSV
    out = _run(*dirs, "--no-register", "--json", "--rtdose", tmp_path / "sum.dcm", "--report", tmp_path / "c.pdf",
               "--csv", tmp_path / "c.csv")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    ds = pydicom.dcmread(str(tmp_path / "sum.dcm"))
    dose = ds.pixel_array.astype(float) * float(ds.DoseGridScaling)
    ph = make_phantom(times_h=(4.0, 24.0), shape=(24, 36, 36), noise=0.0)
    for c in d["cumulative"]:
        per = c["dose_gy_per_cycle"]
        assert len(per) == 2 and per[1] == pytest.approx(per[0], rel=0.02)  # the same phantom twice
        assert dose[ph.masks[c["name"]]].mean() == pytest.approx(c["dose_gy"], rel=0.01), c["name"]
    assert (tmp_path / "c.pdf").read_bytes()[:4] == b"%PDF"
    rows = (tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("voi,dose_gy_cycle1,dose_gy_cycle2,dose_gy_sum") and len(rows) == 1 + len(d["cumulative"])
    # organ VOIs are drawn on one cycle: refused with several
    out = _run(*dirs, "--no-register", "--marrow", "0,38,-20")
    assert out.returncode != 0 and "one cycle" in out.stderr and "Traceback" not in out.stderr
