"""The node as its own background process: start, stop, status.

``start_background`` spawns ``python -m workstation.cli node start --foreground ...`` in a new
session (so it outlives the terminal and the viewer), then waits, with a bound, until the child
has written its state file and answers on its port. The state file (``node.json`` in the data
directory) holds the child's PID, AE title, address and port; ``stop`` sends SIGTERM to that PID
(SIGKILL after a grace period) and never to anything found by name.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from workstation.settings.paths import data_dir


class NodeProcessError(RuntimeError):
    """The background node could not be started, reached or stopped; the message says why."""


def state_path() -> Path:
    return data_dir() / "node.json"


def log_path() -> Path:
    return data_dir() / "node.log"


def read_state() -> dict | None:
    try:
        return json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(ae_title: str, host: str, port: int) -> None:
    tmp = state_path().with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "ae_title": ae_title, "host": host, "port": port,
                               "started": datetime.now().isoformat(timespec="seconds")}), encoding="utf-8")
    os.replace(tmp, state_path())


def clear_state() -> None:
    st = read_state()
    if st and st.get("pid") == os.getpid():
        try:
            state_path().unlink()
        except FileNotFoundError:
            pass


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    h = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    try:
        with socket.create_connection((h, port), timeout=timeout):
            return True
    except OSError:
        return False


def status() -> dict:
    st = read_state()
    if not st:
        return {"running": False}
    alive = pid_alive(int(st["pid"]))
    return {**st, "running": alive, "listening": alive and port_open(st["host"], int(st["port"]))}


def _self_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "workstation.cli"]


def start_background(extra_args: list[str], timeout: float = 30.0) -> dict:
    st = status()
    if st.get("running"):
        raise NodeProcessError(f"a node is already running (PID {st['pid']}, {st['ae_title']} on port {st['port']}); "
                               "`workstation node stop` first")
    console = data_dir() / "node-console.log"
    with open(console, "ab") as out:
        proc = subprocess.Popen([*_self_command(), "node", "start", "--foreground", *extra_args],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=os.environ.copy())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = console.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise NodeProcessError(f"the node exited at start (code {proc.returncode}): {' | '.join(tail)}")
        st = read_state()
        if st and st.get("pid") == proc.pid and port_open(st["host"], int(st["port"])):
            return st
        time.sleep(0.1)
    proc.terminate()
    raise NodeProcessError(f"the node did not start listening within {timeout:.0f} s; see {console}")


def stop(timeout: float = 10.0) -> bool:
    """Stop the recorded node process. False when none was running."""
    st = read_state()
    if not st or not pid_alive(int(st["pid"])):
        try:
            state_path().unlink()
        except FileNotFoundError:
            pass
        return False
    pid = int(st["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    try:
        state_path().unlink()
    except FileNotFoundError:
        pass
    return True


def run_foreground(node, store) -> int:
    """Serve until SIGTERM/SIGINT: reconcile the store, write the state file, block in the server."""
    from workstation.net.scp import configure_node_logging
    from workstation.net.logs import net_logger

    configure_node_logging(log_path())
    removed, indexed = store.reconcile()
    net_logger().info("store reconciled: %d stale temporary files removed, %d files indexed", removed, indexed)
    stop_flag = {"stop": False}

    def _term(signum, frame):
        stop_flag["stop"] = True

    signal.signal(signal.SIGTERM, _term)
    signal.signal(signal.SIGINT, _term)
    node.start(block=False)
    write_state(node.ae_title, node.host, node.port)
    print(f"node {node.ae_title} listening on {node.host}:{node.port} (PID {os.getpid()})", flush=True)
    try:
        while not stop_flag["stop"]:
            time.sleep(0.2)
    finally:
        node.stop()
        clear_state()
    return 0
