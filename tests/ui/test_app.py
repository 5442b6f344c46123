"""The interactive start: `workstation` (no arguments) and `workstation view PATH` (what `make demo`
runs) go through the CLI into ``ui.app.run_viewer``; the Qt event loop is replaced by one that
qtbot drives, the window is checked while shown, then closed."""

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from workstation.cli import main
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def _drive_exec(monkeypatch, qtbot, check):
    """Replace QApplication.exec: find the shown main window, run ``check(win)`` with qtbot driving
    the event loop, close the window and return the exit code 0 (as exec does after the last close)."""
    seen = {}

    def fake_exec(*_args):
        wins = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert len(wins) == 1, wins
        win = seen["win"] = wins[0]
        qtbot.waitExposed(win)
        check(win)
        win.close()
        qtbot.waitUntil(lambda: not win.isVisible())
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    return seen


def test_no_arguments_opens_the_study_browser(qtbot, monkeypatch):
    def check(win):
        assert win.pages.currentWidget() is win.browser
        assert win.session is None and win.db is not None
        assert "studies" in win.browser.status.text()  # the (empty, isolated) study database is listed
        assert not win.register_button.isEnabled()  # reading tools wait for a study

    seen = _drive_exec(monkeypatch, qtbot, check)
    assert main([]) == 0
    assert "win" in seen


def _make_demo_command():
    """The arguments `make demo` passes to the workstation to open the viewer (from the Makefile)."""
    text = MAKEFILE.read_text()
    demo_dir = re.search(r"^DEMO_DIR\s*:=\s*(\S+)", text, re.M).group(1)
    m = re.search(r"\$\(VENV\)/bin/workstation (view [^;\n]*?);", text)
    assert m, "make demo no longer runs `workstation view ...`"
    return m.group(1).replace("$(DEMO_DIR)", demo_dir).split(), demo_dir


def test_make_demo_opens_the_demo_study(qtbot, monkeypatch, demo_study):
    out, truth = demo_study
    argv, demo_dir = _make_demo_command()
    assert argv == ["view", demo_dir]
    argv = [str(out) if a == demo_dir else a for a in argv]  # the demo study written for the tests

    def check(win):
        qtbot.waitUntil(lambda: win.session is not None, timeout=180_000)
        s = win.session
        assert win.pages.currentWidget() is win.reading
        assert s.pet is not None and s.anatomical is not None and s.anatomical.modality == "CT"
        assert s.suv.factor == pytest.approx(truth["suv"]["suv_factor_bw"], rel=1e-4)
        assert set(win.visible_views()) == {f"{k}-{p}" for k in ("ct", "pet", "fused")
                                            for p in ("axial", "coronal", "sagittal")} | {"mip"}
        view = win.views["fused-axial"]
        qtbot.waitUntil(lambda: view.last_image is not None, timeout=30_000)  # painted by the event loop
        assert view.last_image.shape[:2] == (view.height(), view.width()) and np.ptp(view.last_image) > 50

    seen = _drive_exec(monkeypatch, qtbot, check)
    assert main(argv) == 0
    assert not seen["win"].isVisible()


def test_view_of_missing_folder_is_a_one_line_error(tmp_path, capsys):
    assert main(["view", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
