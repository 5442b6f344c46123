"""The dosimetry workspace window.

Left: every time point's axial slice on the first time point's grid (registered, so one crosshair marks
the same anatomy in all: a click sets it everywhere) with the VOI outlines, and the dose map over the
first time point with isodose lines; a slider chooses the slice. Right: the VOI table (activities, fit,
TIA ± SD, LED and DVK dose, Gy/GBq, BED), the chosen VOI's TAC with its fit and residuals, and the DVH.

:meth:`DosimetryWorkspace.start` runs the whole chain (``analysis.dosimetry.pipeline``) on a worker thread
with progress and cancel (``ui.workers``); :meth:`show_result` shows a finished result.

Organ VOIs: click the organ to set the crosshair, choose its name and threshold, then "Threshold organ"
(the connected region above that % of the local maximum, :func:`analysis.dosimetry.organs.threshold_voi`),
"Marrow cylinder" (a cylinder in the vertebral body under the crosshair) or "Sphere" (drawn, the viewer's
sphere shape); the chain runs again on a worker
with the registrations kept, and the VOI joins the table. Several cycles (:meth:`set_cycles`): a cycle
chooser and the cumulative table (dose per cycle, sum, BED).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMainWindow, QPlainTextEdit, QProgressBar, QPushButton,
                               QSlider, QSpinBox,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from workstation.ui.workers import Job, JobSlot, show_progress, stop_jobs

from workstation.ui.dosimetry.figures import dvh_figure, slice_panels, tac_figure


def _pixmap(rgba: np.ndarray) -> QPixmap:
    h, w = rgba.shape[:2]
    img = QImage(np.ascontiguousarray(rgba).data, w, h, 4 * w, QImage.Format_RGBA8888)
    return QPixmap.fromImage(img.copy())


def _run_chain(scan_dirs, rtstructs, options, progress=None):
    from workstation.analysis.dosimetry.pipeline import find_rtstructs, load_time_points, run_dosimetry

    progress.update(0.02, "loading scans")
    tps = load_time_points(scan_dirs, options.decay_policy)
    rts = list(rtstructs) if rtstructs else find_rtstructs(scan_dirs)
    return run_dosimetry(tps, rts, options, progress, keep_maps=True)


def _rerun_with_organs(result, organs, progress=None):
    """The chain again on the same time points with these organ VOIs (registrations kept)."""
    from workstation.analysis.dosimetry.pipeline import run_dosimetry

    return run_dosimetry(result.therapy.time_points, result.rtstructs, result.options, progress, keep_maps=True, extra_vois=organs,
                         reuse_registration=True)


def _rerun_with_registration(result, registration, progress=None):
    """The chain again on the same time points and VOIs with another registration (rigid or deformable)."""
    from dataclasses import replace

    from workstation.analysis.dosimetry.pipeline import run_dosimetry

    return run_dosimetry(result.therapy.time_points, result.rtstructs, replace(result.options, registration=registration),
                         progress, keep_maps=True, extra_vois=result.organ_vois)


class _SliceLabel(QLabel):
    """The slice panels (shown at their own pixel size, top left); a click reports its pixel position."""

    def __init__(self, on_click):
        super().__init__()
        self._on_click = on_click
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)

    def mousePressEvent(self, event):  # noqa: N802 - Qt name
        p: QPoint = event.position().toPoint()
        pm = self.pixmap()
        if pm is not None and not pm.isNull():
            self._on_click(float(p.x()), float(p.y()))
        super().mousePressEvent(event)


class DosimetryWorkspace(QMainWindow):
    def __init__(self, result=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Dosimetry"))
        self.result = None
        self.k = 0
        self.cross = None
        self.boxes = []
        self.slot = JobSlot(self)
        central = QWidget()
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        bar = QHBoxLayout()
        self.status = QLabel(self.tr("No dosimetry loaded."))
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.slot.cancel)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        outer.addLayout(bar)
        split = QSplitter(Qt.Horizontal)
        outer.addWidget(split, 1)
        left = QWidget()
        lv = QVBoxLayout(left)
        self.slices = _SliceLabel(self._clicked)
        self.slices.setMinimumWidth(600)
        from PySide6.QtWidgets import QSizePolicy

        self.slices.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Expanding)
        lv.addWidget(self.slices, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Slice")))
        self.slider = QSlider(Qt.Horizontal)
        self.slider.valueChanged.connect(self._set_slice)
        row.addWidget(self.slider, 1)
        self.slice_label = QLabel("")
        row.addWidget(self.slice_label)
        lv.addLayout(row)
        split.addWidget(left)
        right = QWidget()
        rv = QVBoxLayout(right)
        self.table = QTableWidget(0, 9)
        self.table.setHorizontalHeaderLabels([self.tr("VOI"), self.tr("Mass (g)"), self.tr("Activity (MBq)"),
                                              self.tr("Model"), self.tr("TIA (MBq·h)"), self.tr("LED (Gy)"),
                                              self.tr("DVK (Gy)"), self.tr("Gy/GBq"), self.tr("BED (Gy)")])
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(170)  # five VOI rows without scrolling
        crow = QHBoxLayout()
        self.cycle_label = QLabel(self.tr("Cycle"))
        self.cycle_combo = QComboBox()
        self.cycle_combo.currentIndexChanged.connect(self._show_cycle)
        crow.addWidget(self.cycle_label)
        crow.addWidget(self.cycle_combo, 1)
        rv.addLayout(crow)
        self.cycles, self.cumulative = [], []
        self.cycle_label.setVisible(False)
        self.cycle_combo.setVisible(False)
        rv.addWidget(self.table)
        self.cumulative_table = QTableWidget(0, 4)
        self.cumulative_table.setHorizontalHeaderLabels([self.tr("VOI"), self.tr("Dose per cycle (Gy)"),
                                                         self.tr("Sum (Gy)"), self.tr("BED (Gy)")])
        self.cumulative_table.verticalHeader().setVisible(False)
        self.cumulative_table.setVisible(False)
        self.cumulative_table.setMaximumHeight(140)
        rv.addWidget(self.cumulative_table)
        orow = QHBoxLayout()
        from workstation.analysis.dosimetry.organs import ORGAN_NAMES

        self.organ_combo = QComboBox()
        self.organ_combo.setEditable(True)
        self.organ_combo.addItems(list(ORGAN_NAMES))
        self.organ_percent = QSpinBox()
        self.organ_percent.setRange(5, 95)
        self.organ_percent.setValue(40)
        self.organ_percent.setSuffix(" %")
        self.threshold_button = QPushButton(self.tr("Threshold organ"))
        self.threshold_button.setToolTip(self.tr("The region above this % of the local maximum, connected to the "
                                                 "crosshair, on the first time point"))
        self.threshold_button.clicked.connect(lambda: self.add_organ_voi("threshold"))
        self.marrow_button = QPushButton(self.tr("Marrow cylinder"))
        self.marrow_button.setToolTip(self.tr("A cylinder 15 mm across and 20 mm long in the vertebral body under "
                                              "the crosshair"))
        self.marrow_button.clicked.connect(lambda: self.add_organ_voi("marrow"))
        self.sphere_button = QPushButton(self.tr("Sphere"))
        self.sphere_button.setToolTip(self.tr("A drawn sphere of this radius at the crosshair"))
        self.sphere_button.clicked.connect(lambda: self.add_organ_voi("sphere"))
        self.sphere_radius = QSpinBox()
        self.sphere_radius.setRange(2, 100)
        self.sphere_radius.setValue(10)
        self.sphere_radius.setSuffix(" mm")
        orow.addWidget(QLabel(self.tr("Organ VOI")))
        orow.addWidget(self.organ_combo, 1)
        orow.addWidget(self.organ_percent)
        orow.addWidget(self.threshold_button)
        orow.addWidget(self.marrow_button)
        orow.addWidget(self.sphere_radius)
        orow.addWidget(self.sphere_button)
        rv.addLayout(orow)
        grow = QHBoxLayout()
        grow.addWidget(QLabel(self.tr("Registration")))
        self.registration_combo = QComboBox()
        self.registration_combo.addItem(self.tr("Rigid"), "rigid")
        self.registration_combo.addItem(self.tr("Deformable (B-spline after rigid)"), "deformable")
        self.registration_combo.setToolTip(self.tr("How later time points are brought onto the first: a folding or "
                                                   "too large deformation is refused and the rigid result kept"))
        self.registration_combo.activated.connect(self._registration_chosen)
        grow.addWidget(self.registration_combo, 1)
        rv.addLayout(grow)
        vrow = QHBoxLayout()
        vrow.addWidget(QLabel(self.tr("VOI")))
        self.voi_combo = QComboBox()
        self.voi_combo.currentTextChanged.connect(self._show_tac)
        vrow.addWidget(self.voi_combo, 1)
        rv.addLayout(vrow)
        self.tac = QLabel()
        self.dvh = QLabel()
        rv.addWidget(self.tac)
        rv.addWidget(self.dvh)
        self.warnings = QPlainTextEdit()
        self.warnings.setReadOnly(True)
        self.warnings.setMaximumHeight(110)
        rv.addWidget(self.warnings)
        rv.addStretch(1)
        split.addWidget(right)
        split.setSizes([900, 560])
        if result is not None:
            self.show_result(result)

    # ----------------------------------------------------------------------- running
    def start(self, scan_dirs, rtstructs=None, options=None) -> Job:
        """Run the chain on a worker thread; the result is shown when it arrives."""
        from workstation.analysis.dosimetry.pipeline import DosimetryOptions

        options = options or DosimetryOptions(registration=self.registration_combo.currentData())
        job = Job(_run_chain, list(scan_dirs), rtstructs, options, name="dosimetry")
        job.progressed.connect(lambda f, m: show_progress(self.progress, f, m))
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status.setText(self.tr("Computing the dosimetry…"))
        job.done.connect(self._job_done)
        return self.slot.start(job, self.show_result, self._failed)

    def crosshair_world(self):
        """The crosshair (slice, row, column of the first grid) as a world point, or None."""
        if self.result is None or self.cross is None:
            return None
        g = self.result.therapy.time_points[0].volume.geometry
        return g.kji_to_world((self.k, self.cross[0], self.cross[1]))

    def add_organ_voi(self, kind: str = "threshold"):
        """Make an organ VOI at the crosshair and run the chain again with it (worker thread); the Job or None."""
        from workstation.analysis.dosimetry.organs import drawn_voi, marrow_voi, threshold_voi
        from workstation.analysis.dosimetry.timepoints import DosimetryError

        seed = self.crosshair_world()
        if seed is None:
            self.status.setText(self.tr("Click the organ first (it sets the crosshair)."))
            return None
        name = self.organ_combo.currentText().strip()
        if not name:
            self.status.setText(self.tr("Give the organ VOI a name."))
            return None
        res = self.result
        tp0 = res.therapy.time_points[0]
        try:
            if kind == "marrow":
                ov = marrow_voi(tp0.volume.geometry, [seed], name=name)
            elif kind == "sphere":
                ov = drawn_voi(name, tp0.volume.geometry, "sphere", centre=seed,
                               radius_mm=float(self.sphere_radius.value()))
            else:
                ov = threshold_voi(name, tp0.activity_bqml(), tp0.volume.geometry, seed,
                                   float(self.organ_percent.value()))
        except DosimetryError as exc:
            self.status.setText(str(exc))
            return None
        organs = [o for o in res.organ_vois if o.name != name] + [ov]
        job = Job(_rerun_with_organs, res, organs, name="dosimetry-organ")
        job.progressed.connect(lambda f, m: show_progress(self.progress, f, m))
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status.setText(self.tr("Adding the organ VOI {0}…").format(name))
        job.done.connect(self._job_done)
        return self.slot.start(job, self.show_result, self._failed)

    def _registration_chosen(self, index: int):
        """Run the chain again with the registration chosen (worker thread); the Job or None."""
        how = self.registration_combo.itemData(index)
        res = self.result
        if res is None or not res.options.register or how == res.options.registration:
            return None
        job = Job(_rerun_with_registration, res, how, name="dosimetry-registration")
        job.progressed.connect(lambda f, m: show_progress(self.progress, f, m))
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status.setText(self.tr("Registering again ({0})…").format(self.registration_combo.currentText()))
        job.done.connect(self._job_done)
        return self.slot.start(job, self.show_result, self._failed)

    def set_cycles(self, results, cumulative) -> None:
        """Several therapy cycles: a chooser for the cycle shown and the cumulative table."""
        self.cycles, self.cumulative = list(results), list(cumulative)
        many = len(self.cycles) > 1
        self.cycle_label.setVisible(many)
        self.cycle_combo.setVisible(many)
        self.cumulative_table.setVisible(many)
        self.cycle_combo.blockSignals(True)
        self.cycle_combo.clear()
        for n, r in enumerate(self.cycles, start=1):
            self.cycle_combo.addItem(self.tr("Cycle {0} ({1})").format(n, r.therapy.injection.date().isoformat()))
        self.cycle_combo.blockSignals(False)
        self.cumulative_table.setRowCount(len(self.cumulative))
        for r, c in enumerate(self.cumulative):
            per = " + ".join("-" if x is None else f"{x:.2f}" for x in c["dose_gy_per_cycle"])
            cells = [c["name"], per, f"{c['dose_gy']:.2f}" + ("" if c["dose_sd_gy"] is None else
                                                              f" ± {c['dose_sd_gy']:.2f}"),
                     "-" if c["bed_gy"] is None else f"{c['bed_gy']:.2f}"]
            for col, text in enumerate(cells):
                self.cumulative_table.setItem(r, col, QTableWidgetItem(text))
        self.cumulative_table.resizeColumnsToContents()
        if self.cycles:
            self.show_result(self.cycles[0])

    def _show_cycle(self, index: int) -> None:
        if 0 <= index < len(self.cycles):
            self.show_result(self.cycles[index])

    def _job_done(self):
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def _failed(self, message: str):
        self.status.setText(self.tr("Dosimetry failed: {0}").format(message))

    def resizeEvent(self, event):  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self.result is not None:
            self._set_slice(self.k)

    def closeEvent(self, event):  # noqa: N802 - Qt name
        stop_jobs(self.slot)
        super().closeEvent(event)

    # ----------------------------------------------------------------------- showing
    def show_result(self, result) -> None:
        self.result = result
        self.registration_combo.setCurrentIndex(max(0, self.registration_combo.findData(result.options.registration)))
        self.registration_combo.setEnabled(bool(result.options.register))
        tps = result.therapy.time_points
        g = tps[0].volume.geometry
        nk = g.shape[0]
        # start at the slice through the largest VOI's centre
        k = nk // 2
        if result.voi_masks:
            big = max(result.voi_masks.values(), key=lambda m: int(m.sum()))
            if big.any():
                kk, jj, ii = (int(round(v)) for v in np.argwhere(big).mean(axis=0))
                k, self.cross = kk, (jj, ii)
        self.status.setText(self.tr("{0}: {1} time points, {2} VOIs, method {3}").format(
            result.therapy.nuclide.name, len(tps), len(result.vois), result.options.method.upper()))
        self.table.setRowCount(len(result.vois))
        for r, v in enumerate(result.vois):
            cells = [v.name, f"{v.mass_g:.1f}", " / ".join(f"{a:.2f}" for a in v.activities_mbq), v.fit.model,
                     f"{v.fit.tia_mbq_h:.0f} ± {v.fit.tia_sd_mbq_h:.0f}", f"{v.dose_led_gy:.2f}",
                     "-" if v.dose_dvk_gy is None else f"{v.dose_dvk_gy:.2f}",
                     "-" if v.gy_per_gbq is None else f"{v.gy_per_gbq:.2f}",
                     "-" if v.bed_gy is None else f"{v.bed_gy:.2f}"]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.voi_combo.blockSignals(True)
        self.voi_combo.clear()
        self.voi_combo.addItems([v.name for v in result.vois])
        self.voi_combo.blockSignals(False)
        self.warnings.setPlainText("\n".join(f"• {w}" for w in result.warnings))
        self.slider.blockSignals(True)
        self.slider.setRange(0, nk - 1)
        self.slider.setValue(k)
        self.slider.blockSignals(False)
        self._set_slice(k)
        self._show_tac(self.voi_combo.currentText())
        self.dvh.setPixmap(_pixmap(dvh_figure(result)))

    def _set_slice(self, k: int) -> None:
        if self.result is None:
            return
        self.k = int(k)
        self.slice_label.setText(self.tr("{0} / {1}").format(self.k + 1, self.slider.maximum() + 1))
        width = max(600, self.slices.width() - 4)
        rgba, self.boxes = slice_panels(self.result, self.k, self.cross, width_px=width)
        self.slices.setPixmap(_pixmap(rgba))

    def _clicked(self, x: float, y: float) -> None:
        """A click in any panel sets the crosshair at that voxel in every panel (all on the first grid)."""
        if self.result is None:
            return
        _, nj, ni = self.result.therapy.time_points[0].volume.geometry.shape
        for x0, y0, x1, y1 in self.boxes:
            if x0 <= x <= x1 and y0 <= y <= y1:
                ii = int(np.clip((x - x0) / (x1 - x0) * ni, 0, ni - 1))
                jj = int(np.clip((y - y0) / (y1 - y0) * nj, 0, nj - 1))
                self.cross = (jj, ii)
                self._set_slice(self.k)
                return

    def _show_tac(self, name: str) -> None:
        if self.result is None or not name:
            return
        self.tac.setPixmap(_pixmap(tac_figure(self.result, name)))


def _app():
    import os

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def workspace_screenshot(result, out: str, width: int = 1600, height: int = 950, *, cycles=None,
                         cumulative=None) -> str:
    """Draw the workspace of a finished result off screen and save it as a PNG; returns the path."""
    app = _app()
    w = DosimetryWorkspace()
    w.resize(width, height)
    w.show()
    for _ in range(3):
        app.processEvents()
    if cycles:
        w.set_cycles(cycles, cumulative or [])
    else:
        w.show_result(result)
    for _ in range(3):
        app.processEvents()
    if not w.grab().toImage().save(str(out)):
        raise ValueError(f"{out}: the picture could not be written")
    w.close()
    return str(out)


def show_workspace(result, *, cycles=None, cumulative=None) -> int:
    """Open the workspace on a finished result (or several cycles) and run the event loop until it is closed."""
    app = _app()
    w = DosimetryWorkspace(None if cycles else result)
    if cycles:
        w.set_cycles(cycles, cumulative or [])
    w.resize(1600, 950)
    w.show()
    return app.exec()
