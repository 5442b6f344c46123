"""The reconstruction panel: pick a plugin and raw data, set its parameters, run it, watch it, read the result.

Concept
-------
The panel is a thin Qt view over :mod:`workstation.recon`:

* the plugin list comes from the :class:`~workstation.recon.manifest.PluginRegistry`; broken
  plugins are listed greyed out with the reason as tool tip (and in a note under the list), so
  a bad install is visible but cannot be started;
* the parameter form is built from the plugin's static manifest: one typed widget per
  parameter (spin boxes with the manifest's range and unit, check boxes, choice lists), set to
  the defaults; values are checked again by the manifest when the job is submitted;
* the job runs in a child process under :class:`~workstation.recon.host.ReconHost`; the host
  calls our listener on its supervisor thread and we forward each event through a Qt signal,
  so everything that touches widgets happens on the UI thread;
* each partial result (one per iteration) is shown as a small image of its central transverse
  slice beside its maximum-intensity projection; the plugin's log lines are shown as a tail;
* a completed result is written as a DICOM PET series in the CT's study (SUV facts from the form,
  else the study's headers or the raw data's header) and imported into the study database by
  :func:`workstation.recon.publish.publish_result`, on a worker thread; then the new series is
  loaded back and ``session_ready`` hands a fused CT + PET reading session to the main window.

A failed job (crash, hang, invalid result) shows its message and log tail; the viewer stays up.
* "Reconstruct and analyse as NEMA IQ" (phantom data): the result is written as a PET series of
  its own study (:func:`workstation.recon.publish.publish_standalone`, no CT needed) and handed to
  the physicist QA panel (:mod:`workstation.ui.qa.panel`), which analyses it on a worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.ui.workers import Job, stop_window_jobs

PREVIEW_PX = 128
# the job states shown in the status line (recon.host.JobStatus values), for the translation catalogue
STATUS_WORDS = (QT_TRANSLATE_NOOP("ReconPanel", "scheduled"), QT_TRANSLATE_NOOP("ReconPanel", "running"),
                QT_TRANSLATE_NOOP("ReconPanel", "cancelling"), QT_TRANSLATE_NOOP("ReconPanel", "cancelled"),
                QT_TRANSLATE_NOOP("ReconPanel", "completing"), QT_TRANSLATE_NOOP("ReconPanel", "completed"),
                QT_TRANSLATE_NOOP("ReconPanel", "failed"))
INT_LIMIT = 2**31 - 1


def preview_image(volume: np.ndarray) -> np.ndarray:
    """A uint8 picture: the central transverse slice and the MIP along k, side by side, each scaled to its max."""
    a = np.nan_to_num(np.asarray(volume, dtype=np.float32))
    parts = []
    for img in (a[a.shape[0] // 2], a.max(axis=0)):
        top = float(img.max())
        parts.append(np.zeros(img.shape, np.uint8) if top <= 0 else
                     np.clip(img / top * 255.0 + 0.5, 0, 255).astype(np.uint8))
    gap = np.zeros((parts[0].shape[0], 2), np.uint8)
    return np.ascontiguousarray(np.hstack([parts[0], gap, parts[1]]))


def _pixmap(gray: np.ndarray) -> QPixmap:
    h, w = gray.shape
    img = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(img).scaledToHeight(PREVIEW_PX, Qt.TransformationMode.FastTransformation)


class ReconPanel(QWidget):
    """Dock-able panel; ``session_ready(ReadingSession)`` when a published result is ready to read fused."""

    session_ready = Signal(object)
    published = Signal(object)  # workstation.recon.publish.PublishedSeries
    finished = Signal(str)  # final job status: completed, failed, cancelled (after publishing, if any)
    qa_ready = Signal(object)  # the QaPanel analysing a result ("Reconstruct and analyse as NEMA IQ")
    _job_event = Signal(object, str, object)

    def __init__(self, registry=None, host=None, ct_provider: Callable[[], object] | None = None, db=None,
                 out_root: Path | None = None, parent=None):
        super().__init__(parent)
        from workstation.recon.manifest import PluginRegistry

        self.registry = registry if registry is not None else PluginRegistry.discover()
        self._host = host
        self.ct_provider = ct_provider or (lambda: None)
        self.db = db
        self.out_root = Path(out_root) if out_root else None
        self.job = None
        self.submit_job: Job | None = None
        self._expected_dir: Path | None = None
        self._cancel_requested = False
        self.publish_job: Job | None = None
        self.last_published = None
        self.state = "idle"  # idle, starting, running, publishing, completed, published, failed, cancelled
        self.param_widgets: dict[str, QWidget] = {}
        self.preview_iterations: list[int] = []
        self._job_event.connect(self._on_job_event, Qt.ConnectionType.QueuedConnection)
        self._build()
        self._fill_plugins()

    # ------------------------------------------------------------------ building

    def closeEvent(self, ev) -> None:
        """Closing stops the jobs of this window (cancelled and joined; late results dropped)."""
        stop_window_jobs(self)
        super().closeEvent(ev)
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        self.plugin_box = QComboBox()
        self.plugin_box.setObjectName("recon-plugin")
        self.plugin_box.currentIndexChanged.connect(self._plugin_changed)
        self.broken_label = QLabel("")
        self.broken_label.setWordWrap(True)
        self.broken_label.setStyleSheet("color: gray")
        self.input_edit = QLineEdit()
        self.input_edit.setPlaceholderText(self.tr("raw data file (e.g. PETSIRD list-mode)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.input_edit, 1)
        row.addWidget(browse)
        top = QFormLayout()
        top.addRow(self.tr("Plugin"), self.plugin_box)
        top.addRow("", self.broken_label)
        top.addRow(self.tr("Raw data"), row)
        lay.addLayout(top)
        self.description_label = QLabel("")
        self.description_label.setWordWrap(True)
        lay.addWidget(self.description_label)
        self.param_group = QGroupBox(self.tr("Parameters"))
        self.param_form = QFormLayout(self.param_group)
        lay.addWidget(self.param_group)
        suv = QGroupBox(self.tr("SUV facts (blank: from the study's PET / CT headers or the raw data)"))
        f = QFormLayout(suv)
        self.dose_box = QDoubleSpinBox()
        self.dose_box.setRange(0.0, 100000.0)
        self.dose_box.setDecimals(2)
        self.dose_box.setSuffix(" MBq")
        self.dose_box.setSpecialValueText(self.tr("from headers"))
        self.weight_box = QDoubleSpinBox()
        self.weight_box.setRange(0.0, 500.0)
        self.weight_box.setDecimals(1)
        self.weight_box.setSuffix(" kg")
        self.weight_box.setSpecialValueText(self.tr("from headers"))
        self.injection_edit = QLineEdit()
        self.injection_edit.setPlaceholderText("YYYY-MM-DDTHH:MM:SS")
        self.start_edit = QLineEdit()
        self.start_edit.setPlaceholderText("YYYY-MM-DDTHH:MM:SS")
        #: SUV fact (``recon.publish.SuvFacts`` field) -> (form label, widget)
        self.fact_fields = {"injected_dose_bq": (self.tr("Injected dose"), self.dose_box),
                            "injection_datetime": (self.tr("Injection time"), self.injection_edit),
                            "acquisition_start": (self.tr("Acquisition start"), self.start_edit),
                            "weight_kg": (self.tr("Weight"), self.weight_box)}
        for label, widget in self.fact_fields.values():
            f.addRow(label, widget)
        lay.addWidget(suv)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(self.tr("Reconstruct"))
        self.run_button.setObjectName("recon-run")
        self.run_button.clicked.connect(lambda: self.start())
        self.nema_button = QPushButton(self.tr("Reconstruct and analyse as NEMA IQ"))
        self.nema_button.setObjectName("recon-run-nema")
        self.nema_button.setToolTip(self.tr("for phantom data: write the result as a PET series of its own study and "
                                            "open the physicist QA panel on it (NEMA IEC body phantom, EARL bands)"))
        self.nema_button.clicked.connect(lambda: self.start(analyse_nema=True))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.nema_button)
        buttons.addWidget(self.cancel_button)
        lay.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        lay.addWidget(self.progress_bar)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status_label)
        self.preview_label = QLabel("")
        self.preview_label.setMinimumHeight(PREVIEW_PX)
        self.preview_label.setToolTip(self.tr("latest iteration: central slice | MIP"))
        lay.addWidget(self.preview_label)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(200)
        lay.addWidget(self.log_view, 1)

    def _fill_plugins(self) -> None:
        self.plugin_box.blockSignals(True)
        self.plugin_box.clear()
        for pid, m in sorted(self.registry.plugins.items()):
            self.plugin_box.addItem(f"{m.name} ({pid} {m.version})", pid)
        model = self.plugin_box.model()
        for b in self.registry.broken:
            self.plugin_box.addItem(self.tr("{} — broken").format(b.name), None)
            idx = self.plugin_box.count() - 1
            item = model.item(idx)
            item.setEnabled(False)
            item.setToolTip(b.reason)
            self.plugin_box.setItemData(idx, b.reason, Qt.ItemDataRole.ToolTipRole)
        self.plugin_box.blockSignals(False)
        self.broken_label.setText("\n".join(self.tr("{}: unavailable — {}").format(b.name, b.reason.splitlines()[0][:200])
                                            for b in self.registry.broken))
        self.broken_label.setVisible(bool(self.registry.broken))
        self._plugin_changed()

    def broken_entries(self) -> list[tuple[str, bool, str]]:
        """``(text, enabled, tooltip)`` of every entry of the plugin list (for tests and accessibility)."""
        model = self.plugin_box.model()
        return [(self.plugin_box.itemText(i), model.item(i).isEnabled(),
                 str(self.plugin_box.itemData(i, Qt.ItemDataRole.ToolTipRole) or ""))
                for i in range(self.plugin_box.count())]

    @property
    def manifest(self):
        pid = self.plugin_box.currentData()
        return self.registry.plugins.get(pid) if pid else None

    def select_plugin(self, plugin_id: str) -> None:
        idx = self.plugin_box.findData(plugin_id)
        if idx < 0:
            raise KeyError(f"no plugin {plugin_id!r} in the list")
        self.plugin_box.setCurrentIndex(idx)

    def _plugin_changed(self, *_):
        while self.param_form.rowCount():
            self.param_form.removeRow(0)
        self.param_widgets.clear()
        m = self.manifest
        self._set_run_enabled(m is not None and self.state not in ("starting", "running", "publishing"))
        if m is None:
            self.description_label.setText(self.tr("no usable reconstruction plugin installed") if not self.registry.plugins
                                           else "")
            return
        self.description_label.setText(m.description)
        for p in m.parameters:
            w = self._param_widget(p)
            w.setObjectName(f"param-{p.name}")
            if p.description:
                w.setToolTip(p.description)
            self.param_widgets[p.name] = w
            self.param_form.addRow(p.label or p.name, w)

    @staticmethod
    def _param_widget(p) -> QWidget:
        unit = f" {p.unit}" if p.unit else ""
        if p.type == "bool":
            w = QCheckBox()
            w.setChecked(bool(p.default))
        elif p.type == "int":
            w = QSpinBox()
            w.setRange(int(max(-INT_LIMIT, p.min if p.min is not None else -INT_LIMIT)),
                       int(min(INT_LIMIT, p.max if p.max is not None else INT_LIMIT)))
            w.setValue(int(p.default))
            w.setSuffix(unit)
        elif p.type == "float":
            w = QDoubleSpinBox()
            w.setDecimals(3)
            w.setRange(float(p.min if p.min is not None else -1e12), float(p.max if p.max is not None else 1e12))
            w.setValue(float(p.default))
            w.setSuffix(unit)
        elif p.type == "choice":
            w = QComboBox()
            for c in p.choices:
                w.addItem(str(c), c)
            w.setCurrentIndex(max(0, w.findData(p.default)))
        else:
            w = QLineEdit(str(p.default))
        return w

    def parameters(self) -> dict:
        out = {}
        for name, w in self.param_widgets.items():
            if isinstance(w, QCheckBox):
                out[name] = w.isChecked()
            elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                out[name] = w.value()
            elif isinstance(w, QComboBox):
                out[name] = w.currentData()
            else:
                out[name] = w.text()
        return out

    def set_parameter(self, name: str, value) -> None:
        w = self.param_widgets[name]
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.setValue(value)
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(w.findData(value))
        else:
            w.setText(str(value))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Raw data"), "", self.tr("PETSIRD (*.petsird *.bin);;All files (*)"))
        if path:
            self.input_edit.setText(path)

    # ------------------------------------------------------------------ running
    @property
    def host(self):
        if self._host is None:
            from workstation.recon.host import ReconHost

            self._host = ReconHost(self.registry, jobs_root=self._out_root() / "jobs")
        return self._host

    def _out_root(self) -> Path:
        if self.out_root is None:
            from workstation.settings.paths import data_dir

            self.out_root = data_dir() / "recon"
        return self.out_root

    def _fail_now(self, message: str) -> None:
        self._set_run_enabled(self.manifest is not None)
        self.cancel_button.setEnabled(False)
        self.state = "failed"
        self.status_label.setStyleSheet("color: #c0392b")
        self.status_label.setText(message)
        self.finished.emit("failed")

    def _set_run_enabled(self, on) -> None:
        self.run_button.setEnabled(on)
        if hasattr(self, "nema_button"):
            self.nema_button.setEnabled(on)

    def start(self, analyse_nema: bool = False):
        """Start a job: parameters are checked here, the inputs are prepared and the child started on a
        worker thread (an attenuation map from a large CT takes a while). Returns that worker
        :class:`Job`, or None when the job cannot start (the reason is shown)."""
        import uuid

        from workstation.recon.manifest import ParameterError

        m = self.manifest
        if m is None or self.state in ("starting", "running", "publishing"):
            return None
        self.analyse_nema = bool(analyse_nema)
        self.log_view.clear()
        self.preview_label.clear()
        self.preview_iterations = []
        self.progress_bar.setValue(0)
        self.status_label.setStyleSheet("")
        self.job = None
        from workstation.recon.request import RequestError, prepare_request, submit_request

        try:
            request = prepare_request(self.registry, m.id, self.input_edit.text().strip() or None, self.parameters(),
                                      ct=self.ct_provider())
        except (ParameterError, RequestError) as exc:
            return self._fail_now(str(exc))
        host = self.host
        self._expected_dir = host.jobs_root / f"panel-{uuid.uuid4().hex[:12]}"
        job_dir = self._expected_dir

        def submit(progress):
            from workstation.recon.host import ReconJobError
            from workstation.recon.manifest import PluginNotFound

            try:
                return submit_request(host, request, progress=progress, job_dir=job_dir,
                                      listener=lambda job, kind, data: self._job_event.emit(job, kind, data))
            except (ParameterError, PluginNotFound, ReconJobError) as exc:
                return str(exc)

        self.state = "starting"
        self._cancel_requested = False
        self._set_run_enabled(False)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(self.tr("{}: preparing the inputs…").format(m.name))
        self.submit_job = Job(submit, name="recon-submit", owner=self)
        self.submit_job.succeeded.connect(self._submitted)
        self.submit_job.failed.connect(self._fail_now)
        return self.submit_job.start()

    def _submitted(self, job) -> None:
        if isinstance(job, str):  # the host refused the job
            self._set_run_enabled(self.manifest is not None)
            self.cancel_button.setEnabled(False)
            self._fail_now(job)
            return
        if self.job is None:
            self.job = job
        if self.state == "starting":
            self.state = "running"
            self.status_label.setText(self.tr("{}: scheduled (job {})").format(job.manifest.name, job.job_id))
        if self._cancel_requested:
            job.cancel()

    def cancel(self) -> None:
        if self.state == "starting" and self.job is None:
            self._cancel_requested = True
            self.status_label.setText(self.tr("cancelling…"))
        elif self.job is not None and not self.job.done:
            self.job.cancel()
            self.status_label.setText(self.tr("cancelling…"))
        elif self.publish_job is not None and self.publish_job.is_running():
            self.publish_job.cancel()

    def _on_job_event(self, job, kind: str, data) -> None:
        if self.job is None and job.job_dir == self._expected_dir:
            self._submitted(job)  # its first events may come before the submitting thread returns
        if job is not self.job:
            return  # an older job's late event
        if kind == "progress":
            self.progress_bar.setValue(int(1000 * data["fraction"]))
            self.progress_bar.setFormat(f"{data['message'][:40]} %p%")
        elif kind == "log":
            self.log_view.appendPlainText(data["line"])
        elif kind == "partial":
            part = next((p for p in reversed(job.partials) if p.iteration == data["iteration"]), None)
            if part is not None:
                try:
                    self.preview_label.setPixmap(_pixmap(preview_image(part.load())))
                    self.preview_iterations.append(part.iteration)
                    self.preview_label.setToolTip(self.tr("iteration {}: central slice | MIP").format(part.iteration))
                except (OSError, ValueError) as exc:
                    self.log_view.appendPlainText(self.tr("preview of iteration {} unreadable: {}").format(part.iteration, exc))
        elif kind == "status":
            self.status_label.setText(f"{job.manifest.name}: {self.tr(data['status'])}"
                                      + (f" — {data['reason']}" if data.get("reason") else ""))
            if data["status"] in ("completed", "failed", "cancelled"):
                self._job_finished(job)

    def _job_finished(self, job) -> None:
        self.cancel_button.setEnabled(False)
        status = job.status.value
        if status == "failed":
            self.state = "failed"
            self.status_label.setStyleSheet("color: #c0392b")
            self.status_label.setText(self.tr("reconstruction failed: {}").format((job.error or "").splitlines()[0]))
            tail = job.log_tail(15)
            if tail:
                self.log_view.appendPlainText("--- log tail ---\n" + tail)
        elif status == "cancelled":
            self.state = "cancelled"
        else:
            self.progress_bar.setValue(1000)
            self.state = "completed"
            ct = self.ct_provider()
            if getattr(self, "analyse_nema", False):
                self._publish_for_qa(job)
                return
            if ct is None:
                self.status_label.setText(self.tr("reconstruction completed; open a study with a CT to write it into "
                                                  "(result kept in {})").format(job.job_dir / "outputs"))
            else:
                self._publish(job, ct)
                return
        self._set_run_enabled(self.manifest is not None)
        self.finished.emit(self.state)

    def suv_facts(self):
        from workstation.recon.publish import SuvFacts

        return SuvFacts.given("reconstruction panel",
                              injected_dose_bq=self.dose_box.value() * 1e6 if self.dose_box.value() > 0 else None,
                              injection_datetime=self.injection_edit.text().strip() or None,
                              acquisition_start=self.start_edit.text().strip() or None,
                              weight_kg=self.weight_box.value() if self.weight_box.value() > 0 else None)

    def _publish(self, job, ct) -> None:
        from workstation.recon.publish import PublishError

        try:
            facts = self.suv_facts()
        except PublishError as exc:
            self._publish_failed(exc)
            return
        out_dir = job.job_dir / "dicom"
        result, db = job.result, self.db

        def work(progress):
            from workstation.analysis.reading.session import ReadingSession
            from workstation.io.loader import load_series
            from workstation.recon.publish import publish_result

            try:
                pub = publish_result(result, out_dir, ct, facts=facts, db=db, progress=progress.sub(0.0, 0.5))
            except PublishError as exc:
                return exc  # keeps its fields: the form fields to outline
            pet = load_series([str(p) for p in pub.paths], progress=progress.sub(0.5, 0.8))
            session = ReadingSession(ct, pet, progress=progress.sub(0.8, 1.0))
            return pub, session

        self.state = "publishing"
        self.status_label.setText(self.tr("writing the PET series into the study…"))
        self.publish_job = Job(work, name="recon-publish", owner=self)
        self.publish_job.progressed.connect(lambda f, m: self.progress_bar.setFormat(f"{m[:40]} %p%"))
        self.publish_job.succeeded.connect(self._published)
        self.publish_job.failed.connect(self._publish_failed)
        self.publish_job.cancelled.connect(lambda: self._publish_failed(self.tr("publishing cancelled")))
        self.publish_job.start()

    def _publish_for_qa(self, job) -> None:
        """Phantom data: write the result as a PET series of its own study, then analyse it as NEMA IQ."""
        from workstation.recon.publish import PublishError

        try:
            facts = self.suv_facts()
        except PublishError as exc:
            self._publish_failed(str(exc))
            return
        out_dir, result, db = job.job_dir / "dicom", job.result, self.db

        def work(progress):
            from workstation.io.loader import load_series
            from workstation.recon.publish import publish_standalone

            pub = publish_standalone(result, out_dir, facts=facts, db=db, progress=progress.sub(0.0, 0.6),
                                     study_description="NEMA IQ reconstruction")
            pet = load_series([str(p) for p in pub.paths], progress=progress.sub(0.6, 1.0))
            return pub, pet

        self.state = "publishing"
        self.status_label.setText(self.tr("writing the PET series for QA…"))
        self.publish_job = Job(work, name="recon-publish-qa", owner=self)
        self.publish_job.succeeded.connect(self._published_for_qa)
        self.publish_job.failed.connect(self._publish_failed)
        self.publish_job.cancelled.connect(lambda: self._publish_failed(self.tr("publishing cancelled")))
        self.publish_job.start()

    def _published_for_qa(self, result) -> None:
        from workstation.ui.qa.panel import QaPanel

        pub, pet = result
        self.last_published = pub
        self.state = "published"
        self.status_label.setStyleSheet("")
        self.status_label.setText(self.tr("written as PET series …{} of its own study ({} slices); NEMA IQ analysis "
                                          "started in the QA panel").format(pub.series_uid[-10:], len(pub.paths)))
        if getattr(self, "qa_panel", None) is None:
            self.qa_panel = QaPanel()
        self.qa_panel.set_volume(pet)
        if self.isVisible():
            self.qa_panel.show()
        self.qa_panel.analyse()
        self._set_run_enabled(self.manifest is not None)
        self.published.emit(pub)
        self.qa_ready.emit(self.qa_panel)
        self.finished.emit(self.state)

    def _published(self, result) -> None:
        if isinstance(result, Exception):
            self._publish_failed(result)
            return
        pub, session = result
        self.last_published = pub
        self.state = "published"
        self.status_label.setStyleSheet("")
        self.status_label.setText(self.tr("written as PET series …{} in the CT's study ({} slices); opened fused "
                                          "with the CT").format(pub.series_uid[-10:], len(pub.paths)))
        self._set_run_enabled(self.manifest is not None)
        self.published.emit(pub)
        self.session_ready.emit(session)
        self.finished.emit(self.state)

    def mark_facts(self, fields=()) -> str:
        """Outline the form fields of the SUV facts ``fields`` (clearing the others); their labels as a hint."""
        labels = []
        for name, (label, widget) in self.fact_fields.items():
            widget.setStyleSheet("border: 2px solid #d33;" if name in fields else "")
            if name in fields:
                labels.append(label)
        return f" (fill in: {', '.join(labels)})" if labels else ""

    def _publish_failed(self, message) -> None:
        fields = getattr(message, "fields", ())
        message = f"{message}{self.mark_facts(fields)}"
        self.state = "failed"
        self.status_label.setStyleSheet("color: #c0392b")
        where = (" " + self.tr("(result kept in {})").format(self.job.job_dir / "outputs")) if self.job is not None else ""
        self.status_label.setText(self.tr("reconstruction completed but not written: {}").format(message) + where)
        self._set_run_enabled(self.manifest is not None)
        self.finished.emit(self.state)


def attach_to(window) -> "QWidget":
    """Create the panel as a dock of the main window (once) and show it; returns the dock.

    The panel reads the CT of the window's current reading session and opens the published
    result fused with it through ``window.set_session``.
    """
    from PySide6.QtWidgets import QDockWidget

    dock = getattr(window, "recon_dock", None)
    if dock is None:
        panel = ReconPanel(ct_provider=lambda: window.session.anatomical if window.session is not None else None,
                           db=getattr(window, "db", None), parent=window)
        panel.session_ready.connect(window.set_session)
        dock = QDockWidget(QCoreApplication.translate("ReconPanel", "Reconstruction"), window)
        dock.setObjectName("recon-dock")
        dock.setWidget(panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        window.recon_dock = dock
        window.recon_panel = panel
    dock.show()
    dock.raise_()
    return dock
