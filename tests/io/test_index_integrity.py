"""Issue 27 item 8: the index records every UID conflict, leaves no orphan rows, refuses UIDs that are not UIDs."""

from __future__ import annotations

import numpy as np
import pydicom
from pydicom.uid import generate_uid

from workstation.cli import main
from workstation.io.db import SERIES_CONFLICT, StudyDB
from workstation.testing.dicom_factory import write_series


def _series(folder, **kw):
    return write_series(folder, np.arange(3 * 4 * 4, dtype=np.int16).reshape(3, 4, 4), origin=(0, 0, 0),
                        spacing_ijk=(1, 1, 2), **kw)


def _orphans(db_path):
    import sqlite3

    con = sqlite3.connect(db_path)
    try:
        studies = con.execute("SELECT count(*) FROM studies WHERE study_uid NOT IN "
                              "(SELECT study_uid FROM series)").fetchone()[0]
        patients = con.execute("SELECT count(*) FROM patients WHERE patient_key NOT IN (SELECT patient_key FROM "
                               "studies) AND patient_key NOT IN (SELECT patient_key FROM conflicts WHERE patient_key "
                               "IS NOT NULL)").fetchone()[0]
    finally:
        con.close()
    return studies, patients


def test_a_series_uid_reused_under_another_study_is_a_conflict(tmp_path, capsys):
    first = _series(tmp_path / "a", patient_name="ONE^PATIENT", patient_id="ID1")
    series_uid = pydicom.dcmread(first[0]).SeriesInstanceUID
    other_study = generate_uid()
    for i, f in enumerate(_series(tmp_path / "b", patient_name="TWO^PATIENT", patient_id="ID2")):
        ds = pydicom.dcmread(f)
        ds.SeriesInstanceUID, ds.StudyInstanceUID = series_uid, other_study
        ds.SOPInstanceUID = generate_uid()
        ds.save_as(f)
    db_path = tmp_path / "db.sqlite"
    rc = main(["import", str(tmp_path / "a"), str(tmp_path / "b"), "--db", str(db_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "3 UID conflict(s)" in out and f"CONFLICT Series UID {series_uid}" in out, out
    with StudyDB(db_path) as db:
        rows = db.conflicts(series_uid)
        assert {r.kind for r in rows} == {SERIES_CONFLICT} and len(rows) == 3
        assert [s.study_uid for s in db.studies()] == [pydicom.dcmread(first[0]).StudyInstanceUID]
        assert len(db.series_files(series_uid)) == 3  # the first study's files only
    assert _orphans(db_path) == (0, 0)


def test_uids_that_are_not_uids_are_refused(tmp_path, capsys):
    files = _series(tmp_path / "s")
    bad = {"StudyInstanceUID": "1." + "2" * 70, "SeriesInstanceUID": "1.2.3.abc", "SOPInstanceUID": "1.2.3 4"}
    for f, (kw, value) in zip(files, bad.items()):
        ds = pydicom.dcmread(f)
        setattr(ds, kw, value)
        ds.save_as(f)
    db_path = tmp_path / "db.sqlite"
    assert main(["import", str(tmp_path / "s"), "--db", str(db_path), "--show-skipped"]) == 0
    out = capsys.readouterr().out
    assert "3 files skipped" in out and "0 DICOM instances" in out, out
    assert "characters long (at most 64)" in out and "characters other than digits and dots" in out
    with StudyDB(db_path) as db:
        assert db.studies() == []
    assert _orphans(db_path) == (0, 0)
