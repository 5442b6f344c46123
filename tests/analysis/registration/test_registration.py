"""Rigid MI registration recovers a known shift and rotation between two synthetic modalities."""

from pathlib import Path

import numpy as np
import pytest

from workstation.analysis.registration.rigid import register_rigid
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.tasks.progress import Cancelled, Progress
from workstation.testing import synthetic_study as syn


def _phantom(xyz):
    """Asymmetric structure; 'PET-like' intensities are a non-linear map of these labels."""
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    lab = ((x / 70.0) ** 2 + (y / 50.0) ** 2 + (z / 60) ** 2 <= 1.0).astype(np.int8)
    lab[np.sum((xyz - [30.0, -15.0, 10.0]) ** 2, -1) <= 15.0 ** 2] = 2
    lab[np.sum((xyz - [-25.0, 20.0, -20.0]) ** 2, -1) <= 10.0 ** 2] = 3
    lab[(np.abs(x + 5) < 6) & (np.abs(y - 25) < 8)] = 4  # a rod along z
    return lab


def _rotz(deg):
    t = np.radians(deg)
    return np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1.0]])


@pytest.fixture(scope="module")
def pair():
    ct_geo = ImageGeometry((40, 56, 56), (3.0, 3.0, 3.5), (-82.5, -82.5, -68.25))
    ct = Volume(np.choose(syn.sample(ct_geo, _phantom), [-1000.0, 40.0, 300.0, -200.0, 900.0]).astype(np.float32),
                ct_geo, modality="CT")
    # true pet_from_anat: rotate 4 deg about z through (0,0,0), then shift (6, -4, 5) mm
    truth = np.eye(4)
    truth[:3, :3] = _rotz(4.0)
    truth[:3, 3] = (6.0, -4.0, 5.0)
    pet_geo = ImageGeometry((34, 40, 40), (4.0, 4.0, 4.0), (-78.0, -78.0, -66.0))
    inv = np.linalg.inv(truth)

    def pet_fn(q):  # PET world point q shows the anatomy at inv(truth) q
        p = q @ inv[:3, :3].T + inv[:3, 3]
        return np.choose(_phantom(p), [0.0, 1000.0, 5000.0, 300.0, 2500.0])

    pet = Volume(syn.sample(pet_geo, pet_fn).astype(np.float32), pet_geo, modality="PT")
    return ct, pet, truth


@pytest.mark.slow
def test_recovers_known_rigid_transform(pair):
    ct, pet, truth = pair
    seen = []
    reg = register_rigid(ct, pet, progress=Progress(lambda f, m: seen.append(f)))
    pts = np.array([[30.0, -15.0, 10.0], [-25.0, 20.0, -20.0], [0.0, 0.0, 40.0], [50.0, 30.0, -30.0]])
    got = pts @ reg.pet_from_anat[:3, :3].T + reg.pet_from_anat[:3, 3]
    want = pts @ truth[:3, :3].T + truth[:3, 3]
    err = np.linalg.norm(got - want, axis=1)
    assert err.max() < 1.5, (err, reg.summary())
    assert abs(reg.rotation_deg - 4.0) < 1.0
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_cancel_is_honoured(pair):
    ct, pet, _ = pair
    p = Progress()
    p.cancel()
    with pytest.raises(Cancelled):
        register_rigid(ct, pet, progress=p, iterations=5)


# ----------------------------------------------------------------------------- proposals on real data
import dataclasses  # noqa: E402

from workstation.analysis.registration import rigid as rg

STS = Path(__file__).resolve().parents[3].parent / "shared" / "refdata" / "ibsi-sts-petctmr"


def _load(patient, modality):
    from workstation.io.loader import load_series

    files = sorted((STS / patient / modality / "image").glob("*"))
    return load_series(files)


@pytest.fixture(scope="module")
def sts():
    if not STS.is_dir():
        pytest.skip(f"reference data not present at {STS}")
    return {p: {m: _load(p, m) for m in ("PET", "CT", "MR_T1")} for p in ("STS_002", "STS_005")}


def _points(v):
    c = v.geometry.center_world()
    return np.array([c] + [c + s * 25.0 * e for e in np.eye(3) for s in (-1, 1)])


@pytest.mark.slow
@pytest.mark.parametrize("patient,anat", [("STS_002", "CT"), ("STS_002", "MR_T1"), ("STS_005", "CT"),
                                          ("STS_005", "MR_T1")])
