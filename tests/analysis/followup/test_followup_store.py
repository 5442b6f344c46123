"""Follow-up reading: the reader's edits and the accepted registration kept in the database, and the
B-spline deformable registration used for lesion matching (synthetic pairs built here)."""

import math

import numpy as np
import pytest
from scipy import ndimage

from workstation.analysis.followup import comparison as F
from workstation.analysis.followup import registration as registration_mod

from workstation.analysis.followup import store as FS
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.io.db import StudyDB


def _rigid(deg_z: float, shift) -> np.ndarray:
    a = math.radians(deg_z)
    t = np.eye(4)
    t[:3, :3] = [[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]]
    t[:3, 3] = shift
    return t


def _paint(geometry, centres, radius, values=None):
    labels = np.zeros(geometry.shape, np.int32)
    suv = np.ones(geometry.shape, np.float32)
    w = geometry.kji_to_world(np.indices(geometry.shape).reshape(3, -1).T.astype(float))
    for n, c in enumerate(centres):
        inside = np.linalg.norm(w - np.asarray(c), axis=1) <= radius
        labels.reshape(-1)[inside] = n + 1
        suv.reshape(-1)[inside] = 5.0 + n if values is None else values[n]
    return labels, suv


def _timepoint(geometry, labels, suv, uid):
    pet = Volume(suv.copy(), geometry, modality="PT", units="BQML", series_uid=f"{uid}.pet")
    ct = Volume(np.zeros(geometry.shape, np.float32), geometry, modality="CT", series_uid=f"{uid}.ct")
    tp = F.TimePoint(pet, suv, suv, ct, uid)
    lesions = []
    for n in range(int(labels.max())):
        m = labels == n + 1
        c = geometry.kji_to_world(np.argwhere(m).mean(axis=0))
        mtv = m.sum() * np.prod(geometry.spacing) / 1000.0
        lesions.append(F.LesionMeasure(list(c), float(suv[m].max()), float(suv[m].max()), mtv, mtv * 5, int(m.sum())))
    liver = {"centre_world": [0, 0, 0], "suv_mean": 1.0, "suv_sd": 0.1, "sul_mean": 1.0, "sul_sd": 0.1, "voxels": 100}
    return tp, {"lesions": lesions, "labels": labels, "threshold_suv": 1.7, "liver": liver, "blood_pool": None,
                "excluded": []}


@pytest.fixture
def synthetic():
    """Three baseline lesions; the follow-up holds the first two carried by a rigid map (in another
    order) and a new one; the third baseline lesion is gone."""
    g = ImageGeometry((40, 40, 40), (2.0, 2.0, 2.0), (-40.0, -40.0, -40.0))
    base_c = [(-20.0, -10.0, 0.0), (15.0, 10.0, 5.0), (0.0, 25.0, -20.0)]
    t = _rigid(8.0, (6.0, -4.0, 3.0))
    car = registration_mod.apply(t, base_c)
    fu_c = [tuple(car[1]), (-25.0, 25.0, 25.0), tuple(car[0])]
    bt, bm = _timepoint(g, *_paint(g, base_c, 5.0), "1.2.3.b")
    ft, fm = _timepoint(g, *_paint(g, fu_c, 5.0), "1.2.3.f")

    def make(edits=None, transform=t):
        rd = F.FollowupReading(bt, ft, np.asarray(transform, float), bm, fm, [],
                               {"method": "rigid", "followup_from_baseline": t, "metric": -0.5})
        rd.rematch()
        if edits:
            rd.apply_edits(edits)
        return rd
    return make


def _status(rd):
    return {r.key: (r.status, r.baseline_index, r.followup_index, r.name) for r in rd.rows()}


def test_edits_replay_on_a_fresh_reading(synthetic, tmp_path):
    rd = synthetic()
    assert sorted((m[0], m[1]) for m in rd.matches) == [(0, 2), (1, 0)]
    rd.unlink("L1")  # baseline 0 / follow-up 2 become disappeared + new
    rd.link(2, 1)  # the gone lesion linked by hand to the new one far away
    rd.rename("L2", "right lung")
    new_key = next(r.key for r in rd.rows() if r.status == "new")
    rd.rename(new_key, "new in segment 7")
    after = _status(rd)
    assert after["L1"][0] == "disappeared" and after["L3"][:3] == ("matched", 2, 1)
    assert after["L2"][3] == "right lung"
    assert [op["op"] for op in rd.edits] == ["unlink", "link", "rename", "rename"]
    # stored in the database and read back through a new connection, as when the pair is opened again
    path = tmp_path / "db.sqlite"
    with StudyDB(path) as db:
        FS.save_edits(db, rd)
    with StudyDB(path) as db:
        edits = FS.stored_edits(db, "1.2.3.b.pet", "1.2.3.f.pet")
        assert db.followup_edits("1.2.3.f.pet", "1.2.3.b.pet") == []  # ordered pair
    again = synthetic(edits)
    assert _status(again) == after
    assert again.response("percist").category == rd.response("percist").category
    # a fresh reading without the edits is the automatic matching
    assert _status(synthetic())["L1"][0] == "matched"
    # forgetting them: an empty list
    with StudyDB(path) as db:
        db.save_followup_edits("1.2.3.b.pet", "1.2.3.f.pet", [])
        assert FS.stored_edits(db, "1.2.3.b.pet", "1.2.3.f.pet") == []


