"""Benchmark of the list-mode OSEM plugin: projector throughput and PETSIRD decoding.

Prints, with the geometry stated:
* Joseph forward + back projection, non-TOF and TOF, in events/s and samples/s per core
  (run with NUMBA_NUM_THREADS=1 for per-core numbers; the default uses all cores);
* our numba PETSIRD event decoder against the petsird SDK reader on the same file, in the same
  run, with the ratio.

Usage: .venv/bin/python bench/bench_recon.py [--events 200000] [--sdk-events 50000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--sdk-events", type=int, default=50_000)
    args = ap.parse_args()
    import numba

    from listmode_osem import petsird_io
    from listmode_osem.plugin import recon_geometry
    from listmode_osem.projector import JosephProjector
    from listmode_osem.scanner import cylindrical_scanner

    threads = numba.get_num_threads()
    s = cylindrical_scanner(radius=180.0, n_per_ring=180, n_rings=12, ring_pitch=6.0, tof_fwhm_mm=60.0, n_tof_bins=15)
    g = recon_geometry(s, 4.0, 90)
    print(f"scanner: R=180 mm, 180 crystals x 12 rings (6 mm), TOF 15 bins, 60 mm FWHM; image {g.shape} (k,j,i) "
          f"of 4 mm; numba threads: {threads}")
    rng = np.random.default_rng(0)
    n = args.events
    d1 = rng.integers(0, s.n_detectors, n).astype(np.int32)
    d2 = ((d1 // 12 + rng.integers(40, 140, n)) % 180 * 12 + rng.integers(0, 12, n)).astype(np.int32)
    tb = rng.integers(0, 15, n).astype(np.int32)
    P = JosephProjector(g.shape, g.spacing, g.origin, s.face_centres, s.tof_edges, s.tof_fwhm_mm)
    x = rng.random(g.shape).astype(np.float32)
    for label, tof in (("non-TOF", None), ("TOF", tb)):
        P.forward(x, d1[:100], d2[:100], None if tof is None else tof[:100])  # compile
        P.back(np.ones(100), d1[:100], d2[:100], None if tof is None else tof[:100])
        t0 = time.perf_counter()
        y = P.forward(x, d1, d2, tof)
        P.back(y, d1, d2, tof)
        dt = time.perf_counter() - t0
        print(f"{label:8s} forward+back: {n / dt / 1e6:.3f} M events/s total, {n / dt / threads / 1e6:.3f} M events/s "
              f"per core ({dt:.2f} s for {n} events)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.petsird"
        m = args.sdk_events
        petsird_io.write_listmode(path, s, (d1[:m], d2[:m], tb[:m]), duration_s=10.0)
        h = petsird_io.read_header(path)
        petsird_io.decode_events(path, h)  # compile
        t0 = time.perf_counter()
        for _ in range(5):
            petsird_io.decode_events(path, h)
        ours = (time.perf_counter() - t0) / 5
        t0 = time.perf_counter()
        petsird_io.sdk_read_events(path)
        sdk = time.perf_counter() - t0
        print(f"PETSIRD decode of {m} prompts: ours {m / ours / 1e6:.2f} M events/s ({ours * 1e3:.1f} ms), "
              f"petsird SDK {m / sdk / 1e6:.3f} M events/s ({sdk:.2f} s), ratio {sdk / ours:.0f}x")


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    main()
