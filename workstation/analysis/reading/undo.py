"""Undo and redo of a reading's edits: VOI edits and PET registration changes, without Qt.

Concept
-------
An edit is a *command* with ``undo()`` and ``redo()``; :class:`UndoStack` keeps the done commands
and the undone ones (a new edit drops the undone ones, as in every editor). The stack is one
chronological history per reading session, shared by two recorders that *observe* the evented
models instead of being called by every tool, so no tool can forget to record:

* :class:`VoiHistory` listens to a ``voi.VoiModel`` (``added`` / ``changed`` / ``removed``). It keeps
  a shadow copy of every VOI, so an edit is stored as (VOI id, state before, state after), None
  meaning "absent": adding, deleting, re-thresholding, changing the method or the radius and
  renaming are all the same kind of entry. Events that belong together (a new liver reference
  replaces the old one; a whole-body detection replaces its earlier lesions) are one step: the
  recorder collects entries until :meth:`VoiHistory.commit`, which the viewer schedules for the
  end of the current event-loop turn (``schedule``); without a scheduler each event is a step.
  Consecutive changes of the same VOIs within ``merge_s`` seconds (dragging a threshold slider)
  merge into one step.
* :class:`RegistrationHistory` listens to a ``fusion.ReadingSession``'s ``pet`` event and records
  a change of ``pet_from_anat`` (accepting a registration, a nudge, the scanner alignment) with
  the transform and note before and after. Undoing applies the earlier transform through
  ``apply(transform, note)``; the viewer passes one that resamples the PET off the UI thread, so
  the change arrives later: the recorder expects it and does not record it again.

Restoring a VOI re-measures it on the model's current SUV image (the SUV may have changed since).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from workstation.analysis.reading.events import EventEmitter
from workstation.analysis.lesions.regions import measure_crop

# labels of the steps (English keys; the viewer shows them translated)
ADD_VOI, DELETE_VOI, CHANGE_VOI, RENAME_VOI, EDIT_VOIS = (
    "add VOI", "delete VOI", "change VOI", "rename VOI", "edit VOIs")
ACCEPT_REGISTRATION, NUDGE_PET, RESET_ALIGNMENT, CHANGE_ALIGNMENT = (
    "accept registration", "nudge PET", "scanner alignment", "change alignment")


class UndoStack:
    """Done and undone commands. Events (``stack.events``): ``changed`` after every push, undo,
    redo or clear (keywords ``can_undo``, ``can_redo``)."""

    def __init__(self, limit: int = 200):
        self.events = EventEmitter()
        self.limit = int(limit)
        self.done: list = []
        self.undone: list = []
        self.applying = False  # True while a command is undone/redone: recorders ignore the model's events

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    @property
    def undo_label(self) -> str:
        return self.done[-1].label if self.done else ""

    @property
    def redo_label(self) -> str:
        return self.undone[-1].label if self.undone else ""

    def _changed(self) -> None:
        self.events.emit("changed", can_undo=self.can_undo, can_redo=self.can_redo)

    def push(self, command) -> None:
        """Record a command that has already been done (merged into the last one when it says so)."""
        if self.done and not self.undone and getattr(self.done[-1], "merge", None) and self.done[-1].merge(command):
            self._changed()
            return
        self.done.append(command)
        del self.done[:-self.limit]
        self.undone.clear()
        self._changed()

    def undo(self) -> bool:
        if not self.done:
            return False
        cmd = self.done.pop()
        self._run(cmd.undo)
        self.undone.append(cmd)
        self._changed()
        return True

    def redo(self) -> bool:
        if not self.undone:
            return False
        cmd = self.undone.pop()
        self._run(cmd.redo)
        self.done.append(cmd)
        self._changed()
        return True

    def _run(self, fn) -> None:
        self.applying = True
        try:
            fn()
        finally:
            self.applying = False

    def clear(self) -> None:
        self.done.clear()
        self.undone.clear()
        self._changed()


# ============================================================================ VOIs
def voi_snapshot(voi):
    """An independent copy of a VOI's state (the crop array is never changed in place, it is shared)."""
    return replace(voi, params=copy.deepcopy(voi.params))


def _same_region(a, b) -> bool:
    return a.lo == b.lo and (a.crop is b.crop or np.array_equal(a.crop, b.crop)) and a.params == b.params


@dataclass
class VoiEdit:
    """One step of VOI edits: ``entries`` = [(voi id, before or None, after or None)] in the order done."""

    history: "VoiHistory"
    entries: list
    stamp: float

    @property
    def label(self) -> str:
        kinds = set()
        for _vid, before, after in self.entries:
            if before is None:
                kinds.add(ADD_VOI)
            elif after is None:
                kinds.add(DELETE_VOI)
            elif before.name != after.name and _same_region(before, after):
                kinds.add(RENAME_VOI)
            else:
                kinds.add(CHANGE_VOI)
        return kinds.pop() if len(kinds) == 1 else EDIT_VOIS

    def undo(self) -> None:
        for vid, before, _after in reversed(self.entries):
            self.history.put(vid, before)

    def redo(self) -> None:
        for vid, _before, after in self.entries:
            self.history.put(vid, after)

    def _changes_only(self) -> bool:
        return all(b is not None and a is not None for _v, b, a in self.entries)

    def merge(self, other) -> bool:
        """Consecutive changes of the same VOIs within the merge window become one step."""
        if not isinstance(other, VoiEdit) or other.history is not self.history:
            return False
        if other.stamp - self.stamp > self.history.merge_s or not (self._changes_only() and other._changes_only()):
            return False
        if [e[0] for e in self.entries] != [e[0] for e in other.entries] or self.label != other.label:
            return False
        self.entries = [(vid, b, a2) for (vid, b, _a), (_v, _b2, a2) in zip(self.entries, other.entries)]
        self.stamp = other.stamp
        return True


