"""One way to run long work: a JobSlot applies only its current job's result; older deliveries are dropped."""

import threading

import pytest

from workstation.ui.workers import Job, JobSlot

pytestmark = pytest.mark.gui


def _wait(qtbot, job):
    qtbot.waitUntil(lambda: not job.is_running(), timeout=10_000)


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
