"""A huge instance sent to our node is refused with 0xA700 and a clear log line, without being held in memory."""

from __future__ import annotations

from pathlib import Path

import pydicom

from net_peers import make_study


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def test_instance_over_the_size_limit_is_refused_in_bounded_memory(node_factory, tmp_path):
    from pynetdicom import AE
    from pynetdicom.sop_class import CTImageStorage, Verification

    from workstation.io.db import StudyDB

    node = node_factory(extra=["--max-instance-mb", "8"]).start()
    _, small = make_study(tmp_path / "small", n_slices=1, size=16)
    _, big = make_study(tmp_path / "big", n_slices=1, size=4096)  # 32 MiB of pixels, 4x the limit
    big_ds = pydicom.dcmread(big[0])
    ae = AE("SENDER")
    ae.add_requested_context(CTImageStorage, pydicom.uid.ExplicitVRLittleEndian)
    ae.add_requested_context(Verification)
    assoc = ae.associate("127.0.0.1", node.port, ae_title="WS_TEST", max_pdu=1 << 20)
    assert assoc.is_established
    assert assoc.send_c_store(pydicom.dcmread(small[0])).Status == 0  # warm: the node's baseline memory
    before = _peak_rss_kb(node.proc.pid)
    assert assoc.send_c_store(big_ds).Status == 0xA700
    grew_mib = (_peak_rss_kb(node.proc.pid) - before) / 1024
    # streamed to a temporary file and refused by its size: the 32 MiB never sit in the node's memory
    assert grew_mib < 12, f"the node's peak memory grew by {grew_mib:.1f} MiB for a refused 32 MiB instance"
    assert assoc.send_c_echo().Status == 0  # the node stays up, the association too
    assoc.release()
    stored = list(node.store_dir.glob("*/*/*.dcm"))
    assert [p.name for p in stored] == [f"{pydicom.dcmread(small[0]).SOPInstanceUID}.dcm"]
    assert not list((node.store_dir / ".incoming").iterdir())
    with StudyDB(node.db_path) as db:
        rows = db.audit_rows(event="rejected")
        assert [r["sop_instance_uid"] for r in rows] == [str(big_ds.SOPInstanceUID)]
        assert rows[0]["status"] == 0xA700 and "size limit" in rows[0]["detail"]
    log = node.log_text()
    assert "over the limit of 8.4 MB" in log and "max_instance_mb" in log
    assert "TEST^PATIENT" not in log
