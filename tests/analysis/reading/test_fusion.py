"""Tests of the reading-session model: grids, resampling through world coordinates, planes, MIP."""

import numpy as np
import pytest

from workstation.analysis.reading import session as fusion
from workstation.core import display as display_mod
from workstation.analysis.reading import display_grid
from workstation.analysis.registration import resample
from workstation.analysis.reading import study_open
from workstation.core.volume import needs_registration
from workstation.core.geometry import ImageGeometry
from workstation.testing import synthetic_study as syn


def _rot(axis_perm, signs):
    d = np.zeros((3, 3))
    for m, (a, s) in enumerate(zip(axis_perm, signs)):
        d[a, m] = s
    return d


@pytest.mark.parametrize("direction", [
    np.eye(3),
    _rot((0, 2, 1), (1, -1, 1)),  # coronal acquisition: i->L, j->I, k->P
    _rot((1, 2, 0), (-1, -1, -1)),  # sagittal-like with all flips
])
def test_axis_aligned_keeps_every_voxel_at_its_world_position(direction):
    rng = np.random.default_rng(0)
    geo = ImageGeometry((5, 6, 7), (1.0, 2.0, 3.0), (10.0, -5.0, 3.0), direction)
    arr = rng.normal(size=geo.shape).astype(np.float32)
    out, g2 = display_grid.axis_aligned(arr, geo)
    assert np.allclose(g2.direction, np.eye(3))
    for _ in range(50):
        kji = tuple(rng.integers(0, s) for s in g2.shape)
        w = g2.kji_to_world(kji)
        src = geo.world_to_nearest_kji(w)
        assert src is not None and np.allclose(geo.kji_to_world(src), w)
        assert out[kji] == arr[src]


def test_axis_aligned_oblique_resamples_linear_function_exactly():
    th = np.radians(20)
    d = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    geo = ImageGeometry((6, 12, 12), (2.0, 2.0, 2.0), (0, 0, 0), d)
    f = lambda xyz: 3 * xyz[..., 0] - 2 * xyz[..., 1] + 0.5 * xyz[..., 2] + 7  # noqa: E731
    arr = syn.sample(geo, f).astype(np.float32)
    out, g2 = display_grid.axis_aligned(arr, geo)
    # compare at points well inside the source grid
    kji = np.argwhere(np.ones(g2.shape, bool))
    w = g2.kji_to_world(kji)
    s = geo.world_to_ijk(w)
    inner = np.all((s > 0) & (s < np.asarray(geo.size_ijk) - 1), axis=1)
    assert inner.sum() > 100
    assert np.allclose(out.reshape(-1)[inner], f(w[inner]), atol=1e-3)


def test_resample_linear_function_with_transform():
    src = ImageGeometry((10, 11, 12), (3.0, 3.0, 4.0), (-10, -12, 5), np.diag([1.0, 1.0, -1.0]))
    f = lambda xyz: 1.5 * xyz[..., 0] + 0.25 * xyz[..., 1] - 2 * xyz[..., 2]  # noqa: E731
    arr = syn.sample(src, f)
    tgt = ImageGeometry((8, 12, 14), (2.0, 2.5, 4.0), (-5, -5, -30))
    t = np.eye(4)
    t[:3, 3] = (1.0, -2.0, 0.5)  # target world p samples the source at p + (1, -2, 0.5)
    out = resample.resample_to_grid(arr, src, tgt, transform=t)
    kji = np.argwhere(np.ones(tgt.shape, bool))
    p = tgt.kji_to_world(kji)
    q = p + t[:3, 3]
    s = src.world_to_ijk(q)
    inner = np.all((s >= 0) & (s <= np.asarray(src.size_ijk) - 1), axis=1)
    outer = np.any((s < -0.5) | (s > np.asarray(src.size_ijk) - 0.5), axis=1)
    assert inner.sum() > 50 and outer.sum() > 10
    assert np.allclose(out.reshape(-1)[inner], f(q[inner]), atol=1e-3)
    assert np.all(out.reshape(-1)[outer] == 0.0)


@pytest.fixture(scope="module")
def session():
    return fusion.ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=8)


