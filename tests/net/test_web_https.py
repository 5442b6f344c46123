"""DICOMweb over HTTPS with client certificates: `web put`, `web find` and `web get` with --cert/--key/--ca, the
outgoing queue's STOW-RS to an https node with the node's TLS files; refused without a client certificate, with
a stranger's, and without the server's CA. Certificates are made in the fixture by the openssl command line
(self-signed, loopback only).

Two servers: Orthanc itself with SslEnabled and SslVerifyPeers (skipped with the reason where the installed
Orthanc crashes on HTTPS: Debian's 1.10.1 segfaults on its first HTTPS request), and plain-HTTP Orthanc behind
a TLS terminator that requires a client certificate signed by the trusted one (Python's ssl, i.e. OpenSSL,
verifying; the bytes are passed through unchanged)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time

import pydicom
import pytest

from net_peers import PASSWORD, USER, free_port, make_study, start_orthanc, stop_pid, self_signed

pytestmark = pytest.mark.slow




class TlsTerminator:
    """HTTPS in front of a plain-HTTP server: requires a client certificate that ``trusted`` (PEM) verifies."""

    def __init__(self, upstream_port: int, cert: str, key: str, trusted: str):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.ctx.load_verify_locations(trusted)
        self.upstream = upstream_port
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.refused = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(raw,), daemon=True).start()

    def _one(self, raw):
        try:
            raw.settimeout(10)
            conn = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused += 1
            raw.close()
            return
        up = socket.create_connection(("127.0.0.1", self.upstream))

        def pump(a, b):
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for x in (a, b):
                    try:
                        x.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        conn.settimeout(None)
        t = threading.Thread(target=pump, args=(up, conn), daemon=True)
        t.start()
        pump(conn, up)
        t.join(30)
        conn.close()
        up.close()

    def close(self):
        self.sock.close()


def _certs(d):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed (Debian package openssl): no test certificates")
    return {n: tuple(map(str, self_signed(d, n))) for n in ("server", "client", "stranger")}


@pytest.fixture(scope="module", params=["orthanc-ssl", "tls-terminator"])
def https_orthanc(request, tmp_path_factory):
    """(peer, its https DICOMweb URL, certificates)."""
    import requests

    d = tmp_path_factory.mktemp("https")
    certs = _certs(d)
    if request.param == "tls-terminator":
        peer = start_orthanc(d, free_port())
        proxy = TlsTerminator(peer.http_port, certs["server"][1], certs["server"][0], certs["client"][1])
        yield peer, f"https://127.0.0.1:{proxy.port}/dicom-web", certs
        proxy.close()
        stop_pid(peer.proc)
        return
    both = d / "server-both.pem"  # Orthanc wants the certificate and its key in one PEM file
    both.write_text(open(certs["server"][1]).read() + open(certs["server"][0]).read())
    peer = start_orthanc(d, free_port(), extra={"SslEnabled": True, "SslCertificate": str(both),
                                                "SslVerifyPeers": True,
                                                "SslTrustedClientCertificates": certs["client"][1]})
    try:  # one request with the right certificate: does this Orthanc serve HTTPS at all?
        requests.get(peer.url + "/system", verify=certs["server"][1], cert=(certs["client"][1], certs["client"][0]),
                     auth=(USER, PASSWORD), timeout=10)
    except requests.RequestException:
        pass
    time.sleep(0.3)
    if peer.proc.poll() is not None:
        version = subprocess.run([peer.proc.args[0], "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        pytest.skip(f"the installed {version} crashed (exit {peer.proc.returncode}) on its first HTTPS request "
                    "(Debian's build with OpenSSL 3); the tls-terminator variant covers the client")
    yield peer, peer.url + "/dicom-web", certs
    stop_pid(peer.proc)


def test_web_put_find_get_with_client_certificate(https_orthanc, tmp_path, monkeypatch, capsys):
    from workstation.cli import main

    peer, url, certs = https_orthanc
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path / "data"))
    study, files = make_study(tmp_path / "src", n_slices=3, size=8)
    tls = ["--user", USER, "--password", PASSWORD, "--ca", certs["server"][1]]
    mine = [*tls, "--cert", certs["client"][1], "--key", certs["client"][0]]
    assert main(["web", "put", url, str(tmp_path / "src"), "--db", str(tmp_path / "a.sqlite"), *mine]) == 0
    assert "stored 3 of 3" in capsys.readouterr().out
    assert main(["web", "find", url, "--study-uid", study, "--json", *mine]) == 0
    assert study in capsys.readouterr().out
    assert main(["web", "get", url, study, "--db", str(tmp_path / "b.sqlite"), "--store", str(tmp_path / "st"),
                 *mine]) == 0
    assert "retrieved 3 instances (0 failed" in capsys.readouterr().out
    got = {str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in (tmp_path / "st").rglob("*.dcm")}
    assert got == {str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID) for f in files}

    # refused: no client certificate, a stranger's, the server's certificate not trusted; one line each
    for args, why in ((tls, "TLS handshake failed"),
                      ([*tls, "--cert", certs["stranger"][1], "--key", certs["stranger"][0]], "TLS handshake failed"),
                      ([*mine[:4], "--cert", certs["client"][1], "--key", certs["client"][0]], "TLS handshake failed"),
                      ([*mine, "--ca", str(tmp_path / "nope.pem")], "no such file")):
        assert main(["web", "find", url, "--study-uid", study, *args]) == 2
        err = capsys.readouterr().err
        assert why in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_outbox_stow_to_an_https_node_with_its_tls_files(https_orthanc, tmp_path):
    from workstation.net.outbox import RETRYING, SENT, Outbox
    from workstation.settings.nodes import Node

    peer, url, certs = https_orthanc
    study, files = make_study(tmp_path / "src", n_slices=2, size=8, seed=5)
    nodes = {"hub": Node("hub", "", "", 0, url, tls_ca=certs["server"][1], tls_cert=certs["client"][1],
                         tls_key=certs["client"][0]),
             "rogue": Node("rogue", "", "", 0, url, tls_ca=certs["server"][1], tls_cert=certs["stranger"][1],
                           tls_key=certs["stranger"][0])}
    with Outbox(tmp_path / "outbox.sqlite", nodes=nodes, auth={"user": USER, "password": PASSWORD}) as ob:
        a = ob.enqueue("hub", files)
        b = ob.enqueue("rogue", files)
        ob.run_once()
        assert (ob.job(a).state, ob.job(a).n_acknowledged) == (SENT, 2)
        assert ob.job(b).state == RETRYING and "TLS handshake failed" in ob.job(b).last_error
        found, missing = ob.confirm(a)
        assert len(found) == 2 and not missing
