"""Load and faults (slow): 50 concurrent DCMTK storescu x 20 instances; SIGKILL of the node mid-transfer."""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time

import pydicom
import pytest

from net_peers import make_study, need_dcmtk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def thousand(tmp_path_factory):
    """1,000 instances: 50 series of 20 slices in one study (built in code)."""
    d = tmp_path_factory.mktemp("thousand")
    study_uid, files = make_study(d, n_series=50, n_slices=20, size=16, seed=11)
    groups = {}
    for f in files:
        groups.setdefault(f.parent, []).append(f)
    return study_uid, files, list(groups.values())


def _indexed_count(db_path):
    from workstation.io.db import StudyDB

    with StudyDB(db_path) as db:
        return db.counts()["instances"], db.integrity_check()


def test_fifty_concurrent_storescu_none_lost(node_factory, thousand):
    need_dcmtk("storescu")
    study_uid, files, groups = thousand
    assert len(groups) == 50 and all(len(g) == 20 for g in groups)
    node = node_factory().start()
    t0 = time.perf_counter()
    procs = [subprocess.Popen(["storescu", "-aet", "SENDER", "-aec", "WS_TEST", "127.0.0.1", str(node.port),
                               *map(str, g)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for g in groups]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    dt = time.perf_counter() - t0
    failed = [o.decode(errors="replace")[-300:] for p, o in zip(procs, outs) if p.returncode != 0]
    assert not failed, failed[:2]
    assert len(list(node.store_dir.glob("*/*/*.dcm"))) == 1000
    assert _indexed_count(node.db_path) == (1000, "ok")
    print(f"\n1000 instances from 50 concurrent storescu in {dt:.1f} s ({1000 / dt:.0f} instances/s)")


def _send_in_threads(node, files, n_threads=4):
    """Our C-STORE SCU on a few associations; returns the SOP UIDs the node acknowledged."""
    from workstation.net import scu
    from workstation.settings.nodes import Node

    peer = Node("node", "WS_TEST", "127.0.0.1", node.port)
    acked, lock = [], threading.Lock()

    def work(part):
        try:
            res = scu.store_files(peer, "SENDER", part)
        except scu.DicomNetError:
            return
        with lock:
            acked.extend(res.acknowledged)

    threads = [threading.Thread(target=work, args=(files[i::n_threads],)) for i in range(n_threads)]
    for t in threads:
        t.start()
    return threads, acked


def test_sigkill_mid_transfer_then_retry(node_factory, thousand):
    from workstation.io.db import StudyDB

    study_uid, files, _ = thousand
    repeats = int(os.environ.get("WORKSTATION_FAULT_REPEATS", "3"))  # the issue asks 20: set it in CI
    rng = random.Random(5)
    src = {pydicom.dcmread(f).SOPInstanceUID: f for f in files}
    node = node_factory()
    for rep in range(repeats):
        node.start()
        threads, acked = _send_in_threads(node, files)
        kill_at = rng.randint(50, 600)
        deadline = time.monotonic() + 120
        while len(list(node.store_dir.glob("*/*/*.dcm"))) < kill_at and time.monotonic() < deadline:
            time.sleep(0.01)
        node.kill()  # SIGKILL, mid-transfer
        for t in threads:
            t.join(120)
        # every acknowledged instance is on disk, complete and readable
        for uid in acked:
            a = pydicom.dcmread(src[uid])
            b = pydicom.dcmread(node.store_dir / study_uid / a.SeriesInstanceUID / f"{uid}.dcm")
            assert b.PixelData == a.PixelData
        with StudyDB(node.db_path) as db:
            assert db.integrity_check() == "ok"
            for p in db.indexed_paths():  # nothing half-written is indexed
                assert p.endswith(".dcm") and "/.incoming/" not in p
                assert pydicom.dcmread(p).PixelData
        # restart: stale temporaries go, the sender retries what was not acknowledged
        node.start()
        assert not list((node.store_dir / ".incoming").glob("*.part"))
        acked_all = set(acked)
        for attempt in range(5):  # the sender retries what was not acknowledged (as `workstation send` does)
            todo = [src[u] for u in src if u not in acked_all]
            if not todo:
                break
            threads, acked2 = _send_in_threads(node, todo)
            for t in threads:
                t.join(300)
            acked_all |= set(acked2)
        assert acked_all == set(src), f"repetition {rep}: {len(set(src) - acked_all)} never acknowledged"
        stored = {p.stem for p in node.store_dir.glob("*/*/*.dcm")}
        assert stored == set(src), f"repetition {rep}: {len(set(src) - stored)} instances missing"
        assert _indexed_count(node.db_path) == (1000, "ok")
        node.stop()
        # next repetition starts from an empty store
        import shutil

        shutil.rmtree(node.store_dir)
        for f in node.data_dir.glob("studies.sqlite*"):
            f.unlink()


def test_retrieve_500_instance_study_with_move_and_get(orthanc, orthanc_node, node_factory, tmp_path):
    need_dcmtk("storescu")
    from workstation.io.db import StudyDB
    from workstation.net import scu
    from workstation.io.store import ManagedStore

    study_uid, files = make_study(tmp_path / "src", n_series=5, n_slices=100, size=16, seed=41)
    r = subprocess.run(["storescu", "-aet", "WS_TEST", "-aec", "ORTHANC", "--scan-directories", "--recurse", "127.0.0.1",
                        str(orthanc.dicom_port), str(tmp_path / "src")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-500:]
    pacs = orthanc_node.get("pacs")
    assert scu.find(pacs, "WS_TEST", "STUDY", StudyInstanceUID=study_uid)[0]["NumberOfStudyRelatedInstances"] == "500"
    with StudyDB(tmp_path / "get.sqlite") as db:
        got = scu.get(pacs, "WS_TEST", study_uid, ManagedStore(tmp_path / "get-store", db))
        assert (got.completed, got.failed) == (500, 0)
        assert db.counts()["instances"] == 500
    node = node_factory(port=orthanc.ws_port, allow=("ORTHANC@127.0.0.1",)).start()
    moved = scu.move(pacs, "WS_TEST", study_uid, "WS_TEST")
    assert (moved.completed, moved.failed) == (500, 0)
    assert _indexed_count(node.db_path) == (500, "ok")
    assert len(list(node.store_dir.glob("*/*/*.dcm"))) == 500
