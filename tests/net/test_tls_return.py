"""The report's way back over DICOM TLS (mutual authentication): the outgoing queue delivers to a spoke node
that accepts TLS only, the delivery is confirmed by C-FIND over TLS, and our query SCP answers DCMTK over TLS."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from net_peers import need_dcmtk, self_signed

pytestmark = pytest.mark.slow


def _smooth_study(folder, n=3, size=16):
    import numpy as np

    from workstation.testing.dicom_factory import write_series

    k, j, i = np.indices((n, size, size))
    stored = (1000.0 * np.exp(-((i - size / 2) ** 2 + (j - size / 2) ** 2) / (2 * (size / 4) ** 2)) + 10 * k)
    return write_series(folder, stored.astype(np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 2))




def test_return_and_query_over_tls(node_factory, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed (Debian package openssl): no test certificates")
    from workstation.net.outbox import SENT, Outbox
    from workstation.settings.nodes import Node

    skey, scrt = self_signed(tmp_path, "spoke")
    ckey, ccrt = self_signed(tmp_path, "hub")
    spoke = node_factory(allow=("HUB@127.0.0.1",),
                         extra=["--tls-cert", str(scrt), "--tls-key", str(skey), "--tls-ca", str(ccrt)]).start()
    files = _smooth_study(tmp_path / "src", n=3, size=16)
    tls = dict(tls=True, tls_ca=str(scrt), tls_cert=str(ccrt), tls_key=str(ckey))
    with Outbox(tmp_path / "outbox.sqlite", nodes={"spoke": Node("spoke", spoke.ae_title, "127.0.0.1", spoke.port,
                                                                 **tls)}, calling_aet="HUB") as ob:
        job = ob.enqueue("spoke", files, compress="jpeg-ls")
        assert [j.state for j in ob.run_until_idle(timeout=60)] == [SENT]
        found, missing = ob.confirm(job)
        assert len(found) == 3 and missing == []
    # without TLS the spoke does not answer at all
    with Outbox(tmp_path / "plain.sqlite", nodes={"spoke": Node("spoke", spoke.ae_title, "127.0.0.1", spoke.port)},
                calling_aet="HUB") as ob:
        job = ob.enqueue("spoke", files)
        ob.run_once()
        assert ob.job(job).state == "retrying" and "could not be reached" in ob.job(job).last_error
    need_dcmtk("findscu")
    if "+tls" not in subprocess.run(["findscu", "--help"], capture_output=True, text=True).stdout:
        pytest.skip("this DCMTK build has no TLS support")
    out = tmp_path / "find"
    out.mkdir()
    r = subprocess.run(["findscu", "-S", "-aet", "HUB", "-aec", spoke.ae_title, "+tls", str(ckey), str(ccrt),
                        "+cf", str(scrt), "-X", "-od", str(out), "-k", "QueryRetrieveLevel=STUDY",
                        "-k", "StudyInstanceUID", "127.0.0.1", str(spoke.port)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(list(out.glob("rsp*.dcm"))) == 1