class VoiHistory:
    """Records the edits of one ``VoiModel`` on an :class:`UndoStack` (see the module's docstring)."""

    def __init__(self, model, stack: UndoStack, schedule: Callable[[Callable], None] | None = None,
                 merge_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.model, self.stack, self.schedule = model, stack, schedule
        self.merge_s, self.clock = float(merge_s), clock
        self.shadow = {vid: voi_snapshot(v) for vid, v in model.vois.items()}
        self.pending: list = []
        model.events.connect("*", self._on_event)

    def detach(self) -> None:
        self.commit()
        self.model.events.disconnect("*", self._on_event)

    def _on_event(self, event: str, **kw) -> None:
        if event in ("added", "changed"):
            v = kw["voi"]
            before, after = self.shadow.get(v.id), voi_snapshot(v)
            self.shadow[v.id] = after
            vid = v.id
        elif event == "removed":
            vid = kw["voi_id"]
            before, after = self.shadow.pop(vid, None), None
        else:  # selection, a new SUV image: not edits
            return
        if self.stack.applying:
            return
        if event == "changed" and before is not None and _same_region(before, after) and before.name == after.name:
            return  # nothing a reader could undo
        first = not self.pending
        self.pending.append((vid, before, after))
        if self.schedule is None:
            self.commit()
        elif first:
            self.schedule(self.commit)

    def commit(self) -> None:
        """Close the step being collected (no-op when nothing is pending)."""
        if not self.pending:
            return
        entries, self.pending = self._squash(self.pending), []
        if entries:
            self.stack.push(VoiEdit(self, entries, self.clock()))

    @staticmethod
    def _squash(entries: list) -> list:
        """One entry per VOI: its first 'before' and last 'after' (an add then delete in one step vanishes)."""
        order, first, last = [], {}, {}
        for vid, before, after in entries:
            if vid not in first:
                order.append(vid)
                first[vid] = before
            last[vid] = after
        return [(vid, first[vid], last[vid]) for vid in order if not (first[vid] is None and last[vid] is None)]

    def put(self, vid: int, state) -> None:
        """Make VOI ``vid`` be ``state`` (None: absent) in the model, through its events."""
        m = self.model
        if state is None:
            if vid in m.vois:
                m.delete(vid)
            return
        v = voi_snapshot(state)
        v.stats = measure_crop(m.suv, m.geometry, v.lo, v.crop)
        if vid in m.vois:
            cur = m.vois[vid]
            cur.kind, cur.name, cur.lo, cur.crop, cur.params = v.kind, v.name, v.lo, v.crop, v.params
            cur.stats, cur.ordinal, cur.source = v.stats, v.ordinal, v.source
            m.events.emit("changed", voi=cur)
        else:
            m.vois[vid] = v
            m._next = max(m._next, vid + 1)
            m.events.emit("added", voi=v)


# ============================================================================ registration
def _alignment_label(note: str) -> str:
    if note.startswith("registered"):
        return ACCEPT_REGISTRATION
    if note == "manual nudge":
        return NUDGE_PET
    if note == "scanner alignment":
        return RESET_ALIGNMENT
    return CHANGE_ALIGNMENT


@dataclass
class AlignmentEdit:
    history: "RegistrationHistory"
    before: tuple  # (4x4 transform, note)
    after: tuple

    @property
    def label(self) -> str:
        return _alignment_label(self.after[1])

    def undo(self) -> None:
        self.history.apply(*self.before)

    def redo(self) -> None:
        self.history.apply(*self.after)


class RegistrationHistory:
    """Records changes of a session's ``pet_from_anat`` on an :class:`UndoStack`.

    ``apply(transform, note)`` shows a transform (default: ``session.set_pet_transform``, done at
    once); an asynchronous one may call back later: the change it causes is expected, not recorded.
    """

    def __init__(self, session, stack: UndoStack, apply: Callable | None = None):
        self.session, self.stack = session, stack
        self._apply = apply if apply is not None else (lambda t, note: session.set_pet_transform(t, note))
        self.shadow = self._state()
        self.expected: list[np.ndarray] = []
        session.events.connect("pet", self._on_pet)

    def detach(self) -> None:
        self.session.events.disconnect("pet", self._on_pet)

    def _state(self) -> tuple:
        return np.array(self.session.pet_from_anat, float), str(self.session.registration_note)

    def apply(self, transform, note: str) -> None:
        self.expected.append(np.array(transform, float))
        self._apply(np.array(transform, float), note)

    def _on_pet(self, event: str = "pet", **kw) -> None:
        now = self._state()
        if np.array_equal(now[0], self.shadow[0]):
            self.shadow = now
            return
        before, self.shadow = self.shadow, now
        for i, t in enumerate(self.expected):
            if np.allclose(t, now[0], atol=1e-9):
                del self.expected[: i + 1]
                return
        self.stack.push(AlignmentEdit(self, before, now))
