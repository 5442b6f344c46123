"""Remote reading against real peers on loopback: a spoke hospital's Orthanc sends a PET study to our node,
the hub reads it, the signed report goes back.

Orthanc (the spoke) pushes the study by C-STORE to our node (its own process); the study appears on
the worklist with the spoke's AE title; a scripted reading (SUV, lesions, SR + SEG + key images,
PDF report) signs the report; the outgoing queue sends the Encapsulated PDF, the SR and the key
images back by C-STORE; they are found in the spoke's Orthanc through its REST API, the PDF bytes
identical. The spoke is killed in the middle of the return: the queue completes after the spoke
restarts, and no instance is sent twice. An unknown spoke is refused.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pydicom
import pytest

from export_study import write_pet
from net_peers import ORTHANC, ORTHANC_AET, WS_AET, NodeProcess, free_port, need_dcmtk, self_signed, start_orthanc, \
    stop_pid, wait_port

pytestmark = pytest.mark.slow


def _restart_orthanc(peer):
    """Start the same Orthanc again (same configuration, storage and ports) after it was killed."""
    log = open(peer.dir / "orthanc-console.log", "ab")
    peer.proc = subprocess.Popen([ORTHANC, f"--logdir={peer.dir}", str(peer.dir / "orthanc.json")], cwd=peer.dir,
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_port(peer.http_port, 60, peer.proc)
    wait_port(peer.dicom_port, 30, peer.proc)


def _lookup(peer, uid: str) -> str | None:
    hits = peer.rest("/tools/lookup", data=uid.encode(), method="POST")
    return hits[0]["ID"] if hits else None


@pytest.fixture
def hub(tmp_path):
    """Our node (a process) and the spoke's Orthanc, each knowing the other."""
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    node_dir = tmp_path / "hub"
    node_dir.mkdir()
    node = NodeProcess(node_dir, free_port(), ae_title=WS_AET, allow=())
    (tmp_path / "spoke").mkdir()
    spoke = start_orthanc(tmp_path / "spoke", node.port)
    cfg = NodeConfig(LocalNode(ae_title=WS_AET, port=node.port),
                     [Node("spoke", ORTHANC_AET, "127.0.0.1", spoke.dicom_port, spoke.url + "/dicom-web")])
    save_nodes(cfg, node_dir / "nodes.json")
    node.start()
    yield node, spoke, cfg
    node.stop()
    stop_pid(spoke.proc)


def _push_from_spoke(spoke, files) -> str:
    ids = set()
    for f in files:
        ids.add(spoke.rest("/instances", data=Path(f).read_bytes(), method="POST")["ParentStudy"])
    (study_id,) = ids
    spoke.rest("/modalities/ws/store", data=json.dumps({"Resources": [study_id], "Synchronous": True}).encode(),
               method="POST")
    return study_id


def _read_and_report(db, study_uid, out: Path):
    """The scripted reading: SUV, lesions, SEG + SR + key images, and the PDF report, from the received files."""
    from workstation.analysis.reading.key_images import png_bytes
    from workstation.analysis.lesions.findings import export_all, measure
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.loader import load_pet_folder
    from workstation.report.reading_report import content_from_reading, write_pdf

    (pt,) = [s for s in db.series(study_uid) if s.modality == "PT"]
    folder = Path(db.series_files(pt.series_uid)[0]).parent  # the managed store's series folder
    pet = load_pet_folder(str(folder))
    reading = measure(pet, compute_suv(pet.pet, "bw"), "fixed:2.5")
    assert len(reading.lesions) == 2
    out.mkdir()
    written = export_all(reading, out)
    from workstation.analysis.reading.key_images import key_images

    images = [(im.title, png_bytes(im)) for im in key_images(reading)]
    pdf = out / "report.pdf"
    write_pdf(pdf, content_from_reading(reading, images=images, impression="Two FDG-avid lesions.",
                                        physician="Dr Li"))
    return pdf, [Path(p) for p in written if Path(p).suffix == ".dcm" and Path(p).name != "seg.dcm"]


