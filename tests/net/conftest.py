"""Fixtures of the network tests: Orthanc and our node as real processes on loopback (see net_peers)."""

from __future__ import annotations

import pytest

from net_peers import (ORTHANC_AET, WS_AET, NodeProcess, free_port, start_orthanc,  # noqa: E402
                       stop_pid)


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory):
    peer = start_orthanc(tmp_path_factory.mktemp("orthanc"), free_port())
    yield peer
    stop_pid(peer.proc)


@pytest.fixture
def orthanc_node(orthanc, monkeypatch, tmp_path):
    """Node settings (in this test's data dir) naming Orthanc as 'pacs', our AE as WS_AET."""
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes

    cfg = NodeConfig(LocalNode(ae_title=WS_AET, port=orthanc.ws_port),
                     [Node("pacs", ORTHANC_AET, "127.0.0.1", orthanc.dicom_port, orthanc.url + "/dicom-web")])
    save_nodes(cfg)
    return cfg


@pytest.fixture
def node_factory(tmp_path):
    started = []

    def make(**kw):
        d = tmp_path / f"node{len(started)}"
        d.mkdir()
        n = NodeProcess(d, kw.pop("port", None) or free_port(), **kw)
        started.append(n)
        return n

    yield make
    for n in started:
        n.stop()


