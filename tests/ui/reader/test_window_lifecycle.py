"""Windows clean up after themselves: 30 studies opened and closed in a row, each closed while its jobs
(loading, MIP, structures listing, whole-body detection, a seeded segmentation) are still in flight.

After each close no job of the window runs any more (closeEvent cancels and joins them); after the 30
the process has no worker thread left and its resident memory is back within 10 % of what it was after
the first study (a leak of one study per opening would be far more)."""

import gc
import threading

import pytest
from PySide6.QtWidgets import QApplication

from workstation.ui.reader.main_window import MainWindow
from workstation.ui.workers import running_jobs

pytestmark = [pytest.mark.gui, pytest.mark.slow]

N_STUDIES = 30


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _settle(qtbot, ms: int = 50) -> None:
    """Deliver what the closed window's jobs had queued, delete the deferred Qt objects, collect on this thread."""
    for _ in range(3):
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, 0)  # includes DeferredDelete
        qtbot.wait(ms)
    gc.collect()


def _open_and_close(qtbot, db, folder, close_at: str) -> dict:
    w = MainWindow(db)
    w.resize(700, 500)
    w.show()
    w.load_folder(str(folder))
    states = {}
    if close_at != "loading":
        qtbot.waitUntil(lambda: w.session is not None, timeout=60_000)
        w.set_layout("grid")
        if close_at == "segmenting":
            w.voi_panel.detect_whole_body()
            s = w.session
            centre = s.pet.geometry.kji_to_world([(n - 1) / 2 for n in s.pet.array.shape])
            w.voi_panel.segment_pet(centre)
    states["running_before_close"] = sorted(j.name for j in running_jobs())
    w.close()
    # the window's jobs were cancelled and joined by closeEvent: none of them runs any more
    states["running_after_close"] = sorted(j.name for j in running_jobs())
    w.deleteLater()
    return states


def test_thirty_studies_opened_and_closed_with_jobs_in_flight(qapp, qtbot, demo_study, tmp_path):
    from workstation.io.db import StudyDB

    folder, _truth = demo_study
    db = StudyDB(tmp_path / "studies.sqlite")
    threads_before = threading.active_count()
    rss_first = None
    seen_running = set()
    try:
        for i in range(N_STUDIES):
            close_at = ("loading", "displayed", "segmenting")[i % 3]
            states = _open_and_close(qtbot, db, folder, close_at)
            seen_running.update(states["running_before_close"])
            assert states["running_after_close"] == [], (i, close_at, states)
            _settle(qtbot)
            if i == 2:  # one of each kind done: the caches and the compiled kernels are warm
                rss_first = _rss_bytes()
    finally:
        db.close()
    _settle(qtbot, 100)
    assert running_jobs() == []
    names = [t.name for t in threading.enumerate()]
    assert not [n for n in names if n.startswith("workstation-")], names  # no worker thread left
    assert threading.active_count() <= threads_before, names
    # the jobs really were in flight when the windows closed (else this test would prove nothing)
    assert "load" in seen_running, seen_running
    assert seen_running & {"mip", "structures", "whole-body", "segment"}, seen_running
    rss_last = _rss_bytes()
    assert rss_last <= 1.10 * rss_first, (rss_first / 2**20, rss_last / 2**20)
