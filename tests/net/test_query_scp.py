"""Our node answers queries: DCMTK findscu, getscu and movescu against our node (its own process, loopback).

The study is sent to the node by storescu first (so the index is the one the network filled); the
answers are checked against the files that were sent (independent of our index).
"""

from __future__ import annotations

import subprocess

import pydicom
import pytest

from net_peers import free_port, make_study, need_dcmtk

pytestmark = pytest.mark.slow


def _run(args, timeout=120, cwd=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=cwd)


def _configure(node, mover_port: int):
    """nodes.json in the node's data dir: SENDER may query, MOVESCU is a configured move destination."""
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    cfg = NodeConfig(LocalNode(ae_title=node.ae_title, port=node.port),
                     [Node("sender", "SENDER", "127.0.0.1", 104), Node("mover", "MOVESCU", "127.0.0.1", mover_port)])
    save_nodes(cfg, node.data_dir / "nodes.json")


@pytest.fixture
def filled_node(node_factory, tmp_path):
    need_dcmtk("storescu", "findscu", "getscu", "movescu")
    node = node_factory(allow=())
    mover_port = free_port()
    _configure(node, mover_port)
    node.start()
    uid_a, files_a = make_study(tmp_path / "a", n_series=2, n_slices=3, patient_name="王^小明", patient_id="PA",
                                seed=1)
    uid_b, files_b = make_study(tmp_path / "b", n_series=1, n_slices=2, patient_name="DOE^JOHN", patient_id="PB",
                                seed=2)
    r = _run(["storescu", "-aet", "SENDER", "-aec", node.ae_title, "127.0.0.1", str(node.port),
              *map(str, files_a + files_b)])
    assert r.returncode == 0, r.stderr
    return node, mover_port, (uid_a, files_a), (uid_b, files_b)


def _find(node, tmp_path, keys, model="-S", aet="SENDER"):
    out = tmp_path / f"find{len(list(tmp_path.glob('find*')))}"
    out.mkdir()
    args = ["findscu", model, "-aet", aet, "-aec", node.ae_title, "-X", "-od", str(out)]
    for k in keys:
        args += ["-k", k]
    r = _run([*args, "127.0.0.1", str(node.port)])
    return r, [pydicom.dcmread(p) for p in sorted(out.glob("rsp*.dcm"))]


def test_findscu_study_series_patient_levels(filled_node, tmp_path):
    node, _port, (uid_a, files_a), (uid_b, _files_b) = filled_node
    # every study, by the universal match
    r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientName",
                                    "ModalitiesInStudy", "NumberOfStudyRelatedInstances"])
    assert r.returncode == 0, r.stderr
    got = {str(d.StudyInstanceUID): d for d in rsp}
    assert set(got) == {uid_a, uid_b}
    assert str(got[uid_a].PatientName) == "王^小明" and int(got[uid_a].NumberOfStudyRelatedInstances) == len(files_a)
    assert list(got[uid_a].ModalitiesInStudy) == ["CT"] or str(got[uid_a].ModalitiesInStudy) == "CT"
    # a wildcard on the name (case-insensitive for person names) finds one study only
    r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientName=doe*"])
    assert [str(d.StudyInstanceUID) for d in rsp] == [uid_b]
    # series of study A: as many as were sent, with their counts
    sent = {}
    for f in files_a:
        h = pydicom.dcmread(f, stop_before_pixels=True)
        sent[str(h.SeriesInstanceUID)] = sent.get(str(h.SeriesInstanceUID), 0) + 1
    r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=SERIES", f"StudyInstanceUID={uid_a}", "SeriesInstanceUID",
                                    "Modality", "NumberOfSeriesRelatedInstances"])
    assert {str(d.SeriesInstanceUID): int(d.NumberOfSeriesRelatedInstances) for d in rsp} == sent
    # patient root, patient level, by ID
    r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=PATIENT", "PatientID=PA", "PatientName"], model="-P")
    assert r.returncode == 0, r.stderr
    assert [(str(d.PatientID), str(d.PatientName)) for d in rsp] == [("PA", "王^小明")]
    # a date range that excludes the study date finds nothing
    date = str(pydicom.dcmread(files_a[0], stop_before_pixels=True).get("StudyDate", ""))
    if date:
        r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", f"StudyDate=-{int(date) - 1}"])
        assert rsp == []
        r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", f"StudyDate={date}-"])
        assert len(rsp) == 2
    log = node.log_text()
    assert "王" not in log and "DOE" not in log  # the keys asked never reach the log


def test_getscu_retrieves_the_study_bit_identical(filled_node, tmp_path):
    node, _port, (uid_a, files_a), _b = filled_node
    out = tmp_path / "got"
    out.mkdir()
    r = _run(["getscu", "-v", "-S", "-aet", "SENDER", "-aec", node.ae_title, "-k", "QueryRetrieveLevel=STUDY",
              "-k", f"StudyInstanceUID={uid_a}", "-od", str(out), "127.0.0.1", str(node.port)])
    assert r.returncode == 0, r.stderr
    got = {str(pydicom.dcmread(p).SOPInstanceUID): pydicom.dcmread(p) for p in out.iterdir()}
    assert len(got) == len(files_a)
    for f in files_a:
        src = pydicom.dcmread(f)
        assert got[str(src.SOPInstanceUID)].PixelData == src.PixelData


def test_movescu_to_a_configured_destination_and_unknown_refused(filled_node, tmp_path):
    node, mover_port, _a, (uid_b, files_b) = filled_node
    out = tmp_path / "moved"
    out.mkdir()
    r = _run(["movescu", "-S", "-aet", "MOVESCU", "-aec", node.ae_title, "-aem", "MOVESCU", "--port", str(mover_port), "-od", str(out),
              "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={uid_b}",
              "127.0.0.1", str(node.port)])
    assert r.returncode == 0, r.stderr
    moved = sorted(str(pydicom.dcmread(p).SOPInstanceUID) for p in out.iterdir())
    assert moved == sorted(str(pydicom.dcmread(f).SOPInstanceUID) for f in files_b)
    # an AE title that is no configured node: 0xA801, nothing sent
    out2 = tmp_path / "moved2"
    out2.mkdir()
    r = _run(["movescu", "-v", "-S", "-aet", "MOVESCU", "-aec", node.ae_title, "-aem", "NOBODY", "--port", str(free_port()), "-od", str(out2),
              "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={uid_b}", "127.0.0.1", str(node.port)])
    assert "movedestinationunknown" in (r.stdout + r.stderr).lower()
    assert not list(out2.iterdir())
    from workstation.io.db import StudyDB

    with StudyDB(node.db_path) as db:
        served = db.audit_rows(event="retrieve-served")
        assert [(a["study_uid"], a["peer_ae"]) for a in served] == [(uid_b, "MOVESCU")]
        assert any("unknown destination" in a["detail"] for a in db.audit_rows(event="rejected"))


def test_query_from_an_unknown_ae_is_rejected(filled_node, tmp_path):
    node, *_ = filled_node
    r, rsp = _find(node, tmp_path, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID"], aet="INTRUDER")
    assert r.returncode != 0 and rsp == []
