"""Our storage SCP as its own process, fed by DCMTK (storescu/echoscu) and pynetdicom peers."""

from __future__ import annotations

import socket
import subprocess
import time

import pydicom
import pytest

from net_peers import make_study, need_dcmtk


def _storescu(port, files, aet="SENDER", called="WS_TEST", timeout=120):
    return subprocess.run(["storescu", "-aet", aet, "-aec", called, "127.0.0.1", str(port), *map(str, files)],
                          capture_output=True, text=True, timeout=timeout)


def test_echo_and_store_from_dcmtk_then_indexed(node_factory, tmp_path):
    need_dcmtk("storescu", "echoscu")
    from workstation.io.db import StudyDB

    node = node_factory().start()
    r = subprocess.run(["echoscu", "-aet", "SENDER", "-aec", "WS_TEST", "127.0.0.1", str(node.port)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    study_uid, files = make_study(tmp_path / "src", n_series=2, n_slices=4, patient_name="张^三")
    r = _storescu(node.port, files)
    assert r.returncode == 0, r.stderr
    r = _storescu(node.port, files[:3])  # duplicates: stored once
    assert r.returncode == 0, r.stderr
    stored = sorted(node.store_dir.glob("*/*/*.dcm"))
    assert len(stored) == 8
    assert not list((node.store_dir / ".incoming").iterdir())
    for src in files:  # every byte of the dataset arrived (same transfer syntax from storescu)
        a = pydicom.dcmread(src)
        b = pydicom.dcmread(node.store_dir / study_uid / a.SeriesInstanceUID / f"{a.SOPInstanceUID}.dcm")
        assert b.PixelData == a.PixelData and b.PatientName == a.PatientName == "张^三"
    with StudyDB(node.db_path) as db:
        assert db.counts()["instances"] == 8
        assert [s.n_instances for s in db.series(study_uid)] == [4, 4]
        audit = db.audit_rows(event="store-received")
        assert len(audit) == 11 and {a["peer_ae"] for a in audit} == {"SENDER"}
        assert sum(1 for a in audit if a["detail"].startswith("duplicate")) == 3
    log = node.log_text()
    assert "张" not in log and "P1" not in log.replace("P1D", "")  # no patient name or ID in the log


def test_unknown_calling_ae_is_rejected(node_factory, tmp_path):
    need_dcmtk("storescu", "echoscu")
    from workstation.io.db import StudyDB

    node = node_factory().start()
    _, files = make_study(tmp_path / "src", n_slices=2)
    r = _storescu(node.port, files, aet="INTRUDER")
    assert r.returncode != 0
    assert "reject" in (r.stdout + r.stderr).lower()
    r = subprocess.run(["echoscu", "-aet", "INTRUDER", "-aec", "WS_TEST", "127.0.0.1", str(node.port)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert not list(node.store_dir.glob("*/*/*.dcm"))
    with StudyDB(node.db_path) as db:
        assert db.counts()["instances"] == 0
        assert any(a["peer_ae"] == "INTRUDER" for a in db.audit_rows(event="rejected"))


def test_known_title_from_wrong_host_is_refused(node_factory, tmp_path):
    from pynetdicom import AE
    from pynetdicom.sop_class import CTImageStorage

    node = node_factory(allow=("SENDER@10.1.2.3",)).start()
    _, files = make_study(tmp_path / "src", n_slices=1)
    ae = AE("SENDER")
    ae.add_requested_context(CTImageStorage, pydicom.uid.ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", node.port, ae_title="WS_TEST")
    assert assoc.is_established
    status = assoc.send_c_store(pydicom.dcmread(files[0]))
    assoc.release()
    assert status.Status == 0x0124
    assert not list(node.store_dir.glob("*/*/*.dcm"))


def test_bad_input_gets_a_status_and_the_node_stays_up(node_factory, tmp_path):
    from pynetdicom import AE
    from pynetdicom.sop_class import CTImageStorage, Verification

    node = node_factory().start()
    _, files = make_study(tmp_path / "src", n_slices=2)
    # 1) a dataset without UIDs that make a path: refused with 0xA900
    ae = AE("SENDER")
    ae.add_requested_context(CTImageStorage, pydicom.uid.ExplicitVRLittleEndian)
    ae.add_requested_context("1.2.3.4.5.6.7", pydicom.uid.ExplicitVRLittleEndian)  # unknown SOP class
    ae.add_requested_context(Verification)
    assoc = ae.associate("127.0.0.1", node.port, ae_title="WS_TEST")
    assert assoc.is_established
    bad = pydicom.dcmread(files[0])
    bad.StudyInstanceUID = "../../etc/passwd"
    assert assoc.send_c_store(bad).Status == 0xA900
    bad2 = pydicom.dcmread(files[0])
    del bad2.SeriesInstanceUID
    assert assoc.send_c_store(bad2).Status == 0xA900
    # 2) unknown SOP class: its presentation context was not accepted
    assert all(cx.abstract_syntax != "1.2.3.4.5.6.7" for cx in assoc.accepted_contexts)
    weird = pydicom.dcmread(files[1])
    weird.SOPClassUID = "1.2.3.4.5.6.7"
    with pytest.raises(ValueError):
        assoc.send_c_store(weird)
    assoc.release()
    # 3) a dropped connection mid-association: garbage, then a half A-ASSOCIATE-RQ, then close
    for payload in (b"\x00" * 10, b"\x01\x00\x00\x00\x10\x00" + b"\x00" * 8, b"GET / HTTP/1.0\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", node.port), timeout=5) as s:
            s.sendall(payload)
    time.sleep(0.3)
    assert node.proc.poll() is None
    assoc = ae.associate("127.0.0.1", node.port, ae_title="WS_TEST")
    assert assoc.is_established
    assert assoc.send_c_echo().Status == 0
    assert assoc.send_c_store(pydicom.dcmread(files[0])).Status == 0
    assoc.release()
    assert len(list(node.store_dir.glob("*/*/*.dcm"))) == 1
    assert not list((node.store_dir / ".incoming").iterdir())


def test_node_start_in_background_status_stop(capsys):
    need_dcmtk("echoscu")
    from net_peers import free_port
    from workstation.cli import main
    from workstation.net import process

    port = free_port()
    assert main(["node", "status"]) == 1
    assert "not running" in capsys.readouterr().out
    assert main(["node", "start", "--port", str(port), "--ae-title", "WS_BG", "--allow", "SENDER@127.0.0.1"]) == 0
    out = capsys.readouterr().out
    pid = process.read_state()["pid"]
    try:
        assert f"started in the background on 127.0.0.1:{port}" in out
        assert main(["node", "status"]) == 0
        assert f"WS_BG on 127.0.0.1:{port}" in capsys.readouterr().out
        r = subprocess.run(["echoscu", "-aet", "SENDER", "-aec", "WS_BG", "127.0.0.1", str(port)],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        assert main(["node", "start", "--port", str(free_port())]) == 2  # one node at a time
        assert "already running" in capsys.readouterr().err
        assert main(["node", "stop"]) == 0
        assert "node stopped" in capsys.readouterr().out
        assert not process.pid_alive(pid)
        assert main(["node", "status"]) == 1
    finally:
        if process.pid_alive(pid):
            import os
            import signal

            os.kill(pid, signal.SIGKILL)


def test_bad_allow_is_one_line(capsys):
    from workstation.cli import main

    assert main(["node", "start", "--allow", "NOHOST"]) == 2
    assert "expected AET@HOST" in capsys.readouterr().err


def test_no_peers_configured_rejects_everyone(node_factory):
    need_dcmtk("echoscu")
    node = node_factory(allow=()).start()
    r = subprocess.run(["echoscu", "-aet", "SENDER", "-aec", "WS_TEST", "127.0.0.1", str(node.port)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and node.proc.poll() is None
    assert "no peers configured" in node.log_text()
