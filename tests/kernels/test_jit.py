"""Importing the kernels compiles nothing and loads no numba; the disable switch runs plain Python."""

import json
import os
import subprocess
import sys

import numpy as np


def _run(code, **env):
    e = dict(os.environ, **env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_does_not_load_numba():
    code = ("import sys, workstation.kernels as k\n"
            "import workstation.kernels.stats, workstation.kernels.labeling, workstation.kernels.peak, workstation.kernels.grow\n"
            "k.labeling.label_components, k.peak.suvpeak_labels, k.grow.region_grow\n"
            "print('numba' in sys.modules)")
    assert _run(code).strip() == "False"


def test_disable_switch_gives_the_same_numbers():
    code = ("import json, numpy as np\n"
            "from workstation.kernels.labeling import label_components, label_stats\n"
            "from workstation.kernels.peak import suvpeak_labels\n"
            "from workstation.kernels import _jit\n"
            "import sys\n"
            "v = np.random.default_rng(3).random((6, 7, 8)).astype(np.float32)\n"
            "lab, n = label_components(v, 0.7)\n"
            "st = label_stats(lab, v, n)\n"
            "p, c = suvpeak_labels(v, lab, (3.0, 3.0, 2.0), st.bbox, n)\n"
            "print(json.dumps({'jit_off': _jit.jit_disabled(), 'numba': 'numba' in sys.modules,\n"
            "  'lab': lab.ravel().tolist(), 'sum': st.sum.tolist(), 'peak': p.tolist()}))")
    plain = json.loads(_run(code, WORKSTATION_DISABLE_JIT="1"))
    jitted = json.loads(_run(code, WORKSTATION_DISABLE_JIT="0"))
    assert plain["jit_off"] and not plain["numba"]
    assert not jitted["jit_off"] and jitted["numba"]
    assert plain["lab"] == jitted["lab"]
    np.testing.assert_allclose(plain["sum"], jitted["sum"], rtol=1e-12)
    np.testing.assert_allclose(plain["peak"], jitted["peak"], rtol=1e-12)


def test_warm_up_runs_every_kernel():
    code = ("import sys, workstation.kernels as k\n"
            "k.warm_up()\n"
            "m = sys.modules['workstation.kernels._loops']\n"
            "print(all(len(getattr(m, f).signatures) == 1 for f in\n"
            "          ('region_stats_loop', 'label_loop', 'label_stats_loop', 'peak_loop', 'grow_loop')))")
    assert _run(code, WORKSTATION_DISABLE_JIT="0").strip() == "True"
