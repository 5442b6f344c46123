"""Guards the layer rules of DESIGN.md so they cannot rot.

Static: every import statement in workstation/ (module level or inside functions) is checked
against the row table. Dynamic: importing the compute layers in a fresh interpreter must not pull
in Qt, VTK or numba.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "workstation"
ROWS = {"core": 1, "kernels": 1, "io": 2, "net": 2, "tasks": 2, "settings": 2, "analysis": 3, "render": 3, "recon": 3,
        "report": 3, "ui": 4, "cli": 5, "testing": 5}
QT = ("PySide6", "shiboken6")
VTK = ("vtk", "vtkmodules")
# Same-row exceptions: settings and tasks are leaves of row 2 (they import nothing of ours), so the
# rest of row 2 (io) may use them for the data directory and progress objects.
SAME_ROW_ALLOWED = {("io", "settings"), ("io", "tasks"), ("net", "settings"), ("net", "tasks"),
                    ("net", "io")}  # the node writes into the study database and the audit trail
NET = ("pynetdicom", "dicomweb_client")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                parts = path.relative_to(PKG.parent).with_suffix("").parts[:-node.level]
                base = ".".join(parts)
                yield node.lineno, f"{base}.{node.module}" if node.module else base
            else:
                yield node.lineno, node.module or ""


def _violations():
    out = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        layer = rel.parts[0] if len(rel.parts) > 1 else None
        if layer is None:
            continue
        row = ROWS[layer]
        for line, mod in _imports(path):
            top = mod.split(".")[0]
            where = f"workstation/{rel}:{line} imports {mod}"
            if top in QT and layer not in ("ui", "cli"):
                out.append(f"{where}: Qt only in ui")
            if top in QT and layer == "cli" and path.name != "view_cmd.py":
                out.append(f"{where}: Qt only in ui (and the view command)")
            if top in VTK and layer not in ("render", "ui"):
                out.append(f"{where}: VTK only in render and ui")
            if top in NET and layer != "net":
                out.append(f"{where}: pynetdicom and dicomweb-client only in net")
            if top == "numba" and layer != "kernels":
                out.append(f"{where}: numba only in kernels")
            if top == "workstation" and mod.count(".") >= 1:
                target = mod.split(".")[1]
                if target not in ROWS:
                    continue
                if target == layer or (layer, target) in SAME_ROW_ALLOWED:
                    continue
                if layer == "kernels" and target == "core":
                    out.append(f"{where}: kernels may not import core")
                elif ROWS[target] >= row:
                    out.append(f"{where}: row {row} ({layer}) may only import rows below (not {target})")
    return out


def test_layer_rules_static():
    v = _violations()
    assert not v, "layer rule violations:\n" + "\n".join(v)


def test_rule_checker_catches_a_violation(tmp_path, monkeypatch):
    fake = tmp_path / "workstation"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "bad.py").write_text("import PySide6\nfrom workstation.io import loader\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", fake)
    v = _violations()
    assert len(v) == 2


@pytest.mark.parametrize("modules,forbidden", [
    ("workstation.core, workstation.io.loader, workstation.io.db, workstation.io.nifti, workstation.tasks",
     ("PySide6", "vtkmodules", "numba")),
    ("workstation.analysis.resample, workstation.analysis.suv", ("PySide6", "vtkmodules", "numba")),
    ("workstation.kernels", ("PySide6", "vtkmodules")),
    ("workstation.cli", ("PySide6", "vtkmodules", "numba")),
    ("workstation.net.scp, workstation.net.scu, workstation.net.web", ("PySide6", "vtkmodules", "numba")),
])
def test_lower_layers_import_headless(modules, forbidden):
    code = (f"import sys, importlib\nfor m in '{modules}'.split(', '): importlib.import_module(m)\n"
            f"bad = [m for m in {forbidden!r} if m in sys.modules]\nprint(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing {modules} pulled in {out}"
