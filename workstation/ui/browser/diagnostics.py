"""What the study browser shows about trouble: UID conflicts per study, and "Copy diagnostics".

Concept
-------
UID conflicts are found at import and kept in the database (``StudyDB.conflicts_by_study``): the
same SOP Instance UID in two different files, or one Study UID under two patients. The browser
marks each study that has conflicts with a warning icon, a count in its last column and a tooltip
that lists them; "Conflicts…" opens a table of every conflict of the selected study (or of all
studies) with the file that was kept and the file that was not used, so that nothing stays hidden.
"Copy diagnostics" puts ``settings.logs.diagnostics_text()`` (versions and the end of the PHI-free
application log) on the clipboard for a support request.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from workstation.ui.browser.roles import CONFLICTS_ROLE, STUDY_UID_ROLE

CONFLICT_COLUMNS = (QT_TRANSLATE_NOOP("ConflictsDialog", "Kind"), QT_TRANSLATE_NOOP("ConflictsDialog", "UID"),
                    QT_TRANSLATE_NOOP("ConflictsDialog", "File in conflict"),
                    QT_TRANSLATE_NOOP("ConflictsDialog", "First file (keeps the UID)"),
                    QT_TRANSLATE_NOOP("ConflictsDialog", "Detail"), QT_TRANSLATE_NOOP("ConflictsDialog", "Found"))


def kind_text(kind: str) -> str:
    from workstation.io.db import SOP_CONFLICT

    if kind == SOP_CONFLICT:
        return QApplication.translate("ConflictsDialog", "Same SOP Instance UID, different file")
    return QApplication.translate("ConflictsDialog", "Same Study UID, different patient")


def mark_conflicts(browser, items_by_study: dict) -> int:
    """Badge the study items that have UID conflicts; returns the number of conflicts shown."""
    if browser.db is None:
        return 0
    by_study = browser.db.conflicts_by_study()
    browser.conflicts = by_study
    icon = browser.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    total = 0
    for uid, rows in by_study.items():
        item = items_by_study.get(uid)
        if item is None:
            continue
        total += len(rows)
        item.setIcon(0, icon)
        item.setData(0, CONFLICTS_ROLE, len(rows))
        last = item.columnCount() - 1
        item.setText(last, QApplication.translate("StudyBrowser", "{} · {} UID conflict(s)").format(
            item.text(last), len(rows)))
        lines = [QApplication.translate("StudyBrowser", "UID conflicts (Conflicts… lists the files):")]
        lines += [f"• {kind_text(r.kind)}: {r.uid}" for r in rows[:10]]
        if len(rows) > 10:
            lines.append("…")
        tip = "\n".join(lines)
        for c in range(item.columnCount()):
            item.setToolTip(c, tip)
    return total


class ConflictsDialog(QDialog):
    """The UID conflicts of one study (or of all), one row each, with both files."""

    def __init__(self, rows, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("conflicts-dialog")
        self.table = QTableWidget(len(rows), len(CONFLICT_COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in CONFLICT_COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, r in enumerate(rows):
            for j, text in enumerate((kind_text(r.kind), r.uid, r.path, r.other_path, r.detail, r.found)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(i, j, cell)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(self.tr("Every file stays reachable: the first file keeps the UID, the other is listed here. "
                              "Ask the sender to correct the UIDs, then import again."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.resize(980, 360)


def conflicts_dialog(browser) -> ConflictsDialog | None:
    """The conflicts of the selected study (or all when none is selected); None when there are none."""

    by_study = browser.db.conflicts_by_study() if browser.db is not None else {}
    items = browser.tree.selectedItems()
    if items:
        uid = items[0].data(0, STUDY_UID_ROLE)
        rows = by_study.get(uid, [])
        title = QApplication.translate("StudyBrowser", "UID conflicts of the selected study")
    else:
        rows = [r for rs in by_study.values() for r in rs]
        title = QApplication.translate("StudyBrowser", "UID conflicts")
    if not rows:
        browser.status.setText(QApplication.translate("StudyBrowser", "No UID conflicts."))
        return None
    return ConflictsDialog(rows, title, browser)


def copy_diagnostics(browser) -> str:
    """Put the diagnostics text on the clipboard; returns it."""
    from workstation.settings.logs import diagnostics_text

    text = diagnostics_text()
    QApplication.clipboard().setText(text)
    browser.status.setText(QApplication.translate(
        "StudyBrowser", "Diagnostics copied to the clipboard (versions and the end of the log, no patient data)."))
    return text
