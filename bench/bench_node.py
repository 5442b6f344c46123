"""Benchmark: receiving 1,000 instances over DICOM, our node against Orthanc, same storescu run.

Builds (in a temp folder) one study of 50 series x 20 slices (64x64 int16), starts our node
(`workstation node start --foreground`, its own process, files fsynced and indexed before each
answer) and an Orthanc (temp config, loopback, same number of DICOM threads as associations), then
for each receiver runs 50 DCMTK storescu processes at once, 20 instances each, and times until all
have exited. Checks that every instance arrived (our store + index; Orthanc's /statistics).
Prints instances/s for both, the ratio, each server's CPU time per instance and the load average.

Usage: python bench/bench_node.py [--series 50] [--slices 20] [--size 64]
Needs: dcmtk (storescu), orthanc. Everything on 127.0.0.1; both servers stopped by PID.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "net"))
sys.path.insert(0, str(REPO))


def blast(port: int, called: str, groups) -> float:
    t0 = time.perf_counter()
    procs = [subprocess.Popen(["storescu", "-aet", "SENDER", "-aec", called, "127.0.0.1", str(port),
                               *map(str, g)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for g in groups]
    errs = [p.communicate(timeout=1800)[1] for p in procs]
    dt = time.perf_counter() - t0
    bad = [e.decode(errors="replace")[-200:] for p, e in zip(procs, errs) if p.returncode != 0]
    if bad:
        print(f"  {len(bad)} storescu runs failed, first: {bad[0]}")
    return dt


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``; NaN without /proc."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=50)
    ap.add_argument("--slices", type=int, default=20)
    ap.add_argument("--size", type=int, default=64)
    a = ap.parse_args()

    from net_peers import NodeProcess, free_port, make_study, start_orthanc, stop_pid
    from workstation.io.db import StudyDB

    n = a.series * a.slices
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _, files = make_study(tmp / "src", n_series=a.series, n_slices=a.slices, size=a.size, seed=1)
        groups = {}
        for f in files:
            groups.setdefault(f.parent, []).append(f)
        groups = list(groups.values())
        print(f"{n} instances ({a.size}x{a.size} int16), {len(groups)} concurrent storescu x {a.slices}")

        (tmp / "node").mkdir()
        node = NodeProcess(tmp / "node", free_port(), extra=["--max-associations", str(len(groups) + 8)]).start()
        try:
            c0 = cpu_s(node.proc.pid)
            t_ours = blast(node.port, node.ae_title, groups)
            c_ours = cpu_s(node.proc.pid) - c0
            with StudyDB(node.db_path) as db:
                got = db.counts()["instances"]
        finally:
            node.stop()
        print(f"  ours:    {t_ours:7.2f} s  {n / t_ours:7.1f} instances/s  ({got} of {n} stored and indexed; "
              f"node CPU {1000 * c_ours / n:.2f} ms/instance)")

        (tmp / "orthanc").mkdir()
        peer = start_orthanc(tmp / "orthanc", free_port(), threads=len(groups))
        try:
            c0 = cpu_s(peer.proc.pid)
            t_orthanc = blast(peer.dicom_port, "ORTHANC", groups)
            c_orthanc = cpu_s(peer.proc.pid) - c0
            got_o = peer.rest("/statistics")["CountInstances"]
        finally:
            stop_pid(peer.proc)
        print(f"  Orthanc: {t_orthanc:7.2f} s  {n / t_orthanc:7.1f} instances/s  ({got_o} of {n} stored; "
              f"CPU {1000 * c_orthanc / n:.2f} ms/instance)")
        print(f"  ratio (our time / Orthanc's): {t_ours / t_orthanc:.2f}  "
              f"(ours / Orthanc in instances/s: {t_orthanc / t_ours:.2f}x)")
        print("  load average at the end: %.1f %.1f %.1f on %d CPUs" % (*os.getloadavg(), os.cpu_count() or 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
