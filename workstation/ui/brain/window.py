"""Brain layout: three planes of the MNI template with the z-map (decrease ≥ threshold) as an overlay and a
threshold slider, the 3D-SSP panel, the regional table with z bars, and a read-out of SUVR and z under
the mouse. The reference region and the database (with the synthetic label when it is one) are always
shown at the top. Display is radiological (patient left on image right) with orientation letters."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QApplication, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QSlider,
                               QStyledItemDelegate, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from workstation.report.brain_report import ssp_png

_PLANES = ("axial", "coronal", "sagittal")


def _hot(v: np.ndarray) -> np.ndarray:
    """A small 'hot' colour map for 0..1 (RGB uint8)."""
    v = np.clip(v, 0, 1)
    r = np.clip(3 * v, 0, 1)
    g = np.clip(3 * v - 1, 0, 1)
    b = np.clip(3 * v - 2, 0, 1)
    return (np.stack([r, g, b], -1) * 255).astype(np.uint8)


class SliceView(QLabel):
    """One plane: template in grey, decrease z ≥ threshold in colour, crosshair, orientation letters."""

    hovered = Signal(tuple)  # (k, j, i)
    clicked = Signal(tuple)

    def __init__(self, plane: str, parent=None):
        super().__init__(parent)
        self.plane = plane
        self.setMinimumSize(220, 220)
        self.setAlignment(Qt.AlignCenter)
        self.setMouseTracking(True)
        self._map = None  # (x0, y0, scale, shape)
        self.setStyleSheet("background: black;")

    def render_plane(self, t1, z, cursor, threshold):
        k, j, i = cursor
        if self.plane == "axial":  # rows anterior->posterior, columns patient right->left
            bg, zz = t1[k], (z[k] if z is not None else None)
            letters = ("A", "P", "R", "L")
        elif self.plane == "coronal":  # rows superior->inferior, columns right->left
            bg, zz = t1[::-1, j, :], (z[::-1, j, :] if z is not None else None)
            letters = ("S", "I", "R", "L")
        else:  # sagittal: rows superior->inferior, columns anterior->posterior
            bg, zz = t1[::-1, :, i], (z[::-1, :, i] if z is not None else None)
            letters = ("S", "I", "A", "P")
        rgb = np.repeat((np.clip(bg, 0, 1) * 255).astype(np.uint8)[..., None], 3, -1)
        if zz is not None:
            dec = -np.nan_to_num(zz, nan=0.0)
            sel = dec >= threshold
            col = _hot((dec - threshold) / 5.0 + 0.35)
            rgb[sel] = col[sel]
        h, w = rgb.shape[:2]
        img = QImage(np.ascontiguousarray(rgb).data, w, h, 3 * w, QImage.Format_RGB888).copy()
        side = max(1, min(self.width(), self.height()))
        scale = side / max(h, w)
        pm = QPixmap.fromImage(img).scaled(int(w * scale), int(h * scale), Qt.KeepAspectRatio, Qt.SmoothTransformation)
        p = QPainter(pm)
        p.setPen(QColor(0, 200, 255))
        cx, cy = {"axial": (i, j), "coronal": (i, t1.shape[0] - 1 - k), "sagittal": (j, t1.shape[0] - 1 - k)}[self.plane]
        p.drawLine(int((cx + 0.5) * scale), 0, int((cx + 0.5) * scale), pm.height())
        p.drawLine(0, int((cy + 0.5) * scale), pm.width(), int((cy + 0.5) * scale))
        p.setPen(QColor(255, 255, 0))
        f = QFont()
        f.setPointSize(9)
        p.setFont(f)
        p.drawText(QRect(0, 2, pm.width(), 14), Qt.AlignHCenter, letters[0])
        p.drawText(QRect(0, pm.height() - 16, pm.width(), 14), Qt.AlignHCenter, letters[1])
        p.drawText(QRect(2, 0, 14, pm.height()), Qt.AlignVCenter, letters[2])
        p.drawText(QRect(pm.width() - 14, 0, 14, pm.height()), Qt.AlignVCenter, letters[3])
        p.end()
        self.setPixmap(pm)
        self._map = ((self.width() - pm.width()) / 2, (self.height() - pm.height()) / 2, scale, t1.shape, cursor)

    def _kji(self, pos: QPoint):
        if self._map is None:
            return None
        x0, y0, s, shape, cur = self._map
        u, v = int((pos.x() - x0) / s), int((pos.y() - y0) / s)
        nk, nj, ni = shape
        if self.plane == "axial":
            kji = (cur[0], v, u)
        elif self.plane == "coronal":
            kji = (nk - 1 - v, cur[1], u)
        else:
            kji = (nk - 1 - v, u, cur[2])
        if all(0 <= a < n for a, n in zip(kji, shape)):
            return kji
        return None

    def mouseMoveEvent(self, ev):
        kji = self._kji(ev.position().toPoint())
        if kji is not None:
            self.hovered.emit(kji)

    def mousePressEvent(self, ev):
        kji = self._kji(ev.position().toPoint())
        if kji is not None:
            self.clicked.emit(kji)


class ZBarDelegate(QStyledItemDelegate):
    """Draws a z value as a bar from the cell's centre (left: decrease, red; right: increase, blue), |z| ≤ 5."""

    def paint(self, painter, option, index):
        v = index.data(Qt.UserRole)
        if v is None:
            return super().paint(painter, option, index)
        r = option.rect
        mid = r.x() + r.width() // 2
        length = int(min(abs(v), 5.0) / 5.0 * (r.width() // 2 - 2))
        col = QColor(200, 40, 40) if v < 0 else QColor(60, 90, 200)
        if abs(v) < 2:
            col = col.lighter(170)
        painter.save()
        painter.fillRect(QRect(mid - length if v < 0 else mid, r.y() + 3, length, r.height() - 6), col)
        painter.setPen(QColor(120, 120, 120))
        painter.drawLine(mid, r.y(), mid, r.bottom())
        painter.setPen(option.palette.text().color())
        painter.drawText(r.adjusted(2, 0, -2, 0), Qt.AlignRight | Qt.AlignVCenter, f"{v:.2f}")
        painter.restore()


class BrainWindow(QWidget):
    def __init__(self, result, parent=None):
        super().__init__(parent)
        self.result = result
        self.space = result.space
        self.patient_t1 = self._patient_t1(result)
        self.t1 = self.patient_t1 if self.patient_t1 is not None else self.space.t1
        self.z = result.z
        self.threshold = 2.0
        self.cursor = self._initial_cursor()
        self.setWindowTitle(self.tr("Brain FDG PET"))
        outer = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        outer.addWidget(self.banner)
        body = QHBoxLayout()
        outer.addLayout(body, 1)
        left = QGridLayout()
        body.addLayout(left, 5)
        self.views = {p: SliceView(p) for p in _PLANES}
        left.addWidget(self.views["axial"], 0, 0)
        left.addWidget(self.views["coronal"], 0, 1)
        left.addWidget(self.views["sagittal"], 1, 0)
        for v in self.views.values():
            v.hovered.connect(self._hover)
            v.clicked.connect(self._click)
        side = QVBoxLayout()
        thr_row = QHBoxLayout()
        self.thr_label = QLabel()
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(10, 60)  # z 1.0 .. 6.0
        self.slider.setValue(20)
        self.slider.valueChanged.connect(self._threshold_changed)
        thr_row.addWidget(self.thr_label)
        thr_row.addWidget(self.slider, 1)
        side.addLayout(thr_row)
        self.background = QComboBox()
        if self.patient_t1 is not None:
            self.background.addItem(self.tr("Background: patient T1 (MR-guided)"), "patient_t1")
        self.background.addItem(self.tr("Background: MNI T1 template"), "t1")
        self.background.addItem(self.tr("Background: patient SUVR"), "suvr")
        self.background.currentIndexChanged.connect(self._background_changed)
        side.addWidget(self.background)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        side.addWidget(self.readout)
        self.clusters = QLabel()
        self.clusters.setWordWrap(True)
        self.clusters.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        side.addWidget(self.clusters, 1)
        w = QWidget()
        w.setLayout(side)
        left.addWidget(w, 1, 1)
        right = QVBoxLayout()
        body.addLayout(right, 6)
        self.ssp = QLabel()
        self.ssp.setAlignment(Qt.AlignCenter)
        self.ssp.setMinimumHeight(300)
        right.addWidget(self.ssp, 5)
        self.table = QTableWidget()
        right.addWidget(self.table, 4)
        self._fill_banner()
        self._fill_table()
        self._fill_clusters()
        self._ssp_pixmap = QPixmap()
        self._ssp_pixmap.loadFromData(ssp_png(result.ssp_suvr, result.ssp_z, dpi=90))
        self._threshold_changed(self.slider.value())

    @staticmethod
    def _patient_t1(result):
        t1 = getattr(result, "t1_on_mni", None)
        if t1 is None:
            return None
        t1 = np.nan_to_num(np.asarray(t1, np.float32))
        hi = float(np.percentile(t1[t1 > 0], 99.5)) if np.any(t1 > 0) else 1.0
        return np.clip(t1 / max(hi, 1e-6), 0, 1)

    def _initial_cursor(self):
        if self.z is not None and self.result.clusters:
            z = np.where(self.space.analysis_mask, np.nan_to_num(self.z, nan=0.0), 0.0)
            return tuple(int(v) for v in np.unravel_index(np.argmin(z), z.shape))
        return tuple(s // 2 for s in self.t1.shape)

    def _fill_banner(self):
        r = self.result
        ref = {"pons": self.tr("pons"), "cerebellum": self.tr("cerebellar grey matter"),
               "global": self.tr("whole brain (global)")}[r.reference]
        text = self.tr("Reference: {0}  |  Template: {1}").format(ref, r.template.get("name", ""))
        if (r.info.get("normalisation") or {}).get("mode") == "MR-guided":
            text += "  |  " + self.tr("Normalisation: MR-guided (patient T1)")
        if r.database:
            d = r.database
            ages = d.get("age_range")
            text += "  |  " + self.tr("Database: {0}, N = {1}").format(d["name"], d["n"])
            if ages:
                text += self.tr(", ages {0:.0f}–{1:.0f}").format(ages[0], ages[1])
            if d.get("synthetic"):
                text += "  <b><span style='color:#c00000'>" + self.tr("synthetic — demonstration only") + "</span></b>"
        else:
            text += "  |  " + self.tr("No normal database: SUVR only")
        self.banner.setText(text)

    def _fill_table(self):
        by = {}
        for r in self.result.regions:
            by.setdefault(r["name"], {})[r["hemisphere"]] = r
        heads = [self.tr("Region"), self.tr("SUVR L"), self.tr("z L"), self.tr("SUVR R"), self.tr("z R"), self.tr("AI %"),
                 self.tr("AI z")]
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels(heads)
        rows = sorted(by.items(), key=lambda kv: min((kv[1]["L"]["z"] or 0), (kv[1]["R"]["z"] or 0)))
        self.table.setRowCount(len(rows))
        for n, (name, d) in enumerate(rows):
            vals = [name, f"{d['L']['suvr']:.3f}", d["L"]["z"], f"{d['R']['suvr']:.3f}", d["R"]["z"], f"{d['L']['ai']:.2f}",
                    d["L"]["ai_z"]]
            for c, v in enumerate(vals):
                it = QTableWidgetItem(v if isinstance(v, str) else ("" if v is None else f"{v:.2f}"))
                if not isinstance(v, str):
                    it.setData(Qt.UserRole, v)
                self.table.setItem(n, c, it)
        bar = ZBarDelegate(self.table)
        for c in (2, 4, 6):
            self.table.setItemDelegateForColumn(c, bar)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(18)

    def _fill_clusters(self):
        cl = self.result.clusters
        if self.z is None:
            self.clusters.setText(self.tr("No z-map without a normal database."))
            return
        if not cl:
            db = self.result.database or {}
            self.clusters.setText(self.tr("No cluster (z ≤ {0:g}, ≥ {1:g} mL).").format(db.get("cluster_z", -2.0),
                                                                                       db.get("cluster_min_ml", 1.0)))
            return
        lines = [self.tr("Clusters (reference {0}):").format(self.result.reference)]
        for c in cl[:8]:
            lines.append(self.tr("{0:.1f} mL, peak z {1:.2f}, {2}").format(c["volume_ml"], c["peak_z"], c["region"]))
        self.clusters.setText("\n".join(lines))

    def _background_changed(self, _index):
        if self.background.currentData() == "suvr":
            s = np.nan_to_num(self.result.suvr)
            hi = float(np.percentile(s[self.space.brain], 99.5)) if self.space.brain.any() else 1.0
            self.t1 = np.clip(s / max(hi, 1e-6), 0, 1)
        elif self.background.currentData() == "patient_t1":
            self.t1 = self.patient_t1
        else:
            self.t1 = self.space.t1
        self._redraw()

    def _threshold_changed(self, value):
        self.threshold = value / 10.0
        self.thr_label.setText(self.tr("z-map threshold: decrease ≥ {0:.1f}").format(self.threshold))
        self._redraw()

    def _redraw(self):
        for v in self.views.values():
            v.render_plane(self.t1, self.z, self.cursor, self.threshold)
        if not self._ssp_pixmap.isNull():
            self.ssp.setPixmap(self._ssp_pixmap.scaled(self.ssp.size(), Qt.KeepAspectRatio, Qt.SmoothTransformation))
        self._hover(self.cursor)

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        self._redraw()

    def _click(self, kji):
        self.cursor = kji
        self._redraw()

    def _hover(self, kji):
        g = self.space.geometry
        xyz = g.kji_to_world(kji)
        suvr = float(self.result.suvr[kji])
        z = None if self.z is None else float(self.z[kji])
        ztxt = "–" if z is None or not np.isfinite(z) else f"{z:.2f}"
        self.readout.setText(self.tr("MNI {0:.0f}, {1:.0f}, {2:.0f} mm  SUVR {3:.3f} ({4})  z {5}").format(
            -xyz[0], -xyz[1], xyz[2], suvr, self.result.reference, ztxt))


def show_brain(result, *, screenshot: str | None = None, size: str = "1500x950", overwrite: bool = False) -> int:
    import sys
    from pathlib import Path

    from workstation.ui import i18n

    import os

    if screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless rendering needs no display
    app = QApplication.instance() or QApplication(sys.argv[:1])
    i18n.install(app, i18n.choose_language(None))
    w = BrainWindow(result)
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        print(f"--size {size!r}: use WxH, e.g. 1500x950", file=sys.stderr)
        return 2
    w.resize(width, height)
    if screenshot:
        if Path(screenshot).exists() and not overwrite:
            print(f"{screenshot} exists; pass --force to overwrite it", file=sys.stderr)
            return 2
        w.show()
        app.processEvents()
        w._redraw()
        app.processEvents()
        w.grab().save(screenshot)
        w.close()
        return 0
    w.show()
    return app.exec()
