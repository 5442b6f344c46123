"""A Lu-177 SPECT stored as PT (as the reference data's Siemens xSPECT is) reads as SPECT: titles, tool bar,
readout, units offered (Bq/mL, kBq/mL, %IA/mL, SUV), the time after injection in hours, the decay-statement
conflict in the overlay and an automatic hot-spot window. The series is built in code (the refdata is CC BY-NC).

Expected numbers by hand: Lu-177 6.647 d (NNDC); the scan 27 h 43 min after injection, DecayCorrection ADMIN
with DecayFactor 1 -> policy "trust DecayFactor": dose at the scan = D * 2^(-27.7167 h / 159.528 h) = D / 1.12796.
"""

import numpy as np
import pytest

from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset

pytestmark = [pytest.mark.gui]

PET_KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "RadiopharmaceuticalInformationSequence", "DecayFactor")
DOSE = 7.2e9
WEIGHT = 80.0
DECAY_27_7H = 2.0 ** ((27 * 3600 + 43 * 60) / (6.647 * 86400))  # 1.12796


def _stored():
    a = np.zeros((12, 24, 24), np.int16)
    a[2:10, 4:20, 4:20] = 100  # body, 100 x slope Bq/mL
    a[5:7, 8:11, 13:16] = 20000  # a hot lesion
    return a


@pytest.fixture(scope="module")
def lu_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("lu")
    ds = pet_dataset(units="BQML", decay_correction="ADMIN", weight=WEIGHT, dose=DOSE, half_life=574300.8,
                     series_date="20181116", series_time="130500", acquisition_date="20181116",
                     acquisition_time="130500", start_time="092200", start_datetime="20181115092200",
                     radionuclide_code=("C-101ED", "99SDM", "177 Lutetium"), decay_factor=1.0)
    extra = {k: ds.get(k) for k in PET_KEYS if k in ds}
    write_series(root / "spect", _stored(), origin=(-48, -48, 0), spacing_ijk=(4.0, 4.0, 4.0), modality="PT",
                 slopes=[10.0] * 12, extra=extra, description="C2S2D1 [xSPECT48iNOFILT - AC ]")
    return root


def test_lu177_stored_as_pt_is_a_spect_session(lu_folder):
    from workstation.analysis.reading import study_open

    s = study_open.open_folder(lu_folder, mip_frames=4)
    assert s.pet.modality == "PT" and s.functional_label == "SPECT"
    assert s.available_units() == ["SUV", "Bq/mL", "kBq/mL", "%IA/mL"]
    assert s.display_unit == "kBq/mL" and s.pet_units == "kBq/mL" and s.pet_scale == pytest.approx(1e-3)
    # hot-spot window: 99.9th percentile of the positive voxels of the volume itself, in kBq/mL (NumPy here)
    arr = s.pet.array
    assert s.pet_window == pytest.approx((0.0, np.percentile(arr[arr > 0], 99.9) * 1e-3), rel=1e-5)
    # SUV with the decay policy: weight / (dose decayed to the scan)
    assert s.suv.factor == pytest.approx(WEIGHT * 1000 / DOSE * DECAY_27_7H, rel=1e-4)
    s.set_crosshair(s.pet.geometry.kji_to_world(np.array([5.0, 9.0, 14.0])))
    r = s.readout()
    assert r["pet_value"] == pytest.approx(200.0) and r["pet_units"] == "kBq/mL"  # 20000 x 10 Bq/mL
    assert s.readout_text().split("   ")[-1] == "SPECT 200.00 kBq/mL"
    s.set_display_unit("%IA/mL")  # 100 * C / (dose decayed to the scan)
    assert s.readout()["pet_value"] == pytest.approx(100 * 200e3 / (DOSE / DECAY_27_7H), rel=1e-4)
    assert s.pet_window[1] == pytest.approx(np.percentile(arr[arr > 0], 99.9) * 100 / (DOSE / DECAY_27_7H), rel=1e-4)
    s.set_display_unit("SUV")
    assert s.readout()["pet_value"] == pytest.approx(200e3 * s.suv.factor, rel=1e-6) and s.pet_units == "SUVbw"
    with pytest.raises(ValueError, match="cannot be shown in"):
        s.set_display_unit("MBq")
    lines = s.overlay_lines()
    assert "p.i. 27.7 h" in lines
    assert any(l.startswith("decay: ADMIN but DecayFactor 1 (expected 1.13)") for l in lines)
    assert any(l.startswith("Lu-177") for l in lines)