def test_aligned_refdata_pair_is_not_moved(sts, patient, anat):
    """Shared frame, already aligned: what one click on Accept applies stays within 2 mm and 1° of
    identity at the PET centre and 25 mm around it; a larger candidate only comes with a warning."""
    pet, a = sts[patient]["PET"], sts[patient][anat]
    assert rg.same_frame(pet, a)
    p = rg.propose_registration(a, pet)
    assert p.same_frame and p.initialisation == rg.INIT_IDENTITY and np.array_equal(p.before, np.eye(4))
    pts = _points(pet)
    for t in (p.to_apply(), p.after):  # what Accept applies, and the proposal itself (issue 21: not 6-13 mm)
        moved = np.linalg.norm(pts @ t[:3, :3].T + t[:3, 3] - pts, axis=1)
        assert moved.max() <= 2.0 and rg.rotation_angle_deg(t) <= 1.0, (p.summary(), p.warnings)
    if not p.changes:  # no change: said why (no clear optimum, or no significant misalignment)
        assert any("no clear optimum" in w or "no significant misalignment" in w for w in p.warnings), p.warnings
    if p.changes and p.needs_confirmation:  # the metric wanted more: said, not applied
        assert p.move_mm > rg.SAME_FRAME_MAX_MM or p.rotation_deg > rg.SAME_FRAME_MAX_DEG
        assert any("share a frame of reference" in w for w in p.warnings)
        assert np.array_equal(p.to_apply(confirmed=True), p.after)
    if not p.determined:
        assert not p.changes and any("no clear optimum" in w for w in p.warnings)
    d = p.to_dict()
    assert d["same_frame_of_reference"] is True and d["metric"] == "Mattes mutual information"


@pytest.mark.slow
def test_shared_frame_real_misalignment_is_still_proposed(pair):
    """The significance test does not hide a real move: the synthetic PET, misaligned by 4° and (6, -4, 5) mm
    while sharing the CT's frame of reference (a patient who moved between the CT and the PET), is proposed
    back within 2 mm at the structures; the same PET re-sampled in place (aligned) is left alone."""
    ct, pet, truth = pair
    ct = dataclasses.replace(ct, frame_of_reference_uid="1.2.826.0.1.3680043.99.7")
    moved = dataclasses.replace(pet, frame_of_reference_uid="1.2.826.0.1.3680043.99.7")
    p = rg.propose_registration(ct, moved)
    assert p.same_frame and p.changes and p.significant and p.determined, (p.summary(), p.warnings)
    pts = np.array([[30.0, -15.0, 10.0], [-25.0, 20.0, -20.0], [0.0, 0.0, 40.0]])
    err = np.linalg.norm(pts @ p.after[:3, :3].T + p.after[:3, 3] - (pts @ truth[:3, :3].T + truth[:3, 3]), axis=1)
    assert err.max() < 2.0, (err, p.summary())
    # the confidence test's numbers: the move is many standard errors, every held-out half improves, and so does
    # the whole overlap (every voxel)
    cf = p.confidence
    assert cf["significant"] and p.candidate_move_mm > 3.0 * cf["se_mm"], cf
    assert min(cf["heldout_gains"]) > 0.0 and cf["full_gain"] > 0.0 and p.metric_after < p.metric_before
    assert len(cf["heldout_gains"]) == len(cf["deviations_mm"]) == 6


def _misaligned(pet, truth):
    from workstation.core.geometry import ImageGeometry

    g = pet.geometry
    geo = ImageGeometry(g.shape, g.spacing, truth[:3, :3] @ np.asarray(g.origin) + truth[:3, 3],
                        truth[:3, :3] @ np.asarray(g.direction))
    return dataclasses.replace(pet, geometry=geo, frame_of_reference_uid="1.2.826.0.1.3680043.99.1")


@pytest.mark.slow
@pytest.mark.parametrize("patient", ["STS_002", "STS_005"])
def test_known_misalignment_of_real_pet_is_recovered(sts, patient):
    """A real PET moved by a known rigid transform (its world re-labelled: rotation 2/-1/4° about
    the PET centre, shift 7/-5/4 mm; no resampling) and given another frame of reference is
    registered back onto the original PET within 2 mm (centre and 25 mm around it)."""
    pet = sts[patient]["PET"]
    c = pet.geometry.center_world()
    truth = np.eye(4)
    truth[:3, :3] = rg._rotation_xyz_deg(2.0, -1.0, 4.0)
    truth[:3, 3] = np.array([7.0, -5.0, 4.0]) + c - truth[:3, :3] @ c
    moved = _misaligned(pet, truth)
    p = rg.propose_registration(pet, moved)
    assert not p.same_frame and p.initialisation == rg.INIT_GEOMETRY and p.determined
    pts = _points(pet)
    err = np.linalg.norm(pts @ p.after[:3, :3].T + p.after[:3, 3] - (pts @ truth[:3, :3].T + truth[:3, 3]), axis=1)
    assert err.max() < 2.0, (err, p.summary())
    assert p.metric_after < p.metric_before and not p.needs_confirmation
    # the reported move is that of the PET centre: |inverse(after) applied to the PET centre - it| by hand
    q = truth[:3, :3] @ c + truth[:3, 3]
    assert p.move_mm == pytest.approx(np.linalg.norm(q - c), abs=2.0)


