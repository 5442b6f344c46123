"""Fused key images, `workstation export all` (SEG + RWVM + SR referencing both + key images + PDF)
and the PERCIST category of a follow-up in the SR.

The study is synthetic (tests/export_study.py: a PET with two lesions) plus a CT written here on
a finer grid: air outside a body box, soft tissue (40 HU) inside, a bone slab (700 HU). The fused
pixels are checked against the viewer's own compositing functions (``render.colormaps``), the
twin that draws the screen.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest

from export_study import write_pet
from workstation.analysis.reading.key_images import FusionStyle, key_images, to_lps
from workstation.analysis.lesions.findings import attach_response, export_all, measure, measurement_set
from workstation.analysis.suv.factor import compute_suv
from workstation.cli import main
from workstation.io.export_seg import lesion_colour
from workstation.io.export_sr import read_measurements
from workstation.io.loader import load_pet_folder, load_series
from workstation.render import colormaps as cm
from workstation.testing.dicom_factory import write_series

CT_SPACING = (2.0, 2.0, 3.0)  # di, dj, dk
CT_ORIGIN = (-70.0, -80.0, -33.0)
BODY_HU, BONE_HU, AIR_HU = 40, 700, -1000
PET_WINDOW = (2.0, 20.0)  # lower end above the PET background (SUV about 1): the background shows the CT alone


def _ct_value(x, y):
    """HU at world (x, y): the body box x in [-50, 50], y in [-60, 55]; a bone slab where 0 < y <= 12 in it."""
    body = (np.abs(x) <= 50) & (y >= -60) & (y <= 55)
    return np.where(body, np.where((y > 0) & (y <= 12), BONE_HU, BODY_HU), AIR_HU)


def write_ct(folder):
    ni, nj, nk = 70, 80, 26
    di, dj, dk = CT_SPACING
    x = CT_ORIGIN[0] + di * np.arange(ni)
    y = CT_ORIGIN[1] + dj * np.arange(nj)
    plane = _ct_value(x[None, :], y[:, None])
    stored = np.repeat(plane[None], nk, axis=0).astype(np.int16)
    return write_series(folder, stored, origin=CT_ORIGIN, spacing_ijk=CT_SPACING, modality="CT", description="CT")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-all")
    write_pet(root / "pet")
    write_ct(root / "ct")
    pet = load_pet_folder(str(root / "pet"))
    res = compute_suv(pet.pet, "bw")
    liver = pet.geometry.kji_to_world(np.array([4.0, 26.0, 4.0]))
    reading = measure(pet, res, "fixed:2.5", liver_world=liver)
    ct = load_series(sorted(str(p) for p in (root / "ct").iterdir()))
    return {"root": root, "reading": reading, "ct": ct, "liver": liver}


def _style(cmap="hot iron"):
    return FusionStyle(cm.lut(cmap), cm.lut("grey"), PET_WINDOW, (400.0, 40.0), 0.5)


def test_fused_key_image_is_the_viewers_blend(study):
    r, ct = study["reading"], study["ct"]
    images = key_images(r, anatomy=ct, style=_style())
    assert [im.name for im in images] == ["mip", "lesion-1", "lesion-2"]
    suv, sp, _, _ = to_lps(r.suv_array, r.pet.geometry)
    labels, _, _, _ = to_lps(r.report.labels, r.pet.geometry)
    for im in images[1:]:
        lab = int(im.name.split("-")[1])
        assert "fused" in im.title and im.mm_per_pixel == pytest.approx(2.0)
        px = im.rgb
        outline = np.all(px == lesion_colour(lab), axis=-1)
        assert outline.any(), "the VOI outline is drawn"
        z = int(np.argmax((labels == lab).sum(axis=(1, 2))))
        # world (x, y) of each key-image pixel, and the PET voxel it shows (nearest)
        lo = r.pet.geometry.kji_to_world(np.array([[0, 0, 0], [19, 31, 29]], float)).min(axis=0)
        rows, cols = px.shape[:2]
        ys = lo[1] - sp[1] / 2 + (np.arange(rows) + 0.5) * im.mm_per_pixel
        xs = lo[0] - sp[2] / 2 + (np.arange(cols) + 0.5) * im.mm_per_pixel
        jj = np.minimum(((np.arange(rows) + 0.5) * im.mm_per_pixel / sp[1]).astype(int), suv.shape[1] - 1)
        ii = np.minimum(((np.arange(cols) + 0.5) * im.mm_per_pixel / sp[2]).astype(int), suv.shape[2] - 1)
        pet = np.ascontiguousarray(suv[z][jj][:, ii])
        hu = np.ascontiguousarray(_ct_value(xs[None, :], ys[:, None]), dtype=float)
        # pixel centres away from the CT's tissue edges (trilinear sampling blends across an edge)
        edge = np.zeros_like(hu, bool)
        for a in (-2.5, 2.5):
            edge |= _ct_value(xs[None, :] + a, ys[:, None]) != hu
            edge |= _ct_value(xs[None, :], ys[:, None] + a) != hu
        pu = cm.window_unit(pet, *PET_WINDOW)
        expected = cm.fuse(cm.colorize(cm.ct_unit(hu, 400.0, 40.0), "grey"), cm.colorize(pu, "hot iron"), pu, 0.5)
        ok = ~edge & ~outline
        assert ok.sum() > 0.5 * ok.size
        assert np.abs(px[ok].astype(int) - expected[ok].astype(int)).max() <= 1
        inside = (labels[z] == lab)[jj][:, ii] & ~outline & ~edge
        assert inside.any()
        # PET colour where the lesion is (hot iron: red above green above blue), grey elsewhere
        lesion_px = px[inside].astype(int)
        assert (lesion_px[:, 0] > lesion_px[:, 2] + 20).all()
        bg = ok & (pu == 0)
        assert bg.any() and (px[bg][:, 0] == px[bg][:, 1]).all() and (px[bg][:, 1] == px[bg][:, 2]).all()
        # the bone slab shows brighter than soft tissue, air black: the anatomy is really there
        assert px[bg & (hu == BONE_HU)].mean() > px[bg & (hu == BODY_HU)].mean() > px[bg & (hu == AIR_HU)].mean()


def test_without_anatomy_the_slice_is_the_pet_view(study):
    r = study["reading"]
    im = key_images(r, style=_style("rainbow"))[1]
    assert "PET" in im.title
    lab_px = im.rgb[~np.all(im.rgb == lesion_colour(1), axis=-1)]
    # rainbow: black below the window, colours (not grey) above it
    assert (np.ptp(lab_px.astype(int), axis=1) > 50).any() and (lab_px.sum(axis=1) == 0).any()


def test_registration_moves_the_anatomy(study):
    r, ct = study["reading"], study["ct"]
    t = np.eye(4)
    t[1, 3] = 20.0  # the CT's point y appears at y + 20 in the PET
    a = key_images(r, anatomy=ct, style=_style())[1].rgb.astype(int)
    b = key_images(r, anatomy=ct, style=_style(), pet_from_anat=t)[1].rgb.astype(int)
    assert np.abs(a - b).max() > 100
    # 20 mm = 10 rows at 2 mm: the body's front edge and the bone slab move 10 rows down (posterior)
    col = a.shape[1] // 2  # x about 0: no lesion in this column

    def first(img, level):
        return int(np.argmax(img[:, col, 1] >= level))

    assert first(b, 100) == first(a, 100) + 10 and first(b, 250) == first(a, 250) + 10


# ------------------------------------------------------------------ export all
def _dciodvfy_errors(path):
    r = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True)
    return [line for line in (r.stdout + r.stderr).splitlines() if line.startswith("Error")]


@pytest.fixture(scope="module")
def exported(study):
    out = study["root"] / "all"
    liver = ",".join(f"{v:.2f}" for v in study["liver"])
    args = ["export", "all", str(study["root"] / "pet"), "--out", str(out), "--ct", str(study["root"] / "ct"),
            f"--liver={liver}", "--pet-window", "2,20"]
    rc = main(args)
    return {"rc": rc, "out": out, "args": args}


def test_export_all_writes_every_object(exported):
    assert exported["rc"] == 0
    names = sorted(p.name for p in exported["out"].iterdir())
    assert names == ["key-lesion-1.dcm", "key-lesion-2.dcm", "key-mip.dcm", "report.pdf", "rwvm.dcm", "seg.dcm",
                     "sr.dcm"]
    key = pydicom.dcmread(exported["out"] / "key-lesion-1.dcm")
    assert "fused" in key.ImageComments
    assert (exported["out"] / "report.pdf").read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(exported["out"] / "report.pdf"), "-"], capture_output=True,
                              text=True).stdout
        assert "Lesion 1 (axial, PET/CT fused)" in text and "Lesion 2 (axial, PET/CT fused)" in text


def test_export_all_sr_references_seg_and_rwvm(exported):
    out = exported["out"]
    seg = pydicom.dcmread(out / "seg.dcm", stop_before_pixels=True)
    rwvm = pydicom.dcmread(out / "rwvm.dcm")
    groups = read_measurements(out / "sr.dcm")
    assert len(groups) == 3  # two lesions and the liver
    for g in groups:
        assert g["seg_sop_instance_uid"] == seg.SOPInstanceUID
        assert g["rwvm_sop_instance_uid"] == rwvm.SOPInstanceUID
    sr = pydicom.dcmread(out / "sr.dcm")
    evidence = {str(i.ReferencedSOPInstanceUID) for st in sr.CurrentRequestedProcedureEvidenceSequence
                for se in st.ReferencedSeriesSequence for i in se.ReferencedSOPSequence}
    assert {seg.SOPInstanceUID, rwvm.SOPInstanceUID} <= evidence


@pytest.mark.parametrize("name", ["seg.dcm", "rwvm.dcm", "sr.dcm", "key-mip.dcm", "key-lesion-1.dcm"])
def test_export_all_dciodvfy_no_error(exported, name):
    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (Debian package dicom3tools) is not installed")
    assert not _dciodvfy_errors(exported["out"] / name)


def test_export_all_never_overwrites_without_force(exported, capsys):
    out = exported["out"]
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(exported["args"]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_export_all_library_checks_every_target_first(study, tmp_path):
    (tmp_path / "key-lesion-2.dcm").write_bytes(b"keep")
    from workstation.io.export_common import ExportError

    with pytest.raises(ExportError, match="--force"):
        export_all(study["reading"], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key-lesion-2.dcm"]


# ------------------------------------------------------------------ PERCIST from the reading's response
def test_percist_category_comes_from_the_followup_response(study, tmp_path):
    from workstation.analysis.followup.comparison import load_timepoint, read_followup

    root = study["root"]
    from workstation.analysis.suv.inputs import SuvOverrides

    sul = SuvOverrides(height_m=1.75, sex="M")  # SUL (lean body mass) needs them; the test PET has neither
    base = load_timepoint(root / "pet", with_ct=False, overrides=sul)
    fu = load_timepoint(root / "pet", with_ct=False, overrides=sul)
    fr = read_followup(base, fu, study["liver"], followup_from_baseline=np.eye(4))
    expected = fr.response("percist")
    # the same study twice: nothing changed, so PERCIST says stable metabolic disease
    assert expected.category == "SMD"
    r = study["reading"]
    try:
        attach_response(r, fr)
        assert measurement_set(r).percist_category == "SMD"
        export_all(r, tmp_path, images=key_images(r)[:1])
    finally:
        r.response = None
    groups = read_measurements(tmp_path / "sr.dcm")
    lesions = [g for g in groups if g["tracking_id"].startswith("Lesion")]
    assert lesions and all({"name": "PERCIST response category", "value": "SMD", "code": "SMD"} in g["evaluations"]
                           for g in lesions)
    if shutil.which("dciodvfy"):
        assert not _dciodvfy_errors(tmp_path / "sr.dcm")


def test_export_baseline_needs_both_livers(study, capsys, tmp_path):
    rc = main(["export", "sr", str(study["root"] / "pet"), "--out", str(tmp_path / "x.dcm"), "--baseline",
               str(study["root"] / "pet")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "--baseline-liver" in err and not (tmp_path / "x.dcm").exists()


def test_export_sr_with_baseline_writes_percist(study, capsys, tmp_path):
    liver = ",".join(f"{v:.2f}" for v in study["liver"])
    rc = main(["export", "sr", str(study["root"] / "pet"), "--out", str(tmp_path / "sr.dcm"), f"--liver={liver}",
               "--baseline", str(study["root"] / "pet"), f"--baseline-liver={liver}", "--no-register",
               "--height", "1.75", "--sex", "M"])
    assert rc == 0
    assert "PERCIST: SMD" in capsys.readouterr().out
    groups = read_measurements(tmp_path / "sr.dcm")
    assert any(e["value"] == "SMD" for g in groups for e in g["evaluations"])


# ------------------------------------------------------------------ a real study
def test_export_all_on_sts_002(refdata, tmp_path, capsys, recwarn):
    """IBSI STS_002 (real GE PET/CT, PET stored as SUV, an 18-character Study ID that SH does not allow):
    every object passes dciodvfy and the lesion's key image is the fused slice (CT grey around it)."""
    d = refdata / "ibsi-sts-petctmr" / "STS_002"
    out = tmp_path / "sts"
    name = str(pydicom.dcmread(next((d / "PET" / "image").iterdir()), stop_before_pixels=True).PatientName)
    assert main(["export", "all", str(d / "PET" / "image"), "--ct", str(d / "CT" / "image"), "--out", str(out),
                 "--method", "fixed:4"]) == 0
    printed = capsys.readouterr()
    assert "1 lesion(s)" in printed.out
    # the patient's name is in no message (highdicom's person-name warning quotes it)
    assert name not in printed.out + printed.err and not any(name in str(w.message) for w in recwarn)
    key = pydicom.dcmread(out / "key-lesion-1.dcm")
    assert len(key.StudyID) <= 16 and "fused" in key.ImageComments
    px = key.pixel_array.astype(int)
    grey = (px[..., 0] == px[..., 1]) & (px[..., 1] == px[..., 2]) & (px[..., 0] > 40)
    assert grey.mean() > 0.02  # CT anatomy shows where the PET is below the window
    assert (np.all(px == lesion_colour(1), axis=-1)).any()
    if shutil.which("dciodvfy"):
        for name in ("seg.dcm", "rwvm.dcm", "sr.dcm", "key-mip.dcm", "key-lesion-1.dcm"):
            assert not _dciodvfy_errors(out / name), name
