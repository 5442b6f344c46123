"""Benchmark: the reader tools' per-event cost, ours against a bare NumPy lookup on the same data, same run.

On a synthetic whole-body-sized pair (CT 512×512×N int16, PET 200×200×M with per-slice SUV factors on
the CT grid's frame), times (best of R, after a warm-up):
  * hover readout: ``analysis.measure.readout_at`` + its text at a random point (what one mouse move
    costs once the throttle lets it through) against the reference a script would write: world → index
    arithmetic and two array lookups (no SUV road, no text);
  * line profile: ``analysis.measure.line_profile`` of a 150 mm line in an axial view against
    ``scipy.ndimage.map_coordinates`` of the same points on the two slices.
The hover throttle shows at most one readout per 40 ms; the budget column says how much of a 25 fps
frame (40 ms) one readout takes. Usage: python bench/bench_reader_tools.py [--ct-slices N] [--repeat R]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage

from workstation.analysis.reading import measure as M
from workstation.analysis.reading.session import ReadingSession
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume


def build(ct_slices: int) -> ReadingSession:
    rng = np.random.default_rng(0)
    gc = ImageGeometry((ct_slices, 512, 512), (0.9765625, 0.9765625, 2.0), (-250.0, -250.0, -900.0), np.eye(3))
    ct = Volume(rng.integers(-1000, 1500, gc.shape, dtype=np.int16), gc, modality="CT", units="HU",
                frame_of_reference_uid="1.2.3")
    n_pet = max(2, int(round(ct_slices * 2.0 / 3.0)))
    gp = ImageGeometry((n_pet, 200, 200), (4.0, 4.0, 3.0), (-398.0, -398.0, -900.0), np.eye(3))
    pet = Volume(rng.gamma(2.0, 1.0, gp.shape).astype(np.float32), gp, modality="PT", units="SUV",
                 frame_of_reference_uid="1.2.3")
    return ReadingSession(ct, pet, mip_frames=2)


def best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ct-slices", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=50)
    a = ap.parse_args()
    t0 = time.perf_counter()
    s = build(a.ct_slices)
    print(f"session built in {time.perf_counter() - t0:.1f} s (CT {s.anatomical.shape}, PET {s.pet.shape})")
    rng = np.random.default_rng(1)
    g = s.display_geometry
    pts = [g.kji_to_world(rng.uniform(0, np.asarray(g.shape) - 1)) for _ in range(64)]
    it = iter(range(10 ** 9))

    def ours_hover():
        p = pts[next(it) % len(pts)]
        M.readout_text_at(s, p)

    ct_arr, pet_arr = s.anatomical.array, s.pet.array
    cg, pg = s.anatomical.geometry, s.pet.geometry

    def ref_hover():
        p = pts[next(it) % len(pts)]
        k = np.rint(cg.world_to_kji(p)).astype(int)
        q = np.rint(pg.world_to_kji(p)).astype(int)
        _ = float(ct_arr[tuple(np.clip(k, 0, np.asarray(cg.shape) - 1))])
        _ = float(pet_arr[tuple(np.clip(q, 0, np.asarray(pg.shape) - 1))])

    c = g.center_world()
    a0, b0 = c + [-75.0, -20.0, 0.0], c + [75.0, 20.0, 0.0]

    def ours_profile():
        M.line_profile(s, "axial", a0, b0)

    def ref_profile():
        ct2, pet2 = s.slice_image("ct", "axial"), s.slice_image("pet", "axial")
        length = float(np.linalg.norm(b0 - a0))
        n = int(np.ceil(length / (0.5 * 0.9765625))) + 1
        f = np.linspace(0, 1, n)
        w = a0[None, :] + f[:, None] * (b0 - a0)[None, :]
        ij = g.world_to_ijk(w)
        ndimage.map_coordinates(ct2.astype(np.float64), [ij[:, 1], ij[:, 0]], order=1)
        ndimage.map_coordinates(pet2.astype(np.float64), [ij[:, 1], ij[:, 0]], order=1)

    rows = [("hover readout", best(ours_hover, a.repeat), best(ref_hover, a.repeat)),
            ("line profile 150 mm", best(ours_profile, a.repeat), best(ref_profile, a.repeat))]
    print(f"{'task':<22}{'ours ms':>10}{'NumPy ms':>10}{'ratio':>8}{'% of 40 ms':>12}")
    for name, ours, ref in rows:
        print(f"{name:<22}{ours * 1e3:>10.3f}{ref * 1e3:>10.3f}{ours / ref:>8.2f}{100 * ours / 0.040:>11.1f}%")


if __name__ == "__main__":
    main()
