"""Long work off the UI thread: a compute function, its progress and its cancel button.

Concept
-------
Compute functions (loading a study, importing, registration) take a plain
``workstation.tasks.progress.Progress`` and know nothing about Qt. ``Job`` runs one on a Python
thread and turns its progress, result and error into Qt signals, which Qt delivers on the UI
thread (queued across threads).

**Newest request wins**, one way for every panel: a ``JobSlot`` holds the current job of a kind
(loading, moving the PET, segmenting, whole-body detection). Starting a new job cancels the
older one, and whatever an older job still delivers (a result or an error that was already on
its way, possibly out of order) is dropped and counted in ``slot.dropped``: the callbacks given
to :meth:`JobSlot.start` run only for the slot's current job.
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
    """The current job of one kind: a new request cancels (supersedes) the previous one and only the
    current job's result or error reaches the callbacks (older deliveries are dropped and counted)."""

    def __init__(self):
        self.job: Job | None = None
        self.dropped = 0

    def start(self, job: Job, on_result=None, on_error=None) -> Job:
        """Make ``job`` the current one, cancel the previous one and start it.

        ``on_result(result)`` / ``on_error(message)`` run on the UI thread for this job only while
        it is still the current one.
        """
        old = self.job
        if old is not None and old.is_running():
            old.cancel()
        self.job = job
        if on_result is not None:
            job.succeeded.connect(lambda r, j=job: self.deliver(j, r, on_result))
        if on_error is not None:
            job.failed.connect(lambda m, j=job: self.deliver(j, m, on_error))
        return job.start()

    def deliver(self, job: Job, value, callback) -> bool:
        """Hand ``value`` to ``callback`` if ``job`` is the current job; else drop it (counted)."""
        if job is not self.job:
            self.dropped += 1
            return False
        callback(value)
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def clear(self) -> None:
        """Cancel the current job and forget it: nothing it delivers later is applied."""
        self.cancel()
        self.job = None

    def is_running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def is_current(self, job: Job) -> bool:
        return job is self.job


def show_progress(bar, fraction: float, message: str = "") -> None:
    """Show a job's progress on a QProgressBar of range 0..1000 (the message before the percentage)."""
    bar.setValue(int(fraction * 1000))
    bar.setFormat(f"{message} %p%" if message else "%p%")
