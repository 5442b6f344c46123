"""Test fixture: a real Dask cluster on loopback, started as separate processes and stopped by PID.

``dask scheduler`` and ``dask worker`` (one thread each, no nanny, so that a worker's PID is the
process that runs the tasks and SIGKILL really kills it) are started with ``python -m dask`` of
this interpreter. The scheduler writes its address into a scheduler file; the cluster is ready
when the scheduler lists every worker. Used by the batch tests and the batch benchmark.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


class LoopbackCluster:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = self.folder / "scheduler.json"
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    @property
    def address(self) -> str:
        return json.loads(self.scheduler_file.read_text())["address"]

    def _popen(self, cmd, name: str) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "ab") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=_env(), start_new_session=True)

    def start_scheduler(self, timeout: float = 60.0) -> None:
        cmd = [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
               "--no-dashboard", "--scheduler-file", str(self.scheduler_file)]
        self.scheduler = self._popen(cmd, "scheduler")
        end = time.monotonic() + timeout
        while not self.scheduler_file.is_file():
            if self.scheduler.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"dask scheduler did not start: {(self.folder / 'scheduler.log').read_text()[-2000:]}")
            time.sleep(0.1)

    def add_worker(self) -> subprocess.Popen:
        name = f"w{len(self.workers) + 1}"
        cmd = [sys.executable, "-m", "dask", "worker", "--scheduler-file", str(self.scheduler_file), "--nthreads", "1",
               "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", name, "--memory-limit", "0"]
        p = self._popen(cmd, name)
        self.workers.append(p)
        return p

    def wait_for_workers(self, n: int, timeout: float = 90.0) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=timeout)

    def kill_worker(self, index: int) -> int:
        """SIGKILL worker ``index``; returns its PID."""
        p = self.workers[index]
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
        return p.pid

    def stop(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p is not None and p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for p in [*self.workers, self.scheduler]:
            if p is None:
                continue
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(timeout=15)


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("DASK_DISTRIBUTED__WORKER__DAEMON", "False")
    return env


@contextmanager
def loopback_cluster(folder, n_workers: int = 2):
    """A started scheduler with ``n_workers`` workers (see the module docstring); stopped on exit."""
    cluster = LoopbackCluster(Path(folder))
    try:
        cluster.start_scheduler()
        for _ in range(n_workers):
            cluster.add_worker()
        cluster.wait_for_workers(n_workers)
        yield cluster
    finally:
        cluster.stop()
