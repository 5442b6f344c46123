"""Guards the layer rules of DESIGN.md so they cannot rot.

Static: every import statement in workstation/ (module level or inside functions) is checked
against the row table. Dynamic: importing the compute layers in a fresh interpreter must not pull
in Qt, VTK or numba.

Visible edges (static, each with a self-test that shows it catches a violation):
* no type placeholders: a string standing in for one of our types (``Session = "Session"``, a
  quoted annotation naming a class of another module) or imports hidden under ``TYPE_CHECKING``;
  import the type, or the protocol of ``core.protocols``;
* no private names across modules: ``from x import _name`` / ``module._name`` of another module
  of ours (private modules inside their own package are fine);
* ``workstation/`` and ``bench/`` use a reconstruction plugin only through its package's public
  names (``import listmode_osem`` / ``from listmode_osem import name``), never its modules;
* no import cycles between our modules (two files that import each other, or a longer ring), counting
  imports inside functions too: move the shared piece down or invert the dependency;
* every name is imported from the module that defines it, never through a module (or a package
  ``__init__``) that merely imports it: no re-export blocks.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "workstation"
BENCH = REPO / "bench"
PLUGINS = REPO / "plugins"
ROWS = {"core": 1, "kernels": 1, "io": 2, "net": 2, "tasks": 2, "settings": 2, "analysis": 3, "render": 3, "recon": 3,
        "report": 3, "demo": 4, "batch": 4, "ui": 5, "cli": 6, "testing": 6}
QT = ("PySide6", "shiboken6")
VTK = ("vtk", "vtkmodules")
# Same-row exceptions: settings and tasks are leaves of row 2 (they import nothing of ours), so the
# rest of row 2 (io) may use them for the data directory and progress objects.
SAME_ROW_ALLOWED = {("io", "settings"), ("io", "tasks"), ("net", "settings"), ("net", "tasks"),
                    ("net", "io"),  # the node writes into the study database and the audit trail
                    ("cli", "testing")}  # `brain normals demo` builds its database from the synthetic brain cohort
NET = ("pynetdicom", "dicomweb_client")
DASK = ("dask", "distributed")  # the batch engine: only batch drives it (testing starts clusters for tests)


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
            if top in QT and layer != "ui":
                out.append(f"{where}: Qt only in ui")
            if top in VTK and layer not in ("render", "ui"):
                out.append(f"{where}: VTK only in render and ui")
            if top in NET and layer != "net":
                out.append(f"{where}: pynetdicom and dicomweb-client only in net")
            if top in DASK and layer not in ("batch", "testing"):
                out.append(f"{where}: dask and distributed only in batch (and the test fixtures)")
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


# ---------------------------------------------------------------------------- visible edges
def _our_classes(pkg: Path) -> dict[str, set[Path]]:
    """Class name -> the modules of ``pkg`` that define it."""
    out: dict[str, set[Path]] = {}
    for path in pkg.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ClassDef):
                out.setdefault(node.name, set()).add(path)
    return out


def _module_of(path: Path, pkg: Path) -> str:
    return ".".join(path.relative_to(pkg.parent).with_suffix("").parts)


def _resolve(path: Path, pkg: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = path.relative_to(pkg.parent).with_suffix("").parts[:-node.level]
    base = ".".join(parts)
    return f"{base}.{node.module}" if node.module else base


def _annotations(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None and a.annotation is not None:
                    yield a.annotation
            if node.returns is not None:
                yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation


def _edge_violations(pkg: Path = None) -> list[str]:
    pkg = pkg or PKG
    classes = _our_classes(pkg)
    out = []
    for path in sorted(pkg.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = f"{pkg.name}/{path.relative_to(pkg)}"
        mod = _module_of(path, pkg)
        here = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        imported = set()
        module_aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                src = _resolve(path, pkg, node)
                for a in node.names:
                    imported.add(a.asname or a.name)
                    if src.split(".")[0] == pkg.name:
                        target = f"{src}.{a.name}"
                        if (pkg.parent / Path(*target.split("."))).with_suffix(".py").is_file():
                            module_aliases[a.asname or a.name] = target
                        elif a.name.startswith("_") and not a.name.startswith("__") and src != mod:
                            out.append(f"{rel}:{node.lineno} imports the private name {a.name} of {src}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == pkg.name and a.asname:
                        module_aliases[a.asname] = a.name
            elif isinstance(node, ast.If):
                t = node.test
                name = t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""
                if name == "TYPE_CHECKING":
                    out.append(f"{rel}:{node.lineno}: imports hidden under TYPE_CHECKING (import the type, or a "
                               "protocol of core.protocols)")
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                    isinstance(node.value.value, str):
                for t in node.targets:
                    if isinstance(t, ast.Name) and t.id == node.value.value and t.id in classes:
                        out.append(f"{rel}:{node.lineno}: {t.id} = {t.id!r} is a type placeholder")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in module_aliases and node.attr.startswith("_") and not node.attr.startswith("__"):
                out.append(f"{rel}:{node.lineno} uses the private name {node.attr} of {module_aliases[node.value.id]}")
        for ann in _annotations(tree):
            for sub in ast.walk(ann):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    for word in set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sub.value)):
                        if word in classes and word not in here and word not in imported:
                            out.append(f"{rel}:{ann.lineno}: the annotation {sub.value!r} names {word} of "
                                       "another module without importing it (a type placeholder)")
    return out


def _plugin_packages(plugins: Path) -> dict[str, Path]:
    """Top-level package name -> its folder, for every in-house plugin distribution."""
    return {init.parent.name: init.parent for init in plugins.glob("*/*/__init__.py")
            if init.parent.parent.parent == plugins and init.parent.name not in ("tests", "bench")}


def _plugin_internal_imports(roots, plugins: Path = None) -> list[str]:
    pkgs = _plugin_packages(plugins or PLUGINS)
    out = []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names
                                             if node.module in pkgs and
                                             ((pkgs[node.module] / f"{a.name}.py").is_file()
                                              or (pkgs[node.module] / a.name).is_dir() or a.name.startswith("_"))]
                for name in names:
                    top, _, rest = name.partition(".")
                    if top in pkgs and rest:
                        out.append(f"{path.relative_to(Path(root).parent)}:{node.lineno} imports {name}: use the "
                                   f"public names of the {top} package, not its modules")
    return out


# ---------------------------------------------------------------------------- cycles and re-exports
def _module_map(pkg: Path) -> dict[str, Path]:
    out = {}
    for path in pkg.rglob("*.py"):
        mod = _module_of(path, pkg)
        out[mod.removesuffix(".__init__")] = path
    return out


def _import_graph(pkg: Path) -> dict[str, set[str]]:
    """module -> the modules of ours it imports (anywhere in the file; ``from pkg import submodule`` counts
    as the submodule)."""
    mods = _module_map(pkg)
    graph = {}
    for mod, path in mods.items():
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom):
                src = _resolve(path if path.name != "__init__.py" else path, pkg, node)
                for a in node.names:
                    if f"{src}.{a.name}" in mods:
                        out.add(f"{src}.{a.name}")
                    elif src in mods:
                        out.add(src)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name in mods)
        out.discard(mod)
        graph[mod] = out
    return graph


def _cycles(pkg: Path = None) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph = _import_graph(pkg or PKG)
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _defined_names(path: Path) -> tuple[set[str], dict[str, str]]:
    """(names a module defines at top level, {name: module it imports the name from})."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    defined, imported = set(), {}

    def visit(body):
        for n in body:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(n.name)
            elif isinstance(n, ast.Assign):
                defined.update(e.id for t in n.targets for e in ast.walk(t) if isinstance(e, ast.Name))
            elif isinstance(n, (ast.AnnAssign, ast.AugAssign)) and isinstance(n.target, ast.Name):
                defined.add(n.target.id)
            elif isinstance(n, ast.ImportFrom) and n.module:
                for a in n.names:
                    imported.setdefault(a.asname or a.name, n.module)
            elif isinstance(n, (ast.If, ast.Try)):
                visit(n.body)
                for h in getattr(n, "handlers", []):
                    visit(h.body)
                visit(n.orelse)
    visit(tree.body)
    return defined, imported


