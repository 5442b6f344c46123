"""Issue 27 item 1: the node cannot be locked out without authentication.

Our node and Orthanc (the reference) get the same sustained flood, one kind at a time: connections
that send garbage (re-opened as fast as they are closed), TCP connections that never send a byte,
and associations (with a calling AE title the node accepts; AE titles are no secret) that then stay
idle. The flooder re-opens whatever the server closes. Throughout, a legitimate peer sends a C-ECHO
every 0.2 s on a fresh association; each must succeed within 2 s. The figures of both servers are
printed side by side (run with -s to see them); the assertions are on ours.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from net_peers import ORTHANC_AET, WS_AET, need_dcmtk  # noqa: F401

PHASE_S = 6.0
DEADLINE_S = 2.0
FLOOD = {"garbage": 100, "idle-socket": 200, "idle-association": 100}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Flood:
    """Keeps ``n`` hostile connections of one kind open to (host, port), re-opening closed ones."""

    def __init__(self, kind: str, port: int, n: int, calling: str, called: str):
        self.kind, self.port, self.n, self.calling, self.called = kind, port, n, calling, called
        self.stop = threading.Event()
        self.held: list = []
        self.opened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self):
        if self.kind == "idle-association":
            from pynetdicom import AE
            from pynetdicom.sop_class import Verification

            ae = AE(self.calling)
            ae.add_requested_context(Verification)
            ae.acse_timeout = ae.network_timeout = 5
            assoc = ae.associate("127.0.0.1", self.port, ae_title=self.called)
            return assoc if assoc.is_established else None
        s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        if self.kind == "garbage":
            s.sendall(b"\x07\x00GET / HTTP/1.1\r\n\r\n" + bytes(range(256)) * 4)
        return s

    @staticmethod
    def _closed(c) -> bool:
        if hasattr(c, "is_established"):
            return not c.is_established
        try:
            return c.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    @staticmethod
    def _drop(c) -> None:
        try:
            c.abort() if hasattr(c, "abort") else c.close()
        except Exception:  # noqa: BLE001
            pass

    def _run(self):
        while not self.stop.is_set():
            alive = []
            for c in self.held:
                if self._closed(c):
                    self._drop(c)
                else:
                    alive.append(c)
            self.held = alive
            while len(self.held) < self.n and not self.stop.is_set():
                try:
                    c = self._open()
                except OSError:
                    c = None
                self.opened += 1
                if c is not None:
                    self.held.append(c)
                elif self.kind == "idle-association":
                    break  # refused: try again on the next round
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        t_end = time.monotonic() + 30  # let it build up before the first legitimate echo
        while time.monotonic() < t_end and self.opened < self.n:
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)
        for c in self.held:
            self._drop(c)


def _echo(port: int, calling: str, called: str, why: list | None = None) -> float | None:
    """Seconds a fresh association + C-ECHO took, None when it failed or took over the deadline."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    ae = AE(calling)
    ae.add_requested_context(Verification)
    ae.acse_timeout = ae.network_timeout = ae.dimse_timeout = DEADLINE_S
    ae.connection_timeout = DEADLINE_S
    t0 = time.monotonic()
    try:
        assoc = ae.associate("127.0.0.1", port, ae_title=called)
        if not assoc.is_established:
            if why is not None:
                why.append(f"{'rejected' if assoc.is_rejected else 'aborted' if assoc.is_aborted else 'no association'}"
                           f" after {time.monotonic() - t0:.2f} s")
            return None
        st = assoc.send_c_echo()
        assoc.release()
        ok = bool(st) and st.Status == 0
    except Exception as exc:  # noqa: BLE001
        if why is not None:
            why.append(type(exc).__name__)
        return None
    dt = time.monotonic() - t0
    if why is not None and not (ok and dt <= DEADLINE_S):
        why.append(f"status {'ok' if ok else 'failed'} after {dt:.2f} s")
    return dt if ok and dt <= DEADLINE_S else None


