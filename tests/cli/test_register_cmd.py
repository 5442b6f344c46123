"""`workstation register`: prints a proposal, stores nothing unless --save, refuses a large same-frame
move without --confirm-large-move, one-line errors."""

import json

import numpy as np
import pytest

from workstation.analysis.registration.rigid import move_at, rotation_angle_deg
from workstation.cli import main


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.slow
def test_register_refdata_pet_mr_json_save_and_confirm(refdata, capsys, tmp_path):
    base = refdata / "ibsi-sts-petctmr" / "STS_002"
    db_path = tmp_path / "studies.sqlite"
    rc, out, err = run_cli(capsys, "register", str(base / "PET"), str(base / "MR_T1"), "--json", "--db", str(db_path))
    assert rc == 0, err
    d = json.loads(out)
    assert d["saved"] is None and not db_path.exists()  # nothing stored without --save
    after, start = np.asarray(d["pet_from_anat"]), np.asarray(d["start"])
    assert np.array_equal(start, np.eye(4)) and d["same_frame_of_reference"] is True
    assert d["anatomical_modality"] == "MR"
    # the reported move and angle follow from the printed matrices (worked here independently)
    assert d["move_at_pet_centre_mm"] == pytest.approx(move_at(start, after, d["pet_centre_world_mm"]), abs=2e-3)
    assert d["rotation_deg"] == pytest.approx(rotation_angle_deg(after), abs=1e-3)
    assert np.isfinite(d["metric_before"]) and np.isfinite(d["metric_after"])
    applied = np.asarray(d["applied_without_confirmation"])
    if d["needs_confirmation"]:
        assert np.array_equal(applied, np.eye(4)) and d["warnings"]
        rc, out, err = run_cli(capsys, "register", str(base / "PET"), str(base / "MR_T1"), "--save", "--db",
                               str(db_path))
        assert rc == 2 and "--confirm-large-move" in err and len(err.strip().splitlines()) == 1
        from workstation.io.db import StudyDB

        with StudyDB(db_path) as db:  # refused: nothing stored
            assert db.get_registration(d["pet_series_uid"], d["anatomical_series_uid"]) is None
        extra = ["--confirm-large-move"]
    else:
        extra = []
    rc, out, err = run_cli(capsys, "register", str(base / "PET"), str(base / "MR_T1"), "--save", "--db", str(db_path),
                           *extra)
    assert rc == 0, err
    assert "saved as version 1" in out and "pet_from_anat" in out
    from workstation.io.db import StudyDB

    with StudyDB(db_path) as db:
        row = db.get_registration(d["pet_series_uid"], d["anatomical_series_uid"])
        # a second run of the same engine: SimpleITK's multi-threaded metric sums agree to about 1e-4
        assert row.version == 1 and np.allclose(row.matrix, after, atol=1e-3)


def test_register_one_line_errors(tmp_path, capsys):
    rc, out, err = run_cli(capsys, "register", str(tmp_path / "nope"), str(tmp_path))
    assert rc == 2 and "no such file or folder" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    rc, out, err = run_cli(capsys, "register", str(tmp_path / "empty"), str(tmp_path / "empty"))
    assert rc == 2 and "no PET image series" in err and len(err.strip().splitlines()) == 1
