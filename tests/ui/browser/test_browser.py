"""Study browser over a real StudyDB: import with progress, identity switch, double-click to read."""

import pytest

from workstation.io.db import StudyDB
from workstation.ui.browser.study_browser import StudyBrowser
from workstation.ui.reader.main_window import MainWindow

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
        assert not br.progress.isHidden()  # shown as soon as the import starts
        qtbot.waitUntil(lambda: job.is_settled() and br.tree.topLevelItemCount() == 1, timeout=120_000)
        assert fractions and max(fractions) <= 1.0
        qtbot.waitUntil(lambda: br.progress.isHidden(), timeout=10_000)  # and hidden when it is done
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
    qtbot.waitUntil(lambda: job.is_settled(), timeout=120_000)
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5_000)
    assert win.session is None and "cancelled" in win.message_label.text()
    # ``done`` follows ``cancelled`` (both queued to the UI thread): the bar hides once it is delivered
    qtbot.waitUntil(lambda: win.progress_bar.isHidden() and win.cancel_button.isHidden(), timeout=5_000)


def test_browser_without_database(qtbot):
    br = StudyBrowser(None)
    qtbot.addWidget(br)
    assert "No study database" in br.status.text()


# ---------------------------------------------------------------------- pairing
def _write_study(root, n_pet=2, n_ct=2):
    """A study with several PET and CT series; PET #11 shares CT #3's frame of reference."""
    import numpy as np
    from pydicom.uid import generate_uid

    from workstation.testing.dicom_factory import write_series

    study = generate_uid()
    uids = {}
    for n in range(n_ct):
        uids[f"ct{n}"] = generate_uid()
        write_series(root / f"ct{n}", np.full((4 + n, 8, 8), 40 * n, np.int16), origin=(-16, -16, -8),
                     spacing_ijk=(4, 4, 4), study_uid=study, series_uid=uids[f"ct{n}"], for_uid=f"1.{n}",
                     series_number=2 + n, description=f"CT {n}")
    for n in range(n_pet):
        uids[f"pt{n}"] = generate_uid()
        write_series(root / f"pt{n}", np.full((3 + n, 6, 6), 100 * (n + 1), np.int16), origin=(-18, -18, -9),
                     spacing_ijk=(6, 6, 6), modality="PT", study_uid=study, series_uid=uids[f"pt{n}"],
                     for_uid=f"1.{n}", series_number=10 + n, description=f"PET {n}")
    return study, uids


@pytest.fixture
def multi_db(tmp_path):
    study, uids = _write_study(tmp_path / "data")
    db = StudyDB(tmp_path / "studies.sqlite")
    db.import_paths([tmp_path / "data"])
    yield db, study, uids
    db.close()


def test_pair_dialog_lists_series_and_flags_frames_of_reference(qtbot, multi_db):
    from workstation.ui.browser.study_browser import PairDialog, pair_candidates

    db, study, uids = multi_db
    pets, anats = pair_candidates(db.series(study))
    assert sorted(s.series_uid for s in pets) == sorted([uids["pt0"], uids["pt1"]])
    dlg = PairDialog(pets, anats, uids["pt1"], uids["ct1"])
    qtbot.addWidget(dlg)
    assert dlg.pet_box.count() == 2 and dlg.anat_box.count() == 2
    assert dlg.chosen() == (uids["pt1"], uids["ct1"]) and dlg.same_frame_of_reference()
    assert "Same frame" in dlg.note.text()
    dlg.anat_box.setCurrentIndex(dlg.anat_box.findData(uids["ct0"]))
    assert dlg.chosen() == (uids["pt1"], uids["ct0"]) and dlg.same_frame_of_reference() is False
    assert "registration" in dlg.note.text()
    assert "PT #11" in dlg.pet_box.currentText() and "4 slices" in dlg.pet_box.currentText()


def _auto_answer(monkeypatch, pet_uid=None, anat_uid=None, accept=True):
    """Answer the pairing dialog without a user (exec would block): choose, then OK or Cancel."""
    from PySide6.QtWidgets import QDialog

    from workstation.ui.browser.study_browser import PairDialog

    seen = []

    def exec_(dlg):
        seen.append(dlg.chosen())
        for box, uid in ((dlg.pet_box, pet_uid), (dlg.anat_box, anat_uid)):
            if uid:
                box.setCurrentIndex(box.findData(uid))
        return QDialog.DialogCode.Accepted if accept else QDialog.DialogCode.Rejected

    monkeypatch.setattr(PairDialog, "exec", exec_)
    return seen


def test_reader_chooses_the_pair_and_the_window_reads_it(qtbot, multi_db, monkeypatch):
    db, study, uids = multi_db
    win = MainWindow(db)
    qtbot.addWidget(win)
    seen = _auto_answer(monkeypatch, uids["pt0"], uids["ct1"])
    item = win.browser.tree.topLevelItem(0)
    win.browser.tree.itemDoubleClicked.emit(item, 0)
    assert seen == [(uids["pt1"], uids["ct1"])]  # preselected: the largest PET with a CT of its frame
    qtbot.waitUntil(lambda: win.session is not None, timeout=60_000)
    s = win.session
    assert (s.pet.series_uid, s.anatomical.series_uid) == (uids["pt0"], uids["ct1"])
    assert s.pet.shape[0] == 3 and s.anatomical.shape[0] == 5  # really those series' voxels
    # frames of reference differ: the window offers registration and the nudge
    assert "differ" in win.message_label.text()
    assert {b.text() for b in win.registration_offer.buttons()} == {"Register now", "Nudge by hand"}
    win.registration_offer.close()
    win.cancel_work()


def test_double_clicked_series_is_preselected_and_cancel_reads_nothing(qtbot, multi_db, monkeypatch):
    db, study, uids = multi_db
    win = MainWindow(db)
    qtbot.addWidget(win)
    seen = _auto_answer(monkeypatch, accept=False)
    study_item = win.browser.tree.topLevelItem(0)
    child = next(study_item.child(i) for i in range(study_item.childCount())
                 if study_item.child(i).text(0).startswith("#10 "))
    loads = []
    win.browser.pair_activated.connect(lambda *a: loads.append(a))
    win.browser.tree.itemDoubleClicked.emit(child, 0)
    assert seen == [(uids["pt0"], uids["ct0"])]  # PET #10, and the CT sharing its frame of reference
    assert loads == [] and win.load_jobs.job is None and win.session is None


def test_single_pair_study_opens_without_asking(qtbot, tmp_path, monkeypatch):
    study, uids = _write_study(tmp_path / "data", n_pet=1, n_ct=1)
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.import_paths([tmp_path / "data"])
        br = StudyBrowser(db)
        qtbot.addWidget(br)
        seen = _auto_answer(monkeypatch)
        got = []
        br.pair_activated.connect(lambda *a: got.append(a))
        assert br.read_study(study)
        assert seen == [] and got == [(study, uids["pt0"], uids["ct0"])]
