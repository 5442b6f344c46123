import numpy as np
import pydicom
import pytest

from workstation.testing.dicom_factory import write_series
from workstation.io.db import StudyDB
from workstation.io.dicom_text import display_name
from workstation.io.scan import read_record, scan_paths

NAME = "张^三丰"


@pytest.mark.parametrize("charset", ["ISO_IR 192", "GB18030", "GBK", ["", "ISO 2022 IR 58"]],
                         ids=["utf8", "gb18030", "gbk", "iso2022-ir58"])
def test_chinese_names_decoded_exactly(tmp_path, charset):
    paths = write_series(tmp_path, np.zeros((1, 2, 2), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                         patient_name=NAME, charset=charset)
    raw = paths[0].read_bytes()
    assert NAME.encode("utf-8") not in raw or charset == "ISO_IR 192"  # really written in that charset
    rec = read_record(str(paths[0]))
    assert rec.patient_name == NAME
    assert "\x1b" not in rec.patient_name


def test_undeclared_charset_utf8_and_gb18030(tmp_path):
    for enc, sub in (("utf-8", "u"), ("gb18030", "g")):
        p = write_series(tmp_path / sub, np.zeros((1, 2, 2), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1))[0]
        ds = pydicom.dcmread(p)
        del ds.SpecificCharacterSet
        ds["PatientName"].value = NAME.encode(enc)
        ds.save_as(p)
        assert read_record(str(p)).patient_name == NAME


def test_display_name():
    assert display_name("DOE^JOHN") == "DOE, JOHN"
    assert display_name("Wang^XiaoDong=王^小东") == "Wang, XiaoDong = 王, 小东"


def _make_study(root):
    study = pydicom.uid.generate_uid()
    for_uid = pydicom.uid.generate_uid()
    write_series(root / "ct", np.zeros((4, 3, 3), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                 study_uid=study, for_uid=for_uid, series_number=2, description="CT body")
    write_series(root / "pt", np.zeros((3, 3, 3), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                 modality="PT", study_uid=study, for_uid=for_uid, series_number=3, description="PET AC")
    return study


def test_import_is_idempotent_and_read_only(tmp_path):
    root = tmp_path / "data"
    study = _make_study(root)
    (root / "notes.txt").write_text("not dicom")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    db = StudyDB(tmp_path / "db.sqlite")
    s1 = db.import_paths([root])
    assert (s1.instances, s1.new_instances, s1.series, s1.studies, s1.patients) == (7, 7, 2, 1, 1)
    assert len(s1.skipped) == 1 and "not a DICOM file" in s1.skipped[0][1]
    s2 = db.import_paths([root])
    assert (s2.instances, s2.new_instances) == (7, 0)
    assert db.counts() == {"patients": 1, "studies": 1, "series": 2, "instances": 7}
    studies = db.studies()
    assert len(studies) == 1 and studies[0].study_uid == study and studies[0].modalities == ("CT", "PT")
    series = db.series(study)
    assert [(s.modality, s.series_number, s.n_instances) for s in series] == [("CT", 2, 4), ("PT", 3, 3)]
    assert len(db.series_files(series[0].series_uid)) == 4
    assert before == {p: p.read_bytes() for p in files}
    db.close()


def test_parallel_scan_matches_serial(tmp_path):
    write_series(tmp_path, np.zeros((60, 2, 2), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1))
    serial = scan_paths([tmp_path], workers=1)
    import workstation.io.scan as scan

    old = scan._PARALLEL_MIN_FILES
    scan._PARALLEL_MIN_FILES = 10
    try:
        par = scan_paths([tmp_path], workers=2)
    finally:
        scan._PARALLEL_MIN_FILES = old
    assert sorted(r.sop_instance_uid for r in serial.instances) == sorted(r.sop_instance_uid for r in par.instances)


def test_non_image_objects_are_indexed_not_images(tmp_path, refdata):
    src = refdata / "dcmqi-qin-headneck-sr-example"
    recs = scan_paths([src]).instances
    kinds = {r.modality: r.is_image for r in recs}
    assert kinds.get("SEG") is False and kinds.get("SR") is False
    db = StudyDB(tmp_path / "db.sqlite")
    db.import_paths([src])
    assert all(not s.is_image for s in db.series())


# ---------------------------------------------------------------------- registrations (schema 2)
def _rigid(deg, shift):
    th = np.radians(deg)
    m = np.eye(4)
    m[:3, :3] = [[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]]
    m[:3, 3] = shift
    return m


def test_registration_round_trip_and_replace(tmp_path):
    from datetime import datetime

    path = tmp_path / "db.sqlite"
    m = _rigid(3.7, (8.125, -6.1, 5.0 / 3.0))
    with StudyDB(path) as db:
        assert db.schema_version() == 4
        assert db.get_registration("1.2.pet", "1.2.ct") is None
        db.save_registration("1.2.pet", "1.2.ct", m, metric=-0.4321, method="MI rigid",
                             created=datetime(2026, 1, 2, 3, 4, 5))
    with StudyDB(path) as db:  # persisted across connections, bit-exact
        row = db.get_registration("1.2.pet", "1.2.ct")
        assert np.array_equal(row.matrix, m)
        assert (row.metric, row.method, row.created) == (-0.4321, "MI rigid", "2026-01-02T03:04:05")
        assert db.get_registration("1.2.ct", "1.2.pet") is None  # the pair is ordered (moving, fixed)
        m2 = _rigid(0.0, (1.0, 2.0, 3.0))
        db.save_registration("1.2.pet", "1.2.ct", m2, method="manual nudge")
        row = db.get_registration("1.2.pet", "1.2.ct")
        assert np.array_equal(row.matrix, m2) and row.metric is None and row.method == "manual nudge"
        assert db.delete_registration("1.2.pet", "1.2.ct") and db.get_registration("1.2.pet", "1.2.ct") is None


@pytest.mark.parametrize("bad,msg", [
    (np.eye(3), "4x4"),
    (np.full((4, 4), np.nan), "4x4"),
    (np.diag([2.0, 1.0, 1.0, 1.0]), "rotation"),
    (np.diag([-1.0, 1.0, 1.0, 1.0]), "rotation"),  # a mirror is not rigid
])
def test_registration_rejects_non_rigid(tmp_path, bad, msg):
    from workstation.io.db_registrations import RegistrationError

    with StudyDB(tmp_path / "db.sqlite") as db:
        with pytest.raises(RegistrationError, match=msg):
            db.save_registration("1.2.pet", "1.2.ct", bad)
        with pytest.raises(RegistrationError, match="UID"):
            db.save_registration("", "1.2.ct", np.eye(4))
        assert db.get_registration("1.2.pet", "1.2.ct") is None


def test_version_1_file_gains_registrations_table(tmp_path):
    import sqlite3

    root = tmp_path / "data"
    _make_study(root)
    path = tmp_path / "db.sqlite"
    with StudyDB(path) as db:
        db.import_paths([root])
    con = sqlite3.connect(path)  # turn it back into a version-1 file
    con.execute("DROP TABLE registrations")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with StudyDB(path) as db:
        assert db.schema_version() == 4
        assert db.counts()["instances"] == 7  # the index is kept
        db.save_registration("a", "b", np.eye(4))
        assert np.array_equal(db.get_registration("a", "b").matrix, np.eye(4))


def test_scan_falls_back_when_worker_processes_cannot_start(tmp_path, monkeypatch):
    """A script without a __main__ guard (or a frozen build) cannot spawn workers: scan serially instead."""
    import workstation.io.scan as scan

    write_series(tmp_path, np.zeros((12, 2, 2), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1))

    class NoPool:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, *a, **k):
            raise RuntimeError("An attempt has been made to start a new process before the current process "
                               "has finished its bootstrapping phase.")

    monkeypatch.setattr(scan, "ProcessPoolExecutor", NoPool)
    monkeypatch.setattr(scan, "_PARALLEL_MIN_FILES", 5)
    res = scan_paths([tmp_path], workers=2)
    assert len(res.instances) == 12 and not res.skipped


def test_registration_versions_undo_and_reset(tmp_path):
    """Every stored registration is a version; undo steps back; reset stores identity (undoable)."""
    import sqlite3

    from workstation.io.db_registrations import METHOD_SCANNER

    path = tmp_path / "db.sqlite"
    a, b = _rigid(2.0, (4.0, 0.0, -1.0)), _rigid(-1.0, (0.5, 2.5, 0.0))
    with StudyDB(path) as db:
        assert db.undo_registration("1.2.pet", "1.2.ct") is None  # nothing to undo: no error
        assert db.save_registration("1.2.pet", "1.2.ct", a, method="rigid MI").version == 1
        assert db.save_registration("1.2.pet", "1.2.ct", b, method="manual nudge").version == 2
        reset = db.reset_registration("1.2.pet", "1.2.ct")
        assert reset.version == 3 and reset.method == METHOD_SCANNER and np.array_equal(reset.matrix, np.eye(4))
        assert [r.version for r in db.registration_history("1.2.pet", "1.2.ct")] == [1, 2, 3]
    with StudyDB(path) as db:  # the history persists
        cur = db.get_registration("1.2.pet", "1.2.ct")
        assert cur.version == 3 and np.array_equal(cur.matrix, np.eye(4))
        back = db.undo_registration("1.2.pet", "1.2.ct")  # undo the reset
        assert back.version == 2 and np.array_equal(back.matrix, b) and back.method == "manual nudge"
        assert np.array_equal(db.get_registration("1.2.pet", "1.2.ct").matrix, b)
        back = db.undo_registration("1.2.pet", "1.2.ct")
        assert back.version == 1 and np.array_equal(back.matrix, a)
        assert db.undo_registration("1.2.pet", "1.2.ct") is None  # back to the scanner's alignment
        assert db.get_registration("1.2.pet", "1.2.ct") is None and db.registration_history("1.2.pet", "1.2.ct") == []
    # a registration stored before versions were kept (row without history) becomes version 1
    con = sqlite3.connect(str(path))
    with con:
        con.execute("INSERT INTO registrations VALUES (?,?,?,?,?,?)",
                    ("9.pet", "9.ct", "[[1,0,0,7],[0,1,0,0],[0,0,1,0],[0,0,0,1]]", None, "old", "2025-01-01T00:00:00"))
    con.close()
    with StudyDB(path) as db:
        assert db.get_registration("9.pet", "9.ct").version == 0
        assert db.save_registration("9.pet", "9.ct", b, method="new").version == 2
        old = db.undo_registration("9.pet", "9.ct")
        assert old.method == "old" and old.matrix[0, 3] == 7.0


def test_audit_trail_by_uid(tmp_path):
    path = tmp_path / "db.sqlite"
    with StudyDB(path) as db:
        db.audit("store-received", peer_ae="MODALITY", peer_host="127.0.0.1", study_uid="1.2.3",
                 series_uid="1.2.3.4", sop_instance_uid="1.2.3.4.5", status=0)
        db.audit_many([dict(event="rejected", peer_ae="EVIL", peer_host="127.0.0.1", status=0xC211,
                            detail="calling AE not allowed")])
    with StudyDB(path) as db:  # persisted
        rows = db.audit_rows()
        assert [r["event"] for r in rows] == ["store-received", "rejected"]
        assert db.audit_rows(sop_instance_uid="1.2.3.4.5")[0]["peer_ae"] == "MODALITY"
        assert db.audit_rows(event="rejected")[0]["status"] == 0xC211
        assert db.integrity_check() == "ok"
