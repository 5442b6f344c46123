"""Benchmark of the list-mode OSEM plugin: projector throughput and PETSIRD decoding.

Prints, with the geometry stated:
* Joseph forward + back projection, non-TOF and TOF, in events/s and samples/s per core
  (run with NUMBA_NUM_THREADS=1 for per-core numbers; the default uses all cores);
* our numba PETSIRD event decoder against the petsird SDK reader on the same file, in the same
  run, with the ratio;
* the list-mode simulator on the NEMA IEC body phantom (refdata): trues/s with activity layers
  against plain rejection sampling (``layered=False``) of the same phantom, same run.

* with ``--device gpu``: the CUDA projector (numba.cuda, transfers included) against the CPU
  kernels on the same events in the same run, with the ratio and the largest difference
  (prints "no CUDA device" when there is none); then the device-resident OSEM
  (``gpu.lm_osem_resident``): TOF forward + back events/s with the events on the device, from
  the time of 1 and of 1 + k iterations (the one upload cancels out), against the issue's goal
  of 210 M TOF events/s on an H200 (0.8x parallelproj's 261 M/s on that card).

The plugin's own benchmark (it times the plugin's internals, so it lives with the plugin).

Usage: .venv/bin/python plugins/listmode-osem/bench/bench_recon.py [--events 200000] [--sdk-events 50000] [--decode-events 2000000]
       [--device cpu|gpu] [--projector-only]
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
    ap.add_argument("--decode-events", type=int, default=2_000_000, help="prompts in the decoder's large file")
    ap.add_argument("--sim-seconds", type=float, default=0.05, help="simulated acquisition time of the NEMA phantom")
    ap.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                    help="gpu: also time the CUDA projector against the CPU one on the same events")
    ap.add_argument("--projector-only", action="store_true", help="skip the decoder and simulator benchmarks")
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
    if args.device == "gpu":
        bench_gpu(s, g, x, d1, d2, tb)
    if args.projector_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        # the decoder on a large file (its rate is what matters for real data) and on the SDK's file
        big = Path(tmp) / "big.petsird"
        nb = args.decode_events
        rb = np.random.default_rng(1)
        b1 = rb.integers(0, s.n_detectors, nb).astype(np.int32)
        b2 = ((b1 // 12 + rb.integers(40, 140, nb)) % 180 * 12 + rb.integers(0, 12, nb)).astype(np.int32)
        petsird_io.write_listmode(big, s, (b1, b2, rb.integers(0, 15, nb)), (b1[: nb // 10], b2[: nb // 10],
                                  rb.integers(0, 15, nb // 10)), duration_s=60.0)
        path = Path(tmp) / "bench.petsird"
        m = args.sdk_events
        petsird_io.write_listmode(path, s, (d1[:m], d2[:m], tb[:m]), duration_s=10.0)

        def best_of(fn, reps=5):
            best = float("inf")
            for _ in range(reps):
                t0 = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t0)
            return best

        hb, h = petsird_io.read_header(big), petsird_io.read_header(path)
        petsird_io.decode_all(path, h)  # compile / load the cache
        ours_big = best_of(lambda: petsird_io.decode_all(big, hb))
        ours = best_of(lambda: petsird_io.decode_all(path, h))
        t0 = time.perf_counter()
        petsird_io.sdk_read_events(path)
        sdk = time.perf_counter() - t0
        n_big = nb + nb // 10
        print(f"PETSIRD decode (numba, prompts+delayeds in one pass, file read included): {n_big} events "
              f"({big.stat().st_size / 1e6:.1f} MB) {n_big / ours_big / 1e6:.1f} M events/s ({ours_big * 1e3:.1f} ms)")
        print(f"PETSIRD decode of {m} prompts: ours {m / ours / 1e6:.2f} M events/s ({ours * 1e3:.1f} ms), "
              f"petsird SDK {m / sdk / 1e6:.3f} M events/s ({sdk:.2f} s), ratio {sdk / ours:.0f}x")
    bench_simulator(s, args.sim_seconds)


def bench_gpu(s, g, x, d1, d2, tb):
    """CUDA projector vs the CPU kernels on the same events (host arrays in and out: transfers included)."""
    from listmode_osem import gpu
    from listmode_osem.projector import JosephProjector

    ok, why = gpu.cuda_available()
    if not ok:
        print(f"GPU: {why}" if why.startswith("no CUDA device") else f"GPU: no CUDA device ({why})")
        return
    import numba

    n = d1.size
    args = (g.shape, g.spacing, g.origin, s.face_centres, s.tof_edges, s.tof_fwhm_mm)
    C, G = JosephProjector(*args), gpu.CudaJosephProjector(*args)
    print(f"GPU: {why}; CPU reference with {numba.get_num_threads()} numba threads")
    for label, tof in (("non-TOF", None), ("TOF", tb)):
        G.forward(x, d1[:100], d2[:100], None if tof is None else tof[:100])  # compile
        G.back(np.ones(100), d1[:100], d2[:100], None if tof is None else tof[:100])
        times = {}
        res = {}
        for name, P in (("gpu", G), ("cpu", C)):
            best = float("inf")
            for _ in range(3 if name == "gpu" else 1):
                t0 = time.perf_counter()
                y = P.forward(x, d1, d2, tof)
                b = P.back(y, d1, d2, tof)
                best = min(best, time.perf_counter() - t0)
            times[name], res[name] = best, (y, b)
        dy = np.abs(res["gpu"][0] - res["cpu"][0]).max() / np.abs(res["cpu"][0]).max()
        db = np.abs(res["gpu"][1] - res["cpu"][1]).max() / np.abs(res["cpu"][1]).max()
        print(f"{label:8s} forward+back of {n} events: GPU {n / times['gpu'] / 1e6:.2f} M events/s "
              f"({times['gpu'] * 1e3:.1f} ms), CPU {n / times['cpu'] / 1e6:.3f} M events/s ({times['cpu']:.2f} s), "
              f"ratio {times['cpu'] / times['gpu']:.1f}x; max |GPU - CPU| / max: forward {dy:.1e}, back {db:.1e}")
    bench_resident(G, x, d1, d2, tb)


def bench_resident(G, x, d1, d2, tb, extra_iterations: int = 5):
    """Device-resident OSEM: events uploaded once; events/s of one iteration (forward + back of every event)."""
    from listmode_osem import gpu

    n = d1.size
    sens = np.ones(x.shape, np.float32)
    mult, add = np.ones(n), np.full(n, 1e-3)
    for label, tof in (("non-TOF", None), ("TOF", tb)):
        gpu.lm_osem_resident(G, sens, d1[:1000], d2[:1000], None if tof is None else tof[:1000], mult[:1000],
                             add[:1000], 1, 1)  # compile
        t = {}
        for its in (1, 1 + extra_iterations):
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                gpu.lm_osem_resident(G, sens, d1, d2, tof, mult, add, its, 1)
                best = min(best, time.perf_counter() - t0)
            t[its] = best
        per_it = (t[1 + extra_iterations] - t[1]) / extra_iterations
        rate = n / per_it / 1e6 if per_it > 0 else float("inf")
        goal = f"; goal >= 210 M/s on an H200 ({rate / 210:.2f}x of it)" if tof is not None else ""
        print(f"{label:8s} resident OSEM: {rate:.1f} M events/s forward+back per iteration "
              f"({per_it * 1e3:.1f} ms for {n} events; upload and setup {max(0.0, t[1] - per_it) * 1e3:.1f} ms once)"
              f"{goal}")


def bench_simulator(scanner, seconds):
    from listmode_osem import simulate as sim

    gj = Path(__file__).resolve().parents[4] / "shared" / "refdata" / "nema-iec-body-phantom" / "geometry.json"
    if not gj.is_file():
        print(f"simulator: skipped ({gj} missing)")
        return
    shapes, _ = sim.nema_phantom(gj, 5300.0, 4.0)
    sim.simulate(scanner, shapes, 0.001, 0.0, seed=0)  # compile
    rates = {}
    for layered in (True, False):
        t0 = time.perf_counter()
        _, _, _, st = sim.simulate(scanner, shapes, seconds, 0.0, seed=1, layered=layered)
        dt = time.perf_counter() - t0
        rates[layered] = st["trues"] / dt
        print(f"simulator NEMA {seconds:g} s, {'activity layers' if layered else 'plain rejection'}: "
              f"{st['trues']} trues from {st['decays_sampled_box']} sampled points in {dt:.2f} s "
              f"= {rates[layered]:.0f} trues/s")
    print(f"simulator: layers {rates[True] / rates[False]:.1f}x plain rejection")


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    main()
