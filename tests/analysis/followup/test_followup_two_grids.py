"""Lesion matching when baseline and follow-up have different grids (spacing, origin, shape), as two real
studies do: a baseline voxel centre carried to the follow-up must be looked up on the follow-up's grid.
Every other follow-up test uses one grid for both time points, where a lookup on the wrong grid is right.

Expected overlaps are computed independently: voxel centres by hand (origin + index x spacing, identity
direction), the rigid map applied by hand, the nearest follow-up voxel by rounding (point - origin) / spacing.
"""

import math

import numpy as np
import pytest

from workstation.analysis.followup import comparison as F
from workstation.core.geometry import ImageGeometry

BASE = dict(shape=(18, 22, 20), spacing=(4.0, 3.5, 5.0), origin=(-40.0, -38.0, -45.0))  # (k, j, i); (x, y, z)
FU = dict(shape=(40, 42, 38), spacing=(2.0, 2.5, 2.2), origin=(-30.0, -52.0, -38.0))
ANGLE, SHIFT = 7.0, np.array([6.0, -4.0, 3.0])  # follow-up from baseline: rotation about z, then shift


def _rot():
    t = math.radians(ANGLE)
    return np.array([[math.cos(t), -math.sin(t), 0.0], [math.sin(t), math.cos(t), 0.0], [0.0, 0.0, 1.0]])


def _centres(grid):
    k, j, i = np.indices(grid["shape"])
    o, s = grid["origin"], grid["spacing"]
    return np.stack([o[0] + i * s[0], o[1] + j * s[1], o[2] + k * s[2]], axis=-1)


def _paint(grid, spheres):
    w = _centres(grid)
    lab = np.zeros(grid["shape"], np.int32)
    for n, (c, r) in enumerate(spheres):
        lab[np.linalg.norm(w - np.asarray(c), axis=-1) <= r] = n + 1
    return lab


def _expected_overlap(base_lab, fu_lab, nb, nf):
    p = _centres(BASE)[base_lab > 0]
    labs = base_lab[base_lab > 0]
    q = p @ _rot().T + SHIFT
    idx = np.rint((q - np.asarray(FU["origin"])) / np.asarray(FU["spacing"])).astype(int)  # (i, j, k)
    nk, nj, ni = FU["shape"]
    inside = (idx >= 0).all(axis=1) & (idx < np.array([ni, nj, nk])).all(axis=1)
    hit = np.zeros(len(p), int)
    hit[inside] = fu_lab[idx[inside, 2], idx[inside, 1], idx[inside, 0]]
    out = np.zeros((nb, nf))
    for b in range(nb):
        for f in range(nf):
            out[b, f] = np.mean(hit[labs == b + 1] == f + 1)
    return out


def test_matching_looks_up_the_followup_grid():
    base_spheres = [((-18.0, -10.0, 5.0), 9.0), ((14.0, 12.0, -10.0), 11.0)]
    t = np.eye(4)
    t[:3, :3], t[:3, 3] = _rot(), SHIFT
    carried = [tuple(_rot() @ np.asarray(c) + SHIFT) for c, _ in base_spheres]
    # follow-up: lesion 0 has shrunk and sits 4 mm off its carried centre (partial overlap); lesion 1 is where
    # the map carries it, listed first; lesion 2 is new, 30 mm away
    fu_spheres = [(carried[1], 10.0), (tuple(np.asarray(carried[0]) + [4.0, 0.0, 0.0]), 6.0),
                  ((-5.0, 28.0, 20.0), 6.0)]
    base_lab, fu_lab = _paint(BASE, base_spheres), _paint(FU, fu_spheres)
    want = _expected_overlap(base_lab, fu_lab, 2, 3)
    assert 0.05 < want[0, 1] < 0.6 and want[1, 0] > 0.7  # the design: one partial and one large overlap
    gb, gf = ImageGeometry(**BASE), ImageGeometry(**FU)
    m = F.match_lesions(base_lab, gb, [c for c, _ in base_spheres], fu_lab, gf, [c for c, _ in fu_spheres], t)
    assert sorted((b, f) for b, f, _, _ in m) == [(0, 1), (1, 0)]
    for b, f, ov, dist in m:
        assert ov == pytest.approx(want[b, f], abs=1e-12)
        assert dist == pytest.approx(np.linalg.norm(np.asarray(carried[b]) - fu_spheres[f][0]), abs=1e-9)
