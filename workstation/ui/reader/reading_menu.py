"""Reading menu of the main window: Save / Revert / autosave of the reading, and exports.

Concept
-------
``ReadingPersistence`` keeps the reading on screen (``analysis.reading.session_state``: VOIs,
registration, windows, colour map, layout, crosshair, zoom/pan) in the study database
(``io.sessions``), keyed by the study and its PET/anatomical series pair:

* when a reading opens with an autosave newer than the last *Save* (the viewer was closed
  without saving, crashed or was killed), a non-modal question asks first: **Restore** applies it,
  **Discard** drops it; a saved reading is applied directly. *Undo restore / discard* (Reading
  menu) takes either back: the reading as opened comes back, or the discarded autosave is stored
  and applied again. While the question is open nothing is autosaved (the autosave it asks about
  is never overwritten). The PET→anatomy registration of a restored state is resampled on a worker
  thread (``fusion.compute_pet_arrays``), the rest is applied at once;
* every change of the session or of its VOIs (re)starts a short timer; when it fires the state is
  written to the *autosave* slot (one SQLite transaction, durable when it returns), so at most the
  last ``WORKSTATION_AUTOSAVE_MS`` milliseconds (default 1500) of work can be lost;
* **Save** (Ctrl+S) writes the *saved* slot and drops the autosave; **Revert** goes back to the
  saved state (or to the state at opening when nothing was saved) and drops the autosave.

*Import DICOM SEG* adds the lesion segments of a SEG (ours or another tool's, read with highdicom)
as VOIs on the PET grid. *Import DICOM SR / RWVM* lists an SR's measurements as values next to the
VOIs, and compares a RWVM's SUV factor with ours (``imported_results``). The **Export** menu writes the VOIs of the reading as DICOM SEG, SR (TID 1500, with its SEG),
RWVM, secondary-capture key images (the fused slice as the views show it: colour map, windows,
opacity, registration), the PDF report, or all of them into one folder (the SR then references
the SEG and the RWVM) (``analysis.reading.reading_from_vois`` →
``analysis.reading.export`` / ``report.reading_report``), off the UI thread. The file dialog
asks before replacing a file; only then is the export allowed to overwrite.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from workstation.analysis.reading import session_state

from workstation.ui.workers import Job, JobSlot

# (kind, menu label: translated for display, file filter)
EXPORTS = (("seg", QT_TRANSLATE_NOOP("ReadingPersistence", "DICOM SEG (segments)…"), "DICOM (*.dcm)"),
           ("sr", QT_TRANSLATE_NOOP("ReadingPersistence", "DICOM SR measurement report…"), "DICOM (*.dcm)"),
           ("rwvm", QT_TRANSLATE_NOOP("ReadingPersistence", "DICOM RWVM (SUV factor)…"), "DICOM (*.dcm)"),
           ("sc", QT_TRANSLATE_NOOP("ReadingPersistence", "Key images (secondary capture)…"), "DICOM (*.dcm)"),
           ("pdf", QT_TRANSLATE_NOOP("ReadingPersistence", "PDF report…"), "PDF (*.pdf)"),
           ("all", QT_TRANSLATE_NOOP("ReadingPersistence", "Everything into a folder (SEG, SR, RWVM, key images, "
                                                           "PDF)…"), ""))


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
        self.pending = None  # the autosave the restore question is about
        self.restore_prompt = None
        self._undo = None  # ("restore", state before, stored) | ("discard", None, stored)
        self.registration_job = None
        self.results_window = None
        self.export_jobs = JobSlot(self)
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
        self.undo_restore_action = QAction(self.tr("&Undo restore / discard"), self.window)
        self.undo_restore_action.triggered.connect(self.undo_restore)
        m.addAction(self.save_action)
        m.addAction(self.revert_action)
        m.addAction(self.undo_restore_action)
        m.addSeparator()
        self.import_action = QAction(self.tr("&Import DICOM SEG as VOIs…"), self.window)
        self.import_action.triggered.connect(self.import_dialog)
        m.addAction(self.import_action)
        self.import_results_action = QAction(self.tr("Import DICOM SR / RWVM…"), self.window)
        self.import_results_action.triggered.connect(self.import_results_dialog)
        m.addAction(self.import_results_action)
        e = bar.addMenu(self.tr("&Export"))
        self.export_actions = {}
        for kind, label, _filt in EXPORTS:
            a = QAction(self.tr(label), self.window)
            a.triggered.connect(lambda _c=False, k=kind: self.export_dialog(k))
            e.addAction(a)
            self.export_actions[kind] = a
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for a in [self.save_action, self.revert_action, self.import_action, self.import_results_action,
                  *self.export_actions.values()]:
            a.setEnabled(on)
        self.undo_restore_action.setEnabled(on and self._undo is not None)

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
        self._undo = None
        self._close_prompt()
        self.dirty = False
        try:
            stored = self._store().latest(study, self.key)
        except SessionStoreError as exc:
            stored = None
            w.message_label.setText(str(exc))
        session.events.connect("*", self._changed)
        if self._model is not None:
            self._model.events.connect("*", self._changed)
        self._enable(True)
        if stored is not None and stored.kind == "autosave":
            self._ask_restore(stored)
        elif stored is not None:
            self.restore(stored)

    # ------------------------------------------------------------ restoring (asks first, undoable)
    def _when(self, stored) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(stored.saved_at))

    def _ask_restore(self, stored) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.pending = stored
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved reading"),
                          self.tr("This reading has unsaved changes from {} (autosave). Restore them, or discard "
                                  "them and keep the reading as stored?").format(self._when(stored)),
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("restore-autosave")
        self.restore_button = box.addButton(self.tr("Restore"), QMessageBox.ButtonRole.AcceptRole)
        self.discard_button = box.addButton(self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.setModal(False)
        box.buttonClicked.connect(lambda b: self.answer_restore(b is self.restore_button))
        self.restore_prompt = box
        self.window.message_label.setText(self.tr("Unsaved changes from {} (autosave): restore or discard?").format(
            self._when(stored)))
        box.show()

    def _close_prompt(self) -> None:
        box, self.restore_prompt = self.restore_prompt, None
        self.pending = None
        if box is not None:
            box.hide()
            box.deleteLater()

    def answer_restore(self, restore: bool) -> None:
        """The answer to the restore question: restore (True) or discard (False) the autosave."""
        stored = self.pending
        self._close_prompt()
        if stored is None:
            return
        if restore:
            self.restore(stored)
        else:
            self.discard(stored)
        if self.dirty:  # edits made while the question was open: autosave them now
            self.timer.start()

    def restore(self, stored) -> None:
        """Apply a stored reading (saved or autosave); undoable."""
        before = self.capture()
        self._apply(stored.state)
        self.restored_from = stored.kind
        self._undo = ("restore", before, stored)
        self.undo_restore_action.setEnabled(True)
        self.dirty = stored.kind == "autosave"
        self.window.message_label.setText(
            self.tr("Reading restored: unsaved changes from {} (autosave)").format(self._when(stored))
            if stored.kind == "autosave" else self.tr("Reading restored (saved {})").format(self._when(stored)))

    def discard(self, stored) -> None:
        """Drop the autosave (kept in memory: Undo puts it back)."""
        self._store().discard_autosave(self.study_uid, self.key)
        self._undo = ("discard", None, stored)
        self.undo_restore_action.setEnabled(True)
        self.window.message_label.setText(self.tr("Unsaved changes discarded (Reading › Undo restore / discard "
                                                  "brings them back)"))

    def undo_restore(self) -> None:
        """Take back the last restore (the reading as before it) or discard (the autosave comes back)."""
        if self._undo is None or self.window.session is None:
            return
        what, before, stored = self._undo
        self._undo = None
        self.undo_restore_action.setEnabled(False)
        if what == "restore":
            self.timer.stop()
            self._apply(before)
            self.restored_from = None
            self.dirty = False
            self.window.message_label.setText(self.tr("Restore undone"))
        else:
            self._store().save(self.study_uid, self.key, stored.state, kind="autosave")
            self.restore(stored)

    def _apply(self, state: dict) -> None:
        w = self.window
        self._restoring = True
        try:
            warnings = session_state.apply(w.session, self._model, state, registration=False)
            if state.get("layout"):
                w.set_layout(state["layout"])
            w._sync_controls()
            w._update_readout()
        finally:
            self._restoring = False
        if warnings:
            w.message_label.setText("; ".join(warnings))
        change = session_state.registration_change(w.session, state)
        if change is not None:
            self._restore_registration(*change)

    def _restore_registration(self, t, note: str) -> Job:
        """Resample the PET through the restored registration on a worker thread, then show it."""
        w = self.window
        s = w.session

        def ready(arrays):
            if w.session is not s:
                return
            self._restoring = True
            try:
                s.set_pet_transform(t, note, arrays=arrays)
            finally:
                self._restoring = False

        self.registration_job = w._run(w.pet_jobs, Job(lambda progress: s.compute_pet_arrays(t, progress),
                                                       name="restore registration"),
                                       ready, self.tr("Restoring the registration"))
        return self.registration_job

    def window_closed(self) -> None:
        """The window closes: unsaved work is autosaved now (not by a timer that would fire after the window is
        gone, when another window may have saved this reading since), and nothing is listened to any more."""
        self.timer.stop()
        try:
            self.autosave()
        finally:
            self.timer.stop()
            session = getattr(self.window, "session", None)
            if session is not None:
                session.events.disconnect("*", self._changed)
            if self._model is not None:
                self._model.events.disconnect("*", self._changed)
                self._model = None
            self.key = None  # a late event of a closed window saves nothing

    # ------------------------------------------------------------ saving
    def _changed(self, event: str = "", **_kw) -> None:
        if self._restoring or event in ("selected", "mip_angle"):
            return
        self.dirty = True
        self.timer.start()

    def capture(self) -> dict:
        return session_state.capture(self.window.session, self._model)

    def autosave(self) -> None:
        if self.window.session is None or self.key is None or not self.dirty or self.pending is not None:
            return  # (while the restore question is open, the autosave it asks about is kept as it is)
        self.autosaved_at = self._store().save(self.study_uid, self.key, self.capture(), kind="autosave")

    def save(self) -> None:
        if self.window.session is None or self.key is None:
            return
        self.timer.stop()
        if self.pending is not None:  # saving answers the question: the autosave is replaced by this save
            self._close_prompt()
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
        from workstation.analysis.lesions.findings import import_seg
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

    def import_results_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Import DICOM SR / RWVM"), "",
                                              self.tr("DICOM (*.dcm);;All files (*)"))
        return self.import_results(path) if path else None

    def import_results(self, path: str) -> str | None:
        """Show an SR's measurements or a RWVM's SUV factor (compared with ours); returns "sr" / "rwvm"."""
        import pydicom

        from workstation.analysis.lesions.findings import compare_rwvm, sr_value_rows
        from workstation.io.errors import DicomError
        from workstation.io.export_sr import read_measurements

        from workstation.ui.reader.imported_results import ImportedResults

        w = self.window
        try:
            ds = pydicom.dcmread(str(path), stop_before_pixels=True)
            modality = str(ds.get("Modality", ""))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is one line in the status bar
            w.message_label.setText(self.tr("Import: {} is not a readable DICOM file ({})").format(
                path, type(exc).__name__))
            return None
        if self.results_window is None:
            self.results_window = ImportedResults(w)
        try:
            if modality == "SR":
                rows = sr_value_rows(read_measurements(path))
                names = [v.name for v in self._model.vois.values()] if self._model is not None else []
                self.results_window.show_sr(str(path), rows, names)
                kind = "sr"
                w.message_label.setText(self.tr("Imported {} measurement group(s) from the SR").format(len(rows)))
            elif modality == "RWV" or "ReferencedImageRealWorldValueMappingSequence" in ds:
                s = w.session
                if s is None or s.pet is None or s.suv.result is None:
                    w.message_label.setText(self.tr("Comparing a RWVM needs a PET reading with SUV"))
                    return None
                cmp = compare_rwvm(path, s.pet, s.suv.result)
                self.results_window.show_rwvm(str(path), cmp)
                kind = "rwvm"
                w.message_label.setText(self.results_window.rwvm_label.text())
            else:
                w.message_label.setText(self.tr("Import: {} is neither a structured report nor a RWV mapping "
                                                "(modality {})").format(path, modality or "?"))
                return None
        except (DicomError, ValueError) as exc:
            w.message_label.setText(self.tr("Import: {}").format(exc))
            return None
        self.results_window.show()
        return kind

    # ------------------------------------------------------------ exports
    def export_dialog(self, kind: str) -> Job | None:
        filt = next(f for k, _l, f in EXPORTS if k == kind)
        if kind == "all":
            folder = QFileDialog.getExistingDirectory(self.window, self.tr("Export everything into a folder"))
            return self.export_to("all", folder) if folder else None  # existing files are refused, never replaced
        suffix = ".pdf" if kind == "pdf" else ".dcm"
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export"), f"{kind}{suffix}", filt)
        if not path:
            return None
        return self.export_to(kind, path, overwrite=True)  # the dialog has asked before replacing

    def export_to(self, kind: str, path: str, overwrite: bool = False, lang: str = "en") -> Job | None:
        """Write the reading's VOIs as ``kind`` (seg | sr | rwvm | sc | pdf | all) to ``path`` on a worker thread.

        Key images are drawn as the views show them (``key_style``); ``all`` writes into the folder ``path``.
        """
        w = self.window
        s = w.session
        if s is None or s.pet is None or self._model is None:
            w.message_label.setText(self.tr("Export needs a PET reading"))
            return None
        if s.suv.result is None:
            w.message_label.setText(self.tr("Export needs SUV: complete the SUV inputs in the SUV panel first"))
            return None
        pet, res, model = s.pet, s.suv.result, self._model
        style, anat, t = key_style(s), s.anatomical, s.pet_from_anat.copy()

        def work(progress=None):
            from pathlib import Path

            from workstation.analysis.reading.key_images import key_images, png_bytes
            from workstation.analysis.lesions.findings import export, export_all, reading_from_vois

            reading = reading_from_vois(pet, res, model)
            images = key_images(reading, anatomy=anat, pet_from_anat=t, style=style) \
                if kind in ("sc", "pdf", "all") else None

            def pdf(target):
                from workstation.report.reading_report import content_from_reading, write_pdf

                pngs = [(im.title, png_bytes(im, scale=max(1, int(round(1.5 * im.mm_per_pixel))))) for im in images]
                return write_pdf(target, content_from_reading(reading, images=pngs), lang=lang, overwrite=overwrite)

            if kind == "pdf":
                return [pdf(path)]
            if kind == "all":
                from workstation.io.export_common import check_target

                check_target(Path(path) / "report.pdf", overwrite)
                written = export_all(reading, path, overwrite=overwrite, images=images)
                return written + [pdf(Path(path) / "report.pdf")]
            return export(reading, kind, path, overwrite=overwrite, images=images)

        def done(paths):
            w.message_label.setText(self.tr("Exported {}").format(", ".join(str(p) for p in paths)))

        return w._run(self.export_jobs, Job(work, name=f"export-{kind}"), done, self.tr("Export {}").format(kind.upper()))


def key_style(session):
    """The key images' look: the views' PET colour map, windows and opacity (``render.colormaps`` tables)."""
    from workstation.analysis.reading.key_images import FusionStyle
    from workstation.render.colormaps import lut

    return FusionStyle(lut(session.colormap), lut("grey"), tuple(session.pet_window), tuple(session.ct_window),
                       float(session.opacity))