def test_main_window_titles_and_units_of_the_spect(lu_folder, qtbot):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 900)
    w.show()
    w.load_folder(str(lu_folder))
    qtbot.waitUntil(lambda: w.session is not None, timeout=120_000)
    assert w.functional_window_label.text().strip() == "SPECT"
    assert [w.unit_box.itemText(i) for i in range(w.unit_box.count())] == ["SUVbw", "Bq/mL", "kBq/mL", "%IA/mL"]
    assert w.unit_box.currentData() == "kBq/mL" and w.pet_preset_box.currentData() == "hot spot"
    assert "SUV 0-5" not in [w.pet_preset_box.itemData(i) for i in range(w.pet_preset_box.count())]
    titles = {k: v.cell.title(w.session) for k, v in w.visible_views().items()}
    assert titles == {"pet-axial": "SPECT", "pet-coronal": "SPECT", "pet-sagittal": "SPECT", "mip": "MIP"}
    assert w.readout_label.text().split("   ")[-1].startswith("SPECT ")
    i = w.unit_box.findData("SUV")
    w.unit_box.setCurrentIndex(i)
    w.unit_box.activated.emit(i)
    assert w.session.pet_units == "SUVbw" and "SUV 0-5" in [w.pet_preset_box.itemData(j)
                                                          for j in range(w.pet_preset_box.count())]
    assert w.readout_label.text().split("   ")[-1].endswith("SUVbw")


def test_spect_lesion_table_shows_activity_per_voi_not_tlg(lu_folder, qtbot):
    from workstation.analysis.reading import study_open
    from workstation.ui.quant.voi_panel import VoiPanel

    s = study_open.open_folder(lu_folder, mip_frames=4)
    p = VoiPanel()
    qtbot.addWidget(p)
    p.set_session(s)
    centre = s.pet.geometry.kji_to_world(np.array([5.5, 9.0, 14.0]))
    v = p.add_sphere_at(p.to_display(centre), 8.0)
    t = p.table
    assert not t.isColumnHidden(t.column_of("activity_mbq")) and t.isColumnHidden(t.column_of("tlg"))
    m = t.source_model
    row = next(i for i in range(m.rowCount()) if m.row_dict(i)["id"] == v.id)
    shown = float(m.data(m.index(row, t.column_of("activity_mbq"))))
    mask = v.mask(s.pet.shape)
    voxel_ml = float(np.prod(s.pet.geometry.spacing)) / 1000.0
    by_hand = float(s.pet.array[mask].sum()) * voxel_ml / 1e6  # Bq/mL x mL, straight from the stored pixels
    assert shown == pytest.approx(by_hand, abs=0.006)
    assert m.headerData(t.column_of("activity_mbq"), __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.Orientation.Horizontal) \
        == "Activity (MBq)"


def test_whole_body_detection_on_a_lu177_spect_says_it_is_not_fdg(lu_folder, qtbot):
    """Whole-body detection is FDG's method: on a Lu-177 SPECT the panel finds the hot spot and says, with the
    result, that the tracer's physiological uptake is not excluded."""
    from workstation.analysis.reading import study_open
    from workstation.ui.quant.voi_panel import VoiPanel

    s = study_open.open_folder(lu_folder, mip_frames=4)
    p = VoiPanel()
    qtbot.addWidget(p)
    p.set_session(s)
    job = p.detect_whole_body()
    qtbot.waitUntil(job.is_settled, timeout=60_000)
    text = p.message.text()
    assert "whole body: 1 lesions" in text and "made for FDG PET; this is a Lu-177 SPECT" in text, text
