"""Restoring an autosave asks first and can be undone (registration resampled off the UI thread);
SR and RWVM files read back into the viewer as values; Export › Everything into a folder.

The viewer runs the small synthetic PET of tests/export_study.py (PET only).
"""

from __future__ import annotations

import threading

import numpy as np
import pydicom
import pytest

from export_study import write_pet
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui]


@pytest.fixture(scope="module")
def pet_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("reading-results")
    write_pet(root / "pet")
    return root / "pet"


def _open(qtbot, pet_dir):
    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(900, 700)
    w.show()
    w.load_folder(str(pet_dir))
    qtbot.waitUntil(lambda: w.session is not None, timeout=240_000)
    return w


def _names(w):
    return [v.name for v in w.voi_panel.model.vois.values()]


def test_restoring_an_autosave_asks_first_and_can_be_undone(qtbot, pet_dir):
    w = _open(qtbot, pet_dir)
    p = w.persistence
    assert p.restore_prompt is None  # nothing stored yet
    opened_window = tuple(w.session.pet_window)
    c = w.session.pet.geometry.kji_to_world(np.array([8.0, 10.0, 8.0]))
    w.voi_panel.model.add_sphere(c, 7.0, name="autosaved sphere")
    w.session.set_pet_window(1.0, 7.0)
    p.autosave()
    assert p.autosaved_at is not None
    w.close()
    # the user's remembered choices (settings.viewer_prefs: the PET window just set) are not what this test
    # is about: forget them, so that only a restore can bring back the autosaved window
    from workstation.settings.viewer_prefs import prefs_path

    prefs_path().unlink(missing_ok=True)

    w = _open(qtbot, pet_dir)
    p = w.persistence
    # asked, not applied yet; the autosave stays in the store while the question is open
    assert p.restore_prompt is not None and p.restore_prompt.isVisible()
    assert _names(w) == [] and tuple(w.session.pet_window) == opened_window
    assert not p.undo_restore_action.isEnabled()
    w.voi_panel.model.add_sphere(c, 5.0, name="new edit")  # an edit while asked: not autosaved over the old work
    p.autosave()
    assert p._store().load(p.study_uid, p.key, "autosave").state["vois"][0]["name"] == "autosaved sphere"
    p.restore_button.click()
    assert p.restore_prompt is None and p.restored_from == "autosave"
    assert _names(w) == ["autosaved sphere"] and tuple(w.session.pet_window) == (1.0, 7.0)
    assert w.voi_panel.model.vois[next(iter(w.voi_panel.model.vois))].stats.voxels > 0
    # undo: the reading as it was just before the restore (with the edit made meanwhile)
    assert p.undo_restore_action.isEnabled()
    p.undo_restore_action.trigger()
    assert _names(w) == ["new edit"] and tuple(w.session.pet_window) == opened_window
    assert not p.undo_restore_action.isEnabled()
    assert p._store().load(p.study_uid, p.key, "autosave") is not None  # undoing a restore loses nothing
    w.close()

    w = _open(qtbot, pet_dir)
    p = w.persistence
    assert p.restore_prompt is not None
    p.discard_button.click()
    assert _names(w) == [] and p._store().load(p.study_uid, p.key, "autosave") is None
    p.undo_restore()  # undo the discard: the autosave is back, in the store and on screen
    assert p._store().load(p.study_uid, p.key, "autosave") is not None
    assert _names(w) == ["autosaved sphere"] and tuple(w.session.pet_window) == (1.0, 7.0)
    p.save()  # a saved reading is restored without asking next time
    w.close()

    w = _open(qtbot, pet_dir)
    p = w.persistence
    assert p.restore_prompt is None and p.restored_from == "saved" and _names(w) == ["autosaved sphere"]
    p.undo_restore()
    assert _names(w) == []
    w.close()


