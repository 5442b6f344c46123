"""`workstation recon` through the real CLI, with the toy test plugin (fast, numpy only)."""

import json

import numpy as np
import pytest

from workstation.cli import main


def test_recon_cli_runs_toy_plugin(tmp_path, capsys):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"raw")
    rc = main(["recon", "--plugin", "toy", "--input", str(raw), "--set", "iterations=2", "--set", "value=1234.5",
               "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert rc == 0, out
    doc = json.loads(out)
    assert doc["status"] == "completed" and doc["units"] == "BQML"
    img = np.load(tmp_path / "out" / "image.npy")
    assert img.max() == pytest.approx(1234.5)
    meta = json.loads((tmp_path / "out" / "image.json").read_text())
    assert meta["geometry"]["shape"] == list(img.shape)


def test_recon_cli_errors_are_one_line(tmp_path, capsys):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"raw")
    assert main(["recon", "--plugin", "toy", "--input", str(raw), "--set", "iterations=0",
                 "--out", str(tmp_path / "o")]) == 2
    assert "below its minimum" in capsys.readouterr().err
    assert main(["recon", "--plugin", "nope", "--input", str(raw), "--out", str(tmp_path / "o")]) == 2
    assert main(["recon", "--plugin", "toy", "--input", str(raw), "--set", "oops", "--out", str(tmp_path / "o")]) == 2
    assert main(["recon", "--plugin", "toy", "--input", str(raw), "--mu", str(raw), "--out", str(tmp_path / "o")]) == 2


def test_recon_cli_failed_job_exit_code(tmp_path, capsys):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"raw")
    # 'segv' takes no inputs -> reported as a user error, never a crash
    assert main(["recon", "--plugin", "segv", "--input", str(raw), "--out", str(tmp_path / "o")]) == 2


def test_recon_list(capsys):
    assert main(["recon", "--list"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ids = {p["id"] for p in doc["plugins"]}
    assert "toy" in ids
    assert any(b["name"] == "badmanifest" for b in doc["broken"])


def test_recon_layer_imports_no_gui():
    import subprocess
    import sys

    code = ("import sys, workstation.recon.host, workstation.recon.child, workstation.recon.api; "
            "bad = [m for m in ('PySide6', 'vtk', 'numba') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_simulate_then_recon_with_suv_facts_from_the_petsird_header(tmp_path, capsys):
    """simulate-listmode writes exam facts; recon --ct takes dose/injection/start from them, weight from the CT."""
    pytest.importorskip("listmode_osem", reason="the listmode-osem plugin is not installed")
    import datetime as dt

    import pydicom

    from workstation.core.geometry import ImageGeometry
    from workstation.core.volume import PatientInfo, Volume
    from workstation.io.dicom_write import StudyInfo, write_series
    from workstation.io.loader import load_pet_folder

    lm = tmp_path / "demo.petsird"
    assert main(["simulate-listmode", "--phantom", "demo", "--duration", "0.05", "--out", str(lm),
                 "--dose-mbq", "250", "--injection-time", "20240301090000",
                 "--acquisition-start", "20240301100000"]) == 0
    capsys.readouterr()
    # a CT of the demo phantom's water cylinder (r 80 mm) in its own study
    g = ImageGeometry((12, 50, 50), (4.0, 4.0, 4.0), (-98.0, -98.0, -22.0))
    j, i = np.mgrid[0:50, 0:50]
    hu = np.full(g.shape, -1000.0, np.float32)
    hu[:, np.hypot((i - 24.5) * 4, (j - 24.5) * 4) <= 80] = 0.0
    study = StudyInfo(patient=PatientInfo("Sim^Demo", "SIM1", "19800101", "O"), patient_weight_kg=64.0).with_uids("sim")
    write_series(Volume(hu, g, modality="CT", units="HU"), tmp_path / "CT", modality="CT", study=study)
    rc = main(["recon", "--plugin", "listmode-osem", "--input", str(lm), "--ct", str(tmp_path / "CT"),
               "--set", "iterations=1", "--set", "subsets=2", "--set", "voxel_size=8", "--set", "matrix=24",
               "--db", str(tmp_path / "db.sqlite"), "--out", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert rc == 0, out.err
    facts = json.loads(out.out)["dicom"]["suv_facts"]
    assert facts["injected_dose_bq"] == {"value": 2.5e8, "source": "PETSIRD exam information"}
    assert facts["acquisition_start"]["value"] == "2024-03-01T10:00:00"
    assert facts["weight_kg"] == {"value": 64.0, "source": "CT header"}
    pet = load_pet_folder(tmp_path / "out" / "dicom")
    ds = pydicom.dcmread(pet.source_files[0], stop_before_pixels=True)
    assert float(ds.RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose) == 2.5e8
    assert ds.StudyInstanceUID == study.study_uid and ds.FrameOfReferenceUID == study.frame_of_reference_uid
    assert "ATTN" in ds.CorrectedImage
    assert pet.pet.value("series_time") == dt.time(10, 0)
