"""The reconstruction panel with the test plugins of tests/recon/broken_plugins (toy: fast, numpy only)."""


import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume
from workstation.ui.recon.panel import ReconPanel, preview_image

pytestmark = pytest.mark.gui


@pytest.fixture
def ct(tmp_path):
    from workstation.io.dicom_write import StudyInfo, write_series
    from workstation.io.loader import load_series

    g = ImageGeometry((6, 10, 12), (4.0, 4.0, 5.0), (-22.0, -18.0, -12.5))
    hu = np.full(g.shape, -1000.0, np.float32)
    hu[:, 2:8, 3:9] = 0.0
    p = PatientInfo("Panel^Test", "PT-1", "19700101", "M")
    study = StudyInfo(patient=p, patient_weight_kg=80.0).with_uids("recon-panel-test")
    write_series(Volume(hu, g, modality="CT", units="HU", patient=p), tmp_path / "CT", modality="CT", study=study)
    return load_series(sorted((tmp_path / "CT").glob("*.dcm")))


@pytest.fixture
def panel(qtbot, tmp_path, ct):
    from workstation.recon.host import ReconHost
    from workstation.recon.manifest import PluginRegistry

    reg = PluginRegistry.discover()
    host = ReconHost(reg, jobs_root=tmp_path / "jobs", heartbeat_interval_s=0.2, heartbeat_timeout_s=5.0,
                     cancel_grace_s=1.0, terminate_grace_s=1.0, start_timeout_s=60)
    w = ReconPanel(reg, host, ct_provider=lambda: ct, db=tmp_path / "db.sqlite", out_root=tmp_path)
    qtbot.addWidget(w)
    w.show()
    return w


def test_form_is_built_from_the_manifest(panel):
    panel.select_plugin("toy")
    m = panel.manifest
    w = panel.param_widgets
    assert set(w) == {p.name for p in m.parameters}
    assert isinstance(w["iterations"], QSpinBox)
    assert (w["iterations"].minimum(), w["iterations"].maximum(), w["iterations"].value()) == (1, 1000, 3)
    assert isinstance(w["value"], QDoubleSpinBox) and w["value"].value() == 5300.0
    assert w["value"].suffix() == " Bq/mL"
    assert isinstance(w["tof"], QCheckBox) and w["tof"].isChecked()
    assert isinstance(w["filter"], QComboBox) and [w["filter"].itemText(i) for i in range(2)] == ["none", "gauss"]
    assert panel.parameters() == m.defaults()  # the form's values are the manifest defaults
    # broken plugins are listed, greyed out, with the reason
    entries = panel.broken_entries()
    bad = [e for e in entries if e[0].startswith("badmanifest")]
    assert bad and bad[0][1] is False and bad[0][2]
    assert all(enabled for text, enabled, _ in entries if "broken" not in text)
    assert "badmanifest" in panel.broken_label.text()


def test_preview_image_is_slice_and_mip():
    a = np.zeros((5, 4, 6), np.float32)
    a[2, 1, 3] = 10.0  # central slice
    a[0, 3, 0] = 20.0  # only in the MIP
    img = preview_image(a)
    assert img.shape == (4, 6 + 2 + 6) and img.dtype == np.uint8
    assert img[1, 3] == 255 and img[3, 0] == 0  # slice scaled to its own max
    assert img[3, 8 + 0] == 255 and img[1, 8 + 3] == 128  # MIP: 10/20 of full scale


def test_toy_run_previews_publishes_and_opens_fused(panel, qtbot, tmp_path, ct):
    from workstation.io.db import StudyDB

    panel.select_plugin("toy")
    panel.set_parameter("iterations", 3)
    panel.set_parameter("seconds_per_iteration", 0.05)
    panel.set_parameter("value", 4000.0)
    panel.dose_box.setValue(350.0)
    panel.injection_edit.setText("2024-03-01T09:00:00")
    panel.start_edit.setText("2024-03-01T10:05:30")
    sessions = []
    panel.session_ready.connect(sessions.append)
    with qtbot.waitSignal(panel.finished, timeout=120_000) as sig:
        assert panel.start() is not None
        assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    assert sig.args == ["published"], panel.status_label.text()
    assert panel.preview_iterations == [1, 2, 3]
    assert not panel.preview_label.pixmap().isNull()
    assert panel.progress_bar.value() == 1000
    assert "iteration 3 done" in panel.log_view.toPlainText()
    assert len(sessions) == 1
    s = sessions[0]
    assert s.anatomical is ct and s.pet is not None
    assert s.pet.frame_of_reference_uid == ct.frame_of_reference_uid and s.pet.study_uid == ct.study_uid
    x = np.log(2) / 6586.2 * 600.0  # toy acquisition: 600 s of F-18, mean activity referred to its start
    assert s.pet.array.max() == pytest.approx(4000.0 * x / (1 - np.exp(-x)), rel=1e-4)
    assert s.suv.factor is not None  # SUV works on the published series (weight from the CT header)
    with StudyDB(tmp_path / "db.sqlite") as db:
        assert panel.last_published.series_uid in {r.series_uid for r in db.series(ct.study_uid)}
    assert panel.run_button.isEnabled()


