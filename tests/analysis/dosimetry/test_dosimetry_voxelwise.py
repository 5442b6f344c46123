"""Voxel-wise TIA: per-voxel fits against the analytic integral, and the voxel dose map from them."""

import math

import numpy as np
import pytest

from workstation.analysis.dosimetry.voxelwise import voxel_tia
from workstation.testing.dosimetry_phantom import LU177_HALF_LIFE_H, make_phantom, write_phantom

LP = math.log(2.0) / LU177_HALF_LIFE_H


def test_voxel_tia_by_hand():
    t = np.array([4.0, 24.0, 72.0, 168.0])
    lam = LP + 0.01
    a0 = np.array([[[100.0, 50.0, -1.0]]])  # one row of 3 voxels; the last is not positive
    stack = a0[None] * np.exp(-lam * t)[:, None, None, None]
    stack[:, 0, 0, 2] = [-1.0, 2.0, 1.0, 0.5]
    got = voxel_tia(stack, t, LU177_HALF_LIFE_H, "mono")
    np.testing.assert_allclose(got[0, 0, :2], [100.0 / lam, 50.0 / lam], rtol=1e-5)
    # the non-positive voxel falls back to the trapezoid with a physical tail, by hand
    v = stack[:, 0, 0, 2]
    tt = np.concatenate([[0.0], t])
    vv = np.concatenate([[0.0], v])
    hand = float(np.sum((tt[1:] - tt[:-1]) * (vv[1:] + vv[:-1]) / 2.0)) + v[-1] / LP
    assert got[0, 0, 2] == pytest.approx(hand, rel=1e-5)
    # trapezoid with the fitted tail: the tail decay constant from the last two points, never below physical
    got_t = voxel_tia(stack, t, LU177_HALF_LIFE_H, "trapezoid")
    v = stack[:, 0, 0, 0]
    vv = np.concatenate([[0.0], v])
    hand = float(np.sum((tt[1:] - tt[:-1]) * (vv[1:] + vv[:-1]) / 2.0)) + v[-1] / lam
    assert got_t[0, 0, 0] == pytest.approx(hand, rel=1e-5)
    slow = stack.copy()
    slow[-1] = slow[-2] * 1.0  # no decay between the last two points: the physical constant is used
    hand = float(np.sum((tt[1:] - tt[:-1]) * (np.concatenate([[0.0], slow[:, 0, 0, 0]])[1:]
                                              + np.concatenate([[0.0], slow[:, 0, 0, 0]])[:-1]) / 2.0))
    assert voxel_tia(slow, t, LU177_HALF_LIFE_H, "trapezoid")[0, 0, 0] == pytest.approx(hand + slow[-1, 0, 0, 0] / LP,
                                                                                        rel=1e-5)


@pytest.mark.slow
def test_voxelwise_chain_on_the_phantom(tmp_path):
    from workstation.analysis.dosimetry.pipeline import (DosimetryOptions, find_rtstructs, load_time_points,
                                                         run_dosimetry)

    times = (4.0, 24.0, 72.0, 168.0)
    ph = make_phantom(times_h=times, shape=(28, 40, 40), noise=0.0, shifts_vox=[(0, 0, 0)] * 4, table_mm=(0.0,) * 4)
    dirs = write_phantom(tmp_path, ph)
    res = run_dosimetry(load_time_points(dirs), find_rtstructs(dirs),
                        DosimetryOptions(method="dvk", register=False, voxelwise="mono"))
    m = ph.masks["tumour"]
    vv = ph.geometry.voxel_volume_ml
    # every tumour voxel holds the analytic TIA of its share of the tumour (mono: A0/l)
    per_voxel_mbq_h = ph.truth_tia_mbq_h("tumour") / m.sum()
    np.testing.assert_allclose(res.tia_map_bq_s[m] / 3.6e9, per_voxel_mbq_h, rtol=1e-4)
    # the DVK dose at the tumour's centre is the voxel's local deposition (the sphere is much larger than the range)
    c = tuple(int(round(x)) for x in ph.geometry.world_to_kji(np.array([22.0, -20.0, 30.0])))
    e_j = 0.14792 * 1.602176634e-13
    led_vox = per_voxel_mbq_h * 3.6e9 * e_j / (1.04 * vv / 1000.0)
    assert float(res.dose_map_gy[c]) == pytest.approx(led_vox, rel=5e-3)
    v = next(x for x in res.vois if x.name == "tumour")
    assert v.dose_gy == pytest.approx(float(res.dose_map_gy[m].mean()), rel=1e-6)
    assert res.to_dict()["voxelwise"] == "mono" and any("voxel-wise mono" in w for w in res.warnings)