def _reexport_imports(roots=None, pkg: Path = None) -> list[str]:
    """``from workstation.x import name`` where x does not define ``name`` but imports it from elsewhere."""
    pkg = pkg or PKG
    mods = _module_map(pkg)
    tables = {}
    out = []
    for root in roots or [pkg]:
        for path in sorted(Path(root).rglob("*.py")):
            if ".venv" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                    continue
                if node.module.split(".")[0] != pkg.name or node.module not in mods:
                    continue
                if node.module not in tables:
                    tables[node.module] = _defined_names(mods[node.module])
                defined, imported = tables[node.module]
                for a in node.names:
                    if a.name in defined or f"{node.module}.{a.name}" in mods or a.name not in imported:
                        continue
                    out.append(f"{path}:{node.lineno}: {a.name} is imported from {node.module}, which only "
                               f"imports it from {imported[a.name]}: import it from where it is defined")
    return out


def test_no_import_cycles():
    c = _cycles()
    assert not c, "modules that import each other:\n" + "\n".join(" <-> ".join(g) for g in c)


def test_names_are_imported_from_where_they_are_defined():
    v = _reexport_imports([PKG, REPO / "tests", BENCH, PLUGINS])
    assert not v, "\n".join(v)


def test_cycle_and_reexport_checkers_catch_violations(tmp_path):
    fake = tmp_path / "workstation"
    (fake / "io").mkdir(parents=True)
    (fake / "io" / "__init__.py").write_text("")
    (fake / "io" / "a.py").write_text("from workstation.io.b import g\n\ndef f():\n    return g()\n")
    (fake / "io" / "b.py").write_text("def g():\n    from workstation.io import a\n    return a\n")
    (fake / "io" / "c.py").write_text("from workstation.io.b import g\n")
    assert _cycles(fake) == [["workstation.io.a", "workstation.io.b"]]
    (fake / "io" / "d.py").write_text("from workstation.io.c import g\nfrom workstation.io.a import f\n")
    got = _reexport_imports([fake], fake)
    assert len(got) == 1 and "g is imported from workstation.io.c" in got[0], got


