"""Reading menu of the main window: Save / Revert / autosave of the reading, and exports.

Concept
-------
``ReadingPersistence`` keeps the reading on screen (``analysis.session_state``: VOIs,
registration, windows, colour map, layout, crosshair, zoom/pan) in the study database
(``io.sessions``), keyed by the study and its PET/anatomical series pair:

* when a reading opens, the newest stored state is applied: an autosave newer than the last
  *Save* (the viewer was closed without saving, crashed or was killed) wins, and the status bar
  says so;
* every change of the session or of its VOIs (re)starts a short timer; when it fires the state is
  written to the *autosave* slot (one SQLite transaction, durable when it returns), so at most the
  last ``WORKSTATION_AUTOSAVE_MS`` milliseconds (default 1500) of work can be lost;
* **Save** (Ctrl+S) writes the *saved* slot and drops the autosave; **Revert** goes back to the
  saved state (or to the state at opening when nothing was saved) and drops the autosave.

*Import DICOM SEG* adds the lesion segments of a SEG (ours or another tool's, read with highdicom)
as VOIs on the PET grid. The **Export** menu writes the VOIs of the reading as DICOM SEG, SR (TID 1500, with its SEG),
RWVM, secondary-capture key images, or the PDF report (``analysis.reading.reading_from_vois`` →
``analysis.reading.export`` / ``report.reading_report``), off the UI thread. The file dialog
asks before replacing a file; only then is the export allowed to overwrite.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from workstation.analysis import session_state

from .workers import Job, JobSlot

# (kind, menu label: translated for display, file filter)
EXPORTS = (("seg", QT_TRANSLATE_NOOP("ReadingPersistence", "DICOM SEG (segments)…"), "DICOM (*.dcm)"),
           ("sr", QT_TRANSLATE_NOOP("ReadingPersistence", "DICOM SR measurement report…"), "DICOM (*.dcm)"),
           ("rwvm", QT_TRANSLATE_NOOP("ReadingPersistence", "DICOM RWVM (SUV factor)…"), "DICOM (*.dcm)"),
           ("sc", QT_TRANSLATE_NOOP("ReadingPersistence", "Key images (secondary capture)…"), "DICOM (*.dcm)"),
           ("pdf", QT_TRANSLATE_NOOP("ReadingPersistence", "PDF report…"), "PDF (*.pdf)"))


def autosave_delay_ms() -> int:
    try:
        return max(int(os.environ.get("WORKSTATION_AUTOSAVE_MS", "1500")), 10)
    except ValueError:
        return 1500


class ReadingPersistence(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.store = None
        self.key = None
        self.dirty = False
        self.autosaved_at: float | None = None
        self.saved_at: float | None = None
        self.restored_from: str | None = None  # "saved" | "autosave" | None
        self._initial: dict | None = None
        self._restoring = False
        self._model = None
        self.export_jobs = JobSlot()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(autosave_delay_ms())
        self.timer.timeout.connect(self.autosave)
        self._build_menus()

    # ------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        m = bar.addMenu(self.tr("&Reading"))
        self.save_action = QAction(self.tr("&Save reading"), self.window)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.revert_action = QAction(self.tr("&Revert to saved"), self.window)
        self.revert_action.triggered.connect(self.revert)
        m.addAction(self.save_action)
        m.addAction(self.revert_action)
        m.addSeparator()
        self.import_action = QAction(self.tr("&Import DICOM SEG as VOIs…"), self.window)
        self.import_action.triggered.connect(self.import_dialog)
        m.addAction(self.import_action)
        e = bar.addMenu(self.tr("&Export"))
        self.export_actions = {}
        for kind, label, _filt in EXPORTS:
            a = QAction(self.tr(label), self.window)
            a.triggered.connect(lambda _c=False, k=kind: self.export_dialog(k))
            e.addAction(a)
            self.export_actions[kind] = a
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for a in [self.save_action, self.revert_action, self.import_action, *self.export_actions.values()]:
            a.setEnabled(on)

    # ------------------------------------------------------------ opening
    def _store(self):
        if self.store is None:
            from workstation.io.sessions import SessionStore

            db = getattr(self.window, "db", None)
            self.store = SessionStore(getattr(db, "path", None))
        return self.store

    def session_opened(self, session) -> None:
        from workstation.io.sessions import SessionStoreError, reading_key

        self.timer.stop()
        if self._model is not None:
            self._model.events.disconnect("*", self._changed)
        w = self.window
        pet, anat = session.pet, session.anatomical
        study = (pet or anat).study_uid
        self.study_uid = study
        self.key = reading_key(pet.series_uid if pet is not None else "", anat.series_uid if anat is not None else "")
        self._model = w.voi_panel.model
        self._initial = session_state.capture(session, self._model)
        self.restored_from = None
        try:
            stored = self._store().latest(study, self.key)
        except SessionStoreError as exc:
            stored = None
            w.message_label.setText(str(exc))
        if stored is not None:
            self._apply(stored.state)
            self.restored_from = stored.kind
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(stored.saved_at))
            w.message_label.setText(self.tr("Reading restored: unsaved changes from {} (autosave)").format(when)
                                    if stored.kind == "autosave" else
                                    self.tr("Reading restored (saved {})").format(when))
        self.dirty = stored is not None and stored.kind == "autosave"
        session.events.connect("*", self._changed)
        if self._model is not None:
            self._model.events.connect("*", self._changed)
        self._enable(True)

    def _apply(self, state: dict) -> None:
        w = self.window
        self._restoring = True
        try:
            warnings = session_state.apply(w.session, self._model, state)
            if state.get("layout"):
                w.set_layout(state["layout"])
            w._sync_controls()
            w._update_readout()
        finally:
            self._restoring = False
        if warnings:
            w.message_label.setText("; ".join(warnings))

    # ------------------------------------------------------------ saving
    def _changed(self, event: str = "", **_kw) -> None:
        if self._restoring or event in ("selected", "mip_angle"):
            return
        self.dirty = True
        self.timer.start()

    def capture(self) -> dict:
        return session_state.capture(self.window.session, self._model)

    def autosave(self) -> None:
        if self.window.session is None or self.key is None or not self.dirty:
            return
        self.autosaved_at = self._store().save(self.study_uid, self.key, self.capture(), kind="autosave")

    def save(self) -> None:
        if self.window.session is None or self.key is None:
            return
        self.timer.stop()
        self.saved_at = self._store().save(self.study_uid, self.key, self.capture(), kind="saved")
        self.dirty = False
        self.window.message_label.setText(self.tr("Reading saved"))

    def revert(self) -> None:
        if self.window.session is None or self.key is None:
            return
        self.timer.stop()
        stored = self._store().load(self.study_uid, self.key, "saved")
        self._apply(stored.state if stored is not None else self._initial)
        self._store().discard_autosave(self.study_uid, self.key)
        self.dirty = False
        self.window.message_label.setText(self.tr("Reverted to the saved reading") if stored is not None
                                          else self.tr("Reverted to the reading as opened"))

    # ------------------------------------------------------------ import
    def import_dialog(self) -> int | None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Import DICOM SEG"), "", self.tr("DICOM (*.dcm);;All files (*)"))
        return self.import_seg(path) if path else None

    def import_seg(self, path: str) -> int:
        """Add the lesion segments of a SEG file as VOIs (on the PET grid); returns how many were added."""
        from workstation.analysis.errors import QuantError
        from workstation.analysis.reading import import_seg
        from workstation.io.errors import DicomError

        w = self.window
        if w.session is None or w.session.pet is None or self._model is None:
            w.message_label.setText("Importing a SEG needs a PET reading")
            return 0
        try:
            n, notes = import_seg(path, w.session.pet, self._model)
        except (DicomError, QuantError, ValueError) as exc:
            w.message_label.setText(f"Import SEG: {exc}")
            return 0
        w.message_label.setText("; ".join([f"Imported {n} segment(s) as VOIs"] + notes))
        return n

    # ------------------------------------------------------------ exports
    def export_dialog(self, kind: str) -> Job | None:
        filt = next(f for k, _l, f in EXPORTS if k == kind)
        suffix = ".pdf" if kind == "pdf" else ".dcm"
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export"), f"{kind}{suffix}", filt)
        if not path:
            return None
        return self.export_to(kind, path, overwrite=True)  # the dialog has asked before replacing

    def export_to(self, kind: str, path: str, overwrite: bool = False, lang: str = "en") -> Job | None:
        """Write the reading's VOIs as ``kind`` (seg | sr | rwvm | sc | pdf) to ``path`` on a worker thread."""
        w = self.window
        s = w.session
        if s is None or s.pet is None or self._model is None:
            w.message_label.setText(self.tr("Export needs a PET reading"))
            return None
        if s.suv.result is None:
            w.message_label.setText(self.tr("Export needs SUV: complete the SUV inputs in the SUV panel first"))
            return None
        pet, res, model = s.pet, s.suv.result, self._model

        def work(progress=None):
            from workstation.analysis.reading import export, reading_from_vois

            reading = reading_from_vois(pet, res, model)
            if kind == "pdf":
                from workstation.analysis.key_images import key_images, png_bytes
                from workstation.report.reading_report import content_from_reading, write_pdf

                images = [(im.title, png_bytes(im)) for im in key_images(reading)]
                return [write_pdf(path, content_from_reading(reading, images=images), lang=lang,
                                  overwrite=overwrite)]
            return export(reading, kind, path, overwrite=overwrite)

        def done(paths):
            w.message_label.setText(self.tr("Exported {}").format(", ".join(str(p) for p in paths)))

        return w._run(self.export_jobs, Job(work, name=f"export-{kind}"), done, self.tr("Export {}").format(kind.upper()))
