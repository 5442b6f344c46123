"""The DICOM node settings dialog: our node (AE title, port, address, storage, TLS) and its peers.

Concept
-------
The dialog edits a :class:`workstation.settings.nodes.NodeConfig` and writes it with
``save_nodes`` (the same ``nodes.json`` the command line uses). Every value is checked by the
settings package before anything is written; a bad value is shown in the status line and nothing
is saved. "Start our node" saves first and then starts the node as its own background process
(``workstation.net.process``), so receiving goes on while reading and survives a viewer crash;
"Stop our node" stops that process by its PID. "Echo" sends a C-ECHO to the selected peer on a
worker thread.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.ui.workers import Job, JobSlot, stop_window_jobs

PEER_COLUMNS = (QT_TRANSLATE_NOOP("NodeSettingsDialog", "Name"), QT_TRANSLATE_NOOP("NodeSettingsDialog", "AE title"),
                QT_TRANSLATE_NOOP("NodeSettingsDialog", "Host"), QT_TRANSLATE_NOOP("NodeSettingsDialog", "Port"),
                QT_TRANSLATE_NOOP("NodeSettingsDialog", "DICOMweb URL"), QT_TRANSLATE_NOOP("NodeSettingsDialog", "TLS"))


class NodeSettingsDialog(QDialog):
    """Edit, save, start and stop our DICOM node; edit the configured peers."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from workstation.settings.nodes import NodeConfigError, load_nodes

        self.setWindowTitle(self.tr("DICOM node settings"))
        self.setObjectName("node-settings")
        self.jobs = JobSlot(self)
        self.status = QLabel("")
        self.status.setObjectName("node-settings-status")
        self.status.setWordWrap(True)
        try:
            self.cfg = load_nodes()
        except NodeConfigError as exc:  # a damaged file: shown, the dialog starts from the defaults
            from workstation.settings.nodes import NodeConfig

            self.cfg = NodeConfig()
            self.status.setText(str(exc))
        local = self.cfg.local

        self.ae_edit = QLineEdit(local.ae_title)
        self.ae_edit.setMaxLength(16)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(int(local.port))
        self.host_edit = QLineEdit(local.host)
        self.host_edit.setToolTip(self.tr("127.0.0.1 receives from this computer only; 0.0.0.0 from the network"))
        self.store_edit = QLineEdit(local.store)
        self.store_edit.setPlaceholderText(self.tr("default: store/ in the data folder"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_store)
        store_row = QHBoxLayout()
        store_row.addWidget(self.store_edit, 1)
        store_row.addWidget(browse)
        self.max_mb_spin = QSpinBox()
        self.max_mb_spin.setRange(0, 1_000_000)
        self.max_mb_spin.setSuffix(" MB")
        self.max_mb_spin.setSpecialValueText(self.tr("no limit"))
        self.max_mb_spin.setValue(int(local.max_instance_mb))
        self.cert_edit = QLineEdit(local.tls_cert)
        self.key_edit = QLineEdit(local.tls_key)
        self.ca_edit = QLineEdit(local.tls_ca)
        for e in (self.cert_edit, self.key_edit, self.ca_edit):
            e.setPlaceholderText(self.tr("PEM file (optional)"))
        ours = QGroupBox(self.tr("Our node"))
        form = QFormLayout(ours)
        form.addRow(self.tr("AE title"), self.ae_edit)
        form.addRow(self.tr("Port"), self.port_spin)
        form.addRow(self.tr("Address"), self.host_edit)
        form.addRow(self.tr("Storage folder"), store_row)
        form.addRow(self.tr("Largest instance"), self.max_mb_spin)
        form.addRow(self.tr("TLS certificate"), self.cert_edit)
        form.addRow(self.tr("TLS private key"), self.key_edit)
        form.addRow(self.tr("TLS CA of callers"), self.ca_edit)

        self.node_status = QLabel("")
        self.node_status.setObjectName("node-running")
        self.node_button = QPushButton(self.tr("Start our node"))
        self.node_button.clicked.connect(self.toggle_node)
        run_row = QHBoxLayout()
        run_row.addWidget(self.node_status, 1)
        run_row.addWidget(self.node_button)
        form.addRow(run_row)

        self.peers = QTableWidget(0, len(PEER_COLUMNS))
        self.peers.setObjectName("node-peers")
        self.peers.setHorizontalHeaderLabels([self.tr(c) for c in PEER_COLUMNS])
        self.peers.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.peers.horizontalHeader().setStretchLastSection(True)
        self.peers.setSelectionBehavior(QTableWidget.SelectRows)
        for n in self.cfg.nodes:
            self.add_peer(n.name, n.ae_title, n.host, n.port, n.url, n.tls)
        add = QPushButton(self.tr("Add"))
        add.clicked.connect(lambda: self.add_peer())
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self.remove_selected)
        self.echo_button = QPushButton(self.tr("Echo"))
        self.echo_button.clicked.connect(self.echo_selected)
        peer_buttons = QHBoxLayout()
        for b in (add, remove, self.echo_button):
            peer_buttons.addWidget(b)
        peer_buttons.addStretch(1)
        peers_box = QGroupBox(self.tr("Peers (they may also send to our node)"))
        pl = QVBoxLayout(peers_box)
        pl.addWidget(self.peers)
        pl.addLayout(peer_buttons)

        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Save).clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(ours)
        lay.addWidget(peers_box, 1)
        lay.addWidget(self.status)
        lay.addWidget(buttons)
        self.resize(760, 620)
        self.update_node_status()

    # ------------------------------------------------------------------ peers

    def closeEvent(self, ev) -> None:
        """Closing stops the jobs of this window (cancelled and joined; late results dropped)."""
        stop_window_jobs(self)
        super().closeEvent(ev)

    def done(self, result: int) -> None:
        """Accept / reject (which close a dialog without a close event) stop its jobs too."""
        stop_window_jobs(self)
        super().done(result)
    def add_peer(self, name: str = "", ae_title: str = "", host: str = "", port: int = 104, url: str = "",
                 tls: bool = False) -> int:
        row = self.peers.rowCount()
        self.peers.insertRow(row)
        for col, value in enumerate((name, ae_title, host, str(port or ""), url)):
            self.peers.setItem(row, col, QTableWidgetItem(value))
        box = QCheckBox()
        box.setChecked(bool(tls))
        holder = QWidget()
        hl = QHBoxLayout(holder)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(box, 0, Qt.AlignCenter)
        self.peers.setCellWidget(row, 5, holder)
        return row

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.peers.selectedIndexes()}, reverse=True):
            self.peers.removeRow(row)

    def _tls_box(self, row: int) -> QCheckBox:
        return self.peers.cellWidget(row, 5).findChild(QCheckBox)

    def _peer_rows(self):
        """Node objects from the table, checked; NodeConfigError names the first bad row."""
        from workstation.settings.nodes import Node, NodeConfigError

        old = {n.name: n for n in self.cfg.nodes}
        out = []
        for row in range(self.peers.rowCount()):
            cell = [(self.peers.item(row, c).text().strip() if self.peers.item(row, c) else "") for c in range(5)]
            if not any(cell):
                continue
            name, aet, host, port, url = cell
            try:
                port_n = int(port) if port else 0
            except ValueError:
                raise NodeConfigError(f"node {name or row + 1}: port {port!r} is not a number") from None
            prev = old.get(name)
            node = Node(name, aet, host, port_n, url, tls=self._tls_box(row).isChecked(),
                        tls_ca=prev.tls_ca if prev else "", tls_cert=prev.tls_cert if prev else "",
                        tls_key=prev.tls_key if prev else "",
                        tls_check_hostname=prev.tls_check_hostname if prev else False)
            out.append(node.check())
        names = [n.name for n in out]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup:
            raise NodeConfigError(f"node {dup}: the name is used twice")
        return out

    # ------------------------------------------------------------------ our node
    def _browse_store(self) -> None:
        d = QFileDialog.getExistingDirectory(self, self.tr("Storage folder"), self.store_edit.text())
        if d:
            self.store_edit.setText(d)

    def config_from_widgets(self):
        """The NodeConfig the widgets describe; NodeConfigError / TlsConfigError say what is wrong."""
        from dataclasses import replace

        from workstation.net.tls import server_context
        from workstation.settings.nodes import NodeConfig, check_ae_title

        local = replace(self.cfg.local, ae_title=check_ae_title(self.ae_edit.text(), "our AE title"),
                        port=self.port_spin.value(), host=self.host_edit.text().strip() or "127.0.0.1",
                        store=self.store_edit.text().strip(), max_instance_mb=self.max_mb_spin.value(),
                        tls_cert=self.cert_edit.text().strip(), tls_key=self.key_edit.text().strip(),
                        tls_ca=self.ca_edit.text().strip())
        server_context(local)  # the TLS files are usable (or TLS is off)
        return NodeConfig(local, self._peer_rows())

    def save(self) -> bool:
        from workstation.net.tls import TlsConfigError
        from workstation.settings.nodes import NodeConfigError, save_nodes

        try:
            cfg = self.config_from_widgets()
        except (NodeConfigError, TlsConfigError) as exc:
            self.status.setText(str(exc))
            return False
        path = save_nodes(cfg)
        self.cfg = cfg
        self.status.setText(self.tr("Saved in {}").format(str(path)))
        return True

    def update_node_status(self) -> None:
        from workstation.net import process

        st = process.status()
        if st.get("running"):
            self.node_status.setText(self.tr("Our node: {} on port {} (PID {})").format(st["ae_title"], st["port"],
                                                                                       st["pid"]))
            self.node_button.setText(self.tr("Stop our node"))
        else:
            self.node_status.setText(self.tr("Our node: not running"))
            self.node_button.setText(self.tr("Start our node"))

    def toggle_node(self) -> None:
        """Stop the running node, or save the settings and start it (its own background process)."""
        from workstation.net import process

        try:
            if process.status().get("running"):
                process.stop()
                self.status.setText(self.tr("Our node was stopped."))
            elif self.save():
                st = process.start_background([])
                self.status.setText(self.tr("Our node {} is listening on {}:{}.").format(st["ae_title"], st["host"],
                                                                                      st["port"]))
        except process.NodeProcessError as exc:
            self.status.setText(str(exc))
        self.update_node_status()

    def echo_selected(self) -> Job | None:
        """C-ECHO to the selected peer (as saved) on a worker thread."""
        from workstation.net import scu
        from workstation.net.tls import TlsConfigError
        from workstation.settings.nodes import NodeConfigError

        rows = sorted({i.row() for i in self.peers.selectedIndexes()})
        if not rows:
            self.status.setText(self.tr("Select a peer first."))
            return None
        try:
            cfg = self.config_from_widgets()
        except (NodeConfigError, TlsConfigError) as exc:
            self.status.setText(str(exc))
            return None
        name = self.peers.item(rows[0], 0).text().strip()
        node = next((n for n in cfg.nodes if n.name == name), None)
        if node is None or not node.is_dimse:
            self.status.setText(self.tr("{}: no AE title, host and port to echo.").format(name))
            return None
        job = Job(lambda progress: scu.echo(node, cfg.local.ae_title), name="echo", owner=self)
        job.succeeded.connect(lambda st: self.status.setText(
            self.tr("{}: C-ECHO ok").format(node.name) if st == 0 else
            self.tr("{}: C-ECHO status 0x{:04X}").format(node.name, st)))
        job.failed.connect(lambda msg: self.status.setText(msg.split(": ", 1)[-1]))
        self.status.setText(self.tr("Echo {}…").format(node.name))
        return self.jobs.start(job)


def open_node_settings(parent=None) -> NodeSettingsDialog:
    """Show the dialog (non-modal, owned by ``parent``) and return it."""
    dlg = NodeSettingsDialog(parent)
    dlg.show()
    return dlg
