"""The batch results browser: a real results file (serial batch run over a synthetic cohort), sorted
and filtered in the window; a row opened in the real reading window finds the same lesions."""

import pytest

from workstation.batch.engine import run_batch
from workstation.batch.store import ResultStore
from workstation.batch.tasks import SeriesRef, TaskSpec
from workstation.io.series import find_series
from workstation.testing.cohort import write_cohort
from workstation.ui.batch.results_window import BatchResultsWindow, open_in_viewer

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    truth = write_cohort(root, 5, seed=21, corrupt=(2,))
    refs = [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([root])]
    out = root / "r.parquet"
    run_batch(refs, TaskSpec.parse("lesions"), ResultStore(out), workers=0)
    return out, truth


def _shown(win, column):
    c = [k for k, _ in win.series_model.columns].index(column)
    return [win.series_proxy.index(r, c).data() for r in range(win.series_proxy.rowCount())]


def test_sort_filter_select_and_open(results, qtbot):
    out, truth = results
    win = BatchResultsWindow()
    qtbot.addWidget(win)
    assert win.open_results(out)
    assert win.series_proxy.rowCount() == 5 and "5 of 5" in win.count_label.text()
    col = [k for k, _ in win.series_model.columns].index("suvmax")
    win.series_view.sortByColumn(col, win.series_view.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    best = max(max(x["suv"] for x in t["lesions"]) for t in truth if not t["corrupt"])
    assert float(_shown(win, "suvmax")[0]) == pytest.approx(best, abs=1e-2)  # numeric sort, largest first
    assert _shown(win, "suvmax")[-1] == ""  # the failed row has none: it sorts last in descending order
    win.status_box.setCurrentIndex(win.status_box.findData("failed"))
    assert win.series_proxy.rowCount() == 1 and "truncated" in _shown(win, "error")[0]
    win.status_box.setCurrentIndex(0)
    win.filter_edit.setText("s0004")  # the folder name, any case
    assert _shown(win, "source") == ["S0004"]
    win.series_view.selectRow(0)
    t4 = next(t for t in truth if t["folder"].endswith("S0004"))
    assert win.lesion_model.rowCount() == len(t4["lesions"])
    got = []
    win.open_requested.connect(lambda row, les: got.append((row, les)))
    assert win.study_button.isEnabled()
    win.study_button.click()
    assert got and got[0][0]["series_uid"] == t4["series_uid"] and len(got[0][1]) == len(t4["lesions"])
    win.filter_edit.setText("no-such-series")
    assert win.series_proxy.rowCount() == 0 and not win.study_button.isEnabled()


def test_bad_file_is_said_not_raised(tmp_path, qtbot):
    win = BatchResultsWindow()
    qtbot.addWidget(win)
    assert not win.open_results(tmp_path / "missing.parquet")
    assert "cannot open" in win.path_label.text()


def test_row_opens_in_the_reading_window_with_its_lesions(results, qtbot, tmp_path, monkeypatch):
    from workstation.batch.store import load_results
    from workstation.ui.reader.main_window import MainWindow

    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path / "data"))
    out, truth = results
    series, lesions, _ = load_results(out)
    row = next(r for r in series if r["status"] == "ok" and r["n_lesions"] == 2)
    mine = sorted(x["suvmax"] for x in lesions if x["result_key"] == row["result_key"])
    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    win = w.show_batch_results(out)
    assert win.series_model.rowCount() == 5
    open_in_viewer(w, row)
    panel = w.voi_panel
    qtbot.waitUntil(lambda: w.session is not None and panel.model is not None
                    and len([v for v in panel.model.vois.values() if v.source == "whole-body"]) == 2, timeout=120_000)
    assert w.session.pet.series_uid == row["series_uid"]
    got = sorted(v.stats.max for v in panel.model.vois.values() if v.source == "whole-body")
    assert got == pytest.approx(mine, rel=1e-5)
    assert panel.model.reference("liver") is not None  # placed where the batch found it
    w.cancel_work()
    win.close()
    w.close()


def test_brain_rows_show_their_regions_and_remote_rows_do_not_open(tmp_path, qtbot):
    from workstation.batch.store import load_level
    from workstation.testing.brain_cohort import make_subject, write_dicom

    vol, t = make_subject(803, "normal", voxel_mm=6.0)
    write_dicom(vol, t, tmp_path / "b")
    refs = [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([tmp_path / "b"])]
    out = tmp_path / "brain.parquet"
    run_batch(refs, TaskSpec.parse("brain", grid_mm=8.0), ResultStore(out), workers=0)
    win = BatchResultsWindow()
    qtbot.addWidget(win)
    assert win.open_results(out)
    win.series_view.selectRow(0)
    regions = load_level(out, "regions")
    assert win.lesion_model.rowCount() == len(regions) > 0
    assert [c for c, _ in win.lesion_model.columns][:3] == ["region", "hemisphere", "suvr"]
    assert win.lesion_model.index(0, 0).data() == regions[0]["region"]
    assert win.study_button.isEnabled()
    # a row read over DICOMweb: its source is a URL, not a folder the reading window can open
    row = dict(win.series_model.rows[0], source="http://127.0.0.1:8042/dicom-web")
    win.set_results([row], [], {}, regions)
    win.series_view.selectRow(0)
    assert win.lesion_model.rowCount() == len(regions) and not win.study_button.isEnabled()
