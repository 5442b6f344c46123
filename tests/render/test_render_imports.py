"""Import rules of the viewer's modules: analysis without VTK/Qt, render without Qt."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import {mod}
bad = [m for m in {banned!r} if m in sys.modules]
print(",".join(bad))
"""


@pytest.mark.parametrize("mod,banned", [
    ("workstation.analysis.reading.session", ("vtkmodules", "PySide6", "numba")),
    ("workstation.analysis.registration.rigid", ("vtkmodules", "PySide6")),
    ("workstation.render.scene", ("PySide6",)),
    ("workstation.render.colormaps", ("PySide6", "vtkmodules")),
    ("workstation.cli.view_cmd", ("PySide6", "vtkmodules")),
])
def test_module_does_not_pull_in_upper_layers(mod, banned):
    out = subprocess.run([sys.executable, "-c", CHECK.format(mod=mod, banned=banned)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{mod} imports {out.stdout.strip()}"