def test_move_at_hand_worked():
    """A pure shift of the display moves every PET point by its length; a rotation about the
    origin by 90° moves the point (10, 0, 0) by 10·√2."""
    b = np.eye(4)
    a = np.eye(4)
    a[:3, 3] = (3.0, 4.0, 0.0)  # sampling the PET at p + (3,4,0): the PET appears moved by -(3,4,0)
    assert rg.move_at(b, a, (1.0, 2.0, 3.0)) == pytest.approx(5.0)
    r = np.eye(4)
    r[:3, :3] = _rotz(90.0)
    assert rg.move_at(b, r, (10.0, 0.0, 0.0)) == pytest.approx(10.0 * np.sqrt(2.0))
    assert rg.rotation_angle_deg(r) == pytest.approx(90.0)


def test_overlap_mask_excludes_voxels_outside_the_other_field_of_view():
    from workstation.core.geometry import ImageGeometry
    from workstation.core.volume import Volume

    big = Volume(np.zeros((4, 10, 10), np.float32), ImageGeometry((4, 10, 10), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)))
    small = Volume(np.zeros((4, 10, 5), np.float32), ImageGeometry((4, 10, 5), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)))
    m = rg.overlap_mask(big, small, np.eye(4))
    assert m[:, :, :5].all() and not m[:, :, 5:].any()  # x 0..4 inside, 5..9 outside
    shift = np.eye(4)
    shift[0, 3] = -2.0  # big's x maps to small's x - 2: x 2..6 inside
    m = rg.overlap_mask(big, small, shift)
    assert m[:, :, 2:7].all() and not m[:, :, :2].any() and not m[:, :, 7:].any()


def test_block_halves_split_the_overlap_by_blocks():
    """The resampling of the confidence test: each half and its complement partition the mask, each half holds
    half of the 25 mm blocks that meet the mask (counted here by hand from world positions), and the halves
    are reproducible and differ from one another."""
    from workstation.core.geometry import ImageGeometry
    from workstation.core.volume import Volume

    g = ImageGeometry((20, 24, 22), (5.0, 5.0, 3.0), (-50.0, -60.0, -30.0))
    pet = Volume(np.zeros(g.shape, np.float32), g, modality="PT")
    mask = np.zeros(g.shape, bool)
    mask[2:18, 3:20, 1:21] = True
    k, j, i = np.indices(g.shape)
    block = np.stack([(i * 5.0) // 25, (j * 5.0) // 25, (k * 3.0) // 25], -1)[mask]  # from voxel offsets, mm
    n_blocks = len({tuple(b) for b in block.astype(int)})
    halves = rg.block_halves(pet, mask, runs=4)
    again = rg.block_halves(pet, mask, runs=4)
    assert len(halves) == 4
    for (a, b), (a2, _) in zip(halves, again):
        assert not (a & b).any() and np.array_equal(a | b, mask) and np.array_equal(a, a2)
        ba = {tuple(x) for x in np.stack([(i * 5.0) // 25, (j * 5.0) // 25, (k * 3.0) // 25], -1)[a].astype(int)}
        assert len(ba) == n_blocks // 2
        # a block is wholly in one half
        bb = {tuple(x) for x in np.stack([(i * 5.0) // 25, (j * 5.0) // 25, (k * 3.0) // 25], -1)[b].astype(int)}
        assert not ba & bb
    assert not np.array_equal(halves[0][0], halves[1][0])


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="on the cropped STS_005 PET/CT Mattes MI has an optimum ~8 mm from the "
                   "scanner's alignment that survives resampling; with a known move added it is proposed 9.8 mm "
                   "from the truth (bench/registration_shared_frame.py); not recovered yet, see the closing note "
                   "of issue 21")
def test_known_move_of_a_real_shared_frame_pair_is_recovered(sts):
    """The real STS_005 PET moved by a known rigid transform (rotation 2/-1/3° about its centre, shift 5/-4/3 mm;
    its world re-labelled, the frame of reference kept: a patient who moved between CT and PET) must be proposed
    back within 2 mm (centre and 25 mm around it) and 1°."""
    pet, ct = sts["STS_005"]["PET"], sts["STS_005"]["CT"]
    c = pet.geometry.center_world()
    truth = np.eye(4)
    truth[:3, :3] = rg._rotation_xyz_deg(2.0, -1.0, 3.0)
    truth[:3, 3] = np.array([5.0, -4.0, 3.0]) + c - truth[:3, :3] @ c
    moved = dataclasses.replace(_misaligned(pet, truth), frame_of_reference_uid=ct.frame_of_reference_uid)
    p = rg.propose_registration(ct, moved)
    assert p.same_frame and p.changes and p.significant, (p.summary(), p.warnings)
    pts = _points(pet)
    err = np.linalg.norm(pts @ p.after[:3, :3].T + p.after[:3, 3] - (pts @ truth[:3, :3].T + truth[:3, 3]), axis=1)
    assert err.max() <= 2.0 and rg.rotation_angle_deg(np.linalg.solve(truth, p.after)) <= 1.0, (err, p.summary())
