"""Benchmark: `workstation --help` in a new process against the interpreter's own start.

ours: ``python -m workstation.cli --help``; reference: ``python -c pass`` (the same interpreter,
site and editable-install hooks included: the floor any Python command pays). Best of --repeat
runs, alternated. Bytecode is compiled first (``compileall``), as an installed package has it.
Usage: python bench/bench_cli_start.py [--repeat R] [--command view]
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import time
from pathlib import Path


def best(cmd, repeat):
    """(best wall seconds, best CPU seconds: user + system of that child) of ``repeat`` runs. On a loaded
    machine the wall clock mostly measures the wait for a CPU; the CPU time is what the command costs."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall.append(time.perf_counter() - t0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{cmd} failed")
        cpu.append(usage.ru_utime + usage.ru_stime)
    return min(wall), min(cpu)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--command", default="", help="time `workstation COMMAND --help` instead of the top level")
    args = ap.parse_args()
    import workstation

    compileall.compile_dir(str(Path(workstation.__file__).parent), quiet=1)
    ours_cmd = [sys.executable, "-m", "workstation.cli"] + ([args.command] if args.command else []) + ["--help"]
    ref_cmd = [sys.executable, "-c", "pass"]
    t_ours, t_ref = [], []
    la0 = os.getloadavg()
    for _ in range(args.repeat):
        t_ours.append(best(ours_cmd, 1))
        t_ref.append(best(ref_cmd, 1))
    o, r = min(t for t, _ in t_ours), min(t for t, _ in t_ref)
    oc, rc = min(c for _, c in t_ours), min(c for _, c in t_ref)
    la = os.getloadavg()
    print(f"load average {la0[0]:.2f} at the start, {la[0]:.2f} at the end ({os.cpu_count()} CPUs)")
    print(f"{'':<34} {'ours':>7} {'python -c pass':>15} {'ratio':>7} {'ours - floor':>13}")
    print(f"{' '.join(ours_cmd[2:]) + ' wall':<34} {o:7.3f} {r:15.3f} {o / r:6.2f}x {o - r:12.3f}s")
    print(f"{' '.join(ours_cmd[2:]) + ' CPU':<34} {oc:7.3f} {rc:15.3f} {oc / rc:6.2f}x {oc - rc:12.3f}s")
    print(f"goal <= 0.3 s: wall {'met' if o <= 0.3 else 'NOT met'}, CPU {'met' if oc <= 0.3 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
