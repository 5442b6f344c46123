"""Tests of workstation.demo.study: the phantom against analytic geometry, and the
written demo study against its truth.json, read back with plain pydicom (no project loader)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pydicom
import pytest
from scipy import integrate
from scipy.special import erf

from workstation.demo import study as demo
from workstation.demo import phantom as phantom_mod
from workstation.core import geometry as geometry_mod
from workstation.core.geometry import ImageGeometry


def _rotation(axis, angle_deg):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    a = math.radians(angle_deg)
    kx = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(a) * kx + (1 - math.cos(a)) * kx @ kx


def blurred_sphere(radius, sigma, d):
    """Value at distance d from the centre of a unit sphere convolved with a 3-D Gaussian (closed form)."""
    d = np.maximum(np.asarray(d, float), 1e-9)
    s2 = math.sqrt(2.0) * sigma
    return (0.5 * (erf((radius - d) / s2) + erf((radius + d) / s2))
            - sigma / (d * math.sqrt(2 * math.pi)) * (np.exp(-(radius - d) ** 2 / (2 * sigma ** 2))
                                                      - np.exp(-(radius + d) ** 2 / (2 * sigma ** 2))))


# ------------------------------------------------------------------ small, fast tests
def test_center_recovery_matches_radial_integral():
    for radius, sigma in [(4.0, 2.76), (10.0, 3.0), (15.0, 2.0), (1.0, 5.0)]:
        norm = (2 * math.pi * sigma ** 2) ** -1.5
        ref, _ = integrate.quad(lambda r: 4 * math.pi * r * r * norm * math.exp(-r * r / (2 * sigma ** 2)), 0, radius)
        assert phantom_mod.center_recovery(radius, sigma) == pytest.approx(ref, rel=1e-9)
        assert blurred_sphere(radius, sigma, 1e-6) == pytest.approx(ref, rel=1e-6)


def test_gaussian_blur_has_the_stated_width():
    # a point source blurred with FWHM 6.5 mm on a 4 mm grid: second moment = sigma^2 per axis
    a = np.zeros((33, 31, 35))
    a[16, 15, 17] = 1.0
    b = demo.gaussian_blur(a, 6.5, (4.0, 4.0, 4.0))
    assert b.sum() == pytest.approx(1.0, rel=1e-9) and b.min() >= 0
    sigma = 6.5 / (2 * math.sqrt(2 * math.log(2)))
    for axis, centre in zip(range(3), (16, 15, 17)):
        prof = b.sum(axis=tuple(x for x in range(3) if x != axis))
        mm = (np.arange(prof.size) - centre) * 4.0
        assert np.sum(prof * mm ** 2) == pytest.approx(sigma ** 2, rel=0.01)


def _coarse_geometry(direction=np.eye(3), spacing=(6.0, 6.0, 6.0)):
    # covers the whole phantom: x, y in [-180, 180], z in [-900, 10]
    ext = np.array([360.0, 240.0, 910.0])
    centre = np.array([0.0, 0.0, -445.0])
    d = np.asarray(direction, float)
    n_ijk = [int(math.ceil(abs(d[:, a]) @ ext / spacing[a])) + 1 for a in range(3)]
    half = np.array([(n - 1) / 2 * s for n, s in zip(n_ijk, spacing)])
    origin = centre - d @ half
    return ImageGeometry((n_ijk[2], n_ijk[1], n_ijk[0]), spacing, origin, d)


def test_phantom_labels_at_known_points_on_any_grid():
    probes = {
        "liver": (-60.0, -40.0, -560.0), "lung": (-100.0, 0.0, -400.0), "brain": (0.0, 0.0, -100.0),
        "bladder": (0.0, -30.0, -830.0), "kidney": (75.0, 55.0, -630.0), "bone": (0.0, 75.0, -700.0),
        "air": (160.0, -105.0, -100.0), "spleen": (100.0, 30.0, -545.0),
    }
    for direction in (np.eye(3), _rotation((1, -2, 0.5), 71.0) @ np.diag([1, 1, -1.0])):
        g = _coarse_geometry(direction)
        ph = phantom_mod.make_phantom(g, supersample=1)
        for organ, xyz in probes.items():
            kji = g.world_to_nearest_kji(xyz)
            assert ph.labels[kji] == phantom_mod.ORGANS[organ].label, (organ, direction)
        for n, les in enumerate(phantom_mod.DEFAULT_LESIONS):
            if les.radius_mm >= 6:
                assert ph.labels[g.world_to_nearest_kji(les.center)] == phantom_mod.LESION_LABEL_BASE + n


def test_lesion_partial_volume_integrates_to_the_sphere_volume():
    # integral of (with lesion - without lesion) = (lesion SUV - host SUV) * analytic volume
    g = ImageGeometry((40, 40, 40), (4.0, 4.0, 4.0), (-60 - 78, 30 - 78, -530 - 78), _rotation((1, 1, 1), 30))
    les = phantom_mod.Lesion("t", (-60.0, 30.0, -530.0), 7.3, 9.0, 45.0, "liver")
    with_ = phantom_mod.make_phantom(g, supersample=1, lesions=(les,), lesion_supersample=8)
    without = phantom_mod.make_phantom(g, supersample=1, lesions=())
    integral_ml = float(np.sum(with_.suv.astype(float) - without.suv)) * g.voxel_volume_ml
    expected = (les.suv - phantom_mod.ORGANS["liver"].suv) * les.volume_ml
    assert integral_ml == pytest.approx(expected, rel=0.02)
    assert les.volume_ml == pytest.approx(4 / 3 * math.pi * 7.3 ** 3 / 1000)


def test_lesions_are_not_mirrored_and_one_is_clearly_left():
    centres = np.array([les.center for les in phantom_mod.DEFAULT_LESIONS])
    radii = np.array([les.radius_mm for les in phantom_mod.DEFAULT_LESIONS])
    assert any(c[0] > 30 for c in centres)  # +x is the patient's left in LPS
    mirrored = centres * np.array([-1, 1, 1])
    for n, (m, r) in enumerate(zip(mirrored, radii)):
        if abs(m[0]) < 1e-9:
            continue  # a midline lesion is its own mirror; it says nothing about flips
        others = np.arange(len(centres)) != n
        dist = np.linalg.norm(centres - m, axis=1)
        assert np.all(dist[others] > radii[others] + r + 10)  # no twin on the other side
        assert dist[n] > 2 * r  # a flip moves it off itself
    assert 6 <= len(centres) <= 8
    assert min(radii) <= 4.5 and max(radii) >= 15
    assert all(4 <= les.suv <= 15 for les in phantom_mod.DEFAULT_LESIONS)


def test_no_overwrite(tmp_path):
    (tmp_path / "truth.json").write_text("{}")
    with pytest.raises(FileExistsError, match="truth.json"):
        demo.write_demo_study(tmp_path)
    assert (tmp_path / "truth.json").read_text() == "{}"
    assert not (tmp_path / "CT").exists()


# ------------------------------------------------------------------ the full demo (slow)
def _read(folder: Path):
    dss = [pydicom.dcmread(p) for p in sorted(folder.glob("*.dcm"))]
    iop = np.array([float(v) for v in dss[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    dss.sort(key=lambda d: float(np.dot([float(v) for v in d.ImagePositionPatient], normal)))
    arr = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in dss])
    ipp = np.array([[float(v) for v in d.ImagePositionPatient] for d in dss])
    dj, di = (float(v) for v in dss[0].PixelSpacing)
    return arr, ipp, iop[:3] * di, iop[3:] * dj, dss


def _ball(series, centre, radius):
    """Values and distances (mm) of the voxels whose centres lie within ``radius`` of ``centre``,
    located from the file headers only (per-slice ImagePositionPatient, orientation, spacing)."""
    arr, ipp, rstep, cstep, _ = series
    centre = np.asarray(centre, float)
    normal = np.cross(rstep, cstep)
    normal /= np.linalg.norm(normal)
    ks = np.flatnonzero(np.abs((ipp - centre) @ normal) <= radius)
    nj, ni = arr.shape[1:]
    world = (ipp[ks, None, None, :] + np.arange(nj)[None, :, None, None] * cstep
             + np.arange(ni)[None, None, :, None] * rstep)
    d = np.linalg.norm(world - centre, axis=-1)
    inside = d <= radius
    return arr[ks][inside], d[inside]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    truth = demo.write_demo_study(out, seed=0)
    return out, truth


@pytest.fixture(scope="module")
def pet(demo_dir):
    return _read(demo_dir[0] / "PT")


@pytest.fixture(scope="module")
def ct(demo_dir):
    return _read(demo_dir[0] / "CT")


@pytest.mark.slow
def test_truth_json_matches_return_and_headers(demo_dir, pet, ct):
    out, truth = demo_dir
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth
    pds, cds = pet[-1], ct[-1]
    ds = pds[0]
    assert ds.Modality == "PT" and ds.Units == "BQML" and ds.DecayCorrection == "START"
    assert str(ds.PatientName) == "演示^病人" and ds.PatientID == "DEMO0001" and ds.PatientSex == "M"
    assert float(ds.PatientWeight) == 75.0 and float(ds.PatientSize) == 1.75
    assert pds[0].StudyInstanceUID == cds[0].StudyInstanceUID == truth["study_uid"]
    assert pds[0].FrameOfReferenceUID == cds[0].FrameOfReferenceUID == truth["frame_of_reference_uid"]
    assert pds[0].SeriesInstanceUID == truth["pet"]["series_uid"] != cds[0].SeriesInstanceUID == truth["ct"]["series_uid"]
    # SUV factor recomputed from the DICOM tags alone, by the formula
    item = ds.RadiopharmaceuticalInformationSequence[0]
    dose = float(item.RadionuclideTotalDose)
    half = float(item.RadionuclideHalfLife)
    inj = datetime.strptime(item.RadiopharmaceuticalStartDateTime.split(".")[0], "%Y%m%d%H%M%S")
    ser = datetime.strptime(ds.SeriesDate + ds.SeriesTime.split(".")[0], "%Y%m%d%H%M%S")
    assert dose == pytest.approx(3.7e6 * 75, rel=1e-12)
    assert (ser - inj).total_seconds() == 3600.0
    assert half in (6586.2, 6588.0)
    bq_per_suv = dose * 2 ** (-(ser - inj).total_seconds() / half) / (float(ds.PatientWeight) * 1000)
    assert truth["suv"]["bqml_per_suv"] == pytest.approx(bq_per_suv, rel=1e-12)
    for les in truth["lesions"]:
        assert les["activity_bqml"] == pytest.approx(les["suv_bw"] * bq_per_suv, rel=1e-12)
        assert les["volume_ml"] == pytest.approx(4 / 3 * math.pi * les["radius_mm"] ** 3 / 1000, rel=1e-12)
    # per-slice slopes vary; acquisition times follow the beds
    assert len({float(d.RescaleSlope) for d in pds}) > 50
    assert len({d.AcquisitionTime for d in pds}) >= 4
    # PET and CT grids differ, within the same frame of reference
    assert float(pds[0].PixelSpacing[0]) != float(cds[0].PixelSpacing[0])
    assert pds[0].Rows != cds[0].Rows


@pytest.mark.slow
def test_pet_liver_voi_suv(demo_dir, pet):
    _, truth = demo_dir
    voi = truth["reference_vois"]["liver"]
    values, _ = _ball(pet, voi["centre_lps_mm"], voi["radius_mm"])
    suv = values / truth["suv"]["bqml_per_suv"]
    assert suv.size > 500
    assert suv.mean() == pytest.approx(2.2, rel=0.02)  # noise of a ~1000-voxel mean is < 1 %
    assert 0.08 < suv.std() / suv.mean() < 0.18  # clinical noise level


@pytest.mark.slow
def test_pet_lesions_match_truth(demo_dir, pet):
    """Mean over the voxels inside each lesion against the analytic blurred sphere.

    The image is the voxel-averaged phantom convolved with a Gaussian PSF (FWHM psf_fwhm_mm), so a
    lesion of contrast (C - host) adds (C - host) * P(R, s, d) at distance d from its centre, where
    P is the closed-form blurred sphere and s^2 = s_psf^2 + voxel^2 / 12 (the voxel average as a
    box). The mean over ~40-200 voxels has ~1-2 % noise, hence 4 noise sigmas + 2 % model error.
    """
    _, truth = demo_dir
    bq = truth["suv"]["bqml_per_suv"]
    vox = truth["pet"]["geometry"]["spacing"][0]
    s_eff = math.sqrt((truth["pet"]["psf_fwhm_mm"] / 2.3548) ** 2 + vox ** 2 / 12)
    checked = 0
    for les in truth["lesions"]:
        c, r = np.array(les["centre_lps_mm"]), les["radius_mm"]
        host = truth["organs"][les["host_organ"]]["suv_bw"]
        values, d = _ball(pet, c, r)
        n = values.size
        assert n == pytest.approx(les["volume_ml"] * 1000 / vox ** 3, rel=0.5, abs=3)
        measured = values.mean() / bq
        expected = host + (les["suv_bw"] - host) * blurred_sphere(r, s_eff, d).mean()
        noise = 0.12 * math.sqrt(2.2 / expected) * math.sqrt(2.2 / n)  # liver COV 12 %, correlated pairs
        # the centre voxel: partial volume makes small lesions read low, never higher than the truth + noise
        centre = values[np.argmin(d)] / bq
        centre_noise = 0.12 * math.sqrt(2.2 / les["suv_bw"])
        assert centre < les["suv_bw"] * (1 + 4 * centre_noise)
        assert centre > host * 1.5, les["name"]  # every lesion stands out where truth says it is
        if r >= 8:
            assert measured == pytest.approx(expected, rel=4 * noise + 0.02), les["name"]
            # and the centre of a big lesion is near the true activity (recovery ~1 for R >> s)
            rc = phantom_mod.center_recovery(r, s_eff)
            assert centre == pytest.approx(host + (les["suv_bw"] - host) * rc, rel=4 * centre_noise + 0.05)
            checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_left_right_is_not_flipped(demo_dir, pet):
    _, truth = demo_dir
    bq = truth["suv"]["bqml_per_suv"]
    for les in truth["lesions"]:
        if les["side"] != "left" or les["radius_mm"] < 6:
            continue
        c = np.array(les["centre_lps_mm"])
        here = _ball(pet, c, les["radius_mm"])[0].mean() / bq
        there = _ball(pet, c * [-1, 1, 1], les["radius_mm"])[0].mean() / bq
        assert here > 2 * there, les["name"]


@pytest.mark.slow
def test_ct_hu(demo_dir, ct):
    _, truth = demo_dir
    assert ct[-1][0].RescaleType == "HU"
    for name in ("lung_right", "lung_left"):
        voi = truth["reference_vois"][name]
        values, _ = _ball(ct, voi["centre_lps_mm"], voi["radius_mm"])
        assert values.mean() == pytest.approx(-800, abs=40)
        assert 5 < values.std() < 30
    liver = truth["reference_vois"]["liver"]
    assert 40 < _ball(ct, liver["centre_lps_mm"], liver["radius_mm"])[0].mean() < 80
    # the sclerotic/lytic spine lesion and the hypodense liver lesion are where truth says
    for les in truth["lesions"]:
        if les["radius_mm"] >= 10:
            values, _ = _ball(ct, les["centre_lps_mm"], les["radius_mm"] - 3)
            assert values.mean() == pytest.approx(les["hu"], abs=15), les["name"]
    assert _ball(ct, [230.0, -230.0, -500.0], 10)[0].mean() < -950  # air


@pytest.mark.slow
def test_deterministic_bytes(demo_dir, tmp_path):
    out, truth = demo_dir
    again = demo.write_demo_study(tmp_path / "again", seed=0)
    assert again == truth
    for sub in ("CT", "PT"):
        a = sorted((out / sub).glob("*.dcm"))
        b = sorted((tmp_path / "again" / sub).glob("*.dcm"))
        assert [p.name for p in a] == [p.name for p in b]
        assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b))
    assert (out / "truth.json").read_bytes() == (tmp_path / "again" / "truth.json").read_bytes()
    with pytest.raises(FileExistsError):
        demo.write_demo_study(tmp_path / "again", seed=0)


# ------------------------------------------------------------------------ follow-up time point
def test_followup_transform_is_rigid_and_moves_a_few_mm():
    t = demo.followup_transform()
    r = t[:3, :3]
    assert np.allclose(r @ r.T, np.eye(3), atol=1e-12) and np.linalg.det(r) == pytest.approx(1.0)
    angle = math.degrees(math.acos((np.trace(r) - 1) / 2))
    assert 1.0 < angle < 5.0
    # the rotation centre moves by the shift only
    c = np.array(demo.FOLLOWUP_CENTRE)
    assert np.allclose(r @ c + t[:3, 3], c + demo.FOLLOWUP_SHIFT_MM)


def test_moved_geometry_paints_the_moved_patient():
    """Label at world q of the follow-up = label at T^-1 q of the baseline, on a coarse grid."""
    t = demo.followup_transform()
    g = geometry_mod.ImageGeometry((40, 30, 40), (10.0, 10.0, 10.0), (-200.0, -150.0, -750.0))
    moved = phantom_mod.make_phantom(demo.moved_geometry(g, t), supersample=1, lesions=())
    kji = np.array([[20, 15, 28], [25, 12, 10], [30, 20, 20], [10, 15, 30], [20, 5, 20]], float)
    q = g.kji_to_world(kji)
    back = (q - t[:3, 3]) @ t[:3, :3]  # R^T (q - t)
    for (k, j, i), p in zip(kji.astype(int), back):
        pg = geometry_mod.ImageGeometry((1, 1, 1), (1.0, 1.0, 1.0), tuple(p))
        expected = phantom_mod.make_phantom(pg, supersample=1, lesions=()).labels[0, 0, 0]
        assert moved.labels[k, j, i] == expected
    assert len({int(moved.labels[tuple(x)]) for x in kji.astype(int)}) > 2  # the points hit different organs


def test_followup_truth_changes_and_categories():
    ft = demo.followup_truth()
    rows = {r["name"]: r for r in ft["lesions"]}
    assert {r["status"] for r in rows.values()} == {"matched", "new", "disappeared"}
    assert [n for n, r in rows.items() if r["status"] == "new"] == ["lung_right_new"]
    assert [n for n, r in rows.items() if r["status"] == "disappeared"] == ["mediastinal_node"]
    assert rows["liver_large"]["suvmax_bw"]["percent"] == pytest.approx(50.0)
    assert rows["lung_left_upper"]["suvmax_bw"]["percent"] == pytest.approx(-40.0)
    # SUL uses each visit's own Janmahasatian LBM / weight (75 kg then 72 kg, 1.75 m, male)
    lbm = lambda w: 9270 * w / (6680 + 216 * w / 1.75 ** 2)  # noqa: E731
    f75, f72 = lbm(75) / 75, lbm(72) / 72
    assert rows["liver_large"]["sul"]["baseline"] == pytest.approx(10 * f75)
    assert rows["liver_large"]["sul"]["followup"] == pytest.approx(15 * f72)
    assert (rows["liver_large"]["percist"], rows["lung_left_upper"]["percist"], rows["spine_lumbar"]["percist"],
            rows["mediastinal_node"]["percist"]) == ("PMD", "PMR", "SMD", "CMR")
    assert ft["patient"]["percist"] == "PMD"
    # the follow-up centres are the baseline centres through the transform
    t = np.array(ft["followup_from_baseline"])
    r = rows["spine_lumbar"]
    assert np.allclose(t[:3, :3] @ r["baseline_centre_lps_mm"] + t[:3, 3], r["followup_centre_lps_mm"])


@pytest.mark.slow
def test_demo_pet_brain_has_its_deficit(demo_dir):
    """The written demo PET: the head is found, and grey matter of the deficit regions (truth.json 'brain',
    mapped by its matrix) reads lower than the same depth of superior frontal cortex by about the amplitude."""
    from workstation.analysis.brain.head import find_head
    from workstation.io.loader import load_pet_folder

    out, truth = demo_dir
    b = truth["brain"]
    assert b["deficit"]["amplitude"] == -0.25
    vol = load_pet_folder(out / "PT")
    h = find_head(vol.array, vol.geometry)
    assert np.linalg.norm(np.subtract(h.brain_centre_world, (0, 2, -103))) < 12
    d = np.load(Path(demo.__file__).resolve().parents[2] / "resources" / "brain" / "mni_2mm.npz")
    rows = json.loads((Path(demo.__file__).resolve().parents[2] / "resources" / "brain" / "cerebra_labels.json").read_text())
    m = np.asarray(b["mni_lps_to_study_lps"])

    def mean_in(names):
        labs = [r["label"] for r in rows if r["name"] in names]
        kji = np.argwhere(np.isin(d["atlas"], labs) & (d["gm"] > 0.6 * 255))
        mni = np.asarray(d["origin"], float) + 2.0 * kji[:, ::-1]
        w = mni @ m[:3, :3].T + m[:3, 3]
        idx = [vol.geometry.world_to_nearest_kji(p) for p in w]
        return float(np.mean([vol.array[i] for i in idx if i is not None]))

    ratio = mean_in(b["deficit"]["regions"]) / mean_in(["Superior Frontal", "Lateral Occipital", "Middle Temporal"])
    assert 0.65 < ratio < 0.92, ratio
