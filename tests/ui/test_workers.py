"""One way to run long work: a JobSlot applies only its current job's result; older deliveries are dropped."""

import threading

import pytest

from workstation.ui.workers import Job, JobSlot

pytestmark = pytest.mark.gui


def _wait(qtbot, job):
    qtbot.waitUntil(lambda: job.is_settled(), timeout=10_000)


def test_newest_request_wins_even_out_of_order(qtbot):
    slot = JobSlot()
    applied, errors = [], []
    release = threading.Event()

    def slow(value, progress=None):
        assert release.wait(10)
        return value

    first = slot.start(Job(slow, "first"), on_result=applied.append, on_error=errors.append)
    second = slot.start(Job(lambda value, progress=None: value, "second"), on_result=applied.append,
                        on_error=errors.append)
    assert first.progress.cancelled  # the newer request cancelled the older one
    _wait(qtbot, second)
    qtbot.waitUntil(lambda: applied == ["second"], timeout=10_000)
    release.set()
    _wait(qtbot, first)
    qtbot.wait(50)
    assert applied == ["second"] and not errors
    assert slot.deliver(first, "late", applied.append) is False and slot.dropped == 1  # a late result is dropped
    assert slot.deliver(second, "again", applied.append) is True and applied == ["second", "again"]


def test_errors_of_superseded_jobs_are_dropped_and_clear_forgets(qtbot):
    slot = JobSlot()
    errors = []

    def boom(progress=None):
        raise ValueError("bad")

    job = slot.start(Job(boom), on_error=errors.append)
    _wait(qtbot, job)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=10_000)
    assert "bad" in errors[0]
    slot.clear()
    assert slot.job is None and not slot.is_running()
    assert slot.deliver(job, "late error", errors.append) is False and len(errors) == 1


# ----------------------------------------------------------------------------- lifetime: nothing outlives its window
def _blocking(progress=None):
    """Runs until cancelled (checks its progress every 10 ms), like a long load."""
    while True:
        progress.update(0.5, "working")
        threading.Event().wait(0.01)


def test_closing_a_window_cancels_and_joins_its_jobs(qtbot):
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    from workstation.ui import workers

    class Panel(QWidget):  # a child panel with a slot of its own, like the browser or the VOI panel
        def __init__(self):
            super().__init__()
            self.jobs = JobSlot()

    class Window(QWidget):
        def __init__(self):
            super().__init__()
            self.slot = JobSlot()
            self.panel = Panel()
            self.label = QLabel("")
            lay = QVBoxLayout(self)
            lay.addWidget(self.panel)
            lay.addWidget(self.label)

        def closeEvent(self, ev):
            workers.stop_jobs(self.slot, self.panel.jobs)
            super().closeEvent(ev)

    win = Window()
    qtbot.addWidget(win)
    a = win.slot.start(Job(_blocking, name="a"))
    b = win.panel.jobs.start(Job(_blocking, name="b"))
    b.progressed.connect(lambda f, m: win.label.setText(m))  # a receiver that dies with the window
    qtbot.waitUntil(lambda: win.label.text() == "working", timeout=10_000)
    assert a.thread.is_alive() and b.thread.is_alive()
    win.close()
    # close returned only after both threads ended: none is left to deliver into a deleted window
    assert not a.thread.is_alive() and not b.thread.is_alive()
    assert a.progress.cancelled and b.progress.cancelled
    assert win.slot.job is None and win.panel.jobs.job is None
    assert a not in workers.running_jobs() and b not in workers.running_jobs()


