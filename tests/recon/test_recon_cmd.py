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
