"""The QA panel's uniform-cylinder tab and trend tab: the engine's numbers shown, verdicts coloured where the
data put them, results stored in the QA log and read back by the trend view."""

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor

from workstation.analysis.qa.trend import metric_band, trend_points
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.io.db import StudyDB

pytestmark = pytest.mark.gui

SCAN = dt.datetime(2026, 5, 4, 10, 0, 0)
SCANNER = {"manufacturer": "Acme", "model": "QA-Scanner", "station_name": "PET1", "device_serial": "42"}
SHOTS = os.environ.get("WORKSTATION_QA_SHOTS")  # a folder: save PNGs of the tabs there to look at


def _cylinder_volume(tmp_path, suv: float):
    from workstation.io.dicom_write import PetHeader, StudyInfo, write_series
    from workstation.io.loader import load_pet_folder

    geom = ImageGeometry(shape=(50, 70, 70), spacing=(3.0, 3.0, 3.0), origin=(-103.5, -103.5, -73.5))
    w = geom.kji_to_world(np.argwhere(np.ones(geom.shape, bool))).reshape(*geom.shape, 3)
    inside = (np.hypot(w[..., 0], w[..., 1]) <= 90) & (np.abs(w[..., 2]) <= 60)
    dose, weight = 370e6, 70.0
    conc = suv * dose / (weight * 1000.0)  # SUVbw = C x weight[g] / dose, injected at the scan start
    study = StudyInfo(patient_weight_kg=weight, model_name="QA-Scanner", manufacturer="Acme").with_uids("uni")
    pet = PetHeader(injected_dose_bq=dose, injection_datetime=SCAN, series_datetime=SCAN)
    write_series(Volume((inside * conc).astype(np.float32), geom, modality="PT", units="BQML"), tmp_path / "cyl",
                 modality="PT", study=study, pet=pet)
    return load_pet_folder(str(tmp_path / "cyl"))


