"""One source for every number on screen: a change of SUV type re-measures the VOI table, the structures list
and the lesion table, says so in the message line and retitles the colour bar; a refused change (SUVlbm without
a height) keeps the previous type and says why. Every quantity header carries the values' unit.

Hand-worked factors: SUVbw = 80 000 g / (350 MBq x 2^(-3600 s / 6586.2 s)); James-128 LBM of a man of 80 kg and
170 cm = 1.10 x 80 - 128 x (80/170)^2 = 59.6540 kg, so SUVlbm = SUVbw x 59 654.0 / 80 000.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from workstation.analysis.reading import session as fusion
from workstation.io.pet_header import read_pet_acquisition
from workstation.testing import synthetic_study as syn
from workstation.testing.pet_factory import pet_dataset

pytestmark = [pytest.mark.gui]

LBM_RATIO = (1.10 * 80 - 128 * (80 / 170) ** 2) * 1000 / 80000.0


def _session(size):
    pet = syn.make_pet()
    pet.pet = read_pet_acquisition([pet_dataset(series_time="100000", acquisition_time="100000", weight=80.0,
                                                size=size, sex="M", dose=350e6, start_time="090000")])
    return fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)


def _window(qtbot, size, monkeypatch, tmp_path):
    from workstation.ui.reader.main_window import MainWindow

    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1300, 900)
    w.show()
    s = _session(size)
    w.set_session(s)
    p = w.voi_panel
    hot = np.argwhere(s.pet.array == s.pet.array.max())[0].astype(float)
    voi = p.add_sphere_at(p.to_display(s.pet.geometry.kji_to_world(hot)), 8.0)
    assert voi is not None and p.model.get(voi.id).stats.max > 0
    sl = p.structures
    entry = SimpleNamespace(key=("rs", 1), name="GTV", kind="ROI", number=1, path="rs.dcm", colour=(255, 0, 0),
                            series_description="RTSTRUCT")
    sl._session = s
    sl._fill([entry])
    mask = np.zeros(s.pet.shape, bool)
    k, j, i = (int(v) for v in hot)
    mask[k - 1:k + 2, j - 1:j + 2, i - 1:i + 2] = True
    sl._measured(p.model, [(entry, mask, None)])
    return w, s, voi, sl


def _row(panel, voi_id):
    m = panel.table.source_model
    return next(m.row_dict(i) for i in range(m.rowCount()) if m.row_dict(i)["id"] == voi_id)


def _headers(panel):
    m = panel.table.source_model
    return [m.headerData(c, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.Orientation.Horizontal)
            for c in range(m.columnCount())]


def test_a_type_change_updates_every_number_together(qtbot, monkeypatch, tmp_path):
    w, s, voi, sl = _window(qtbot, 1.70, monkeypatch, tmp_path)
    p = w.voi_panel
    before = dict(_row(p, voi.id))
    struct_before = float(sl.row_values(0)["suv_max"])
    assert "SUVmax" in _headers(p) and "TLG" in _headers(p)
    assert sl.tree.headerItem().text(3) == "SUVmax"
    panel = w.suv_panel
    panel.type_box.setCurrentIndex(panel.type_box.findData("lbm-james128"))
    assert panel.apply(), panel.message.text()
    after = _row(p, voi.id)
    assert after["suv_max"] == pytest.approx(before["suv_max"] * LBM_RATIO, rel=1e-6)
    assert after["tlg"] == pytest.approx(before["tlg"] * LBM_RATIO, rel=1e-6)
    assert float(sl.row_values(0)["suv_max"]) == pytest.approx(struct_before * LBM_RATIO, abs=2e-3)
    heads = _headers(p)
    assert "SULmax" in heads and "SULpeak" in heads and "TLG (SUL)" in heads and "SUVmax" not in heads
    assert sl.tree.headerItem().text(3) == "SULmax"
    assert "SUVlbm-james128" in w.message_label.text()
    assert s.pet_units == "SUVlbm-james128"  # the colour bar's title (render.scene: title=pet_units)
    bars = 0
    for view in w.visible_views().values():
        view.cell.render(s)
        if view.cell.kind in ("pet", "fused", "mip"):
            assert view.cell.view.colorbar.GetTitle() == "SUVlbm-james128"
            bars += 1
    assert bars >= 1


def test_a_refused_type_keeps_the_previous_one_and_says_why(qtbot, monkeypatch, tmp_path):
    w, s, voi, sl = _window(qtbot, None, monkeypatch, tmp_path)  # no height: no SUVlbm
    p = w.voi_panel
    before = dict(_row(p, voi.id))
    struct_before = sl.row_values(0)["suv_max"]
    panel = w.suv_panel
    panel.type_box.setCurrentIndex(panel.type_box.findData("lbm-james128"))
    assert not panel.apply()
    assert "refused" in panel.message.text() and "SUVbw kept" in panel.message.text()
    assert "SUVbw kept" in w.message_label.text() and "(0010,1020)" in w.message_label.text()
    assert _row(p, voi.id)["suv_max"] == before["suv_max"] and sl.row_values(0)["suv_max"] == struct_before
    assert "SUVmax" in _headers(p) and "TLG" in _headers(p)
    assert s.pet_units == "SUVbw" and s.suv.suv_type == "bw"


def test_without_any_suv_the_headers_say_the_file_units():
    from workstation.ui.quant.lesion_table import quantity_header, quantity_value

    assert quantity_header("suv_max", "BQML") == "max (Bq/mL)"
    assert quantity_header("tlg", "BQML") == "Activity (MBq)"
    assert quantity_value("tlg", 2.5e6, "BQML") == pytest.approx(2.5)  # Bq/mL x mL = Bq, shown in MBq
    assert quantity_header("tlg", "CNTS") == "—" and quantity_value("tlg", 3.0, "CNTS") is None
    assert quantity_header("suv_peak", "SUVbw") == "SUVpeak" and quantity_header("tlg", "SUVbsa") == "TLG (SUVbsa)"
