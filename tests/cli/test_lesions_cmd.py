"""`workstation lesions`: argument handling, SUV factor applied, text and JSON output, one-line errors.

The PET loader and SUV computation are replaced by fakes here (their own tests cover them); the
numbers are checked against a phantom whose answer is known by construction.
"""

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from workstation.cli import main
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

FACTOR = 1e-3  # SUV per Bq/mL of the fake series
GEOM = ImageGeometry((40, 50, 50), (4.0, 4.0, 4.0), origin=(-100.0, -100.0, -80.0))
LESION_C, LESION_R, LESION_SUV = (0.0, 0.0, 0.0), 12.0, 7.0


def _volume():
    kji = np.stack(np.indices(GEOM.shape), axis=-1)
    w = GEOM.kji_to_world(kji)
    suv = np.full(GEOM.shape, 1.0, np.float32)
    inside = np.sum((w - LESION_C) ** 2, axis=-1) <= LESION_R ** 2
    suv[inside] = LESION_SUV
    return Volume(suv / np.float32(FACTOR), GEOM, modality="PT", units="BQML", pet=object()), int(inside.sum())


@pytest.fixture
def fake_pet(monkeypatch):
    import workstation.analysis.suv.factor as suv_mod
    import workstation.io.loader as loader

    vol, n_inside = _volume()
    calls = {}

    def load(path, series_uid=None, progress=None):
        calls["path"] = path
        return vol

    def compute(acq, suv_type="bw", overrides=None):
        calls["suv_type"] = suv_type
        return SimpleNamespace(factor=FACTOR, suv_type=suv_type, units="g/ml", instance_factors=None,
                               provenance=[{"input": "fake"}], warnings=[])

    monkeypatch.setattr(loader, "load_pet_folder", load)
    monkeypatch.setattr(suv_mod, "compute_suv", compute)
    return calls, n_inside


def test_whole_body_json(fake_pet, capsys):
    calls, n_inside = fake_pet
    rc = main(["lesions", "/some/pet", "--method", "fixed:2.5", "--json"])
    assert rc == 0 and calls["path"] == "/some/pet" and calls["suv_type"] == "bw"
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 1 and out["suv_factor"] == FACTOR
    les = out["lesions"][0]
    assert les["voxels"] == n_inside
    assert les["mtv_ml"] == pytest.approx(n_inside * 0.064)
    assert les["suvmax"] == pytest.approx(LESION_SUV, rel=1e-6)  # Bq/mL × factor
    assert les["suvmean"] == pytest.approx(LESION_SUV, rel=1e-6)
    assert les["tlg"] == pytest.approx(LESION_SUV * n_inside * 0.064, rel=1e-6)
    assert np.allclose(les["centre_world"], LESION_C, atol=1e-6)
    assert out["total_mtv_ml"] == pytest.approx(les["mtv_ml"])


