"""Helpers for the network tests (the fixtures are in conftest.py). Real peers: Orthanc (with its DICOMweb plugin) and our node, on loopback.

Orthanc is started by :mod:`workstation.testing.orthanc` (shared with the batch tests); its names
are imported here for the network tests. Tests that need Orthanc or DCMTK skip with the reason
when the binaries are absent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from workstation.testing.orthanc import (DICOMWEB_PLUGIN, ORTHANC, ORTHANC_AET, PASSWORD, USER, WS_AET,  # noqa: F401
                                         OrthancPeer, free_port, need_dcmtk, start_orthanc, stop_pid, wait_port)

REPO = Path(__file__).resolve().parents[2]


class NodeProcess:
    """Our node as a child process (``node start --foreground``), stopped or killed by PID."""

    def __init__(self, data_dir: Path, port: int, ae_title: str = WS_AET, allow=("SENDER@127.0.0.1",),
                 extra=()):
        self.data_dir, self.port, self.ae_title = Path(data_dir), port, ae_title
        self.allow, self.extra = list(allow), list(extra)
        self.proc = None

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "studies.sqlite"

    def start(self, timeout: float = 60.0):
        env = {**os.environ, "WORKSTATION_DATA_DIR": str(self.data_dir), "PYTHONPATH": str(REPO)}
        args = [sys.executable, "-m", "workstation.cli", "node", "start", "--foreground", "--port", str(self.port),
                "--ae-title", self.ae_title, "--host", "127.0.0.1", *self.extra]
        for a in self.allow:
            args += ["--allow", a]
        self.console = open(self.data_dir / "console.log", "ab")
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=self.console, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_port(self.port, timeout, self.proc)
        deadline = time.monotonic() + timeout  # listening, and the state file written after it
        while not (self.data_dir / "node.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc is not None:
            stop_pid(self.proc)

    def log_text(self) -> str:
        p = self.data_dir / "node.log"
        return (p.read_text(encoding="utf-8", errors="replace") if p.exists() else "") + \
            (self.data_dir / "console.log").read_text(encoding="utf-8", errors="replace")


def make_study(out_dir, n_series: int = 1, n_slices: int = 5, size: int = 8, patient_name="TEST^PATIENT",
               patient_id="P1", charset="ISO_IR 192", seed: int = 0, study_uid=None) -> tuple[str, list[Path]]:
    """A synthetic CT study in code: ``n_series`` series of ``n_slices`` int16 slices (random pixels)."""
    from workstation.testing.dicom_factory import write_series
    from pydicom.uid import generate_uid

    rng = np.random.default_rng(seed)
    study_uid = study_uid or generate_uid()
    paths = []
    for s in range(n_series):
        stored = rng.integers(-1000, 3000, size=(n_slices, size, size)).astype(np.int16)
        paths += write_series(Path(out_dir) / f"s{s}", stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2),
                              study_uid=study_uid, patient_name=patient_name, patient_id=patient_id,
                              charset=charset, series_number=s + 1, description=f"series {s}")
    return study_uid, paths


def self_signed(folder, name):
    """A self-signed certificate for 127.0.0.1 made by openssl: (key path, certificate path)."""
    key, crt = Path(folder) / f"{name}.key", Path(folder) / f"{name}.crt"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(crt), "-days", "2", "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return key, crt
