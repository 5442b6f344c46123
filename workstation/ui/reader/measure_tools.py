"""Reader tools of the views: readout on hover, distance, line profile with a plot, VOI histogram.

Concept
-------
* :class:`HoverReadout` watches every view's mouse moves (mouse tracking on) and shows the values
  under the pointer in the status bar's readout (position, HU, SUV: ``analysis.measure.readout_at``)
  without moving the crosshair. Moves only record where the mouse is; the readout is computed by a
  single-shot timer at most every ``interval_ms`` (25 per second), so hovering never slows a scroll
  or a drag. Leaving the views shows the crosshair's readout again. Over the MIP the readout is
  the hottest voxel along the ray under the pointer (where a click would jump).
* :class:`MeasureTools` owns the tools' state: the measurement segments (:class:`Measurement`, drawn
  in every view of their plane by ``render.measure_overlay.MeasureLines``), the current tool
  (``distance`` or ``profile``; None = the views' own navigation) and the Tools menu / tool bar. A
  tool turns a left-button drag in a slice view into a segment between two world points; the
  distance tool keeps it with its length in mm, the profile tool opens :class:`ProfileDialog` with
  the CT and PET values along it (``analysis.measure.line_profile``). The VOI histogram
  (:class:`HistogramDialog`) shows the SUV distribution of the selected VOI with its mean and max.
* The plots are drawn with QPainter (no plotting library): :class:`ProfilePlot` and
  :class:`HistogramPlot` map values to pixels with ``x_px`` / ``y_px`` so tests can find the curves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QKeySequence, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QDialog, QLabel, QToolBar, QVBoxLayout, QWidget

from workstation.analysis.reading import measure as M
from workstation.render.measure_overlay import MeasureLines

DISTANCE_RGB = (1.0, 0.85, 0.1)
PROFILE_RGB = (0.2, 0.9, 1.0)
CT_CURVE = QColor(60, 60, 60)
PET_CURVE = QColor(230, 80, 0)
BAR_COLOUR = QColor(70, 110, 180)
MEAN_COLOUR = QColor(0, 160, 0)
MAX_COLOUR = QColor(220, 0, 0)


@dataclass
class Measurement:
    kind: str  # "distance" | "profile"
    plane: str
    start: np.ndarray
    end: np.ndarray

    @property
    def length_mm(self) -> float:
        return M.distance_mm(self.start, self.end)

    @property
    def text(self) -> str:
        return f"{self.length_mm:.1f} mm" if self.kind == "distance" else ""

    @property
    def rgb(self) -> tuple[float, float, float]:
        return DISTANCE_RGB if self.kind == "distance" else PROFILE_RGB


def _view_world(view, x: float, y: float) -> tuple[np.ndarray | None, bool]:
    """World point under widget pixel (x, y) of a view and whether it is on the image (MIP: the hottest
    voxel along the ray)."""
    s = view.session
    view.cell.set_size(view.width(), view.height())
    col, row = view.cell.display_to_image(x, y)
    v = view.cell.view
    inside = -0.5 <= col <= v.cols - 0.5 and -0.5 <= row <= v.rows - 0.5
    if view.kind == "mip":
        if s.pet is None or not inside:
            return None, False
        return s.hottest_along_ray(col, row), True
    return s.pixel_to_world(view.plane, col, row), inside


# ============================================================================ hover
class HoverReadout(QObject):
    """Readout of the values under the mouse, throttled (see the module's docstring)."""

    shown = Signal(str)

    def __init__(self, window, interval_ms: int = 40):
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.flush)
        self.pending = None  # (view, x, y) of the newest move
        self.where = None  # (view, x, y) of the mouse while it is over a view
        self.session = None
        self.last: dict | None = None  # readout_at of the last shown point (+ "view")
        self.computed = 0  # readouts computed (tests: moves are coalesced)
        self.views: list = []

    def attach_views(self, views) -> None:
        for v in views.values() if isinstance(views, dict) else views:
            if v in self.views:
                continue
            v.setMouseTracking(True)
            v.installEventFilter(self)
            self.views.append(v)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        t = ev.type()
        if t == QEvent.Type.MouseMove and obj in self.views:
            self.pending = self.where = (obj, ev.position().x(), ev.position().y())
            if not self.timer.isActive():
                self.timer.start()
        elif t == QEvent.Type.Leave and obj in self.views:
            self.pending = self.where = None
            self.timer.stop()
            self.last = None
            self.window._update_readout()
        return False

    def set_session(self, session) -> None:
        """Follow a new reading: when its slices move under a still mouse (wheel, keys), read again."""
        if self.session is not None:
            self.session.events.disconnect("crosshair", self._on_crosshair)
            self.session.events.disconnect("mip_angle", self._on_crosshair)
        self.session = session
        self.pending = self.where = self.last = None
        if session is not None:
            session.events.connect("crosshair", self._on_crosshair)
            session.events.connect("mip_angle", self._on_crosshair)

    def _on_crosshair(self, event: str = "", **kw) -> None:
        if self.where is not None:
            self.pending = self.where
            if not self.timer.isActive():
                self.timer.start()

    def flush(self) -> None:
        """Show the readout of the newest mouse position now."""
        if self.pending is None:
            return
        view, x, y = self.pending
        self.pending = None
        s = view.session
        if s is None or s is not self.window.session:
            return
        world, inside = _view_world(view, x, y)
        if world is None:
            return
        self.computed += 1
        r = M.readout_at(s, world)
        r["view"], r["inside"] = view.key, inside
        self.last = r
        text = M.readout_text_at(s, world)
        if view.kind == "mip":
            text = "MIP → " + text
        self.window.readout_label.setText(text)
        self.shown.emit(text)