def test_edits_that_no_longer_fit_are_reported_not_applied(synthetic):
    rd = synthetic()
    skipped = rd.apply_edits([
        {"op": "unlink", "baseline": [90.0, 90.0, 90.0], "followup": [0, 0, 0]},  # no lesion there
        {"op": "rename", "side": "followup", "centre": [-25.0, 25.0, 25.0], "name": "kept"},
        {"op": "unlink", "baseline": [0.0, 25.0, -20.0], "followup": [0.0, 0.0, 0.0]},  # not matched
        {"op": "explode"},
    ])
    assert len(skipped) == 3 and all(":" in s for s in skipped)
    assert [e["op"] for e in rd.edits] == ["rename"]
    assert any(r.name == "kept" and r.status == "new" for r in rd.rows())
    assert sorted((m[0], m[1]) for m in rd.matches) == [(0, 2), (1, 0)]  # untouched


def test_registration_accept_undo_and_stored(synthetic, tmp_path):
    rd = synthetic(transform=np.eye(4))  # opened with the identity: lesions 8-9 mm apart still overlap
    proposed = {"method": "rigid", "metric": -0.5, "followup_from_baseline": _rigid(8.0, (6.0, -4.0, 3.0))}
    with StudyDB(tmp_path / "db.sqlite") as db:
        assert FS.stored_registration(db, rd) is None
        rd.set_registration(proposed["followup_from_baseline"], proposed)
        row = FS.accept_registration(db, rd)
        assert row.version == 1 and (row.moving_series_uid, row.fixed_series_uid) == ("1.2.3.f.ct", "1.2.3.b.ct")
        assert np.allclose(FS.stored_registration(db, rd).matrix, proposed["followup_from_baseline"])
        # a second accepted version (a small nudge), then undo goes back to version 1
        nudged = proposed["followup_from_baseline"].copy()
        nudged[:3, 3] += (1.0, 0.0, 0.0)
        rd.set_registration(nudged, {"method": "nudge"})
        assert FS.accept_registration(db, rd).version == 2
        row, skipped = FS.undo_registration(db, rd, proposed)
        assert row.version == 1 and skipped == []
        assert np.allclose(rd.followup_from_baseline, proposed["followup_from_baseline"])
        # undo once more: nothing stored, the reading shows the proposal again (not stored)
        row, _ = FS.undo_registration(db, rd, proposed)
        assert row is None and FS.stored_registration(db, rd) is None
        assert np.allclose(rd.followup_from_baseline, proposed["followup_from_baseline"])
    # the matches follow the registration: a wrong map (25 mm off) loses them, the edits stay applied
    rd.rename("L2", "kept name")
    rd.set_registration(_rigid(0.0, (60.0, 0.0, 0.0)))
    assert all(r.status != "matched" for r in rd.rows())
    assert next(r for r in rd.rows() if r.key == "L2").name == "kept name"
    with pytest.raises(F.FollowupError, match="4x4"):
        rd.set_registration(np.eye(3))


# ---------------------------------------------------------------------------- deformable
def _smooth_texture(shape, seed):
    rng = np.random.default_rng(seed)
    return ndimage.gaussian_filter(rng.normal(size=shape), 2.0)


def _displacement(world):
    """A smooth deformation (mm) of up to 7 mm: a slow wave along each axis."""
    x, y, z = world[..., 0], world[..., 1], world[..., 2]
    return np.stack([7.0 * np.sin(2 * np.pi * z / 160.0),
                     -6.0 * np.sin(2 * np.pi * x / 200.0) * np.cos(2 * np.pi * z / 200.0),
                     5.0 * np.cos(2 * np.pi * y / 180.0)], axis=-1)


