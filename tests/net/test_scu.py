"""C-ECHO, C-STORE, C-FIND, C-GET and C-MOVE against a real Orthanc started on loopback."""

from __future__ import annotations

import json

import pydicom

from net_peers import WS_AET, make_study

OUR_TAGS = ("PatientName", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID",
            "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "RescaleSlope", "RescaleIntercept",
            "InstanceNumber", "SeriesDescription", "SpecificCharacterSet", "Rows", "Columns", "BitsStored")


def _pacs(cfg):
    return cfg.get("pacs")


def test_echo_store_find_get_round_trip_bit_identical(orthanc, orthanc_node, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net import scu
    from workstation.io.store import ManagedStore

    pacs = _pacs(orthanc_node)
    assert scu.echo(pacs, WS_AET) == 0
    study_uid, files = make_study(tmp_path / "src", n_series=2, n_slices=6, patient_name="王^小明",
                                  patient_id="CN-001", seed=3)
    with StudyDB(tmp_path / "sent.sqlite") as db:
        res = scu.store_files(pacs, WS_AET, files, db=db)
        assert (res.completed, res.failed) == (12, 0)
        assert len(db.audit_rows(event="store-sent")) == 12
    # C-FIND: a Chinese name with a wildcard, at study, patient and series level
    studies = scu.find(pacs, WS_AET, "STUDY", PatientName="王*")
    assert [s["StudyInstanceUID"] for s in studies] == [study_uid]
    assert studies[0]["PatientName"] == "王^小明" and studies[0]["PatientID"] == "CN-001"
    assert scu.find(pacs, WS_AET, "STUDY", PatientName="李*") == []
    patients = scu.find(pacs, WS_AET, "PATIENT", PatientID="CN-001")
    assert [p["PatientName"] for p in patients] == ["王^小明"]
    series = scu.find(pacs, WS_AET, "SERIES", StudyInstanceUID=study_uid)
    assert sorted(s["SeriesDescription"] for s in series) == ["series 0", "series 1"]
    # C-GET back into a fresh managed store: every instance, bit-identical pixel data and our tags
    with StudyDB(tmp_path / "got.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        got = scu.get(pacs, WS_AET, study_uid, store)
        assert (got.completed, got.failed) == (12, 0) and len(got.acknowledged) == 12
        assert db.counts()["instances"] == 12
        assert len(db.audit_rows(event="retrieve")) == 12
    for src in files:
        a = pydicom.dcmread(src)
        b = pydicom.dcmread(store.final_path(study_uid, a.SeriesInstanceUID, a.SOPInstanceUID))
        assert b.PixelData == a.PixelData
        for kw in OUR_TAGS:
            assert b.get(kw) == a.get(kw), kw


def test_move_to_our_running_node(orthanc, orthanc_node, node_factory, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net import scu

    pacs = _pacs(orthanc_node)
    study_uid, files = make_study(tmp_path / "src", n_series=1, n_slices=7, seed=5)
    assert scu.store_files(pacs, WS_AET, files).completed == 7
    node = node_factory(port=orthanc.ws_port, allow=("ORTHANC@127.0.0.1",)).start()
    res = scu.move(pacs, WS_AET, study_uid, WS_AET)
    assert (res.completed, res.failed) == (7, 0)
    with StudyDB(node.db_path) as db:
        assert db.counts()["instances"] == 7
        assert {a["peer_ae"] for a in db.audit_rows(event="store-received")} == {"ORTHANC"}
    for src in files:
        a = pydicom.dcmread(src)
        b = pydicom.dcmread(node.store_dir / study_uid / a.SeriesInstanceUID / f"{a.SOPInstanceUID}.dcm")
        assert b.PixelData == a.PixelData


def test_cli_echo_send_find_retrieve_list(orthanc, orthanc_node, tmp_path, capsys):
    from workstation.cli import main

    study_uid, files = make_study(tmp_path / "src", n_series=1, n_slices=3, patient_name="CLI^Test",
                                  patient_id="CLI-9", seed=7)
    assert main(["echo", "pacs"]) == 0
    assert "C-ECHO ok" in capsys.readouterr().out
    assert main(["send", "pacs", str(tmp_path / "src")]) == 0
    assert "sent 3 of 3" in capsys.readouterr().out
    assert main(["find", "pacs", "--patient-id", "CLI-9", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["StudyInstanceUID"] for r in rows] == [study_uid]
    assert main(["find", "pacs", "--patient-id", "NOBODY-42"]) == 1  # nothing found: an error exit
    assert "0 study match(es)" in capsys.readouterr().out
    assert main(["retrieve", "pacs", study_uid]) == 0
    assert "retrieved 3 instances" in capsys.readouterr().out
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(s["patient_id"], s["patient_name"], s["study_uid"]) for s in listed] == [("CLI-9", "CLI^Test", study_uid)]
    # send by UID from the database (what we just retrieved) is accepted too
    assert main(["send", "pacs", study_uid]) == 0
    assert "sent 3 of 3" in capsys.readouterr().out
    # an unknown node is one line naming what to do
    assert main(["echo", "nowhere"]) == 2
    assert "unknown node 'nowhere'" in capsys.readouterr().err


def test_unreachable_node_is_one_line(orthanc_node, capsys, monkeypatch):
    from net_peers import free_port
    from workstation.cli import main
    from workstation.settings.nodes import Node, save_nodes

    orthanc_node.add(Node("dead", "DEAD", "127.0.0.1", free_port()))
    save_nodes(orthanc_node)
    assert main(["echo", "dead"]) == 2
    err = capsys.readouterr().err
    assert "could not be reached" in err and "Traceback" not in err


def test_no_phi_in_pynetdicom_logs(orthanc, orthanc_node, tmp_path, caplog):
    import logging

    from workstation.net import scu

    pacs = _pacs(orthanc_node)
    _, files = make_study(tmp_path / "src", n_slices=1, patient_name="秘密^病人", patient_id="SECRET-ID-77")
    scu.store_files(pacs, WS_AET, files)
    logging.getLogger("pynetdicom").setLevel(logging.DEBUG)  # someone turns debugging on
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("pynetdicom."):
            logging.getLogger(name).setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        rows = scu.find(pacs, WS_AET, "STUDY", PatientID="SECRET-ID-77")
    assert rows and rows[0]["PatientName"] == "秘密^病人"
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "SECRET-ID-77" not in text and "秘密" not in text