def test_planes_follow_radiological_convention(session):
    s = session
    s.set_crosshair(syn.MARKER)
    ax = s.slice_image("ct", "axial")
    cor = s.slice_image("ct", "coronal")
    sag = s.slice_image("ct", "sagittal")
    # marker: patient's left (image right), anterior (top in axial), inferior (bottom in cor/sag)
    r, c = np.argwhere(ax > 500).mean(axis=0)
    assert c > ax.shape[1] / 2 and r < ax.shape[0] / 2
    r, c = np.argwhere(cor > 500).mean(axis=0)
    assert c > cor.shape[1] / 2 and r > cor.shape[0] / 2
    r, c = np.argwhere(sag > 500).mean(axis=0)
    assert c < sag.shape[1] / 2 and r > sag.shape[0] / 2  # anterior on the left
    assert display_mod.PLANE_SPECS["axial"].letters() == {"right": "L", "left": "R", "bottom": "P", "top": "A"}
    assert display_mod.PLANE_SPECS["coronal"].letters() == {"right": "L", "left": "R", "bottom": "I", "top": "S"}
    assert display_mod.PLANE_SPECS["sagittal"].letters() == {"right": "P", "left": "A", "bottom": "I", "top": "S"}


@pytest.mark.parametrize("plane", display_mod.PLANES)
def test_world_pixel_mapping_matches_slice_content(session, plane):
    s = session
    s.set_crosshair(syn.MARKER)
    img = s.slice_image("ct", plane)
    col, row = s.world_to_pixel(plane, s.crosshair)
    assert img[int(round(row)), int(round(col))] == pytest.approx(float(syn.body_hu(s.crosshair)))
    rng = np.random.default_rng(1)
    for _ in range(30):
        c, r = rng.integers(0, img.shape[1]), rng.integers(0, img.shape[0])
        w = s.pixel_to_world(plane, c, r)
        # the display grid is the union of the CT and PET fields of view: outside the CT, its air value
        in_ct = s.anatomical.geometry.world_to_nearest_kji(w) is not None
        want = float(syn.body_hu(w)) if in_ct else float(s.anatomical.array.min())
        assert img[r, c] == pytest.approx(want)
        assert np.allclose(s.world_to_pixel(plane, w), (c, r))


def test_pet_on_ct_grid_through_world_coordinates(session):
    s = session
    s.set_crosshair(syn.LESION)
    pet = s.slice_image("pet", "axial")
    col, row = s.world_to_pixel("axial", syn.LESION)
    assert pet[int(round(row)), int(round(col))] == pytest.approx(syn.LESION_BQML)  # raw units: no SUV module
    # lesion centre of mass on the CT grid is within a CT voxel of the truth
    m = s.pet_display > (syn.LESION_BQML + syn.BG_BQML) / 2
    com = s.display_geometry.kji_to_world(np.argwhere(m).mean(axis=0))
    assert np.linalg.norm(com - syn.LESION) < 4.0


def test_readout_at_crosshair(session):
    s = session
    s.set_crosshair(syn.LESION)
    r = s.readout()
    assert np.allclose(r["world"], s.crosshair)
    assert r["anat_value"] == pytest.approx(float(syn.body_hu(np.asarray(r["world"]))))
    assert r["anat_units"] == "HU"
    assert r["pet_value"] == pytest.approx(syn.LESION_BQML)
    assert "HU" in s.readout_text()


def test_scroll_moves_one_slice_and_clamps(session):
    s = session
    s.set_crosshair(s.display_geometry.center_world())
    z0 = s.crosshair[2]
    s.scroll("axial", 1)
    assert s.crosshair[2] == pytest.approx(z0 + s.display_geometry.spacing[2])
    s.scroll("axial", 10_000)
    assert s.plane_index("axial") == s.n_slices("axial") - 1
    s.scroll("coronal", -10_000)
    assert s.plane_index("coronal") == 0


