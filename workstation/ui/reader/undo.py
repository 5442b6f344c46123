"""Edit menu of the main window: Ctrl+Z / Ctrl+Y undo and redo of VOI edits and PET alignment changes.

Concept
-------
The history itself has no Qt (``analysis.reading.undo``: one ``UndoStack`` per reading, a ``VoiHistory``
on the VOI panel's model and a ``RegistrationHistory`` on the session). This module binds it to
the window: the Undo/Redo actions (with the step's name, translated), the end-of-event-loop-turn
scheduler that makes the events of one user action a single step, and the way an alignment is
applied again: the PET is resampled on the window's PET worker (progress, cancel) and the
alignment shown is kept with the study, as the registration buttons do.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence

from workstation.analysis.reading import study_open
from workstation.analysis.reading import undo as U

from workstation.ui.workers import Job

STEP_NAMES = (QT_TRANSLATE_NOOP("undo", "add VOI"), QT_TRANSLATE_NOOP("undo", "delete VOI"),
              QT_TRANSLATE_NOOP("undo", "change VOI"), QT_TRANSLATE_NOOP("undo", "rename VOI"),
              QT_TRANSLATE_NOOP("undo", "edit VOIs"), QT_TRANSLATE_NOOP("undo", "accept registration"),
              QT_TRANSLATE_NOOP("undo", "nudge PET"), QT_TRANSLATE_NOOP("undo", "scanner alignment"),
              QT_TRANSLATE_NOOP("undo", "change alignment"))


def step_name(label: str) -> str:
    return QCoreApplication.translate("undo", label) if label else ""


class UndoController(QObject):
    """Owns the undo stack of the window's current reading and the Edit menu's two actions."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.stack = U.UndoStack()
        self.voi_history: U.VoiHistory | None = None
        self.registration_history: U.RegistrationHistory | None = None
        self.undo_action = QAction(self.tr("Undo"), window)
        self.undo_action.setObjectName("undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction(self.tr("Redo"), window)
        self.redo_action.setObjectName("redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.triggered.connect(self.redo)
        menu = window.menuBar().addMenu(self.tr("&Edit"))
        menu.setObjectName("edit-menu")
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        self.menu = menu
        self.stack.events.connect("changed", self._sync)
        self._sync()

    # ------------------------------------------------------------ binding
    def attach(self, session) -> None:
        """A new reading: a fresh history on its VOI model and its PET alignment."""
        self.detach()
        self.stack.clear()
        model = self.window.voi_panel.model
        if model is not None:
            self.voi_history = U.VoiHistory(model, self.stack, schedule=lambda fn: QTimer.singleShot(0, fn))
        if session is not None and session.pet is not None and session.anatomical is not None:
            self.registration_history = U.RegistrationHistory(session, self.stack, apply=self._apply_alignment)
        self._sync()

    def detach(self) -> None:
        if self.voi_history is not None:
            self.voi_history.detach()
        if self.registration_history is not None:
            self.registration_history.detach()
        self.voi_history = self.registration_history = None

    def _apply_alignment(self, transform, note: str) -> Job | None:
        """Show an earlier/later PET alignment: resample off the UI thread, then keep it with the study."""
        w = self.window
        s = w.session
        if s is None or s.pet is None:
            return None
        t = np.asarray(transform, float)

        def apply(arrays):
            s.set_pet_transform(t, note, arrays=arrays)
            if note == "scanner alignment" or np.array_equal(t, np.eye(4)):  # the scanners' alignment, as its button
                if w.db is not None and study_open.pair_uids(s.pet, s.anatomical) is not None:
                    w.db.reset_registration(*study_open.pair_uids(s.pet, s.anatomical))
            else:
                w._keep_registration(s, study_open.METHOD_MI if note.startswith("registered") else study_open.METHOD_NUDGE)

        job = Job(lambda progress: s.compute_pet_arrays(t, progress), name="undo alignment")
        return w._run(w.pet_jobs, job, apply, self.tr("Moving PET"))

    # ------------------------------------------------------------ actions
    def undo(self) -> bool:
        if self.voi_history is not None:
            self.voi_history.commit()  # an edit of this very event-loop turn is a step of its own
        label = self.stack.undo_label
        done = self.stack.undo()
        if done:
            self.window.message_label.setText(self.tr("Undone: {}").format(step_name(label)))
        return done

    def redo(self) -> bool:
        label = self.stack.redo_label
        done = self.stack.redo()
        if done:
            self.window.message_label.setText(self.tr("Redone: {}").format(step_name(label)))
        return done

    def _sync(self, *_a, **_kw) -> None:
        s = self.stack
        self.undo_action.setEnabled(s.can_undo)
        self.redo_action.setEnabled(s.can_redo)
        self.undo_action.setText(self.tr("Undo {}").format(step_name(s.undo_label)) if s.can_undo else self.tr("Undo"))
        self.redo_action.setText(self.tr("Redo {}").format(step_name(s.redo_label)) if s.can_redo else self.tr("Redo"))
