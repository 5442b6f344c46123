"""The persistent outgoing queue against our node as a real peer (its own process): delivery, JPEG-LS
lossless compression on the wire, retry with backoff, nothing sent twice, restart."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEGLSLossless

from net_peers import free_port
from workstation.testing.dicom_factory import write_series

pytestmark = pytest.mark.slow


def _smooth_study(folder, n=4, size=64):
    """A CT-like series with smooth anatomy and a little noise (compressible as real images are)."""
    k, j, i = np.indices((n, size, size))
    body = 1000.0 * np.exp(-(((i - size / 2) ** 2 + (j - size / 2) ** 2) / (2 * (size / 4) ** 2)))
    rng = np.random.default_rng(3)
    stored = (body - 1000 + 20 * k + rng.normal(0, 4, body.shape)).astype(np.int16)
    return write_series(folder, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2))


def _nodes(*pairs):
    from workstation.settings.nodes import Node

    return {name: Node(name, node.ae_title, "127.0.0.1", node.port) for name, node in pairs}


def test_delivery_jpegls_and_nothing_sent_twice(node_factory, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net.outbox import SENT, Outbox, OutboxError

    plain = node_factory(allow=("HUB@127.0.0.1",)).start()
    packed = node_factory(allow=("HUB@127.0.0.1",)).start()
    files = _smooth_study(tmp_path / "src")
    with Outbox(tmp_path / "outbox.sqlite", nodes=_nodes(("plain", plain), ("packed", packed)),
                calling_aet="HUB") as ob:
        with pytest.raises(OutboxError, match="unknown destination"):
            ob.enqueue("nowhere", files)
        a = ob.enqueue("plain", files)
        b = ob.enqueue("packed", files, compress="jpeg-ls")
        jobs = ob.run_until_idle(timeout=60)
        assert [(j.state, j.n_acknowledged) for j in jobs] == [(SENT, 4), (SENT, 4)]
        ja, jb = ob.job(a), ob.job(b)
        print(f"\nbytes on the wire: {ja.bytes_sent} as stored, {jb.bytes_sent} JPEG-LS lossless "
              f"({jb.bytes_sent / ja.bytes_sent:.2f})")
        assert jb.bytes_sent < 0.7 * ja.bytes_sent
        # the same files queued again for a destination that has them: nothing goes out
        c = ob.enqueue("plain", files[:2] + files[:1])
        ob.run_until_idle(timeout=30)
        assert ob.job(c).state == SENT and ob.job(c).bytes_sent == 0
    for src in files:  # arrived pixel-identical, compressed at the packed node
        s = pydicom.dcmread(src)
        for node, ts in ((plain, s.file_meta.TransferSyntaxUID), (packed, JPEGLSLossless)):
            got = pydicom.dcmread(node.store_dir / s.StudyInstanceUID / s.SeriesInstanceUID / f"{s.SOPInstanceUID}.dcm")
            assert got.file_meta.TransferSyntaxUID == ts
            assert np.array_equal(got.pixel_array, s.pixel_array)
    # the packed node holds JPEG-LS: a C-GET caller that accepts only uncompressed syntaxes gets the same pixels
    if shutil.which("getscu"):
        out = tmp_path / "got"
        out.mkdir()
        s0 = pydicom.dcmread(files[0], stop_before_pixels=True)
        r = subprocess.run(["getscu", "-S", "-aet", "HUB", "-aec", packed.ae_title, "-k", "QueryRetrieveLevel=STUDY",
                            "-k", f"StudyInstanceUID={s0.StudyInstanceUID}", "-od", str(out), "127.0.0.1",
                            str(packed.port)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        got = {str(d.SOPInstanceUID): d for d in map(pydicom.dcmread, out.iterdir())}
        assert len(got) == 4
        for src in map(pydicom.dcmread, files):
            g = got[str(src.SOPInstanceUID)]
            assert not g.file_meta.TransferSyntaxUID.is_compressed
            assert np.array_equal(g.pixel_array, src.pixel_array)
    with StudyDB(plain.db_path) as db:  # the node stored each instance once, never a duplicate
        rx = db.audit_rows(event="store-received")
        assert len(rx) == 4 and not any("duplicate" in r["detail"] for r in rx)


def test_retry_backoff_failure_and_restart(tmp_path):
    from workstation.net.outbox import FAILED, QUEUED, RETRYING, SENDING, Outbox
    from workstation.settings.nodes import Node

    files = _smooth_study(tmp_path / "src", n=1, size=8)
    down = {"down": Node("down", "NOBODY", "127.0.0.1", free_port())}
    path = tmp_path / "outbox.sqlite"
    with Outbox(path, nodes=down, base_delay=10, max_delay=25, max_attempts=4) as ob:
        job = ob.enqueue("down", files)
        assert ob.job(job).state == QUEUED
        t = time.time()
        ob.run_once()
        j = ob.job(job)
        assert j.state == RETRYING and j.attempts == 1 and "could not be reached" in j.last_error
        assert 9 <= j.next_try - t <= 12
        assert ob.run_once() == []  # not due yet
        ob.run_once(now=j.next_try + 0.01)
        j2 = ob.job(job)
        assert j2.attempts == 2 and 19 <= j2.next_try - time.time() <= 21  # doubled
        ob.run_once(now=j2.next_try + 0.01)
        assert 24 <= ob.job(job).next_try - time.time() <= 26  # capped at max_delay
        ob.run_once(now=time.time() + 100)
        assert ob.job(job).state == FAILED and ob.job(job).attempts == 4
        ob.retry_now(job)
        assert ob.job(job).state == RETRYING and ob.job(job).attempts == 0
    # a process that died while sending leaves 'sending': the next start tries it again at once
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with sqlite3.connect(path) as con:
        con.execute("UPDATE jobs SET state = ?, next_try = ?, owner_pid = ?", (SENDING, time.time() + 1000, dead.pid))
    with Outbox(path, nodes=down) as ob:
        j = ob.job(job)
        assert j.state == RETRYING and j.next_try <= time.time()
    # ... but a job another live process is sending is left to it (never sent twice)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE jobs SET state = ?, owner_pid = ?", (SENDING, os.getpid()))
    with Outbox(path, nodes=down) as ob:
        assert ob.job(job).state == SENDING
        assert ob.run_once(now=time.time() + 1e6) == []


def test_the_node_process_drains_its_queue(node_factory, tmp_path):
    """The node started with `workstation node start` runs the outgoing queue beside it: a job queued in its
    data folder is delivered without any other process."""
    from workstation.net.outbox import SENT, Outbox
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    receiver = node_factory(allow=("HUB@127.0.0.1",)).start()
    hub = node_factory(ae_title="HUB", allow=())
    save_nodes(NodeConfig(LocalNode(ae_title="HUB", port=hub.port),
                          [Node("spoke", receiver.ae_title, "127.0.0.1", receiver.port)]), hub.data_dir / "nodes.json")
    hub.start()
    files = _smooth_study(tmp_path / "src", n=3, size=16)
    nodes = {"spoke": Node("spoke", receiver.ae_title, "127.0.0.1", receiver.port)}
    with Outbox(hub.data_dir / "outbox.sqlite", nodes=nodes, calling_aet="HUB") as ob:
        job = ob.enqueue("spoke", files)
        deadline = time.monotonic() + 60
        while ob.job(job).state != SENT and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ob.job(job).state == SENT and ob.job(job).n_acknowledged == 3
    assert len(list(receiver.store_dir.glob("*/*/*.dcm"))) == 3
