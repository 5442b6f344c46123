"""Registration from the window: PET in another frame of reference is aligned in the background."""

import numpy as np
import pytest

from workstation.analysis.reading.session import ReadingSession
from workstation.core.geometry import ImageGeometry
from workstation.ui.reader.main_window import MainWindow
from workstation.testing import synthetic_study as syn

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def _ct_with_lesion():
    """The synthetic CT with the PET's lesion visible (500 HU, its own histogram bin): the body is a cylinder along z and the
    bone marker has no PET counterpart, so without a shared feature nothing pins down z (the
    two-start check rightly reports no clear optimum)."""
    ct = syn.make_ct()

    def hu(xyz):
        v = syn.body_hu(xyz)
        lesion = np.sum((xyz - syn.LESION) ** 2, axis=-1) <= syn.LESION_RADIUS ** 2
        return np.where(lesion, 500.0, v).astype(np.float32)

    ct.array = syn.sample(ct.geometry, hu)
    return ct


def test_register_button_aligns_shifted_pet(qtbot, tmp_path):
    from workstation.analysis.reading import study_open
    from workstation.io.db import StudyDB

    ct = _ct_with_lesion()
    shift = np.array([8.0, -6.0, 5.0])  # the PET scanner's world is shifted by +shift
    pet = syn.make_pet()
    g = pet.geometry
    moved = ImageGeometry(g.shape, g.spacing, np.asarray(g.origin) + shift, g.direction)
    pet = type(pet)(pet.array, moved, modality="PT", units="BQML", frame_of_reference_uid="9.9.9",
                    series_uid="1.2.826.0.1.2")
    ct.series_uid = "1.2.826.0.1.1"
    db = StudyDB(tmp_path / "db.sqlite")
    # the CT must carry the same structure as the PET for MI: use the PET-like body+lesion contrast
    s = ReadingSession(ct, pet, mip_frames=4)
    win = MainWindow(db)
    qtbot.addWidget(win)
    win.set_session(s)
    assert "frames of reference differ" in win.message_label.text()
    offer = win.registration_offer  # the window offers registration; the reader accepts
    register = next(b for b in offer.buttons() if b.text() == "Register now")
    register.click()
    job = win.pet_jobs.job
    assert job is not None and job.name == "registration"
    qtbot.waitUntil(lambda: job.is_settled(), timeout=180_000)
    # a proposal first: nothing has moved and nothing is stored until the reader accepts
    qtbot.waitUntil(lambda: getattr(win, "registration_dialog", None) is not None, timeout=10_000)
    dlg = win.registration_dialog
    assert np.array_equal(s.pet_from_anat, np.eye(4)) and db.get_registration("1.2.826.0.1.2", "1.2.826.0.1.1") is None
    prop = dlg.proposal
    assert not prop.same_frame and prop.metric_after < prop.metric_before and dlg.accept_button.isEnabled()
    assert f"{prop.move_mm:.1f} mm" in dlg.summary_label.text()
    dlg.accept_button.click()
    qtbot.waitUntil(lambda: s.registration_note.startswith("registered"), timeout=10_000)
    t = s.pet_from_anat
    # a point at the body's centre maps to the same anatomy in the PET frame: p + shift
    p = np.array([0.0, 0.0, 0.0])
    assert np.linalg.norm(t[:3, :3] @ p + t[:3, 3] - (p + shift)) < 3.0
    assert "registered" in win.readout_label.text()
    # kept with the study, keyed by (PET series, CT series), and used again when the pair is re-read
    row = db.get_registration("1.2.826.0.1.2", "1.2.826.0.1.1")
    assert row is not None and np.array_equal(row.matrix, s.pet_from_anat)
    assert row.method == study_open.METHOD_MI and row.metric == pytest.approx(job.result[0].metric_after)
    again = study_open.stored_registration(db, pet, ct)
    assert np.array_equal(again.matrix, t)
    # Ctrl+Z (Edit menu): back to the scanners' alignment, shown and kept; Ctrl+Y: the registration again
    t = t.copy()
    assert win.undo.stack.undo_label == "accept registration"
    win.undo.undo_action.trigger()
    qtbot.waitUntil(lambda: np.array_equal(s.pet_from_anat, np.eye(4)), timeout=60_000)
    assert np.array_equal(db.get_registration("1.2.826.0.1.2", "1.2.826.0.1.1").matrix, np.eye(4))
    win.undo.redo_action.trigger()
    qtbot.waitUntil(lambda: np.array_equal(s.pet_from_anat, t), timeout=60_000)
    assert s.registration_note.startswith("registered")
    row = db.get_registration("1.2.826.0.1.2", "1.2.826.0.1.1")
    assert np.array_equal(row.matrix, t) and row.method == study_open.METHOD_MI
    db.close()


