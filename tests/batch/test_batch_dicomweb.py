"""Batch workers that share no disk: series chosen by QIDO-RS and retrieved by WADO-RS on each worker.

Real peers: Orthanc with its DICOMweb plugin and a `dask scheduler` with two `dask worker`
processes, all on loopback and stopped by PID. The cohort is uploaded to Orthanc by STOW-RS; the
run over DICOMweb must give the same rows as the run over the same files by path (the source
column apart), leave no temporary folder on the workers, and turn a series that cannot be
retrieved into a failure row.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("distributed", reason="dask[distributed] is not installed")

from workstation.batch.engine import run_batch  # noqa: E402
from workstation.batch.schema import RUN_COLUMNS  # noqa: E402
from workstation.batch.select import select_dicomweb  # noqa: E402
from workstation.batch.store import ResultStore, load_results  # noqa: E402
from workstation.batch.tasks import SeriesRef, TaskSpec, WebSource, run_task  # noqa: E402
from workstation.io.series import find_series  # noqa: E402
from workstation.testing.cohort import write_cohort  # noqa: E402
from workstation.testing.dask_cluster import loopback_cluster  # noqa: E402
from workstation.testing.orthanc import DICOMWEB_PLUGIN, PASSWORD, USER, free_port, start_orthanc, stop_pid  # noqa: E402

AUTH = {"user": USER, "password": PASSWORD}
N = 6


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(DICOMweb URL, cohort folder, truth): the cohort on disk and on Orthanc."""
    from workstation.net.web import put

    peer = start_orthanc(tmp_path_factory.mktemp("orthanc"), free_port())
    try:
        if DICOMWEB_PLUGIN is None:
            pytest.skip("Orthanc's DICOMweb plugin is not installed (Debian package orthanc-dicomweb)")
        url = peer.url + "/dicom-web"
        root = tmp_path_factory.mktemp("cohort")
        truth = write_cohort(root, N, seed=7)
        files = [f for s in find_series([root]) for f in s.files]
        res = put(url, files, auth=AUTH)
        assert (res.completed, res.failed) == (len(files), 0)
        yield url, root, truth
    finally:
        stop_pid(peer.proc)


@pytest.fixture(scope="module")
def cluster_tmp(tmp_path_factory):
    """A loopback cluster whose workers have their own TMPDIR (to see what they leave behind)."""
    tmp = tmp_path_factory.mktemp("worker-tmp")
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)
    try:
        with loopback_cluster(tmp_path_factory.mktemp("dask"), n_workers=2) as c:
            os.environ.pop("TMPDIR") if old is None else os.environ.__setitem__("TMPDIR", old)
            old = "restored"
            yield c, tmp
    finally:
        if old != "restored":
            os.environ.pop("TMPDIR", None) if old is None else os.environ.__setitem__("TMPDIR", old)


def _strip(rows):
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS and k != "source"} for r in rows]


def test_dicomweb_run_equals_path_run(served, cluster_tmp, tmp_path):
    url, root, truth = served
    cluster, worker_tmp = cluster_tmp
    spec = TaskSpec.parse("lesions")
    by_path = [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([root])]
    run_batch(by_path, spec, ResultStore(tmp_path / "path.parquet"), workers=0)
    remote = select_dicomweb(url, None, AUTH)
    assert sorted(r.series_uid for r in remote) == sorted(t["series_uid"] for t in truth)
    assert all(r.url == url and not r.files for r in remote)
    s = run_batch(remote, spec, ResultStore(tmp_path / "web.parquet"), scheduler=cluster.address, web=WebSource(AUTH))
    assert (s.done, s.failed) == (N, 0)
    p_rows, p_les, _ = load_results(tmp_path / "path.parquet")
    w_rows, w_les, _ = load_results(tmp_path / "web.parquet")
    assert all(r["status"] == "ok" for r in w_rows), [r["error"] for r in w_rows]
    assert _strip(p_rows) == _strip(w_rows)  # same numbers, same resume keys, same file counts
    assert p_les == w_les and len(w_les) == sum(len(t["lesions"]) for t in truth)
    assert {r["source"] for r in w_rows} == {url}
    assert len({r["worker"] for r in w_rows}) == 2  # both workers retrieved and quantified
    left = [p.name for p in worker_tmp.iterdir() if p.name.startswith("workstation-batch-")]
    assert left == [], f"temporary folders left on the workers: {left}"
    # the resume key is the series': a path run resumed over DICOMweb has nothing left to do
    again = run_batch(remote, spec, ResultStore(tmp_path / "path.parquet", resume=True), workers=0, web=WebSource(AUTH))
    assert (again.skipped, again.done) == (N, 0)


