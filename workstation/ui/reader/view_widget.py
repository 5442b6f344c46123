"""A Qt widget that shows one cell of the hanging protocol and turns the mouse into reading actions.

Concept
-------
The widget owns a ``render.scene.CellRenderer`` (which draws with VTK off screen and hands back
pixels) and paints those pixels. It subscribes to the session's events and redraws lazily
(``update()`` coalesces many events into one paint), and only when its own picture changed: the
crosshair is painted by the widget over the picture, so scrolling the axial view draws the axial
views again while the coronal, sagittal and MIP views only move their crosshair line (their slice
did not change). Mouse conventions follow common viewers:

* wheel: next/previous slice (MIP: rotate); Ctrl+wheel: zoom
* left button: put the crosshair there (MIP: jump to the hottest voxel along the ray); drag to move it
* right drag: window/level (horizontal = width, vertical = level)
* middle drag (or Shift+left drag): pan
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from workstation.analysis.reading.session import ReadingSession
from workstation.render.scene import CellRenderer
from workstation.render.slice_view import CROSSHAIR_RGB

#: which events change the picture of which kinds of view (the crosshair is handled apart)
_EVENT_KINDS = {
    "ct_window": ("ct", "fused"),
    "pet_window": ("pet", "fused", "mip"),
    "colormap": ("pet", "fused"),
    "opacity": ("fused",),
    "mip_angle": ("mip",),
    "pet": ("pet", "fused", "mip"),
}


class ViewWidget(QWidget):
    rendered = Signal()
    #: the mouse entered this view, or it was clicked: keyboard shortcuts act on it (``MainWindow``)
    activated = Signal(str)

    def __init__(self, session: ReadingSession, kind: str, plane: str = "axial", parent=None):
        super().__init__(parent)
        self.session = session
        self.kind, self.plane = kind, plane
        self.cell = CellRenderer(kind, plane, 64, 64)
        self.cell.draw_crosshair = False  # painted here, over the picture (see paintEvent)
        self._shown_slice: int | None = None
        self.last_image: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._dirty = True
        self._drag: tuple[Qt.MouseButton, QPointF] | None = None
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMouseTracking(False)
        self.setObjectName(self.cell.key)
        session.events.connect("*", self._on_event)

    @property
    def key(self) -> str:
        return self.cell.key

    def detach(self) -> None:
        self.session.events.disconnect("*", self._on_event)

    def redraw(self) -> None:
        """Draw again at the next paint (e.g. an overlay of another panel changed)."""
        self._dirty = True
        self.update()

    @property
    def render_count(self) -> int:
        """Pictures drawn so far (a crosshair move within the slice shown draws none)."""
        return self.cell.renders

    def _on_event(self, event: str, **kw) -> None:
        if event == "view" and kw.get("key") not in (None, self.key):
            return
        if event in _EVENT_KINDS and self.kind not in _EVENT_KINDS[event]:
            return
        if event == "crosshair" and not self._dirty and self._shown_slice == self.cell.shown_slice(self.session):
            self.update()  # the same picture: only the crosshair moves
            return
        self._dirty = True
        self.update()

    # ------------------------------------------------------------ drawing
    def render_now(self) -> np.ndarray:
        """Render at the widget's current size (also used by tests and the benchmark)."""
        self.cell.set_size(self.width(), self.height())
        img = self.cell.render(self.session)
        self._shown_slice = self.cell.shown_slice(self.session)
        self.last_image = img
        h, w = img.shape[:2]
        # in the widget's own pixel format (a copy that owns its pixels): each paint is then a plain blit,
        # and most paints are of pictures that did not change (only the crosshair moved)
        self._qimage = QImage(img.data, w, h, 3 * w, QImage.Format.Format_RGB888).convertToFormat(
            QImage.Format.Format_RGB32)
        self._dirty = False
        self.rendered.emit()
        return img

    def paintEvent(self, _ev) -> None:
        if self._dirty or self._qimage is None or self._qimage.width() != self.width() \
                or self._qimage.height() != self.height():
            self.render_now()
        p = QPainter(self)
        p.drawImage(0, 0, self._qimage)
        r, g, b = (int(round(255 * c)) for c in CROSSHAIR_RGB)
        pen = QPen(QColor(r, g, b, 153))  # the VTK crosshair's colour and 60 % opacity
        pen.setWidth(1)
        p.setPen(pen)
        for x0, y0, x1, y1 in self.cell.crosshair_lines(self.session):
            p.drawLine(QPointF(x0, y0), QPointF(x1, y1))
        p.end()

    def resizeEvent(self, ev) -> None:
        self._dirty = True
        super().resizeEvent(ev)

    def world_to_widget(self, xyz) -> tuple[float, float]:
        """Where a world point is drawn in this widget (after the last render)."""
        self.cell.set_size(self.width(), self.height())
        return self.cell.world_to_display(self.session, xyz)

    # ------------------------------------------------------------ mouse
    def wheelEvent(self, ev) -> None:
        steps = int(np.sign(ev.angleDelta().y())) if ev.angleDelta().y() else 0
        if not steps:
            return
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.cell.zoom_by(self.session, 1.15 ** steps)
        elif self.kind == "mip":
            self.session.set_mip_angle_index(self.session.mip_angle_index + steps)
        else:
            self.session.scroll(self.plane, steps)
        ev.accept()

    def mousePressEvent(self, ev) -> None:
        self.cell.set_size(self.width(), self.height())
        button = ev.button()
        if button == Qt.MouseButton.LeftButton and ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            button = Qt.MouseButton.MiddleButton
        self._drag = (button, ev.position())
        self.activated.emit(self.key)
        if button == Qt.MouseButton.LeftButton:
            self.cell.click(self.session, ev.position().x(), ev.position().y())
        ev.accept()

    def mouseMoveEvent(self, ev) -> None:
        if self._drag is None:
            return
        button, last = self._drag
        pos = ev.position()
        dx, dy = pos.x() - last.x(), pos.y() - last.y()
        self._drag = (button, pos)
        if button == Qt.MouseButton.LeftButton and self.kind != "mip":
            self.cell.click(self.session, pos.x(), pos.y())
        elif button == Qt.MouseButton.RightButton:
            self.cell.window_by(self.session, dx, dy)
        elif button == Qt.MouseButton.MiddleButton:
            self.cell.pan_by(self.session, dx, dy)
        ev.accept()

    def mouseReleaseEvent(self, ev) -> None:
        self._drag = None
        ev.accept()

    def enterEvent(self, ev) -> None:
        self.activated.emit(self.key)
        super().enterEvent(ev)

    # ------------------------------------------------------------ keyboard actions (MainWindow maps keys here)
    def step(self, steps: int) -> None:
        """Next/previous slice of this view's plane (MIP: rotate by ``steps`` frames)."""
        if self.kind == "mip":
            self.session.set_mip_angle_index(self.session.mip_angle_index + steps)
        else:
            self.session.scroll(self.plane, steps)

    def zoom_by(self, factor: float) -> None:
        self.session.set_zoom(self.key, self.session.zoom[self.key] * factor)

    def reset_view(self) -> None:
        """Zoom 1, no pan."""
        self.session.set_zoom(self.key, 1.0)
        self.session.set_pan(self.key, (0.0, 0.0))

    def mouseDoubleClickEvent(self, ev) -> None:
        """Double click resets zoom and pan of this view."""
        self.reset_view()
        ev.accept()
