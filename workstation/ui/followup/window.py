"""Follow-up reading window: baseline | follow-up side by side, linked through the registration.

Concept
-------
Each time point is its own :class:`~workstation.analysis.fusion.ReadingSession` (CT grey, PET in
colour) drawn by a fused :class:`ViewWidget`. The two crosshairs are linked through the CT-to-CT
registration of the :class:`~workstation.analysis.followup.FollowupReading`: a click or a scroll in
one view moves the other to ``followup_from_baseline`` (or its inverse) of that point, so both
show the same anatomy. Unticking "link through registration" links the raw world coordinates
instead (the registration undone for display; the reading's numbers do not change).

Below the views the change table lists every lesion (matched, disappeared, new) with its SUVmax,
SULpeak, MTV and TLG at both time points, the changes, the PERCIST and EORTC category and the QIBA
flag; selecting a row puts both crosshairs on that lesion. The patient-level response is shown
above the views. The reading itself is computed before the window opens (CLI: ``workstation
response ... --view``; viewer: "Compare with previous", :mod:`.followup_open`, on a worker thread
with progress and cancel), so the window never blocks on it.

With the study database the window follows the registration rules of the viewer: a computed
registration is *proposed* (shown, not stored) until the reader accepts it (a new stored version
of the CT pair); undo goes back to the version before, or to the proposal. The reader's link,
unlink and rename are stored at once and replayed when the pair is opened again. A deformable
(B-spline) map, when computed, is used for lesion matching only if the reader ticks it; the views
stay linked through the rigid map.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from workstation.analysis.reading.session import ReadingSession

from workstation.ui.reader.view_widget import ViewWidget
from workstation.ui.workers import stop_window_jobs

TABLE_HEADERS = [QT_TRANSLATE_NOOP("FollowupWindow", "Lesion"), QT_TRANSLATE_NOOP("FollowupWindow", "Status"), "SUVmax",
                 "Δ SUVmax %", "SULpeak", "Δ SULpeak %", "MTV mL", "Δ MTV %", "TLG", "Δ TLG %", "PERCIST", "EORTC",
                 "QIBA"]
# a lesion's status (analysis.followup.comparison) and the response names (analysis.followup.response), shown translated
WORDS = (QT_TRANSLATE_NOOP("FollowupWindow", "matched"), QT_TRANSLATE_NOOP("FollowupWindow", "disappeared"),
         QT_TRANSLATE_NOOP("FollowupWindow", "new"),
         QT_TRANSLATE_NOOP("FollowupWindow", "complete metabolic response"),
         QT_TRANSLATE_NOOP("FollowupWindow", "partial metabolic response"),
         QT_TRANSLATE_NOOP("FollowupWindow", "stable metabolic disease"),
         QT_TRANSLATE_NOOP("FollowupWindow", "progressive metabolic disease"),
         QT_TRANSLATE_NOOP("FollowupWindow", "not evaluable"))


def _fmt(v: float, nd: int = 2) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.{nd}f}"


class FollowupWindow(QWidget):
    def __init__(self, reading, plane: str = "axial", parent=None, db=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Follow-up reading"))
        self.reading = reading
        self.db = db
        reg = reading.registration
        self.proposed = dict(reg) if reg.get("proposed") or "stored_version" not in reg else None
        self.last_error = ""
        self.sessions = {
            "baseline": ReadingSession(reading.baseline.ct, reading.baseline.pet),
            "followup": ReadingSession(reading.followup.ct, reading.followup.pet),
        }
        self._syncing = False
        root = QVBoxLayout(self)
        self.summary_label = QLabel(self._summary_text())
        self.summary_label.setWordWrap(True)
        self.summary_label.setObjectName("followup-summary")
        root.addWidget(self.summary_label)
        self.link_check = QCheckBox(self.tr("Link crosshairs through the registration"))
        self.link_check.setChecked(True)
        reg_row = QHBoxLayout()
        reg_row.addWidget(self.link_check)
        self.registration_state = QLabel("")
        self.registration_state.setObjectName("followup-registration-state")
        reg_row.addWidget(self.registration_state, 1)
        self.accept_button = QPushButton(self.tr("Accept registration"))
        self.accept_button.setToolTip(self.tr("Store this registration of the follow-up CT onto the baseline CT"))
        self.undo_button = QPushButton(self.tr("Undo registration"))
        self.undo_button.setToolTip(self.tr("Go back to the registration stored before"))
        self.deformable_check = QCheckBox(self.tr("Match lesions through the deformable registration"))
        self.deformable_check.setToolTip(self.tr("B-spline after the rigid registration, for lesion matching only; "
                                                 "the views stay linked through the rigid registration"))
        self.deformable_check.setChecked(reading.matching == "deformable")
        for wdg in (self.accept_button, self.undo_button, self.deformable_check):
            reg_row.addWidget(wdg)
        root.addLayout(reg_row)
        self.accept_button.clicked.connect(self.accept_registration)
        self.undo_button.clicked.connect(self.undo_registration)
        self.deformable_check.toggled.connect(self.set_deformable)
        row = QHBoxLayout()
        self.views: dict[str, ViewWidget] = {}
        self.titles: dict[str, QLabel] = {}
        for name, text in (("baseline", self.tr("Baseline")), ("followup", self.tr("Follow-up"))):
            col = QVBoxLayout()
            title = QLabel(f"{text}: {self._date(name)}")
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.titles[name] = title
            view = ViewWidget(self.sessions[name], "fused", plane)
            view.setObjectName(f"{name}-fused-{plane}")
            self.views[name] = view
            col.addWidget(title)
            col.addWidget(view, 1)
            row.addLayout(col, 1)
        root.addLayout(row, 3)
        self.table = QTableWidget(0, len(TABLE_HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in TABLE_HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        root.addWidget(self.table, 1)
        edit = QHBoxLayout()
        self.unlink_button = QPushButton(self.tr("Unlink"))
        self.unlink_button.setToolTip(self.tr("The selected matched lesion becomes disappeared + new"))
        self.link_button = QPushButton(self.tr("Link"))
        self.link_button.setToolTip(self.tr("Select one disappeared and one new lesion: they become one matched lesion"))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("name of the selected lesion"))
        self.rename_button = QPushButton(self.tr("Rename"))
        for wdg in (self.unlink_button, self.link_button, self.name_edit, self.rename_button):
            edit.addWidget(wdg)
        root.addLayout(edit)
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.link_button.clicked.connect(self.link_selected)
        self.rename_button.clicked.connect(self.rename_selected)
        self.fill_table()
        self.sessions["baseline"].events.connect("crosshair", self._on_baseline_crosshair)
        self.sessions["followup"].events.connect("crosshair", self._on_followup_crosshair)
        self.link_check.toggled.connect(lambda _on: self._on_baseline_crosshair(
            position=self.sessions["baseline"].crosshair))
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        self._registration_buttons()
        if self.reading.rows():
            self.go_to_lesion(0)

    # ------------------------------------------------------------ text
    def _date(self, name: str) -> str:
        """The PET series date and time of a time point (no patient identity)."""
        acq = getattr(getattr(self.reading, name).pet, "pet", None)
        try:
            when = acq.series_datetime if acq is not None else None
        except Exception:  # noqa: BLE001 - a header without times shows no date
            when = None
        return when.strftime("%Y-%m-%d %H:%M") if when is not None else "?"

    def _summary_text(self) -> str:
        r = self.reading
        parts = [self.tr("Registration: {}").format(self._registration_text())]
        if r.matching == "deformable":
            parts.append(self.tr("lesions matched through the deformable registration"))
        for m in ("percist", "eortc", "deauville"):
            if m == "deauville" and not r.fu.get("blood_pool"):
                continue
            res = r.response(m)
            if m == "deauville":
                parts.append(self.tr("Deauville: {} → {}").format(res.values.get("baseline_score", "?"), res.category))
            else:
                parts.append(f"{m.upper()}: {res.category} ({self.tr(res.name)})")
        return " · ".join(parts)

    def _registration_text(self) -> str:
        """The CT-to-CT registration in words (the same numbers as its English summary)."""
        from workstation.analysis.registration.rigid import rotation_angle_deg

        reg = self.reading.registration
        m, metric = reg.get("followup_from_baseline"), reg.get("metric")
        if m is not None and metric is not None:
            m = np.asarray(m, float)
            t = m[:3, 3]
            return self.tr("registered (MI {:.3f}, shift {:.1f},{:.1f},{:.1f} mm, rotation {:.1f}°)").format(
                metric, t[0], t[1], t[2], rotation_angle_deg(m))
        if reg.get("method") == "given":
            return self.tr("given by the reader")
        return str(reg.get("summary", reg.get("method", "")))

    # ------------------------------------------------------------ table
    def fill_table(self) -> None:
        rows = self.reading.rows()
        self.table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            c = r.changes()
            cells = [r.name, self.tr(r.status),
                     f"{_fmt(c['suvmax']['baseline'])} → {_fmt(c['suvmax']['followup'])}", _fmt(c["suvmax"]["percent"], 1),
                     f"{_fmt(c['sulpeak']['baseline'])} → {_fmt(c['sulpeak']['followup'])}",
                     _fmt(c["sulpeak"]["percent"], 1),
                     f"{_fmt(c['mtv_ml']['baseline'])} → {_fmt(c['mtv_ml']['followup'])}", _fmt(c["mtv_ml"]["percent"], 1),
                     f"{_fmt(c['tlg']['baseline'], 1)} → {_fmt(c['tlg']['followup'], 1)}", _fmt(c["tlg"]["percent"], 1),
                     r.percist, r.eortc, self.tr("within") if r.qiba_within_repeatability else self.tr("beyond")]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(n, col, item)
        self.table.resizeColumnsToContents()

    def _selected(self) -> list[int]:
        return sorted(i.row() for i in self.table.selectionModel().selectedRows())

    def _on_row_selected(self) -> None:
        sel = self._selected()
        rows = self.reading.rows()
        if len(sel) == 1:
            self.go_to_lesion(sel[0], select=False)
        kinds = sorted(rows[i].status for i in sel)
        self.unlink_button.setEnabled(kinds == ["matched"])
        self.link_button.setEnabled(kinds == ["disappeared", "new"])
        self.rename_button.setEnabled(len(sel) == 1)

    def _refresh(self) -> None:
        self.fill_table()
        self.summary_label.setText(self._summary_text())
        self._registration_buttons()

    # ------------------------------------------------------------ registration: accept / undo / store
    def _registration_buttons(self) -> None:
        from workstation.analysis.followup import comparison as F
        from workstation.analysis.followup import store as FS

        stored = None
        can_store = self.db is not None
        if can_store:
            try:
                stored = FS.stored_registration(self.db, self.reading)
            except F.FollowupError:
                can_store = False
        same = stored is not None and np.allclose(stored.matrix, self.reading.followup_from_baseline)
        if same:
            text = self.tr("stored (version {})").format(stored.version)
        elif np.allclose(self.reading.followup_from_baseline, np.eye(4)):
            text = self.tr("scanner coordinates (no registration)")
        elif self.db is None or not can_store:
            text = self.tr("not stored (no study database)")
        else:
            text = self.tr("proposed, not stored")
        self.registration_state.setText(text)
        self.accept_button.setEnabled(can_store and not same)
        self.undo_button.setEnabled(can_store and stored is not None)
        self.deformable_check.setEnabled(self.reading.deformable is not None)
        if self.reading.deformable is None:
            self.deformable_check.setToolTip(self.tr("No deformable registration was computed for this reading"))

    def _warn(self, text: str) -> None:
        self.last_error = text
        self.registration_state.setText(text)

    def accept_registration(self) -> None:
        from workstation.analysis.followup import store as FS

        if self.db is None:
            return
        row = FS.accept_registration(self.db, self.reading)
        self.reading.registration.update({"stored_version": row.version})
        self.reading.registration.pop("proposed", None)
        self._refresh()

    def undo_registration(self) -> None:
        from workstation.analysis.followup import store as FS

        if self.db is None:
            return
        proposed = self.proposed or {"method": "given", "followup_from_baseline": np.eye(4)}
        _row, skipped = FS.undo_registration(self.db, self.reading, proposed)
        self._after_rematch(skipped)

    def set_deformable(self, on: bool) -> None:
        from workstation.analysis.followup.comparison import FollowupError

        try:
            skipped = self.reading.set_matching("deformable" if on else "rigid")
        except FollowupError as exc:
            self._warn(str(exc))
            return
        self._after_rematch(skipped)

    def _after_rematch(self, skipped) -> None:
        self._store_edits()
        self._refresh()
        if skipped:
            self.last_error = self.tr("{} edit(s) no longer fit and were dropped").format(len(skipped))
            self.summary_label.setText(self.summary_label.text() + " · " + self.last_error)

    def _store_edits(self) -> None:
        """The reader's link / unlink / rename, stored at once (replayed when the pair is opened again)."""
        from workstation.analysis.followup import comparison as F
        from workstation.analysis.followup import store as FS

        if self.db is None:
            return
        try:
            FS.save_edits(self.db, self.reading)
        except F.FollowupError as exc:
            self.last_error = str(exc)

    def unlink_selected(self) -> None:
        sel = self._selected()
        rows = self.reading.rows()
        if len(sel) == 1 and rows[sel[0]].status == "matched":
            self.reading.unlink(rows[sel[0]].key)
            self._store_edits()
            self._refresh()

    def link_selected(self) -> None:
        rows = self.reading.rows()
        sel = [rows[i] for i in self._selected()]
        gone = [r for r in sel if r.status == "disappeared"]
        new = [r for r in sel if r.status == "new"]
        if len(sel) == 2 and len(gone) == 1 and len(new) == 1:
            self.reading.link(gone[0].baseline_index, new[0].followup_index)
            self._store_edits()
            self._refresh()

    def rename_selected(self) -> None:
        sel = self._selected()
        text = self.name_edit.text().strip()
        if len(sel) == 1 and text:
            self.reading.rename(self.reading.rows()[sel[0]].key, text)
            self._store_edits()
            self._refresh()

    def go_to_lesion(self, index: int, select: bool = True) -> None:
        """Both crosshairs on lesion ``index`` of the change table."""
        row = self.reading.rows()[index]
        if row.status == "new":
            self.sessions["followup"].set_crosshair(row.followup.centre_world)
        else:
            self.sessions["baseline"].set_crosshair(row.baseline.centre_world)
        if select:
            self.table.selectRow(index)

    # ------------------------------------------------------------ linking
    def _map(self, to: str, xyz) -> np.ndarray:
        if not self.link_check.isChecked():
            return np.asarray(xyz, float)
        if to == "followup":
            return self.reading.carry_to_followup(xyz)
        return self.reading.carry_to_baseline(xyz)

    def _on_baseline_crosshair(self, event: str = "crosshair", position=None, **_kw) -> None:
        if self._syncing or position is None:
            return
        self._syncing = True
        try:
            self.sessions["followup"].set_crosshair(self._map("followup", position))
        finally:
            self._syncing = False

    def _on_followup_crosshair(self, event: str = "crosshair", position=None, **_kw) -> None:
        if self._syncing or position is None:
            return
        self._syncing = True
        try:
            self.sessions["baseline"].set_crosshair(self._map("baseline", position))
        finally:
            self._syncing = False

    def closeEvent(self, ev) -> None:
        for v in self.views.values():
            v.detach()
        stop_window_jobs(self)
        super().closeEvent(ev)


def show_followup(reading, screenshot=None, size=(1600, 1000)) -> int:
    """Open the window on a finished reading and run the event loop, or (``screenshot``) render it
    to that PNG and return (the CLI's ``--view`` / ``--screenshot``)."""
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = FollowupWindow(reading)
    win.resize(*(size or (1600, 1000)))
    win.show()
    if screenshot:
        app.processEvents()
        for v in win.views.values():
            v.render_now()
        ok = win.grab().save(str(screenshot), "PNG")
        win.close()
        return 0 if ok else 1
    return int(app.exec() or 0)
