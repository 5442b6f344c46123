"""Study browser over a real StudyDB: import with progress, identity switch, double-click to read."""

import pytest

from workstation.io.db import StudyDB
from workstation.ui.browser import StudyBrowser
from workstation.ui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_import_list_and_open(qtbot, tmp_path, demo_study):
    out, truth = demo_study
    db = StudyDB(tmp_path / "studies.sqlite")
    try:
        win = MainWindow(db)
        qtbot.addWidget(win)
        br = win.browser
        assert br.tree.topLevelItemCount() == 0
        fractions = []
        job = br.import_folder(str(out))
        job.progressed.connect(lambda f, m: fractions.append(f))
        assert not br.progress.isHidden() or not job.is_running()
        qtbot.waitUntil(lambda: not job.is_running() and br.tree.topLevelItemCount() == 1, timeout=120_000)
        assert fractions and max(fractions) <= 1.0
        study = br.tree.topLevelItem(0)
        assert study.childCount() == 2
        mods = sorted(study.child(i).text(0).split()[-1] for i in range(2))
        assert mods == ["CT", "PT"]
        assert truth["patient"]["patient_id"] in study.text(0)
        win.anon_check.setChecked(True)
        study = br.tree.topLevelItem(0)
        assert truth["patient"]["patient_id"] not in study.text(0) and "hidden" in study.text(0)
        # double-click the study: the reading loads off the UI thread and the grid appears
        br.tree.itemDoubleClicked.emit(study, 0)
        qtbot.waitUntil(lambda: win.session is not None, timeout=180_000)
        assert win.pages.currentWidget() is win.reading
        assert win.session.pet is not None and win.session.anatomical.modality == "CT"
        assert win.session.anonymise
        win.cancel_work()
    finally:
        db.close()


def test_loading_can_be_cancelled(qtbot, demo_study):
    out, _ = demo_study
    win = MainWindow(None)
    qtbot.addWidget(win)
    job = win.load_folder(str(out))
    cancelled = []
    job.cancelled.connect(lambda: cancelled.append(True))
    win.cancel_work()
    qtbot.waitUntil(lambda: not job.is_running(), timeout=120_000)
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5_000)
    assert win.session is None and "cancelled" in win.message_label.text()
    assert win.progress_bar.isHidden()


def test_browser_without_database(qtbot):
    br = StudyBrowser(None)
    qtbot.addWidget(br)
    assert "No study database" in br.status.text()
