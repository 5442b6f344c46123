"""Lossless transfer syntaxes for thin lines (JPEG 2000 lossless, deflate): negotiated when sending (outgoing
queue, `send`), accepted when receiving, pixel-identical at our node and at Orthanc; and a C-MOVE from our
node of files it holds compressed, to a DCMTK storescp that accepts Implicit VR Little Endian only."""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pydicom
import pytest
from pydicom.uid import DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEG2000Lossless

from net_peers import free_port, need_dcmtk, stop_pid, wait_port
from workstation.testing.dicom_factory import write_series

pytestmark = pytest.mark.slow

TARGET = {"j2k": JPEG2000Lossless, "deflate": DeflatedExplicitVRLittleEndian}


def _smooth_study(folder, n=4, size=64, seed=3):
    """A CT-like series: smooth anatomy and a little noise (compressible as real images are)."""
    k, j, i = np.indices((n, size, size))
    body = 1000.0 * np.exp(-(((i - size / 2) ** 2 + (j - size / 2) ** 2) / (2 * (size / 4) ** 2)))
    rng = np.random.default_rng(seed)
    stored = (body - 1000 + 20 * k + rng.normal(0, 4, body.shape)).astype(np.int16)
    return write_series(folder, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2))


def _stored(node, src):
    s = pydicom.dcmread(src, stop_before_pixels=True)
    return pydicom.dcmread(node.store_dir / s.StudyInstanceUID / s.SeriesInstanceUID / f"{s.SOPInstanceUID}.dcm")


@pytest.mark.parametrize("name", ["j2k", "deflate"])
def test_outbox_to_our_node_and_send_to_orthanc(name, node_factory, orthanc, orthanc_node, tmp_path):
    pytest.importorskip("openjpeg", reason="pylibjpeg-openjpeg encodes JPEG 2000")
    from workstation.net.outbox import SENT, Outbox
    from workstation.net.scu import send_with_retries
    from workstation.settings.nodes import Node

    files = _smooth_study(tmp_path / "src")
    plain = node_factory(allow=("HUB@127.0.0.1",)).start()
    packed = node_factory(allow=("HUB@127.0.0.1",)).start()
    nodes = {"plain": Node("plain", plain.ae_title, "127.0.0.1", plain.port),
             "packed": Node("packed", packed.ae_title, "127.0.0.1", packed.port)}
    with Outbox(tmp_path / "outbox.sqlite", nodes=nodes, calling_aet="HUB") as ob:
        a = ob.enqueue("plain", files)
        b = ob.enqueue("packed", files, compress=name)
        jobs = ob.run_until_idle(timeout=60)
        assert [(j.state, j.n_acknowledged) for j in jobs] == [(SENT, 4), (SENT, 4)]
        stored_bytes, packed_bytes = ob.job(a).bytes_sent, ob.job(b).bytes_sent
    print(f"\n{name}: bytes on the wire {packed_bytes} against {stored_bytes} as stored "
          f"({packed_bytes / stored_bytes:.2f})")
    assert packed_bytes < 0.8 * stored_bytes
    for src in files:  # received in that syntax by our node, the same pixels
        s = pydicom.dcmread(src)
        got = _stored(packed, src)
        assert got.file_meta.TransferSyntaxUID == TARGET[name]
        assert np.array_equal(got.pixel_array, s.pixel_array)
        assert _stored(plain, src).file_meta.TransferSyntaxUID == s.file_meta.TransferSyntaxUID

    # `send --compress` (the same function) to Orthanc: it accepts the syntax, stores it, the same pixels
    res = send_with_retries(orthanc_node.get("pacs"), orthanc_node.local.ae_title, files, compress=name)
    assert (res.completed, res.failed) == (4, 0)
    for src in files:
        s = pydicom.dcmread(src)
        hits = orthanc.rest("/tools/lookup", data=str(s.SOPInstanceUID).encode(), method="POST")
        got = pydicom.dcmread(io.BytesIO(orthanc.rest(f"/instances/{hits[0]['ID']}/file")))
        assert got.file_meta.TransferSyntaxUID == TARGET[name]
        assert np.array_equal(got.pixel_array, s.pixel_array)


def test_cmove_of_compressed_files_to_a_destination_refusing_compression(node_factory, tmp_path):
    """Our node holds JPEG 2000 files; storescp +xi accepts Implicit VR Little Endian only: every instance
    arrives decompressed, the same pixels (before: the move offered JPEG 2000 only and every one failed)."""
    pytest.importorskip("openjpeg", reason="pylibjpeg-openjpeg encodes JPEG 2000")
    need_dcmtk("storescp", "movescu")
    from workstation.net.scu import store_files
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    node = node_factory(allow=())
    dest_port = free_port()
    save_nodes(NodeConfig(LocalNode(ae_title=node.ae_title, port=node.port),
                          [Node("sender", "SENDER", "127.0.0.1", 104),
                           Node("plainpacs", "PLAINPACS", "127.0.0.1", dest_port)]), node.data_dir / "nodes.json")
    node.start()
    files = _smooth_study(tmp_path / "src", n=5, size=32)
    peer = Node("ws", node.ae_title, "127.0.0.1", node.port)
    assert store_files(peer, "SENDER", files, compress="j2k").completed == 5
    assert all(_stored(node, f).file_meta.TransferSyntaxUID == JPEG2000Lossless for f in files)

    out = tmp_path / "dest"
    out.mkdir()
    log = open(tmp_path / "storescp.log", "wb")
    dest = subprocess.Popen(["storescp", "+xi", "-aet", "PLAINPACS", "-od", str(out), str(dest_port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(dest_port, 20, dest)
        study = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
        r = subprocess.run(["movescu", "-S", "-aet", "SENDER", "-aec", node.ae_title, "-aem", "PLAINPACS",
                            "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study}", "127.0.0.1",
                            str(node.port)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    finally:
        stop_pid(dest)
    got = {str(d.SOPInstanceUID): d for d in map(pydicom.dcmread, sorted(out.iterdir()))}
    assert len(got) == 5, (r.stderr, (tmp_path / "storescp.log").read_text())
    for src in map(pydicom.dcmread, files):
        g = got[str(src.SOPInstanceUID)]
        assert g.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
        assert np.array_equal(g.pixel_array, src.pixel_array)

