"""Issue 22: the node's associations wait for work instead of polling (workstation/net/reactor.py).

pynetdicom's own reactors sleep 1 ms and look again, in two threads per association; twenty idle
associations then cost the node most of a core. Ours block in select / on an event: idle
associations cost next to nothing. The timers they no longer poll for (network idle timeout) must
still fire, and instances received on many associations at once must all be stored.
"""

from __future__ import annotations

import os
import time

import pytest

from net_peers import WS_AET, make_study


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _associate(port: int, n: int, network_timeout: float = 30):
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    ae = AE("SENDER")
    ae.add_requested_context(Verification)
    ae.acse_timeout = ae.network_timeout = network_timeout
    assocs = [ae.associate("127.0.0.1", port, ae_title=WS_AET) for _ in range(n)]
    assert all(a.is_established for a in assocs)
    return assocs


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to read the node's CPU time")
def test_idle_associations_cost_the_node_no_cpu(node_factory):
    node = node_factory().start()
    assocs = _associate(node.port, 20)
    try:
        time.sleep(0.5)  # settled: negotiation done
        before, t0 = _cpu_s(node.proc.pid), time.monotonic()
        time.sleep(2.0)
        used, wall = _cpu_s(node.proc.pid) - before, time.monotonic() - t0
        # polling (pynetdicom's reactors): 40 threads x 1,000 wake-ups/s, about 0.3-1 s of CPU per second
        # here; waiting: a wake-up every 0.2 s per thread to look at the timers
        assert used < 0.1 * wall, f"20 idle associations used {used:.2f} s of CPU in {wall:.1f} s"
        for a in assocs:  # and they still work
            assert a.send_c_echo().Status == 0x0000
    finally:
        for a in assocs:
            a.release()


def test_network_timeout_still_aborts_an_idle_association(tmp_path):
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.net.scp import StorageNode
    from net_peers import free_port

    db = StudyDB(tmp_path / "db.sqlite")
    node = StorageNode(WS_AET, free_port(), allowed=[("SENDER", "127.0.0.1")],
                       store=ManagedStore(tmp_path / "store", db), db=db, idle_timeout_s=1.0)
    node.start()
    try:
        (assoc,) = _associate(node.port, 1)
        t0 = time.monotonic()
        while assoc.is_established and time.monotonic() - t0 < 10:
            time.sleep(0.05)
        waited = time.monotonic() - t0
        assert assoc.is_aborted, "the node never ended the idle association"
        assert 0.8 < waited < 5.0, f"aborted after {waited:.2f} s, network timeout 1 s"
    finally:
        node.stop()
        db.close()


def test_many_associations_at_once_all_stored_before_success(tmp_path):
    """C-STOREs are served in the DUL thread (C-ECHO too; C-FIND elsewhere, test_query_scp): from 8
    associations at once every instance is answered Success, and each one answered is already indexed."""
    import threading

    import pydicom
    from pynetdicom import AE
    from pynetdicom.sop_class import CTImageStorage, Verification

    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.net.scp import StorageNode
    from net_peers import free_port

    _, files = make_study(tmp_path / "src", n_series=8, n_slices=6, size=8, seed=3)
    db = StudyDB(tmp_path / "db.sqlite")
    store = ManagedStore(tmp_path / "store", db, group_commit=True)
    node = StorageNode(WS_AET, free_port(), allowed=[("SENDER", "127.0.0.1")], store=store, db=db)
    node.start()
    results, problems, lock = [], [], threading.Lock()

    def send(paths):
        ae = AE("SENDER")
        ae.add_requested_context(CTImageStorage)
        ae.add_requested_context(Verification)
        assoc = ae.associate("127.0.0.1", node.port, ae_title=WS_AET)
        if not assoc.is_established:
            problems.append("association refused")
            return
        for p in paths:
            ds = pydicom.dcmread(p)
            st = assoc.send_c_store(ds)
            indexed = str(store.final_path(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)) \
                in db.indexed_paths()
            with lock:
                results.append((st.Status, indexed))
        if assoc.send_c_echo().Status != 0x0000:
            problems.append("echo failed")
        assoc.release()

    try:
        threads = [threading.Thread(target=send, args=(files[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not problems
        assert len(results) == len(files)
        assert all(status == 0x0000 and indexed for status, indexed in results)
        assert db.counts()["instances"] == len(files) and node.received == len(files)
    finally:
        node.stop()
        store.close()
        db.close()
