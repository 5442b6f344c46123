"""The reading worklist: arrivals with origin, tracer and priority; status changes; the reader's lock; versions."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from workstation.io.db import StudyDB
from workstation.io.store import ManagedStore
from workstation.io.db_worklist import BEING_READ, NEW, REPORTED, SENT_BACK, StudyLocked, WorklistError
from workstation.io.worklist import add_study, sync_arrivals
from workstation.testing.dicom_factory import write_series


def _pet_extra(tracer="Fluorodeoxyglucose", priority=None):
    item = Dataset()
    item.Radiopharmaceutical = tracer
    item.RadionuclideTotalDose = 370e6
    item.RadionuclideHalfLife = 6586.2
    item.RadiopharmaceuticalStartTime = "090000"
    extra = {"RadiopharmaceuticalInformationSequence": [item], "Units": "BQML", "DecayCorrection": "START"}
    if priority:
        req = Dataset()
        req.RequestedProcedurePriority = priority
        extra["RequestAttributesSequence"] = [req]
    return extra


def _receive(store, tmp, aet, *, priority=None, tracer="Fluorodeoxyglucose"):
    """A PET + CT study written in code and stored as the node stores it (audit: store-received from ``aet``)."""
    study = generate_uid()
    rng = np.random.default_rng(0)
    files = write_series(tmp / study / "pt", rng.integers(0, 100, (2, 4, 4)).astype(np.int16), origin=(0, 0, 0),
                         spacing_ijk=(2, 2, 2), modality="PT", study_uid=study, patient_name="SECRET^NAME",
                         extra=_pet_extra(tracer, priority))
    files += write_series(tmp / study / "ct", rng.integers(0, 100, (2, 4, 4)).astype(np.int16), origin=(0, 0, 0),
                          spacing_ijk=(2, 2, 2), modality="CT", study_uid=study, patient_name="SECRET^NAME")
    for f in files:
        store.store_file(f, audit=dict(event="store-received", peer_ae=aet, peer_host="127.0.0.1", status=0))
    return study


def test_arrivals_reach_the_worklist_with_origin_tracer_priority(tmp_path):
    with StudyDB(tmp_path / "db.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        a = _receive(store, tmp_path, "SPOKE_A")
        time.sleep(0.01)
        b = _receive(store, tmp_path, "SPOKE_B", priority="STAT", tracer="PSMA-11")
        assert sync_arrivals(db) == [a, b]
        assert sync_arrivals(db) == []  # once only
        rows = db.worklist()
        assert [r.study_uid for r in rows] == [b, a]  # stat first
        rb, ra = rows
        assert (ra.origin, ra.origin_kind, ra.modality, ra.tracer, ra.priority, ra.status) == \
            ("SPOKE_A", "dimse", "CT/PT", "Fluorodeoxyglucose", "routine", NEW)
        assert (rb.origin, rb.tracer, rb.priority) == ("SPOKE_B", "PSMA-11", "stat")
        first = min(x["time"] for x in db.audit_rows(event="store-received") if x["study_uid"] == a)
        assert ra.arrived == first
        assert [r.study_uid for r in db.worklist(origin="SPOKE_A")] == [a]
        # a CD import: added explicitly with its origin kind
        c = generate_uid()
        write_series(tmp_path / "cd", np.zeros((1, 2, 2), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                     study_uid=c)
        db.import_paths([tmp_path / "cd"])
        assert add_study(db, c, "CD") and db.worklist_entry(c).origin_kind == "media"
        store.close()
        # the worklist and its audit trail hold UIDs only (the patients table holds the name, as always)
        assert "SECRET" not in repr(db.worklist()) + repr(db.audit_rows())


def test_lock_status_and_versions(tmp_path):
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.worklist_add("1.2.3", "SPOKE", modality="PT/CT")
        row = db.worklist_claim("1.2.3", "dr_li")
        assert (row.status, row.locked_by, row.reader) == (BEING_READ, "dr_li", "dr_li")
        with pytest.raises(StudyLocked) as exc:
            db.worklist_claim("1.2.3", "dr_wang")
        assert exc.value.owner == "dr_li" and "dr_li" in str(exc.value)
        with pytest.raises(StudyLocked):
            db.record_signed_report("1.2.3", "dr_wang", sop_instance_uid="9.1", series_uid="9", signed="t",
                                    pdf_path="p", version=1)
        with pytest.raises(WorklistError):  # not a next version
            db.record_signed_report("1.2.3", "dr_li", sop_instance_uid="9.1", series_uid="9", signed="t",
                                    pdf_path="p", version=2)
        db.record_signed_report("1.2.3", "dr_li", sop_instance_uid="9.1", series_uid="9", signed="t1",
                                pdf_path="p1", version=1)
        row = db.worklist_entry("1.2.3")
        assert (row.status, row.locked_by) == (REPORTED, "")
        with pytest.raises(WorklistError):
            db.worklist_mark("1.2.3", NEW)  # a reported study does not become new
        db.worklist_mark("1.2.3", SENT_BACK)
        # an amendment by another reader: version 2 references version 1
        db.worklist_claim("1.2.3", "dr_wang")
        with pytest.raises(WorklistError):
            db.record_signed_report("1.2.3", "dr_wang", sop_instance_uid="9.2", series_uid="9", signed="t2",
                                    pdf_path="p2", version=2, supersedes="wrong")
        db.record_signed_report("1.2.3", "dr_wang", sop_instance_uid="9.2", series_uid="9", signed="t2",
                                pdf_path="p2", version=2, supersedes="9.1")
        vs = db.report_versions("1.2.3")
        assert [(v.version, v.sop_instance_uid, v.supersedes, v.reader) for v in vs] == \
            [(1, "9.1", "", "dr_li"), (2, "9.2", "9.1", "dr_wang")]
        trail = [a["detail"] for a in db.audit_rows(event="worklist")]
        assert any("claimed by dr_li" in t for t in trail) and any("version 2" in t for t in trail)


_CLAIM = """
import sys
from workstation.io.db import StudyDB
from workstation.io.db_worklist import StudyLocked
db = StudyDB(sys.argv[1])
try:
    db.worklist_claim("1.2.3", sys.argv[2])
    print("GOT")