def test_broken_plugin_failure_is_shown_and_panel_survives(panel, qtbot):
    panel.select_plugin("segv")
    with qtbot.waitSignal(panel.finished, timeout=120_000) as sig:
        assert panel.start() is not None
    assert sig.args == ["failed"]
    assert "failed" in panel.status_label.text() and "crash" in panel.status_label.text().lower()
    # the plugin printed a line before crashing: the panel shows the log tail with it
    assert "--- log tail ---" in panel.log_view.toPlainText()
    assert "crashing on purpose" in panel.log_view.toPlainText()
    assert panel.isVisible() and panel.run_button.isEnabled()
    # the next job runs normally
    panel.select_plugin("toy")
    panel.set_parameter("seconds_per_iteration", 0.0)
    with qtbot.waitSignal(panel.finished, timeout=120_000) as sig:
        panel.start()
    assert sig.args == ["failed"]  # completed but not written: no dose given
    assert "Injected dose" in panel.status_label.text() and panel.job.status.value == "completed"
    assert panel.dose_box.styleSheet() and not panel.weight_box.styleSheet()  # the form field to fill in


def test_cancel_stops_the_job(panel, qtbot):
    panel.select_plugin("toy")
    panel.set_parameter("iterations", 400)
    panel.set_parameter("seconds_per_iteration", 0.05)
    with qtbot.waitSignal(panel.finished, timeout=120_000) as sig:
        panel.start()
        qtbot.waitUntil(lambda: len(panel.preview_iterations) >= 1, timeout=60_000)
        panel.cancel()
    assert sig.args == ["cancelled"]
    assert panel.job.status.value == "cancelled" and panel.run_button.isEnabled()


def test_main_window_opens_the_result_fused_with_its_ct(qtbot, tmp_path, ct):
    from workstation.recon.host import ReconHost
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.show()
    w.load_folder(str(tmp_path / "CT"))
    qtbot.waitUntil(lambda: w.session is not None, timeout=60_000)
    assert w.session.pet is None
    dock = w.show_recon_panel()
    assert w.show_recon_panel() is dock and dock.isVisible()
    p = w.recon_panel
    assert p.ct_provider() is w.session.anatomical
    p._host = ReconHost(p.registry, jobs_root=tmp_path / "jobs", heartbeat_interval_s=0.2)
    p.db = tmp_path / "db.sqlite"
    p.select_plugin("toy")
    p.set_parameter("seconds_per_iteration", 0.0)
    p.dose_box.setValue(300.0)
    p.injection_edit.setText("20240301090000")
    p.start_edit.setText("20240301100000")
    with qtbot.waitSignal(p.finished, timeout=120_000) as sig:
        p.start()
    assert sig.args == ["published"], p.status_label.text()
    qtbot.waitUntil(lambda: w.session.pet is not None, timeout=10_000)
    assert w.session.anatomical.series_uid == ct.series_uid
    assert w.session.pet.series_uid == p.last_published.series_uid
    assert "fused-axial" in w.visible_views()


def test_missing_raw_file_is_refused_before_start(panel, tmp_path):
    panel.select_plugin("toy")
    panel.input_edit.setText(str(tmp_path / "nope.petsird"))
    assert panel.start() is None
    assert panel.state == "failed" and "not found" in panel.status_label.text()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_reconstruct_and_analyse_as_nema_iq(panel, qtbot, tmp_path):
    """The phantom button writes a series of its own study and hands it to the QA panel, which analyses it."""
    import pydicom

    panel.select_plugin("toy")
    panel.set_parameter("seconds_per_iteration", 0.0)
    panel.set_parameter("value", 4000.0)
    assert panel.nema_button.isEnabled()
    with qtbot.waitSignal(panel.qa_ready, timeout=120_000) as ready:
        panel.nema_button.click()
    qa = ready.args[0]
    assert panel.state == "published" and qa is panel.qa_panel
    pub = panel.last_published
    ds = pydicom.dcmread(pub.paths[0], stop_before_pixels=True)
    assert ds.StudyInstanceUID == pub.study_uid and ds.Units == "BQML"
    assert qa.volume is not None and qa.volume.series_uid == pub.series_uid
    # the toy image (4 x 5 x 6 voxels) is no phantom: the QA panel says so in one line, no crash
    qtbot.waitUntil(lambda: qa.last_error is not None or qa.result is not None, timeout=60_000)
    assert qa.result is None and "too small" in qa.last_error
    assert panel.nema_button.isEnabled() and panel.run_button.isEnabled()
