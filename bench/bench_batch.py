"""Benchmark: `workstation batch run` on Dask with 1 and 2 workers against a plain serial loop.

Writes (once, in a temp folder) a cohort of N synthetic PET studies (workstation.testing.cohort,
one DICOM file per slice), then, each in a NEW process on the same files (warm page cache):

  * loop:      a plain Python loop over the series calling the same task function (no Dask, no
               journal, no tables): the reference;
  * serial:    `workstation batch run --workers 0` (the batch machinery without Dask);
  * 1 worker:  `workstation batch run --workers 1` (local Dask cluster, one process, one thread);
  * 2 workers: `workstation batch run --workers 2`.

For each: wall time of the whole command (start-up, cluster, warm-up, tables included) and the
time of the task phase alone (from the first submission to the last result: the loop's own clock,
run.json's "seconds" for batch), studies per minute from both, the speed-up of 2 workers over 1
(goal >= 1.8x on a machine with 2 free cores) and the overhead per study of the 1-worker engine
against the loop (goal <= 10 %). Prints the load average: on a shared machine the numbers move.

Then, from CPU time (less sensitive to a loaded machine than wall time, though cache contention still
inflates it): per study, the CPU inside the tasks (their ``cpu_seconds``), in the worker processes
outside the tasks (Dask's worker: comms, serialisation, heartbeats, profiler) and in the driver
(scheduler, client, journal); the parallelism of each run (worker CPU seconds / task-phase wall
seconds; a free core per worker gives 1.0 each); and the speed-up that those CPU costs allow on a
machine with this many cores when the driver shares them with 2 workers (2 w / (w + d) on 2 cores).

Usage: python bench/bench_batch.py [--studies N] [--shape K,J,I] [--task lesions] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOOP = """
import sys, time, json
t0 = time.perf_counter()
from workstation.batch.tasks import SeriesRef, TaskSpec, run_task, warm_up
from workstation.io.series import find_series
refs = [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([sys.argv[1]])
        if s.is_image and s.modality == "PT"]
spec = TaskSpec.parse(sys.argv[2])
warm_up()
t1, c1 = time.perf_counter(), time.process_time()
rows = [run_task(r, spec) for r in refs]
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"n": len(rows), "task_s": t2 - t1, "task_cpu_s": c2 - c1,
                  "inside_cpu_s": sum(r["series"]["cpu_seconds"] for r in rows),
                  "failed": sum(r["series"]["status"] != "ok" for r in rows)}))
