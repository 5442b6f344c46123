"""Benchmark: one whole-body PET/CT study sent by a spoke, read at the hub, the report sent back.

Everything is a real process on 127.0.0.1, driven the way a user drives it (each step a new
`workstation` process): the synthetic whole-body FDG study (`workstation demo`) is uploaded to a
spoke Orthanc, which pushes it by C-STORE to our node (`node start --foreground`); then
`workstation worklist claim`, `workstation export all` (SUV, lesions, SEG, SR, key images and the
PDF report), `workstation worklist sign --send` (Encapsulated PDF, queued with the SR and key
images) and `workstation outbox run` (C-STORE back to the spoke). The spoke's REST API then
confirms that the report arrived with identical PDF bytes.

Reference for the send leg: DCMTK storescu of the same files to our node (a fresh node), the
transfer floor. Prints each leg, the total, and the ratio of the spoke's push to storescu.

Usage: python bench/bench_remote_reading.py [--keep DIR] [--compress]
Needs: orthanc, dcmtk. Servers stopped by PID.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "net"))
sys.path.insert(0, str(REPO))


def ws(env, *args, check=True):
    r = subprocess.run([sys.executable, "-m", "workstation.cli", *args], env=env, cwd=REPO, capture_output=True,
                       text=True, timeout=1800)
    if check and r.returncode != 0:
        raise SystemExit(f"workstation {' '.join(args[:2])} failed: {r.stderr.strip()[-400:]}")
    return r.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", help="work in this folder and keep it")
    ap.add_argument("--compress", action="store_true", help="send the return JPEG-LS (images only)")
    ap.add_argument("--wire", action="store_true", help="only: the study through the outgoing queue to a fresh node, "
                    "as stored, JPEG-LS lossless, JPEG 2000 lossless and deflate: bytes on the wire, time, "
                    "pixel identity")
    a = ap.parse_args()

    import pydicom

    from net_peers import ORTHANC_AET, WS_AET, NodeProcess, free_port, start_orthanc, stop_pid
    from workstation.io.db import StudyDB
    from workstation.io.export_pdf_dicom import pdf_bytes
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="bench-remote-"))
    tmp.mkdir(parents=True, exist_ok=True)
    demo = tmp / "demo"
    env0 = {**os.environ, "PYTHONPATH": str(REPO)}
    if not (demo / "PT").is_dir():
        ws({**env0, "WORKSTATION_DATA_DIR": str(tmp / "scratch")}, "demo", "--out", str(demo))
    files = sorted(p for p in demo.rglob("*") if p.is_file() and p.suffix != ".json")
    size = sum(p.stat().st_size for p in files)
    print(f"study: {len(files)} instances, {size / 1e6:.1f} MB (synthetic whole-body FDG PET/CT, `workstation demo`)")
    if a.wire:
        return wire(tmp, files)
    hub_dir = tmp / "hub"
    hub_dir.mkdir(exist_ok=True)
    node = NodeProcess(hub_dir, free_port(), ae_title=WS_AET, allow=())
    (tmp / "spoke").mkdir(exist_ok=True)
    spoke = start_orthanc(tmp / "spoke", node.port)
    ref = None
    try:
        save_nodes(NodeConfig(LocalNode(ae_title=WS_AET, port=node.port),
                              [Node("spoke", ORTHANC_AET, "127.0.0.1", spoke.dicom_port)]), hub_dir / "nodes.json")
        node.start()
        env = {**env0, "WORKSTATION_DATA_DIR": str(hub_dir)}
        ids = {spoke.rest("/instances", data=p.read_bytes(), method="POST")["ParentStudy"] for p in files}
        (study_id,) = ids
        t0 = time.perf_counter()
        spoke.rest("/modalities/ws/store", data=json.dumps({"Resources": [study_id], "Synchronous": True}).encode(),
                   method="POST")
        t_sent = time.perf_counter()
        with StudyDB(node.db_path) as db:
            (study,) = db.studies()
            pt = next(s for s in db.series(study.study_uid) if s.modality == "PT")
            ct = next(s for s in db.series(study.study_uid) if s.modality == "CT")
            pt_dir = Path(db.series_files(pt.series_uid)[0]).parent
            ct_dir = Path(db.series_files(ct.series_uid)[0]).parent
        uid = study.study_uid
        ws(env, "worklist", "claim", uid, "--reader", "dr_li")
        out = tmp / "reading"
        ws(env, "export", "all", str(pt_dir), "--ct", str(ct_dir), "--out", str(out), "--force")
        t_read = time.perf_counter()
        attach = [str(out / "sr.dcm"), *sorted(str(p) for p in out.glob("key-*.dcm"))]
        signed = ws(env, "worklist", "sign", uid, "--reader", "dr_li", "--pdf", str(out / "report.pdf"), "--send",
                    "--attach", *attach, *(["--compress", "jpeg-ls"] if a.compress else []))
        t_signed = time.perf_counter()
        ws(env, "outbox", "run", "--timeout", "600")
        t_back = time.perf_counter()
        sop = signed.split("(")[1].split(")")[0]
        hit = spoke.rest("/tools/lookup", data=sop.encode(), method="POST")
        got = pydicom.dcmread(io.BytesIO(spoke.rest(f"/instances/{hit[0]['ID']}/file")))
        same = pdf_bytes(got) == (out / "report.pdf").read_bytes()
        status = ws(env, "worklist", "list")
        print(f"send (spoke Orthanc C-STORE push to our node): {t_sent - t0:7.2f} s")
        print(f"read (claim + export all: SUV, lesions, SEG, SR, key images, PDF): {t_read - t_sent:7.2f} s")
        print(f"sign + queue (Encapsulated PDF, {len(attach)} attachments): {t_signed - t_read:7.2f} s")
        print(f"report back (outbox run, C-STORE to the spoke): {t_back - t_signed:7.2f} s")
        print(f"total: {t_back - t0:7.2f} s; PDF bytes identical at the spoke: {same}; worklist: "
              f"{status.split()[1:3] if status else '?'}")
        # reference: storescu of the same files to a fresh node
        ref = NodeProcess(tmp / "ref", free_port(), ae_title=WS_AET, allow=("SENDER@127.0.0.1",))
        (tmp / "ref").mkdir(exist_ok=True)
        ref.start()
        t1 = time.perf_counter()
        subprocess.run(["storescu", "-aet", "SENDER", "-aec", WS_AET, "127.0.0.1", str(ref.port), *map(str, files)],
                       check=True, capture_output=True, timeout=1800)
        t_ref = time.perf_counter() - t1
        print(f"reference: storescu of the same study to our node {t_ref:.2f} s; spoke push / storescu = "
              f"{(t_sent - t0) / t_ref:.2f}")
    finally:
        node.stop()
        stop_pid(spoke.proc)
        if ref is not None:
            ref.stop()
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPUs")
    return 0


def wire(tmp: Path, files) -> int:
    import numpy as np
    import pydicom

    from net_peers import NodeProcess, free_port
    from workstation.net.outbox import Outbox
    from workstation.settings.nodes import Node

    res = {}
    for mode in ("", "jpeg-ls", "j2k", "deflate"):
        d = tmp / f"wire-{mode or 'plain'}"
        d.mkdir(exist_ok=True)
        node = NodeProcess(d, free_port(), ae_title="SPOKE", allow=("HUB@127.0.0.1",)).start()
        try:
            with Outbox(d / "sender.sqlite", nodes={"spoke": Node("spoke", "SPOKE", "127.0.0.1", node.port)},
                        calling_aet="HUB") as ob:
                job = ob.enqueue("spoke", files, compress=mode)
                t0 = time.perf_counter()
                ob.run_until_idle(timeout=1800)
                res[mode] = (ob.job(job).bytes_sent, time.perf_counter() - t0, ob.job(job).n_acknowledged)
            for src in files[::50]:
                s = pydicom.dcmread(src)
                got = pydicom.dcmread(node.store_dir / s.StudyInstanceUID / s.SeriesInstanceUID / f"{s.SOPInstanceUID}.dcm")
                assert np.array_equal(got.pixel_array, s.pixel_array), src
        finally:
            node.stop()
    pb, pt, pn = res[""]
    print(f"{'as stored':20s}{pb / 1e6:8.1f} MB on the wire, {pt:6.1f} s, {pn} instances")
    for mode, label in (("jpeg-ls", "JPEG-LS lossless"), ("j2k", "JPEG 2000 lossless"), ("deflate", "deflate")):
        cb, ct, cn = res[mode]
        print(f"{label + ':':20s}{cb / 1e6:8.1f} MB on the wire, {ct:6.1f} s, {cn} instances, pixel-identical "
              f"(every 50th checked); bytes ratio {cb / pb:.2f}")
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