def test_registration_is_restored_off_the_ui_thread(qtbot, pet_dir):
    from workstation.io.sessions import StoredSession

    w = _open(qtbot, pet_dir)
    p, s = w.persistence, w.session
    t = np.eye(4)
    t[:3, 3] = [4.0, -6.0, 3.0]
    state = p.capture()
    state["registration"] = {"pet_from_anat": t.tolist(), "note": "manual nudge"}
    threads = []
    original = s.compute_pet_arrays

    def spy(transform, progress=None):
        threads.append(threading.current_thread())
        return original(transform, progress)

    s.compute_pet_arrays = spy
    p.restore(StoredSession("saved", state, 0.0))
    job = p.registration_job
    assert job is not None
    qtbot.waitUntil(lambda: job.is_settled() and np.allclose(s.pet_from_anat, t), timeout=60_000)
    assert threads and all(th is not threading.main_thread() for th in threads)
    assert s.registration_note == "manual nudge"
    p.undo_restore()  # back to the scanner alignment, again off the UI thread
    qtbot.waitUntil(lambda: np.allclose(s.pet_from_anat, np.eye(4)), timeout=60_000)
    assert len(threads) == 2 and threads[1] is not threading.main_thread()
    w.close()


def test_sr_and_rwvm_read_back_as_values(qtbot, pet_dir, tmp_path, refdata):
    w = _open(qtbot, pet_dir)
    p = w.persistence
    if p.restore_prompt is not None:
        p.discard_button.click()
    model = w.voi_panel.model
    model.clear()
    g = w.session.pet.geometry
    sph = model.add_sphere(g.kji_to_world(np.array([8.0, 10.0, 8.0])), 7.0, name="s")
    out = tmp_path / "all"
    out.mkdir()
    job = p.export_to("all", str(out))
    qtbot.waitUntil(lambda: job.is_settled(), timeout=180_000)
    assert not job.error, job.error
    assert sorted(x.name for x in out.iterdir()) == ["key-lesion-1.dcm", "key-mip.dcm", "report.pdf", "rwvm.dcm",
                                                     "seg.dcm", "sr.dcm"]
    # the key image is drawn as the PET view shows it: the session's colour map and window
    key = pydicom.dcmread(out / "key-lesion-1.dcm")
    assert "PET" in key.ImageComments

    # the SEG as VOIs, then the SR as values next to them
    model.clear()
    assert p.import_seg(str(out / "seg.dcm")) == 1
    assert p.import_results(str(out / "sr.dcm")) == "sr"
    rw = p.results_window
    assert rw.isVisible() and rw.table.rowCount() == 1
    assert rw.cell(0, 0) == "Lesion 1" and rw.cell(0, 1) == "1" and rw.cell(0, 2) == "Lesion 1"
    assert _names(w) == ["Lesion 1"]
    assert float(rw.cell(0, 3)) == pytest.approx(sph.stats.max, abs=5e-4)
    assert float(rw.cell(0, 5)) == pytest.approx(sph.stats.mean, abs=5e-4)
    assert float(rw.cell(0, 6)) == pytest.approx(sph.stats.volume_ml, abs=5e-4)
    assert float(rw.cell(0, 7)) == pytest.approx(sph.stats.tlg, abs=5e-4)

    # our RWVM: same factor as ours, image by image
    assert p.import_results(str(out / "rwvm.dcm")) == "rwvm"
    cmp = rw.rwvm
    assert cmp.mapped == cmp.instances == g.shape[0] and cmp.agrees
    assert cmp.file_factor == pytest.approx(w.session.suv.result.factor, rel=1e-6)
    assert "agrees" in rw.rwvm_label.text()
    # a RWVM with a factor 10 % off is reported as different
    ds = pydicom.dcmread(out / "rwvm.dcm")
    for item in ds.ReferencedImageRealWorldValueMappingSequence:
        m = item.RealWorldValueMappingSequence[0]
        m.RealWorldValueSlope = float(m.RealWorldValueSlope) * 1.1
    ds.save_as(tmp_path / "off.dcm")
    assert p.import_results(str(tmp_path / "off.dcm")) == "rwvm"
    assert not rw.rwvm.agrees and rw.rwvm.max_relative_difference == pytest.approx(0.1, rel=1e-6)
    assert "DIFFERS" in rw.rwvm_label.text()
    # another series' RWVM (dcmqi example) maps none of our images; the dcmqi SR lists its values
    d = refdata / "dcmqi-qin-headneck-sr-example"
    if d.is_dir():
        assert p.import_results(str(d / "rwvm.dcm")) == "rwvm" and rw.rwvm.mapped == 0
        assert p.import_results(str(d / "sr.dcm")) == "sr" and rw.table.rowCount() >= 1
        assert any(r["suvmax"] == pytest.approx(10.3814, rel=1e-4) for r in rw.rows)
    # not an SR or RWVM: one line, nothing shown
    assert p.import_results(str(out / "seg.dcm")) is None and "neither" in w.message_label.text()
    assert p.import_results(str(tmp_path / "missing.dcm")) is None
    w.close()