# ============================================================================ plots
class _Plot(QWidget):
    """A small QPainter chart: plot rectangle, axes, ticks; subclasses draw the data."""

    MARGIN = (58, 14, 58, 36)  # left, top, right, bottom

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(420, 240)
        self.x_range = (0.0, 1.0)
        self.setAutoFillBackground(True)

    def plot_rect(self) -> QRectF:
        l, t, r, b = self.MARGIN
        return QRectF(l, t, max(10, self.width() - l - r), max(10, self.height() - t - b))

    def x_px(self, x: float) -> float:
        rc, (a, b) = self.plot_rect(), self.x_range
        return rc.left() + (x - a) / ((b - a) or 1.0) * rc.width()

    @staticmethod
    def _y(rc: QRectF, v: float, lo: float, hi: float) -> float:
        return rc.bottom() - (v - lo) / ((hi - lo) or 1.0) * rc.height()

    @staticmethod
    def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
        span = hi - lo
        if not span > 0:
            return [lo]
        step = 10 ** math.floor(math.log10(span / n))
        for m in (1, 2, 5, 10):
            if span / (m * step) <= n:
                step *= m
                break
        first = math.ceil(lo / step) * step
        return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]

    def _frame(self, p: QPainter, x_label: str) -> QRectF:
        rc = self.plot_rect()
        p.fillRect(self.rect(), QColor(255, 255, 255))
        p.setPen(QPen(QColor(0, 0, 0), 1))
        p.drawRect(rc)
        f = QFont(self.font())
        f.setPointSize(8)
        p.setFont(f)
        for x in self.nice_ticks(*self.x_range):
            px = self.x_px(x)
            p.drawLine(QPointF(px, rc.bottom()), QPointF(px, rc.bottom() + 4))
            p.drawText(QRectF(px - 30, rc.bottom() + 5, 60, 14), Qt.AlignmentFlag.AlignHCenter, f"{x:g}")
        p.drawText(QRectF(rc.left(), rc.bottom() + 18, rc.width(), 16), Qt.AlignmentFlag.AlignHCenter, x_label)
        return rc

    def _y_axis(self, p: QPainter, rc: QRectF, lo: float, hi: float, colour: QColor, label: str, right: bool) -> None:
        p.setPen(QPen(colour, 1))
        x0 = rc.right() if right else rc.left()
        for v in self.nice_ticks(lo, hi):
            py = self._y(rc, v, lo, hi)
            p.drawLine(QPointF(x0, py), QPointF(x0 + (4 if right else -4), py))
            box = QRectF(x0 + 5, py - 7, 52, 14) if right else QRectF(x0 - 57, py - 7, 52, 14)
            p.drawText(box, (Qt.AlignmentFlag.AlignLeft if right else Qt.AlignmentFlag.AlignRight)
                       | Qt.AlignmentFlag.AlignVCenter, f"{v:g}")
        p.drawText(QRectF(x0 + 5 if right else 2, rc.top() - 13, 80, 12),
                   Qt.AlignmentFlag.AlignLeft, label)