def _measure(port, pid, calling, called, flood_calling) -> dict:
    out = {}
    for kind, n in FLOOD.items():
        with Flood(kind, port, n, flood_calling, called) as fl:
            times, failed, why = [], 0, []
            t_end = time.monotonic() + PHASE_S
            while time.monotonic() < t_end:
                dt = _echo(port, calling, called, why)
                if dt is None:
                    failed += 1
                else:
                    times.append(dt)
                time.sleep(0.2)
            out[kind] = {"echoes": len(times) + failed, "failed": failed,
                         "max_s": round(max(times), 3) if times else None,
                         "flood_connections_opened": fl.opened, "flood_held_at_end": len(fl.held),
                         "rss_mb": round(_rss_mb(pid), 1), "why": why[:5]}
        time.sleep(0.5)
    assert _echo(port, calling, called) is not None, "no echo served after the flood"
    return out


def _table(ours, theirs) -> str:
    lines = [f"{'flood':<18} {'ours: failed/echoes':>20} {'max s':>7} {'RSS MB':>7}   "
             f"{'Orthanc: failed/echoes':>22} {'max s':>7} {'RSS MB':>7}"]
    for kind in FLOOD:
        a, b = ours[kind], theirs.get(kind, {})
        lines.append(f"{kind + ' x' + str(FLOOD[kind]):<18} {a['failed']:>9}/{a['echoes']:<10} {a['max_s']!s:>7} "
                     f"{a['rss_mb']:>7}   {b.get('failed', '-')!s:>11}/{b.get('echoes', '-')!s:<10} "
                     f"{b.get('max_s', '-')!s:>7} {b.get('rss_mb', '-')!s:>7}")
    return "\n".join(lines)


@pytest.mark.slow
def test_flood_never_locks_out_a_legitimate_peer(node_factory, orthanc, capsys):
    node = node_factory(allow=("SENDER@127.0.0.1", "LEGIT@127.0.0.1")).start()
    rss0 = _rss_mb(node.proc.pid)
    ours = _measure(node.port, node.proc.pid, "LEGIT", WS_AET, "SENDER")
    theirs = _measure(orthanc.dicom_port, orthanc.proc.pid, WS_AET, ORTHANC_AET, "FLOODER")
    with capsys.disabled():
        print(f"\nflood, {PHASE_S:g} s per kind, echo every 0.2 s, deadline {DEADLINE_S:g} s "
              f"(our node's RSS before: {rss0:.0f} MB)\n" + _table(ours, theirs))
    for kind, r in ours.items():
        assert r["failed"] == 0, f"{kind}: {r['failed']} of {r['echoes']} legitimate echoes failed ({r})"
    assert max(r["rss_mb"] for r in ours.values()) < rss0 + 150, ours
    log = node.log_text()
    assert "Traceback" not in log
    assert "calling AE title not configured" not in log  # overloads are not reported as unknown callers


def test_wrong_called_ae_title_is_rejected(node_factory):
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    node = node_factory().start()
    ae = AE("SENDER")
    ae.add_requested_context(Verification)
    assoc = ae.associate("127.0.0.1", node.port, ae_title="NOT_OURS")
    assert not assoc.is_established
    assert "called AE title" in node.log_text()


def test_malformed_pdus_close_without_a_traceback(node_factory):
    import struct

    node = node_factory().start()
    rq = bytearray(b"\x01\x00" + struct.pack(">I", 68) + b"\x00\x01\x00\x00" + WS_AET.ljust(16).encode()
                   + b"SENDER".ljust(16) + b"\x00" * 32)
    payloads = [bytes(rq[:10]), bytes(rq) + b"\x10\x00\xff\xff", b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 100,
                b"\x01\x00\x00\x00\x00\x02\x00\x01", bytes(rq) + b"\x20\x00\x00\x04\x01\x00\xff\x00" * 3]
    for p in payloads * 4:
        with socket.create_connection(("127.0.0.1", node.port), timeout=2) as s:
            s.sendall(p)
            try:
                s.recv(100)
            except OSError:
                pass
    time.sleep(0.5)
    assert _echo(node.port, "SENDER", WS_AET) is not None
    assert "Traceback" not in node.log_text()
