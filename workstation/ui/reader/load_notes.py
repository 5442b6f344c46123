"""What the reader is told after a study opened with files left out.

The loader skips a damaged file of a series (a truncated pixel block, an unreadable header) and
keeps the reason, naming the file, in the volume's warnings; the rest of the series opens. The
viewer shows those reasons in its message line (the first one, and how many), with all of them in
the tooltip, so that a missing slice is never silent.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def skipped_warnings(session) -> list[str]:
    """The loader's 'skipped …' warnings of the PET and the CT/MR of a reading session."""
    out = []
    for vol in (getattr(session, "pet", None), getattr(session, "anatomical", None)):
        for w in getattr(vol, "warnings", None) or []:
            if str(w).startswith("skipped "):
                out.append(str(w))
    return out


def show_load_notes(window, session) -> str:
    """Append the skipped-file note to the window's message line; returns the note ('' when none)."""
    notes = skipped_warnings(session)
    if not notes:
        return ""
    note = QApplication.translate("MainWindow", "Not all files could be read: {}").format(notes[0])
    if len(notes) > 1:
        note += " " + QApplication.translate("MainWindow", "(and {} more notes)").format(len(notes) - 1)
    label = window.message_label
    done = QApplication.translate("MainWindow", "{}: done").format(QApplication.translate("MainWindow", "Loading study"))
    label.setText(note if label.text() in ("", done) else f"{label.text()} · {note}")
    label.setToolTip("\n".join(notes))
    return note