class ProfilePlot(_Plot):
    """Values along a line: the anatomy (left axis, its units) and the PET (right axis, SUV)."""

    def __init__(self, profile: M.Profile, parent=None):
        super().__init__(parent)
        self.profile = profile
        self.x_range = (0.0, float(profile.position_mm[-1]) or 1.0)
        self.ranges = {}
        for key in ("anat", "pet"):
            vals = getattr(profile, key)
            if vals is not None and np.isfinite(vals).any():
                lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
                pad = 0.05 * ((hi - lo) or abs(hi) or 1.0)
                self.ranges[key] = (lo - pad if key == "anat" else min(0.0, lo), hi + pad)

    def y_px(self, key: str, v: float) -> float:
        return self._y(self.plot_rect(), v, *self.ranges[key])

    def curve(self, key: str) -> list[QPointF]:
        vals = getattr(self.profile, key)
        if vals is None or key not in self.ranges:
            return []
        return [QPointF(self.x_px(x), self.y_px(key, v)) for x, v in zip(self.profile.position_mm, vals)
                if np.isfinite(v)]

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rc = self._frame(p, self.tr("distance along the line (mm)"))
        prof = self.profile
        for key, colour, units, right in (("anat", CT_CURVE, prof.anat_units, False), ("pet", PET_CURVE, prof.pet_units, True)):
            if key not in self.ranges:
                continue
            self._y_axis(p, rc, *self.ranges[key], colour, units, right)
            p.setPen(QPen(colour, 2))
            p.drawPolyline(QPolygonF(self.curve(key)))
        p.end()


class HistogramPlot(_Plot):
    """Counts of a VOI's SUV values, with the mean (green) and the maximum (red) marked."""

    def __init__(self, hist: M.Histogram, parent=None):
        super().__init__(parent)
        self.hist = hist
        self.x_range = (float(hist.edges[0]), float(hist.edges[-1]))
        self.y_max = float(max(1, hist.counts.max())) * 1.05

    def y_px(self, count: float) -> float:
        return self._y(self.plot_rect(), count, 0.0, self.y_max)

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        h = self.hist
        rc = self._frame(p, self.tr("value ({})").format(h.units))
        self._y_axis(p, rc, 0.0, self.y_max, QColor(0, 0, 0), self.tr("voxels"), False)
        for c, a, b in zip(h.counts, h.edges[:-1], h.edges[1:]):
            if c:
                x0, x1 = self.x_px(a), self.x_px(b)
                p.fillRect(QRectF(x0 + 0.5, self.y_px(c), max(1.0, x1 - x0 - 1), rc.bottom() - self.y_px(c)), BAR_COLOUR)
        for v, colour in ((h.mean, MEAN_COLOUR), (h.max, MAX_COLOUR)):
            p.setPen(QPen(colour, 2))
            x = self.x_px(v)
            p.drawLine(QPointF(x, rc.top()), QPointF(x, rc.bottom()))
        p.end()


