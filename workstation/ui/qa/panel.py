"""The physicist QA panel: NEMA IQ of the PET shown in the viewer, with EARL verdicts and a PDF report;
the uniform-cylinder check (:mod:`.qa_uniformity`) and the trend of stored results (:mod:`.qa_trend`)
in two more tabs.

The panel binds a few widgets (the known fill, the NU 2 edition) to
:func:`workstation.analysis.qa.analyse_nema_iq`, which runs on a worker thread (``ui.workers.Job``,
progress and cancel); the result fills a table (one row per sphere: RCmax, RCA50, RCpeak, hot or
cold contrast, background variability, EARL1/EARL2 verdicts) and a verdict line. "Save report"
writes the QA PDF (:mod:`workstation.report.qa`) and never overwrites a file without asking.
"Store in the QA log" keeps a result with the scanner and scan date in the study database, where
the trend tab reads it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QMessageBox, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from workstation.ui.workers import Job, JobSlot, stop_window_jobs

COLUMNS = (QT_TRANSLATE_NOOP("QaPanel", "sphere (mm)"), "RCmax", "RCA50", "RCpeak", "Q_H (%)", "Q_C (%)", "N (%)",
           "EARL1", "EARL2")


class QaPanel(QWidget):
    finished = Signal(str)  # "completed", "failed", "cancelled"

    def __init__(self, parent=None, db_path=None):
        from workstation.ui.qa.trend import TrendView
        from workstation.ui.qa.uniformity import UniformityTab

        super().__init__(parent)
        self.setWindowTitle(self.tr("Physicist QA: NEMA IQ"))
        self.db_path = db_path  # the study database of the QA log (None: the user's)
        self.volume = None
        self.context = None
        self.result = None
        self.last_error: str | None = None
        self.jobs = JobSlot(self)

        form = QFormLayout()
        self.ratio_spin = QDoubleSpinBox()
        self.ratio_spin.setRange(1.01, 100.0)
        self.ratio_spin.setDecimals(3)
        self.ratio_spin.setValue(4.0)
        form.addRow(self.tr("Sphere:background ratio"), self.ratio_spin)
        self.conc_check = QCheckBox(self.tr("Known concentrations at the scan start (kBq/mL)"))
        form.addRow(self.conc_check)
        self.sphere_spin = QDoubleSpinBox()
        self.sphere_spin.setRange(0.0, 1e6)
        self.sphere_spin.setDecimals(3)
        self.sphere_spin.setValue(21.2)
        self.background_spin = QDoubleSpinBox()
        self.background_spin.setRange(0.0, 1e6)
        self.background_spin.setDecimals(3)
        self.background_spin.setValue(5.3)
        form.addRow(self.tr("Spheres (kBq/mL)"), self.sphere_spin)
        form.addRow(self.tr("Background (kBq/mL)"), self.background_spin)
        self.conc_check.toggled.connect(self._fill_mode)
        self.edition_box = QComboBox()
        # the edition is the item's data; "auto" is shown translated
        self.edition_box.addItem(self.tr("auto"), "auto")
        for edition in ("2018", "2012"):
            self.edition_box.addItem(edition, edition)
        form.addRow(self.tr("NU 2 edition"), self.edition_box)

        buttons = QHBoxLayout()
        self.analyse_button = QPushButton(self.tr("Analyse as NEMA IQ"))
        self.analyse_button.clicked.connect(self.analyse)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.jobs.cancel)
        self.report_button = QPushButton(self.tr("Save report…"))
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self._ask_report)
        self.store_button = QPushButton(self.tr("Store in the QA log"))
        self.store_button.setEnabled(False)
        self.store_button.clicked.connect(self.store)
        for b in (self.analyse_button, self.cancel_button, self.report_button, self.store_button):
            buttons.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status_label = QLabel(self.tr("No PET loaded"))
        self.status_label.setWordWrap(True)
        self.verdict_label = QLabel("")
        self.verdict_label.setObjectName("verdict")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.horizontalHeaderItem(COLUMNS.index("RCpeak")).setToolTip(
            self.tr("No EARL verdict for RCpeak: its EARL bands are not in the verified reference data"))
        nema = QWidget()
        lay = QVBoxLayout(nema)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.status_label)
        lay.addWidget(self.verdict_label)
        lay.addWidget(self.table)
        self.uniformity = UniformityTab()
        self.uniformity.db_path = db_path
        self.trend = TrendView(db_path)
        self.uniformity.stored.connect(lambda _id: self.trend.refresh())
        self.tabs = QTabWidget()
        self.tabs.addTab(nema, self.tr("NEMA IQ"))
        self.tabs.addTab(self.uniformity, self.tr("Uniform cylinder"))
        self.tabs.addTab(self.trend, self.tr("Trend"))
        self.tabs.currentChanged.connect(lambda i: self.tabs.widget(i) is self.trend and self.trend.refresh())
        QVBoxLayout(self).addWidget(self.tabs)
        self._fill_mode(False)
        self.analyse_button.setEnabled(False)


    def closeEvent(self, ev) -> None:
        """Closing stops the jobs of this window (cancelled and joined; late results dropped)."""
        stop_window_jobs(self)
        super().closeEvent(ev)
    def _fill_mode(self, concentrations: bool) -> None:
        self.ratio_spin.setEnabled(not concentrations)
        self.sphere_spin.setEnabled(concentrations)
        self.background_spin.setEnabled(concentrations)

    def set_volume(self, volume, context=None) -> None:
        """The PET volume to analyse (a Volume), with its QaContext (built from the volume if None)."""
        from workstation.analysis.qa.series import context_from_volume

        self.volume = volume
        self.context = context if context is not None else (context_from_volume(volume) if volume else None)
        self.result = None
        self.table.setRowCount(0)
        self.verdict_label.setText("")
        self.report_button.setEnabled(False)
        self.store_button.setEnabled(False)
        self.analyse_button.setEnabled(volume is not None)
        self.status_label.setText(self.tr("Ready: {0}").format(volume.description or volume.series_uid)
                                  if volume is not None else self.tr("No PET loaded"))
        self.uniformity.set_volume(volume, self.context)

    def fill(self):
        from workstation.analysis.qa.nema_iq import Fill

        if self.conc_check.isChecked():
            return Fill(sphere_bqml=self.sphere_spin.value() * 1000.0,
                        background_bqml=self.background_spin.value() * 1000.0)
        return Fill(ratio=self.ratio_spin.value())

    def analyse(self) -> Job | None:
        from workstation.analysis.qa.nema_iq import NemaIqError, analyse_nema_iq

        if self.volume is None:
            return None
        try:
            fill = self.fill()
        except NemaIqError as exc:
            self._fail(str(exc))
            return None
        ctx = self.context
        job = Job(analyse_nema_iq, self.volume.array, self.volume.geometry, fill, name="nema-iq",
                  units=ctx.units if ctx else "", scan_datetime=ctx.reference_datetime if ctx else None,
                  edition=self.edition_box.currentData())
        job.progressed.connect(lambda f, m: (self.progress.setValue(int(f * 1000)), self.status_label.setText(m)))
        job.succeeded.connect(lambda r, j=job: self.jobs.is_current(j) and self.show_result(r))
        job.failed.connect(lambda msg, j=job: self.jobs.is_current(j) and self._fail(msg))
        job.cancelled.connect(lambda: (self.status_label.setText(self.tr("Cancelled")), self.finished.emit("cancelled")))
        job.done.connect(lambda: (self.cancel_button.setEnabled(False), self.analyse_button.setEnabled(True)))
        self.analyse_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.last_error = None
        return self.jobs.start(job)

    def _fail(self, msg: str) -> None:
        self.last_error = msg.split(": ", 1)[-1] if msg.startswith(("NemaIqError", "ValueError")) else msg
        self.status_label.setText(self.tr("Analysis failed: {0}").format(self.last_error))
        self.finished.emit("failed")

    def show_result(self, res) -> None:
        self.result = res
        self.table.setRowCount(len(res.spheres))
        green, red = QColor("#117711"), QColor("#cc0000")
        for r, s in enumerate(res.spheres):
            vals = [f"{s.diameter_mm:g}", _f(s.rc_max), _f(s.rc_a50), _f(s.rc_peak), _f(s.contrast_hot, 1),
                    _f(s.contrast_cold, 1), f"{res.variability[s.diameter_mm]['n_percent']:.2f}"]
            verdicts = [s.earl.get(std, {}).get("pass") for std in ("EARL1", "EARL2")]
            vals += [{True: self.tr("pass"), False: self.tr("FAIL")}.get(v, "-") for v in verdicts]
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                if c >= 7 and verdicts[c - 7] is not None:
                    item.setForeground(green if verdicts[c - 7] else red)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        e1, e2 = res.earl_pass("EARL1"), res.earl_pass("EARL2")
        word = {True: self.tr("PASS"), False: self.tr("FAIL"), None: "-"}
        self.verdict_label.setText(self.tr("EARL1 {0} · EARL2 {1} · background CoV {2:.2f} % · lung residual "
                                           "{3:.2f} %").format(word[e1], word[e2], res.background_cov,
                                                               res.lung_residual_percent))
        self.status_label.setText(self.tr("NU 2-{0}; {1}").format(res.edition, "; ".join(res.warnings) or self.tr("no warnings")))
        self.progress.setValue(1000)
        self.report_button.setEnabled(True)
        self.store_button.setEnabled(True)
        self.finished.emit("completed")

    def store(self) -> int | None:
        """Store the NEMA IQ result with the scanner and scan date in the study database (trend tab)."""
        from workstation.analysis.qa.series import nema_summary, store

        if self.result is None or self.context is None:
            return None
        qa_id = store(self.db_path, "nema-iq", self.context, nema_summary(self.result),
                      {"series": self.context.to_dict(), **self.result.to_dict()}, self.result.earl_pass("EARL1"))
        self.store_button.setEnabled(False)
        self.status_label.setText(self.tr("Stored in the QA log"))
        self.trend.refresh()
        return qa_id

    def save_report(self, path, overwrite: bool = False):
        from workstation.report.qa import write_nema_report

        if self.result is None:
            raise RuntimeError("no QA result to report")
        return write_nema_report(path, self.result, self.context, overwrite=overwrite)

    def _ask_report(self) -> None:  # pragma: no cover - file dialog
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save QA report"), "nema_iq.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            # the native dialog has already asked before replacing an existing file
            self.save_report(path, overwrite=True)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, self.tr("QA report"), str(exc))


def _f(v, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def attach_to(window) -> QaPanel:
    """Open (or raise) the QA panel of a main window, on the PET of its reading session."""
    panel = getattr(window, "qa_panel", None)
    if panel is None:
        panel = QaPanel()
        window.qa_panel = panel
    session = getattr(window, "session", None)
    panel.set_volume(getattr(session, "pet", None) if session is not None else None)
    if panel.tabs.currentWidget() is panel.trend:
        panel.trend.refresh()
    if window.isVisible():
        panel.show()
        panel.raise_()
    return panel