def test_mip_frames_match_numpy_max(session):
    s = session
    g = s.mip_geometry
    f0, spacing = s.mip_frame(0)
    assert np.allclose(f0, s.mip_volume.max(axis=1)[::-1])
    assert spacing == (g.spacing[0], g.spacing[2])
    if g.shape[1] == g.shape[2]:
        s2 = s.n_mip_frames // 4  # 90 degrees: left lateral view, posterior on the right
        f90, _ = s.mip_frame(s2)
        assert np.allclose(f90, s.mip_volume.max(axis=2)[::-1], atol=1e-3)


@pytest.mark.parametrize("frame", [0, 1, 3])
def test_mip_click_jumps_to_hottest_voxel(session, frame):
    s = session
    col, row = s.world_to_mip_pixel(syn.LESION, frame)
    p = s.hottest_along_ray(col, row, frame)
    assert np.linalg.norm(p - syn.LESION) < 1.5 * max(s.mip_geometry.spacing)
    img, _ = s.mip_frame(frame)
    assert img[int(round(row)), int(round(col))] == pytest.approx(syn.LESION_BQML, rel=0.05)


def test_nudge_moves_pet_in_display(session):
    s = fusion.ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    before = s.pet_display.copy()
    s.nudge(dx=8.0)  # two CT voxels to the patient's left
    assert np.allclose(s.pet_display[:, :, 4:-4], before[:, :, 2:-6])
    assert s.registration_note == "manual nudge"


def test_events_and_validation(session):
    s = session
    seen = []
    s.events.connect("colormap", lambda event, name: seen.append(name))
    s.set_colormap("rainbow")
    assert seen == ["rainbow"] and s.colormap == "rainbow"
    with pytest.raises(KeyError, match="colour map"):
        s.set_colormap("jet")
    s.set_ct_preset("lung")
    assert s.ct_window == display_mod.CT_PRESETS["lung"]
    s.set_pet_preset("SUV 0-10")
    assert s.pet_window == (0.0, 10.0)


def test_overlay_hides_identity_when_anonymised(session):
    s = session
    s.set_anonymise(False)
    assert any("Doe" in line for line in s.overlay_lines())
    s.set_anonymise(True)
    text = "\n".join(s.overlay_lines())
    assert "Doe" not in text and "PID123" not in text


def test_choose_pair_prefers_same_frame_of_reference():
    from types import SimpleNamespace as N
    rows = [N(modality="CT", series_uid="ct-other", frame_of_reference_uid="B", n_instances=300),
            N(modality="CT", series_uid="ct-same", frame_of_reference_uid="A", n_instances=100),
            N(modality="PT", series_uid="pt", frame_of_reference_uid="A", n_instances=200)]
    pet, anat = study_open.choose_pair(rows)
    assert pet.series_uid == "pt" and anat.series_uid == "ct-same"
    pet, anat = study_open.choose_pair(rows[:1] + rows[2:])
    assert anat.series_uid == "ct-other"
    ct, pt = syn.make_ct(), syn.make_pet()
    assert not needs_registration(pt, ct)
    pt.frame_of_reference_uid = "9.9"
    assert needs_registration(pt, ct)


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_resample_rotated_source_and_transform_against_pointwise_reference(chunk):
    """Oblique source, rotating transform: every target voxel equals the linear function at its
    world point mapped through the transform (inside), or the fill value (beyond half a voxel)."""
    th = np.radians(17)
    d = np.array([[np.cos(th), 0, np.sin(th)], [0, 1, 0], [-np.sin(th), 0, np.cos(th)]])
    src = ImageGeometry((9, 10, 11), (2.0, 3.0, 2.5), (-8, -15, -4), d)
    f = lambda xyz: 0.7 * xyz[..., 0] - 1.25 * xyz[..., 1] + 2 * xyz[..., 2] + 3  # noqa: E731
    arr = syn.sample(src, f)
    tgt = ImageGeometry((7, 13, 12), (2.0, 2.0, 3.0), (-10, -20, -6))
    a = np.radians(9)
    t = np.eye(4)
    t[:3, :3] = [[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]]
    t[:3, 3] = (1.5, -0.5, 2.0)
    out = resample.resample_to_grid(arr, src, tgt, transform=t, fill=-99.0, chunk=chunk)
    assert out.dtype == np.float32 and out.shape == tgt.shape
    kji = np.argwhere(np.ones(tgt.shape, bool))
    q = tgt.kji_to_world(kji) @ t[:3, :3].T + t[:3, 3]
    s = src.world_to_ijk(q)
    inner = np.all((s >= 0) & (s <= np.asarray(src.size_ijk) - 1), axis=1)
    outer = np.any((s < -0.5) | (s > np.asarray(src.size_ijk) - 0.5), axis=1)
    assert inner.sum() > 50 and outer.sum() > 50
    assert np.allclose(out.reshape(-1)[inner], f(q[inner]), atol=1e-3)
    assert np.all(out.reshape(-1)[outer] == -99.0)