@pytest.fixture(scope="module")
def deformed_pair():
    """Baseline CT: a textured body; follow-up CT(y) = baseline(S(y)), S(y) = y + s + u(y) with a
    known shift s and smooth u. A baseline point c lies in the follow-up at y with S(y) = c."""
    g = ImageGeometry((40, 48, 48), (4.0, 4.0, 4.0), (-94.0, -94.0, -78.0))  # shape (k, j, i), spacing (i, j, k)
    shape = g.shape
    kji = np.indices(shape).reshape(3, -1).T.astype(float)
    w = g.kji_to_world(kji)
    body = ((w[:, 0] / 80.0) ** 2 + (w[:, 1] / 70.0) ** 2 <= 1.0).reshape(shape)
    base = np.where(body, 40.0 + 300.0 * _smooth_texture(shape, 3) / 0.05, -1000.0).astype(np.float32)
    base = np.clip(base, -1000, 1500)
    shift = np.array([3.0, -2.0, 4.0])
    src = w + shift + _displacement(w)
    vals = ndimage.map_coordinates(base, g.world_to_kji(src).T, order=1, mode="nearest")
    fu = vals.reshape(shape).astype(np.float32)
    return Volume(base, g, modality="CT"), Volume(fu, g, modality="CT"), shift


def _where_in_followup(c, shift):
    y = np.asarray(c, float) - shift
    for _ in range(50):  # fixed point of y = c - s - u(y) (u is a contraction here)
        y = np.asarray(c, float) - shift - _displacement(y)
    return y


@pytest.mark.slow
def test_bspline_recovers_lesion_centres_that_rigid_misses(deformed_pair):
    from workstation.analysis.registration.rigid import register_rigid

    base, fu, shift = deformed_pair
    rigid = register_rigid(base, fu, iterations=100).pet_from_anat  # followup_from_baseline
    dmap = registration_mod.register_deformable(base, fu, rigid, mesh_mm=50.0)
    centres = np.array([(-40.0, -20.0, -30.0), (35.0, 25.0, 10.0), (0.0, -35.0, 40.0), (50.0, -10.0, -40.0),
                        (-30.0, 40.0, 20.0), (10.0, 10.0, 0.0)])
    truth = np.array([_where_in_followup(c, shift) for c in centres])
    err_rigid = np.linalg.norm(registration_mod.apply(rigid, centres) - truth, axis=1)
    err_def = np.linalg.norm(dmap.carry(centres) - truth, axis=1)
    print("rigid error mm", err_rigid.round(2), "deformable error mm", err_def.round(2))
    assert err_rigid.max() > 5.0  # the deformation is real: a rigid map cannot follow it
    assert err_def.max() < 3.0  # "within a few mm"; 4 mm voxels
    assert err_def.mean() < err_rigid.mean() / 2
    assert dmap.carry(centres[0]).shape == (3,)
    # matching through it: each lesion (r = 8 mm) paints where the deformation put it
    g = base.geometry
    bl, bsuv = _paint(g, centres, 8.0)
    fl, fsuv = _paint(g, truth[::-1], 8.0)  # listed in reverse order
    m = F.match_lesions(bl, g, list(centres), fl, g, list(truth[::-1]), dmap, gate_mm=4.0)
    assert sorted((b, f) for b, f, _, _ in m) == [(b, len(centres) - 1 - b) for b in range(len(centres))]


def test_deformable_never_replaces_the_rigid_map_of_the_views(synthetic):
    rd = synthetic()
    t = rd.followup_from_baseline.copy()
    with pytest.raises(F.FollowupError, match="no deformable"):
        rd.set_matching("deformable")

    class Shifted:  # a stand-in map: 2 mm beyond the rigid one
        def carry(self, p):
            return registration_mod.apply(t, p) + np.array([2.0, 0.0, 0.0])

        def summary(self):
            return "test map"
    rd.deformable = Shifted()
    rd.set_matching("deformable")
    assert rd.matching == "deformable" and sorted((m[0], m[1]) for m in rd.matches) == [(0, 2), (1, 0)]
    p = np.array([1.0, 2.0, 3.0])
    assert np.allclose(rd.carry_to_followup(p), registration_mod.apply(t, p))  # the views' link: still rigid
    assert np.allclose(rd.carry_for_matching(p), registration_mod.apply(t, p) + [2.0, 0.0, 0.0])
    assert rd.to_dict("eortc")["matching"] == "deformable"
    # a new rigid registration drops the deformable map found from the old one
    rd.set_registration(_rigid(8.5, (6.0, -4.0, 3.0)))
    assert rd.deformable is None and rd.matching == "rigid"
