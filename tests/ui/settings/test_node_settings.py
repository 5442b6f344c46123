"""The DICOM node settings dialog: values checked and saved in nodes.json, the node started from it as its
own process, a real C-ECHO association to it (our SCU from the dialog, and DCMTK echoscu), a C-STORE landing
in the storage folder chosen there, then stopped."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

pytestmark = pytest.mark.gui


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_configure_start_echo_stop_from_the_dialog(qtbot, tmp_path):
    from workstation.net import process, scu
    from workstation.settings.nodes import Node, load_nodes, nodes_path
    from workstation.testing.dicom_factory import write_series
    from workstation.ui.settings.node_settings import NodeSettingsDialog
    import numpy as np

    port = _free_port()
    dlg = NodeSettingsDialog()
    qtbot.addWidget(dlg)
    assert dlg.ae_edit.text() == "PETWS" and dlg.peers.rowCount() == 0  # the defaults of a new install
    assert dlg.node_status.text() == "Our node: not running"

    dlg.ae_edit.setText("BAD\\AET")  # a backslash is not allowed in an AE title: nothing is written
    assert not dlg.save()
    assert "our AE title 'BAD\\\\AET' is not valid" in dlg.status.text() and not nodes_path().exists()

    dlg.ae_edit.setText("WS_GUI")
    dlg.port_spin.setValue(port)
    dlg.store_edit.setText(str(tmp_path / "received"))
    row = dlg.add_peer("loopback", "WS_GUI", "127.0.0.1", port)  # ourselves, so that the echo is allowed
    dlg.add_peer("web-only", "", "", 0, "https://pacs.example.org/dicom-web")
    dlg.peers.item(row, 3).setText("70000")
    assert not dlg.save() and "port 70000 is not in 1..65535" in dlg.status.text()
    dlg.peers.item(row, 3).setText(str(port))
    assert dlg.save(), dlg.status.text()
    cfg = load_nodes()
    assert (cfg.local.ae_title, cfg.local.port, cfg.local.store) == ("WS_GUI", port, str(tmp_path / "received"))
    assert [(n.name, n.ae_title, n.port, n.url) for n in cfg.nodes] == [
        ("loopback", "WS_GUI", port, ""), ("web-only", "", 0, "https://pacs.example.org/dicom-web")]

    try:
        dlg.toggle_node()
        st = process.status()
        assert st["running"] and st["port"] == port and st["ae_title"] == "WS_GUI", dlg.status.text()
        assert dlg.node_status.text() == f"Our node: WS_GUI on port {port} (PID {st['pid']})"
        assert dlg.node_button.text() == "Stop our node"

        dlg.peers.selectRow(row)
        job = dlg.echo_selected()
        qtbot.waitUntil(lambda: job.is_settled(), timeout=30_000)
        assert dlg.status.text() == "loopback: C-ECHO ok"
        if shutil.which("echoscu"):
            r = subprocess.run(["echoscu", "-aet", "WS_GUI", "-aec", "WS_GUI", "127.0.0.1", str(port)],
                               capture_output=True, text=True, timeout=30)
            assert r.returncode == 0, r.stderr
            r = subprocess.run(["echoscu", "-aet", "STRANGER", "-aec", "WS_GUI", "127.0.0.1", str(port)],
                               capture_output=True, text=True, timeout=30)
            assert r.returncode != 0  # only the configured peers may associate
        files = write_series(tmp_path / "src", np.zeros((2, 4, 4), np.int16), origin=(0, 0, 0),
                             spacing_ijk=(1, 1, 1))
        res = scu.store_files(Node("loopback", "WS_GUI", "127.0.0.1", port), "WS_GUI", files)
        assert res.completed == 2, res.errors
        assert len(list((tmp_path / "received").glob("*/*/*.dcm"))) == 2  # the storage folder of the dialog

        dlg.toggle_node()
        assert not process.status()["running"]
        assert dlg.node_status.text() == "Our node: not running" and dlg.status.text() == "Our node was stopped."
    finally:
        process.stop()


def test_the_pacs_tab_opens_the_dialog_and_reloads_the_nodes(qtbot):
    from workstation.settings.nodes import NodeConfig, save_nodes
    from workstation.ui.browser.pacs_panel import PacsPanel

    panel = PacsPanel()
    qtbot.addWidget(panel)
    assert panel.node_box.count() == 0
    dlg = panel.open_settings()
    dlg.add_peer("pacs", "ORTHANC", "127.0.0.1", 4242)
    assert dlg.save()
    dlg.close()
    qtbot.waitUntil(lambda: panel.node_box.count() == 1, timeout=5_000)
    assert panel.node_box.itemData(0) == "pacs"
    save_nodes(NodeConfig())  # leave the settings as found


def test_a_damaged_settings_file_is_shown_not_raised(qtbot):
    from workstation.settings.nodes import nodes_path
    from workstation.ui.settings.node_settings import NodeSettingsDialog

    nodes_path().parent.mkdir(parents=True, exist_ok=True)
    nodes_path().write_text("{not json", encoding="utf-8")
    dlg = NodeSettingsDialog()
    qtbot.addWidget(dlg)
    assert "cannot read the node settings" in dlg.status.text() and "fix or delete the file" in dlg.status.text()
    assert dlg.ae_edit.text() == "PETWS"
