"""Toolbar overflow: what does not fit in a narrow window stays reachable from a "More" menu.

Concept
-------
At 1366 px the reading toolbar is wider than the window; Qt then hides the items that do not
fit behind a 12-pixel extension arrow. :class:`ToolbarOverflow` adds a plainly labelled
"More ▾" button in the menu bar's right corner (always on screen, whatever the width). Its menu
is rebuilt each time it opens from the toolbar items that are hidden right now (none: one
disabled line says so), each one doing what the item does:

* a push button or check box: an action that clicks it (checkable when the item is);
* a combo box: a sub-menu of its choices (choosing one selects it and emits ``activated``, as
  a click in the box does);
* a slider: a sub-menu of five steps of its range;

named by the label that precedes it in the toolbar, or by its tooltip when its own text is a
single symbol (the nudge arrows). Disabled items give disabled entries.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QMenu,
    QSlider,
    QToolBar,
    QToolButton,
)


class ToolbarOverflow(QObject):
    def __init__(self, window, toolbar: QToolBar):
        super().__init__(window)
        self.window, self.toolbar = window, toolbar
        self.button = QToolButton()
        self.button.setObjectName("toolbar-more")
        self.button.setText(self.tr("More ▾"))
        self.button.setToolTip(self.tr("toolbar items that do not fit in the window"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self.rebuild)
        self.button.setMenu(self.menu)
        window.menuBar().setCornerWidget(self.button, Qt.Corner.TopRightCorner)
        # no event filter on the toolbar: a Python eventFilter override returning a bool on every event
        # corrupted the reference count of False in this PySide6 (abort at interpreter exit)

    # ------------------------------------------------------------ what is hidden
    def items(self) -> list[tuple[str, object]]:
        """(name, widget) of every toolbar item a reader can operate (labels and separators left out)."""
        out, label = [], ""
        for act in self.toolbar.actions():
            w = self.toolbar.widgetForAction(act)
            if w is None or act.isSeparator():
                label = ""
                continue
            if isinstance(w, QLabel):
                label = w.text().strip()
                continue
            if isinstance(w, (QAbstractButton, QComboBox, QSlider)):
                out.append((self._name(w, label), w))
            label = ""
        return out

    @staticmethod
    def _name(w, label: str) -> str:
        if isinstance(w, QAbstractButton):
            text = w.text().strip()
            if len(text) <= 2 and w.toolTip():
                return f"{text}  {w.toolTip()}"
            return text
        return label or w.toolTip() or w.objectName()

    def hidden_items(self) -> list[tuple[str, object]]:
        """The operable items the toolbar does not show at its present width."""
        if not self.toolbar.isVisible():
            return []
        right = self.toolbar.width()
        return [(n, w) for n, w in self.items()
                if not w.isVisible() or w.mapTo(self.toolbar, w.rect().topRight()).x() > right]

    # ------------------------------------------------------------ the menu
    def rebuild(self) -> None:
        self.menu.clear()
        hidden = self.hidden_items()
        if not hidden:
            self.menu.addAction(self.tr("(every tool is shown)")).setEnabled(False)
        for name, w in hidden:
            if isinstance(w, QAbstractButton):
                act = self.menu.addAction(name)
                act.setCheckable(w.isCheckable() or isinstance(w, QCheckBox))
                act.setChecked(w.isChecked())
                act.setEnabled(w.isEnabled())
                act.triggered.connect(lambda _c=False, b=w: b.click())
            elif isinstance(w, QComboBox):
                sub = self.menu.addMenu(name)
                sub.setEnabled(w.isEnabled())
                for i in range(w.count()):
                    act = sub.addAction(w.itemText(i))
                    act.setCheckable(True)
                    act.setChecked(i == w.currentIndex())
                    act.triggered.connect(lambda _c=False, box=w, i=i: self._choose(box, i))
            elif isinstance(w, QSlider):
                sub = self.menu.addMenu(name)
                sub.setEnabled(w.isEnabled())
                lo, hi = w.minimum(), w.maximum()
                for k in range(5):
                    v = lo + round(k * (hi - lo) / 4)
                    act = sub.addAction(f"{v}")
                    act.triggered.connect(lambda _c=False, s=w, v=v: s.setValue(v))

    @staticmethod
    def _choose(box: QComboBox, i: int) -> None:
        box.setCurrentIndex(i)
        box.activated.emit(i)
