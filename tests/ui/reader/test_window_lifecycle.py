"""Windows clean up after themselves: 30 studies opened and closed in a row, each closed while its jobs
(loading, MIP, structures listing, whole-body detection, a seeded segmentation) are still in flight.

After each close no job of the window runs any more (closeEvent cancels and joins them); after the 30
the process has no worker thread left, none of the 30 windows or reading sessions is still alive, and the
resident memory (after the full collection and heap trim that a closed window leads to) is back within 10 %
of what it was after the first studies (a leak of one study per opening would be far more)."""

import threading
import weakref

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from workstation.tasks.collector import release_memory
from workstation.ui.reader.main_window import MainWindow
from workstation.ui.workers import running_jobs

pytestmark = [pytest.mark.gui, pytest.mark.slow]

N_STUDIES = 30


@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    """A PET/CT study small enough to open 30 times: a 40x64x64 CT and a 32x40x40 PET (one frame of reference)
    with a hot sphere, SUV headers from ``pet_factory``."""
    from pydicom.uid import generate_uid

    from workstation.testing.dicom_factory import write_series
    from workstation.testing.pet_factory import pet_dataset

    root = tmp_path_factory.mktemp("lifecycle")
    study, frame = generate_uid(), generate_uid()
    kk, jj, ii = np.indices((40, 64, 64))
    ct = np.where((jj - 32) ** 2 + (ii - 32) ** 2 < 26 ** 2, 40, -1000).astype(np.int16)
    write_series(root / "ct", ct, origin=(-128.0, -128.0, -100.0), spacing_ijk=(4.0, 4.0, 5.0), study_uid=study,
                 for_uid=frame)
    kk, jj, ii = np.indices((32, 40, 40))
    pet = np.where((jj - 20) ** 2 + (ii - 20) ** 2 < 16 ** 2, 2000, 0)
    pet = np.where((kk - 16) ** 2 + (jj - 20) ** 2 + (ii - 26) ** 2 < 4 ** 2, 12000, pet).astype(np.int16)
    header = {e.keyword: e.value for e in pet_dataset() if e.keyword not in ("SOPInstanceUID", "SeriesInstanceUID",
                                                                            "SOPClassUID", "Modality")}
    write_series(root / "pt", pet, origin=(-120.0, -120.0, -96.0), spacing_ijk=(6.0, 6.0, 6.0), modality="PT",
                 study_uid=study, for_uid=frame, extra=header, series_number=2)
    return root


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _settle(qtbot, ms: int = 50) -> None:
    """Deliver what the closed window's jobs had queued, delete the deferred Qt objects, collect on this thread."""
    for _ in range(3):
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, 0)  # includes DeferredDelete
        qtbot.wait(ms)
    release_memory()  # what the window's close leads to: a full collection, the free heap pages returned


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
    states["window"] = weakref.ref(w)
    states["session"] = weakref.ref(w.session) if w.session is not None else None
    return states


def test_thirty_studies_opened_and_closed_with_jobs_in_flight(qapp, qtbot, small_study, tmp_path):
    from workstation.io.db import StudyDB

    folder = small_study
    db = StudyDB(tmp_path / "studies.sqlite")
    threads_before = threading.active_count()
    rss_first = None
    seen_running = set()
    alive = []
    rss = []
    try:
        for i in range(N_STUDIES):
            close_at = ("loading", "displayed", "segmenting")[i % 3]
            states = _open_and_close(qtbot, db, folder, close_at)
            seen_running.update(states["running_before_close"])
            assert states["running_after_close"] == [], (i, close_at, states)
            _settle(qtbot)
            alive.append(states)
            rss.append(round(_rss_bytes() / 2**20))
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
    # (the last window is left out: the application may still hold its most recently active window)
    kept = [i for i, st in enumerate(alive[:-1]) if st["window"]() is not None or (st["session"] and st["session"]())]
    assert not kept, f"windows or sessions of closed studies still alive: {kept}"
    rss_last = _rss_bytes()
    assert rss_last <= 1.10 * rss_first, (rss_first / 2**20, rss_last / 2**20, rss)
