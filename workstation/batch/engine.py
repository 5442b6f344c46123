"""The driver of a batch run on Dask distributed (the engine is Dask's: no queue or pool of ours).

:func:`run_batch` skips the series already in the journal (resume), submits one
:func:`~workstation.batch.tasks.run_task` per remaining series to a Dask cluster and records each
result in the journal as it arrives (``distributed.as_completed``), with progress and ETA. At most
a window of tasks (four per worker thread, at least 16) is on the cluster at a time, refilled as
results arrive, so the scheduler never holds the whole cohort's file lists.

* Cluster: a scheduler address (``--scheduler tcp://host:8786``, a cluster started with
  ``dask scheduler`` / ``dask worker``, or by dask-jobqueue on SLURM/PBS), else a local cluster of
  ``workers`` processes with **one thread each**, so that a worker holds one whole-body study at a
  time and the memory per worker stays bounded (Dask's ``memory_limit`` per worker, default:
  the machine's memory shared between the workers). ``workers=0`` runs the same task function in
  a plain loop in this process (no Dask), for debugging and as the benchmark's reference.
* A worker that dies (killed, out of memory) loses its task; the scheduler runs it again on
  another worker (Dask's ``distributed.scheduler.allowed-failures``, default 3), and the result is
  recorded once, when it arrives. A task that kills every worker it runs on ends as a failure row
  (``KilledWorker``), never the end of the run.
* Ctrl-C cancels what is queued, keeps everything that finished, writes the tables and raises
  :class:`KeyboardInterrupt`; ``--resume`` goes on from there.

The workers need the ``workstation`` package (same version: checked before the first task) and
read the series' files by path: they must see the same file system (the managed store on a shared
disk, or the given folders), or, for series with a DICOMweb URL, retrieve them by WADO-RS into a
temporary folder of their own (``tasks.WebSource``). ``jobqueue_cluster`` builds a dask-jobqueue
cluster (SLURM, PBS) whose workers are batch jobs. A script that calls :func:`run_batch` with a local cluster needs the
``if __name__ == "__main__":`` guard (the workers are spawned processes). ``run.json`` records the
CPU time of the task phase (workers, and the driver with the local scheduler), which the benchmark
compares with a plain loop's.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

from workstation.batch.schema import empty_series_row
from workstation.batch.store import ResultStore
from workstation.batch.tasks import (BatchError, SeriesRef, TaskSpec, WebSource, result_key, run_task, software_version,
                                     warm_up)


@dataclass
class Progress:
    """What the progress line shows (counted over this run's tasks, the skipped ones apart)."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    dashboard: str = ""

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Series per second so far (0 before the first one)."""
        return self.done / self.elapsed if self.done and self.elapsed > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        left = self.total - self.done
        return left / self.rate if self.rate > 0 else None

    def line(self) -> str:
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = self.eta_s
        eta_txt = "--:--" if eta is None else _hms(eta)
        return (f"[{self.done}/{self.total}] {pct:5.1f} %  {60 * self.rate:6.1f} series/min  "
                f"elapsed {_hms(self.elapsed)}  ETA {eta_txt}  failed {self.failed}")


def _hms(s: float) -> str:
    s = int(round(s))
    h, m = divmod(s, 3600)
    m, s = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


@dataclass
class RunSummary:
    selected: int
    skipped: int
    done: int
    failed: int
    seconds: float
    interrupted: bool = False
    dashboard: str = ""
    series_rows: int = 0
    lesion_rows: int = 0


def failure_row(ref: SeriesRef, spec: TaskSpec, reason: str) -> dict:
    """The row of a task the engine could not finish (its worker died every time, it was cancelled)."""
    row = empty_series_row()
    row.update(result_key=result_key(ref, spec), series_uid=ref.series_uid, study_uid=ref.study_uid,
               source=ref.source, n_files=len(ref.files), task=spec.name, method=spec.method,
               parameters=spec.parameters_json(), software_version=software_version(), status="failed",
               error=reason, started_utc=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
               worker="", qc_missing_tags=False, qc_decay_conflict=False, qc_sex_unknown=False, qc_flags="")
    return {"series": row, "lesions": []}


def plan(refs, spec: TaskSpec, store: ResultStore, retry_failed: bool = False):
    """(to run, skipped): the distinct series (by result key) not yet in the journal."""
    done = store.done()
    seen, todo, skipped = set(), [], 0
    for ref in refs:
        key = result_key(ref, spec)
        if key in seen:
            continue
        seen.add(key)
        status = done.get(key)
        if status == "ok" or (status is not None and not retry_failed):
            skipped += 1
            continue
        todo.append((key, ref))
    return todo, skipped


def run_batch(refs, spec: TaskSpec, store: ResultStore, *, workers: int | None = None, scheduler: str | None = None,
              retry_failed: bool = False, on_progress=None, on_start=None, memory_limit="auto",
              meta: dict | None = None, web: WebSource | None = None, cluster=None) -> RunSummary:
    """Run ``spec`` on every series of ``refs`` (see the module docstring). ``on_progress(Progress)``
    is called after each result, ``on_start(Progress)`` once the cluster is up (its dashboard known).
    ``web``: credentials, attempts and deadline for the series that have a DICOMweb URL. ``cluster``:
    a Dask cluster object not yet scaled (:func:`jobqueue_cluster`), scaled to ``workers`` workers
    (default 1) and closed at the end."""
    todo, skipped = plan(refs, spec, store, retry_failed)
    prog = Progress(total=len(todo), skipped=skipped)
    started_utc = datetime.now(timezone.utc).isoformat(timespec="seconds")
    interrupted = False
    engine = {}
    try:
        if workers == 0 and not scheduler and cluster is None:
            engine = {"engine": "serial (no Dask)", "workers": 0}
            if on_start:
                on_start(prog)
            for key, ref in todo:
                _record(store, run_task(ref, spec, web), prog, on_progress)
        else:
            engine = _run_dask(todo, spec, store, prog, workers, scheduler, memory_limit, on_progress, on_start,
                               web, cluster)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:
        store.close()
        if prog.done:  # what finished is kept: the tables are written before the error goes on
            _finish(store, spec, prog, todo, skipped, started_utc, False, engine, meta)
        raise  # nothing ran (e.g. the scheduler cannot be reached): no empty result set is left behind
    counts = _finish(store, spec, prog, todo, skipped, started_utc, interrupted, engine, meta)
    summary = RunSummary(len(todo) + skipped, skipped, prog.done, prog.failed, prog.elapsed, interrupted,
                         prog.dashboard, *counts)
    if interrupted:
        raise BatchInterrupted(summary)
    return summary


def _finish(store, spec, prog, todo, skipped, started_utc, interrupted, engine, meta) -> tuple[int, int]:
    """Write the tables and the run's metadata; (series rows, lesion rows)."""
    run_meta = dict(meta or {})
    run_meta.update(task=spec.label, parameters=spec.parameters(), software_version=software_version(),
                    started_utc=started_utc, ended_utc=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    seconds=round(prog.elapsed, 3), selected=len(todo) + skipped, skipped_done=skipped,
                    completed=prog.done, failed=prog.failed, interrupted=interrupted, host=socket.gethostname(),
                    python=platform.python_version(), **engine)
    try:
        import dask
        import distributed

        run_meta.setdefault("dask_version", dask.__version__)
        run_meta.setdefault("distributed_version", distributed.__version__)
    except ImportError:  # pragma: no cover - dask is a dependency
        pass
    return store.write_tables(run_meta)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: what finished is recorded (``summary``); --resume goes on."""

    def __init__(self, summary: RunSummary):
        super().__init__("interrupted")
        self.summary = summary


def _record(store: ResultStore, result: dict, prog: Progress, on_progress) -> None:
    store.append(result)
    prog.done += 1
    if result["series"].get("status") != "ok":
        prog.failed += 1
    if on_progress:
        on_progress(prog)


def _run_dask(todo, spec, store, prog, workers, scheduler, memory_limit, on_progress, on_start, web=None,
              given=None) -> dict:
    import logging

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if given is not None:  # dask-jobqueue: the batch system starts the workers as jobs
        cluster = given
        cluster.scale(n=max(1, workers or 1))
        client = Client(cluster)
        engine = {"engine": f"dask distributed ({type(given).__name__})", "scheduler": cluster.scheduler_address}
        client.wait_for_workers(1)  # the first job may wait in the batch system's queue
    elif scheduler:
        try:  # timeout: distributed.comm.timeouts.connect (Dask's configuration)
            client = Client(scheduler)
        except (OSError, ValueError) as exc:
            raise BatchError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        engine = {"engine": "dask distributed", "scheduler": scheduler}
    else:
        n = workers if workers and workers > 0 else (os.cpu_count() or 1)
        with _workers_ignore_ctrl_c(), _local_worker_config():
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                                   dashboard_address="127.0.0.1:0", silence_logs=logging.WARNING)
        client = Client(cluster)
        engine = {"engine": "dask distributed (local cluster)", "scheduler": cluster.scheduler_address}
    futures = []
    try:
        info = client.scheduler_info()
        engine["workers"] = len(info.get("workers", {}))
        engine["threads"] = sum(w.get("nthreads", 0) for w in info.get("workers", {}).values())
        prog.dashboard = client.dashboard_link or ""
        engine["dashboard"] = prog.dashboard
        if on_start:
            on_start(prog)
        try:  # recorded in run.json: whether the workers run Dask's statistical profiler (see _local_worker_config)
            engine["worker_profiler"] = any(client.run(_profiler_on).values())
            engine["worker_tick_interval"] = sorted(set(client.run(_tick_interval).values()))
        except Exception:  # noqa: BLE001 - a record only
            pass
        versions = client.run(software_version)  # the resume key holds the version: one version on every worker
        other = {addr: v for addr, v in versions.items() if v != software_version()}
        if other:
            addr, v = next(iter(other.items()))
            raise BatchError(f"the worker at {addr} runs workstation {v}, this is {software_version()}: install the "
                             "same version on every worker")
        t0 = time.monotonic()
        try:  # imports and kernels once per worker, before the clock of the tasks starts
            client.run(warm_up)
        except Exception as exc:  # noqa: BLE001 - a worker that cannot warm up still gets tasks; each says why it fails
            engine["warm_up_error"] = f"{type(exc).__name__}: {exc}"
        engine["warm_up_s"] = round(time.monotonic() - t0, 3)
        prog.started = time.monotonic()
        cpu0 = client.run(time.process_time), time.process_time()  # CPU of the task phase, workers and driver
        # a bounded window of tasks on the cluster (Dask's as_completed, refilled as results arrive): the
        # scheduler holds a few file lists at a time, not the whole cohort's, and Ctrl-C has little to cancel
        window = max(4 * max(engine["threads"], 1), 16)
        pending = iter(todo)
        refs: dict[str, SeriesRef] = {}

        def submit_next():
            item = next(pending, None)
            if item is None:
                return None
            key, ref = item
            dkey = f"workstation-batch-{key}"
            refs[dkey] = ref
            fut = client.submit(run_task, ref, spec, web, key=dkey, pure=False)
            futures.append(fut)
            return fut

        queue = as_completed([f for f in (submit_next() for _ in range(window)) if f is not None])
        for fut in queue:
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a cancelled task: a failure row, the run goes on
                msg = " ".join(str(exc).split())
                reason = (f"{type(exc).__name__}: the worker died every time it ran this series ({msg})"
                          if type(exc).__name__ == "KilledWorker" else f"{type(exc).__name__}: {msg}")
                result = failure_row(refs[fut.key], spec, reason)
            _record(store, result, prog, on_progress)
            futures.remove(fut)
            refs.pop(fut.key, None)
            fut.release()
            nxt = submit_next()
            if nxt is not None:
                queue.add(nxt)
        try:
            cpu1 = client.run(time.process_time)
            engine["task_phase_cpu_s"] = {
                "workers": round(sum(v - cpu0[0].get(w, 0.0) for w, v in cpu1.items()), 3),
                "driver": round(time.process_time() - cpu0[1], 3)}  # the local scheduler runs in the driver
        except Exception:  # noqa: BLE001 - a measurement only (a worker may have died)
            pass
    except KeyboardInterrupt:
        if futures:  # the tasks in flight: lost, and run again by --resume
            try:
                client.cancel(futures)
            except Exception:  # noqa: BLE001 - shutting down anyway
                pass
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return engine


JOBQUEUE_KINDS = {"slurm": "SLURMCluster", "pbs": "PBSCluster"}


def parse_cluster_options(items) -> dict:
    """``KEY=VALUE`` strings -> keyword arguments of a dask-jobqueue cluster. A VALUE that reads as
    JSON is taken as such (``cores=8`` -> 8, ``job_extra_directives=["--gres=gpu:1"]`` -> a list),
    anything else is text (``memory=16GB``, ``walltime=02:00:00``, ``queue=short``)."""
    out = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise BatchError(f"--cluster-option {item!r}: give KEY=VALUE (e.g. cores=8, memory=16GB, walltime=02:00:00)")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def jobqueue_cluster(kind: str, options: dict | None = None):
    """A dask-jobqueue cluster (``slurm`` or ``pbs``) with ``options`` (its keyword arguments: cores,
    memory, walltime, queue, account, job_extra_directives, ...), not yet scaled: no job is
    submitted before :func:`run_batch` scales it. Unless ``processes`` is given, every core of a job
    is a worker process of one thread (``processes = cores``), as on a local cluster: one series per
    process at a time, and memory bounded per process. The job script is ``cluster.job_script()``."""
    kind = str(kind).lower()
    if kind not in JOBQUEUE_KINDS:
        raise BatchError(f"--cluster {kind!r}: known batch systems are {', '.join(JOBQUEUE_KINDS)}")
    try:
        import dask_jobqueue
    except ImportError:
        raise BatchError(f"--cluster {kind} needs the optional package dask-jobqueue: pip install dask-jobqueue "
                         "(or pip install 'pet-workstation[cluster]')") from None
    opts = dict(options or {})
    if "cores" not in opts or "memory" not in opts:
        raise BatchError(f"--cluster {kind}: give at least --cluster-option cores=N and --cluster-option memory=SIZE "
                         "(the resources of one job)")
    opts.setdefault("processes", opts["cores"])
    try:
        return getattr(dask_jobqueue, JOBQUEUE_KINDS[kind])(**opts)
    except (TypeError, ValueError) as exc:
        raise BatchError(f"--cluster {kind}: {' '.join(str(exc).split())}") from None


def _tick_interval() -> str:
    import dask

    return str(dask.config.get("distributed.admin.tick.interval"))


def _profiler_on() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled", True))


@contextmanager
def _local_worker_config():
    """The local cluster without the background work that a batch run does not use, which costs CPU all
    the run long beside the tasks (on a 2-core machine, CPU the other worker needs):

    * Dask's statistical profiler (a stack sample every 10 ms, for the dashboard's profile page):
      measured with bench_batch's CPU split (1 worker, 40 small studies, load about 20), 24-25 ms per
      study outside the tasks with it, 14-22 ms without;
    * the event loop's tick every 20 ms (it only times how long the loop was blocked, for a warning),
      every 200 ms instead, and the dashboard's system monitor every 2 s instead of 0.5 s: an idle
      worker then takes 0.9 % of a core instead of 2.4 %, the driver with its scheduler 1.5 % instead
      of 4.4-5.3 % (10 s idle, ``client.run(time.process_time)``).

    Work stealing and the memory monitor (what pauses or restarts a worker near its limit) are left as
    they are. A setting given in the environment (``DASK_DISTRIBUTED__...``) decides instead."""
    import dask

    quiet = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "200ms",
             "distributed.admin.system-monitor.interval": "2s"}
    env = {k.upper() for k in os.environ}
    chosen = {k: v for k, v in quiet.items()
              if "DASK_" + k.upper().replace(".", "__").replace("-", "_") not in env}
    with dask.config.set(chosen):
        yield


@contextmanager
def _workers_ignore_ctrl_c():
    """Start the local workers with SIGINT ignored (an ignored signal stays ignored in a spawned child):
    Ctrl-C in the terminal reaches the whole process group, and it is this process that must stop
    the run (cancel, record, write the tables, close the cluster), not the workers one by one."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