def test_select_over_qido_uses_study_series_and_header_fields(served):
    url, _, truth = served
    females = select_dicomweb(url, "sex=F", AUTH)
    assert sorted(r.series_uid for r in females) == sorted(t["series_uid"] for t in truth if t["sex"] == "F")
    flt = select_dicomweb(url, "tracer~FLT", AUTH)  # a header field: WADO-RS metadata of one instance
    assert sorted(r.series_uid for r in flt) == sorted(t["series_uid"] for t in truth if t["tracer"] == "Fluorothymidine")
    assert flt and len(flt) < N
    dated = select_dicomweb(url, f"date={truth[2]['study_date']}", AUTH)
    assert [r.series_uid for r in dated] == [truth[2]["series_uid"]]
    assert select_dicomweb(url, "modality=CT", AUTH) == []


def test_unretrievable_series_is_a_failure_row(served, tmp_path):
    url, _, truth = served
    first = next(r for r in select_dicomweb(url, None, AUTH) if r.series_uid == truth[0]["series_uid"])
    missing = SeriesRef("1.2.826.0.1.3680043.8.498.999", (), first.study_uid, url=url)
    row = run_task(missing, TaskSpec.parse("suv"), WebSource(AUTH, attempts=2, deadline_s=30))["series"]
    assert row["status"] == "failed" and "WADO-RS" in row["error"] and "no instance" in row["error"], row["error"]
    # a server that is gone: every try fails fast, within the deadline, and the row says so
    dead = SeriesRef(first.series_uid, (), first.study_uid, url=f"http://127.0.0.1:{free_port()}/dicom-web")
    t0 = time.monotonic()
    row = run_task(dead, TaskSpec.parse("suv"), WebSource(AUTH, attempts=3, deadline_s=20))["series"]
    assert time.monotonic() - t0 < 20
    assert row["status"] == "failed" and "after 3 attempt(s)" in row["error"] and "cannot connect" in row["error"]
    # wrong credentials: a failure row naming the HTTP status, never the password
    row = run_task(first, TaskSpec.parse("suv"),
                   WebSource({"user": USER, "password": "wrong-pw"}, attempts=1))["series"]
    assert row["status"] == "failed" and "401" in row["error"] and "wrong-pw" not in str(row)
    assert row["source"] == url


def test_cli_dicomweb_run(served, cluster_tmp, tmp_path):
    url, _, truth = served
    cluster, _ = cluster_tmp
    out = tmp_path / "cli.parquet"
    env = {**os.environ, "WORKSTATION_WEB_PASSWORD": PASSWORD}
    r = subprocess.run([sys.executable, "-m", "workstation.cli", "batch", "run", "--dicomweb", url, "--select",
                        "sex=M", "--user", USER, "--task", "suv", "--scheduler", cluster.address, "--out", str(out),
                        "--quiet"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    rows, _, meta = load_results(out)
    want = sorted(t["series_uid"] for t in truth if t["sex"] == "M")
    assert sorted(x["series_uid"] for x in rows) == want and all(x["status"] == "ok" for x in rows)
    assert meta["runs"][-1]["inputs"] == {"dicomweb": url, "select": "sex=M"}
    assert PASSWORD not in out.with_name("cli.run.json").read_text()
    bad = subprocess.run([sys.executable, "-m", "workstation.cli", "batch", "run", "--dicomweb", url, "/tmp",
                          "--task", "suv", "--out", str(tmp_path / "x.parquet")], capture_output=True, text=True)
    assert bad.returncode == 2 and "give one source" in bad.stderr
