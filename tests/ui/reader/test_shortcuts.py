"""Reading shortcuts driven as key presses on the real main window (synthetic PET/CT): arrows and
PgUp/PgDn change the slice of the view under the mouse (or last clicked), Home resets zoom and pan,
+/- zoom, 1..5 choose the CT window presets, space plays/pauses the MIP cine, F1 lists the keys."""


import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QEnterEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from workstation.testing import synthetic_study as syn

from workstation.analysis.reading import session as fusion
from workstation.core.display import CT_PRESETS  # noqa: E402

pytestmark = [pytest.mark.gui]


@pytest.fixture
def win(qtbot):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    w.set_session(fusion.ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=8))
    yield w
    w.cancel_work()
    w.close()


def _click(view):
    pos = QPointF(view.width() / 2, view.height() / 2)
    for t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        ev = QMouseEvent(t, pos, view.mapToGlobal(pos), Qt.MouseButton.LeftButton,
                         Qt.MouseButton.LeftButton if t == QEvent.Type.MouseButtonPress else Qt.MouseButton.NoButton,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view, ev)


def _hover(view):
    pos = QPointF(5, 5)
    QApplication.sendEvent(view, QEnterEvent(pos, pos, view.mapToGlobal(pos)))


def test_arrows_and_pages_scroll_the_view_under_the_mouse(win, qtbot):
    s = win.session
    _hover(win.views["ct-coronal"])
    cor, ax = s.plane_index("coronal"), s.plane_index("axial")
    qtbot.keyClick(win, Qt.Key.Key_Up)
    assert s.plane_index("coronal") == cor + 1 and s.plane_index("axial") == ax
    qtbot.keyClick(win, Qt.Key.Key_Down)
    qtbot.keyClick(win, Qt.Key.Key_Down)
    assert s.plane_index("coronal") == cor - 1
    qtbot.keyClick(win, Qt.Key.Key_PageUp)
    assert s.plane_index("coronal") == cor + 9
    qtbot.keyClick(win, Qt.Key.Key_PageDown)
    assert s.plane_index("coronal") == cor - 1
    # another view entered: keys follow the mouse
    _hover(win.views["pet-axial"])
    qtbot.keyClick(win, Qt.Key.Key_Right)
    assert s.plane_index("axial") == ax + 1 and s.plane_index("coronal") == cor - 1
    qtbot.keyClick(win, Qt.Key.Key_Left)
    assert s.plane_index("axial") == ax


def test_keys_act_on_the_last_clicked_view_and_rotate_the_mip(win, qtbot):
    s = win.session
    _hover(win.views["ct-axial"])
    _click(win.views["fused-sagittal"])  # clicked last (no hover since): the keys act on it
    assert win.active_view_key == "fused-sagittal"
    before = {p: s.plane_index(p) for p in ("axial", "coronal", "sagittal")}
    qtbot.keyClick(win, Qt.Key.Key_Up)
    assert s.plane_index("sagittal") == before["sagittal"] + 1
    assert s.plane_index("axial") == before["axial"] and s.plane_index("coronal") == before["coronal"]
    _hover(win.views["mip"])
    a = s.mip_angle_index
    qtbot.keyClick(win, Qt.Key.Key_Up)
    assert s.mip_angle_index == (a + 1) % s.n_mip_frames


def test_plus_minus_zoom_and_home_resets(win, qtbot):
    s = win.session
    _hover(win.views["ct-axial"])
    qtbot.keyClick(win, Qt.Key.Key_Plus)
    assert s.zoom["ct-axial"] == pytest.approx(1.25)
    qtbot.keyClick(win, Qt.Key.Key_Equal)
    assert s.zoom["ct-axial"] == pytest.approx(1.5625)
    qtbot.keyClick(win, Qt.Key.Key_Minus)
    assert s.zoom["ct-axial"] == pytest.approx(1.25)
    assert s.zoom["pet-axial"] == 1.0  # only the view under the mouse
    s.set_pan("ct-axial", (12.0, -7.0))
    qtbot.keyClick(win, Qt.Key.Key_Home)
    assert s.zoom["ct-axial"] == 1.0 and s.pan["ct-axial"] == (0.0, 0.0)


def test_number_keys_choose_ct_presets(win, qtbot):
    s = win.session
    names = list(CT_PRESETS)
    for i, key in enumerate((Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5)):
        qtbot.keyClick(win, key)
        assert s.ct_window == CT_PRESETS[names[i]]
        assert win.ct_preset_box.currentData() == names[i]  # the tool bar follows


def test_space_plays_and_pauses_the_mip(win, qtbot):
    assert not win.cine.isActive()
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert win.cine.isActive() and win.cine_button.isChecked()
    a = win.session.mip_angle_index
    qtbot.waitUntil(lambda: win.session.mip_angle_index != a, timeout=5000)
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert not win.cine.isActive() and not win.cine_button.isChecked()


def test_f1_lists_every_shortcut(win, qtbot):
    qtbot.keyClick(win, Qt.Key.Key_F1)
    box = win.shortcuts_box
    assert box is not None and box.isVisible()
    text = box.text()
    for keys, what in win.shortcut_list():
        assert keys in text and what in text
    for word in ("PgUp", "Home", "Space", "F1", "+"):
        assert word in text


def test_keys_do_nothing_on_the_browser_page(win, qtbot):
    s = win.session
    win.pages.setCurrentWidget(win.browser)
    ax = s.plane_index("axial")
    qtbot.keyClick(win, Qt.Key.Key_Up)
    qtbot.keyClick(win, Qt.Key.Key_1)
    assert s.plane_index("axial") == ax and s.ct_window == CT_PRESETS["soft tissue"]
