"""The study browser shows UID conflicts (badge, count, tooltip, a table of both files) and copies diagnostics."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from workstation.testing.dicom_factory import write_series

pytestmark = pytest.mark.gui


def _series(folder, **kw):
    return write_series(folder, np.arange(2 * 4 * 4, dtype=np.int16).reshape(2, 4, 4), origin=(0, 0, 0),
                        spacing_ijk=(1, 1, 2), **kw)


@pytest.fixture
def conflicted_db(tmp_path):
    """Three studies: one clean, one with a reused SOP Instance UID, one Study UID under two patients."""
    from workstation.io.db import StudyDB

    _series(tmp_path / "clean", patient_name="CLEAN^ONE", patient_id="C1")
    a = _series(tmp_path / "a", patient_name="SOP^CLASH", patient_id="S1")
    ds = pydicom.dcmread(a[0])
    ds.SeriesDescription = "another image with a reused UID"
    (tmp_path / "b").mkdir()
    ds.save_as(tmp_path / "b" / "clash.dcm")
    study = pydicom.uid.generate_uid()
    _series(tmp_path / "p1", study_uid=study, patient_name="FIRST^PATIENT", patient_id="ID1")
    second = _series(tmp_path / "p2", study_uid=study, patient_name="SECOND^PATIENT", patient_id="ID2")
    db = StudyDB(tmp_path / "db.sqlite")
    db.import_paths([tmp_path / "clean", tmp_path / "a", tmp_path / "b", tmp_path / "p1", tmp_path / "p2"])
    yield db, dict(sop=ds, sop_files=(tmp_path / "b" / "clash.dcm", a[0]), study=study, second=second)
    db.close()


def test_conflicts_are_badged_and_listed(qtbot, conflicted_db):
    from workstation.ui.browser.study_browser import StudyBrowser
    from workstation.ui.browser.roles import CONFLICTS_ROLE, STUDY_UID_ROLE

    db, facts = conflicted_db
    br = StudyBrowser(db)
    qtbot.addWidget(br)
    items = {br.tree.topLevelItem(i).data(0, STUDY_UID_ROLE): br.tree.topLevelItem(i)
             for i in range(br.tree.topLevelItemCount())}
    assert len(items) == 3
    sop_study, other_study = str(facts["sop"].StudyInstanceUID), facts["study"]
    counts = {uid: it.data(0, CONFLICTS_ROLE) for uid, it in items.items()}
    assert counts == {**{u: None for u in items}, sop_study: 1, other_study: 2}  # one per file of the 2nd patient
    clean = next(u for u in items if u not in (sop_study, other_study))
    assert items[clean].icon(0).isNull() and items[clean].toolTip(0) == ""
    assert not items[sop_study].icon(0).isNull()
    assert items[sop_study].text(4).endswith("1 UID conflict(s)")
    assert str(facts["sop"].SOPInstanceUID) in items[sop_study].toolTip(2)
    assert "Same Study UID, different patient" in items[other_study].toolTip(0)
    assert "SECOND" not in items[other_study].toolTip(0)  # the tooltip names UIDs, not the other patient

    items[sop_study].setSelected(True)
    dlg = br.show_conflicts()
    qtbot.addWidget(dlg)
    t = dlg.table
    assert t.rowCount() == 1
    assert [t.item(0, c).text() for c in range(4)] == [
        "Same SOP Instance UID, different file", str(facts["sop"].SOPInstanceUID),
        str(facts["sop_files"][0]), str(facts["sop_files"][1])]
    items[sop_study].setSelected(False)
    items[clean].setSelected(True)
    assert br.show_conflicts() is None and br.status.text() == "No UID conflicts."
    br.tree.clearSelection()
    dlg = br.show_conflicts()  # nothing selected: every conflict
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 3
    assert {dlg.table.item(r, 2).text() for r in range(3)} >= {str(p) for p in facts["second"]}


def test_copy_diagnostics_puts_versions_and_the_log_tail_on_the_clipboard(qtbot, conflicted_db):
    from PySide6.QtWidgets import QApplication

    from workstation.settings.logs import diagnostics_text, log_path
    from workstation.ui.browser.study_browser import StudyBrowser

    db, _ = conflicted_db
    log_path().parent.mkdir(parents=True, exist_ok=True)
    log_path().write_text("2026-01-01 10:00:00 WARNING workstation.io: a line for support\n", encoding="utf-8")
    br = StudyBrowser(db)
    qtbot.addWidget(br)
    QApplication.clipboard().clear()
    br.diagnostics_button.click()
    text = QApplication.clipboard().text()
    assert text == diagnostics_text()
    assert text.startswith("workstation ") and "a line for support" in text and f"log: {log_path()}" in text
    assert "CLEAN" not in text and "FIRST^PATIENT" not in text
    assert br.status.text().startswith("Diagnostics copied to the clipboard")
