"""Issue 27 item 2: DICOMweb clients against hostile or dying servers.

A small HTTP server in the test plays the server: it lists instances (QIDO-RS) and then dies, or
answers a WADO-RS request with an instance of another study, or knows no such study.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO


from workstation.cli import main

STUDY = "1.2.826.0.1.3680043.8.498.1"
SERIES = "1.2.826.0.1.3680043.8.498.2"


def _instance_bytes(study, series, sop) -> bytes:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = sop
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientName, ds.PatientID, ds.Modality = "OTHER^PATIENT", "X9", "OT"
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


class FakeServer:
    def __init__(self, n=20, mode="dies"):
        self.n, self.mode = n, mode
        self.sops = [f"1.2.826.0.1.3680043.8.498.3.{i}" for i in range(1, n + 1)]
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                if path.endswith("/instances"):
                    if outer.mode == "empty":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/dicom+json")
                        self.send_header("Content-Length", "2")
                        self.end_headers()
                        self.wfile.write(b"[]")
                        return
                    body = json.dumps([{"0020000D": {"vr": "UI", "Value": [STUDY]},
                                        "0020000E": {"vr": "UI", "Value": [SERIES]},
                                        "00080018": {"vr": "UI", "Value": [s]}} for s in outer.sops]).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/dicom+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    if outer.mode == "dies":
                        threading.Thread(target=outer.die, daemon=True).start()
                    return
                sop = path.rstrip("/").split("/")[-1]
                data = _instance_bytes("1.2.826.0.1.3680043.8.498.999", SERIES, sop)  # another study
                body = (b"--BOUND\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n--BOUND--\r\n")
                self.send_response(200)
                self.send_header("Content-Type", 'multipart/related; type="application/dicom"; boundary=BOUND')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/dicom-web"

    def die(self):
        time.sleep(0.05)
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        try:
            self.httpd.shutdown()
            self.httpd.server_close()
        except Exception:  # noqa: BLE001
            pass


def _one_line(err):
    lines = [ln for ln in err.strip().splitlines() if ln.strip() and not ln.startswith("\r")]
    return len(lines) == 1 and "Traceback" not in err


def test_a_broken_url_is_one_line(capsys):
    assert main(["web", "get", "http://[::1", STUDY]) == 2
    err = capsys.readouterr().err
    assert "not a valid URL" in err and _one_line(err), err


def _in_thread(argv, limit):
    box = {}

    def run():
        box["rc"] = main(argv)

    t = threading.Thread(target=run, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(limit)
    return box.get("rc"), time.monotonic() - t0, t.is_alive()


def test_get_from_a_server_that_dies_ends_in_seconds(tmp_path, capsys):
    with FakeServer(n=20, mode="dies") as srv:
        rc, took, hung = _in_thread(["web", "get", srv.url, STUDY, "--db", str(tmp_path / "s.sqlite"),
                                     "--store", str(tmp_path / "store")], 40)
    assert not hung, "web get still running 40 s after the server died"
    out = capsys.readouterr().out
    assert took < 20, took
    assert rc == 1
    assert "retrieved 0 instances" in out and "not attempted" in out, out


def test_an_instance_of_another_study_is_refused(tmp_path, capsys):
    with FakeServer(n=2, mode="wrong-study") as srv:
        rc, _, hung = _in_thread(["web", "get", srv.url, STUDY, "--db", str(tmp_path / "s.sqlite"),
                                  "--store", str(tmp_path / "store")], 60)
    assert not hung
    out = capsys.readouterr().out
    assert rc == 1 and "retrieved 0 instances (2 failed" in out, out
    assert not list((tmp_path / "store").rglob("*.dcm")), "an instance of another study was stored"


def test_a_study_that_is_not_there_is_an_error(tmp_path, capsys):
    with FakeServer(mode="empty") as srv:
        rc, _, hung = _in_thread(["web", "get", srv.url, STUDY, "--db", str(tmp_path / "s.sqlite"),
                                  "--store", str(tmp_path / "store")], 60)
    assert not hung
    assert rc == 2
    err = capsys.readouterr().err
    assert "no instance of study" in err and _one_line(err), err
