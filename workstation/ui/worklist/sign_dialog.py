""""Sign and send": the reader's PDF report becomes the signed Encapsulated PDF of the study (a new
version when the study was reported before) and is queued back to the study's origin with the
chosen attachments (SR, key images; the first SR is versioned with the report). Signing writes small files;
it runs on the UI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QPushButton, QVBoxLayout, QWidget)


class SignSendDialog(QDialog):
    def __init__(self, db, store, outbox, study_uid: str, reader: str, parent=None, pdf: str = "", attachments=()):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign and send"))
        self.db, self.store, self.outbox, self.study_uid, self.reader = db, store, outbox, study_uid, reader
        self.signed = None  # (dataset, path) once signed
        self.job_id = None
        row = db.worklist_entry(study_uid)
        versions = db.report_versions(study_uid)
        self.pdf_edit = QLineEdit(pdf)
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._choose_pdf)
        pdf_row = QWidget()
        h = QHBoxLayout(pdf_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.pdf_edit, 1)
        h.addWidget(browse)
        self.attachments = QListWidget()
        for a in attachments:
            self.attachments.addItem(str(a))
        add = QPushButton(self.tr("Add attachments…"))
        add.clicked.connect(self._add_attachments)
        self.institution = QLineEdit("")
        form = QFormLayout()
        form.addRow(self.tr("Study"), QLabel(study_uid))
        form.addRow(self.tr("Reader"), QLabel(reader))
        form.addRow(self.tr("Version"), QLabel(self.tr("{} (amends version {})").format(len(versions) + 1, len(versions))
                                               if versions else "1"))
        form.addRow(self.tr("Send back to"), QLabel(f"{row.origin} ({row.origin_kind})"))
        form.addRow(self.tr("Report PDF"), pdf_row)
        form.addRow(self.tr("Hospital"), self.institution)
        form.addRow(self.tr("Attachments"), self.attachments)
        form.addRow("", add)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.sign_button = self.buttons.addButton(self.tr("Sign and send"), QDialogButtonBox.AcceptRole)
        self.sign_button.clicked.connect(self.sign_and_send)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    def _choose_pdf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Report PDF"), "", "PDF (*.pdf)")
        if path:
            self.pdf_edit.setText(path)

    def _add_attachments(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Attachments"), "", "DICOM (*.dcm)")
        for p in paths:
            self.attachments.addItem(p)

    def sign_and_send(self) -> bool:
        from workstation.report.sign_send import SignError, queue_return, sign_report, split_sr

        path = Path(self.pdf_edit.text().strip())
        if not path.is_file():
            self.message.setText(self.tr("Choose the report PDF first."))
            return False
        attach = [self.attachments.item(i).text() for i in range(self.attachments.count())]
        sr, attach = split_sr(attach)  # the SR is versioned with the report (an amendment: a new SR instance)
        try:
            if self.signed is None:  # signed once: pressing again only retries the queueing, never signs twice
                self.signed = sign_report(self.db, self.store, self.study_uid, self.reader, path.read_bytes(),
                                          institution=self.institution.text().strip(), sr=sr)
            self.job_id = queue_return(self.db, self.outbox, self.study_uid, attach)
        except (SignError, ValueError, OSError) as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True
