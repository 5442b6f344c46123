"""`lesions`, `export` and `report` find the same lesions with the same defaults and options.

The study is the synthetic whole-body one of tests/analysis/lesions/test_organ_exclusion.py (brain,
head-and-neck primary touching it, neck node, bladder, pelvic node), written as DICOM in Bq/mL.
The Bq/mL per SUV is worked by hand from the header values written (370 MBq at 11:00, scan at
12:00 with DecayCorrection START, F-18 half-life 6586.2 s, 70 kg).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from wholebody_factory import PRIMARY, _study

from workstation.cli import main  # noqa: E402
from workstation.testing.dicom_factory import write_series  # noqa: E402
from workstation.testing.pet_factory import pet_dataset  # noqa: E402

BQML_PER_SUV = 370e6 * 2 ** (-3600 / 6586.2) / 70000.0


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    g, suv, truth = _study()
    folder = tmp_path_factory.mktemp("one-finder") / "pet"
    ds = pet_dataset(weight=70.0)
    keys = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "RadiopharmaceuticalInformationSequence")
    bq = suv.astype(np.float64) * BQML_PER_SUV
    slope = float(bq.max()) / 30000.0
    write_series(folder, np.rint(bq / slope).astype(np.int16), origin=tuple(g.origin), spacing_ijk=g.spacing,
                 modality="PT", slopes=np.full(g.shape[0], slope), extra={k: ds.get(k) for k in keys if k in ds})
    return folder, g, truth


def _run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out


def _segments(capsys, folder, seg, n):
    out = []
    for label in range(1, n + 1):
        st = json.loads(_run(capsys, "stats", folder, "--mask", seg, "--label", label, "--json"))
        out.append((st["voxels"], round(st["max"], 4)))
    return out


def test_lesions_export_and_report_give_the_same_lesions(study, tmp_path, capsys):
    folder, g, truth = study
    rep = json.loads(_run(capsys, "lesions", folder, "--json"))
    assert sorted(e["organ"] for e in rep["excluded"]) == ["bladder", "brain"]
    assert rep["count"] == 3  # primary, neck node, pelvic node
    assert max(les["suvmax"] for les in rep["lesions"]) == pytest.approx(PRIMARY[2], rel=0.01)
    want = [(les["voxels"], round(les["suvmax"], 4)) for les in rep["lesions"]]
    out = _run(capsys, "export", "seg", folder, "--out", tmp_path / "wb.dcm")
    assert out.startswith("3 lesion(s)") and "excluded as brain" in out and "excluded as bladder" in out
    assert _segments(capsys, folder, tmp_path / "wb.dcm", 3) == want
    out = _run(capsys, "report", folder, "--out", tmp_path / "wb.pdf")
    assert out.startswith("3 lesion(s)") and "excluded as brain" in out
    # --no-exclude keeps the brain+primary and the bladder+node as two regions, in every command
    rep2 = json.loads(_run(capsys, "lesions", folder, "--json", "--no-exclude"))
    out = _run(capsys, "export", "seg", folder, "--out", tmp_path / "all.dcm", "--no-exclude")
    assert rep2["count"] == 3 and out.startswith(f"{rep2['count']} lesion(s)")
    assert _segments(capsys, folder, tmp_path / "all.dcm", 3) == [(x["voxels"], round(x["suvmax"], 4))
                                                                   for x in rep2["lesions"]]


def test_constraint_option_is_shared(study, tmp_path, capsys):
    """A seed on the neck node with a 15 mm constraint: the 9 mm node fits, so all three commands
    measure it; with 8 mm every command refuses and names --constraint."""
    folder, g, truth = study
    seed = "--seed=40,10,300"
    rep = json.loads(_run(capsys, "lesions", folder, seed, "--constraint", "15", "--json"))
    assert rep["constraint"]["radius_mm"] == 15
    ball = (4 / 3) * math.pi * 9 ** 3 / 1000
    assert rep["lesions"][0]["mtv_ml"] == pytest.approx(ball, rel=0.35)
    _run(capsys, "export", "seg", folder, seed, "--constraint", "15", "--out", tmp_path / "n.dcm")
    assert _segments(capsys, folder, tmp_path / "n.dcm", 1) == [(rep["lesions"][0]["voxels"],
                                                                 round(rep["lesions"][0]["suvmax"], 4))]
    for cmd in (["lesions"], ["export", "seg"], ["report"]):
        extra = ["--out", tmp_path / f"x-{cmd[0]}"] if cmd[0] != "lesions" else []
        rc = main([str(a) for a in [*cmd, folder, seed, "--constraint", "8", *extra]])
        err = capsys.readouterr().err
        assert rc == 2 and "--constraint" in err and "constraint" in err, (cmd, err)
