"""The managed store: atomic files, duplicates once, hostile UIDs refused, the store rebuilds the index."""

from __future__ import annotations

import threading

import pydicom
import pytest

from net_peers import make_study


def test_store_index_duplicates_and_reconcile(tmp_path):
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore

    study_uid, files = make_study(tmp_path / "src", n_series=1, n_slices=4, seed=1)
    with StudyDB(tmp_path / "db.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        first = store.store_file(files[0])
        again = store.store_file(files[0])
        assert not first.duplicate and again.duplicate and first.path == again.path
        assert db.counts()["instances"] == 1
        a = pydicom.dcmread(files[0])
        assert first.path == str(tmp_path / "store" / study_uid / a.SeriesInstanceUID / f"{a.SOPInstanceUID}.dcm")
        assert pydicom.dcmread(first.path).PixelData == a.PixelData
        assert not list(store.incoming.iterdir())
        # files that reached the store but not the index (a crash in between), and a stale temporary
        for f in files[1:]:
            store.store_file(f, index=False)
        (store.incoming / "in-crashed.part").write_bytes(b"half a file")
        assert db.counts()["instances"] == 1
        removed, indexed = store.reconcile()
        assert (removed, indexed) == (1, 3)
        assert db.counts()["instances"] == 4 and db.integrity_check() == "ok"
        assert all(p.endswith(".dcm") for p in db.indexed_paths())


@pytest.mark.parametrize("field,value", [("StudyInstanceUID", "../../etc"), ("SeriesInstanceUID", "1.2.3/4"),
                                         ("SOPInstanceUID", "1." + "2" * 70)])
def test_hostile_uids_are_refused(tmp_path, field, value):
    from workstation.io.store import ManagedStore, StoreError

    _, files = make_study(tmp_path / "src", n_slices=1)
    ds = pydicom.dcmread(files[0])
    setattr(ds, field, value)
    if field == "SOPInstanceUID":
        ds.file_meta.MediaStorageSOPInstanceUID = value
    bad = tmp_path / "bad.dcm"
    ds.save_as(bad)
    store = ManagedStore(tmp_path / "store")
    with pytest.raises(StoreError, match="not a valid UID"):
        store.store_file(bad)
    assert not list(store.root.rglob("*.dcm")) and not list(store.incoming.iterdir())


def test_not_dicom_is_refused(tmp_path):
    from workstation.io.store import ManagedStore, StoreError

    store = ManagedStore(tmp_path / "store")
    with pytest.raises(StoreError, match="unreadable DICOM header"):
        store.store_bytes(b"\x00" * 300)
    assert not list(store.incoming.iterdir())


def test_group_commit_from_many_threads(tmp_path):
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore

    study_uid, files = make_study(tmp_path / "src", n_series=4, n_slices=10, seed=2)
    with StudyDB(tmp_path / "db.sqlite", synchronous="NORMAL") as db:
        store = ManagedStore(tmp_path / "store", db, group_commit=True)
        seen = []

        def send(part):
            for f in part:
                store.store_file(f, audit=dict(event="store-received", peer_ae="T"))
                seen.append(db.counts()["instances"])  # indexed before store_file returned

        threads = [threading.Thread(target=send, args=(files[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        store.close()
        assert db.counts()["instances"] == 40 and len(db.audit_rows(event="store-received")) == 40
        assert min(seen) >= 1 and len(seen) == 40
        assert [s.n_instances for s in db.series(study_uid)] == [10, 10, 10, 10]


def test_node_settings_round_trip_and_errors(tmp_path):
    from workstation.settings.nodes import (LocalNode, Node, NodeConfig, NodeConfigError, load_nodes, parse_allow,
                                            save_nodes)

    cfg = NodeConfig(LocalNode(ae_title="ME", port=104), [Node("pacs", "PACS", "10.0.0.1", 104)])
    cfg.add(Node("web", url="https://pacs.example/dicom-web"))
    p = save_nodes(cfg, tmp_path / "nodes.json")
    back = load_nodes(p)
    assert back.get("pacs").port == 104 and back.get("web").url.startswith("https://")
    assert back.allowed_peers() == [("PACS", "10.0.0.1")]
    assert parse_allow("MOD@*") == ("MOD", "*")
    for bad in ("NOHOST", "X" * 17 + "@h", "a\\b@h"):
        with pytest.raises(NodeConfigError):
            parse_allow(bad)
    with pytest.raises(NodeConfigError, match="unknown node 'nope'"):
        back.get("nope")
    with pytest.raises(NodeConfigError, match="port"):
        Node("x", "X", "h", 70000).check()
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(NodeConfigError, match="broken.json"):
        load_nodes(tmp_path / "broken.json")


def test_a_retrieved_instance_of_another_study_is_refused(tmp_path):
    """Issue 27 item 2: C-GET and WADO-RS pass the requested study; an instance of another one is refused."""
    import pytest

    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore, StoreError

    study, files = make_study(tmp_path / "in", n_slices=1)
    data = files[0].read_bytes()
    with StudyDB(tmp_path / "db.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        with pytest.raises(StoreError, match="another study"):
            store.store_bytes(data, expect={"study_uid": "1.2.3.4", "series_uid": None})
        assert not list((tmp_path / "store").rglob("*.dcm")) and db.counts()["instances"] == 0
        assert store.store_bytes(data, expect={"study_uid": study}).sop_instance_uid


def test_adopt_file_renames_on_the_same_file_system_and_copies_otherwise(tmp_path):
    """The SCP's received temporary file is renamed into the store (same inode), not copied; a duplicate
    leaves it to the caller; from another file system (faked) it is copied."""
    import os
    import shutil

    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore

    _, files = make_study(tmp_path / "src", n_series=1, n_slices=3, seed=2)
    with StudyDB(tmp_path / "db.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        received = tmp_path / "tmpreceived.dcm"
        shutil.copy(files[0], received)
        inode = received.stat().st_ino
        first = store.adopt_file(received)
        assert not received.exists() and os.stat(first.path).st_ino == inode
        assert db.counts()["instances"] == 1 and first.path in db.indexed_paths()

        shutil.copy(files[0], received)  # the same instance again: kept once, the new file left alone
        again = store.adopt_file(received)
        assert again.duplicate and again.path == first.path and received.exists()

        shutil.copy(files[1], received)
        store._dev = -1  # as if the received file were on another file system
        other = store.adopt_file(received)
        assert received.exists() and os.stat(other.path).st_ino != received.stat().st_ino
        assert pydicom.dcmread(other.path).SOPInstanceUID == pydicom.dcmread(files[1]).SOPInstanceUID
        assert db.counts()["instances"] == 2 and not list(store.incoming.iterdir())
