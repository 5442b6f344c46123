"""Registration from the window: PET in another frame of reference is aligned in the background."""

import numpy as np
import pytest

from workstation.analysis.fusion import ReadingSession
from workstation.core.geometry import ImageGeometry
from workstation.ui.main_window import MainWindow
from workstation.testing import synthetic_study as syn

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_register_button_aligns_shifted_pet(qtbot, tmp_path):
    from workstation.analysis import fusion
    from workstation.io.db import StudyDB

    ct = syn.make_ct()
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
    qtbot.waitUntil(lambda: not job.is_running(), timeout=180_000)
    qtbot.waitUntil(lambda: s.registration_note.startswith("registered"), timeout=10_000)
    t = s.pet_from_anat
    # a point at the body's centre maps to the same anatomy in the PET frame: p + shift
    p = np.array([0.0, 0.0, 0.0])
    assert np.linalg.norm(t[:3, :3] @ p + t[:3, 3] - (p + shift)) < 3.0
    assert "registered" in win.readout_label.text()
    # kept with the study, keyed by (PET series, CT series), and used again when the pair is re-read
    row = db.get_registration("1.2.826.0.1.2", "1.2.826.0.1.1")
    assert row is not None and np.array_equal(row.matrix, s.pet_from_anat)
    assert row.method == fusion.METHOD_MI and row.metric == pytest.approx(job.result[0].metric)
    again = fusion.stored_registration(db, pet, ct)
    assert np.array_equal(again.matrix, t)
    db.close()
