"""Start the viewer application (the `workstation` / `workstation view [PATH]` command).

``open_viewer`` builds the main window on the study database (and starts reading PATH when
given) without entering the event loop, so tests and embedding code can drive it;
``run_viewer`` is what the command line calls: ``open_viewer`` and then the Qt event loop until
the window closes.
"""

from __future__ import annotations

import sys


def open_viewer(path: str | None = None, layout: str | None = None, anonymise: bool = False, db=None,
                pet_uid: str | None = None, anat_uid: str | None = None, lang: str | None = None):
    """Create (or reuse) the QApplication and show the main window; returns ``(app, window, db)``.

    With ``path`` the PET and CT/MR below it are read in the background and shown in ``layout`` (None: chosen from the study);
    without it the window opens on the study browser. ``db`` defaults to the user's study database.
    ``lang`` ("en", "zh_CN") overrides the saved or system language (``i18n.LanguageError`` if its
    catalogue is missing).
    """
    from PySide6.QtWidgets import QApplication

    from workstation.io.db import StudyDB

    from workstation.ui import i18n
    from workstation.ui.reader.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("pet-workstation")
    app.setApplicationName("workstation")
    from workstation.ui.workers import MainThreadCollector, stop_all

    if not isinstance(getattr(app, "collector", None), MainThreadCollector):
        app.collector = MainThreadCollector(app)  # garbage collected on the UI thread only
        app.aboutToQuit.connect(stop_all)  # no worker thread runs while Qt is torn down
    i18n.install(app, i18n.choose_language(lang), strict=lang is not None)
    db = StudyDB() if db is None else db
    win = MainWindow(db)
    win.anon_check.setChecked(anonymise)
    if path:
        job = win.load_folder(path, pet_uid=pet_uid, anat_uid=anat_uid)
        if layout:  # None: the session's own hanging protocol (grid, or pet without CT/MR)
            job.succeeded.connect(lambda _s: win.set_layout(layout))
    win.show()
    return app, win, db


def run_viewer(path: str | None = None, layout: str | None = None, anonymise: bool = False,
               pet_uid: str | None = None, anat_uid: str | None = None, lang: str | None = None) -> int:
    """Open the viewer and run the event loop until its window is closed (the CLI entry)."""
    app, win, db = open_viewer(path, layout, anonymise, pet_uid=pet_uid, anat_uid=anat_uid, lang=lang)
    try:
        return int(app.exec() or 0)
    finally:
        win.cancel_work()
        db.close()


def window_screenshot(path: str, out: str, width: int, height: int, *, configure=None, layout: str | None = None,
                      anonymise: bool = False,
                      pet_uid: str | None = None, anat_uid: str | None = None,
                      lang: str | None = None) -> tuple[int, int, str]:
    """Open the main window off screen on ``path``, wait for the study, apply ``configure(session)``
    and save the whole window as ``out``; returns (width, height, layout). ``ValueError`` (the
    language's ``LanguageError`` too) says why there is no picture."""
    import os

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    app, win, db = open_viewer(path, layout=layout, anonymise=anonymise, pet_uid=pet_uid, anat_uid=anat_uid,
                               lang=lang)
    try:
        win.resize(width, height)
        job = win.load_jobs.job
        if job is not None and job.is_running():
            loop = QEventLoop()
            job.done.connect(loop.quit)
            QTimer.singleShot(600_000, loop.quit)
            if job.is_running():
                loop.exec()
        if win.session is None:
            raise ValueError(f"{path}: could not be read: {win.last_error or 'no PET or CT/MR series'}")
        if configure is not None:
            configure(win.session)
        for _ in range(5):
            app.processEvents()
        image = win.grab().toImage()
        from workstation.io.atomic_write import OutputError, atomic_output

        try:  # never a truncated PNG at ``out``: a temporary file beside it, renamed when complete
            with atomic_output(out, overwrite=True) as tmp:
                if not image.save(str(tmp), "PNG"):
                    raise OSError(f"{out}: the PNG could not be written")
        except OutputError as exc:
            raise ValueError(str(exc)) from None
        return image.width(), image.height(), win.session.layout
    finally:
        win.cancel_work()
        win.close()
        db.close()
