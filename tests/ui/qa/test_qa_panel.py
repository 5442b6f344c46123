"""The QA panel: NEMA IQ on a worker thread, the table shows the engine's numbers, verdicts coloured."""

import numpy as np
import pytest

from workstation.analysis.qa.nema_iq import Fill, analyse_nema_iq
from workstation.analysis.qa.phantom import iec_phantom_image
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def phantom():
    geom = ImageGeometry(shape=(40, 112, 112), spacing=(3.0, 3.0, 2.0), origin=(-166.5, -166.5, -40.0))
    f = [1.0, 0.95, 0.9, 0.8, 0.7, 0.5]
    img, _ = iec_phantom_image(geom, 1000.0, sphere_values=[4000.0 * x for x in f])
    return Volume(img, geom, modality="PT", units="BQML", series_uid="1.2.3", description="IQ phantom")


def test_qa_panel_runs_and_shows_numbers(qtbot, tmp_path, phantom):
    from workstation.ui.qa.panel import QaPanel

    panel = QaPanel()
    qtbot.addWidget(panel)
    assert not panel.analyse_button.isEnabled()
    panel.set_volume(phantom)
    assert panel.analyse_button.isEnabled() and not panel.report_button.isEnabled()
    panel.ratio_spin.setValue(4.0)
    with qtbot.waitSignal(panel.finished, timeout=120000) as sig:
        panel.analyse()
    assert sig.args == ["completed"]
    ref = analyse_nema_iq(phantom.array, phantom.geometry, Fill(ratio=4.0), units="BQML")
    assert panel.table.rowCount() == 6
    for r, s in enumerate(ref.spheres):
        assert panel.table.item(r, 0).text() == f"{s.diameter_mm:g}"
        assert panel.table.item(r, 1).text() == f"{s.rc_max:.3f}"
        assert panel.table.item(r, 2).text() == f"{s.rc_a50:.3f}"
        e1 = panel.table.item(r, 7)
        assert e1.text() == ("pass" if s.earl["EARL1"]["pass"] else "FAIL")
        assert e1.foreground().color().name() == ("#117711" if s.earl["EARL1"]["pass"] else "#cc0000")
    assert panel.verdict_label.text().startswith("EARL1 FAIL")
    assert panel.report_button.isEnabled()
    out = panel.save_report(tmp_path / "qa.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(FileExistsError):
        panel.save_report(tmp_path / "qa.pdf")


def test_qa_panel_reports_errors(qtbot):
    from workstation.ui.qa.panel import QaPanel

    panel = QaPanel()
    qtbot.addWidget(panel)
    geom = ImageGeometry(shape=(20, 40, 40), spacing=(4.0, 4.0, 4.0))
    panel.set_volume(Volume(np.zeros(geom.shape), geom, modality="PT"))
    with qtbot.waitSignal(panel.finished, timeout=30000) as sig:
        panel.analyse()
    assert sig.args == ["failed"] and "empty" in panel.last_error
    assert panel.table.rowCount() == 0 and not panel.report_button.isEnabled()
    # concentrations of zero: refused before any work starts
    panel.conc_check.setChecked(True)
    panel.background_spin.setValue(0.0)
    with qtbot.waitSignal(panel.finished, timeout=5000) as sig:
        assert panel.analyse() is None
    assert sig.args == ["failed"] and "positive" in panel.last_error


def test_main_window_opens_qa_panel(qtbot):
    from workstation.ui.reader.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    panel = win.show_qa_panel()
    assert panel is win.qa_panel and not panel.analyse_button.isEnabled()  # no study loaded