def test_spoke_sends_hub_reads_report_goes_back(hub, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.io.export_pdf_dicom import pdf_bytes
    from workstation.io.store import ManagedStore
    from workstation.io.db_worklist import ACKNOWLEDGED, REPORTED, SENT_BACK
    from workstation.io.worklist import sync_arrivals
    from workstation.net.outbox import RETRYING, SENT, Outbox
    from workstation.report.sign_send import confirm_returned, queue_return, reconcile_sent, sign_report

    node, spoke, cfg = hub
    files, _bq, _d = write_pet(tmp_path / "src")
    study_uid = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
    t0 = time.perf_counter()
    _push_from_spoke(spoke, files)
    t_sent = time.perf_counter()
    db = StudyDB(node.db_path)
    store = ManagedStore(node.store_dir, db)
    try:
        assert sync_arrivals(db) == [study_uid]
        row = db.worklist_entry(study_uid)
        assert (row.origin, row.origin_kind, row.status, row.modality) == (ORTHANC_AET, "dimse", "new", "PT")
        db.worklist_claim(study_uid, "dr_li")
        pdf, attachments = _read_and_report(db, study_uid, tmp_path / "reading")
        ds, stored = sign_report(db, store, study_uid, "dr_li", pdf.read_bytes(), institution="Hub hospital")
        assert db.worklist_entry(study_uid).status == REPORTED
        t_read = time.perf_counter()
        kills = {}

        def kill_spoke_midway(job_id, uid, done, total):
            if done == 3 and not kills:  # the spoke goes down in the middle of the return
                kills["after"] = uid
                os.kill(spoke.proc.pid, signal.SIGKILL)
                spoke.proc.wait(10)

        nodes = {n.name: n for n in cfg.nodes}
        # the reading workstation's own queue (the node process drains the one in its data folder by itself:
        # test_outbox.py); here the test drives it, to kill the spoke at a known point
        with Outbox(tmp_path / "reader-outbox.sqlite", nodes=nodes, calling_aet=WS_AET, db=db, base_delay=0.2,
                    on_ack=kill_spoke_midway) as ob:
            job = queue_return(db, ob, study_uid, attachments)
            n_items = 1 + len(attachments)
            ob.run_once()
            j = ob.job(job)
            assert j.state == RETRYING and j.n_acknowledged == 3 and j.last_error, j.text
        # the workstation itself restarts too: a new queue object on the same file carries on
        _restart_orthanc(spoke)
        with Outbox(tmp_path / "reader-outbox.sqlite", nodes=nodes, calling_aet=WS_AET, db=db, base_delay=0.2) as ob:
            jobs = ob.run_until_idle(timeout=60)
            assert [(x.state, x.n_acknowledged) for x in jobs] == [(SENT, n_items)]
            assert reconcile_sent(db, ob) == [study_uid]
        t_back = time.perf_counter()
        assert db.worklist_entry(study_uid).status == SENT_BACK
        # the spoke's own index confirms (C-FIND at IMAGE level): acknowledged
        with Outbox(tmp_path / "reader-outbox.sqlite", nodes=nodes, calling_aet=WS_AET, db=db) as ob:
            assert confirm_returned(db, ob, study_uid)
        assert db.worklist_entry(study_uid).status == ACKNOWLEDGED
        # and our node answers for the reported study: the report series (DOC) is found by DCMTK findscu
        if shutil.which("findscu"):
            out = tmp_path / "find"
            out.mkdir()
            r = subprocess.run(["findscu", "-S", "-aet", ORTHANC_AET, "-aec", WS_AET, "-X", "-od", str(out),
                                "-k", "QueryRetrieveLevel=SERIES", "-k", f"StudyInstanceUID={study_uid}",
                                "-k", "Modality", "-k", "SeriesInstanceUID", "127.0.0.1", str(node.port)],
                               capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            mods = sorted(str(pydicom.dcmread(p).Modality) for p in out.glob("rsp*.dcm"))
            assert mods == ["DOC", "PT"]
        # nothing sent twice: one acknowledged C-STORE per instance in our audit trail
        sent = [a["sop_instance_uid"] for a in db.audit_rows(event="store-sent")]
        assert len(sent) == len(set(sent)) == n_items
        # the spoke has the Encapsulated PDF (bytes identical), the SR and the key images
        pid = _lookup(spoke, str(ds.SOPInstanceUID))
        assert pid is not None
        got = pydicom.dcmread(io.BytesIO(spoke.rest(f"/instances/{pid}/file")))
        assert pdf_bytes(got) == pdf.read_bytes()
        assert got.VerifyingObserverSequence[0].VerifyingObserverName == "dr_li"
        for a in attachments:
            assert _lookup(spoke, str(pydicom.dcmread(a, stop_before_pixels=True).SOPInstanceUID)) is not None
        stats = spoke.rest(f"/studies/{_lookup(spoke, study_uid)}/statistics")
        assert int(stats["CountInstances"]) == len(files) + n_items
        print(f"\nend to end (20-slice PET): sent {t_sent - t0:.2f} s, read + signed {t_read - t_sent:.2f} s, "
              f"back {t_back - t_read:.2f} s (with the spoke killed and restarted)")
        if shutil.which("dciodvfy"):
            r = subprocess.run(["dciodvfy", str(stored)], capture_output=True, text=True, timeout=60)
            assert "Error" not in r.stdout + r.stderr, r.stderr
    finally:
        store.close()
        db.close()


def test_unknown_spoke_is_refused(hub, tmp_path):
    need_dcmtk("storescu")
    from workstation.io.db import StudyDB
    from workstation.io.worklist import sync_arrivals

    node, _spoke, _cfg = hub
    files, _bq, _d = write_pet(tmp_path / "src")
    r = subprocess.run(["storescu", "-aet", "OTHER_SPOKE", "-aec", WS_AET, "127.0.0.1", str(node.port),
                        *map(str, files[:2])], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    with StudyDB(node.db_path) as db:
        assert sync_arrivals(db) == [] and db.worklist() == []
        assert any(a["peer_ae"] == "OTHER_SPOKE" for a in db.audit_rows(event="rejected"))




def test_dicomweb_source_and_stow_rs_return(tmp_path):
    """Spoke Orthanc → hub Orthanc (C-STORE over DICOM TLS, each trusting only the other's certificate); the
    workstation takes the study from the hub's DICOMweb (origin kind dicomweb on the worklist) and the signed
    report goes back to it by STOW-RS. The hub refuses a plain association and a stranger's certificate."""
    from reportlab.pdfgen import canvas

    from net_peers import PASSWORD, USER
    from workstation.io.db import StudyDB
    from workstation.io.export_pdf_dicom import pdf_bytes
    from workstation.io.store import ManagedStore
    from workstation.io.worklist import sync_arrivals
    from workstation.net import web
    from workstation.net.outbox import SENT, Outbox
    from workstation.report.sign_send import queue_return, sign_report
    from workstation.settings.nodes import Node

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed (Debian package openssl): no test certificates")
    (tmp_path / "hub").mkdir()
    (tmp_path / "spoke").mkdir()
    cert = {n: self_signed(tmp_path, n) for n in ("hub", "spoke", "stranger")}

    def tls(me, peer):  # Orthanc's DICOM TLS: its own certificate, the peer's as the only one trusted
        return {"DicomTlsEnabled": True, "DicomTlsCertificate": str(cert[me][1]),
                "DicomTlsPrivateKey": str(cert[me][0]), "DicomTlsTrustedCertificates": str(cert[peer][1]),
                "DicomTlsRemoteCertificateRequired": True}

    hub_pacs = start_orthanc(tmp_path / "hub", free_port(), extra=tls("hub", "spoke"))
    spoke = start_orthanc(tmp_path / "spoke", free_port(), extra=tls("spoke", "hub"))
    try:
        spoke.rest("/modalities/hub", method="PUT",
                   data=json.dumps({"AET": ORTHANC_AET, "Host": "127.0.0.1", "Port": hub_pacs.dicom_port,
                                    "UseDicomTls": True}).encode())
        from workstation.net.scu import DicomNetError, echo

        hub_node = Node("hub", ORTHANC_AET, "127.0.0.1", hub_pacs.dicom_port)
        with pytest.raises(DicomNetError):  # plain DICOM: refused
            echo(hub_node, WS_AET)
        with pytest.raises(DicomNetError):  # TLS with a certificate the hub does not trust: refused
            echo(Node("hub", ORTHANC_AET, "127.0.0.1", hub_pacs.dicom_port, tls=True, tls_ca=str(cert["hub"][1]),
                      tls_cert=str(cert["stranger"][1]), tls_key=str(cert["stranger"][0])), WS_AET)
        files, _bq, _d = write_pet(tmp_path / "src")
        ids = {spoke.rest("/instances", data=Path(f).read_bytes(), method="POST")["ParentStudy"] for f in files}
        sent = spoke.rest("/modalities/hub/store", method="POST",
                          data=json.dumps({"Resources": sorted(ids), "Synchronous": True}).encode())
        assert sent["FailedInstancesCount"] == 0 and sent["InstancesCount"] == len(files)
        study_uid = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
        url = hub_pacs.url + "/dicom-web"
        auth = {"user": USER, "password": PASSWORD}
        with StudyDB(tmp_path / "ws.sqlite") as db:
            store = ManagedStore(tmp_path / "store", db)
            assert web.get(url, study_uid, store, auth=auth).completed == len(files)
            assert sync_arrivals(db) == [study_uid]
            row = db.worklist_entry(study_uid)
            assert row.origin_kind == "dicomweb" and row.origin == f"127.0.0.1:{hub_pacs.http_port}"
            db.worklist_claim(study_uid, "dr_li")
            buf = io.BytesIO()
            c = canvas.Canvas(buf)
            c.drawString(72, 720, "Impression: two lesions.")
            c.save()
            ds, _path = sign_report(db, store, study_uid, "dr_li", buf.getvalue())
            with Outbox(tmp_path / "outbox.sqlite", nodes={"hub": Node("hub", url=url)}, db=db, auth=auth) as ob:
                job = queue_return(db, ob, study_uid)
                assert [j.state for j in ob.run_until_idle(timeout=60)] == [SENT]
                assert ob.job(job).n_acknowledged == 1
            store.close()
        pid = _lookup(hub_pacs, str(ds.SOPInstanceUID))
        got = pydicom.dcmread(io.BytesIO(hub_pacs.rest(f"/instances/{pid}/file")))
        assert pdf_bytes(got) == buf.getvalue()
    finally:
        stop_pid(hub_pacs.proc)
        stop_pid(spoke.proc)
