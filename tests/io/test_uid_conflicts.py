"""UID collisions at import: detected, every file kept reachable, reported by `import`."""

from __future__ import annotations

import shutil

import numpy as np
import pydicom
from workstation.testing.dicom_factory import write_series

from workstation.cli import main
from workstation.io.db import SOP_CONFLICT, STUDY_CONFLICT, StudyDB


def _series(folder, **kw):
    return write_series(folder, np.arange(2 * 4 * 4, dtype=np.int16).reshape(2, 4, 4), origin=(0, 0, 0),
                        spacing_ijk=(1, 1, 2), **kw)


def test_same_sop_uid_in_two_different_files(tmp_path, capsys):
    a = _series(tmp_path / "a")
    ds = pydicom.dcmread(a[0])
    ds.SeriesDescription = "another image with a reused UID"
    (tmp_path / "b").mkdir()
    ds.save_as(tmp_path / "b" / "clash.dcm")
    shutil.copy(a[1], tmp_path / "b" / "copy.dcm")  # an identical copy is not a conflict
    db_path = tmp_path / "db.sqlite"
    with StudyDB(db_path) as db:
        summary = db.import_paths([tmp_path / "a", tmp_path / "b"])
        assert [c.kind for c in summary.conflicts] == [SOP_CONFLICT]
        c = summary.conflicts[0]
        assert c.uid == ds.SOPInstanceUID and c.path == str(tmp_path / "b" / "clash.dcm") and c.other_path == str(a[0])
        # the first file stays the instance; the other is reachable through the conflict table
        assert str(a[0]) in db.series_files(ds.SeriesInstanceUID)
        assert db.conflicts(ds.SOPInstanceUID)[0].path == c.path
        assert db.counts()["instances"] == 2
    # importing the clash again later (first file still there) keeps the first file and reports again
    rc = main(["import", str(tmp_path / "b"), "--db", str(db_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "1 UID conflict(s)" in out and f"CONFLICT SOP Instance UID {ds.SOPInstanceUID}" in out
    with StudyDB(db_path) as db:
        assert str(a[0]) in db.series_files(ds.SeriesInstanceUID)


def test_one_study_uid_under_two_patients(tmp_path, capsys):
    study = pydicom.uid.generate_uid()
    _series(tmp_path / "p1", study_uid=study, patient_name="FIRST^PATIENT", patient_id="ID1")
    second = _series(tmp_path / "p2", study_uid=study, patient_name="SECOND^PATIENT", patient_id="ID2")
    db_path = tmp_path / "db.sqlite"
    rc = main(["import", str(tmp_path), "--db", str(db_path)])
    out = capsys.readouterr().out
    assert rc == 0 and f"CONFLICT Study UID {study}" in out and "2 UID conflict(s)" in out
    assert "SECOND" not in out and "ID2" not in out  # the detail names patient keys, not identities
    with StudyDB(db_path) as db:
        rows = db.conflicts(study)
        assert {r.kind for r in rows} == {STUDY_CONFLICT} and {r.path for r in rows} == {str(p) for p in second}
        keys = {p.patient_id: p.patient_key for p in db.patients()}
        assert {r.patient_key for r in rows} == {keys["ID2"]}  # the other patient is named by its key
        # every file is still reachable from the study
        files = [f for s in db.series(study) for f in db.series_files(s.series_uid)]
        assert len(files) == 4
