"""`workstation export`: same lesions as `workstation lesions`, files written, never overwritten without --force."""

from __future__ import annotations

import json

import pytest

from export_study import write_pet
from workstation.cli import main


@pytest.fixture(scope="module")
def pet_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-cli")
    write_pet(root / "pet")
    return root / "pet"


def _run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_export_seg_then_stats_equals_lesions(pet_dir, tmp_path, capsys):
    rc, out, _ = _run(capsys, "lesions", pet_dir, "--json")
    assert rc == 0
    lesions = json.loads(out)["lesions"]
    seg = tmp_path / "les.dcm"
    rc, out, err = _run(capsys, "export", "seg", pet_dir, "--out", seg)
    assert rc == 0, err
    assert f"wrote {seg}" in out and seg.is_file()
    for les in lesions:
        rc, out, err = _run(capsys, "stats", pet_dir, "--mask", seg, "--label", les["label"], "--json")
        assert rc == 0, err
        st = json.loads(out)
        assert st["voxels"] == les["voxels"]
        assert st["max"] == pytest.approx(les["suvmax"], rel=1e-6)
        assert st["mean"] == pytest.approx(les["suvmean"], rel=1e-6)
        assert st["suvpeak"] == pytest.approx(les["suvpeak"], rel=1e-6)
        assert st["tlg"] == pytest.approx(les["tlg"], rel=1e-6)


def test_export_refuses_to_overwrite_without_force(pet_dir, tmp_path, capsys):
    out_file = tmp_path / "x.dcm"
    out_file.write_bytes(b"precious")
    rc, _, err = _run(capsys, "export", "rwvm", pet_dir, "--out", out_file)
    assert rc == 2 and "--force" in err and err.strip().count("\n") == 0
    assert out_file.read_bytes() == b"precious"
    rc, out, err = _run(capsys, "export", "rwvm", pet_dir, "--out", out_file, "--force")
    assert rc == 0, err
    assert out_file.read_bytes()[128:132] == b"DICM"


def test_export_sr_with_seeds_writes_sr_and_seg(pet_dir, tmp_path, capsys):
    import numpy as np

    from export_study import LESIONS
    from workstation.io.export_sr import read_measurements
    from workstation.io.loader import load_pet_folder

    g = load_pet_folder(str(pet_dir)).geometry
    seeds = [",".join(f"{v:.2f}" for v in g.kji_to_world(np.array(c[::-1], float))) for c, _, _ in LESIONS]
    seeds.append(seeds[0])  # the same lesion twice: counted once
    rc, out, err = _run(capsys, "export", "sr", pet_dir, "--method", "pct:41", *[f"--seed={s}" for s in seeds],
                        "--out", tmp_path / "r.dcm")
    assert rc == 0, err
    assert (tmp_path / "r-seg.dcm").is_file()
    groups = read_measurements(tmp_path / "r.dcm")
    assert [g["tracking_id"] for g in groups] == ["Lesion 1", "Lesion 2"]


def test_bad_method_is_one_line(pet_dir, tmp_path, capsys):
    rc, _, err = _run(capsys, "export", "seg", pet_dir, "--method", "magic", "--out", tmp_path / "y.dcm")
    assert rc == 2 and "--method" in err and err.strip().count("\n") == 0
    assert not (tmp_path / "y.dcm").exists()
