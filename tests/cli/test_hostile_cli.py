"""Issue 27 items 9 and 10: the remaining tracebacks are one-line errors; the audit trail records
import, export, report and query events (UIDs only)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from export_study import write_pet
from workstation.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pet(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    write_pet(root / "pet", patient_name="HOSTILE^CASE")
    return root / "pet"


def _one_line(err: str, *words) -> None:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], lines[0]


def _rc(argv, capsys):
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse
        rc = exc.code
    return rc, capsys.readouterr()


def test_constraint_inf_is_one_line(pet, capsys):
    rc, cap = _rc(["lesions", str(pet), "--seed", "0,0,0", "--constraint", "inf"], capsys)
    assert rc == 2
    _one_line(cap.err, "--constraint")


def test_import_workers_0_is_one_line(tmp_path, capsys):
    rc, cap = _rc(["import", str(tmp_path), "--workers", "0", "--db", str(tmp_path / "s.sqlite")], capsys)
    assert rc == 2
    _one_line(cap.err, "--workers")


def test_a_database_that_is_not_one(tmp_path, capsys):
    (tmp_path / "notdb.sqlite").write_text("not a database at all, but long enough to be read as a header" * 4)
    rc, cap = _rc(["list", "--db", str(tmp_path / "notdb.sqlite")], capsys)
    assert rc == 2
    _one_line(cap.err, "notdb.sqlite")
    (tmp_path / "folder").mkdir()
    rc, cap = _rc(["import", str(tmp_path / "folder"), "--db", str(tmp_path / "folder")], capsys)
    assert rc == 2
    _one_line(cap.err, "is a folder")


def _folder_with_a_stray_file(pet, tmp_path) -> Path:
    import shutil

    d = tmp_path / "send"
    shutil.copytree(pet, d)
    (d / "notes.txt").write_text("not DICOM")
    return d


def test_send_of_a_folder_with_a_non_dicom_file_sends_nothing(pet, tmp_path, capsys):
    import socket

    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there: were anything sent, the error would be a connection error
    save_nodes(NodeConfig(LocalNode(ae_title="WS_TEST"), [Node("peer", "PEER", "127.0.0.1", port,
                                                               f"http://127.0.0.1:{port}/dicom-web")]))
    d = _folder_with_a_stray_file(pet, tmp_path)
    for argv in (["send", "peer", str(d), "--retries", "0"], ["web", "put", f"http://127.0.0.1:{port}/dicom-web", str(d)]):
        rc, cap = _rc(argv, capsys)
        assert rc == 2, (argv, cap)
        _one_line(cap.err, "not DICOM", "nothing was sent")


def test_response_of_a_study_against_itself_is_refused(pet, capsys):
    rc, cap = _rc(["response", str(pet), str(pet)], capsys)
    assert rc == 2
    _one_line(cap.err, "same")


def test_a_non_utf8_folder_name_logs_without_a_logging_traceback(tmp_path):
    d = os.fsencode(tmp_path) + b"/caf\xe9"
    os.makedirs(d)
    with open(d + b"/junk.txt", "w") as f:
        f.write("x")
    r = subprocess.run([sys.executable, "-m", "workstation.cli", "import", str(tmp_path), "--db",
                        str(tmp_path / "s.sqlite")], cwd=REPO, capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO), "WORKSTATION_DATA_DIR": str(tmp_path / "data")})
    assert r.returncode == 0, r.stderr
    assert b"Logging error" not in r.stderr and b"Traceback" not in r.stderr, r.stderr.decode(errors="replace")


def _audit_rows(data_dir: Path):
    con = sqlite3.connect(data_dir / "studies.sqlite")
    try:
        return con.execute("SELECT event, study_uid, series_uid, detail FROM audit").fetchall()
    finally:
        con.close()


def test_audit_trail_records_import_export_report(pet, tmp_path, capsys):
    import pydicom

    data = Path(os.environ["WORKSTATION_DATA_DIR"])
    ds = pydicom.dcmread(next(pet.glob("*.dcm")), stop_before_pixels=True)
    assert main(["import", str(pet)]) == 0
    assert main(["export", "seg", str(pet), "--out", str(tmp_path / "seg.dcm")]) == 0
    assert main(["report", str(pet), "--out", str(tmp_path / "r.pdf")]) == 0
    capsys.readouterr()
    rows = _audit_rows(data)
    events = {r[0] for r in rows}
    assert {"import", "export", "report"} <= events, events
    for ev in ("import", "export", "report"):
        r = next(r for r in rows if r[0] == ev)
        assert r[1] == ds.StudyInstanceUID and r[2] == ds.SeriesInstanceUID, r
    text = repr(rows)
    assert "HOSTILE" not in text and str(tmp_path) not in text
