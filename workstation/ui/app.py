"""Start the viewer application (the `workstation` / `workstation view` command)."""

from __future__ import annotations

import sys


def run_viewer(path: str | None = None, layout: str = "grid", anonymise: bool = False) -> int:
    from PySide6.QtWidgets import QApplication

    from workstation.io.db import StudyDB

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = StudyDB()
    win = MainWindow(db)
    win.anon_check.setChecked(anonymise)
    if path:
        job = win.load_folder(path)
        job.succeeded.connect(lambda _s: win.set_layout(layout))
    win.show()
    try:
        return int(app.exec())
    finally:
        db.close()
