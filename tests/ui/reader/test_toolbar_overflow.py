"""At 1366×768 the reading toolbar does not fit: every item stays reachable through "More ▾"."""

import pytest
from PySide6.QtWidgets import QApplication

from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui]


def _show(qtbot, w, h):
    win = MainWindow(None)
    qtbot.addWidget(win)
    win.resize(w, h)
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()
    return win


def _shown_in_window(win, widget) -> bool:
    if not widget.isVisible():
        return False
    x_right = widget.mapTo(win, widget.rect().topRight()).x()
    return x_right <= win.width()


def test_every_toolbar_item_is_visible_or_in_the_more_menu_at_1366(qtbot):
    win = _show(qtbot, 1366, 768)
    assert win.width() == 1366
    ov = win.toolbar_overflow
    items = ov.items()
    assert len(items) >= 20  # buttons, boxes, slider, check box of the reading toolbar
    hidden = ov.hidden_items()
    hidden_widgets = {id(w) for _, w in hidden}
    assert hidden, "at 1366 px the toolbar is expected not to fit (else this test proves nothing)"
    for name, w in items:  # each is either on screen or in the overflow, never both, never neither
        assert _shown_in_window(win, w) != (id(w) in hidden_widgets), name
    # the More button is on screen, inside the window
    assert ov.button.isVisible() and _shown_in_window(win, ov.button)
    ov.rebuild()
    entries = [a.text() if a.menu() is None else a.menu().title() for a in ov.menu.actions()]
    assert entries == [n for n, _ in hidden]
    assert "VOIs…" in entries and "QA…" in entries


def test_an_overflow_entry_does_what_the_button_does(qtbot):
    win = _show(qtbot, 1366, 768)
    ov = win.toolbar_overflow
    ov.rebuild()
    act = next(a for a in ov.menu.actions() if a.text() == win.voi_button.text())
    assert not win.voi_dock.isVisible()
    act.trigger()
    assert win.voi_dock.isVisible()
    # disabled tools (no study open) are disabled in the menu too
    nudge = next(a for a in ov.menu.actions() if a.text().startswith("◀"))
    assert not nudge.isEnabled() and not win.nudge_buttons[(-2, 0, 0)].isEnabled()


def test_an_empty_more_menu_when_everything_fits(qtbot):
    win = _show(qtbot, 2600, 900)
    if win.width() < 2600:
        pytest.skip(f"the offscreen screen is narrower than 2600 px ({win.width()})")
    assert win.toolbar_overflow.hidden_items() == []
    win.toolbar_overflow.rebuild()
    acts = win.toolbar_overflow.menu.actions()
    assert len(acts) == 1 and not acts[0].isEnabled()
