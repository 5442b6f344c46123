"""Issue 27 item 3: the node's PID file is trusted only with proof of identity.

After a crash ``node.json`` keeps the old PID; once the system gives that PID to another process,
``node stop`` must not signal it and ``node start`` must not refuse to start.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def _stranger():
    """An unrelated process of ours (stands for the one that got the crashed node's PID)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)


def _write_stale_state(pid: int, port: int = 11112) -> None:
    from workstation.net import process

    process.state_path().parent.mkdir(parents=True, exist_ok=True)
    process.state_path().write_text(json.dumps({"pid": pid, "ae_title": "WS_OLD", "host": "127.0.0.1",
                                                "port": port, "started": "2026-01-01T00:00:00"}))


def test_stop_never_signals_a_process_that_reused_the_pid(capsys):
    from workstation.cli import main
    from workstation.net import process

    stranger = _stranger()
    try:
        _write_stale_state(stranger.pid)
        assert main(["node", "status"]) == 1
        assert "not running" in capsys.readouterr().out
        assert main(["node", "stop"]) == 0
        assert "no node was running" in capsys.readouterr().out
        time.sleep(0.2)
        assert stranger.poll() is None, "node stop signalled a process that is not our node"
        assert not process.state_path().exists(), "the stale PID file is kept"
    finally:
        if stranger.poll() is None:
            os.kill(stranger.pid, signal.SIGKILL)
        stranger.wait(10)


def test_start_after_a_crash_whose_pid_was_reused(capsys):
    from net_peers import free_port
    from workstation.cli import main
    from workstation.net import process

    stranger = _stranger()
    port = free_port()
    pid = None
    try:
        _write_stale_state(stranger.pid)
        assert main(["node", "start", "--port", str(port), "--ae-title", "WS_PID",
                     "--allow", "SENDER@127.0.0.1"]) == 0, capsys.readouterr().err
        st = process.read_state()
        pid = st["pid"]
        assert pid != stranger.pid
        assert process.status()["running"]
        assert main(["node", "stop"]) == 0
        assert "node stopped" in capsys.readouterr().out
        assert not process.pid_alive(pid)
        assert stranger.poll() is None
    finally:
        for p in (pid,):
            if p and process.pid_alive(p):
                os.kill(p, signal.SIGKILL)
        if stranger.poll() is None:
            os.kill(stranger.pid, signal.SIGKILL)
        stranger.wait(10)


def test_a_node_killed_with_sigkill_is_seen_as_stale(node_factory, monkeypatch):
    """A real node killed -9 leaves its state file; its PID is not alive: stale, not 'running'."""
    from workstation.net import process

    node = node_factory().start()
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(node.data_dir))
    st = process.read_state()
    assert st and process.status()["running"]
    node.kill()
    assert not process.status()["running"]
    assert process.stop() is False
    assert not process.state_path().exists()
