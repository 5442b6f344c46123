"""Batch runs on a real Dask engine: a `dask scheduler` and `dask worker` processes on loopback.

Synthetic cohorts of tiny PET studies (workstation.testing.cohort, truth computed by hand):
results identical to a plain serial loop; a worker killed with SIGKILL mid-run; Ctrl-C then
--resume; a corrupt series gives a failure row and the rest complete. The 200-study versions are
marked slow.
"""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="dask[distributed] is not installed")

from workstation.batch.engine import run_batch  # noqa: E402
from workstation.batch.schema import RUN_COLUMNS  # noqa: E402
from workstation.batch.store import ResultStore, load_results, read_journal  # noqa: E402
from workstation.batch.tasks import SeriesRef, TaskSpec  # noqa: E402
from workstation.io.series import find_series  # noqa: E402
from workstation.testing.cohort import write_cohort  # noqa: E402
from workstation.testing.dask_cluster import loopback_cluster  # noqa: E402

N_DEFAULT = 24
CORRUPT = (3,)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    truth = write_cohort(root, N_DEFAULT, seed=1, corrupt=CORRUPT)
    return root, truth


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with loopback_cluster(tmp_path_factory.mktemp("dask"), n_workers=2) as c:
        yield c


def _refs(root):
    return [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([root])]


def _strip(rows):
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows]


def _check_against_truth(series, lesions, truth):
    by_uid = {t["series_uid"]: t for t in truth}
    assert len(series) == len(truth)
    for row in series:
        t = by_uid[row["series_uid"]]
        if t["corrupt"]:
            assert row["status"] == "failed" and "truncated" in row["error"], row["error"]
            continue
        assert row["status"] == "ok", row["error"]
        assert row["suv_factor"] == pytest.approx(t["suv_factor"], rel=1e-6)  # weight / decayed dose, by hand
        assert row["n_lesions"] == len(t["lesions"])
        # SUVmax: the hottest lesion's SUV, up to the int16 quantisation of the stored values
        tol = t["slope"] * t["suv_factor"]
        assert abs(row["suvmax"] - max(x["suv"] for x in t["lesions"])) <= tol
        assert row["tmtv_ml"] == pytest.approx(sum(x["mtv_ml"] for x in t["lesions"]), rel=1e-9)
        assert row["liver_suvmean"] == pytest.approx(t["liver_suv"], rel=0.03)
        mine = sorted(x["mtv_ml"] for x in lesions if x["result_key"] == row["result_key"])
        assert mine == pytest.approx(sorted(x["mtv_ml"] for x in t["lesions"]))


def test_dask_run_matches_serial_and_truth(cohort, cluster, tmp_path):
    root, truth = cohort
    spec = TaskSpec.parse("lesions")
    serial = run_batch(_refs(root), spec, ResultStore(tmp_path / "serial.parquet"), workers=0)
    dask = run_batch(_refs(root), spec, ResultStore(tmp_path / "dask.parquet"), scheduler=cluster.address)
    assert serial.done == dask.done == N_DEFAULT and serial.failed == dask.failed == len(CORRUPT)
    s_rows, s_les, _ = load_results(tmp_path / "serial.parquet")
    d_rows, d_les, meta = load_results(tmp_path / "dask.parquet")
    assert _strip(s_rows) == _strip(d_rows)
    assert s_les == d_les and len(d_les) == sum(len(t["lesions"]) for t in truth if not t["corrupt"])
    _check_against_truth(d_rows, d_les, truth)
    assert len({r["worker"] for r in d_rows if r["worker"]}) == 2  # both workers ran tasks
    assert meta["runs"][0]["workers"] == 2 and meta["runs"][0]["scheduler"] == cluster.address
    # the CSV copy holds the same rows
    import pyarrow.csv as pacsv

    assert pacsv.read_csv(tmp_path / "dask.csv").num_rows == N_DEFAULT


def _cli(*args):
    return [sys.executable, "-m", "workstation.cli", "batch", "run", *map(str, args)]


def _wait_lines(journal: Path, n: int, proc, timeout=300.0) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if journal.is_file():
            k = journal.read_bytes().count(b"\n")
            if k >= n:
                return k
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {n} results: {proc.communicate()}")
        time.sleep(0.02)
    raise AssertionError("timed out waiting for results")


