"""Registrations the reader accepted, kept in the study database: the rigid 4x4 ``moving_from_fixed``
matrix of a (moving, fixed) series pair with its metric, method and time, and every version of the
pair (undo goes back one version; a reset stores the identity as a version, so it can be undone).
A mixin of :class:`workstation.io.db.StudyDB` (its connection and lock).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import numpy as np

METHOD_SCANNER = "scanner alignment"


@dataclass(frozen=True)
class RegistrationRow:
    """A stored rigid registration: ``matrix`` (4x4) maps fixed-frame world points to the moving frame."""

    moving_series_uid: str
    fixed_series_uid: str
    matrix: np.ndarray
    metric: float | None
    method: str
    created: str  # ISO date-time, local time of the workstation
    version: int = 0  # 1, 2, ... in the pair's history (0: stored before versions were kept)


class RegistrationError(ValueError):
    """A registration to store is not a finite rigid 4x4 matrix."""


class RegistrationStore:
    """Registration versions of the study database (mixed into ``StudyDB``)."""

    def save_registration(self, moving_series_uid: str, fixed_series_uid: str, matrix, metric: float | None = None,
                          method: str = "", created: datetime | None = None) -> RegistrationRow:
        """Store (or replace) the registration of a series pair; ``matrix`` maps fixed → moving world points."""
        if not moving_series_uid or not fixed_series_uid:
            raise RegistrationError("a registration needs both the moving and the fixed series UID")
        m = np.asarray(matrix, float)
        if m.shape != (4, 4) or not np.all(np.isfinite(m)) or not np.allclose(m[3], [0, 0, 0, 1]):
            raise RegistrationError(f"registration of series {moving_series_uid} onto {fixed_series_uid}: "
                                    f"expected a finite 4x4 affine matrix with last row 0 0 0 1, got shape {m.shape}")
        r = m[:3, :3]
        if not np.allclose(r @ r.T, np.eye(3), atol=1e-6) or np.linalg.det(r) <= 0:
            raise RegistrationError(f"registration of series {moving_series_uid} onto {fixed_series_uid}: "
                                    "the 3x3 part is not a rotation (rigid registrations only)")
        when = (created or datetime.now()).isoformat(timespec="seconds")
        metric = None if metric is None else float(metric)
        text = json.dumps(m.tolist())
        with self._lock, self._con:
            last = self._con.execute("SELECT max(version) FROM registration_history WHERE moving_series_uid = ? "
                                     "AND fixed_series_uid = ?", (moving_series_uid, fixed_series_uid)).fetchone()[0]
            if last is None:  # a registration stored before versions were kept becomes version 1
                old = self._con.execute("SELECT matrix, metric, method, created FROM registrations "
                                        "WHERE moving_series_uid = ? AND fixed_series_uid = ?",
                                        (moving_series_uid, fixed_series_uid)).fetchone()
                last = 0
                if old is not None:
                    last = 1
                    self._con.execute("INSERT INTO registration_history VALUES (?,?,?,?,?,?,?)",
                                      (moving_series_uid, fixed_series_uid, 1, *old))
            version = int(last) + 1
            self._con.execute("INSERT INTO registration_history VALUES (?,?,?,?,?,?,?)",
                              (moving_series_uid, fixed_series_uid, version, text, metric, method, when))
            self._con.execute("INSERT OR REPLACE INTO registrations VALUES (?,?,?,?,?,?)",
                              (moving_series_uid, fixed_series_uid, text, metric, method, when))
        return RegistrationRow(moving_series_uid, fixed_series_uid, m.copy(), metric, method, when, version)

    def reset_registration(self, moving_series_uid: str, fixed_series_uid: str) -> RegistrationRow:
        """Go back to the scanner's alignment (identity), as a new version that can be undone."""
        return self.save_registration(moving_series_uid, fixed_series_uid, np.eye(4), method=METHOD_SCANNER)

    def registration_history(self, moving_series_uid: str, fixed_series_uid: str) -> list[RegistrationRow]:
        """All stored versions of the pair's registration, oldest first."""
        with self._lock:
            rows = self._con.execute("SELECT version, matrix, metric, method, created FROM registration_history "
                                     "WHERE moving_series_uid = ? AND fixed_series_uid = ? ORDER BY version",
                                     (moving_series_uid, fixed_series_uid)).fetchall()
        return [RegistrationRow(moving_series_uid, fixed_series_uid, np.asarray(json.loads(r[1]), float), r[2], r[3],
                                r[4], int(r[0])) for r in rows]

    def undo_registration(self, moving_series_uid: str, fixed_series_uid: str) -> RegistrationRow | None:
        """Drop the newest version; the previous one becomes current. Returns the registration now
        current, or None (no stored registration left: the scanner's alignment applies)."""
        with self._lock, self._con:
            last = self._con.execute("SELECT max(version) FROM registration_history WHERE moving_series_uid = ? "
                                     "AND fixed_series_uid = ?", (moving_series_uid, fixed_series_uid)).fetchone()[0]
            if last is not None:
                self._con.execute("DELETE FROM registration_history WHERE moving_series_uid = ? AND "
                                  "fixed_series_uid = ? AND version = ?", (moving_series_uid, fixed_series_uid, last))
            prev = self._con.execute("SELECT matrix, metric, method, created FROM registration_history "
                                     "WHERE moving_series_uid = ? AND fixed_series_uid = ? ORDER BY version DESC "
                                     "LIMIT 1", (moving_series_uid, fixed_series_uid)).fetchone()
            if prev is None:
                self._con.execute("DELETE FROM registrations WHERE moving_series_uid = ? AND fixed_series_uid = ?",
                                  (moving_series_uid, fixed_series_uid))
            else:
                self._con.execute("INSERT OR REPLACE INTO registrations VALUES (?,?,?,?,?,?)",
                                  (moving_series_uid, fixed_series_uid, *prev))
        return self.get_registration(moving_series_uid, fixed_series_uid)

    def get_registration(self, moving_series_uid: str, fixed_series_uid: str) -> RegistrationRow | None:
        """The stored registration of that pair, or None."""
        with self._lock:
            row = self._con.execute("SELECT matrix, metric, method, created FROM registrations "
                                    "WHERE moving_series_uid = ? AND fixed_series_uid = ?",
                                    (moving_series_uid, fixed_series_uid)).fetchone()
        if row is None:
            return None
        with self._lock:
            v = self._con.execute("SELECT max(version) FROM registration_history WHERE moving_series_uid = ? "
                                  "AND fixed_series_uid = ?", (moving_series_uid, fixed_series_uid)).fetchone()[0]
        return RegistrationRow(moving_series_uid, fixed_series_uid, np.asarray(json.loads(row[0]), float),
                               row[1], row[2], row[3], int(v or 0))

    def delete_registration(self, moving_series_uid: str, fixed_series_uid: str) -> bool:
        """Forget the pair's registration and its whole history."""
        with self._lock, self._con:
            self._con.execute("DELETE FROM registration_history WHERE moving_series_uid = ? AND fixed_series_uid = ?",
                              (moving_series_uid, fixed_series_uid))
            cur = self._con.execute("DELETE FROM registrations WHERE moving_series_uid = ? AND fixed_series_uid = ?",
                                    (moving_series_uid, fixed_series_uid))
        return cur.rowcount > 0
