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
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - t0)
    return min(out)


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
    for _ in range(args.repeat):
        t_ours.append(best(ours_cmd, 1))
        t_ref.append(best(ref_cmd, 1))
    o, r = min(t_ours), min(t_ref)
    la = os.getloadavg()
    print(f"load average {la[0]:.2f} {la[1]:.2f}")
    print(f"{'':<34} {'ours':>7} {'python -c pass':>15} {'ratio':>7} {'ours - floor':>13}")
    print(f"{' '.join(ours_cmd[2:]):<34} {o:7.3f} {r:15.3f} {o / r:6.2f}x {o - r:12.3f}s")
    print(f"goal <= 0.3 s: {'met' if o <= 0.3 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