def test_the_last_reference_to_a_job_is_dropped_on_the_ui_thread(qtbot):
    """A QObject destroyed on a worker thread while Qt has events queued for it crashes the process:
    every job, superseded, failed, cancelled or finished, is freed on the UI thread."""
    import gc
    import weakref

    freed_on = []
    slot = JobSlot()
    jobs = []
    for i in range(12):
        fn = (lambda progress=None, i=i: i) if i % 3 else (lambda progress=None: 1 / 0)
        job = slot.start(Job(fn, name=f"j{i}"), on_result=lambda r: None, on_error=lambda m: None)
        weakref.finalize(job, lambda: freed_on.append(threading.current_thread().name))
        jobs.append(weakref.ref(job))
        del job
    qtbot.waitUntil(lambda: all(j() is None or j().is_settled() for j in jobs), timeout=20_000)
    slot.clear()
    qtbot.waitUntil(lambda: gc.collect() >= 0 and len(freed_on) == 12, timeout=20_000)
    assert set(freed_on) == {threading.main_thread().name}


def test_stop_all_joins_every_running_job(qtbot):
    from workstation.ui import workers

    jobs = [Job(_blocking, name=f"s{i}").start() for i in range(3)]
    qtbot.waitUntil(lambda: all(j.progress.fraction == 0.5 for j in jobs), timeout=10_000)
    assert set(jobs) <= set(workers.running_jobs())
    assert workers.stop_all(10.0) == []
    assert all(not j.thread.is_alive() for j in jobs)
    assert not set(jobs) & set(workers.running_jobs())


def test_a_failed_job_shows_our_message_alone_and_names_an_unexpected_exception(qtbot):
    """Errors raised on purpose (ValueError / OSError families: they say what is wrong and what to do) reach
    the user as their message; anything else keeps its class name in front (a bug to report)."""
    from workstation.io.errors import NoSeriesError
    from workstation.ui.workers import error_text

    assert error_text(ValueError("the PET has no weight")) == "the PET has no weight"
    assert error_text(FileNotFoundError(2, "No such file", "/x")) == "[Errno 2] No such file: '/x'"
    assert error_text(KeyError("k")) == "KeyError: 'k'"
    assert error_text(RuntimeError()) == "RuntimeError"
    assert error_text(NoSeriesError("no PET or CT series in /data/x")) == "no PET or CT series in /data/x"

    def boom(progress=None):
        raise ValueError("slice 3 of the PET is truncated")

    def bug(progress=None):
        return {}["missing"]

    for fn, want in ((boom, "slice 3 of the PET is truncated"), (bug, "KeyError: 'missing'")):
        errors = []
        job = JobSlot().start(Job(fn), on_error=errors.append)
        _wait(qtbot, job)
        qtbot.waitUntil(lambda: len(errors) == 1, timeout=10_000)
        assert errors == [want] and job.error == want


def test_a_slot_delivers_nothing_to_a_deleted_owner(qtbot):
    """A result arriving after its widget's window closed (Qt deleted the widget) is dropped, not applied
    to a dead C++ object."""
    import shiboken6
    from PySide6.QtWidgets import QLabel

    label = QLabel("waiting")
    slot = JobSlot(owner=label)
    got = []
    go = threading.Event()

    def work(progress=None):
        go.wait(5.0)
        return "done"

    job = slot.start(Job(work), on_result=lambda r: (got.append(r), label.setText(r)))
    shiboken6.delete(label)  # the window closed while the job ran
    go.set()
    _wait(qtbot, job)
    qtbot.wait(50)
    assert got == [] and slot.dropped == 1 and slot.job is None


def test_settled_means_the_result_slots_have_run(qtbot):
    """``is_running`` turns False on the worker thread, before the queued ``succeeded`` slots run on the
    UI thread; ``is_settled`` waits for them (a dialog's status text, set by such a slot, is then final)."""
    seen = []
    release = threading.Event()
    job = Job(lambda progress=None: release.wait(10) and "ok", name="settle")
    job.succeeded.connect(seen.append)
    job.start()
    release.set()
    job.join(10)  # the function has returned: no longer running, but its result is still queued
    assert not job.is_running() and not job.is_settled() and seen == []
    qtbot.waitUntil(job.is_settled, timeout=10_000)
    assert seen == ["ok"]
