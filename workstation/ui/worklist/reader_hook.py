""""Sign and send…" in the reader's Export menu: for the study on screen, when this reader holds it on the
worklist, the reading is exported (SEG, SR, key images as the views show them, PDF report) into a
folder of its own under the data directory, on a worker thread, and the Sign and send dialog opens
with the PDF and the SR and key images as attachments."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction

from workstation.io.db_worklist import WorklistError


def _export_menu(window):
    """The reader's Export menu (the one holding the export actions of ``window.persistence``)."""
    probe = next(iter(getattr(window.persistence, "export_actions", {}).values()), None)
    for a in window.menuBar().actions():
        m = a.menu()
        if m is not None and probe is not None and probe in m.actions():
            return m
    return None


class SignAndSend(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self._folder = None
        self._study = None
        self.action = QAction(self.tr("Sign and send…"), window)
        self.action.triggered.connect(self.start)
        menu = _export_menu(window)
        if menu is not None:
            menu.addSeparator()
            menu.addAction(self.action)

    def _panel(self):
        return getattr(getattr(self.window, "browser", None), "worklist", None)

    def _say(self, text: str) -> None:
        self.window.message_label.setText(text)

    def start(self):
        """Export the reading for signing; the export job (None with a message when it cannot start)."""
        from workstation.settings.paths import data_dir

        panel, s = self._panel(), self.window.session
        if panel is None or s is None or s.pet is None:
            self._say(self.tr("Sign and send needs the study database and a study read from it"))
            return None
        uid = s.pet.study_uid
        try:
            row = panel.db.worklist_entry(uid)
        except WorklistError:
            self._say(self.tr("This study is not on the worklist"))
            return None
        if row.locked_by != panel.reader:
            self._say(self.tr("Open the study for reporting in the Worklist tab first"))
            return None
        folder = data_dir() / "returns" / uid / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        folder.mkdir(parents=True)
        job = self.window.persistence.export_to("all", str(folder))
        if job is None:
            return None
        self._folder, self._study = folder, uid
        job.succeeded.connect(self._exported)  # a slot of this QObject: delivered on the UI thread
        return job

    @Slot(object)
    def _exported(self, _paths) -> None:
        panel, folder = self._panel(), self._folder
        attach = [str(folder / "sr.dcm")] + sorted(str(p) for p in folder.glob("key-*.dcm"))
        self.dialog = panel.sign_dialog(pdf=str(folder / "report.pdf"), attachments=attach, study_uid=self._study)
        if self.dialog is not None:
            self.dialog.show()
