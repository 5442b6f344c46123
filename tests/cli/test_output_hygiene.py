"""What the CLI prints: no control characters from headers, no BrokenPipe traceback under `| head`."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
from workstation.testing.dicom_factory import write_series

from workstation.cli import main
from workstation.core.text import printable

REPO = Path(__file__).resolve().parents[2]
EVIL = "bell\x07 back\x08 cr\r lf\n esc\x1b[2J csi\x9b end"


def _controls(text: str) -> list[str]:
    return [repr(c) for line in text.split("\n") for c in line if unicodedata.category(c).startswith("C")]


def test_printable_replaces_every_control_character():
    assert printable(EVIL) == "bell? back? cr? lf? esc?[2J csi? end"
    assert printable("王小明^男") == "王小明^男"


def test_list_and_import_print_no_control_characters(tmp_path, capsys):
    write_series(tmp_path / "s", np.zeros((2, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 2),
                 description=EVIL, patient_name="EVIL\x07^NAME\x1b[31m")
    db = str(tmp_path / "db.sqlite")
    assert main(["import", str(tmp_path / "s"), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "bell? back?" in out and _controls(out) == []
    assert main(["list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "EVIL?, NAME?[31m" in out and "bell? back?" in out and _controls(out) == []


def test_list_into_a_closed_pipe_exits_quietly(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (e.g. `head`) has gone
    env = dict(os.environ, WORKSTATION_DATA_DIR=str(tmp_path), PYTHONPATH=str(REPO))
    p = subprocess.run([sys.executable, "-m", "workstation.cli", "list"], stdout=write_end,
                       stderr=subprocess.PIPE, text=True, cwd=REPO, env=env, timeout=120)
    os.close(write_end)
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr
    assert p.returncode == 141
