"""`workstation brain`: a synthetic AD patient (DICOM) against a small synthetic database, JSON keys and
strict JSON, the synthetic label, the report, `normals list/build`, and the one-line refusals."""

import json
import os

import pytest

from workstation.cli import main

GRID = 8.0


def _strict(text):
    def bad(c):
        raise ValueError(f"non-strict JSON constant {c}")

    return json.loads(text, parse_constant=bad)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from workstation.analysis.brain.normals import NormalDatabase
    from workstation.analysis.brain.pipeline import process
    from workstation.testing.brain_cohort import make_subject, write_dicom

    root = tmp_path_factory.mktemp("brain")
    os.environ["WORKSTATION_DATA_DIR"] = str(root / "data")
    db = NormalDatabase.create("tiny", synthetic=True, grid_mm=GRID)
    for i in range(6):
        vol, t = make_subject(700 + i, "normal", voxel_mm=6.0)
        db.add(process(vol.array, vol.geometry, db.space, db.template(), native_fwhm_mm=6.0,
                       target_fwhm_mm=db.meta["target_fwhm_mm"]), subject_id=t.subject_id, age=t.age, sex=t.sex)
    vol, t = make_subject(799, "AD", voxel_mm=6.0)
    write_dicom(vol, t, root / "ad")
    return root


def test_normals_build_and_list(setup, capsys, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(setup / "data"))
    assert main(["brain", "normals", "build", "--db", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "N=6" in out and "synthetic — demonstration only" in out and "leave-one-out, pons" in out
    assert main(["brain", "normals", "list", "--json"]) == 0
    (d,) = _strict(capsys.readouterr().out)
    assert d["name"] == "tiny" and d["n"] == 6 and d["synthetic"] is True and d["built"] is True


def test_brain_json_and_report(setup, capsys, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(setup / "data"))
    main(["brain", "normals", "build", "--db", "tiny"])
    capsys.readouterr()
    pdf = setup / "r.pdf"
    assert main(["brain", str(setup / "ad"), "--db", "tiny", "--reference", "cerebellum", "--json",
                 "--report", str(pdf)]) == 0
    j = _strict(capsys.readouterr().out)
    for key in ("regions", "clusters", "pattern_scores", "reference", "template", "database"):
        assert key in j
    assert j["reference"]["name"] == "cerebellum"
    assert j["database"]["synthetic"] is True and j["database"]["n"] == 6
    assert j["database"]["label"] == "synthetic — demonstration only"
    assert j["template"]["kind"] == "database-mean"
    r = j["regions"][0]
    assert {"name", "suvr", "z", "ai"} <= set(r) and r["reference"] == "cerebellum"
    assert all(c["reference"] == "cerebellum" for c in j["clusters"])
    assert set(j["pattern_scores"]) == {"AD", "bvFTD", "DLB"}
    assert pdf.read_bytes()[:5] == b"%PDF-"
    # the z-map as DICOM: read back, its value at the first cluster's peak is that cluster's peak z
    from workstation.io.loader import load_pet_folder

    assert main(["brain", str(setup / "ad"), "--db", "tiny", "--reference", "cerebellum",
                 "--zmap-dicom", str(setup / "zmap"), "--json"]) == 0
    j2 = _strict(capsys.readouterr().out)
    zvol = load_pet_folder(setup / "zmap")
    assert zvol.units == "NONE" and "ref cerebellum" in zvol.description and "SYNTHETIC" in zvol.description
    c = j2["clusters"][0]
    ras = c["peak_mni_ras_mm"]
    kji = zvol.geometry.world_to_nearest_kji((-ras[0], -ras[1], ras[2]))
    assert abs(float(zvol.array[kji]) - c["peak_z"]) < 0.02
    # no silent overwrite
    assert main(["brain", str(setup / "ad"), "--db", "tiny", "--report", str(pdf)]) == 2
    assert "exists" in capsys.readouterr().err


def test_refusals_are_one_line(setup, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(setup / "data"))
    assert main(["brain", str(setup / "ad"), "--db", "nosuchdb"]) == 2
    err = capsys.readouterr().err
    assert "no brain normal database" in err and "Traceback" not in err
    assert main(["brain", str(setup / "ad"), "--t1", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--t1" in err and "no MR image series" in err and "Traceback" not in err
    assert main(["brain", "normals", "frobnicate", "--db", "tiny"]) == 2


@pytest.mark.slow
def test_mr_guided_cli(setup, capsys, monkeypatch):
    """`--t1 DIR`: the synthetic T1 (MR DICOM) of the AD patient; JSON says MR-guided; the report's method too."""
    from workstation.testing.brain_cohort import make_subject, make_t1, write_t1_dicom

    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(setup / "data"))
    main(["brain", "normals", "build", "--db", "tiny"])
    _vol, t = make_subject(799, "AD", voxel_mm=6.0)
    t1, _t1t = make_t1(t, 799, voxel_mm=3.0)
    write_t1_dicom(t1, t, setup / "t1")
    capsys.readouterr()
    assert main(["brain", str(setup / "ad"), "--db", "tiny", "--t1", str(setup / "t1"), "--json",
                 "--report", str(setup / "mr.pdf"), "--force"]) == 0
    j = _strict(capsys.readouterr().out)
    assert j["normalisation"] == "MR-guided"
    assert "MR-guided" in j["template"]["registration"]
    assert j["method"]["normalisation"]["stages"][0].startswith("PET to its T1")
    assert j["method"]["normalisation"]["t1_correlation_with_t1_template"] > 0.8
    assert (setup / "mr.pdf").read_bytes()[:5] == b"%PDF-"
    # a PET folder given as the T1: refused in one line
    assert main(["brain", str(setup / "ad"), "--db", "tiny", "--t1", str(setup / "ad")]) == 2
    assert "no MR image series" in capsys.readouterr().err


@pytest.mark.parametrize("patient", ["STS_002", "STS_005"])
def test_real_extremity_pet_has_no_head(refdata, capsys, patient):
    """The real PETs of refdata are 5 cm crops around thigh sarcomas: no head, refused (never a silent
    normalisation of a thigh onto the brain template, which once reached r = 0.53)."""
    assert main(["brain", str(refdata / "ibsi-sts-petctmr" / patient / "PET")]) == 2
    err = capsys.readouterr().err
    assert "is the head in this PET" in err or "no head" in err, err