def _shared_frame_pair(shift):
    """CT and a PET of one frame of reference, the PET's world shifted by ``shift`` (a real misplacement
    the scanners did not record)."""
    ct = _ct_with_lesion()
    pet = syn.make_pet()
    g = pet.geometry
    moved = ImageGeometry(g.shape, g.spacing, np.asarray(g.origin) + np.asarray(shift), g.direction)
    pet = type(pet)(pet.array, moved, modality="PT", units="BQML", frame_of_reference_uid="7.7.7",
                    series_uid="1.2.826.0.1.4")
    ct.series_uid, ct.frame_of_reference_uid = "1.2.826.0.1.3", "7.7.7"
    return ct, pet


def test_large_same_frame_move_needs_confirmation_then_reset_and_undo(qtbot, tmp_path):
    from workstation.io.db import StudyDB

    ct, pet = _shared_frame_pair((8.0, -6.0, 5.0))
    db = StudyDB(tmp_path / "db.sqlite")
    s = ReadingSession(ct, pet, mip_frames=4)
    win = MainWindow(db)
    qtbot.addWidget(win)
    win.set_session(s)
    assert win.reset_alignment_button.isEnabled() and win.undo_registration_button.isEnabled()
    job = win.start_registration()
    qtbot.waitUntil(lambda: job.is_settled(), timeout=180_000)
    qtbot.waitUntil(lambda: getattr(win, "registration_dialog", None) is not None, timeout=10_000)
    dlg = win.registration_dialog
    prop = dlg.proposal
    assert prop.same_frame and prop.needs_confirmation and prop.move_mm > 5.0, prop.summary()
    # the warning is shown and Accept waits for the explicit confirmation
    assert "share a frame of reference" in dlg.warning_label.text() and not dlg.warning_label.isHidden()
    assert not dlg.accept_button.isEnabled() and not dlg.confirm_check.isHidden()
    dlg.grab().save(str(tmp_path / "proposal.png"))
    # the checkerboard pictures differ before/after (the PET moved under the anatomy)
    assert not np.allclose(dlg.preview["before"], dlg.preview["after"])
    dlg.confirm_check.setChecked(True)
    assert dlg.accept_button.isEnabled()
    dlg.accept_button.click()
    qtbot.waitUntil(lambda: s.registration_note.startswith("registered"), timeout=10_000)
    t = s.pet_from_anat
    assert np.linalg.norm(t[:3, 3] - np.array([8.0, -6.0, 5.0])) < 3.0
    assert db.get_registration("1.2.826.0.1.4", "1.2.826.0.1.3").version == 1
    # one click back to the scanners' alignment, stored as a version ...
    job = win.reset_alignment()
    qtbot.waitUntil(lambda: job.is_settled(), timeout=60_000)
    qtbot.waitUntil(lambda: np.array_equal(s.pet_from_anat, np.eye(4)), timeout=10_000)
    row = db.get_registration("1.2.826.0.1.4", "1.2.826.0.1.3")
    assert row.version == 2 and np.array_equal(row.matrix, np.eye(4))
    # ... that can be undone: the accepted registration comes back
    job = win.undo_registration()
    qtbot.waitUntil(lambda: job.is_settled(), timeout=60_000)
    qtbot.waitUntil(lambda: np.allclose(s.pet_from_anat, t), timeout=10_000)
    assert db.get_registration("1.2.826.0.1.4", "1.2.826.0.1.3").version == 1
    db.close()


def test_rejected_proposal_changes_nothing(qtbot, tmp_path):
    from workstation.io.db import StudyDB

    ct, pet = _shared_frame_pair((0.0, 0.0, 0.0))
    pet.frame_of_reference_uid = "8.8.8"  # another frame: no confirmation needed, Accept enabled
    db = StudyDB(tmp_path / "db.sqlite")
    s = ReadingSession(ct, pet, mip_frames=4)
    win = MainWindow(db)
    qtbot.addWidget(win)
    win.set_session(s)
    job = win.start_registration()
    qtbot.waitUntil(lambda: job.is_settled(), timeout=180_000)
    qtbot.waitUntil(lambda: getattr(win, "registration_dialog", None) is not None, timeout=10_000)
    before = s.pet_from_anat.copy()
    win.registration_dialog.reject_button.click()
    assert np.array_equal(s.pet_from_anat, before) and "rejected" in win.message_label.text()
    assert db.get_registration("1.2.826.0.1.4", "1.2.826.0.1.3") is None
    db.close()