def test_resample_is_cancellable():
    from workstation.tasks.progress import Cancelled, Progress

    g = ImageGeometry((20, 8, 8), (1.0, 1.0, 1.0), (0, 0, 0))
    p = Progress()
    p.cancel()
    with pytest.raises(Cancelled):
        resample.resample_to_grid(np.ones(g.shape, np.float32), g, g, progress=p, chunk=4)


# ---------------------------------------------------------------------- registration kept with the study
def _write_pair(root, pet_for="2.2", ct_for="1.1", extra_pet=0, extra_ct=0):
    """Small CT and PET DICOM series (different frames of reference), plus optional extra series."""
    from pydicom.uid import generate_uid

    from workstation.testing.dicom_factory import write_series

    study = generate_uid()
    ct = (syn.sample(ImageGeometry((6, 16, 16), (4.0, 4.0, 5.0), (-30.0, -30.0, -10.0)), syn.body_hu))
    pt = syn.sample(ImageGeometry((5, 10, 10), (6.0, 6.0, 6.0), (-27.0, -27.0, -9.0)), syn.pet_bqml) / 10
    uids = {}
    for n in range(1 + extra_ct):
        uid = generate_uid()
        write_series(root / f"ct{n}", ct[: 6 - n].astype(np.int16), origin=(-30, -30, -10), spacing_ijk=(4, 4, 5),
                     study_uid=study, series_uid=uid, for_uid=ct_for, series_number=2 + n, description=f"CT {n}")
        uids[f"ct{n}"] = uid
    for n in range(1 + extra_pet):
        uid = generate_uid()
        write_series(root / f"pt{n}", pt[: 5 - n].astype(np.int16), origin=(-27, -27, -9), spacing_ijk=(6, 6, 6),
                     modality="PT", study_uid=study, series_uid=uid, for_uid=pet_for, series_number=10 + n,
                     description=f"PET {n}")
        uids[f"pt{n}"] = uid
    return study, uids


def test_registration_is_stored_and_reapplied_for_the_same_pair(tmp_path):
    from workstation.io.db import StudyDB

    study, uids = _write_pair(tmp_path / "data")
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.import_paths([tmp_path / "data"])
        s = study_open.open_study(db, study, mip_frames=4)
        assert needs_registration(s.pet, s.anatomical)
        assert s.registration_stored is None and np.array_equal(s.pet_from_anat, np.eye(4))
        plain = s.pet_display.copy()
        s.nudge(dx=6.0)
        row = study_open.save_registration(db, s, study_open.METHOD_NUDGE)
        assert (row.moving_series_uid, row.fixed_series_uid) == (uids["pt0"], uids["ct0"])
        # opened again (from the database and from the folder): the PET comes back where it was moved
        for again in (study_open.open_study(db, study, mip_frames=4),
                      study_open.open_folder(tmp_path / "data", db=db, mip_frames=4)):
            assert np.array_equal(again.pet_from_anat, s.pet_from_anat)
            assert again.registration_stored.method == "manual nudge"
            assert "stored manual nudge" in again.registration_note
            assert np.array_equal(again.pet_display, s.pet_display)
            assert not np.array_equal(again.pet_display, plain)
        # no database, or an explicit transform, wins over the stored one
        assert np.array_equal(study_open.open_folder(tmp_path / "data", mip_frames=4).pet_from_anat, np.eye(4))
        t = np.eye(4)
        t[:3, 3] = (1.0, 2.0, 3.0)
        assert np.array_equal(study_open.open_study(db, study, pet_from_anat=t, mip_frames=4).pet_from_anat, t)


