"""Long work off the UI thread: a compute function, its progress and its cancel button.

Concept
-------
Compute functions (loading a study, importing, registration) take a plain
``workstation.tasks.progress.Progress`` and know nothing about Qt. ``Job`` runs one on a Python
thread and turns its progress, result and error into Qt signals, which Qt delivers on the UI
thread (queued across threads). ``JobSlot`` keeps at most one job of a kind: starting a new one
cancels the older one (a newer request supersedes it), and results of a superseded job are
dropped.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, Signal

from workstation.tasks.progress import Cancelled, Progress


class Job(QObject):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, fn, *args, name: str = "job", **kwargs):
        super().__init__()
        self.name = name
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.progress = Progress(lambda f, m: self.progressed.emit(f, m))
        self.thread: threading.Thread | None = None
        self.result = None
        self.error: str | None = None
        self._finished = False

    def start(self) -> "Job":
        self.thread = threading.Thread(target=self._run, name=f"workstation-{self.name}", daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = self._fn(*self._args, progress=self.progress, **self._kwargs)
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # shown to the user; the traceback goes to stderr only
            traceback.print_exc()
            self.error = f"{type(exc).__name__}: {exc}"
            self.failed.emit(self.error)
        else:
            if self.progress.cancelled:
                self.cancelled.emit()
            else:
                self.succeeded.emit(self.result)
        finally:
            self._finished = True  # before ``done``: its slots may run while the thread is still exiting
            self.done.emit()

    def cancel(self) -> None:
        self.progress.cancel()

    def is_running(self) -> bool:
        """True from ``start`` until the function has returned (``done`` slots already see False)."""
        return self.thread is not None and not self._finished


class JobSlot:
    """At most one running job; a new one cancels (supersedes) the previous one."""

    def __init__(self):
        self.job: Job | None = None

    def start(self, job: Job) -> Job:
        old = self.job
        if old is not None and old.is_running():
            old.cancel()
        self.job = job
        return job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def is_current(self, job: Job) -> bool:
        return job is self.job
