"""The outgoing queue view: each job (destination, study, what, state, delivered, attempts, next try,
last error, bytes sent), with "Retry now". The queue itself runs in a background thread
(:class:`workstation.net.outbox.OutboxWorker`); this view re-reads the queue's file on a timer, so
the UI never waits on the network."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

STATE_TEXT = {"queued": QT_TRANSLATE_NOOP("OutboxView", "queued"), "sending": QT_TRANSLATE_NOOP("OutboxView", "sending"),
              "sent": QT_TRANSLATE_NOOP("OutboxView", "sent"),
              "retrying": QT_TRANSLATE_NOOP("OutboxView", "waiting to retry"),
              "failed": QT_TRANSLATE_NOOP("OutboxView", "failed")}


class OutboxView(QWidget):
    COLUMNS = (QT_TRANSLATE_NOOP("OutboxView", "Job"), QT_TRANSLATE_NOOP("OutboxView", "Destination"),
               QT_TRANSLATE_NOOP("OutboxView", "Study"), QT_TRANSLATE_NOOP("OutboxView", "Content"),
               QT_TRANSLATE_NOOP("OutboxView", "State"), QT_TRANSLATE_NOOP("OutboxView", "Delivered"),
               QT_TRANSLATE_NOOP("OutboxView", "Attempts"), QT_TRANSLATE_NOOP("OutboxView", "Next try"),
               QT_TRANSLATE_NOOP("OutboxView", "Bytes sent"), QT_TRANSLATE_NOOP("OutboxView", "Last error"))

    def __init__(self, outbox=None, parent=None, poll_ms: int = 1000):
        super().__init__(parent)
        self.outbox = outbox
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.retry_button = QPushButton(self.tr("Retry now"))
        self.retry_button.clicked.connect(self.retry_selected)
        self.status = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Outgoing queue")))
        top.addStretch(1)
        top.addWidget(self.retry_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        if poll_ms:
            self.timer.start(poll_ms)
        self.refresh()

    def state_text(self, state: str) -> str:
        return self.tr(STATE_TEXT.get(state, state))

    def refresh(self) -> None:
        if self.outbox is None:
            self.status.setText(self.tr("No outgoing queue."))
            return
        try:
            jobs = self.outbox.jobs()
        except sqlite3.Error:  # the queue was closed under us (window closing) or is busy: try later
            return
        self.table.setRowCount(len(jobs))
        for r, j in enumerate(jobs):
            nxt = datetime.fromtimestamp(j.next_try).strftime("%H:%M:%S") if j.state == "retrying" else ""
            vals = (str(j.job_id), j.destination, j.study_uid, j.label, self.state_text(j.state),
                    f"{j.n_acknowledged}/{j.n_items}", str(j.attempts), nxt, f"{j.bytes_sent:,}",
                    j.last_error if j.state in ("retrying", "failed") else "")
            for c, v in enumerate(vals):
                self.table.setItem(r, c, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        waiting = sum(1 for j in jobs if j.state in ("queued", "sending", "retrying"))
        failed = sum(1 for j in jobs if j.state == "failed")
        self.status.setText(self.tr("{} job(s): {} waiting, {} failed").format(len(jobs), waiting, failed))

    def selected_job(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(self.table.item(rows[0].row(), 0).text()) if rows else None

    def retry_selected(self) -> None:
        job = self.selected_job()
        if job is not None and self.outbox is not None:
            self.outbox.retry_now(job)
            self.refresh()