"""


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu() -> float:
    """CPU seconds (user + system) of the finished child processes and all they waited for (the local
    cluster's workers included): the cost of a configuration, much less sensitive than wall time to
    what else the machine runs."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_loop(folder: Path, task: str) -> dict:
    t, c = time.perf_counter(), _cpu()
    r = subprocess.run([sys.executable, "-c", LOOP, str(folder), task], capture_output=True, text=True, check=True)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t
    out["cpu_s"] = _cpu() - c
    out["load"] = os.getloadavg()[0]
    return out


def run_batch(folder: Path, task: str, workers: int, out_dir: Path) -> dict:
    out = out_dir / f"w{workers}.parquet"
    exe = Path(sys.executable).with_name("workstation")
    cmd = [str(exe), "batch", "run", str(folder), "--task", task, "--workers", str(workers), "--out", str(out),
           "--force", "--quiet"]
    t, c = time.perf_counter(), _cpu()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t, _cpu() - c
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    meta = json.loads(out.with_name(f"w{workers}.run.json").read_text())["runs"][-1]
    import pyarrow.parquet as pq

    rows = pq.read_table(out, columns=["seconds", "cpu_seconds"]).to_pylist()
    inside = sum(r["seconds"] for r in rows)
    phase = meta.get("task_phase_cpu_s") or {}
    return {"n": meta["completed"], "task_s": meta["seconds"], "wall_s": wall, "failed": meta["failed"],
            "warm_up_s": meta.get("warm_up_s"), "cpu_s": cpu, "inside_s": inside,
            "inside_cpu_s": sum(r["cpu_seconds"] or 0.0 for r in rows), "load": os.getloadavg()[0],
            "worker_cpu_s": phase.get("workers"), "driver_cpu_s": phase.get("driver"),
            "task_cpu_s": (phase["workers"] + phase["driver"]) if phase else None}


def _cpu_table(res: dict, n: int, cores: int) -> None:
    """Where the CPU goes, per study, and the scaling read from CPU time (robust to a shared machine):
    in the tasks (the work itself), in the worker processes outside the tasks (Dask's worker: comms,
    (de)serialisation, heartbeats), in the driver (scheduler, client, journal); parallelism = worker CPU
    seconds / task-phase wall seconds (1.0 = one core busy all the time)."""
    print(f"\n{'':<10} {'in tasks':>9} {'worker':>8} {'driver':>8}  ms CPU per study   {'parallelism':>11} {'load 1 min':>10}")
    for name, r in res.items():
        inside = 1000 * r["inside_cpu_s"] / n
        if r.get("worker_cpu_s") is None:
            print(f"{name:<10} {inside:9.1f} {'':>8} {'':>8}  {'':17} {'':>11} {r['load']:10.2f}")
            continue
        w, d = 1000 * r["worker_cpu_s"] / n, 1000 * r["driver_cpu_s"] / n
        print(f"{name:<10} {inside:9.1f} {w - inside:+8.1f} {d:8.1f}  {'':17} {r['worker_cpu_s'] / r['task_s']:11.2f} "
              f"{r['load']:10.2f}")
    one, two = res["1 worker"], res["2 workers"]
    if one.get("worker_cpu_s") is None or two.get("worker_cpu_s") is None:
        return
    p1, p2 = one["worker_cpu_s"] / one["task_s"], two["worker_cpu_s"] / two["task_s"]
    w, d = one["worker_cpu_s"] / n, one["driver_cpu_s"] / n
    bound = min(2.0, cores * w / (w + d)) if cores < 3 else 2.0 * w / max(w, d)
    print(f"CPU-time scaling, 2 workers / 1 worker: parallelism {p2:.2f} / {p1:.2f} = {p2 / p1:.2f}x; worker CPU per "
          f"study {1000 * two['worker_cpu_s'] / n:.1f} / {1000 * w:.1f} ms")
    print(f"bound on a free {cores}-core machine from these CPU costs (2 workers and the driver share the cores): "
          f"{bound:.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=200)
    ap.add_argument("--shape", default="24,48,48", help="slices,rows,columns of each PET (8 mm voxels)")
    ap.add_argument("--task", default="lesions")
    ap.add_argument("--keep", metavar="DIR", help="write the cohort here and keep it")
    ap.add_argument("--repeat", type=int, default=1, help="run each configuration R times, interleaved; keep the "
                                                          "fastest (a shared machine's load moves the numbers)")
    args = ap.parse_args()
    shape = tuple(int(v) for v in args.shape.split(","))
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-batch-"))
    folder = root / "cohort"
    try:
        if not folder.is_dir():
            from workstation.testing.cohort import write_cohort

            t = time.perf_counter()
            write_cohort(folder, args.studies, seed=0, shape=shape)
            print(f"wrote {args.studies} studies of {shape[0]}x{shape[1]}x{shape[2]} voxels in "
                  f"{time.perf_counter() - t:.1f} s ({folder})")
        print(f"cpus {os.cpu_count()}, load average before: {_load()}")
        res = {}
        runs = {"loop": lambda: run_loop(folder, args.task), "serial": lambda: run_batch(folder, args.task, 0, root),
                "1 worker": lambda: run_batch(folder, args.task, 1, root),
                "2 workers": lambda: run_batch(folder, args.task, 2, root)}
        for _ in range(max(1, args.repeat)):
            for name, fn in runs.items():
                r = fn()
                if name not in res or r["task_s"] < res[name]["task_s"]:
                    res[name] = r
        print(f"load average after: {_load()}")
        n = res["loop"]["n"]
        print(f"\n{'':<10} {'wall s':>8} {'studies/min':>12} {'task s':>8} {'studies/min':>12} {'CPU s':>8} "
              f"{'CPU ms/study':>13}")
        for name, r in res.items():
            print(f"{name:<10} {r['wall_s']:8.2f} {60 * r['n'] / r['wall_s']:12.1f} {r['task_s']:8.2f} "
                  f"{60 * r['n'] / r['task_s']:12.1f} {r['cpu_s']:8.2f} {1000 * r['cpu_s'] / r['n']:13.1f}"
                  + (f"  warm-up {r['warm_up_s']:.2f} s" if r.get("warm_up_s") else "")
                  + (f"  (time inside the tasks {r['inside_s']:.1f} s)" if r.get("inside_s") else ""))
        print("(task s: first submission to last result; CPU s: every process of the command, start-up included)")
        loop, one, two = res["loop"], res["1 worker"], res["2 workers"]
        per = loop["task_s"] / n
        over_task = (one["task_s"] - loop["task_s"]) / n
        over_wall = (one["wall_s"] - loop["wall_s"]) / n
        print(f"\nper study, plain loop: {1000 * per:.1f} ms")
        print(f"engine overhead per study, 1 worker vs loop, task phase: {1000 * over_task:+.1f} ms "
              f"({100 * over_task / per:+.1f} %, goal <= 10 %)")
        print(f"  whole command (cluster start, warm-up, tables): {1000 * over_wall:+.1f} ms per study "
              f"({100 * over_wall / per:+.1f} %)")
        if one.get("task_cpu_s") is not None:
            d = (one["task_cpu_s"] - loop["task_cpu_s"]) / n
            print(f"engine CPU per study in the task phase, 1 worker (worker + driver with its scheduler) vs loop: "
                  f"{1000 * d:+.1f} ms ({100 * d / (loop['task_cpu_s'] / n):+.1f} %, goal <= 10 %; loop "
                  f"{1000 * loop['task_cpu_s'] / n:.1f} ms CPU per study)")
        print(f"engine CPU per study, 1 worker vs loop (whole commands): "
              f"{1000 * (one['cpu_s'] - loop['cpu_s']) / n:+.1f} ms ({100 * (one['cpu_s'] - loop['cpu_s']) / loop['cpu_s']:+.1f} %)")
        print(f"speed-up 2 workers / 1 worker: task phase {one['task_s'] / two['task_s']:.2f}x, whole command "
              f"{one['wall_s'] / two['wall_s']:.2f}x (goal >= 1.8x)")
        _cpu_table(res, n, os.cpu_count() or 1)
        fails = {k: r["failed"] for k, r in res.items() if r["failed"]}
        if fails:
            print(f"failures: {fails}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