def test_exported_key_image_is_the_fused_view(qtbot, demo_study, tmp_path):
    """On the demo PET/CT: the key image of a VOI is CT grey with the PET in the views' colour map on top."""
    out, truth = demo_study
    w = _open(qtbot, out)
    p, s = w.persistence, w.session
    if p.restore_prompt is not None:
        p.discard_button.click()
    les = next(x for x in truth["lesions"] if x["name"] == "lung_left_upper")
    c = np.asarray(les["centre_lps_mm"], float)
    model = w.voi_panel.model
    model.clear()
    model.add_sphere(c, 8.0, name="key")
    s.set_colormap("hot iron")
    s.set_pet_window(2.5, 12.0)  # the lower end above the body's background: the anatomy alone shows there
    job = p.export_to("sc", str(tmp_path / "key.dcm"))
    qtbot.waitUntil(lambda: job.is_settled(), timeout=180_000)
    assert not job.error, job.error
    ds = pydicom.dcmread(tmp_path / "key-lesion-1.dcm")
    assert "fused" in ds.ImageComments
    px = ds.pixel_array.astype(int)
    grey = (px[..., 0] == px[..., 1]) & (px[..., 1] == px[..., 2])
    # CT anatomy (dark lung, soft tissue, bright bone) in grey around the lesion
    assert grey.mean() > 0.5 and np.ptp(px[grey][:, 0]) > 150
    # the lesion (SUV about 8) in hot iron at the image position of its centre: rows anterior→posterior,
    # columns right→left, from the PET's LPS corner
    from workstation.analysis.reading.key_images import lps_corner

    g = s.pet.geometry
    lo = lps_corner(g)
    mm = float(ds.PixelSpacing[0])
    row = int((c[1] - lo[1] + g.spacing[1] / 2) / mm)
    col = int((c[0] - lo[0] + g.spacing[0] / 2) / mm)
    patch = px[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3)
    assert (patch[:, 0] > patch[:, 2] + 60).all(), patch
    w.close()


def test_a_closed_window_autosaves_at_once_and_never_later(qtbot, pet_dir, monkeypatch):
    """Unsaved work is autosaved when its window closes, and no autosave timer outlives the window: a second
    window that saves the reading afterwards stays the newest (a closed window's timer used to fire later
    and put an older autosave on top, so the next opening asked to restore stale work)."""
    monkeypatch.setenv("WORKSTATION_AUTOSAVE_MS", "300")
    a = _open(qtbot, pet_dir)
    c = a.session.pet.geometry.kji_to_world(np.array([8.0, 10.0, 8.0]))
    a.voi_panel.model.add_sphere(c, 6.0, name="work of window A")  # dirty; the timer runs
    assert a.persistence.dirty and a.persistence.timer.isActive()
    store, study, key = a.persistence._store(), a.persistence.study_uid, a.persistence.key
    a.close()
    assert not a.persistence.timer.isActive()
    auto = store.load(study, key, "autosave")
    assert auto is not None and auto.state["vois"][0]["name"] == "work of window A"  # kept at the close
    b = _open(qtbot, pet_dir)
    b.persistence.restore_button.click()
    b.voi_panel.model.add_sphere(c, 4.0, name="saved in window B")
    b.persistence.save()
    a.voi_panel.model.add_sphere(c, 3.0, name="late edit of closed A")  # a late event of the closed window
    qtbot.wait(900)  # three autosave delays
    latest = b.persistence._store().latest(study, key)
    assert latest.kind == "saved"
    assert [v["name"] for v in latest.state["vois"]] == ["work of window A", "saved in window B"]
    b.close()
