"""Study browser: patients' studies and their series from the study database, plus import.

Concept
-------
A tree of studies (patient, date, description, modalities, series count) whose children are the
series (modality, number, description, slice count, frame of reference). Importing a folder runs
``StudyDB.import_paths`` on a worker thread with a progress bar and a cancel button; double-click
on a study (or one of its series) asks the main window to read it. With the anonymise switch on,
the patient column shows a placeholder instead of name and ID.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .workers import Job, JobSlot

STUDY_UID_ROLE = Qt.ItemDataRole.UserRole + 1


class StudyBrowser(QWidget):
    study_activated = Signal(str)  # study UID

    def __init__(self, db=None, parent=None):
        super().__init__(parent)
        self.db = db
        self.anonymise = False
        self.jobs = JobSlot()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Patient / series", "Date", "Description", "Modalities / slices", "Series / FoR"])
        self.tree.setAlternatingRowColors(True)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.import_button = QPushButton("Import folder…")
        self.import_button.clicked.connect(self._ask_import)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button = QPushButton("Read study")
        self.open_button.clicked.connect(self._open_selected)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.jobs.cancel)
        self.cancel_button.hide()
        self.status = QLabel("")
        top = QHBoxLayout()
        for w in (self.import_button, self.refresh_button, self.open_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.status)
        self.refresh()

    def set_anonymise(self, on: bool) -> None:
        self.anonymise = bool(on)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        if self.db is None:
            self.status.setText("No study database.")
            return
        studies = self.db.studies()
        for st in studies:
            who = "(patient hidden)" if self.anonymise else f"{st.patient_name or '(no name)'}  [{st.patient_id}]"
            item = QTreeWidgetItem([who, st.study_date, st.description, "/".join(st.modalities),
                                    f"{st.n_series} series"])
            item.setData(0, STUDY_UID_ROLE, st.study_uid)
            for se in self.db.series(st.study_uid):
                child = QTreeWidgetItem([f"#{se.series_number if se.series_number is not None else '-'} {se.modality}",
                                         se.series_date, se.description, f"{se.n_instances} slices",
                                         se.frame_of_reference_uid[-16:]])
                child.setData(0, STUDY_UID_ROLE, st.study_uid)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        for c in range(5):
            self.tree.resizeColumnToContents(c)
        self.status.setText(f"{len(studies)} studies")

    def _activated(self, item, _col=0) -> None:
        uid = item.data(0, STUDY_UID_ROLE)
        if uid:
            self.study_activated.emit(uid)

    def _open_selected(self) -> None:
        items = self.tree.selectedItems()
        if items:
            self._activated(items[0])

    def _ask_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import DICOM folder")
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str) -> Job:
        """Import a folder into the database on a worker thread (progress bar, cancel)."""
        job = Job(self.db.import_paths, [folder], name="import")
        job.progressed.connect(self._on_progress)
        job.succeeded.connect(lambda summary: self.status.setText(f"Imported: {summary.text()}"))
        job.failed.connect(lambda msg: self.status.setText(f"Import failed: {msg}"))
        job.cancelled.connect(lambda: self.status.setText("Import cancelled"))
        job.done.connect(self._on_done)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        return self.jobs.start(job)

    def _on_progress(self, frac: float, msg: str) -> None:
        self.progress.setValue(int(frac * 1000))
        self.progress.setFormat(f"{msg} %p%" if msg else "%p%")

    def _on_done(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.refresh()
