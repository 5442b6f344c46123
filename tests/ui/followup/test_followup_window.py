"""The side-by-side follow-up window on the follow-up demo: linked crosshairs through the
registration, the change table, lesions coloured where the reading found them."""

import numpy as np
import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module")
def fwin(followup_reading, qapp):
    from workstation.ui.followup.window import FollowupWindow

    import copy

    rd, truth, _ = followup_reading
    rd = copy.copy(rd)  # the window edits matches and names: not those of the shared reading
    rd.matches, rd.names, rd.edits = list(rd.matches), dict(rd.names), list(rd.edits)
    w = FollowupWindow(rd)
    w.resize(1400, 900)
    w.show()
    yield w, rd, truth
    w.close()


def _patch(img, x, y, r=1):
    return np.median(img[int(y) - r:int(y) + r + 1, int(x) - r:int(x) + r + 1].reshape(-1, 3).astype(int), axis=0)


def test_change_table_lists_every_lesion(fwin):
    w, rd, _ = fwin
    rows = rd.rows()
    assert w.table.rowCount() == len(rows) == 5
    statuses = [w.table.item(n, 1).text() for n in range(len(rows))]
    assert sorted(statuses) == ["disappeared", "matched", "matched", "matched", "new"]
    for n, r in enumerate(rows):
        assert w.table.item(n, 0).text() == r.name == r.key
        assert w.table.item(n, 10).text() == r.percist and w.table.item(n, 11).text() == r.eortc
        assert w.table.item(n, 2).text().startswith(f"{r.baseline.suvmax:.2f}")
    assert "PERCIST: PMD" in w.summary_label.text()


def test_crosshairs_linked_through_the_registration(fwin):
    w, rd, _ = fwin
    b, f = w.sessions["baseline"], w.sessions["followup"]
    matched = [r for r in rd.rows() if r.status == "matched"]
    assert matched
    for r in matched:
        b.set_crosshair(r.baseline.centre_world)
        # the follow-up crosshair lands on the same lesion (its follow-up centroid), within a CT voxel
        assert np.linalg.norm(f.crosshair - np.asarray(r.followup.centre_world)) < 6.0, r.key
        assert np.linalg.norm(f.crosshair - rd.carry_to_followup(b.crosshair)) < 3.5
    # scrolling the follow-up moves the baseline to the same anatomy
    before = b.crosshair.copy()
    f.scroll("axial", 3)
    assert np.linalg.norm(b.crosshair - rd.carry_to_baseline(f.crosshair)) < 3.5
    assert b.crosshair[2] > before[2] + 5
    # unlinked: raw world coordinates
    w.link_check.setChecked(False)
    b.set_crosshair(matched[0].baseline.centre_world)
    assert np.linalg.norm(f.crosshair - b.crosshair) < 3.5
    w.link_check.setChecked(True)
    assert np.linalg.norm(f.crosshair - rd.carry_to_followup(b.crosshair)) < 3.5


def test_selecting_the_new_lesion_shows_it_hot_at_follow_up_only(fwin):
    w, rd, _ = fwin
    rows = rd.rows()
    n = next(i for i, r in enumerate(rows) if r.status == "new")
    w.sessions["followup"].set_pet_preset("SUV 0-10")
    w.sessions["baseline"].set_pet_preset("SUV 0-10")
    w.table.selectRow(n)
    c_fu = np.asarray(rows[n].followup.centre_world)
    assert np.linalg.norm(w.sessions["followup"].crosshair - c_fu) < 3.5
    imgs = {k: w.views[k].render_now() for k in ("baseline", "followup")}
    # a point 3 mm off the crosshair lines (which are drawn over the image) on the lesion
    pts = {"followup": c_fu + [3.0, 3.0, 0.0], "baseline": rd.carry_to_baseline(c_fu) + [3.0, 3.0, 0.0]}
    hot = {k: _patch(imgs[k], *w.views[k].world_to_widget(pts[k])) for k in imgs}
    assert hot["followup"][0] > 150 and hot["followup"][0] > hot["followup"][2] + 60  # SUV ~8: orange
    assert hot["baseline"][0] < hot["followup"][0] - 60  # lung background at baseline: dark


def test_unlink_link_and_rename_from_the_table(fwin):
    w, rd, _ = fwin
    rows = rd.rows()
    m = next(i for i, r in enumerate(rows) if r.status == "matched")
    key, f_idx = rows[m].key, rows[m].followup_index
    w.table.clearSelection()
    w.table.selectRow(m)
    assert w.unlink_button.isEnabled() and not w.link_button.isEnabled()
    w.unlink_button.click()
    assert w.table.rowCount() == len(rows) + 1
    rows2 = rd.rows()
    gone = next(i for i, r in enumerate(rows2) if r.key == key)
    assert rows2[gone].status == "disappeared"
    new = next(i for i, r in enumerate(rows2) if r.status == "new" and r.followup_index == f_idx)
    w.table.clearSelection()
    w.table.selectRow(gone)
    w.table.selectionModel().select(w.table.model().index(new, 0),
                                    w.table.selectionModel().SelectionFlag.Select
                                    | w.table.selectionModel().SelectionFlag.Rows)
    assert w.link_button.isEnabled()
    w.link_button.click()
    assert w.table.rowCount() == len(rows)
    back = next(r for r in rd.rows() if r.key == key)
    assert back.status == "matched" and back.followup_index == f_idx
    w.table.clearSelection()
    w.table.selectRow(m)
    w.name_edit.setText("liver S7")
    w.rename_button.click()
    assert w.table.item(m, 0).text() == "liver S7"


