"""Reading sessions stored with the study: what the reader left on screen, saved and autosaved.

A session is a JSON document (``analysis.reading.session_state`` writes and reads it: VOIs, the PET→CT
registration, windows, colour map, layout, crosshair, zoom/pan) kept in the study database's
file, table ``reading_sessions``, under the key (study UID, reading key). The reading key names
the series pair (``PET_UID|ANAT_UID``), so the same study read with another pair has its own
session.

Two slots per key: ``saved`` (what *Save* wrote; *Revert* goes back to it) and ``autosave``
(written a moment after every change; deleted by *Save* and *Revert*). On reopening, an
autosave newer than the saved session wins: that is the work of a viewer that crashed or was
killed. Every write is one SQLite transaction with ``synchronous = FULL``: once ``save``
returns, the state survives the process being killed (and a power cut, as far as the disk keeps
its promises). No patient identity is stored here, only UIDs and display state.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

KINDS = ("saved", "autosave")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reading_sessions (
    study_uid   TEXT NOT NULL,
    reading_key TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('saved', 'autosave')),
    state       TEXT NOT NULL,
    saved_at    REAL NOT NULL,
    PRIMARY KEY (study_uid, reading_key, kind)
);
"""


class SessionStoreError(ValueError):
    """A stored session that cannot be used (unreadable JSON, unknown slot)."""


@dataclass(frozen=True)
class StoredSession:
    kind: str
    state: dict
    saved_at: float  # seconds since the epoch


def reading_key(pet_series_uid: str = "", anat_series_uid: str = "") -> str:
    return f"{pet_series_uid or '-'}|{anat_series_uid or '-'}"


class SessionStore:
    """The ``reading_sessions`` table of the study database (own connection, thread-safe)."""

    def __init__(self, path: str | Path | None = None):
        if path is None:
            from workstation.io.db import default_db_path

            path = default_db_path()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10.0)
        self._con.execute("PRAGMA journal_mode = WAL")
        self._con.execute("PRAGMA synchronous = FULL")
        with self._con:
            self._con.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def save(self, study_uid: str, key: str, state: dict, kind: str = "saved") -> float:
        """Store ``state`` in slot ``kind``; a ``saved`` write also drops the autosave. Returns the time."""
        if kind not in KINDS:
            raise SessionStoreError(f"unknown session slot {kind!r}; use one of {KINDS}")
        text = json.dumps(state, ensure_ascii=False, allow_nan=True)
        now = time.time()
        with self._lock, self._con:
            self._con.execute("INSERT OR REPLACE INTO reading_sessions VALUES (?, ?, ?, ?, ?)",
                              (study_uid or "", key, kind, text, now))
            if kind == "saved":
                self._con.execute("DELETE FROM reading_sessions WHERE study_uid = ? AND reading_key = ? "
                                  "AND kind = 'autosave'", (study_uid or "", key))
        return now

    def load(self, study_uid: str, key: str, kind: str = "saved") -> StoredSession | None:
        with self._lock:
            row = self._con.execute("SELECT state, saved_at FROM reading_sessions WHERE study_uid = ? AND "
                                    "reading_key = ? AND kind = ?", (study_uid or "", key, kind)).fetchone()
        if row is None:
            return None
        try:
            state = json.loads(row[0])
        except ValueError as exc:
            raise SessionStoreError(f"{self.path}: the stored {kind} session of this study is not valid JSON "
                                    f"({exc}); it will be ignored") from None
        return StoredSession(kind, state, float(row[1]))

    def latest(self, study_uid: str, key: str) -> StoredSession | None:
        """The autosave when it is newer than the saved session (unsaved work), else the saved one."""
        saved = self.load(study_uid, key, "saved")
        auto = self.load(study_uid, key, "autosave")
        if auto is not None and (saved is None or auto.saved_at >= saved.saved_at):
            return auto
        return saved

    def discard_autosave(self, study_uid: str, key: str) -> None:
        with self._lock, self._con:
            self._con.execute("DELETE FROM reading_sessions WHERE study_uid = ? AND reading_key = ? AND "
                              "kind = 'autosave'", (study_uid or "", key))
