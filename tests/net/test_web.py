"""DICOMweb (QIDO-RS, WADO-RS with progress and cancel, STOW-RS) against Orthanc's DICOMweb plugin."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pydicom
import pytest

from net_peers import DICOMWEB_PLUGIN, PASSWORD, USER, make_study

AUTH = {"user": USER, "password": PASSWORD}


@pytest.fixture
def dicomweb(orthanc):
    if DICOMWEB_PLUGIN is None:
        pytest.skip("Orthanc's DICOMweb plugin is not installed (Debian package orthanc-dicomweb)")
    return orthanc.url + "/dicom-web"


def test_stow_qido_wado_round_trip(dicomweb, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net import web
    from workstation.io.store import ManagedStore
    from workstation.tasks.progress import Progress

    study_uid, files = make_study(tmp_path / "src", n_series=2, n_slices=3, patient_name="赵^六", patient_id="WEB-1",
                                  seed=21)
    res = web.put(dicomweb, files, auth=AUTH)
    assert (res.completed, res.failed) == (6, 0)
    studies = web.find(dicomweb, "STUDY", auth=AUTH, PatientID="WEB-1")
    assert [s["StudyInstanceUID"] for s in studies] == [study_uid]
    assert studies[0]["PatientName"] == "赵^六"
    series = web.find(dicomweb, "SERIES", study_uid=study_uid, auth=AUTH)
    assert len(series) == 2
    seen = []
    with StudyDB(tmp_path / "db.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        got = web.get(dicomweb, study_uid, store, auth=AUTH, progress=Progress(lambda f, m: seen.append(f)))
        assert (got.completed, got.failed) == (6, 0)
        assert db.counts()["instances"] == 6
        assert len(db.audit_rows(event="retrieve")) == 6
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 7  # monotone, one step per instance
    for src in files:
        a = pydicom.dcmread(src)
        b = pydicom.dcmread(store.final_path(study_uid, a.SeriesInstanceUID, a.SOPInstanceUID))
        assert b.PixelData == a.PixelData and b.PatientName == a.PatientName


def test_wado_cancel_stops_between_instances(dicomweb, tmp_path):
    from workstation.net import web
    from workstation.io.store import ManagedStore
    from workstation.tasks.progress import Cancelled, Progress

    study_uid, files = make_study(tmp_path / "src", n_series=1, n_slices=8, seed=22)
    assert web.put(dicomweb, files, auth=AUTH).completed == 8
    store = ManagedStore(tmp_path / "store")
    prog = Progress()
    calls = []

    def cb(frac, msg):
        calls.append(frac)
        if len(calls) == 3:
            prog.cancel()

    prog._callback = cb
    with pytest.raises(Cancelled):
        web.get(dicomweb, study_uid, store, auth=AUTH, progress=prog)
    assert len(list(store.root.glob("*/*/*.dcm"))) == 2  # two instances done, then cancelled


def test_wrong_password_is_one_line(dicomweb, capsys):
    from workstation.cli import main
    from workstation.net import web

    with pytest.raises(web.WebError, match="HTTP 401"):
        web.find(dicomweb, "STUDY", auth={"user": USER, "password": "wrong"})
    assert main(["web", "find", dicomweb, "--user", USER, "--password", "nope"]) == 2
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "Traceback" not in err and "nope" not in err


def test_cli_web_put_find_get(dicomweb, tmp_path, capsys, monkeypatch):
    from workstation.cli import main

    monkeypatch.setenv("WORKSTATION_WEB_USER", USER)
    monkeypatch.setenv("WORKSTATION_WEB_PASSWORD", PASSWORD)
    study_uid, _ = make_study(tmp_path / "src", n_slices=4, patient_id="WEB-CLI", seed=23)
    assert main(["web", "put", dicomweb, str(tmp_path / "src")]) == 0
    assert "stored 4 of 4" in capsys.readouterr().out
    assert main(["web", "find", dicomweb, "--patient-id", "WEB-CLI", "--json"]) == 0
    assert [r["StudyInstanceUID"] for r in json.loads(capsys.readouterr().out)] == [study_uid]
    assert main(["web", "find", dicomweb, "--patient-id", "NOBODY-42"]) == 1  # nothing found: an error exit
    assert "0 match(es)" in capsys.readouterr().out
    assert main(["web", "get", dicomweb, study_uid]) == 0
    assert "retrieved 4 instances" in capsys.readouterr().out
    assert main(["list", "--json"]) == 0
    assert [s["patient_id"] for s in json.loads(capsys.readouterr().out)] == ["WEB-CLI"]


def test_bearer_token_is_sent(tmp_path):
    """Orthanc has no bearer auth without an extra plugin: a loopback HTTP peer records the header."""
    from workstation.net import web

    seen = {}

    class H(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen["auth"] = self.headers.get("Authorization")
            body = b"[]"
            self.send_response(200)
            self.send_header("Content-Type", "application/dicom+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.handle_request, daemon=True)
    t.start()
    try:
        assert web.find(f"http://127.0.0.1:{srv.server_port}/dicom-web", "STUDY", auth={"token": "tok-123"}) == []
    finally:
        t.join(10)
        srv.server_close()
    assert seen["auth"] == "Bearer tok-123"
