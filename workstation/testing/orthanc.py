"""Test fixture: Orthanc (with its DICOMweb plugin) as a real process on loopback, stopped by PID.

Orthanc gets a JSON config in a temporary folder (its own storage, AE title, DicomModalities naming
a test node, DICOMweb enabled, remote access off, HTTP basic authentication on with ``USER`` /
``PASSWORD``). :func:`start_orthanc` skips the calling test (with the reason) when the binary is
absent; ``DICOMWEB_PLUGIN`` is None when the plugin is. Used by the network tests and the batch
tests (workers reading over DICOMweb).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ORTHANC = shutil.which("Orthanc") or ("/usr/sbin/Orthanc" if Path("/usr/sbin/Orthanc").exists() else None)
DICOMWEB_PLUGIN = next((p for p in ("/usr/share/orthanc/plugins/libOrthancDicomWeb.so",
                                    "/usr/lib/orthanc/libOrthancDicomWeb.so.1.7") if Path(p).exists()), None)
WS_AET = "WS_TEST"
ORTHANC_AET = "ORTHANC"
USER, PASSWORD = "reader", "s3cret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def stop_pid(proc, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout)


def need_dcmtk(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"DCMTK tools not installed: {', '.join(missing)} (Debian package dcmtk)")


@dataclass
class OrthancPeer:
    proc: subprocess.Popen
    dir: Path
    dicom_port: int
    http_port: int
    ws_port: int  # where Orthanc sends C-MOVEs for WS_AET
    scheme: str = "http"  # https when started with SslEnabled

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.http_port}"

    def rest(self, path: str, data: bytes | None = None, method: str | None = None):
        req = urllib.request.Request(self.url + path, data=data, method=method)
        import base64

        req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body[:1] in (b"{", b"[") else body


def start_orthanc(tmp: Path, ws_port: int, threads: int = 8, extra: dict | None = None) -> OrthancPeer:
    """Orthanc on loopback; ``extra`` adds or replaces configuration options (e.g. SslEnabled)."""
    if ORTHANC is None:
        pytest.skip("Orthanc is not installed (Debian package orthanc)")
    dicom_port, http_port = free_port(), free_port()
    storage = tmp / "orthanc-storage"
    cfg = {
        "Name": "workstation-test", "StorageDirectory": str(storage), "IndexDirectory": str(storage),
        "StorageCompression": False, "HttpServerEnabled": True, "HttpPort": http_port,
        "RemoteAccessAllowed": False, "AuthenticationEnabled": True, "RegisteredUsers": {USER: PASSWORD},
        "DicomServerEnabled": True, "DicomAet": ORTHANC_AET, "DicomPort": dicom_port,
        "DicomCheckCalledAet": False, "DicomCheckModalityHost": True,
        "DicomModalities": {"ws": [WS_AET, "127.0.0.1", ws_port]},
        "DicomAlwaysAllowStore": True, "DicomAlwaysAllowEcho": True, "DicomThreadsCount": threads,
        "DefaultEncoding": "Utf8", "StableAge": 1, "SaveJobs": False, "ConcurrentJobs": 2,
        "Plugins": [DICOMWEB_PLUGIN] if DICOMWEB_PLUGIN else [],
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": False, "Servers": {}},
    }
    cfg.update(extra or {})
    (tmp / "orthanc.json").write_text(json.dumps(cfg))
    log = open(tmp / "orthanc-console.log", "wb")
    proc = subprocess.Popen([ORTHANC, f"--logdir={tmp}", str(tmp / "orthanc.json")], cwd=tmp,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_port(http_port, 60, proc)
        wait_port(dicom_port, 30, proc)
    except RuntimeError:
        stop_pid(proc)
        raise
    return OrthancPeer(proc, tmp, dicom_port, http_port, ws_port, "https" if cfg.get("SslEnabled") else "http")
