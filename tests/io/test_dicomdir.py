"""DICOMDIR media: the referenced files are copied into the store and indexed; the medium is only read."""

from __future__ import annotations

import hashlib
import os
import shutil

import numpy as np
import pydicom
from workstation.testing.dicom_factory import write_series
from pydicom.fileset import FileSet

from workstation.cli import main
from workstation.io.db import StudyDB
from workstation.io.dicomdir import find_dicomdir, referenced_files
from workstation.io.loader import load_series


def _medium(tmp_path):
    """A CD image: two series written through pydicom's FileSet (DICOMDIR + files named by FileID)."""
    src = tmp_path / "src"
    stored = np.arange(3 * 4 * 5, dtype=np.int16).reshape(3, 4, 5)
    study = pydicom.uid.generate_uid()
    write_series(src / "ct", stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2), study_uid=study, extra={"StudyID": "1"})
    write_series(src / "ct2", stored[:2], origin=(0, 0, 0), spacing_ijk=(1, 1, 2), series_number=2, study_uid=study,
                 extra={"StudyID": "1"})
    fs = FileSet()
    for p in sorted(src.rglob("*.dcm")):
        fs.add(pydicom.dcmread(p))
    cd = tmp_path / "cd"
    fs.write(cd)
    (cd / "README.TXT").write_text("not dicom")
    return cd, stored


def _digest(root):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_referenced_files_resolved(tmp_path):
    cd, _ = _medium(tmp_path)
    assert find_dicomdir(cd) == cd / "DICOMDIR"
    files, missing = referenced_files(cd / "DICOMDIR")
    assert len(files) == 5 and missing == []


def test_import_copies_into_the_store_and_leaves_the_medium_untouched(tmp_path, capsys):
    cd, stored = _medium(tmp_path)
    # one referenced file has gone missing from the medium
    files, _ = referenced_files(cd / "DICOMDIR")
    victim = files[-1]
    os.remove(victim)
    before = _digest(cd)
    db_path = tmp_path / "db.sqlite"
    rc = main(["import", str(cd), "--db", str(db_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "4 file(s) copied into the store" in out and "not on the medium" in out
    assert _digest(cd) == before  # nothing written to the medium
    shutil.rmtree(cd)  # the disc is ejected: the study still loads from the store
    with StudyDB(db_path) as db:
        series = {s.series_number: s for s in db.series()}
        files = db.series_files(series[1].series_uid)
        assert all("store" in f for f in files)
        vol = load_series(files)
    assert np.array_equal(vol.array, stored)


def test_import_of_the_same_medium_twice_copies_nothing_new(tmp_path, capsys):
    cd, _ = _medium(tmp_path)
    db_path = tmp_path / "db.sqlite"
    assert main(["import", str(cd / "DICOMDIR"), "--db", str(db_path)]) == 0
    assert main(["import", str(cd / "DICOMDIR"), "--db", str(db_path)]) == 0
    imported = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("imported:")]
    assert "(5 new)" in imported[0] and "(0 new)" in imported[1]
    with StudyDB(db_path) as db:
        assert db.counts()["instances"] == 5
        assert not db.conflicts()
