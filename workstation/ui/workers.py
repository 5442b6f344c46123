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

**Nothing outlives its window.** A job's Python thread keeps its ``Job`` (a QObject of the UI
thread) alive while it runs; the last reference must be dropped on the UI thread, never on the
worker (a QObject destroyed on another thread while Qt still has events queued for it crashes
the process). So a started job stays in a module registry until its ``done`` signal has been
delivered on the UI thread, which joins the finished thread and then releases it; the job's own
callbacks hold it only weakly (no reference cycle for a garbage collection to break on a worker
thread). A window stops its jobs when it closes (:func:`stop_jobs`: cancel and join; a slot forgets
its job, so what it had already queued is dropped), and :func:`stop_all` runs when the application
quits and at interpreter exit, so no worker thread runs while Qt or Python is being torn down.

**Windows own their jobs.** A job started by a slot (or given ``owner=``) belongs to a widget; a window's
``closeEvent`` calls :func:`stop_window_jobs`, which cancels every job owned by the window or by any
widget inside it, waits for their threads and makes their slots forget them.

**The garbage collector runs on the UI thread only** (:class:`MainThreadCollector`). Python's automatic
collection runs on whichever thread allocates when a threshold is crossed; a window caught in a
reference cycle would then be destroyed on a worker thread, which crashes Qt. The application (and
the test session) turns automatic collection off and collects on the UI thread with the same
generational thresholds.
"""

from __future__ import annotations

import atexit
import gc
import threading
import traceback
import weakref

import shiboken6
from PySide6.QtCore import QObject, Signal

from workstation.io.errors import DicomError
from workstation.tasks.collector import collect_if_due
from workstation.tasks.progress import Cancelled, Progress


_registry_lock = threading.Lock()
_started: set["Job"] = set()  # started jobs whose ``done`` has not yet been handled on the UI thread
_slots: "weakref.WeakSet[JobSlot]" = weakref.WeakSet()  # every slot that has an owner (found by stop_window_jobs)

STOP_TIMEOUT_S = 30.0  # how long closing a window waits for a cancelled job to reach its next progress check


def _emit_progress(ref, fraction: float, message: str) -> None:
    job = ref()
    if job is not None:
        job.progressed.emit(fraction, message)


def error_text(exc: BaseException) -> str:
    """What the user reads when a job fails: the message alone for the errors we raise on purpose (they
    say what is wrong and what to do: the typed DICOM errors of ``io.errors``, ValueError and OSError
    families); the exception's class in front of anything else (an unexpected failure, worth a bug report)."""
    text = str(exc).strip()
    if isinstance(exc, (DicomError, ValueError, OSError)) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Job(QObject):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, fn, *args, name: str = "job", owner=None, **kwargs):
        super().__init__()
        self.name = name
        #: the widget whose window stops this job when it closes (set by a slot with an owner, or given)
        self.owner = owner
        self._fn, self._args, self._kwargs = fn, args, kwargs
        ref = weakref.ref(self)  # weak: no job <-> progress cycle for a collector on a worker thread
        self.progress = Progress(lambda f, m: _emit_progress(ref, f, m))
        self.thread: threading.Thread | None = None
        self.result = None
        self.error: str | None = None
        self._finished = False
        self._settled = False

    def start(self) -> "Job":
        with _registry_lock:
            _started.add(self)
        self.done.connect(self._release)  # queued to the UI thread (the job's thread affinity)
        self.thread = threading.Thread(target=self._run, name=f"workstation-{self.name}", daemon=True)
        self.thread.start()
        return self

    def _release(self) -> None:
        """On the UI thread after ``done``: join the finished thread, then drop the registry's reference
        (so the job's last reference is never dropped on the worker thread)."""
        if self.thread is not None:
            self.thread.join(5.0)
        self._settled = True
        with _registry_lock:
            _started.discard(self)

    def _run(self) -> None:
        try:
            self.result = self._fn(*self._args, progress=self.progress, **self._kwargs)
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # shown to the user; the traceback goes to stderr only
            traceback.print_exc()
            self.error = error_text(exc)
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

    def is_settled(self) -> bool:
        """True once ``done`` has been handled on the UI thread: the slots of ``succeeded`` / ``failed`` /
        ``cancelled`` (queued before ``done``, so delivered before it) have all run. ``is_running`` turns
        False on the worker thread, before those queued slots run: wait on this to read what they did."""
        return self._settled

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has (or never started)."""
        if self.thread is None:
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Cancel and wait for the thread to end (the function stops at its next progress check); an ended
        job leaves the registry at once (we are on the UI thread, its events still queued go with it)."""
        self.cancel()
        ended = self.join(timeout)
        if ended and threading.current_thread() is threading.main_thread():
            with _registry_lock:
                _started.discard(self)
        return ended


