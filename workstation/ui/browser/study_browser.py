"""Study browser: patients' studies and their series from the study database, plus import.

Concept
-------
A tree of studies (patient, date, description, modalities, series count) whose children are the
series (modality, number, description, slice count, frame of reference). Importing a folder runs
``StudyDB.import_paths`` on a worker thread with a progress bar and a cancel button; double-click
on a study (or one of its series) asks the main window to read it. With the anonymise switch on,
the patient column shows a placeholder instead of name and ID.

Pairing: when a study holds more than one PET or more than one CT/MR series, a small dialog
(``PairDialog``) lets the reader choose which PET to read over which CT/MR; it preselects the
pair ``analysis.fusion.choose_pair`` would take (same frame of reference first), or the series
that was double-clicked, and says when the two do not share a frame of reference (the reading
window then offers registration and the manual nudge).

Two tabs: "Local" (the tree above) and "PACS" (``pacs_panel.PacsPanel``: configured nodes, search,
retrieve with progress, the incoming queue of our node); new instances in the database refresh
the local tree.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.analysis.reading.study_open import choose_pair
from workstation.io.dicom_text import display_name as patient_display_name

from workstation.ui.browser import diagnostics as browser_support
from workstation.ui.browser.roles import SERIES_UID_ROLE, STUDY_UID_ROLE
from workstation.ui.browser.pacs_panel import PacsPanel, SendDialog
from workstation.ui.workers import Job, JobSlot, show_progress, stop_window_jobs

PET_MODALITIES = ("PT", "PET", "NM")  # NM: a reconstructed SPECT reads like a PET
ANAT_MODALITIES = ("CT", "MR")


def pair_candidates(series) -> tuple[list, list]:
    """Image series rows of a study split into (PET series, CT/MR series)."""
    images = [s for s in series if getattr(s, "is_image", True)]
    pets = [s for s in images if (s.modality or "").upper() in PET_MODALITIES]
    anats = [s for s in images if (s.modality or "").upper() in ANAT_MODALITIES]
    return pets, anats


def series_label(se) -> str:
    number = se.series_number if se.series_number is not None else "-"
    description = se.description or QCoreApplication.translate("StudyBrowser", "(no description)")
    slices = QCoreApplication.translate("StudyBrowser", "{} slices").format(se.n_instances)
    return f"{se.modality} #{number}  {description}  ({slices})"


class PairDialog(QDialog):
    """Choose the PET series and the CT/MR series of a reading (combo boxes, OK / Cancel)."""

    def __init__(self, pets, anats, pet_uid: str | None = None, anat_uid: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Choose the series to read"))
        self._for = {s.series_uid: s.frame_of_reference_uid for s in (*pets, *anats)}
        self.pet_box = QComboBox()
        self.pet_box.setObjectName("pair-pet")
        self.anat_box = QComboBox()
        self.anat_box.setObjectName("pair-anat")
        for box, rows, none_text in ((self.pet_box, pets, self.tr("(no PET)")), (self.anat_box, anats, self.tr("(no CT/MR)"))):
            for se in rows:
                box.addItem(series_label(se), se.series_uid)
            if not rows:
                box.addItem(none_text, "")
        for box, uid in ((self.pet_box, pet_uid), (self.anat_box, anat_uid)):
            i = box.findData(uid) if uid else -1
            box.setCurrentIndex(max(0, i))
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.pet_box.currentIndexChanged.connect(self._update_note)
        self.anat_box.currentIndexChanged.connect(self._update_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("PET", self.pet_box)
        form.addRow(self.tr("CT / MR"), self.anat_box)
        form.addRow(self.note)
        form.addRow(buttons)
        self._update_note()

    def chosen(self) -> tuple[str, str]:
        """(PET series UID, CT/MR series UID); "" where there is none."""
        return self.pet_box.currentData() or "", self.anat_box.currentData() or ""

    def same_frame_of_reference(self) -> bool | None:
        pet, anat = self.chosen()
        if not pet or not anat:
            return None
        a, b = self._for.get(pet, ""), self._for.get(anat, "")
        return bool(a and b and a == b)

    def _update_note(self, *_):
        same = self.same_frame_of_reference()
        self.note.setText("" if same is None else self.tr("Same frame of reference: fused as acquired.") if same else
                          self.tr("Different frames of reference: the reading offers automatic registration and a "
                                  "manual nudge."))


class StudyBrowser(QWidget):
    study_activated = Signal(str)  # study UID
    pair_activated = Signal(str, str, str)  # study UID, PET series UID, CT/MR series UID ("" = none)

    def __init__(self, db=None, parent=None):
        super().__init__(parent)
        self.db = db
        self.anonymise = False
        self.jobs = JobSlot(self)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Patient / series"), self.tr("Date"), self.tr("Description"),
                                   self.tr("Modalities / slices"), self.tr("Series / FoR")])
        self.tree.setAlternatingRowColors(True)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.import_button = QPushButton(self.tr("Import folder…"))
        self.import_button.clicked.connect(self._ask_import)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button = QPushButton(self.tr("Read study"))
        self.open_button.clicked.connect(self._open_selected)
        self.send_button = QPushButton(self.tr("Send to node…"))
        self.send_button.clicked.connect(self.send_selected)
        self.conflicts_button = QPushButton(self.tr("Conflicts…"))  # UID conflicts, copy diagnostics: browser_support
        self.conflicts_button.clicked.connect(self.show_conflicts)
        self.diagnostics_button = QPushButton(self.tr("Copy diagnostics"))
        self.diagnostics_button.clicked.connect(self.copy_diagnostics)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.jobs.cancel)
        self.cancel_button.hide()
        self.status = QLabel("")
        top = QHBoxLayout()
        for w in (self.import_button, self.refresh_button, self.open_button, self.send_button, self.conflicts_button,
                  self.diagnostics_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        local = QWidget()
        lay = QVBoxLayout(local)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.status)
        # tabs: the local database, and the PACS (search, retrieve, incoming); studies that arrive
        # over the network appear in the local tab without a restart
        self.pacs = PacsPanel(db)
        self.pacs.studies_changed.connect(self.refresh)
        self.tabs = QTabWidget()
        self.tabs.addTab(local, self.tr("Local"))
        self.tabs.addTab(self.pacs, "PACS")
        self.worklist = self._make_worklist(db) if db is not None else None
        if self.worklist is not None:  # the hub's reading worklist and outgoing queue (remote reading)
            self.tabs.addTab(self.worklist, self.tr("Worklist"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.tabs)
        self.refresh()

    def _make_worklist(self, db):
        """The Worklist tab, with the outgoing queue running in a background thread (stopped with the browser)."""
        from workstation.io.store import ManagedStore
        from workstation.net.outbox import Outbox, OutboxWorker
        from workstation.settings.nodes import NodeConfigError, load_nodes
        from workstation.ui.worklist.panel import WorklistPanel

        try:
            cfg = load_nodes()
        except NodeConfigError:
            return None
        self._outbox = Outbox(nodes={n.name: n for n in cfg.nodes}, calling_aet=cfg.local.ae_title, db=db)
        self._outbox_worker = OutboxWorker(self._outbox, interval=2.0)
        self._outbox_worker.start()  # stopped and joined by stop_background (the window's closeEvent)
        panel = WorklistPanel(db, ManagedStore(cfg.local.store or None, db), self._outbox)
        panel.open_requested.connect(self.study_activated)
        return panel

    def closeEvent(self, ev) -> None:
        """Shown on its own (not inside the reading window): closing it stops its jobs and the queue's thread."""
        stop_window_jobs(self)
        self.stop_background()
        super().closeEvent(ev)

    def stop_background(self) -> None:
        """Stop and join the outgoing queue's thread (the window closes: no thread outlives it)."""
        worker = getattr(self, "_outbox_worker", None)
        if worker is not None:
            worker.stop()
            self._outbox_worker = None

    def set_anonymise(self, on: bool) -> None:
        self.anonymise = bool(on)
        if self.worklist is not None:
            self.worklist.anonymise = self.anonymise
            self.worklist.refresh()
        self.pacs.anonymise = self.anonymise
        self.pacs.show_results(self.pacs._results)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        if self.db is None:
            self.status.setText(self.tr("No study database."))
            return
        studies = self.db.studies()
        items_by_study = {}
        for st in studies:
            name = patient_display_name(st.patient_name) or self.tr("(no name)")  # "Family, Given" as everywhere
            who = self.tr("(patient hidden)") if self.anonymise else f"{name}  [{st.patient_id}]"
            item = QTreeWidgetItem([who, st.study_date, st.description, "/".join(st.modalities),
                                    self.tr("{} series").format(st.n_series)])
            item.setData(0, STUDY_UID_ROLE, st.study_uid)
            items_by_study[st.study_uid] = item
            for se in self.db.series(st.study_uid):
                child = QTreeWidgetItem([f"#{se.series_number if se.series_number is not None else '-'} {se.modality}",
                                         se.series_date, se.description, self.tr("{} slices").format(se.n_instances),
                                         se.frame_of_reference_uid[-16:]])
                child.setData(0, STUDY_UID_ROLE, st.study_uid)
                child.setData(0, SERIES_UID_ROLE, se.series_uid)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        browser_support.mark_conflicts(self, items_by_study)
        for c in range(5):
            self.tree.resizeColumnToContents(c)
        self.status.setText(self.tr("{} studies").format(len(studies)))

    def show_conflicts(self):
        dlg = browser_support.conflicts_dialog(self)
        if dlg is not None:
            dlg.show()
        return dlg

    def copy_diagnostics(self) -> str:
        return browser_support.copy_diagnostics(self)

    def _activated(self, item, _col=0) -> None:
        uid = item.data(0, STUDY_UID_ROLE)
        if uid:
            self.read_study(uid, item.data(0, SERIES_UID_ROLE) or None)

    def choose_pair_for(self, study_uid: str, prefer: str | None = None) -> tuple[str, str] | None:
        """The (PET, CT/MR) series UIDs to read; asks with ``PairDialog`` when there is a choice.

        ``prefer`` is a series UID that should be part of the pair (the double-clicked series).
        Returns None when the reader cancels the dialog."""
        pets, anats = pair_candidates(self.db.series(study_uid)) if self.db is not None else ([], [])
        modality = {s.series_uid: (s.modality or "").upper() for s in (*pets, *anats)}.get(prefer or "", "")
        pet, anat = choose_pair([*pets, *anats], prefer if modality in PET_MODALITIES else None,
                                prefer if modality in ANAT_MODALITIES else None)
        pet_uid, anat_uid = (pet.series_uid if pet else ""), (anat.series_uid if anat else "")
        if len(pets) > 1 or len(anats) > 1:
            dlg = PairDialog(pets, anats, pet_uid, anat_uid, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            pet_uid, anat_uid = dlg.chosen()
        return pet_uid, anat_uid

    def read_study(self, study_uid: str, prefer: str | None = None) -> bool:
        """Ask the main window to read a study (with the chosen pair); False when cancelled."""
        pair = self.choose_pair_for(study_uid, prefer)
        if pair is None:
            return False
        self.study_activated.emit(study_uid)
        self.pair_activated.emit(study_uid, *pair)
        return True

    def _open_selected(self) -> None:
        items = self.tree.selectedItems()
        if items:
            self._activated(items[0])

    def send_dialog(self) -> "SendDialog | None":
        """The send dialog for the selected study (or series), not yet shown."""
        items = self.tree.selectedItems()
        if not items or self.db is None:
            return None
        return SendDialog(self.db, items[0].data(0, STUDY_UID_ROLE), items[0].data(0, SERIES_UID_ROLE) or None, self)

    def send_selected(self) -> None:
        dlg = self.send_dialog()
        if dlg is not None:
            dlg.exec()

    def _ask_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import DICOM folder"))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str) -> Job:
        """Import a folder into the database on a worker thread (progress bar, cancel)."""
        job = Job(self.db.import_paths, [folder], name="import")
        job.progressed.connect(self._on_progress)
        job.succeeded.connect(lambda summary: self.status.setText(self.tr("Imported: {}").format(summary.text())))
        job.failed.connect(lambda msg: self.status.setText(self.tr("Import failed: {}").format(msg)))
        job.cancelled.connect(lambda: self.status.setText(self.tr("Import cancelled")))
        job.done.connect(self._on_done)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        return self.jobs.start(job)

    def _on_progress(self, frac: float, msg: str) -> None:
        show_progress(self.progress, frac, msg)

    def _on_done(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.refresh()
