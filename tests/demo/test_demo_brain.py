"""The demo head's brain: MNI152 grey/white uptake with a known AD-like deficit, placed by a known similarity,
checked against the formula evaluated on the resource arrays by hand; the head finder finds it."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from workstation.core.geometry import ImageGeometry
from workstation.demo import brain as demo_brain
from workstation.demo import phantom as phantom_mod

RES = Path(__file__).resolve().parents[2] / "resources" / "brain"


def _npz():
    d = np.load(RES / "mni_2mm.npz")
    rows = json.loads((RES / "cerebra_labels.json").read_text())
    return d, rows


def test_deficit_and_normal_cortex_follow_the_formula():
    d, rows = _npz()
    gm, wm, atlas, o = d["gm"] / 255.0, d["wm"] / 255.0, d["atlas"], np.asarray(d["origin"], float)
    labels = {r["name"]: [] for r in rows}
    for r in rows:
        labels[r["name"]].append(int(r["label"]))
    m = demo_brain.mni_to_demo_matrix()
    for name, factor in (("Precuneus", 0.75), ("Superior Frontal", 1.0), ("Posterior Cingulate", 0.75)):
        inside = np.isin(atlas, labels[name])
        core = ndimage.binary_erosion(inside, structure=np.ones((3, 3, 3)), iterations=1) & (gm > 0.5)
        kji = np.argwhere(core)
        assert len(kji) > 5, name
        mni = o + 2.0 * kji[:, ::-1]
        demo = mni @ m[:3, :3].T + m[:3, 3]
        got = demo_brain.brain_suv(demo[:, 0], demo[:, 1], demo[:, 2])
        g, w = gm[tuple(kji.T)], wm[tuple(kji.T)]
        implied = (got / 3.0 - w) / (3.0 * g)  # the grey-matter factor F the demo used there
        assert float(np.median(implied)) == pytest.approx(factor, abs=0.04), name
    # outside any tissue: the CSF level
    assert demo_brain.brain_suv(np.array([0.0]), np.array([2.0]), np.array([-300.0]))[0] == pytest.approx(demo_brain.CSF_SUV)


def test_brain_lies_inside_the_phantom_ellipsoid_and_truth_names_the_deficit():
    d, _rows = _npz()
    k, j, i = np.nonzero((d["gm"] / 255.0 + d["wm"] / 255.0) > 0.2)
    mni = np.asarray(d["origin"], float) + 2.0 * np.stack([i, j, k], 1)
    m = demo_brain.mni_to_demo_matrix()
    p = mni @ m[:3, :3].T + m[:3, 3]
    ell = dict(phantom_mod.PHANTOM_LAYERS[i] for i in range(len(phantom_mod.PHANTOM_LAYERS))
               if phantom_mod.PHANTOM_LAYERS[i][0] == "brain")["brain"]
    assert ell.inside(p[:, 0], p[:, 1], p[:, 2]).all()
    t = demo_brain.brain_truth()
    assert t["deficit"]["amplitude"] == -0.25 and "Precuneus" in t["deficit"]["regions"]
    assert t["deficit"]["grey_matter_ml"] > 10


def test_head_finder_finds_the_demo_brain():
    from workstation.analysis.brain.head import find_head

    g = ImageGeometry((70, 64, 64), (4.0, 4.0, 4.0), (-126.0, -126.0, -270.0))
    ph = phantom_mod.make_phantom(g, supersample=1, lesions=())
    smooth = ndimage.gaussian_filter(ph.suv, 6.5 / 2.355 / 4.0)
    h = find_head(smooth, g)
    assert np.linalg.norm(np.subtract(h.brain_centre_world, demo_brain.DEMO_CENTRE)) < 12.0
    assert 700 < h.brain_ml < 1700
    # grey matter hotter than white matter (not the old uniform brain)
    assert ph.suv[ph.labels == phantom_mod.ORGANS["brain"].label].max() > 7.5
    flat = phantom_mod.make_phantom(g, supersample=1, lesions=(), brain=False)
    assert np.ptp(flat.suv[flat.labels == phantom_mod.ORGANS["brain"].label]) == 0.0
