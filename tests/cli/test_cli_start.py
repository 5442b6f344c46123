"""`workstation --help` starts without the heavy libraries: building the parser imports each command
module, and none of them may import numpy, pydicom, scipy, VTK, Qt, numba or SimpleITK before the
command runs (checked in a fresh interpreter through sys.modules, not by timing)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pydicom", "scipy", "vtkmodules", "PySide6", "numba", "SimpleITK", "pynetdicom")

PROBE = r"""
import json, sys
sys.argv = ["workstation"] + sys.argv[1:]
from workstation.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = None
sys.stdout.flush()
print("\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
print("EXIT " + json.dumps(code))
"""


def _imported(*argv) -> tuple[set[str], str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120)
    mods = next(line for line in out.stdout.splitlines() if line.startswith("MODULES "))
    code = next(line for line in out.stdout.splitlines() if line.startswith("EXIT "))
    return set(json.loads(mods[8:])), out.stdout, json.loads(code[5:])


def test_top_level_help_imports_nothing_heavy():
    mods, text, code = _imported("--help")
    assert code == 0 and "view" in text and "import" in text  # the help was printed, with the commands
    assert not mods & set(HEAVY), sorted(mods & set(HEAVY))


@pytest.mark.parametrize("command", ["view", "list", "echo", "recon"])
def test_a_command_help_imports_only_what_it_shows(command):
    mods, text, code = _imported(command, "--help")
    assert code == 0 and f"workstation {command}" in text
    # a command's help may read its choices (view: the layouts and colour maps, from core.display,
    # which needs numpy), never the readers, the resampling, the renderer or the GUI
    assert not mods & {"pydicom", "scipy", "vtkmodules", "PySide6", "numba", "SimpleITK", "pynetdicom"}


def test_usage_error_names_the_choices_without_importing_the_viewer():
    mods, text, code = _imported("view", "--layout", "nope", "/tmp")
    assert code == 2
    assert not mods & {"pydicom", "scipy", "vtkmodules", "PySide6"}
