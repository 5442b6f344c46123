"""Optional DICOM TLS: our node and our SCU against DCMTK's TLS tools (echoscu/storescu/storescp +tls).

Certificates are generated in a temporary folder by the openssl command line (self-signed, one for
the server and one for the client, each the other's trust anchor: mutual authentication).
"""

from __future__ import annotations

import shutil
import subprocess

import pydicom
import pytest

from net_peers import free_port, make_study, need_dcmtk, stop_pid, wait_port, self_signed




@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed (Debian package openssl): no test certificates")
    d = tmp_path_factory.mktemp("tls")
    out = {}
    for name in ("server", "client", "stranger"):
        out[name] = self_signed(d, name)
    return out


def _dcmtk_tls():
    need_dcmtk("echoscu", "storescu", "storescp")
    if "+tls" not in subprocess.run(["echoscu", "--help"], capture_output=True, text=True).stdout:
        pytest.skip("this DCMTK build has no TLS support (echoscu +tls missing)")


def _echoscu(port, *tls):
    return subprocess.run(["echoscu", "-aet", "SENDER", "-aec", "WS_TEST", *tls, "127.0.0.1", str(port)],
                          capture_output=True, text=True, timeout=60)


def test_our_node_over_tls_with_dcmtk(node_factory, certs, tmp_path):
    _dcmtk_tls()
    from workstation.io.db import StudyDB

    skey, scrt = certs["server"]
    ckey, ccrt = certs["client"]
    node = node_factory(extra=["--tls-cert", str(scrt), "--tls-key", str(skey), "--tls-ca", str(ccrt)]).start()
    ok = _echoscu(node.port, "+tls", str(ckey), str(ccrt), "+cf", str(scrt))
    assert ok.returncode == 0, ok.stderr
    plain = _echoscu(node.port)  # a plain TCP caller gets no association
    assert plain.returncode != 0
    xkey, xcrt = certs["stranger"]  # a certificate the node does not trust
    stranger = _echoscu(node.port, "+tls", str(xkey), str(xcrt), "+cf", str(scrt))
    assert stranger.returncode != 0
    wrong_ca = _echoscu(node.port, "+tls", str(ckey), str(ccrt), "+cf", str(xcrt))  # we do not trust the node
    assert wrong_ca.returncode != 0

    study, files = make_study(tmp_path / "src", n_slices=3, patient_name="TLS^TEST")
    r = subprocess.run(["storescu", "-aet", "SENDER", "-aec", "WS_TEST", "+tls", str(ckey), str(ccrt), "+cf",
                        str(scrt), "127.0.0.1", str(node.port), *map(str, files)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for src in files:
        a = pydicom.dcmread(src)
        b = pydicom.dcmread(node.store_dir / study / a.SeriesInstanceUID / f"{a.SOPInstanceUID}.dcm")
        assert b.PixelData == a.PixelData
    with StudyDB(node.db_path) as db:
        assert db.counts()["instances"] == len(files)
    assert "over TLS" in node.log_text()

    # our own SCU to our own node over TLS, and refused without it
    from workstation.net import scu
    from workstation.settings.nodes import Node

    peer = Node("self", "WS_TEST", "127.0.0.1", node.port, tls=True, tls_ca=str(scrt), tls_cert=str(ccrt),
                tls_key=str(ckey))
    assert scu.echo(peer, "SENDER") == 0
    with pytest.raises(scu.DicomNetError, match="TLS handshake"):
        scu.echo(Node("self", "WS_TEST", "127.0.0.1", node.port, tls=True, tls_ca=str(xcrt), tls_cert=str(ccrt),
                      tls_key=str(ckey)), "SENDER")
    with pytest.raises(scu.DicomNetError, match="could not be reached"):
        scu.echo(Node("self", "WS_TEST", "127.0.0.1", node.port), "SENDER")


def test_our_scu_sends_over_tls_to_dcmtk_storescp(certs, tmp_path):
    _dcmtk_tls()
    from workstation.net import scu
    from workstation.settings.nodes import Node

    skey, scrt = certs["server"]
    ckey, ccrt = certs["client"]
    port, out = free_port(), tmp_path / "received"
    out.mkdir()
    proc = subprocess.Popen(["storescp", "-aet", "TLSSCP", "+tls", str(skey), str(scrt), "+cf", str(ccrt), "-od",
                             str(out), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        wait_port(port, 30, proc)
        _, files = make_study(tmp_path / "src", n_slices=4)
        peer = Node("tlspacs", "TLSSCP", "127.0.0.1", port, tls=True, tls_ca=str(scrt), tls_cert=str(ccrt),
                    tls_key=str(ckey))
        res = scu.store_files(peer, "WS_TEST", files)
        assert res.completed == len(files) and res.failed == 0, res.errors
        got = {pydicom.dcmread(p).SOPInstanceUID for p in out.iterdir()}
        assert got == {pydicom.dcmread(p).SOPInstanceUID for p in files}
    finally:
        stop_pid(proc)


def test_tls_configuration_errors_are_one_line(tmp_path, certs, capsys):
    from workstation.net import scu
    from workstation.net.tls import TlsConfigError, server_context
    from workstation.settings.nodes import LocalNode, Node

    missing = tmp_path / "nowhere.pem"
    with pytest.raises(scu.DicomNetError, match="nowhere.pem does not exist"):
        scu.echo(Node("p", "PACS", "127.0.0.1", free_port(), tls=True, tls_ca=str(missing)), "WS")
    skey, scrt = certs["server"]
    ckey, _ = certs["client"]
    with pytest.raises(TlsConfigError, match="belong together"):
        server_context(LocalNode(tls_cert=str(scrt), tls_key=str(ckey)))  # another certificate's key
    with pytest.raises(TlsConfigError, match="both a certificate and its private key"):
        server_context(LocalNode(tls_cert=str(scrt)))
    assert server_context(LocalNode()) is None  # TLS stays optional
    from workstation.cli import main

    rc = main(["node", "start", "--foreground", "--port", str(free_port()), "--tls-cert", str(missing),
               "--tls-key", str(skey)])
    err = capsys.readouterr().err
    assert rc == 2 and "nowhere.pem does not exist" in err and err.strip().count("\n") == 0
