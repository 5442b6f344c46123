"""`workstation worklist` / `workstation outbox` from the command line: list, claim (the lock's owner in the
refusal), sign (a new version each time, the second amending the first), queue, and the queue's state."""

from __future__ import annotations

import io
import json

import numpy as np
import pydicom
from pydicom.uid import generate_uid

from workstation.cli import main


def _pdf(tmp_path, text):
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    p = tmp_path / f"{len(text)}.pdf"
    p.write_bytes(buf.getvalue())
    return p


def test_worklist_claim_sign_amend_and_queue(tmp_path, capsys):
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes
    from workstation.testing.dicom_factory import write_series

    save_nodes(NodeConfig(LocalNode(ae_title="HUB"), [Node("spoke", "SPOKE", "127.0.0.1", 9)]))
    uid = generate_uid()
    files = write_series(tmp_path / "src", np.zeros((2, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                         modality="PT", study_uid=uid, patient_name="SECRET^NAME")
    with StudyDB() as db:
        store = ManagedStore(None, db)
        for f in files:  # as the node stores what arrives
            store.store_file(f, audit=dict(event="store-received", peer_ae="SPOKE", peer_host="127.0.0.1"))
        store.close()
    assert main(["worklist", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["study_uid"], r["origin"], r["status"]) for r in rows] == [(uid, "SPOKE", "new")]
    assert main(["worklist", "claim", uid, "--reader", "dr_wang"]) == 0
    capsys.readouterr()
    assert main(["worklist", "claim", uid, "--reader", "dr_li"]) != 0
    err = capsys.readouterr().err
    assert "being read by dr_wang" in err and "Traceback" not in err
    assert main(["worklist", "sign", uid, "--reader", "dr_wang", "--pdf", str(_pdf(tmp_path, "v1")), "--send"]) == 0
    out = capsys.readouterr().out
    assert "version 1" in out and "job 1 to spoke: queued, 0/1 delivered" in out
    # an amendment: claimed again, signed as version 2 referencing version 1
    assert main(["worklist", "claim", uid, "--reader", "dr_li"]) == 0
    assert main(["worklist", "sign", uid, "--reader", "dr_li", "--pdf", str(_pdf(tmp_path, "amended"))]) == 0
    with StudyDB() as db:
        v1, v2 = db.report_versions(uid)
        assert (v2.version, v2.supersedes, v2.reader) == (2, v1.sop_instance_uid, "dr_li")
        a, b = pydicom.dcmread(v1.pdf_path), pydicom.dcmread(v2.pdf_path)
        assert b.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0] \
            .ReferencedSOPInstanceUID == a.SOPInstanceUID
        assert a.SeriesInstanceUID == b.SeriesInstanceUID and a.SOPInstanceUID != b.SOPInstanceUID
        assert "amended, version 2" in b.DocumentTitle
        assert all("SECRET" not in x["detail"] for x in db.audit_rows())
    capsys.readouterr()
    assert main(["outbox", "list"]) == 0
    assert "job 1 to spoke: queued" in capsys.readouterr().out


def test_sign_without_holding_the_study_is_refused(tmp_path, capsys):
    from workstation.io.db import StudyDB

    with StudyDB() as db:
        db.worklist_add("1.2.3", "SPOKE")
    assert main(["worklist", "sign", "1.2.3", "--reader", "dr_li", "--pdf", str(_pdf(tmp_path, "x"))]) != 0
    err = capsys.readouterr().err
    assert "dr_li does not hold it" in err and "Traceback" not in err


def _sr(path, study_uid, text):
    """A minimal Comprehensive SR of the study (what the reader exports with the reading)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.33"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = "2.25.4242424242"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, "2.25.4242424243"
    ds.Modality, ds.InstanceNumber, ds.ValueType = "SR", 1, "CONTAINER"
    item = Dataset()
    item.ValueType, item.TextValue, item.RelationshipType = "TEXT", text, "CONTAINS"
    ds.ContentSequence = [item]
    ds.save_as(path, enforce_file_format=True)
    return path


def test_an_amendment_versions_the_sr_never_overwriting_it(tmp_path, capsys):
    """The SR signed with version 1 stays as it was; the amendment's SR (the same document edited, same UID)
    becomes a new instance in the same series referencing version 1's SR, and goes back with the report."""
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes
    from workstation.testing.dicom_factory import write_series

    save_nodes(NodeConfig(LocalNode(ae_title="HUB"), [Node("spoke", "SPOKE", "127.0.0.1", 9)]))
    uid = generate_uid()
    files = write_series(tmp_path / "src", np.zeros((2, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                         modality="PT", study_uid=uid)
    with StudyDB() as db:
        store = ManagedStore(None, db)
        for f in files:
            store.store_file(f, audit=dict(event="store-received", peer_ae="SPOKE", peer_host="127.0.0.1"))
        store.close()
    sr = _sr(tmp_path / "sr.dcm", uid, "first reading")
    assert main(["worklist", "claim", uid, "--reader", "dr_wang"]) == 0
    assert main(["worklist", "sign", uid, "--reader", "dr_wang", "--pdf", str(_pdf(tmp_path, "v1")),
                 "--sr", str(sr)]) == 0
    with StudyDB() as db:
        (v1,) = db.report_versions(uid)
    first = open(v1.sr_path, "rb").read()
    assert v1.sr_uid == "2.25.4242424242"
    _sr(sr, uid, "amended reading")  # the reader edits the same document
    assert main(["worklist", "claim", uid, "--reader", "dr_li"]) == 0
    assert main(["worklist", "sign", uid, "--reader", "dr_li", "--pdf", str(_pdf(tmp_path, "amended")),
                 "--sr", str(sr), "--send"]) == 0
    capsys.readouterr()
    with StudyDB() as db:
        v1b, v2 = db.report_versions(uid)
    assert open(v1.sr_path, "rb").read() == first and v1b.sr_path == v1.sr_path  # never overwritten
    new = pydicom.dcmread(v2.sr_path)
    assert v2.sr_uid == str(new.SOPInstanceUID) != v1.sr_uid and v2.sr_path != v1.sr_path
    assert new.ContentSequence[0].TextValue == "amended reading" and int(new.InstanceNumber) == 2
    assert str(new.SeriesInstanceUID) == "2.25.4242424243"
    ref = new.PredecessorDocumentsSequence[0]
    assert ref.StudyInstanceUID == uid
    assert ref.ReferencedSeriesSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == v1.sr_uid
    assert main(["outbox", "list", "--json"]) == 0
    jobs = json.loads(capsys.readouterr().out)
    assert jobs[-1]["n_items"] == 2  # the amended PDF and its SR
    # not an SR: one line
    assert main(["worklist", "claim", uid, "--reader", "dr_li"]) == 0
    capsys.readouterr()
    assert main(["worklist", "sign", uid, "--reader", "dr_li", "--pdf", str(_pdf(tmp_path, "x")),
                 "--sr", str(files[0])]) != 0
    err = capsys.readouterr().err
    assert "not a structured report" in err and "Traceback" not in err