class ProfileDialog(QDialog):
    def __init__(self, profile: M.Profile, parent=None):
        super().__init__(parent)
        self.setObjectName("profile-dialog")
        self.setWindowTitle(self.tr("Line profile"))
        self.plot = ProfilePlot(profile, self)
        parts = [self.tr("length {:.1f} mm").format(profile.length_mm)]
        if profile.anat is not None and np.isfinite(profile.anat).any():
            parts.append(self.tr("anatomy {:.0f} … {:.0f} {}").format(np.nanmin(profile.anat), np.nanmax(profile.anat),
                                                                       profile.anat_units))
        if profile.pet is not None and np.isfinite(profile.pet).any():
            parts.append(self.tr("PET max {:.2f} {}").format(np.nanmax(profile.pet), profile.pet_units))
        self.summary = QLabel("   ".join(parts))
        self.summary.setObjectName("profile-summary")
        lay = QVBoxLayout(self)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.summary)
        self.resize(560, 340)


class HistogramDialog(QDialog):
    def __init__(self, hist: M.Histogram, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName("histogram-dialog")
        self.setWindowTitle(self.tr("Histogram of {}").format(name))
        self.plot = HistogramPlot(hist, self)
        self.summary = QLabel(self.tr("{} voxels   mean {:.2f}   max {:.2f} {}").format(
            hist.voxels, hist.mean, hist.max, hist.units))
        self.summary.setObjectName("histogram-summary")
        lay = QVBoxLayout(self)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.summary)
        self.resize(560, 340)


