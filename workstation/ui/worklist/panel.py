"""The Worklist tab: every study that arrived (origin, arrival, priority, modality, tracer, status,
reader and the lock's owner), filtered by status and origin, most urgent first; "Open for
reporting" (takes the lock, or says who holds it), "Release", "Sign and send…", and below it the
outgoing queue. New arrivals are picked up from the study database on a timer."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from workstation.io.dicom_text import display_name
from workstation.io.db_worklist import PRIORITIES, STATUSES, StudyLocked, WorklistError
from workstation.io.worklist import current_reader, sync_arrivals

from workstation.ui.worklist.outbox_view import OutboxView
from workstation.ui.worklist.sign_dialog import SignSendDialog

PRIORITY_COLOURS = {"stat": "#f4c7c3", "urgent": "#fce8b2"}
_COLUMNS = (QT_TRANSLATE_NOOP("WorklistPanel", "Priority"), QT_TRANSLATE_NOOP("WorklistPanel", "Patient"),
            QT_TRANSLATE_NOOP("WorklistPanel", "Status"), QT_TRANSLATE_NOOP("WorklistPanel", "Arrived"),
            QT_TRANSLATE_NOOP("WorklistPanel", "From"), QT_TRANSLATE_NOOP("WorklistPanel", "Modality"),
            QT_TRANSLATE_NOOP("WorklistPanel", "Tracer"), QT_TRANSLATE_NOOP("WorklistPanel", "Reader"),
            QT_TRANSLATE_NOOP("WorklistPanel", "Study UID"))
# the statuses and priorities stored in the database, shown translated
_WORDS = (QT_TRANSLATE_NOOP("WorklistPanel", "new"), QT_TRANSLATE_NOOP("WorklistPanel", "being read"),
          QT_TRANSLATE_NOOP("WorklistPanel", "reported"), QT_TRANSLATE_NOOP("WorklistPanel", "sent back"),
          QT_TRANSLATE_NOOP("WorklistPanel", "acknowledged"), QT_TRANSLATE_NOOP("WorklistPanel", "stat"),
          QT_TRANSLATE_NOOP("WorklistPanel", "urgent"), QT_TRANSLATE_NOOP("WorklistPanel", "routine"))


class WorklistPanel(QWidget):
    COLUMNS = _COLUMNS
    open_requested = Signal(str)  # Study UID claimed for reporting: the caller opens it in the reader

    def __init__(self, db, store=None, outbox=None, reader: str | None = None, parent=None, poll_ms: int = 3000,
                 anonymise: bool = False):
        super().__init__(parent)
        self.anonymise = bool(anonymise)
        self.db, self.store, self.outbox = db, store, outbox
        self.reader = reader or current_reader()
        self.status_box = QComboBox()
        self.status_box.addItem(self.tr("All statuses"), "")
        for s in STATUSES:
            self.status_box.addItem(self.tr(s), s)
        self.status_box.currentIndexChanged.connect(self.refresh)
        self.origin_edit = QLineEdit()
        self.origin_edit.setPlaceholderText(self.tr("From (AE title or host)"))
        self.origin_edit.textChanged.connect(self.refresh)
        self.open_button = QPushButton(self.tr("Open for reporting"))
        self.open_button.clicked.connect(self.claim_selected)
        self.release_button = QPushButton(self.tr("Release"))
        self.release_button.clicked.connect(self.release_selected)
        self.sign_button = QPushButton(self.tr("Sign and send…"))
        self.sign_button.clicked.connect(self.sign_selected)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSortingEnabled(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Reader: {}").format(self.reader)))
        top.addWidget(self.status_box)
        top.addWidget(self.origin_edit)
        top.addStretch(1)
        for b in (self.open_button, self.release_button, self.sign_button):
            top.addWidget(b)
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addLayout(top)
        ul.addWidget(self.table, 1)
        ul.addWidget(self.message)
        self.queue = OutboxView(outbox, poll_ms=poll_ms)
        split = QSplitter(Qt.Vertical)
        split.addWidget(upper)
        split.addWidget(self.queue)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        if poll_ms:
            self.timer.start(poll_ms)
        self.refresh()

    # ---------------------------------------------------------------- the table
    def refresh(self) -> None:
        try:
            self._refresh()
        except sqlite3.Error:  # the database was closed under us (window closing) or is busy: try later
            pass

    def _refresh(self) -> None:
        selected = self.selected_study()
        sync_arrivals(self.db)
        if self.outbox is not None:
            from workstation.report.sign_send import reconcile_sent

            reconcile_sent(self.db, self.outbox)
        rows = self.db.worklist(status=self.status_box.currentData() or None)
        text = self.origin_edit.text().strip().lower()
        if text:
            rows = [r for r in rows if text in r.origin.lower() or text in r.origin_host.lower()]
        self.rows = rows
        names = {} if self.anonymise else {s.study_uid: display_name(s.patient_name) for s in self.db.studies()}
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            who = r.locked_by and self.tr("{} (since {})").format(r.locked_by, r.locked_at[11:16]) or r.reader
            patient = self.tr("(patient hidden)") if self.anonymise else names.get(r.study_uid, "")
            vals = (self.tr(r.priority), patient, self.tr(r.status), r.arrived[:16].replace("T", " "), r.origin,
                    r.modality, r.tracer, who, r.study_uid)
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                if r.priority in PRIORITY_COLOURS:
                    item.setBackground(QBrush(QColor(PRIORITY_COLOURS[r.priority])))
                self.table.setItem(i, c, item)
            if r.study_uid == selected:
                self.table.selectRow(i)
        self.table.resizeColumnsToContents()
        n_new = sum(1 for r in rows if r.status == "new")
        if not self.message.property("sticky"):
            self.message.setText(self.tr("{} studies, {} new").format(len(rows), n_new))

    def selected_study(self) -> str | None:
        if not hasattr(self, "rows"):
            return None
        sel = self.table.selectionModel().selectedRows()
        return self.rows[sel[0].row()].study_uid if sel else None

    def select_study(self, study_uid: str) -> bool:
        for i, r in enumerate(self.rows):
            if r.study_uid == study_uid:
                self.table.selectRow(i)
                return True
        return False

    def _say(self, text: str) -> None:
        self.message.setProperty("sticky", True)
        self.message.setText(text)

    # ---------------------------------------------------------------- actions
    def claim_selected(self) -> bool:
        uid = self.selected_study()
        if uid is None:
            return False
        try:
            self.db.worklist_claim(uid, self.reader)
        except StudyLocked as exc:
            self._say(self.tr("Being read by {} since {}.").format(exc.owner, exc.since[11:16]))
            return False
        except WorklistError as exc:
            self._say(str(exc))
            return False
        self._say(self.tr("You are reading this study."))
        self.refresh()
        self.open_requested.emit(uid)
        return True

    def release_selected(self) -> bool:
        uid = self.selected_study()
        if uid is None:
            return False
        try:
            self.db.worklist_release(uid, self.reader)
        except WorklistError as exc:
            self._say(str(exc))
            return False
        self.refresh()
        return True

    def sign_dialog(self, pdf: str = "", attachments=(), study_uid: str | None = None) -> SignSendDialog | None:
        uid = study_uid or self.selected_study()
        if uid is None:
            return None
        row = self.db.worklist_entry(uid)
        if row.locked_by != self.reader:
            self._say(self.tr("Open the study for reporting first."))
            return None
        return SignSendDialog(self.db, self.store, self.outbox, uid, self.reader, self, pdf=pdf,
                              attachments=attachments)

    def sign_selected(self) -> None:
        dlg = self.sign_dialog()
        if dlg is not None and dlg.exec():
            self._say(self.tr("Report version {} signed and queued.").format(dlg.signed[0].InstanceNumber))
            self.refresh()
            self.queue.refresh()


__all__ = ["WorklistPanel", "PRIORITIES"]
