"""Reading sessions in the viewer: autosave survives a killed viewer, Save / Revert, Export menu.

The viewer runs the small synthetic PET of tests/export_study.py. The crash test runs a real
viewer in a child process, edits the reading, waits for the autosave and kills the process with
SIGKILL; a new viewer opening the same folder must show the edit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from export_study import write_pet
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui]

CHILD = r"""
import sys, time
import numpy as np
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from workstation.ui.reader.main_window import MainWindow
w = MainWindow(db=None)
w.resize(900, 700)
w.show()
w.load_folder(sys.argv[1])
t0 = time.time()
while w.session is None:
    app.processEvents(); time.sleep(0.02)
    if time.time() - t0 > 240:
        sys.exit(3)
s = w.session
c = s.pet.geometry.kji_to_world(np.array([8.0, 10.0, 8.0]))
w.voi_panel.model.add_sphere(c, 7.0, name="crash sphere")
s.set_pet_window(1.0, 7.0)
s.set_crosshair(c)
while w.persistence.autosaved_at is None:
    app.processEvents(); time.sleep(0.02)
print("AUTOSAVED", flush=True)
while True:
    app.processEvents(); time.sleep(0.02)
"""


@pytest.fixture(scope="module")
def pet_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("reading-menu")
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


def test_autosave_survives_killing_the_viewer(qtbot, pet_dir, tmp_path):
    repo = str(Path(__file__).resolve().parents[3])  # this checkout's workstation package, not an installed one
    env = dict(os.environ, WORKSTATION_AUTOSAVE_MS="100",
               PYTHONPATH=os.pathsep.join([repo] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen([sys.executable, str(script), str(pet_dir)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=os.getcwd())
    try:
        t0 = time.time()
        line = ""
        while "AUTOSAVED" not in line and time.time() - t0 < 300 and proc.poll() is None:
            line = proc.stdout.readline()
        assert "AUTOSAVED" in line, proc.stderr.read() if proc.poll() is not None else "child timed out"
    finally:
        proc.kill()  # SIGKILL: no chance to save anything more
        proc.wait(timeout=60)
    assert proc.returncode == -9

    w = _open(qtbot, pet_dir)
    p = w.persistence
    # the viewer asks before restoring the autosave (issue 12); answer Restore
    assert p.restore_prompt is not None and "autosave" in w.message_label.text()
    p.restore_button.click()
    assert p.restored_from == "autosave" and "autosave" in w.message_label.text()
    names = [v.name for v in w.voi_panel.model.vois.values()]
    assert names == ["crash sphere"]
    assert tuple(w.session.pet_window) == (1.0, 7.0)
    c = w.session.pet.geometry.kji_to_world(np.array([8.0, 10.0, 8.0]))
    assert np.allclose(w.session.crosshair, c, atol=1e-6)
    assert w.voi_panel.model.vois[next(iter(w.voi_panel.model.vois))].stats.voxels > 0
    # Save, change, Revert: back to the saved state; the autosave slot is gone after Revert
    p.save()
    w.session.set_pet_window(0.0, 15.0)
    w.voi_panel.model.clear()
    qtbot.waitUntil(lambda: p.autosaved_at is not None and not p.timer.isActive(), timeout=10_000)
    p.revert()
    assert tuple(w.session.pet_window) == (1.0, 7.0)
    assert [v.name for v in w.voi_panel.model.vois.values()] == ["crash sphere"]
    assert p._store().load(p.study_uid, p.key, "autosave") is None
    w.close()


def test_export_menu_writes_the_vois(qtbot, pet_dir, tmp_path):
    from workstation.io.export_seg import read_segments
    from workstation.io.export_sr import read_measurements

    w = _open(qtbot, pet_dir)
    model = w.voi_panel.model
    model.clear()
    g = w.session.pet.geometry
    sph = model.add_sphere(g.kji_to_world(np.array([8.0, 10.0, 8.0])), 7.0, name="s")
    assert {a for a, act in w.persistence.export_actions.items() if act.isEnabled()} == {"seg", "sr", "rwvm", "sc", "all",
                                                                                          "pdf"}
    job = w.persistence.export_to("sr", str(tmp_path / "sr.dcm"))
    qtbot.waitUntil(lambda: job.is_settled(), timeout=120_000)
    assert not job.error, job.error
    segs = read_segments(tmp_path / "sr-seg.dcm")
    assert len(segs) == 1 and segs[0].mask.sum() == sph.stats.voxels
    m = {(x["name"], x["derivation"]): x["value"] for x in read_measurements(tmp_path / "sr.dcm")[0]["measurements"]}
    assert m[("SUVbw", "Maximum")] == pytest.approx(sph.stats.max, rel=1e-6)
    assert m[("SUVbw", "Mean")] == pytest.approx(sph.stats.mean, rel=1e-6)
    # import the SEG back: the same voxels become a lesion VOI with the same statistics
    model.clear()
    assert w.persistence.import_seg(str(tmp_path / "sr-seg.dcm")) == 1
    (back,) = model.vois.values()
    assert back.kind == "lesion" and np.array_equal(back.mask(g.shape), sph.mask(g.shape))
    assert back.stats.mean == pytest.approx(sph.stats.mean, rel=1e-6)
    assert w.persistence.import_seg(str(tmp_path / "nothing.dcm")) == 0 and "Import SEG" in w.message_label.text()
    w.hide()  # (a visible window shows errors in a modal box)
    before = (tmp_path / "sr.dcm").read_bytes()
    job = w.persistence.export_to("sr", str(tmp_path / "sr.dcm"))  # exists: refused, file kept
    qtbot.waitUntil(lambda: job.is_settled(), timeout=120_000)
    assert job.error and "already exists" in job.error
    assert (tmp_path / "sr.dcm").read_bytes() == before
    w.close()
