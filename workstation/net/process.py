"""The node as its own background process: start, stop, status.

``start_background`` spawns ``python -m workstation.cli node start --foreground ...`` in a new
session (so it outlives the terminal and the viewer), then waits, with a bound, until the child
has written its state file and answers on its port. The state file (``node.json`` in the data
directory) holds the child's PID, AE title, address and port; ``stop`` sends SIGTERM to that PID
(SIGKILL after a grace period) and never to anything found by name.

A PID alone proves nothing: after a crash the file keeps the old PID and the system may give it to
any other process. The state file is therefore trusted only with proof of identity: the running node
holds an exclusive lock on ``node.lock`` for its whole life, and the file records the process's start
time (field 22 of ``/proc/<pid>/stat``) and command line, which must still match. A state file that
fails either proof is stale: it is removed, and nothing is ever signalled.
"""

from __future__ import annotations

import gc
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


def lock_path() -> Path:
    return data_dir() / "node.lock"


_lock_fd: int | None = None


def acquire_lock() -> bool:
    """Take the node's lock for the life of this process; False when another process holds it."""
    global _lock_fd
    import fcntl

    if _lock_fd is not None:
        return True
    fd = os.open(lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _lock_fd = fd
    return True


def release_lock() -> None:
    global _lock_fd
    if _lock_fd is not None:
        os.close(_lock_fd)  # closing the descriptor releases the flock
        _lock_fd = None


def lock_held_elsewhere() -> bool:
    """Is the node lock held by some other process (a running node)?"""
    import fcntl

    if _lock_fd is not None:
        return False
    try:
        fd = os.open(lock_path(), os.O_RDWR)
    except OSError:
        return False  # no lock file: no node ever ran here, or it was cleaned up
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the probe's shared lock
    return False


def process_identity(pid: int) -> dict | None:
    """Start time (clock ticks since boot) and command line of ``pid`` from /proc, None when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces: split after the last ')'
    fields = stat[stat.rindex(")") + 2:].split()
    return {"start_ticks": int(fields[19]),
            "cmdline": [a.decode("utf-8", "replace") for a in cmdline.split(b"\0") if a]}


def state_trusted(st: dict | None) -> bool:
    """Is the process named by state file ``st`` still the node that wrote it? (see the module doc)"""
    if not st or "pid" not in st:
        return False
    try:
        pid = int(st["pid"])
    except (TypeError, ValueError):
        return False
    if pid <= 0 or not pid_alive(pid):
        return False
    if pid == os.getpid():  # only the node itself holds the lock in its own process
        return _lock_fd is not None
    if not lock_held_elsewhere():
        return False
    ident = process_identity(pid)
    if ident is None:  # no /proc (not Linux): the lock held by a live process is the proof
        return not Path("/proc").is_dir()
    return ident["start_ticks"] == st.get("start_ticks") and ident["cmdline"] == st.get("cmdline")


def _remove_state() -> None:
    try:
        state_path().unlink()
    except FileNotFoundError:
        pass


def read_state() -> dict | None:
    try:
        return json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(ae_title: str, host: str, port: int) -> None:
    tmp = state_path().with_suffix(".tmp")
    st = {"pid": os.getpid(), "ae_title": ae_title, "host": host, "port": port,
          "started": datetime.now().isoformat(timespec="seconds")}
    st.update(process_identity(os.getpid()) or {})
    tmp.write_text(json.dumps(st), encoding="utf-8")
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
    """The running node's state; a state file without proof of identity is stale and removed."""
    st = read_state()
    if not st:
        return {"running": False}
    if not state_trusted(st):
        _remove_state()
        return {"running": False, "stale_pid": st.get("pid")}
    return {**st, "running": True, "listening": port_open(st["host"], int(st["port"]))}


def _self_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "workstation.cli"]


def start_background(extra_args: list[str], timeout: float = 30.0) -> dict:
    st = status()
    if not st.get("running") and lock_held_elsewhere():
        raise NodeProcessError("another node holds the lock of this data directory "
                               f"({lock_path()}) but wrote no state file; it may still be starting")
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
    if not state_trusted(st):  # stale: never signal a PID we cannot prove is our node
        _remove_state()
        return False
    pid = int(st["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
    if pid_alive(pid) and state_trusted(st):  # checked again: the PID could have been reused meanwhile
        os.kill(pid, signal.SIGKILL)
    _remove_state()
    return True


def run_foreground(node, store) -> int:
    """Serve until SIGTERM/SIGINT: reconcile the store, write the state file, block in the server."""
    from workstation.net.scp import configure_node_logging
    from workstation.net.logs import net_logger

    if not acquire_lock():
        raise NodeProcessError(f"another node is running on this data directory (it holds {lock_path()})")
    configure_node_logging(log_path())
    removed, indexed = store.reconcile()
    net_logger().info("store reconciled: %d stale temporary files removed, %d files indexed", removed, indexed)
    stop_flag = {"stop": False}

    def _term(signum, frame):
        stop_flag["stop"] = True

    signal.signal(signal.SIGTERM, _term)
    signal.signal(signal.SIGINT, _term)
    node.start(block=False)
    # everything imported and built so far lives as long as the process: out of the garbage collector's
    # sight, so that the collections triggered by the objects of every received instance stay short
    # (about a tenth of the node's CPU under bench/bench_node.py)
    gc.freeze()
    write_state(node.ae_title, node.host, node.port)
    print(f"node {node.ae_title} listening on {node.host}:{node.port} (PID {os.getpid()})", flush=True)
    try:
        while not stop_flag["stop"]:
            time.sleep(0.2)
    finally:
        node.stop()
        clear_state()
        release_lock()
    return 0
