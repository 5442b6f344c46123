"""`--cluster slurm|pbs`: the dask-jobqueue cluster a batch run would start (no SLURM or PBS here).

What can be checked without a batch system: the job script dask-jobqueue generates holds the
requested cores, memory, walltime, queue and extra directives and the worker command (one thread
per worker process, every core a process); the CLI prints it; a missing dask-jobqueue is one line.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from workstation.batch.engine import jobqueue_cluster, parse_cluster_options
from workstation.batch.tasks import BatchError


def _script(kind, *items):
    pytest.importorskip("dask_jobqueue", reason="dask-jobqueue (optional) is not installed")
    cluster = jobqueue_cluster(kind, parse_cluster_options(items))
    try:
        return cluster.job_script(), cluster.scheduler_address
    finally:
        cluster.close()


def test_slurm_job_script_holds_the_request():
    script, address = _script("slurm", "cores=4", "memory=8GB", "walltime=01:30:00", "queue=short",
                              "account=nucmed", 'job_extra_directives=["--gres=gpu:1"]')
    lines = script.splitlines()
    for want in ("#SBATCH --cpus-per-task=4", "#SBATCH --mem=8G", "#SBATCH -t 01:30:00", "#SBATCH -p short",
                 "#SBATCH -A nucmed", "#SBATCH --gres=gpu:1"):
        assert want in lines, (want, script)
    worker = next(ln for ln in lines if "dask_worker" in ln or "dask worker" in ln)
    assert address in worker
    assert re.search(r"--nthreads 1\b", worker) and re.search(r"--nworkers 4\b", worker), worker  # 4 processes x 1 thread
    assert re.search(r"--memory-limit 1\.86GiB", worker), worker  # 8 GB shared by the 4 processes


def test_pbs_job_script_holds_the_request():
    script, address = _script("pbs", "cores=2", "memory=4GB", "walltime=00:30:00", "processes=1")
    assert re.search(r"#PBS -l select=1:ncpus=2:mem=\d+MB", script), script
    assert "#PBS -l walltime=00:30:00" in script
    worker = next(ln for ln in script.splitlines() if "dask_worker" in ln or "dask worker" in ln)
    assert address in worker and "--nthreads 2" in worker and "--nworkers" not in worker  # processes given: kept


def test_cli_prints_the_job_script():
    pytest.importorskip("dask_jobqueue", reason="dask-jobqueue (optional) is not installed")
    r = subprocess.run([sys.executable, "-m", "workstation.cli", "batch", "run", "--task", "suv", "--cluster", "slurm",
                        "--cluster-option", "cores=2", "--cluster-option", "memory=4GB", "--cluster-option",
                        "walltime=00:20:00", "--print-job-script"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "#SBATCH --cpus-per-task=2" in r.stdout and "#SBATCH -t 00:20:00" in r.stdout
    r = subprocess.run([sys.executable, "-m", "workstation.cli", "batch", "run", "--task", "suv", "--cluster", "pbs",
                        "--cluster-option", "cores=2", "--print-job-script"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "memory=SIZE" in r.stderr and "Traceback" not in r.stderr


def test_missing_dask_jobqueue_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)  # import dask_jobqueue -> ImportError
    with pytest.raises(BatchError, match=r"needs the optional package dask-jobqueue: pip install dask-jobqueue"):
        jobqueue_cluster("slurm", {"cores": 2, "memory": "4GB"})


def test_bad_cluster_options_are_refused():
    with pytest.raises(BatchError, match="KEY=VALUE"):
        parse_cluster_options(["cores"])
    with pytest.raises(BatchError, match="KEY=VALUE"):
        parse_cluster_options(["bad key=1"])
    assert parse_cluster_options(["cores=8", "memory=16GB", "walltime=02:00:00"]) == {
        "cores": 8, "memory": "16GB", "walltime": "02:00:00"}
    with pytest.raises(BatchError, match="known batch systems"):
        jobqueue_cluster("lsf", {})
