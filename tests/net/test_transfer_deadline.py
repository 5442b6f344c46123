"""Retry budget and overall deadline of `send` and C-GET/C-MOVE (issue 27, item 2): a peer killed midway or hung
ends the transfer in seconds, with what was sent or retrieved and what was not, and a non-zero exit.
Real peers: DCMTK storescp and Orthanc, killed or stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from net_peers import REPO, WS_AET, free_port, make_study, need_dcmtk, start_orthanc, stop_pid, wait_port

pytestmark = pytest.mark.slow


def _storescp(tmp_path, port):
    need_dcmtk("storescp")
    out = tmp_path / "storescp-out"
    out.mkdir()
    proc = subprocess.Popen(["storescp", "-aet", "STORESCP", "-od", str(out), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, 20, proc)
    return proc, out


def test_send_to_storescp_killed_midway_ends_in_seconds(tmp_path):
    from workstation.net.scu import Deadline, send_with_retries
    from workstation.settings.nodes import Node
    from workstation.tasks.progress import Progress

    port = free_port()
    proc, out = _storescp(tmp_path, port)
    _uid, files = make_study(tmp_path / "src", n_slices=20, size=32)

    def kill_after_five(_frac, msg):  # before instance 6 is sent: the peer dies (deterministic)
        if msg == "C-STORE 5 of 20" and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)

    t0 = time.monotonic()
    try:
        res = send_with_retries(Node("scp", "STORESCP", "127.0.0.1", port), "SENDER", files, retries=3,
                                deadline=Deadline(60), progress=Progress(kill_after_five))
    finally:
        stop_pid(proc)
    took = time.monotonic() - t0
    assert (res.completed, res.failed) == (5, 15)
    assert len(list(out.iterdir())) == 5
    assert "could not be reached" in res.errors[-1]
    assert took < 15, took  # three retries against a dead port: connection refused, short pauses


def _cli(args, data_dir, timeout=120):
    env = {**os.environ, "WORKSTATION_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "workstation.cli", *args], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=timeout)
    return r, time.monotonic() - t0


def _config(data_dir, **nodes):
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    data_dir.mkdir(parents=True, exist_ok=True)
    save_nodes(NodeConfig(LocalNode(ae_title=WS_AET, port=free_port()),
                          [Node(name, aet, "127.0.0.1", port) for name, (aet, port) in nodes.items()]),
               data_dir / "nodes.json")


def test_send_cli_to_a_hung_storescp_ends_at_its_deadline(tmp_path):
    """A peer that accepts TCP and never answers (SIGSTOP): before, each attempt waited its 15 s association
    timeout (three attempts: 45 s and more); now the whole send ends at --deadline."""
    port = free_port()
    proc, out = _storescp(tmp_path, port)
    _uid, files = make_study(tmp_path / "src", n_slices=4, size=8)
    data = tmp_path / "data"
    _config(data, scp=("STORESCP", port))
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        r, took = _cli(["send", "scp", str(tmp_path / "src"), "--deadline", "4", "--db", str(data / "s.sqlite")],
                       data)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        stop_pid(proc)
    assert r.returncode == 2, r.stderr
    assert "sent 0, not sent 4 of 4 instances to scp" in r.stdout
    assert "4 instances not sent to scp" in r.stderr and "Traceback" not in r.stderr
    assert took < 12, took


def _orthanc(folder):
    folder.mkdir()
    return start_orthanc(folder, free_port())


def test_cget_from_orthanc_killed_midway_and_cmove_from_hung_orthanc(tmp_path):
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.net import scu
    from workstation.settings.nodes import Node

    peer = _orthanc(tmp_path / "orthanc")
    try:
        study, files = make_study(tmp_path / "src", n_slices=12, size=16)
        node = Node("pacs", "ORTHANC", "127.0.0.1", peer.dicom_port)
        assert scu.store_files(node, WS_AET, files).completed == 12

        class KillingStore(ManagedStore):  # the peer dies once 3 instances have arrived
            n = 0

            def store_bytes(self, data, **kw):
                out = super().store_bytes(data, **kw)
                KillingStore.n += 1
                if KillingStore.n == 3:
                    os.kill(peer.proc.pid, signal.SIGKILL)
                return out

        with StudyDB(tmp_path / "get.sqlite") as db:
            store = KillingStore(tmp_path / "get-store", db)
            t0 = time.monotonic()
            with pytest.raises(scu.TransferIncomplete) as exc:
                scu.retrieve_with_retries(lambda d: scu.get(node, WS_AET, study, store, deadline=d), retries=3,
                                          deadline=scu.Deadline(60))
            took = time.monotonic() - t0
        res = exc.value.result
        assert 3 <= res.completed < 12 and len(res.acknowledged) == res.completed
        assert took < 15, took
    finally:
        stop_pid(peer.proc)

    # C-MOVE from an Orthanc that hangs (SIGSTOP): the deadline ends it, not pynetdicom's 15 s + 120 s waits
    peer = _orthanc(tmp_path / "orthanc2")
    try:
        node = Node("pacs", "ORTHANC", "127.0.0.1", peer.dicom_port)
        os.kill(peer.proc.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        with pytest.raises(scu.DicomNetError):
            scu.retrieve_with_retries(lambda d: scu.move(node, WS_AET, study, WS_AET, deadline=d), retries=2,
                                      deadline=scu.Deadline(4))
        took = time.monotonic() - t0
        assert took < 10, took
    finally:
        os.kill(peer.proc.pid, signal.SIGCONT)
        stop_pid(peer.proc)
