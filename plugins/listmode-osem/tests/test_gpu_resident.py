"""Device-resident list-mode OSEM (``gpu.lm_osem_resident``) on numba's CUDA simulator.

As in ``test_gpu_sim.py`` the simulator runs in a child interpreter started with
``NUMBA_ENABLE_CUDASIM=1``. The child reconstructs a tiny problem (ring scanner of 2 x 16
crystals, 10^3 image, a few hundred events with attenuation-like multiplicative factors and a
randoms term) with the CPU ``osem.lm_osem`` and with ``gpu.lm_osem_resident``, TOF and non-TOF,
and counts every host<->device copy by wrapping ``gpu._upload`` / ``gpu._download`` (the only
two functions of the module that copy). The assertions run here: same images to rounding, and a
number of uploads that does not grow with iterations or subsets (the events go up once).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

PLUGIN_DIR = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    from numba.core import config
    assert config.ENABLE_CUDASIM, "the simulator is not enabled"
    from listmode_osem import gpu, osem
    from listmode_osem.projector import JosephProjector
    from listmode_osem.scanner import cylindrical_scanner

    counts = {"up": 0, "down": 0}
    up, down = gpu._upload, gpu._download

    def counted_up(a):
        counts["up"] += 1
        return up(a)

    def counted_down(d):
        counts["down"] += 1
        return down(d)

    gpu._upload, gpu._download = counted_up, counted_down
    rng = np.random.default_rng(5)
    s = cylindrical_scanner(radius=40.0, n_per_ring=16, n_rings=2, ring_pitch=6.0, tof_fwhm_mm=30.0, n_tof_bins=5)
    n = 400
    d1 = rng.integers(0, s.n_detectors, n).astype(np.int32)
    d2 = ((d1 // 2 + rng.integers(4, 12, n)) % 16 * 2 + rng.integers(0, 2, n)).astype(np.int32)
    tb = rng.integers(0, 5, n).astype(np.int32)
    mult = rng.uniform(0.5, 1.5, n)
    add = rng.uniform(0.0, 0.05, n)
    args = ((10, 10, 4), (6.0, 6.0, 3.0), (-27.0, -27.0, -4.5), s.face_centres, s.tof_edges, s.tof_fwhm_mm)
    C = JosephProjector(*args)
    sens = C.back(np.ones(n), d1, d2) + np.float32(0.5)  # any positive sensitivity, the same for both
    out, report = {}, {}
    for name, t in (("nontof", None), ("tof", tb)):
        for its, subs in ((1, 1), (2, 3)):
            key = f"{name}_{its}x{subs}"
            out[key + "_cpu"] = osem.lm_osem(C, sens, d1, d2, t, mult, add, its, subs)
            counts.update(up=0, down=0)
            G = gpu.CudaJosephProjector(*args)
            seen = []
            out[key + "_gpu"] = gpu.lm_osem_resident(G, sens, d1, d2, t, mult, add, its, subs,
                                                     on_iteration=lambda it, x: seen.append(it))
            report[key] = {"up": counts["up"], "down": counts["down"], "iterations_seen": seen}
            counts.update(up=0, down=0)
            out[key + "_gpu_quiet"] = gpu.lm_osem_resident(G, sens, d1, d2, t, mult, add, its, subs)
            report[key]["down_quiet"] = counts["down"]
            report[key]["up_quiet"] = counts["up"]
    np.savez(sys.argv[1], **out)
    print(json.dumps(report))
""")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    path = tmp_path_factory.mktemp("cudasim-osem") / "out.npz"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    r = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=PLUGIN_DIR, env=env, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return dict(np.load(path)), json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", ["nontof_1x1", "nontof_2x3", "tof_1x1", "tof_2x3"])
def test_resident_osem_equals_cpu(sim, case):
    d, _ = sim
    cpu, g = d[case + "_cpu"], d[case + "_gpu"]
    assert cpu.max() > 0 and np.count_nonzero(cpu) > 50  # the events do reconstruct something
    np.testing.assert_allclose(g, cpu, rtol=2e-4, atol=2e-5 * float(cpu.max()))
    np.testing.assert_array_equal(d[case + "_gpu_quiet"], g)  # the preview does not change the result


def test_more_iterations_change_the_image(sim):
    d, _ = sim
    assert np.abs(d["tof_2x3_gpu"] - d["tof_1x1_gpu"]).max() > 1e-3 * d["tof_1x1_gpu"].max()


@pytest.mark.parametrize("name", ["nontof", "tof"])
def test_events_uploaded_once(sim, name):
    _, rep = sim
    one, many = rep[f"{name}_1x1"], rep[f"{name}_2x3"]
    # projector constants (crystals, origin, spacing, TOF edges: 4) + events (i1, i2, TOF bin, mult, add: 5)
    # + image, subset sensitivity, mask (3); nothing per subset or per projector call
    assert one["up"] == many["up"] == 12
    assert one["up_quiet"] == many["up_quiet"] == 8  # the projector's constants were already on the device
    assert one["iterations_seen"] == [1] and many["iterations_seen"] == [1, 2]
    assert one["down"] == 1 and many["down"] == 2  # one preview per iteration, the last one is the result
    assert one["down_quiet"] == many["down_quiet"] == 1  # without previews: only the result comes back


PLUGIN_CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    from listmode_osem import petsird_io
    from listmode_osem.plugin import run
    from listmode_osem.scanner import cylindrical_scanner
    from workstation.recon.api import NullContext, ReconRequest

    rng = np.random.default_rng(7)
    s = cylindrical_scanner(radius=40.0, n_per_ring=16, n_rings=2, ring_pitch=6.0, tof_fwhm_mm=30.0, n_tof_bins=5)
    n = 300
    d1 = rng.integers(0, s.n_detectors, n)
    d2 = (d1 // 2 + rng.integers(5, 11, n)) % 16 * 2 + rng.integers(0, 2, n)
    path = sys.argv[1] + "/tiny.petsird"
    petsird_io.write_listmode(path, s, (d1, d2, rng.integers(0, 5, n)), (d1[:30], d2[:30], np.zeros(30, int)),
                              duration_s=1.0)
    out = {}
    for device in ("cpu", "gpu"):
        p = {"iterations": 2, "subsets": 2, "voxel_size": 10.0, "matrix": 8, "tof": True, "post_filter_fwhm": 0.0,
             "randoms": True, "max_events": 0, "device": device}
        res = run(ReconRequest("t", "listmode-osem", p, {"listmode": path}), NullContext())
        out[device] = res.array
        out[device + "_device"] = res.provenance["device"]
    np.savez(sys.argv[1] + "/out.npz", cpu=out["cpu"], gpu=out["gpu"])
    print(json.dumps({k: v for k, v in out.items() if k.endswith("_device")}))
""")


def test_plugin_on_the_simulated_gpu_equals_cpu(tmp_path):
    """The plugin with device=gpu runs the resident reconstruction and gives the CPU's image."""
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", WORKSTATION_RECON_CACHE=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-c", PLUGIN_CHILD, str(tmp_path)], cwd=PLUGIN_DIR, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"cpu_device": "cpu", "gpu_device": "gpu"}
    d = np.load(tmp_path / "out.npz")
    assert d["cpu"].max() > 0
    np.testing.assert_allclose(d["gpu"], d["cpu"], rtol=2e-4, atol=2e-5 * float(d["cpu"].max()))