except StudyLocked as e:
    print("LOCKED", e.owner)
"""


def test_two_processes_cannot_both_claim(tmp_path):
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.worklist_add("1.2.3", "SPOKE")
    procs = [subprocess.Popen([sys.executable, "-c", _CLAIM, str(tmp_path / "db.sqlite"), f"reader{i}"],
                              stdout=subprocess.PIPE, text=True) for i in range(4)]
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    winners = [i for i, o in enumerate(outs) if o[0] == "GOT"]
    assert len(winners) == 1
    owner = f"reader{winners[0]}"
    assert all(o == ["LOCKED", owner] for i, o in enumerate(outs) if i not in winners)
    with StudyDB(tmp_path / "db.sqlite") as db:
        assert db.worklist_entry("1.2.3").locked_by == owner


def test_a_study_arriving_in_parts_gets_its_tracer_when_the_pet_arrives(tmp_path):
    with StudyDB(tmp_path / "db.sqlite") as db:
        store = ManagedStore(tmp_path / "store", db)
        study = generate_uid()
        rng = np.random.default_rng(0)
        ct = write_series(tmp_path / "ct", rng.integers(0, 100, (2, 4, 4)).astype(np.int16), origin=(0, 0, 0),
                          spacing_ijk=(2, 2, 2), modality="CT", study_uid=study)
        pt = write_series(tmp_path / "pt", rng.integers(0, 100, (2, 4, 4)).astype(np.int16), origin=(0, 0, 0),
                          spacing_ijk=(2, 2, 2), modality="PT", study_uid=study, extra=_pet_extra("FDG", "HIGH"))
        for f in ct:
            store.store_file(f, audit=dict(event="store-received", peer_ae="SPOKE", peer_host="127.0.0.1"))
        assert sync_arrivals(db) == [study]
        r = db.worklist_entry(study)
        assert (r.modality, r.tracer, r.priority) == ("CT", "", "routine")
        for f in pt:
            store.store_file(f, audit=dict(event="store-received", peer_ae="SPOKE", peer_host="127.0.0.1"))
        assert sync_arrivals(db) == []
        r = db.worklist_entry(study)
        assert (r.modality, r.tracer, r.priority, r.arrived) == ("CT/PT", "FDG", "urgent", r.arrived)
        store.close()


def test_stale_lock_of_a_dead_reader_is_taken_over_audited(tmp_path):
    """A reader's process died holding the lock: once the lock is older than the limit, the next claim takes
    it over (audited); before that, and for a lock whose process runs or that another host holds, never."""
    import sqlite3

    from workstation.io.db_worklist import StudyLocked, process_identity

    db_path = tmp_path / "db.sqlite"
    with StudyDB(db_path) as db:
        db.worklist_add("1.2.3", "SPOKE")
    r = subprocess.run([sys.executable, "-c", _CLAIM, str(db_path), "dr_gone"], capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.split() == ["GOT"]
    with StudyDB(db_path) as db:
        assert db.worklist_lock_process("1.2.3").split(":")[1] != str(os.getpid())
        with pytest.raises(StudyLocked):  # its process is gone, but the lock is younger than the limit
            db.worklist_claim("1.2.3", "dr_li", stale_after_s=3600)
        row = db.worklist_claim("1.2.3", "dr_li", stale_after_s=0)
        assert row.locked_by == "dr_li" and db.worklist_lock_process("1.2.3") == process_identity()
        detail = [a["detail"] for a in db.audit_rows(event="worklist")][-1]
        assert "stale lock of dr_gone" in detail and "is gone" in detail
        # held by a process that runs (this one): never taken over, however old
        with pytest.raises(StudyLocked):
            db.worklist_claim("1.2.3", "dr_wang", stale_after_s=0)
    # a PID that now names another process (another start time), a lock with no process (older database),
    # a lock taken on another host
    for proc, stale in ((process_identity().rsplit(":", 1)[0] + ":1", True), (None, True),
                        ("another-host:1:1", False)):
        with sqlite3.connect(db_path) as con:
            con.execute("UPDATE worklist SET locked_by = 'dr_x', lock_proc = ?, locked_at = '2020-01-01T00:00:00' "
                        "WHERE study_uid = '1.2.3'", (proc,))
        with StudyDB(db_path) as db:
            if stale:
                assert db.worklist_claim("1.2.3", "dr_zhao", stale_after_s=60).locked_by == "dr_zhao"
            else:
                with pytest.raises(StudyLocked):
                    db.worklist_claim("1.2.3", "dr_zhao", stale_after_s=60)
