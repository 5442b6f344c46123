"""The CUDA projector (``gpu.py`` / ``_kernels_cuda.py``) on numba's CUDA simulator.

numba decides at the first import of ``numba.cuda`` whether it is the real driver or the
simulator (``numba.core.config.ENABLE_CUDASIM``, read from ``NUMBA_ENABLE_CUDASIM`` when numba's
config is loaded). Other test modules in the session may already have imported numba, so the
simulator runs in a child interpreter started with ``NUMBA_ENABLE_CUDASIM=1``: it computes the
CPU and GPU projections of tiny problems (8^3 image, a few hundred LORs) and saves them; the
assertions run here. Also checked: the plugin package does not import numba.cuda, and the
device selection (auto | cpu | gpu).
"""

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
    from listmode_osem.gpu import CudaJosephProjector, select_device
    from listmode_osem.projector import JosephProjector
    from listmode_osem.scanner import cylindrical_scanner

    out = {}
    rng = np.random.default_rng(11)
    shape, sp, org = (8, 8, 8), (3.0, 2.5, 4.0), (-10.5, -8.75, -14.0)  # asymmetric spacing
    edges = np.linspace(-70.0, 70.0, 8)
    n = 300
    a = rng.uniform(0, 2 * np.pi, n)
    b = a + np.pi + rng.uniform(-0.7, 0.7, n)
    p1 = np.stack([60 * np.cos(a), 60 * np.sin(a), rng.uniform(-14, 14, n)], 1)
    p2 = np.stack([60 * np.cos(b), 60 * np.sin(b), rng.uniform(-14, 14, n)], 1)
    p1[:10, 2] = 80.0  # some nearly axial rays (principal axis k)
    p2[:10, 2] = -80.0
    tb = rng.integers(0, 7, n)
    x = rng.random(shape).astype(np.float32)
    y = rng.random(n).astype(np.float32)
    args = (shape, sp, org, np.zeros((1, 3)), edges, 25.0)
    C, G = JosephProjector(*args), CudaJosephProjector(*args)
    for name, t in (("nontof", None), ("tof", tb)):
        out[name + "_fc"] = C.forward_points(x, p1, p2, t)
        out[name + "_fg"] = G.forward_points(x, p1, p2, t)
        out[name + "_bc"] = C.back_points(y, p1, p2, t)
        out[name + "_bg"] = G.back_points(y, p1, p2, t)
    # crystal-index interface on a tiny ring scanner
    s = cylindrical_scanner(radius=40.0, n_per_ring=16, n_rings=2, ring_pitch=6.0, tof_fwhm_mm=30.0, n_tof_bins=5)
    d1 = rng.integers(0, s.n_detectors, 200).astype(np.int32)
    d2 = ((d1 // 2 + rng.integers(4, 12, 200)) % 16 * 2 + rng.integers(0, 2, 200)).astype(np.int32)
    tbs = rng.integers(0, 5, 200)
    sargs = ((8, 8, 8), (7.0, 7.0, 1.5), (-24.5, -24.5, -5.25), s.face_centres, s.tof_edges, s.tof_fwhm_mm)
    Cs, Gs = JosephProjector(*sargs), CudaJosephProjector(*sargs)
    out["ring_fc"] = Cs.forward(x, d1, d2, tbs)
    out["ring_fg"] = Gs.forward(x, d1, d2, tbs)
    out["ring_bc"] = Cs.back(y[:200], d1, d2, tbs)
    out["ring_bg"] = Gs.back(y[:200], d1, d2, tbs)
    out["x"], out["y"] = x, y
    np.savez(sys.argv[1], **out)
    print(json.dumps({"auto": select_device("auto")}))
""")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    path = tmp_path_factory.mktemp("cudasim") / "out.npz"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    r = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=PLUGIN_DIR, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return dict(np.load(path)), r.stdout


@pytest.mark.parametrize("case", ["nontof", "tof", "ring"])
def test_gpu_forward_and_back_equal_cpu(sim, case):
    d, _ = sim
    fc, fg, bc, bg = (d[f"{case}_{w}"] for w in ("fc", "fg", "bc", "bg"))
    assert fc.max() > 0 and bc.max() > 0  # the rays do hit the image
    np.testing.assert_allclose(fg, fc, rtol=1e-5, atol=1e-6 * float(fc.max()))
    np.testing.assert_allclose(bg, bc, rtol=1e-5, atol=1e-6 * float(bc.max()))


@pytest.mark.parametrize("case", ["nontof", "tof"])
def test_gpu_adjointness(sim, case):
    d, _ = sim
    lhs = np.dot(d[f"{case}_fg"].astype(np.float64), d["y"].astype(np.float64))
    rhs = np.vdot(d["x"].astype(np.float64), d[f"{case}_bg"].astype(np.float64))
    assert abs(lhs / rhs - 1) < 1e-6


def test_auto_selects_the_simulated_gpu(sim):
    assert '"gpu"' in sim[1] and "CUDA simulator" in sim[1]


def test_plugin_import_does_not_import_numba_cuda():
    code = ("import sys, listmode_osem, listmode_osem.plugin, listmode_osem.gpu, listmode_osem.projector; "
            "bad = [m for m in sys.modules if m.startswith('numba.cuda')]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=PLUGIN_DIR, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_select_device_cpu_and_errors(monkeypatch):
    from listmode_osem import gpu

    assert gpu.select_device("cpu")[0] == "cpu"
    with pytest.raises(gpu.DeviceError, match="device must be one of"):
        gpu.select_device("tpu")
    monkeypatch.setattr(gpu, "cuda_available", lambda: (False, "no CUDA device (test)"))
    assert gpu.select_device("auto") == ("cpu", "no CUDA device (test)")
    with pytest.raises(gpu.DeviceError, match="device=gpu requested but no CUDA device"):
        gpu.select_device("gpu")
