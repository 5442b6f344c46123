"""The SUV panel, driven as a user would: every SUV type it offers gives SUV in the display.

The PET is the synthetic study with DICOM header facts (80 kg, 1.70 m, 350 MBq injected one hour
before the scan, START); the expected factors are worked out here by hand.
"""

import numpy as np
import pytest

from workstation.analysis.reading import session as fusion
from workstation.core import display as display_mod
from workstation.core import vocabulary as vocab
from workstation.io.pet_header import read_pet_acquisition
from workstation.testing import synthetic_study as syn
from workstation.testing.pet_factory import pet_dataset
from workstation.ui.quant.suv_panel import BADGE_STYLE, MISSING_STYLE, SuvPanel

pytestmark = pytest.mark.gui

BW = 80000.0 / (350e6 * 2 ** (-3600.0 / 6586.2))  # SUVbw factor by hand
H_CM, W, BMI = 170.0, 80.0, 80.0 / 1.70 ** 2
NORMALISER_G = {  # by hand, for a man of 80 kg and 1.70 m
    "bw": 80000.0,
    "lbm-james128": (1.10 * W - 128 * (W / H_CM) ** 2) * 1000,
    "lbm-james120": (1.10 * W - 120 * (W / H_CM) ** 2) * 1000,
    "lbm-janma": 9270 * W / (6680 + 216 * BMI) * 1000,
    "bsa": 0.007184 * W ** 0.425 * H_CM ** 0.725 * 1e4,  # cm2
    "ibw": (48.0 + 1.06 * (H_CM - 152)) * 1000,
}


def _session(size=1.70):
    pet = syn.make_pet()
    pet.pet = read_pet_acquisition([pet_dataset(series_time="100000", acquisition_time="100000", weight=80.0,
                                                size=size, sex="M", dose=350e6, start_time="090000")])
    return fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)


def test_every_suv_type_in_the_panel_gives_suv(qtbot):
    from workstation.ui.quant.suv_panel import SuvPanel

    s = _session()
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.set_session(s)
    keys = [panel.type_box.itemData(i) for i in range(panel.type_box.count())]
    assert set(keys) == set(NORMALISER_G)  # the panel offers exactly the engine's types
    s.set_crosshair(syn.LESION)
    col, row = s.world_to_pixel("axial", s.crosshair)
    for i, key in enumerate(keys):
        panel.type_box.setCurrentIndex(i)
        assert panel.apply(), panel.message.text()
        expected = BW * NORMALISER_G[key] / 80000.0
        assert s.suv.factor == pytest.approx(expected, rel=1e-9), key
        assert s.pet_units == f"SUV{key}"
        assert s.suv.result.suv_type == key
        img = s.slice_image("pet", "axial")
        assert img[int(round(row)), int(round(col))] == pytest.approx(syn.LESION_BQML * expected, rel=1e-5)
        assert s.readout()["pet_value"] == pytest.approx(syn.LESION_BQML * expected, rel=1e-5)
        assert f"SUV type: {key}" in panel.trail.toPlainText()
    assert len(s.suv.audit) == len(keys)


def test_a_type_that_cannot_be_computed_says_so_and_leaves_the_suv_window(qtbot):
    from workstation.ui.quant.suv_panel import SuvPanel

    s = _session(size=None)  # no height: LBM cannot be computed
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.set_session(s)
    assert s.pet_window == display_mod.PET_PRESETS["SUV 0-5"]
    bw_factor = s.suv.factor
    panel.type_box.setCurrentIndex(panel.type_box.findData("lbm-janma"))
    assert not panel.apply()
    assert "(0010,1020)" in panel.message.text() and "SUVbw kept" in panel.message.text()
    assert panel.edits["height_m"].styleSheet() == MISSING_STYLE  # the form field that would fix it
    # refused: the previous SUV type stays, so no number on screen changes its meaning
    assert s.suv.factor == bw_factor and s.suv.suv_type == "bw" and s.pet_units == "SUVbw"
    assert s.pet_window == display_mod.PET_PRESETS["SUV 0-5"] and len(s.suv.audit) == 0
    # a study that never had an SUV still falls back to file units, with a window over the values shown
    s.set_suv("lbm-janma", keep_previous=False)
    assert s.suv.factor is None and s.pet_units == "BQML"
    assert s.pet_window[1] > 1000.0
    assert s.pet_window[1] == pytest.approx(np.percentile(s.pet_display[s.pet_display > 0], 99.5))


