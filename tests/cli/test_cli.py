"""End-to-end tests of the console script: exit codes, one-line errors, JSON keys, numbers by hand."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset
from workstation.cli import main
from workstation.core.geometry import ImageGeometry
from workstation.io.nifti import write_nifti

PET_KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "RadiopharmaceuticalInformationSequence")


def pet_headers(weight=70.0, **kw):
    ds = pet_dataset(weight=weight, **kw)
    return {k: ds.get(k) for k in PET_KEYS if k in ds}


def make_pet(folder, stored, weight=70.0, slope=1.0, spacing=(4.0, 4.0, 3.0), **kw):
    return write_series(folder, stored, origin=(-20, -20, 0), spacing_ijk=spacing, modality="PT",
                        slopes=[slope] * stored.shape[0], extra=pet_headers(weight, **kw))


def expected_bw_factor(weight=70.0, dose=370e6, half_life=6586.2, dt_s=3600.0):
    """SUVbw factor by hand: weight[g] / (dose × 2^(-Δt/T½)); START decay correction, injection 11:00, scan 12:00."""
    return weight * 1000.0 / (dose * math.pow(2.0, -dt_s / half_life))


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_help_of_every_command():
    from workstation.cli import COMMANDS, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert len(sub.choices) >= len(COMMANDS)  # every module registers its command (some add hidden helpers)
    for name in sub.choices:
        r = subprocess.run([sys.executable, "-m", "workstation.cli", name, "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and "usage:" in r.stdout, name


def test_import_and_list(tmp_path, capsys):
    make_pet(tmp_path / "pt", np.zeros((3, 4, 4), np.int16))
    rc, out, _ = run_cli(capsys, "import", str(tmp_path / "pt"), "--db", str(tmp_path / "db.sqlite"))
    assert rc == 0 and "3 DICOM instances (3 new) in 1 series" in out
    rc, out, _ = run_cli(capsys, "list", "--db", str(tmp_path / "db.sqlite"), "--json")
    data = json.loads(out)
    assert data[0]["series"][0]["modality"] == "PT" and data[0]["series"][0]["instances"] == 3
    rc, out, _ = run_cli(capsys, "list", "--db", str(tmp_path / "db.sqlite"), "--anonymize")
    assert "TEST^PATIENT" not in out and "TEST" not in out and "<hidden>" in out


def test_suv_info_json_matches_hand_formula(tmp_path, capsys):
    make_pet(tmp_path, np.zeros((2, 4, 4), np.int16))
    rc, out, _ = run_cli(capsys, "suv-info", str(tmp_path), "--json")
    assert rc == 0
    d = json.loads(out)
    assert d["suv_factor"] == pytest.approx(expected_bw_factor(), rel=1e-9)
    sources = {p["input"]: p["source"] for p in d["provenance"]}
    assert any("0010,1030" in s for s in sources.values())


def test_missing_weight_is_one_line_error_then_override(tmp_path, capsys):
    make_pet(tmp_path, np.zeros((2, 4, 4), np.int16), weight=None)
    rc, out, err = run_cli(capsys, "suv-info", str(tmp_path))
    assert rc == 2
    assert err.count("\n") == 1 and "(0010,1030)" in err and "--weight" in err and "Traceback" not in err
    rc, out, _ = run_cli(capsys, "suv-info", str(tmp_path), "--weight", "70", "--json")
    d = json.loads(out)
    assert rc == 0 and d["suv_factor"] == pytest.approx(expected_bw_factor(), rel=1e-9)
    assert any(p["source"] == "override" for p in d["provenance"])


def test_stats_over_nifti_mask_by_hand(tmp_path, capsys):
    stored = np.zeros((5, 10, 10), np.int16)
    stored[2, 4:6, 4:7] = [[100, 200, 300], [400, 500, 600]]
    make_pet(tmp_path / "pt", stored, slope=2.0)
    g = ImageGeometry(stored.shape, (4.0, 4.0, 3.0), (-20, -20, 0))
    mask = np.zeros(stored.shape, np.uint8)
    mask[2, 4:6, 4:7] = 1
    write_nifti(tmp_path / "m.nii.gz", mask, g)
    rc, out, _ = run_cli(capsys, "stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "m.nii.gz"), "--json")
    assert rc == 0
    d = json.loads(out)
    f = expected_bw_factor()
    vals = np.array([100, 200, 300, 400, 500, 600]) * 2.0 * f
    for key in ("voxels", "volume_ml", "min", "max", "mean", "median", "std", "suv_type", "suv_factor", "provenance"):
        assert key in d
    assert d["voxels"] == 6
    assert d["volume_ml"] == pytest.approx(6 * 4 * 4 * 3 / 1000)
    assert d["min"] == pytest.approx(vals.min(), rel=1e-5)
    assert d["max"] == pytest.approx(vals.max(), rel=1e-5)
    assert d["mean"] == pytest.approx(vals.mean(), rel=1e-5)
    assert d["median"] == pytest.approx(np.median(vals), rel=1e-5)
    assert d["std"] == pytest.approx(vals.std(), rel=1e-4)
    assert d["suv_type"] == "bw" and d["mask_resampled_to_pet_grid"] is False
    assert d["tlg"] == pytest.approx(vals.mean() * 6 * 4 * 4 * 3 / 1000, rel=1e-5)
    # SUVpeak by brute force: mean over voxels whose centre is within 6.2035 mm (1 mL sphere) of a mask voxel
    suv = stored.astype(float) * 2.0 * f
    kk, jj, ii = np.indices(suv.shape)
    best = -1.0
    for k, j, i in np.argwhere(mask):
        d2 = ((kk - k) * 3.0) ** 2 + ((jj - j) * 4.0) ** 2 + ((ii - i) * 4.0) ** 2
        best = max(best, suv[d2 <= 6.2035 ** 2].mean())
    assert d["suvpeak"] == pytest.approx(best, rel=1e-5)


def test_stats_mask_on_finer_grid_is_resampled(tmp_path, capsys):
    stored = np.zeros((5, 10, 10), np.int16)
    stored[2, 4, 4] = 1000
    make_pet(tmp_path / "pt", stored)
    fine = ImageGeometry((15, 20, 20), (2.0, 2.0, 1.0), (-21, -21, -1))  # same world box, finer voxels
    mask = np.zeros(fine.shape, np.uint8)
    # world region around the PET voxel (2, 4, 4): x,y = -4 mm, z = 6 mm
    kji = np.rint(fine.world_to_kji([-4.0, -4.0, 6.0])).astype(int)
    mask[kji[0] - 1:kji[0] + 2, kji[1] - 1:kji[1] + 2, kji[2] - 1:kji[2] + 2] = 1
    write_nifti(tmp_path / "fine.nii.gz", mask, fine)
    rc, out, _ = run_cli(capsys, "stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "fine.nii.gz"), "--json")
    d = json.loads(out)
    assert rc == 0 and d["mask_resampled_to_pet_grid"] is True
    assert d["max"] == pytest.approx(1000 * expected_bw_factor(), rel=1e-5)


@pytest.mark.parametrize("case", ["no_pet", "two_pet", "foreign_mask", "no_folder"])
def test_bad_input_one_line_errors(tmp_path, capsys, case):
    g = ImageGeometry((5, 10, 10), (4.0, 4.0, 3.0), (-20, -20, 0))
    mask = np.zeros(g.shape, np.uint8)
    mask[2, 2, 2] = 1
    write_nifti(tmp_path / "m.nii.gz", mask, g)
    target = tmp_path / "data"
    if case == "no_pet":
        write_series(target, np.zeros((2, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1))
    elif case == "two_pet":
        make_pet(target / "a", np.zeros((2, 4, 4), np.int16))
        make_pet(target / "b", np.zeros((2, 4, 4), np.int16))
    elif case == "foreign_mask":
        make_pet(target, np.zeros((5, 10, 10), np.int16))
        far = ImageGeometry((5, 10, 10), (4.0, 4.0, 3.0), (500, 500, 900))
        write_nifti(tmp_path / "m2.nii.gz", mask, far)
    mask_path = tmp_path / ("m2.nii.gz" if case == "foreign_mask" else "m.nii.gz")
    r = subprocess.run([sys.executable, "-m", "workstation.cli", "stats", str(target), "--mask", str(mask_path)],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0, r.stderr
    expect = {"no_pet": "no PET", "two_pet": "2 PET series", "foreign_mask": "inside the PET volume",
              "no_folder": "no such file"}[case]
    assert expect in r.stderr


def _structured_pet(tmp_path):
    stored = np.zeros((5, 10, 10), np.int16)
    stored[2, 4:6, 4:7] = [[100, 200, 300], [400, 500, 600]]
    stored[3, 1, 8] = 900
    make_pet(tmp_path / "pt", stored, slope=2.0)
    return stored.astype(float) * 2.0 * expected_bw_factor()


def test_stats_reports_every_seg_segment_and_the_union(tmp_path, capsys):
    from seg_factory import write_seg

    suv = _structured_pet(tmp_path)
    a = np.zeros((10, 10), np.uint8)
    a[4:6, 4:7] = 1
    b = np.zeros((10, 10), np.uint8)
    b[1, 8] = 1
    # PET grid: origin (-20, -20, 0), 4 x 4 mm pixels, 3 mm slices
    import pydicom

    pet_for = pydicom.dcmread(next((tmp_path / "pt").rglob("*.dcm")), stop_before_pixels=True).FrameOfReferenceUID
    write_seg(tmp_path / "seg.dcm", [(1, (-20, -20, 6.0), a), (2, (-20, -20, 9.0), b)],
              segments=[(1, "primary"), (2, "node")], pixel_spacing=(4.0, 4.0), thickness=3.0,
              frame_of_reference=pet_for)
    rc, out, _ = run_cli(capsys, "stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "seg.dcm"), "--json")
    assert rc == 0
    d = json.loads(out)
    rows = d["structures"]
    assert [(r["number"], r["name"], r["voxels"]) for r in rows] == [(1, "primary", 6), (2, "node", 1)]
    prim = suv[2, 4:6, 4:7]
    assert rows[0]["mean"] == pytest.approx(prim.mean(), rel=1e-5)
    assert rows[0]["max"] == pytest.approx(prim.max(), rel=1e-5)
    assert rows[0]["volume_ml"] == pytest.approx(6 * 48 / 1000)
    assert rows[0]["tlg"] == pytest.approx(prim.mean() * 6 * 48 / 1000, rel=1e-5)
    assert rows[1]["max"] == pytest.approx(suv[3, 1, 8], rel=1e-5) and rows[1]["suvpeak"] is not None
    both = np.concatenate([prim.ravel(), [suv[3, 1, 8]]])
    assert d["union"]["voxels"] == 7 and d["voxels"] == 7
    assert d["union"]["mean"] == pytest.approx(both.mean(), rel=1e-5)
    assert d["max"] == pytest.approx(suv[3, 1, 8], rel=1e-5)
    rc, out, _ = run_cli(capsys, "stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "seg.dcm"))
    assert rc == 0 and "primary" in out and "node" in out and "(union)" in out
    rc, out, _ = run_cli(capsys, "stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "seg.dcm"), "--label", "2",
                         "--json")
    assert json.loads(out)["voxels"] == 1


def test_stats_accepts_an_rtstruct(tmp_path, capsys):
    from seg_factory import write_rtstruct

    suv = _structured_pet(tmp_path)
    # square around the voxel centres x -4..4, y -4..0 on the slice z = 6 mm (voxels [2, 4:6, 4:7])
    square = np.array([[-6.0, -6.0, 6.0], [6.0, -6.0, 6.0], [6.0, 2.0, 6.0], [-6.0, 2.0, 6.0]])
    write_rtstruct(tmp_path / "rs.dcm", [(3, "GTV", (255, 0, 0), [square])])
    rc, out, _ = run_cli(capsys, "stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "rs.dcm"), "--json")
    assert rc == 0
    d = json.loads(out)
    assert [(r["number"], r["name"], r["kind"], r["voxels"]) for r in d["structures"]] == [(3, "GTV", "RTSTRUCT", 6)]
    assert d["mean"] == pytest.approx(suv[2, 4:6, 4:7].mean(), rel=1e-5)
