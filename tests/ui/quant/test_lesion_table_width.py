"""The lesion table at the default window size: SUVmax, SUVpeak, MTV and TLG without horizontal scrolling."""

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from workstation.ui.quant.lesion_table import COLUMNS
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]

KEY_COLUMNS = ("suv_max", "suv_peak", "volume_ml", "tlg")


@pytest.fixture(scope="module")
def win(demo_study, qapp, tmp_path_factory):
    from pytestqt.qtbot import QtBot

    mp = pytest.MonkeyPatch()
    mp.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("lesion-table-data")))
    out, truth = demo_study
    w = MainWindow(db=None)  # the default size: no resize
    w.show()
    w.load_folder(str(out))
    QtBot(None).waitUntil(lambda: w.session is not None, timeout=180_000)
    w.voi_dock.show()
    yield w, truth
    w.close()
    mp.undo()


def test_key_columns_fit_without_horizontal_scrolling(win, qtbot):
    w, truth = win
    panel = w.voi_panel
    panel.model.clear()
    for les in truth["lesions"]:  # real VOIs with their numbers (large spheres: MTV and TLG of several digits)
        panel.model.add_sphere(np.asarray(les["centre_lps_mm"], float), 3 * float(les["radius_mm"]),
                               name=f"lesion {les['name']}")
    QApplication.processEvents()
    table = panel.table
    assert table.source_model.rowCount() == len(truth["lesions"]) > 0
    table.resizeColumnsToContents()
    # the dock follows the table's minimum width once the layout has run: then nothing to scroll to
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0, timeout=5_000)
    vp = table.viewport().width()
    header = table.horizontalHeader()
    for key in KEY_COLUMNS:
        col = table.column_of(key)
        assert not table.isColumnHidden(col), key
        right = header.sectionViewportPosition(col) + header.sectionSize(col)
        assert 0 <= header.sectionViewportPosition(col) and right <= vp, (key, right, vp)
        # the widest value is shown in full (no elision): the section is at least as wide as its text
        fm = table.fontMetrics()
        texts = [table.model().index(r, col).data() for r in range(table.model().rowCount())]
        assert header.sectionSize(col) >= max(fm.horizontalAdvance(t) for t in texts if t), key
    assert w.width() == 1500  # the default size this test is about


def test_hidden_columns_can_be_shown_from_the_header_menu(win, qtbot):
    w, _ = win
    table = w.voi_panel.table
    menu = table.column_menu()
    names = [a.text() for a in menu.actions()]
    assert len(names) == len(COLUMNS)
    hidden = [a for a in menu.actions() if not a.isChecked()]
    for a in menu.actions():  # the key columns are shown by default
        if a.data() in KEY_COLUMNS:
            assert a.isChecked()
    if hidden:
        a = hidden[0]
        a.trigger()
        assert not table.isColumnHidden(table.column_of(a.data()))
        a.trigger()
        assert table.isColumnHidden(table.column_of(a.data()))
