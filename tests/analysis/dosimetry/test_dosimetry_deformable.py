"""Deformable registration after the rigid step: Jacobian by hand, the refusal of folding, and a kidney moved
8 mm against the body on the phantom (propagated VOI Dice and TIA, rigid against deformable)."""

from types import SimpleNamespace

import numpy as np
import pytest

from workstation.analysis.dosimetry import deform
from workstation.analysis.dosimetry.align import propagate_mask, register_to_first
from workstation.analysis.dosimetry.deform import (DeformableParameters, Deformation, check_deformation,
                                                   jacobian_determinant, propagate_mask_through, register_deformable)
from workstation.core.geometry import ImageGeometry
from workstation.testing.dosimetry_phantom import local_shift, make_phantom

SHAPE = (36, 44, 44)
TIMES = (4.0, 24.0, 96.0)


def _grid(shape=(10, 12, 14), spacing=(2.0, 3.0, 4.0)):
    return ImageGeometry(shape=shape, spacing=spacing, origin=(-10.0, -20.0, -15.0))


def _world(g):
    nk, nj, ni = g.shape
    kji = np.stack(np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij"), axis=-1).astype(float)
    return g.kji_to_world(kji)  # (k, j, i, 3) x y z


def _dice(a, b):
    return 2.0 * (a & b).sum() / (a.sum() + b.sum())


def _kidney_dice(ph, rigid, d, truth):
    """Dice of the left kidney of the first scan carried onto the second against ``truth``: (rigid, deformable)."""
    mat = np.asarray(rigid["moving_from_fixed"])
    g0, g1 = ph.geometry, ph.volumes[1].geometry
    m0 = ph.masks["kidney left"]
    return (_dice(propagate_mask(m0, g0, g1, mat), truth),
            _dice(propagate_mask_through(m0, g0, np.eye(4), None, g1, mat, d), truth))


def test_jacobian_of_a_linear_field_by_hand():
    g = _grid()
    x = _world(g)
    a, b, c = 0.1, -0.3, 0.25
    u = np.stack([a * x[..., 0], b * x[..., 1], c * x[..., 2]], axis=-1)
    np.testing.assert_allclose(jacobian_determinant(u, g), (1 + a) * (1 + b) * (1 + c), rtol=1e-9)
    # a shear u_x = s y has determinant 1 (volume kept)
    s = np.zeros_like(u)
    s[..., 0] = 0.7 * x[..., 1]
    np.testing.assert_allclose(jacobian_determinant(s, g), 1.0, atol=1e-9)


def test_folding_and_too_large_deformations_are_refused():
    g = _grid()
    x = _world(g)
    body = np.ones(g.shape, bool)
    p = DeformableParameters(max_displacement_mm=10.0)
    smooth = np.zeros(g.shape + (3,))
    smooth[..., 2] = 3.0 * np.sin(2 * np.pi * x[..., 2] / 60.0)  # du/dz <= 0.31: no folding
    reason, stats = check_deformation(smooth, g, body, p)
    assert reason is None and stats["min_jacobian"] > 0.6 and stats["max_displacement_mm"] <= 3.0
    fold = np.zeros(g.shape + (3,))
    fold[..., 2] = 6.0 * np.sin(2 * np.pi * x[..., 2] / 20.0)  # du/dz down to -1.9: the map folds
    reason, stats = check_deformation(fold, g, body, p)
    assert reason is not None and "folds" in reason and stats["min_jacobian"] <= 0
    # the folding lies outside the body: not refused for it
    inside = np.cos(2 * np.pi * x[..., 2] / 20.0) > 0.1  # where du/dz > 0
    assert check_deformation(fold, g, inside, p)[0] is None
    big = smooth * 5.0  # 15 mm, no folding... du/dz down to -0.57
    reason, stats = check_deformation(big, g, body, p)
    assert reason is not None and "15.0 mm" in reason and stats["min_jacobian"] > 0


def test_inverse_map_returns_to_the_start():
    g = _grid((12, 12, 12), (4.0, 4.0, 4.0))
    x = _world(g)
    u = np.zeros(g.shape + (3,), np.float32)
    r2 = ((x - x.mean(axis=(0, 1, 2))) ** 2).sum(axis=-1)
    u[..., 0] = 5.0 * np.exp(-r2 / (2 * 12.0 ** 2))
    u[..., 2] = -3.0 * np.exp(-r2 / (2 * 15.0 ** 2))
    rigid = np.eye(4)
    rigid[:3, 3] = (4.0, -2.0, 12.0)
    d = Deformation(g, u, deform._invert(u, g), rigid)
    pts = x.reshape(-1, 3)[::7]
    back = d.other_to_first(d.first_to_other(pts))
    assert np.abs(back - pts).max() < 0.3  # mm: the fields are interpolated linearly on 4 mm voxels


@pytest.fixture(scope="module")
def warped():
    """The phantom with the left kidney of time point 2 moved 2 voxels (8 mm) along z against the body."""
    ph = make_phantom(times_h=TIMES, shape=SHAPE)
    truth = local_shift(ph, 1, "kidney left", (2, 0, 0))
    tps = [SimpleNamespace(volume=v, ct=None, label=f"TP{i + 1}") for i, v in enumerate(ph.volumes)]
    rigid = register_to_first(tps[0], tps[1])
    return ph, truth, tps, rigid


def test_deformable_carries_the_moved_kidney_better_than_rigid(warped):
    ph, truth, tps, rigid = warped
    reg, d, warnings = register_deformable(tps[0], tps[1], rigid)
    assert d is not None and warnings == [] and reg["type"] == "deformable" and reg["refused"] is None
    assert reg["metric_after"] < reg["metric_before"]  # Mattes MI is negative: lower is better
    assert 4.0 < reg["max_displacement_mm"] <= 12.0 and reg["min_jacobian"] > 0.3  # the true motion: 8 mm
    assert reg["parameters"]["grid_mm"] == 48.0
    mat = np.asarray(rigid["moving_from_fixed"])
    g0, g1 = ph.geometry, ph.volumes[1].geometry
    dice_rigid, dice_def = _kidney_dice(ph, rigid, d, truth)
    print(f"kidney left Dice rigid {dice_rigid:.3f}, deformable {dice_def:.3f}")
    assert dice_rigid < 0.75 and dice_def > 0.95
    # the organs that did not move stay where they were
    for name in ("kidney right", "liver", "tumour"):
        true_n = np.roll(ph.masks[name], ph.shifts_vox[1], axis=(0, 1, 2))
        assert _dice(propagate_mask_through(ph.masks[name], g0, np.eye(4), None, g1, mat, d), true_n) > 0.95, name


def test_a_forced_folding_deformation_is_refused_and_rigid_kept(warped, monkeypatch):
    ph, _, tps, rigid = warped
    g = deform.block_average(tps[0].volume, 4.0).geometry
    x = _world(g)
    fold = np.zeros(g.shape + (3,), np.float32)
    fold[..., 2] = 8.0 * np.sin(2 * np.pi * x[..., 2] / 24.0)  # folds every 12 mm, 8 mm at most

    def forced(first, other, mat, use_ct, params):
        return fold, g, -0.10, -0.20

    monkeypatch.setattr(deform, "_fit_field", forced)
    reg, d, warnings = register_deformable(tps[0], tps[1], rigid)
    assert d is None and reg["type"] == "rigid" and reg["requested"] == "deformable"
    assert "folds" in reg["refused"] and reg["min_jacobian"] <= 0
    assert reg["moving_from_fixed"] == rigid["moving_from_fixed"] and reg["method"] == rigid["method"]
    assert len(warnings) == 1 and "refused, rigid kept" in warnings[0] and "TP2" in warnings[0]
    # too far (no folding) is refused as well, with the limit named
    monkeypatch.setattr(deform, "_fit_field", lambda *a: (fold * 0.2 + 25.0, g, -0.1, -0.2))
    reg, d, warnings = register_deformable(tps[0], tps[1], rigid)
    assert d is None and "20 mm allowed" in reg["refused"]


@pytest.mark.slow
def test_tia_of_the_moved_kidney_through_the_chain(tmp_path):
    from workstation.analysis.dosimetry.pipeline import (DosimetryOptions, find_rtstructs, load_time_points,
                                                         run_dosimetry)
    from workstation.testing.dosimetry_phantom import write_phantom

    ph = make_phantom(times_h=TIMES, shape=SHAPE)
    local_shift(ph, 1, "kidney left", (2, 0, 0))
    dirs = write_phantom(tmp_path, ph)
    truth = ph.truth_tia_mbq_h("kidney left")
    out = {}
    for how in ("rigid", "deformable"):
        res = run_dosimetry(load_time_points(dirs), find_rtstructs(dirs), DosimetryOptions(registration=how))
        d = res.to_dict()
        assert d["registration"] == how
        types = [tp["registration"]["type"] for tp in d["time_points"]]
        assert types[:2] == ["reference", how]
        if how == "deformable":  # time point 3 moved only rigidly: a B-spline that gains nothing is refused
            reg3 = d["time_points"][2]["registration"]
            assert reg3["requested"] == "deformable"
            assert reg3["type"] == "deformable" or "does not improve" in reg3["refused"]
        out[how] = {v.name: v for v in res.vois}
        if how == "deformable":
            assert res.therapy.time_points[1].deformation is not None
            reg = d["time_points"][1]["registration"]
            assert {"parameters", "metric_before", "metric_after", "max_displacement_mm"} <= set(reg)
    err = {how: abs(out[how]["kidney left"].fit.tia_mbq_h / truth - 1) for how in out}
    act = {how: out[how]["kidney left"].activities_mbq[1] for how in out}
    true_act = float(ph.truth_activity_mbq("kidney left", TIMES[1]))
    print(f"kidney left TIA error rigid {err['rigid']:.1%}, deformable {err['deformable']:.1%}; "
          f"activity at 24 h rigid {act['rigid']:.2f}, deformable {act['deformable']:.2f}, truth {true_act:.2f} MBq")
    assert err["deformable"] < 0.02 < err["rigid"]
    assert act["deformable"] == pytest.approx(true_act, rel=0.02)
    for name in ("kidney right", "liver", "tumour"):  # unmoved organs: as with the rigid registration
        print(name, "TIA rigid", out["rigid"][name].fit.tia_mbq_h, "deformable", out["deformable"][name].fit.tia_mbq_h,
              "truth", ph.truth_tia_mbq_h(name))
        assert out["deformable"][name].fit.tia_mbq_h == pytest.approx(out["rigid"][name].fit.tia_mbq_h, rel=0.005)


@pytest.mark.slow
def test_ct_to_ct_deformable_when_every_time_point_has_a_ct():
    ph = make_phantom(times_h=TIMES, shape=SHAPE, with_ct=True)
    truth = local_shift(ph, 1, "kidney left", (2, 0, 0))  # the CT moves with the SPECT
    tps = [SimpleNamespace(volume=v, ct=c, label=f"TP{i + 1}") for i, (v, c) in enumerate(zip(ph.volumes, ph.cts))]
    from workstation.analysis.dosimetry.align import register_ct_to_first

    rigid = register_ct_to_first(tps[0], tps[1])
    reg, d, _ = register_deformable(tps[0], tps[1], rigid, use_ct=True)
    assert d is not None and reg["parameters"]["images"] == "CT to CT" and reg["metric_after"] < reg["metric_before"]
    dice_rigid, dice_def = _kidney_dice(ph, rigid, d, truth)
    print(f"CT to CT: kidney left Dice rigid {dice_rigid:.3f}, deformable {dice_def:.3f}")
    assert dice_def > 0.9 and dice_def > dice_rigid + 0.08