# ============================================================================ tools
class MeasureTools(QObject):
    """Tools menu and tool bar of the window, the measurement segments and the hover readout."""

    TOOLS = ("distance", "profile")

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.items_list: list[Measurement] = []
        self.mode: str | None = None
        self._drag: tuple | None = None  # (view, Measurement) while a segment is drawn
        self.hooks: dict = {}  # view -> MeasureLines
        self.dialogs: list[QDialog] = []
        self.hover = HoverReadout(window)
        self.actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        for key, text, keys in (("distance", self.tr("Distance"), "D"), ("profile", self.tr("Line profile"), "L")):
            a = QAction(text, window)
            a.setObjectName(f"tool-{key}")
            a.setCheckable(True)
            a.setShortcut(QKeySequence(keys))
            a.toggled.connect(lambda on, k=key: self.set_mode(k if on else None))
            group.addAction(a)
            self.actions[key] = a
        self.histogram_action = QAction(self.tr("VOI histogram"), window)
        self.histogram_action.setObjectName("tool-histogram")
        self.histogram_action.setShortcut(QKeySequence("H"))
        self.histogram_action.triggered.connect(self.show_histogram)
        self.navigate_action = QAction(self.tr("End the tool"), window)
        self.navigate_action.setObjectName("tool-none")
        self.navigate_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.navigate_action.triggered.connect(lambda: self.set_mode(None))
        self.clear_action = QAction(self.tr("Clear measurements"), window)
        self.clear_action.setObjectName("tool-clear")
        self.clear_action.triggered.connect(self.clear)
        menu = window.menuBar().addMenu(self.tr("&Tools"))
        menu.setObjectName("tools-menu")
        for a in (*self.actions.values(), self.navigate_action, self.histogram_action, self.clear_action):
            menu.addAction(a)
        self.menu = menu
        tb = QToolBar(self.tr("Measure"))
        tb.setObjectName("measure-toolbar")
        for a in (*self.actions.values(), self.histogram_action):
            tb.addAction(a)
        window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, tb)
        self.toolbar = tb
        window.voi_panel.tool_group.buttonClicked.connect(lambda _b: self.set_mode(None))

    # ------------------------------------------------------------ state
    def items(self) -> list[Measurement]:
        """What the overlays draw: the kept segments and the one being drawn."""
        out = list(self.items_list)
        if self._drag is not None:
            out.append(self._drag[1])
        return out

    def set_mode(self, mode: str | None) -> None:
        if mode is not None and mode not in self.TOOLS:
            raise KeyError(f"unknown measurement tool {mode!r}; choose one of {', '.join(self.TOOLS)}")
        self.mode = mode
        self._drag = None
        for key, a in self.actions.items():
            if a.isChecked() != (key == mode):
                a.blockSignals(True)
                a.setChecked(key == mode)
                a.blockSignals(False)
        if mode is not None and self.window.voi_panel.tool != "navigate":
            self.window.voi_panel.set_tool("navigate")
        for v in self.hooks:
            if mode is None:
                v.unsetCursor()
            else:
                v.setCursor(Qt.CursorShape.CrossCursor)

    def set_session(self, session) -> None:
        """A new reading: no measurements; forget the views the window has dropped."""
        self.items_list.clear()
        self._drag = None
        live = list(self.window.views.values())
        self.hooks = {v: h for v, h in self.hooks.items() if any(v is x for x in live)}
        self.hover.views = [v for v in self.hover.views if any(v is x for x in live)]
        self.hover.set_session(session)
        for d in self.dialogs:
            d.close()
        self.dialogs.clear()

    def attach_views(self, views) -> None:
        views = list(views.values()) if isinstance(views, dict) else list(views)
        for v in views:
            if v not in self.hooks:
                hook = MeasureLines(v.cell, self)
                v.cell.overlays.append(hook)
                v.installEventFilter(self)  # installed after the VOI panel's: it sees the events first
                self.hooks[v] = hook
        self.hover.attach_views(views)

    def clear(self) -> None:
        self.items_list.clear()
        self._redraw()

    def _redraw(self) -> None:
        for v in self.hooks:
            v.redraw()

    # ------------------------------------------------------------ mouse
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if self.mode is None or obj not in self.hooks or obj.kind == "mip":
            return False
        t = ev.type()
        if t == QEvent.Type.MouseButtonPress:
            if ev.button() != Qt.MouseButton.LeftButton or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                return False
            world, _inside = _view_world(obj, ev.position().x(), ev.position().y())
            self._drag = (obj, Measurement(self.mode, obj.plane, world, world.copy()))
            return True
        if t == QEvent.Type.MouseMove and self._drag is not None:
            view, m = self._drag
            m.end = _view_world(view, ev.position().x(), ev.position().y())[0]
            self._redraw()
            return True
        if t == QEvent.Type.MouseButtonRelease and self._drag is not None:
            view, m = self._drag
            m.end = _view_world(view, ev.position().x(), ev.position().y())[0]
            self._drag = None
            self.finish(m)
            return True
        return False

    def finish(self, m: Measurement) -> QDialog | None:
        """A segment was drawn: keep a distance; show the profile of a profile line."""
        if m.length_mm < 1e-6:
            self._redraw()
            return None
        w = self.window
        if m.kind == "distance":
            self.items_list.append(m)
            w.message_label.setText(self.tr("Distance {:.1f} mm").format(m.length_mm))
            self._redraw()
            return None
        self.items_list = [x for x in self.items_list if x.kind != "profile"] + [m]
        self._redraw()
        return self.show_profile(m)

    def show_profile(self, m: Measurement) -> ProfileDialog:
        dlg = ProfileDialog(M.line_profile(self.window.session, m.plane, m.start, m.end), self.window)
        self.dialogs.append(dlg)
        if self.window.isVisible():
            dlg.show()
        return dlg

    def show_histogram(self) -> HistogramDialog | None:
        """Histogram of the selected VOI (the VOI panel's selection)."""
        panel = self.window.voi_panel
        model = panel.model
        if model is None or model.selected is None:
            self.window.message_label.setText(self.tr("Select a VOI in the VOI table first"))
            return None
        v = model.get(model.selected)
        try:
            h = M.histogram(M.voi_values(model, v.id), units=model.units)
        except ValueError as exc:
            self.window.message_label.setText(str(exc))
            return None
        dlg = HistogramDialog(h, v.name, self.window)
        self.dialogs.append(dlg)
        if self.window.isVisible():
            dlg.show()
        return dlg