@pytest.mark.parametrize("suv,passed", [(1.04, True), (1.16, False)])
def test_uniformity_tab_verdict_table_and_store(qtbot, tmp_path, suv, passed):
    from workstation.ui.qa.panel import QaPanel

    db = tmp_path / "qa.db"
    panel = QaPanel(db_path=db)
    qtbot.addWidget(panel)
    tab = panel.uniformity
    assert not tab.analyse_button.isEnabled()
    panel.set_volume(_cylinder_volume(tmp_path, suv))
    assert tab.analyse_button.isEnabled() and not tab.store_button.isEnabled()
    with qtbot.waitSignal(tab.finished, timeout=120000) as sig:
        tab.analyse()
    assert sig.args == ["completed"], tab.last_error
    assert tab.result.mean == pytest.approx(suv, rel=1e-3)
    text = tab.verdict_label.text()
    assert text.startswith(f"Mean {suv:.4f}") and (("PASS" in text) == passed) and (("FAIL" in text) != passed)
    assert ("#117711" if passed else "#cc0000") in tab.verdict_label.styleSheet()
    assert tab.table.rowCount() == len(tab.result.slice_z) > 10
    assert float(tab.table.item(0, 1).text()) == pytest.approx(suv, rel=1e-3)
    assert float(tab.table.item(0, 2).text()) < 0.1  # flat cylinder: CoV ~ 0
    if SHOTS:
        panel.tabs.setCurrentWidget(tab)
        panel.resize(760, 560)
        panel.grab().save(str(Path(SHOTS) / f"qa_uniformity_{'pass' if passed else 'fail'}.png"))
    assert tab.report_button.isEnabled()
    pdf = tab.save_report(tmp_path / "uniformity.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(FileExistsError):
        tab.save_report(tmp_path / "uniformity.pdf")
    qa_id = tab.store()
    with StudyDB(db) as handle:
        (row,) = handle.qa_results("uniformity")
    assert row.qa_id == qa_id and row.passed is passed and row.summary["mean"] == pytest.approx(suv, rel=1e-3)
    assert "QA-Scanner" in row.scanner and row.acquired == SCAN.isoformat()
    assert not tab.store_button.isEnabled()


def test_uniformity_tab_error_in_one_line(qtbot):
    from workstation.ui.qa.panel import QaPanel

    panel = QaPanel()
    qtbot.addWidget(panel)
    geom = ImageGeometry(shape=(20, 40, 40), spacing=(4.0, 4.0, 4.0))
    panel.set_volume(Volume(np.zeros(geom.shape, np.float32), geom, modality="PT", units="BQML"))
    with qtbot.waitSignal(panel.uniformity.finished, timeout=30000) as sig:
        panel.uniformity.analyse()
    assert sig.args == ["failed"] and panel.uniformity.last_error and "\n" not in panel.uniformity.last_error
    assert not panel.uniformity.store_button.isEnabled()


@pytest.fixture
def qa_log(tmp_path):
    """Three NEMA IQ results of one scanner (RCA50 of the 37 mm sphere 0.80, 0.95, 0.82) and one of another."""
    db = tmp_path / "qa.db"
    with StudyDB(db) as h:
        for day, rc in ((1, 0.80), (8, 0.95), (15, 0.82)):
            h.save_qa_result("nema-iq", SCANNER, acquired=dt.datetime(2026, 3, day, 9).isoformat(), passed=None,
                             summary={"rc_a50_37": rc, "rc_peak_37": rc + 0.1, "background_cov": 5.0 + day / 10})
        h.save_qa_result("nema-iq", {"model": "Other"}, acquired=dt.datetime(2026, 3, 10, 9).isoformat(),
                         passed=True, summary={"background_cov": 6.0})
        h.save_qa_result("uniformity", SCANNER, acquired=dt.datetime(2026, 3, 2, 9).isoformat(), passed=False,
                         summary={"mean": 1.13})
    return db


def test_trend_points_and_bands(qa_log):
    with StudyDB(qa_log) as h:
        rows = h.qa_results()
    assert metric_band("nema-iq", "rc_a50_37", "EARL1") == (0.76, 0.89)
    assert metric_band("nema-iq", "rc_a50_37", "EARL2") == (0.85, 1.00)
    assert metric_band("nema-iq", "rc_peak_37", "EARL1") is None  # no verified RCpeak band
    assert metric_band("uniformity", "mean") == pytest.approx((0.9, 1.1))
    (key, pts), = trend_points(rows, "nema-iq", "rc_a50_37", "EARL1").items()
    assert "QA-Scanner" in key and [p.value for p in pts] == [0.80, 0.95, 0.82]
    assert [p.passed for p in pts] == [True, False, True]
    assert [p.passed for p in trend_points(rows, "nema-iq", "rc_a50_37", "EARL2")[key]] == [False, True, False]
    assert [p.passed for p in trend_points(rows, "nema-iq", "rc_peak_37")[key]] == [None, None, None]
    assert [p.passed for p in trend_points(rows, "uniformity", "mean")[key]] == [False]


def _colour_near(img, pt, want: QColor, r: int = 2) -> bool:
    for dx in range(-r, r + 1):
        for dy in range(-r, r + 1):
            c = img.pixelColor(int(round(pt.x())) + dx, int(round(pt.y())) + dy)
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60:
                return True
    return False


def test_trend_tab_draws_verdicts_where_the_data_are(qtbot, qa_log, tmp_path):
    from workstation.ui.qa.panel import QaPanel
    from workstation.ui.qa.trend import FAIL_COLOUR, PASS_COLOUR

    panel = QaPanel(db_path=qa_log)
    qtbot.addWidget(panel)
    panel.resize(760, 560)
    panel.show()
    panel.tabs.setCurrentWidget(panel.trend)  # switching to the tab reads the log
    view = panel.trend
    assert view.metric_box.currentData() == "rc_a50_37"  # the default metric of NEMA IQ
    assert view.scanner_box.count() == 3  # all scanners + two
    plot = view.plot
    (pts,) = plot.series.values()
    assert plot.band == (0.76, 0.89)
    img = plot.grab().toImage()
    xy = [plot.point_xy(p) for p in pts]
    assert xy[0].x() < xy[1].x() < xy[2].x() and xy[1].y() < xy[2].y() < xy[0].y()  # time right, value up
    assert _colour_near(img, xy[0], PASS_COLOUR) and _colour_near(img, xy[2], PASS_COLOUR)
    assert _colour_near(img, xy[1], FAIL_COLOUR) and not _colour_near(img, xy[1], PASS_COLOUR)
    # the band is shaded: a pixel inside it, away from the line, is greenish; one above it is white
    a = plot._area()
    y_band = plot.point_xy(type(pts[0])(pts[0].when, 0.85, None)).y()
    c = img.pixelColor(int(a.right()) - 3, int(y_band))
    assert c.green() > c.red() + 10 and c.green() > c.blue() + 10
    c = img.pixelColor(int(a.right()) - 3, int(xy[1].y()))
    assert (c.red(), c.green(), c.blue()) == (255, 255, 255)
    if SHOTS:
        panel.grab().save(str(Path(SHOTS) / "qa_trend_earl1.png"))
    # EARL2 bands: the verdicts swap
    view.standard_box.setCurrentIndex(view.standard_box.findData("EARL2"))
    img = plot.grab().toImage()
    (pts,) = plot.series.values()
    xy = [plot.point_xy(p) for p in pts]  # the scale follows the new band
    assert _colour_near(img, xy[1], PASS_COLOUR) and _colour_near(img, xy[0], FAIL_COLOUR)
    assert _colour_near(img, xy[2], FAIL_COLOUR)
    # uniformity: one failed mean
    view.kind_box.setCurrentIndex(view.kind_box.findData("uniformity"))
    assert view.metric_box.currentData() == "mean" and not view.standard_box.isEnabled()
    (pts,) = plot.series.values()
    assert [p.passed for p in pts] == [False]
    # a metric without data for the chosen scanner: empty plot, no crash
    view.kind_box.setCurrentIndex(view.kind_box.findData("nema-iq"))
    view.metric_box.setCurrentIndex(view.metric_box.findData("background_cov"))
    assert len(plot.series) == 2
    view.scanner_box.setCurrentIndex(view.scanner_box.findData(next(k for k in plot.series if "Other" in k)))
    assert list(plot.series) == ["Other"] or all("Other" in k for k in plot.series)
    if SHOTS:
        panel.grab().save(str(Path(SHOTS) / "qa_trend_other.png"))


def test_nema_result_stored_and_trended(qtbot, tmp_path):
    from workstation.analysis.qa.phantom import iec_phantom_image
    from workstation.ui.qa.panel import QaPanel

    geom = ImageGeometry(shape=(40, 112, 112), spacing=(3.0, 3.0, 2.0), origin=(-166.5, -166.5, -40.0))
    img, _ = iec_phantom_image(geom, 1000.0, 4.0)
    vol = Volume(img, geom, modality="PT", units="BQML", series_uid="1.2.3", description="IQ phantom")
    db = tmp_path / "qa.db"
    panel = QaPanel(db_path=db)
    qtbot.addWidget(panel)
    panel.set_volume(vol)
    panel.context.reference_datetime = SCAN  # a scan date for the trend (the bare volume has no header)
    with qtbot.waitSignal(panel.finished, timeout=120000):
        panel.analyse()
    assert panel.store_button.isEnabled()
    assert "No EARL verdict for RCpeak" in panel.table.horizontalHeaderItem(3).toolTip()
    assert all(panel.table.item(r, 3).text() != "-" for r in range(6))  # RCpeak shown, without a verdict
    qa_id = panel.store()
    with StudyDB(db) as h:
        (row,) = h.qa_results("nema-iq")
    assert row.qa_id == qa_id and row.summary["rc_a50_37"] == pytest.approx(panel.result.spheres[0].rc_a50)
    assert panel.trend.rows and panel.trend.metric_box.currentData() == "rc_a50_37"
    (pts,) = panel.trend.plot.series.values()
    assert pts[0].value == pytest.approx(panel.result.spheres[0].rc_a50)