def test_choose_pair_honours_named_series_and_refuses_unknown_ones():
    from types import SimpleNamespace as N
    rows = [N(modality="CT", series_uid="ct-big", frame_of_reference_uid="A", n_instances=300),
            N(modality="CT", series_uid="ct-small", frame_of_reference_uid="A", n_instances=100),
            N(modality="PT", series_uid="pt-ac", frame_of_reference_uid="A", n_instances=200),
            N(modality="PT", series_uid="pt-nac", frame_of_reference_uid="A", n_instances=100)]
    pet, anat = study_open.choose_pair(rows, pet_uid="pt-nac", anat_uid="ct-small")
    assert (pet.series_uid, anat.series_uid) == ("pt-nac", "ct-small")
    with pytest.raises(study_open.NoImageSeries, match="no PET series with UID nope"):
        study_open.choose_pair(rows, pet_uid="nope")
    with pytest.raises(study_open.NoImageSeries, match="no CT/MR series with UID nope"):
        study_open.choose_pair(rows, anat_uid="nope")


# ----------------------------------------------------------------------------- MIP on the native PET grid
def _sts_pair(refdata, patient, anat="MR_T1"):
    from workstation.io.loader import load_series

    base = refdata / "ibsi-sts-petctmr" / patient
    pet = load_series(sorted((base / "PET" / "image").glob("*")))
    return pet, load_series(sorted((base / anat / "image").glob("*")))


def test_refdata_pet_mr_mip_on_native_pet_grid(refdata):
    """STS_002 PET over its MR (slices 3.27 vs 3.26996 mm, MR 35 slices, PET 48): the MIP keeps every PET
    slice and voxel, its maximum is the stored SUVmax of the header summary, and a click on the MIP
    lands on the PET voxel that holds the maximum along the ray."""
    import json

    pet, mr = _sts_pair(refdata, "STS_002")
    summary = json.loads((refdata / "ibsi-sts-petctmr" / "STS_002" / "header_summary.json").read_text())
    ref = next(v["PET_SUVmax_whole_stored_volume"] for v in summary["series"].values()
               if "PET_SUVmax_whole_stored_volume" in v)
    suvmax = ref["max"]
    s = fusion.ReadingSession(mr, pet, mip_frames=36)
    assert s.pet_scale == 1.0  # stored as SUV (GML)
    img, spacing = s.mip_frame(0)
    assert img.shape[0] == pet.shape[0] == 48 and mr.shape[0] == 35
    assert spacing == (pet.geometry.spacing[0], pet.geometry.spacing[2])
    assert float(img.max()) == pytest.approx(suvmax, rel=1e-6)
    # the PET's own maximum voxel, found here by numpy on the loaded array
    k = np.unravel_index(int(np.argmax(pet.array)), pet.shape)
    hot = pet.geometry.kji_to_world(np.asarray(k, float))
    assert hot[2] == pytest.approx(ref["max_at_slice_position_mm_along_normal"], abs=0.05)
    assert (k[1], k[2]) == tuple(ref["max_at_row_col"])
    r, c = np.unravel_index(int(np.argmax(img)), img.shape)
    assert np.allclose(s.hottest_along_ray(c, r, 0), hot, atol=1e-6)
    # a rotated frame: the brightest pixel's ray still ends on that voxel (within one voxel)
    img9, _ = s.mip_frame(4)  # 40 degrees
    assert float(img9.max()) > 0.8 * suvmax
    r, c = np.unravel_index(int(np.argmax(img9)), img9.shape)
    assert np.linalg.norm(s.hottest_along_ray(c, r, 4) - hot) <= max(pet.geometry.spacing) + 1e-6
    # every ray: the MIP pixel equals the largest PET value along it (numpy on the native array, angle 0)
    assert np.array_equal(img, (pet.array.max(axis=1) * np.float32(s.pet_scale))[::-1])