def test_visible_edges():
    v = _edge_violations()
    assert not v, "hidden edges:\n" + "\n".join(v)


def test_cli_and_bench_use_plugins_through_their_public_names():
    v = _plugin_internal_imports([PKG, BENCH])
    assert not v, "\n".join(v)


def test_edge_checker_catches_each_violation(tmp_path):
    fake = tmp_path / "workstation"
    (fake / "render").mkdir(parents=True)
    (fake / "analysis").mkdir()
    (fake / "analysis" / "model.py").write_text("class Session:\n    pass\n\ndef _helper():\n    pass\n")
    (fake / "render" / "ok.py").write_text('class Job:\n    def start(self) -> "Job":\n        return self\n')
    assert _edge_violations(fake) == []
    bad = {
        "placeholder.py": 'Session = "Session"\n',
        "quoted.py": 'def draw(s: "Session") -> None:\n    pass\n',
        "hidden.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workstation.analysis.model import Session\n",
        "private_import.py": "from workstation.analysis.model import _helper\n",
        "private_attr.py": "from workstation.analysis import model\nmodel._helper()\n",
    }
    for name, text in bad.items():
        (fake / "render" / name).write_text(text)
        got = [v for v in _edge_violations(fake) if name in v]
        assert len(got) == 1, (name, got)
        (fake / "render" / name).unlink()


def test_plugin_import_checker_catches_internals(tmp_path):
    plugins = tmp_path / "plugins"
    pkg = plugins / "some-plugin" / "some_plugin"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .core import run\n")
    (pkg / "core.py").write_text("def run():\n    pass\n")
    src = tmp_path / "cli"
    src.mkdir()
    (src / "good.py").write_text("import some_plugin\nfrom some_plugin import run\n")
    assert _plugin_internal_imports([src], plugins) == []
    for text in ("from some_plugin.core import run\n", "from some_plugin import core\n", "import some_plugin.core\n"):
        (src / "bad.py").write_text(text)
        assert len(_plugin_internal_imports([src], plugins)) == 1, text


def test_layer_rules_static():
    v = _violations()
    assert not v, "layer rule violations:\n" + "\n".join(v)


def test_rule_checker_catches_a_violation(tmp_path, monkeypatch):
    fake = tmp_path / "workstation"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "bad.py").write_text("import PySide6\nfrom workstation.io import loader\n")
    (fake / "report").mkdir()
    (fake / "report" / "bad.py").write_text("import distributed\nfrom workstation.batch import engine\n")
    (fake / "batch").mkdir()
    (fake / "batch" / "ok.py").write_text("import distributed\nfrom workstation.analysis import reading\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", fake)
    v = _violations()
    assert len(v) == 4, v
    assert not [x for x in v if "batch/ok.py" in x]


@pytest.mark.parametrize("modules,forbidden", [
    ("workstation.core, workstation.io.loader, workstation.io.db, workstation.io.nifti, workstation.tasks",
     ("PySide6", "vtkmodules", "numba")),
    ("workstation.analysis.registration.resample, workstation.analysis.suv.factor", ("PySide6", "vtkmodules", "numba")),
    ("workstation.kernels", ("PySide6", "vtkmodules")),
    ("workstation.cli", ("PySide6", "vtkmodules", "numba", "dask", "distributed", "pyarrow")),
    ("workstation.batch.tasks, workstation.batch.select, workstation.batch.store", ("PySide6", "vtkmodules", "dask")),
    ("workstation.net.scp, workstation.net.scu, workstation.net.web", ("PySide6", "vtkmodules", "numba")),
])
def test_lower_layers_import_headless(modules, forbidden):
    code = (f"import sys, importlib\nfor m in '{modules}'.split(', '): importlib.import_module(m)\n"
            f"bad = [m for m in {forbidden!r} if m in sys.modules]\nprint(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing {modules} pulled in {out}"
