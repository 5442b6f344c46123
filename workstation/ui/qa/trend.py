"""Trend view of a scanner's stored QA results: one summary metric over time, verdicts marked.

:class:`TrendPlot` draws with QPainter (no matplotlib): one line per scanner in its own colour,
the metric's acceptance band shaded green when it has one (EARL RCmax / RCA50 per sphere, the
+-10 % of a uniform cylinder's mean SUV), and each result marked by its verdict: a filled green
circle passed, a red cross failed, an open grey circle without a verdict. The points come from
:func:`workstation.analysis.qa.trend.trend_points`. :class:`TrendView` adds the choices (kind of
QA, metric, EARL standard, scanner) and reads the study database.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

PASS_COLOUR = QColor("#117711")
FAIL_COLOUR = QColor("#cc0000")
NONE_COLOUR = QColor("#777777")
BAND_COLOUR = QColor(17, 119, 17, 45)
LINE_COLOURS = ("#1f5fbf", "#d08000", "#7a3fa0", "#008080", "#a05050")
MARGIN = (64, 16, 16, 40)  # left, top, right, bottom (pixels)


class TrendPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(360, 220)
        self.series: dict = {}  # scanner -> [TrendPoint]
        self.band: tuple[float, float] | None = None
        self.metric_name = ""
        self.setAutoFillBackground(True)

    def set_data(self, series: dict, band, metric: str) -> None:
        self.series, self.band, self.metric_name = dict(series), band, metric
        self.update()

    # ------------------------------------------------------------------ scales
    def _ranges(self):
        pts = [p for s in self.series.values() for p in s]
        t = [p.when.timestamp() for p in pts]
        y = [p.value for p in pts] + (list(self.band) if self.band else [])
        t0, t1 = min(t), max(t)
        if t1 - t0 < 1.0:
            t0, t1 = t0 - 86400.0, t1 + 86400.0
        t0, t1 = t0 - 0.04 * (t1 - t0), t1 + 0.04 * (t1 - t0)  # markers clear of the frame
        y0, y1 = min(y), max(y)
        pad = 0.1 * (y1 - y0) if y1 > y0 else max(abs(y0) * 0.1, 1e-3)
        return t0, t1, y0 - pad, y1 + pad

    def _area(self) -> QRectF:
        l, t, r, b = MARGIN
        return QRectF(l, t, max(1, self.width() - l - r), max(1, self.height() - t - b))

    def point_xy(self, point) -> QPointF:
        """Where ``point`` (a TrendPoint) is drawn, in widget pixels."""
        t0, t1, y0, y1 = self._ranges()
        a = self._area()
        return QPointF(a.left() + (point.when.timestamp() - t0) / (t1 - t0) * a.width(),
                       a.bottom() - (point.value - y0) / (y1 - y0) * a.height())

    def _y(self, v, y0, y1, a) -> float:
        return a.bottom() - (v - y0) / (y1 - y0) * a.height()

    # ------------------------------------------------------------------ drawing
    def paintEvent(self, event):  # noqa: N802 - Qt
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.fillRect(self.rect(), QColor("white"))
        a = self._area()
        p.setPen(QPen(QColor("#444444"), 1))
        p.drawRect(a)
        if not any(self.series.values()):
            p.drawText(a, Qt.AlignCenter, self.tr("No stored QA results with this metric"))
            p.end()
            return
        t0, t1, y0, y1 = self._ranges()
        if self.band:
            top, bottom = self._y(self.band[1], y0, y1, a), self._y(self.band[0], y0, y1, a)
            p.fillRect(QRectF(a.left(), top, a.width(), bottom - top), BAND_COLOUR)
        self._axes(p, a, t0, t1, y0, y1)
        for n, (scanner, pts) in enumerate(sorted(self.series.items())):
            colour = QColor(LINE_COLOURS[n % len(LINE_COLOURS)])
            xy = [self.point_xy(q) for q in pts]
            p.setPen(QPen(colour, 1.5))
            for u, v in zip(xy, xy[1:]):
                p.drawLine(u, v)
            for q, c in zip(pts, xy):
                self._marker(p, c, q.passed)
            p.setPen(colour)
            p.drawText(QPointF(a.left() + 6, a.top() + 14 + 14 * n), scanner)
        p.end()

    def _axes(self, p, a, t0, t1, y0, y1):
        import datetime as _dt

        p.setPen(QPen(QColor("#444444"), 1))
        fm = p.fontMetrics()
        for i in range(5):
            v = y0 + (y1 - y0) * i / 4
            y = self._y(v, y0, y1, a)
            p.drawLine(QPointF(a.left() - 4, y), QPointF(a.left(), y))
            text = f"{v:.3g}"
            p.drawText(QPointF(a.left() - 6 - fm.horizontalAdvance(text), y + fm.ascent() / 2 - 1), text)
        for i in range(3):
            t = t0 + (t1 - t0) * i / 2
            x = a.left() + (t - t0) / (t1 - t0) * a.width()
            p.drawLine(QPointF(x, a.bottom()), QPointF(x, a.bottom() + 4))
            text = _dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d")
            w = fm.horizontalAdvance(text)
            x = min(max(x - w / 2, 0.0), self.width() - w - 1.0)
            p.drawText(QPointF(x, a.bottom() + 6 + fm.ascent()), text)
        p.drawText(QRectF(a.left(), a.bottom() + 8 + fm.height(), a.width(), fm.height()), Qt.AlignCenter,
                   self.metric_name)

    @staticmethod
    def _marker(p, c: QPointF, passed) -> None:
        r = 5.0
        if passed is False:
            p.setPen(QPen(FAIL_COLOUR, 2.5))
            p.drawLine(QPointF(c.x() - r, c.y() - r), QPointF(c.x() + r, c.y() + r))
            p.drawLine(QPointF(c.x() - r, c.y() + r), QPointF(c.x() + r, c.y() - r))
        elif passed is True:
            p.setPen(QPen(PASS_COLOUR, 1))
            p.setBrush(PASS_COLOUR)
            p.drawEllipse(c, r, r)
            p.setBrush(Qt.NoBrush)
        else:
            p.setPen(QPen(NONE_COLOUR, 1.5))
            p.setBrush(QColor("white"))
            p.drawEllipse(c, r, r)
            p.setBrush(Qt.NoBrush)


class TrendView(QWidget):
    """Choices (kind, metric, standard, scanner) above a :class:`TrendPlot`; reads the study database."""

    KINDS = ("nema-iq", "uniformity")

    def __init__(self, db_path=None, parent=None):
        super().__init__(parent)
        self.db_path = db_path
        self.rows: list = []
        self.kind_box = QComboBox()
        self.kind_box.addItem(self.tr("NEMA IQ"), "nema-iq")
        self.kind_box.addItem(self.tr("Uniform cylinder"), "uniformity")
        self.metric_box = QComboBox()
        self.standard_box = QComboBox()
        for s in ("EARL1", "EARL2"):
            self.standard_box.addItem(s, s)
        self.scanner_box = QComboBox()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        form = QFormLayout()
        form.addRow(self.tr("QA"), self.kind_box)
        form.addRow(self.tr("Metric"), self.metric_box)
        form.addRow(self.tr("Bands"), self.standard_box)
        form.addRow(self.tr("Scanner"), self.scanner_box)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.refresh_button, 0, Qt.AlignTop)
        self.plot = TrendPlot()
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        self.kind_box.currentIndexChanged.connect(self._fill_choices)
        for box in (self.metric_box, self.standard_box, self.scanner_box):
            box.currentIndexChanged.connect(self.redraw)
        self.refresh_button.clicked.connect(self.refresh)

    def refresh(self) -> None:
        """Read the stored QA results again."""
        from workstation.io.db import StudyDB

        with StudyDB(self.db_path) as db:
            self.rows = db.qa_results()
        self._fill_choices()

    def _fill_choices(self) -> None:
        from workstation.analysis.qa.trend import metrics_of

        kind = self.kind_box.currentData()
        for box, items, first in ((self.metric_box, metrics_of(self.rows, kind), None),
                                  (self.scanner_box, sorted({r.scanner for r in self.rows if r.kind == kind}),
                                   self.tr("all scanners"))):
            keep = box.currentData()
            box.blockSignals(True)
            box.clear()
            if first is not None:
                box.addItem(first, None)
            for it in items:
                box.addItem(it, it)
            i = box.findData(keep)
            if i < 0 and box is self.metric_box:
                default = "rc_a50_37" if kind == "nema-iq" else "mean"
                i = box.findData(default)
            box.setCurrentIndex(max(i, 0))
            box.blockSignals(False)
        self.standard_box.setEnabled(kind == "nema-iq")
        self.redraw()

    def redraw(self) -> None:
        from workstation.analysis.qa.trend import metric_band, trend_points

        kind, metric, standard = (self.kind_box.currentData(), self.metric_box.currentData(),
                                  self.standard_box.currentData())
        if not metric:
            self.plot.set_data({}, None, "")
            return
        series = trend_points(self.rows, kind, metric, standard)
        scanner = self.scanner_box.currentData()
        if scanner:
            series = {k: v for k, v in series.items() if k == scanner}
        self.plot.set_data(series, metric_band(kind, metric, standard), metric)
