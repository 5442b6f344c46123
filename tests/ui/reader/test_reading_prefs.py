"""Layout, window presets, PET window, colour map and opacity are remembered per user and restored
on the next open (the settings live in the test's own data folder, WORKSTATION_DATA_DIR)."""

import json

import pytest

from workstation.core.display import CT_PRESETS
from workstation.analysis.reading.session import ReadingSession
from workstation.settings import viewer_prefs
from workstation.testing import synthetic_study as syn
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui]


def _window(qtbot, session):
    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    w.set_session(session)
    return w


def _pick(box, data):
    i = box.findData(data)
    assert i >= 0, data
    box.setCurrentIndex(i)
    box.activated.emit(i)  # as a click on the item does


def test_choices_come_back_in_the_next_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    first = _window(qtbot, ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4))
    assert first.session.layout == "grid"  # the defaults, nothing remembered yet
    _pick(first.layout_box, "fused-mip")
    _pick(first.ct_preset_box, "lung")
    _pick(first.cmap_box, "rainbow")
    first.opacity_slider.setValue(30)
    first.session.set_pet_window(1.0, 7.0)  # a custom window (mouse drag)
    stored = json.loads((tmp_path / viewer_prefs.FILE_NAME).read_text())
    assert stored["layout.anatomy"] == "fused-mip" and stored["window.CT"] == "lung"
    first.close()

    second = _window(qtbot, ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4))
    s = second.session
    assert s.layout == "fused-mip" and set(second.visible_views()) == {"fused-axial", "mip"}
    assert s.ct_window == CT_PRESETS["lung"] and second.ct_preset_box.currentData() == "lung"
    assert s.colormap == "rainbow" and second.cmap_box.currentData() == "rainbow"
    assert s.opacity == pytest.approx(0.30) and second.opacity_slider.value() == 30
    assert s.pet_window == (1.0, 7.0) and second.pet_preset_box.currentData() == "custom"


def test_a_pet_only_study_keeps_its_own_layout(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    viewer_prefs.remember(**{"layout.anatomy": "fused-mip", "colormap": "grey"})
    w = _window(qtbot, ReadingSession(None, syn.make_pet(), mip_frames=4))
    assert w.session.layout == "pet"  # never the anatomy layout with its empty CT panels
    assert w.session.colormap == "grey"


def test_pet_window_only_in_the_same_units(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    s = ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    default = s.pet_window
    viewer_prefs.remember(pet_window=[2.0, 9.0, "counts"])
    w = _window(qtbot, s)
    assert w.session.pet_units != "counts" and w.session.pet_window == default


def test_a_damaged_settings_file_means_the_defaults(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    (tmp_path / viewer_prefs.FILE_NAME).write_text("{not json")
    w = _window(qtbot, ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4))
    assert w.session.layout == "grid" and w.session.colormap == "hot iron"
    _pick(w.cmap_box, "grey")  # and the next choice writes a good file again
    assert viewer_prefs.load()["colormap"] == "grey"