def test_unknown_sex_is_flagged_in_the_panel_and_the_override_clears_it(qtbot):
    from workstation.ui.quant.suv_panel import SuvPanel

    pet = syn.make_pet()
    pet.pet = read_pet_acquisition([pet_dataset(series_time="100000", acquisition_time="100000", weight=80.0,
                                                size=1.70, sex="O", dose=350e6, start_time="090000")])
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.set_session(s)
    panel.type_box.setCurrentIndex(panel.type_box.findData("ibw"))
    assert panel.apply()
    # IBW at 170 cm: mean of 67.08 kg (M) and 61.88 kg (F) = 64.48 kg
    assert s.suv.factor == pytest.approx(BW * 64480.0 / 80000.0, rel=1e-9)
    assert "PatientSex (0010,0040)" in panel.trail.toPlainText() and "patient's sex" in panel.trail.toPlainText()
    panel.edits["sex"].setText("M")
    panel.reason.setText("sex from the referral")
    assert panel.apply()
    assert s.suv.factor == pytest.approx(BW * 67080.0 / 80000.0, rel=1e-9)
    assert "mean of the male and female" not in panel.trail.toPlainText()


@pytest.mark.parametrize("sex", ["O", None])
def test_unknown_sex_badge(qtbot, sex):
    """A badge (not only a trail line) says the SUV used the mean of male and female values: shown for the
    types that need the sex, hidden for SUVbw and once the sex is given; clicking it points at the sex field."""
    pet = syn.make_pet()
    pet.pet = read_pet_acquisition([pet_dataset(series_time="100000", acquisition_time="100000", weight=80.0,
                                                size=1.70, sex=sex, dose=350e6, start_time="090000")])
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.show()
    from PySide6.QtWidgets import QPushButton

    toolbar_button = QPushButton("SUV…")  # the main window's toolbar button carries the badge too
    qtbot.addWidget(toolbar_button)
    panel.attach_flag_button(toolbar_button)
    panel.set_session(s)
    assert s.suv.suv_type == "bw" and panel.sex_badge.isHidden()  # SUVbw does not need the sex
    assert toolbar_button.text() == "SUV…" and toolbar_button.styleSheet() == ""
    for key in ("lbm-james128", "lbm-janma", "ibw"):
        panel.type_box.setCurrentIndex(panel.type_box.findData(key))
        assert panel.apply()
        assert panel.sex_badge.isVisible(), key
        text = panel.sex_badge.text()
        assert f"SUV{key}" in text and ("O" if sex == "O" else "missing") in text
        assert toolbar_button.text() == "⚠ SUV…" and toolbar_button.toolTip() == text
        assert toolbar_button.styleSheet() == BADGE_STYLE
    panel.type_box.setCurrentIndex(panel.type_box.findData("bsa"))  # BSA does not need the sex
    assert panel.apply() and panel.sex_badge.isHidden()
    panel.type_box.setCurrentIndex(panel.type_box.findData("ibw"))
    assert panel.apply() and panel.sex_badge.isVisible()
    panel.sex_badge.click()
    assert panel.edits["sex"].styleSheet() == MISSING_STYLE
    panel.edits["sex"].setText("F")
    panel.reason.setText("sex from the referral")
    assert panel.apply() and panel.sex_badge.isHidden()
    assert toolbar_button.text() == "SUV…" and toolbar_button.styleSheet() == ""


def test_known_sex_shows_no_badge(qtbot):
    s = _session()
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_session(s)
    panel.type_box.setCurrentIndex(panel.type_box.findData("lbm-james128"))
    assert panel.apply() and panel.sex_badge.isHidden()


class _Session:
    pet = object()  # apply() refuses the overrides before it touches the PET


def test_bad_override_marks_its_field(qtbot):
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.session = _Session()
    panel.edits["height_m"].setText("175")  # centimetres given where metres are expected
    panel.reason.setText("measured")
    assert panel.apply() is False and "metres" in panel.message.text()
    assert panel.edits["height_m"].styleSheet() == MISSING_STYLE
    assert all(not e.styleSheet() for k, e in panel.edits.items() if k != "height_m")
    panel.mark_field(None)
    assert all(not e.styleSheet() for e in panel.edits.values())


def test_suv_type_menu_is_the_vocabulary(qtbot):
    panel = SuvPanel()
    qtbot.addWidget(panel)
    keys = [panel.type_box.itemData(i) for i in range(panel.type_box.count())]
    assert tuple(keys) == vocab.SUV_TYPES
