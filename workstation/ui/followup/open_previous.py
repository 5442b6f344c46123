"""Opening the follow-up reading from the viewer: "Compare with previous…".

The study open in the viewer is the follow-up; the baseline is an earlier study of the same
patient with a PET, chosen by the reader when there are several (newest first). The reading
(:func:`workstation.analysis.followup_store.read_followup_studies`: loading, the rigid registration or
the stored one, the optional B-spline, segmentation, matching, the stored edits) runs on a worker
thread with a progress dialog whose Cancel stops it; the window opens when it is done. Nothing
identifying the patient is logged.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QProgressDialog

from workstation.ui.workers import Job, JobSlot


def earlier_studies(db, study_uid: str) -> list:
    """Studies of the same patient as ``study_uid`` with a PET, dated before it, newest first."""
    rows = db.studies()
    this = next((r for r in rows if r.study_uid == study_uid), None)
    if this is None:
        return []

    def when(r):
        return (r.study_date or "", r.study_time or "")

    return sorted([r for r in rows if r.patient_key == this.patient_key and r.study_uid != study_uid
                   and "PT" in (r.modalities or ()) and when(r) < when(this)], key=when, reverse=True)


class FollowupLauncher(QObject):
    """The Follow-up menu of the main window and the job that computes the reading."""

    def __init__(self, main):
        super().__init__(main)
        self.main = main
        self.jobs = JobSlot(self)
        self.windows: list = []
        self.dialog: QProgressDialog | None = None
        self.last_error = ""
        menu = main.menuBar().addMenu(self.tr("Follow-up"))
        self.action = menu.addAction(self.tr("Compare with previous…"))
        self.action.setObjectName("compare-with-previous")
        self.action.triggered.connect(lambda _c=False: self.compare_with_previous())
        self.deformable_action = menu.addAction(self.tr("Also match lesions through a deformable registration"))
        self.deformable_action.setCheckable(True)

    def _current_study(self) -> str | None:
        s = self.main.session
        pet = getattr(s, "pet", None) if s is not None else None
        return getattr(pet, "study_uid", None) or None

    def _say(self, text: str) -> None:
        self.last_error = text
        self.main.message_label.setText(text)
        if self.main.isVisible():
            QMessageBox.information(self.main, self.tr("Follow-up"), text)

    def compare_with_previous(self, baseline_uid: str | None = None, choose=None) -> Job | None:
        """Start the reading of the open study against an earlier one (``baseline_uid``, else the
        only earlier one, else the one the reader picks; ``choose(labels) -> index`` replaces the
        dialog in tests)."""
        db, study = self.main.db, self._current_study()
        if db is None or study is None:
            self._say(self.tr("Open a PET study of the study database first"))
            return None
        if baseline_uid is None:
            earlier = earlier_studies(db, study)
            if not earlier:
                self._say(self.tr("No earlier PET study of this patient in the database"))
                return None
            if len(earlier) == 1:
                baseline_uid = earlier[0].study_uid
            else:
                labels = [f"{r.study_date or '?'} {r.description or ''}".strip() for r in earlier]
                if choose is not None:
                    i = choose(labels)
                else:
                    text, ok = QInputDialog.getItem(self.main, self.tr("Compare with previous"),
                                                    self.tr("Baseline study:"), labels, 0, False)
                    i = labels.index(text) if ok else None
                if i is None:
                    return None
                baseline_uid = earlier[i].study_uid
        return self.start(baseline_uid, study, deformable=self.deformable_action.isChecked())

    def start(self, baseline_uid: str, followup_uid: str, deformable: bool = False) -> Job:
        from workstation.analysis.followup.store import read_followup_studies

        job = Job(read_followup_studies, self.main.db, baseline_uid, followup_uid, deformable=deformable,
                  name="followup")
        dlg = QProgressDialog(self.tr("Follow-up reading…"), self.tr("Cancel"), 0, 1000, self.main)
        dlg.setObjectName("followup-progress")
        dlg.setWindowTitle(self.tr("Follow-up"))
        dlg.setWindowModality(Qt.WindowModality.NonModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(job.cancel)
        job.progressed.connect(lambda f, m: (dlg.setValue(int(f * 1000)), dlg.setLabelText(m or dlg.labelText())))
        job.cancelled.connect(lambda: self._finish(self.tr("Follow-up reading cancelled")))
        job.done.connect(dlg.close)
        self.dialog = dlg
        dlg.show()
        return self.jobs.start(job, on_result=self._open, on_error=lambda msg: self._finish(msg, error=True))

    def _finish(self, text: str, error: bool = False) -> None:
        self.last_error = text
        self.main.message_label.setText(text)
        if error and self.main.isVisible():
            QMessageBox.warning(self.main, self.tr("Follow-up"), text)

    def _open(self, reading):
        from workstation.ui.followup.window import FollowupWindow

        win = FollowupWindow(reading, db=self.main.db)
        win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        win.resize(1600, 1000)
        self.windows.append(win)
        win.destroyed.connect(lambda _o=None, w=win: self.windows.remove(w) if w in self.windows else None)
        win.show()
        self.main.message_label.setText(self.tr("Follow-up reading: done"))
        return win
