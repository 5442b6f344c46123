"""The PACS tab of the study browser: configured nodes, search, results, retrieve, incoming queue.

Concept
-------
Everything that talks to the network runs as a :class:`workers.Job` (a worker thread with
progress and cancel); the panel only binds widgets to results. The node list comes from
``settings/nodes.py``. Search is a C-FIND at study level (patient name with wildcards, ID, date);
"Retrieve" fetches the selected studies with C-GET into the managed store (indexed there), with a
progress bar "n of m" and a cancel button. The incoming queue shows what our own node (a separate
process) is receiving, per study: instances received so far and, when the study is in the search
results, of how many; it is read from the audit trail every two seconds. ``studies_changed`` is
emitted when new instances are in the database so the browser lists them without a restart.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.io.dicom_text import display_name as patient_display_name

from workstation.ui.workers import Job, JobSlot, show_progress, stop_window_jobs

RESULT_COLUMNS = (QT_TRANSLATE_NOOP("PacsPanel", "Patient"), QT_TRANSLATE_NOOP("PacsPanel", "ID"),
                  QT_TRANSLATE_NOOP("PacsPanel", "Date"), QT_TRANSLATE_NOOP("PacsPanel", "Description"),
                  QT_TRANSLATE_NOOP("PacsPanel", "Modalities"), QT_TRANSLATE_NOOP("PacsPanel", "Instances"),
                  QT_TRANSLATE_NOOP("PacsPanel", "Study UID"))


class PacsPanel(QWidget):
    studies_changed = Signal()

    def __init__(self, db=None, parent=None, poll_ms: int = 2000):
        super().__init__(parent)
        self.db = db
        self.anonymise = False
        self.jobs = JobSlot(self)
        self._results: list[dict] = []
        self._last_instances = -1
        self._last_audit = 0

        self.node_box = QComboBox()
        self.node_box.setObjectName("pacs-node")
        self.echo_button = QPushButton(self.tr("Echo"))
        self.echo_button.clicked.connect(self.echo)
        self.node_status = QLabel("")
        self.node_button = QPushButton(self.tr("Start our node"))
        self.node_button.clicked.connect(self._toggle_node)
        nodes_row = QHBoxLayout()
        nodes_row.addWidget(QLabel(self.tr("Node")))
        nodes_row.addWidget(self.node_box, 1)
        nodes_row.addWidget(self.echo_button)
        nodes_row.addSpacing(20)
        nodes_row.addWidget(self.node_status)
        nodes_row.addWidget(self.node_button)
        self.settings_button = QPushButton(self.tr("Node settings…"))
        self.settings_button.clicked.connect(self.open_settings)
        nodes_row.addWidget(self.settings_button)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("e.g. DOE^J* or 王*"))
        self.id_edit = QLineEdit()
        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText(self.tr("YYYYMMDD or YYYYMMDD-YYYYMMDD"))
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.clicked.connect(self.search)
        self.name_edit.returnPressed.connect(self.search)
        self.id_edit.returnPressed.connect(self.search)
        form = QFormLayout()
        form.addRow(self.tr("Patient name"), self.name_edit)
        form.addRow(self.tr("Patient ID"), self.id_edit)
        form.addRow(self.tr("Study date"), self.date_edit)
        form.addRow(self.search_button)

        self.results = QTableWidget(0, len(RESULT_COLUMNS))
        self.results.setHorizontalHeaderLabels([self.tr(c) for c in RESULT_COLUMNS])
        self.results.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.retrieve_button = QPushButton(self.tr("Retrieve"))
        self.retrieve_button.clicked.connect(self.retrieve_selected)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.jobs.cancel)
        self.cancel_button.hide()
        act = QHBoxLayout()
        act.addWidget(self.retrieve_button)
        act.addWidget(self.progress, 1)
        act.addWidget(self.cancel_button)

        self.incoming = QTableWidget(0, 3)
        self.incoming.setHorizontalHeaderLabels([self.tr("Arriving study"), self.tr("Received"), self.tr("Last instance")])
        self.incoming.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.incoming.horizontalHeader().setStretchLastSection(True)
        inbox = QGroupBox(self.tr("Incoming (our node)"))
        QVBoxLayout(inbox).addWidget(self.incoming)

        self.status = QLabel("")
        lay = QVBoxLayout(self)
        lay.addLayout(nodes_row)
        lay.addLayout(form)
        lay.addWidget(self.results, 2)
        lay.addLayout(act)
        lay.addWidget(inbox, 1)
        lay.addWidget(self.status)
        self.reload_nodes()
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()

    # ------------------------------------------------------------------ nodes
    def config(self):
        from workstation.settings.nodes import load_nodes

        return load_nodes()

    def reload_nodes(self) -> None:
        try:
            cfg = self.config()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.node_box.clear()
        for n in cfg.nodes:
            if n.is_dimse:
                self.node_box.addItem(f"{n.name}  ({n.ae_title}@{n.host}:{n.port})", n.name)
        if self.node_box.count() == 0:
            self.status.setText(self.tr("No DICOM nodes configured: `{}`").format(
                "workstation node add NAME --ae-title AET --host H --port N"))

    def _node(self):
        cfg = self.config()
        name = self.node_box.currentData()
        return cfg, (cfg.get(name) if name else None)

    def echo(self) -> Job | None:
        from workstation.net import scu

        cfg, node = self._node()
        if node is None:
            return None
        job = Job(lambda progress: scu.echo(node, cfg.local.ae_title), name="echo", owner=self)
        job.succeeded.connect(lambda st: self.status.setText(
            self.tr("{}: C-ECHO ok").format(node.name) if st == 0 else
            self.tr("{}: C-ECHO status 0x{:04X}").format(node.name, st)))
        job.failed.connect(lambda msg: self.status.setText(msg.split(": ", 1)[-1]))
        return job.start()

    def open_settings(self):
        """The node settings dialog; the node list and status are refreshed when it closes."""
        from workstation.ui.settings.node_settings import open_node_settings

        dlg = open_node_settings(self)
        dlg.finished.connect(lambda _r: (self.reload_nodes(), self._update_node_status()))
        return dlg

    def _toggle_node(self) -> None:
        from workstation.net import process

        try:
            if process.status().get("running"):
                process.stop()
            else:
                process.start_background([])
        except process.NodeProcessError as exc:
            self.status.setText(str(exc))
        self._update_node_status()

    def _update_node_status(self) -> None:
        from workstation.net import process

        st = process.status()
        if st.get("running"):
            self.node_status.setText(self.tr("Our node: {} on port {}").format(st["ae_title"], st["port"]))
            self.node_button.setText(self.tr("Stop our node"))
        else:
            self.node_status.setText(self.tr("Our node: not running"))
            self.node_button.setText(self.tr("Start our node"))

    # ------------------------------------------------------------------ search
    def search(self) -> Job | None:
        from workstation.net import scu

        cfg, node = self._node()
        if node is None:
            return None
        keys = {"PatientName": self.name_edit.text().strip() or None, "PatientID": self.id_edit.text().strip() or None,
                "StudyDate": self.date_edit.text().strip() or None}
        job = Job(lambda progress: scu.find(node, cfg.local.ae_title, "STUDY", **keys), name="find", owner=self)
        job.succeeded.connect(self.show_results)
        job.failed.connect(lambda msg: self.status.setText(self.tr("Search failed: {}").format(msg.split(": ", 1)[-1])))
        self.status.setText(self.tr("Searching {}…").format(node.name))
        return job.start()

    def show_results(self, rows: list[dict]) -> None:
        self._results = list(rows)
        self.results.setRowCount(len(rows))
        for r, row in enumerate(rows):
            mods = row.get("ModalitiesInStudy", "")
            vals = (self.tr("(patient hidden)") if self.anonymise else patient_display_name(str(row.get("PatientName", ""))),
                    "" if self.anonymise else str(row.get("PatientID", "")), str(row.get("StudyDate", "")),
                    str(row.get("StudyDescription", "")), "/".join(mods) if isinstance(mods, list) else str(mods),
                    str(row.get("NumberOfStudyRelatedInstances", "")), str(row.get("StudyInstanceUID", "")))
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, row.get("StudyInstanceUID", ""))
                self.results.setItem(r, c, item)
        self.status.setText(self.tr("{} studies found").format(len(rows)))

    # ------------------------------------------------------------------ retrieve
    def selected_study_uids(self) -> list[str]:
        rows = sorted({i.row() for i in self.results.selectedIndexes()})
        return [self.results.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def retrieve_selected(self) -> Job | None:
        return self.retrieve(self.selected_study_uids())

    def retrieve(self, study_uids: list[str]) -> Job | None:
        from workstation.net import scu
        from workstation.io.store import ManagedStore

        cfg, node = self._node()
        if node is None or not study_uids or self.db is None:
            return None
        store = ManagedStore(None, self.db)

        def work(progress):
            total = 0
            for i, uid in enumerate(study_uids):
                res = scu.get(node, cfg.local.ae_title, uid, store, progress=progress.sub(
                    i / len(study_uids), (i + 1) / len(study_uids)))
                total += res.completed
            return total

        job = Job(work, name="retrieve")
        job.progressed.connect(self._on_progress)
        job.succeeded.connect(lambda n: self.status.setText(self.tr("Retrieved {} instances from {}").format(n, node.name)))
        job.failed.connect(lambda msg: self.status.setText(self.tr("Retrieve failed: {}").format(msg.split(": ", 1)[-1])))
        job.cancelled.connect(lambda: self.status.setText(self.tr("Retrieve cancelled")))
        job.done.connect(self._on_done)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.show()
        self.cancel_button.show()
        self.retrieve_button.setEnabled(False)
        return self.jobs.start(job)

    def _on_progress(self, frac: float, msg: str) -> None:
        show_progress(self.progress, frac, msg)

    def _on_done(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.retrieve_button.setEnabled(True)
        self.poll()

    # ------------------------------------------------------------------ incoming + refresh
    def poll(self) -> None:
        """Refresh the node status and the incoming queue; tell the browser when the database grew."""
        import sqlite3

        try:
            self._poll()
        except sqlite3.Error:  # the database was closed under us (window closing) or is busy: try later
            pass

    def _poll(self) -> None:
        self._update_node_status()
        if self.db is None:
            return
        n = self.db.counts()["instances"]
        if n != self._last_instances:
            if self._last_instances >= 0:
                self.studies_changed.emit()
            self._last_instances = n
        rows = self.db.audit_rows(event="store-received")
        if len(rows) == self._last_audit:
            return
        self._last_audit = len(rows)
        per: dict[str, list] = {}
        for a in rows[-5000:]:
            e = per.setdefault(a["study_uid"], [0, ""])
            e[0] += 1
            e[1] = a["time"]
        expected = {r.get("StudyInstanceUID"): r.get("NumberOfStudyRelatedInstances") for r in self._results}
        items = sorted(per.items(), key=lambda kv: kv[1][1], reverse=True)[:50]
        self.incoming.setRowCount(len(items))
        for r, (uid, (count, when)) in enumerate(items):
            m = expected.get(uid)
            for c, v in enumerate((uid, self.tr("{} of {}").format(count, m) if m else f"{count}", when.replace("T", " "))):
                self.incoming.setItem(r, c, QTableWidgetItem(v))


class SendDialog(QDialog):
    """Send a study or series from the database to a configured node (C-STORE on a worker thread)."""

    def __init__(self, db, study_uid: str, series_uid: str | None = None, parent=None):
        super().__init__(parent)
        from workstation.settings.nodes import load_nodes

        self.setWindowTitle(self.tr("Send to a DICOM node"))
        self.db, self.study_uid, self.series_uid = db, study_uid, series_uid
        self.jobs = JobSlot(self)
        self.cfg = load_nodes()
        self.node_box = QComboBox()
        for n in self.cfg.nodes:
            if n.is_dimse:
                self.node_box.addItem(f"{n.name}  ({n.ae_title}@{n.host}:{n.port})", n.name)
        series = [series_uid] if series_uid else [s.series_uid for s in db.series(study_uid)]
        self.files = [f for s in series for f in db.series_files(s)]
        self.what = QLabel((self.tr("{} instances of the series") if series_uid else
                            self.tr("{} instances of the study")).format(len(self.files)))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.buttons = QDialogButtonBox()
        self.send_button = self.buttons.addButton(self.tr("Send"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.send_button.clicked.connect(self.send)
        self.buttons.rejected.connect(self._close)
        form = QFormLayout(self)
        form.addRow(self.tr("Node"), self.node_box)
        form.addRow(self.what)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(self.buttons)


    def closeEvent(self, ev) -> None:
        """Closing stops the jobs of this window (cancelled and joined; late results dropped)."""
        stop_window_jobs(self)
        super().closeEvent(ev)

    def done(self, result: int) -> None:
        """Accept / reject (which close a dialog without a close event) stop its jobs too."""
        stop_window_jobs(self)
        super().done(result)
    def send(self) -> Job | None:
        from workstation.net import scu

        name = self.node_box.currentData()
        if not name or not self.files:
            self.status.setText(self.tr("Nothing to send, or no node configured."))
            return None
        node = self.cfg.get(name)
        job = Job(scu.store_files, node, self.cfg.local.ae_title, self.files, db=self.db, name="send")
        job.progressed.connect(lambda f, m: (self.progress.setValue(int(f * 1000)), self.progress.setFormat(
            f"{m}  %p%")))
        job.succeeded.connect(lambda r: self.status.setText(
            self.tr("Sent {} of {} to {}").format(r.completed, len(self.files), node.name)
            + (self.tr("; {} failed").format(r.failed) if r.failed else "")))
        job.failed.connect(lambda msg: self.status.setText(self.tr("Send failed: {}").format(msg.split(": ", 1)[-1])))
        job.cancelled.connect(lambda: self.status.setText(self.tr("Send cancelled")))
        job.done.connect(lambda: self.send_button.setEnabled(True))
        self.send_button.setEnabled(False)
        return self.jobs.start(job)

    def _close(self) -> None:
        self.jobs.cancel()
        self.reject()