def test_seeded_text_table(fake_pet, capsys):
    _, n_inside = fake_pet
    rc = main(["lesions", "/some/pet", "--method", "a50", "--seed", "5,-4,3", "--suv", "lbm-james"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "method a50 (seeded)" in text and "SUV type lbm-james" in text
    row = [line for line in text.splitlines() if line.strip().startswith("1 ")][0].split()
    assert float(row[2]) == pytest.approx(LESION_SUV) and float(row[5]) == pytest.approx(n_inside * 0.064, abs=1e-3)
    assert "total: 1 lesion(s)" in text


def test_percist_with_liver(fake_pet, capsys):
    rc = main(["lesions", "/p", "--method", "percist", "--liver=-60,-60,-50", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["count"] == 1
    assert out["threshold"] == pytest.approx(1.5, abs=1e-5)  # uniform liver SUV 1: 1.5 × 1 + 2 × 0
    assert out["reference"]["liver"]["mean"] == pytest.approx(1.0)


@pytest.mark.parametrize("argv, words", [
    (["--method", "percist"], "--liver"),
    (["--method", "otsu"], "unknown segmentation method"),
    (["--seed", "1,2"], "--seed"),
    (["--liver", "a,b,c", "--method", "percist"], "--liver"),
    (["--seed", "900,0,0"], "outside"),
    (["--min-volume", "-1"], "--min-volume"),
])
def test_user_errors_are_one_line(fake_pet, capsys, argv, words):
    rc = main(["lesions", "/p", *argv])
    err = capsys.readouterr().err
    assert rc == 2 and words in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_no_pet_series_is_a_user_error(tmp_path, capsys):
    rc = main(["lesions", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "no PET" in err


def test_min_volume_and_exclude_pass_through(fake_pet, capsys):
    _, n_inside = fake_pet
    big = math.ceil(n_inside * 0.064) + 1
    rc = main(["lesions", "/p", "--min-volume", str(big), "--exclude", "brain", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["count"] == 0 and out["min_volume_ml"] == big


def test_brain_and_bladder_excluded_by_default_and_said(fake_pet, capsys, monkeypatch):
    """One default (segmentation.DEFAULT_EXCLUDE) for the CLI; the output says what was looked for."""
    from workstation.analysis.lesions import segmentation

    seen = []
    real = segmentation.segment_whole_body

    def spy(*a, **kw):
        seen.append(kw.get("exclude"))
        return real(*a, **kw)

    monkeypatch.setattr(segmentation, "segment_whole_body", spy)
    rc = main(["lesions", "/p", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and seen[-1] == segmentation.DEFAULT_EXCLUDE == ("brain", "bladder")
    assert out["exclude_rules"] == ["brain", "bladder"]
    rc = main(["lesions", "/p"])
    assert rc == 0 and "excluding: brain, bladder (0 component(s) removed)" in capsys.readouterr().out
    rc = main(["lesions", "/p", "--no-exclude"])
    assert rc == 0 and seen[-1] == () and "excluding: nothing" in capsys.readouterr().out
    rc = main(["lesions", "/p", "--exclude", "bladder", "--json"])
    assert rc == 0 and seen[-1] == ("bladder",) and json.loads(capsys.readouterr().out)["exclude_rules"] == ["bladder"]
    rc = main(["lesions", "/p", "--no-exclude", "--exclude", "brain"])
    err = capsys.readouterr().err
    assert rc == 2 and "contradict" in err and len(err.strip().splitlines()) == 1


def test_seeded_leak_is_a_one_line_error_and_constraint_is_shown(fake_pet, capsys):
    # fixed 0.5 is below the SUV-1 background: the region floods the image and reaches the 20 mm sphere
    rc = main(["lesions", "/p", "--method", "fixed:0.5", "--seed", "0,0,0", "--constraint", "20"])
    err = capsys.readouterr().err
    assert rc == 2 and "reached the constraint" in err and "radius 20 mm" in err and len(err.strip().splitlines()) == 1
    rc = main(["lesions", "/p", "--method", "fixed:2.5", "--seed", "0,0,0", "--constraint", "30"])
    out = capsys.readouterr().out
    assert rc == 0 and "constraint: sphere of radius 30 mm around 0.0,0.0,0.0" in out
    rc = main(["lesions", "/p", "--seed", "0,0,0", "--constraint", "0"])
    assert rc == 2 and "--constraint" in capsys.readouterr().err


def test_whole_body_on_a_lu177_spect_says_it_is_not_fdg(refdata, capsys):
    """The real Lu-177 DOTATATE SPECT: whole-body detection (FDG's method) finds the kidneys and spleen as
    "lesions"; the command says so in a warning, in text and in JSON."""
    folder = str(refdata / "mirp-lu177-spect" / "SCAN_001")
    assert main(["lesions", folder, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] > 0 and any("made for FDG PET" in w and "Lu-177 SPECT" in w for w in out["warnings"])
    assert main(["lesions", folder]) == 0
    assert "warning: whole-body detection is made for FDG PET" in capsys.readouterr().out