def test_compare_with_previous_from_the_viewer(qtbot, followup_demo, tmp_path):
    """The viewer's "Compare with previous": the earlier study of the same patient is the baseline,
    the reading runs on a worker thread with a progress dialog (cancel stops it), the window opens
    with the registration proposed; accepted, it is stored and used when the pair is opened again,
    and so are the reader's unlink and rename; undo goes back to the proposal."""
    from workstation.analysis.followup import store as FS
    from workstation.io.db import StudyDB
    from workstation.ui.followup.open_previous import earlier_studies
    from workstation.ui.reader.main_window import MainWindow

    out, truth = followup_demo
    db = StudyDB(tmp_path / "studies.sqlite")
    try:
        db.import_paths([out])
        studies = sorted(db.studies(), key=lambda r: (r.study_date, r.study_time))
        assert len(studies) == 2 and studies[0].patient_key == studies[1].patient_key
        base_uid, fu_uid = studies[0].study_uid, studies[1].study_uid
        assert [r.study_uid for r in earlier_studies(db, fu_uid)] == [base_uid]
        assert earlier_studies(db, base_uid) == []
        win = MainWindow(db)
        qtbot.addWidget(win)
        launcher = win.followup
        # nothing open: a clear message, no job
        assert launcher.compare_with_previous() is None and "Open a PET study" in launcher.last_error
        win.load_study(fu_uid)
        qtbot.waitUntil(lambda: win.session is not None and not win.busy(), timeout=300_000)
        # cancelled at once: no window, the message says so
        job = launcher.compare_with_previous()
        assert launcher.dialog is not None and launcher.dialog.isVisible()
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QPushButton

        launcher.dialog.findChild(QPushButton).click()  # the dialog's Cancel button
        qtbot.waitUntil(lambda: job.is_settled(), timeout=300_000)
        qtbot.waitUntil(lambda: "cancelled" in launcher.last_error, timeout=10_000)
        assert launcher.windows == []
        # the whole reading: progress reported, the window opens, the UI stayed responsive meanwhile
        fractions = []
        job = launcher.compare_with_previous()
        job.progressed.connect(lambda f, m: fractions.append(f))
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(50)
        qtbot.waitUntil(lambda: bool(launcher.windows), timeout=900_000)
        timer.stop()
        assert len(ticks) > 10  # the event loop ran while the reading was computed
        assert fractions and 0 < max(fractions) <= 1.0
        w = launcher.windows[0]
        rd = w.reading
        assert sorted(r.status for r in rd.rows()) == ["disappeared", "matched", "matched", "matched", "new"]
        assert rd.response("percist").category == truth["followup"]["patient"]["percist"]
        assert any("liver VOI found automatically" in n for n in rd.registration["notes"])
        assert w.registration_state.text() == "proposed, not stored"
        assert w.accept_button.isEnabled() and not w.undo_button.isEnabled()
        proposed = rd.followup_from_baseline.copy()
        w.accept_button.click()
        assert w.registration_state.text() == "stored (version 1)" and not w.accept_button.isEnabled()
        assert np.allclose(FS.stored_registration(db, rd).matrix, proposed)
        # the reader unlinks a pair and renames a lesion: stored at once
        n = next(i for i, r in enumerate(rd.rows()) if r.status == "matched")
        key = rd.rows()[n].key
        w.table.selectRow(n)
        w.unlink_button.click()
        assert next(r for r in rd.rows() if r.key == key).status == "disappeared"
        m = next(i for i, r in enumerate(rd.rows()) if r.status == "matched")
        w.table.selectRow(m)
        w.name_edit.setText("segment 7")
        w.rename_button.click()
        renamed = rd.rows()[m].key
        assert [e["op"] for e in db.followup_edits(*FS.pair_uids(rd))] == ["unlink", "rename"]
        w.close()
        # opened again: the stored registration (not computed again) and the edits come back
        job = launcher.compare_with_previous()
        qtbot.waitUntil(lambda: bool(launcher.windows) and launcher.windows[-1] is not w, timeout=900_000)
        w2 = launcher.windows[-1]
        rd2 = w2.reading
        assert rd2.registration.get("stored_version") == 1 and "proposed" not in rd2.registration
        assert np.allclose(rd2.followup_from_baseline, proposed)
        assert w2.registration_state.text() == "stored (version 1)" and w2.undo_button.isEnabled()
        assert next(r for r in rd2.rows() if r.key == key).status == "disappeared"
        assert next(r for r in rd2.rows() if r.key == renamed).name == "segment 7"
        assert w2.table.item(m, 0).text() == "segment 7"
        # undo: nothing stored any more; with no proposal computed this time, the scanner's coordinates
        w2.undo_button.click()
        assert FS.stored_registration(db, rd2) is None
        assert np.allclose(rd2.followup_from_baseline, np.eye(4))
        assert w2.registration_state.text() == "scanner coordinates (no registration)" and w2.accept_button.isEnabled()
        w2.show()
        w2.resize(1600, 1000)
        qtbot.wait(200)
        for v in w2.views.values():
            v.render_now()
        w2.grab().save(str(tmp_path / "followup-window.png"), "PNG")  # looked at by hand
        print("screenshot", tmp_path / "followup-window.png")
        w2.close()
    finally:
        if "win" in locals():  # a failed test leaves no job running on the closed database
            job = win.followup.jobs.job
            win.followup.jobs.clear()
            win.cancel_work()
            qtbot.waitUntil(lambda: (job is None or job.is_settled()) and not win.busy(), timeout=300_000)
        db.close()