def test_mip_click_through_a_registration_lands_in_the_anatomical_frame():
    """With a PET moved by a transform, the MIP stays the PET's own picture; a click returns the lesion's
    anatomical position (PET position mapped through the inverse of pet_from_anat)."""
    s = fusion.ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    frame0 = s.mip_frame(0)[0].copy()
    s.nudge(dx=12.0)  # the PET shown 12 mm further to the patient's left
    assert np.array_equal(s.mip_frame(0)[0], frame0)  # same PET picture
    want = syn.LESION + [12.0, 0.0, 0.0]
    col, row = s.world_to_mip_pixel(want, 0)
    c0, r0 = s.world_to_mip_pixel(syn.LESION, 0)
    s.nudge(dx=-12.0)
    assert (col, row) == pytest.approx(s.world_to_mip_pixel(syn.LESION, 0))
    s.nudge(dx=12.0)
    p = s.hottest_along_ray(col, row, 0)
    assert np.linalg.norm(p - want) < 1.5 * max(s.mip_geometry.spacing)
    assert abs(p[0] - want[0]) <= 3.0 + 1e-6  # x: half a PET voxel


def test_union_of_fields_of_view_keeps_pet_outside_the_ct():
    """The synthetic PET reaches beyond the CT (z -81..81 mm vs CT -70..75, x ±99 vs ±94): the display grid
    is the CT grid extended by whole CT voxels to cover the PET; CT voxels keep their values and places;
    the PET lesion-free body beyond the CT's last slice is shown; the readout says — for the CT there."""
    ct, pet = syn.make_ct(), syn.make_pet()
    s = fusion.ReadingSession(ct, pet, mip_frames=4)
    g, cg = s.display_geometry, ct.geometry
    assert g.spacing == cg.spacing
    lo, hi = g.corners_world().min(axis=0), g.corners_world().max(axis=0)
    plo, phi = pet.geometry.corners_world().min(axis=0), pet.geometry.corners_world().max(axis=0)
    assert np.all(lo <= plo + 1e-6) and np.all(hi >= phi - 1e-6)  # covers the PET
    assert np.all(lo > plo - np.asarray(cg.spacing)) and np.all(hi < phi + np.asarray(cg.spacing))  # by < 1 voxel
    # the CT voxels sit at whole-voxel offsets with their own values
    off = np.rint(cg.world_to_kji(g.origin) * -1).astype(int)  # where the CT's first voxel is in the display grid
    nz, ny, nx = ct.shape
    assert np.array_equal(s.anat_display[off[0]:off[0] + nz, off[1]:off[1] + ny, off[2]:off[2] + nx], ct.array)
    # a point beyond the CT's top slice but inside the PET body: PET shown, CT "—"
    p = np.array([0.0, 0.0, 79.0])
    s.set_crosshair(p)
    r = s.readout()
    assert r["anat_value"] is None and r["pet_value"] == pytest.approx(syn.BG_BQML, rel=1e-3)
    assert s.slice_image("pet", "axial").max() == pytest.approx(syn.BG_BQML, rel=1e-3)
    # different frames of reference: no union (the scanners' coordinates are not comparable)
    other = syn.make_pet()
    other.frame_of_reference_uid = "9.9"
    assert fusion.ReadingSession(ct, other, mip_frames=4).display_geometry.same_grid(cg)


@pytest.mark.parametrize("sex", ["O", None, "F"])
def test_overlay_says_when_the_suv_used_the_mean_of_male_and_female(sex):
    """The image overlay (not only the SUV panel) says that an LBM/IBW SUV used the mean of the male
    and female values because the header's sex is unknown; never for SUVbw or a known sex."""
    from workstation.io.pet_header import read_pet_acquisition
    from workstation.testing.pet_factory import pet_dataset

    pet = syn.make_pet()
    pet.pet = read_pet_acquisition([pet_dataset(series_time="100000", acquisition_time="100000", weight=80.0,
                                                size=1.70, sex=sex, dose=350e6, start_time="090000")])
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)
    flag = "sex unknown: M/F mean"
    assert flag not in s.pet_acquisition_line()  # SUVbw does not need the sex
    s.set_suv("ibw")
    assert s.suv.error == ""
    assert (flag in s.pet_acquisition_line()) == (sex != "F")
    assert (flag in "\n".join(s.overlay_lines())) == (sex != "F")
    s.set_suv("bsa")
    assert flag not in s.pet_acquisition_line()
