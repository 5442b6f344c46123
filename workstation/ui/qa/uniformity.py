"""The uniform-cylinder tab of the QA panel: mean SUV in the central VOI with its +-10 % verdict,
per-slice mean and CoV, on a worker thread (``ui.workers.Job``, progress and cancel).

The numbers come from :func:`workstation.analysis.qa.series.uniformity_volume` (the CLI's
``qa uniformity`` computes the same through ``uniformity_series``): SUVbw from the PET's own
header factors, then :func:`workstation.analysis.qa.analyse_uniformity`.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from workstation.ui.workers import Job, JobSlot

SLICE_COLUMNS = (QT_TRANSLATE_NOOP("UniformityTab", "slice z (mm)"), QT_TRANSLATE_NOOP("UniformityTab", "mean SUV"),
                 QT_TRANSLATE_NOOP("UniformityTab", "CoV (%)"))


class UniformityTab(QWidget):
    finished = Signal(str)  # "completed", "failed", "cancelled"
    stored = Signal(int)  # qa_id of a result stored in the QA log

    def __init__(self, parent=None):
        super().__init__(parent)
        self.volume = None
        self.context = None
        self.result = None
        self.last_error: str | None = None
        self.db_path = None  # the study database (None: the user's)
        self.jobs = JobSlot(self)
        self.analyse_button = QPushButton(self.tr("Analyse as uniform cylinder (SUVbw)"))
        self.analyse_button.clicked.connect(self.analyse)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.jobs.cancel)
        self.store_button = QPushButton(self.tr("Store in the QA log"))
        self.store_button.setEnabled(False)
        self.store_button.clicked.connect(self.store)
        self.report_button = QPushButton(self.tr("Save report…"))
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self._ask_report)
        buttons = QHBoxLayout()
        for b in (self.analyse_button, self.cancel_button, self.report_button, self.store_button):
            buttons.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status_label = QLabel(self.tr("No PET loaded"))
        self.status_label.setWordWrap(True)
        self.verdict_label = QLabel("")
        self.verdict_label.setWordWrap(True)
        self.table = QTableWidget(0, len(SLICE_COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in SLICE_COLUMNS])
        lay = QVBoxLayout(self)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.status_label)
        lay.addWidget(self.verdict_label)
        lay.addWidget(self.table)
        self.analyse_button.setEnabled(False)

    def set_volume(self, volume, context=None) -> None:
        self.volume, self.context, self.result = volume, context, None
        self.table.setRowCount(0)
        self.verdict_label.setText("")
        self.store_button.setEnabled(False)
        self.report_button.setEnabled(False)
        self.analyse_button.setEnabled(volume is not None)
        self.status_label.setText(self.tr("Ready: {0}").format(volume.description or volume.series_uid)
                                  if volume is not None else self.tr("No PET loaded"))

    def analyse(self) -> Job | None:
        from workstation.analysis.qa.series import uniformity_volume

        if self.volume is None:
            return None
        job = Job(uniformity_volume, self.volume, "bw", name="uniformity")
        job.progressed.connect(lambda f, m: (self.progress.setValue(int(f * 1000)), self.status_label.setText(m)))
        job.succeeded.connect(lambda r, j=job: self.jobs.is_current(j) and self.show_result(*r))
        job.failed.connect(lambda msg, j=job: self.jobs.is_current(j) and self._fail(msg))
        job.cancelled.connect(lambda: (self.status_label.setText(self.tr("Cancelled")), self.finished.emit("cancelled")))
        job.done.connect(lambda: (self.cancel_button.setEnabled(False), self.analyse_button.setEnabled(True)))
        self.analyse_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.last_error = None
        return self.jobs.start(job)

    def _fail(self, msg: str) -> None:
        head, _, rest = msg.partition(": ")
        self.last_error = rest if head.endswith(("Error", "Exception")) and rest else msg
        self.status_label.setText(self.tr("Analysis failed: {0}").format(self.last_error))
        self.finished.emit("failed")

    def show_result(self, res, suv=None) -> None:
        self.result = res
        self.table.setRowCount(len(res.slice_z))
        for r, (z, m, c) in enumerate(zip(res.slice_z, res.slice_mean, res.slice_cov)):
            for col, text in enumerate((f"{z:.1f}", f"{m:.4f}", f"{c:.2f}")):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        word = self.tr("PASS") if res.passed else self.tr("FAIL")
        self.verdict_label.setText(self.tr("Mean {0:.4f} {1} ({2:+.2f} %, tolerance ±10 %): {3} · CoV per slice "
                                           "{4:.2f}–{5:.2f} % · largest slice deviation {6:.2f} %").format(
            res.mean, res.units, res.deviation_percent, word, min(res.slice_cov), max(res.slice_cov),
            res.max_slice_deviation_percent))
        self.verdict_label.setStyleSheet(f"color: {'#117711' if res.passed else '#cc0000'}")
        self.status_label.setText("; ".join(res.warnings) or self.tr("no warnings"))
        self.progress.setValue(1000)
        self.store_button.setEnabled(True)
        self.report_button.setEnabled(True)
        self.finished.emit("completed")

    def _context(self):
        from workstation.analysis.qa.series import context_from_volume

        return self.context if self.context is not None else context_from_volume(self.volume)

    def save_report(self, path, overwrite: bool = False):
        """Write the uniform-cylinder PDF report (never over an existing file unless ``overwrite``)."""
        from workstation.report.qa import write_uniformity_report

        if self.result is None:
            raise RuntimeError("no uniformity result to report")
        return write_uniformity_report(path, self.result, self._context(), overwrite=overwrite)

    def _ask_report(self) -> None:  # pragma: no cover - file dialog
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save QA report"), "uniformity.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            # the native dialog has already asked before replacing an existing file
            self.save_report(path, overwrite=True)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, self.tr("QA report"), str(exc))

    def store(self) -> int | None:
        """Store the result with the scanner and scan date in the study database (for the trend view)."""
        from workstation.analysis.qa.series import store, uniformity_summary

        if self.result is None:
            return None
        ctx = self._context()
        qa_id = store(self.db_path, "uniformity", ctx, uniformity_summary(self.result),
                      {"series": ctx.to_dict(), **self.result.to_dict()}, self.result.passed)
        self.store_button.setEnabled(False)
        self.status_label.setText(self.tr("Stored in the QA log"))
        self.stored.emit(qa_id)
        return qa_id