class JobSlot:
    """The current job of one kind: a new request cancels (supersedes) the previous one and only the
    current job's result or error reaches the callbacks (older deliveries are dropped and counted)."""

    def __init__(self, owner=None):
        self.job: Job | None = None
        self.dropped = 0
        #: the widget the results go to: once Qt has deleted it (its window closed), nothing is delivered;
        #: its window stops the slot's job when it closes (``stop_window_jobs``)
        self.owner = owner
        if owner is not None:
            _slots.add(self)

    def start(self, job: Job, on_result=None, on_error=None) -> Job:
        """Make ``job`` the current one, cancel the previous one and start it.

        ``on_result(result)`` / ``on_error(message)`` run on the UI thread for this job only while
        it is still the current one.
        """
        old = self.job
        if old is not None and old.is_running():
            old.cancel()
        self.job = job
        if job.owner is None:
            job.owner = self.owner
        ref = weakref.ref(job)  # the job's own connections hold it weakly (see the module's notes)
        if on_result is not None:
            job.succeeded.connect(lambda r, j=ref: self.deliver(j(), r, on_result))
        if on_error is not None:
            job.failed.connect(lambda m, j=ref: self.deliver(j(), m, on_error))
        return job.start()

    def deliver(self, job: Job, value, callback) -> bool:
        """Hand ``value`` to ``callback`` if ``job`` is the current job; else drop it (counted)."""
        if job is not self.job:
            self.dropped += 1
            return False
        if self.owner is not None and not shiboken6.isValid(self.owner):  # its window is gone
            self.job = None
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

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Forget the current job (nothing it delivers later is applied), cancel it and wait for its thread."""
        job, self.job = self.job, None
        return True if job is None else job.stop(timeout)

    def is_current(self, job: Job) -> bool:
        return job is self.job


def running_jobs() -> list[Job]:
    """Started jobs whose thread is still running."""
    with _registry_lock:
        return [j for j in _started if j.is_running()]


def stop_jobs(*items, timeout: float = STOP_TIMEOUT_S) -> list[str]:
    """Cancel and join the given jobs and job slots of a closing window (all cancelled first, so they stop
    in parallel; a slot forgets its job, so nothing it still delivers is applied). Returns the names
    of jobs still running after ``timeout`` (normally none)."""
    items = [i for i in items if isinstance(i, (Job, JobSlot))]
    for item in items:
        job = item.job if isinstance(item, JobSlot) else item
        if job is not None:
            job.cancel()
    stuck = []
    for item in items:
        job = item.job if isinstance(item, JobSlot) else item
        if not item.stop(timeout) and job is not None:
            stuck.append(job.name)
    return stuck


def _inside(obj, window) -> bool:
    """True when the QObject ``obj`` is ``window`` or one of its descendants (both still alive)."""
    if obj is None or not shiboken6.isValid(obj) or not shiboken6.isValid(window):
        return False
    while obj is not None:
        if obj is window:
            return True
        obj = obj.parent()
    return False


def stop_window_jobs(window, timeout: float = STOP_TIMEOUT_S) -> list[str]:
    """Cancel and join every job owned by ``window`` or a widget inside it (a closing window): their slots
    forget them (nothing they still deliver is applied). Returns the names of jobs still running after
    ``timeout`` (normally none)."""
    slots = [s for s in list(_slots) if _inside(s.owner, window)]
    with _registry_lock:
        jobs = [j for j in _started if j.is_running() and _inside(j.owner, window)]
    for s in slots:
        jobs += [s.job] if s.job is not None and s.job not in jobs else []
    return stop_jobs(*slots, *jobs, timeout=timeout)


def stop_all(timeout: float = STOP_TIMEOUT_S) -> list[str]:
    """Cancel and join every running job of the process (application quit, interpreter exit)."""
    jobs = running_jobs()
    for j in jobs:
        j.cancel()
    return [j.name for j in jobs if not j.join(timeout)]


def _stop_at_exit() -> None:
    """Interpreter exit: cancel and join the running jobs (no event delivery: Qt may be half torn down)."""
    jobs = running_jobs()
    for j in jobs:
        j.cancel()
    for j in jobs:
        j.join(10.0)


atexit.register(_stop_at_exit)  # no worker thread still running while the interpreter shuts down


def show_progress(bar, fraction: float, message: str = "") -> None:
    """Show a job's progress on a QProgressBar of range 0..1000 (the message before the percentage)."""
    bar.setValue(int(fraction * 1000))
    bar.setFormat(f"{message} %p%" if message else "%p%")


class MainThreadCollector(QObject):
    """Turns Python's automatic garbage collection off and collects on the UI thread, from a timer, instead
    (see the module's notes). ``stop()`` turns automatic collection back on."""

    INTERVAL_MS = 500

    def __init__(self, parent=None):
        from PySide6.QtCore import QTimer

        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        collect_if_due()

    def stop(self) -> None:
        self.timer.stop()
        if self._was_enabled:
            gc.enable()