def _sigkill_run(root, n, tmp_path, folder_name):
    with loopback_cluster(tmp_path / folder_name, n_workers=2) as c:
        out = tmp_path / "killed.parquet"
        journal = tmp_path / "killed.journal.jsonl"
        proc = subprocess.Popen(_cli(root, "--task", "lesions", "--scheduler", c.address, "--out", out),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        at_kill = _wait_lines(journal, 3, proc)
        pid = c.kill_worker(0)
        assert c.workers[0].poll() is not None, f"worker {pid} still alive"
        stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert at_kill < n, "the run finished before the worker was killed: the test proves nothing"
    keys = [json.loads(line)["series"]["result_key"] for line in journal.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == n  # every series recorded exactly once
    rows, _, meta = load_results(out)
    assert len(rows) == n and meta["runs"][-1]["completed"] == n
    return rows


def test_worker_killed_midrun_completes_every_series_once(tmp_path):
    n = 40
    write_cohort(tmp_path / "c", n, seed=2)
    rows = _sigkill_run(tmp_path / "c", n, tmp_path, "dask")
    assert all(r["status"] == "ok" for r in rows), [r["error"] for r in rows if r["status"] != "ok"]


def _interrupt_and_resume(root, n, cluster, tmp_path):
    out = tmp_path / "res.parquet"
    journal = tmp_path / "res.journal.jsonl"
    proc = subprocess.Popen(_cli(root, "--task", "suv", "--scheduler", cluster.address, "--out", out),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_lines(journal, 3, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err
    first = journal.read_text().splitlines()
    done_first = {json.loads(x)["series"]["result_key"] for x in first}
    assert 3 <= len(first) < n, "interrupt came too late to test resume"
    assert out.is_file()  # the tables of what finished are written on interrupt
    # without --resume the existing result set is refused
    r = subprocess.run(_cli(root, "--task", "suv", "--scheduler", cluster.address, "--out", out),
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--resume" in r.stderr
    r = subprocess.run(_cli(root, "--task", "suv", "--scheduler", cluster.address, "--out", out, "--resume"),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"{len(first)} already done (skipped)" in r.stderr
    lines = journal.read_text().splitlines()
    assert lines[: len(first)] == first  # nothing finished was touched
    later = [json.loads(x)["series"]["result_key"] for x in lines[len(first):]]
    assert not set(later) & done_first  # ... nor redone
    assert len(set(later)) == len(later) == n - len(first)
    rows, _, meta = load_results(out)
    assert len(rows) == n and len(meta["runs"]) == 2 and meta["runs"][0]["interrupted"]


def test_interrupt_then_resume_redoes_nothing_finished(cluster, tmp_path):
    n = 40
    write_cohort(tmp_path / "c", n, seed=3)
    _interrupt_and_resume(tmp_path / "c", n, cluster, tmp_path)


def test_resume_skips_same_parameters_only(cohort, tmp_path):
    root, _ = cohort
    refs = _refs(root)[:4]
    store = ResultStore(tmp_path / "r.parquet")
    run_batch(refs, TaskSpec.parse("suv"), store, workers=0)
    again = run_batch(refs, TaskSpec.parse("suv"), ResultStore(tmp_path / "r.parquet", resume=True), workers=0)
    assert again.skipped == 4 and again.done == 0
    other = run_batch(refs, TaskSpec.parse("suv", suv_type="bsa"),
                      ResultStore(tmp_path / "r.parquet", resume=True), workers=0)
    assert other.skipped == 0 and other.done == 4  # other parameters: other results
    assert len(read_journal(tmp_path / "r.journal.jsonl")) == 8


@pytest.mark.slow
def test_200_studies_match_serial_and_survive_sigkill(tmp_path):
    n = 200
    truth = write_cohort(tmp_path / "c", n, seed=4, corrupt=(17,))
    spec = TaskSpec.parse("lesions")
    refs = _refs(tmp_path / "c")
    run_batch(refs, spec, ResultStore(tmp_path / "serial.parquet"), workers=0)
    with loopback_cluster(tmp_path / "dask1", n_workers=2) as c:
        run_batch(refs, spec, ResultStore(tmp_path / "dask.parquet"), scheduler=c.address)
        s_rows, s_les, _ = load_results(tmp_path / "serial.parquet")
        d_rows, d_les, _ = load_results(tmp_path / "dask.parquet")
        assert _strip(s_rows) == _strip(d_rows) and s_les == d_les
        _check_against_truth(d_rows, d_les, truth)
        _interrupt_and_resume(tmp_path / "c", n, c, tmp_path)
    rows = _sigkill_run(tmp_path / "c", n, tmp_path, "dask2")
    assert sum(r["status"] != "ok" for r in rows) == 1


def test_local_cluster_workers_run_without_the_profiler(cohort, tmp_path, monkeypatch):
    """The local workers leave out Dask's statistical profiler and tick their event loop every 200 ms,
    not 20 (CPU beside the tasks all run long); the environment variable still decides when it is set."""
    root, _ = cohort
    refs = _refs(root)[:2]
    monkeypatch.delenv("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED", raising=False)
    run_batch(refs, TaskSpec.parse("suv"), ResultStore(tmp_path / "a.parquet"), workers=1)
    run = load_results(tmp_path / "a.parquet")[2]["runs"][0]
    assert run["worker_profiler"] is False and run["worker_tick_interval"] == ["200ms"]
    monkeypatch.setenv("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED", "True")
    monkeypatch.setenv("DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL", "50ms")
    import dask

    dask.config.refresh()
    try:
        run_batch(refs, TaskSpec.parse("suv"), ResultStore(tmp_path / "b.parquet"), workers=1)
    finally:
        monkeypatch.delenv("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED")
        monkeypatch.delenv("DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL")
        dask.config.refresh()
    run = load_results(tmp_path / "b.parquet")[2]["runs"][0]
    assert run["worker_profiler"] is True and run["worker_tick_interval"] == ["50ms"]
