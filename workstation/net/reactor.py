"""Event-driven acceptor associations for the node: pynetdicom's, without its 1 ms polling loops.

Why: every pynetdicom association runs two threads, its DUL reactor and its association reactor, and
both poll: each loop that finds nothing to do sleeps 1 ms and looks again. With 50 peers sending at
once that is 100 threads waking 1,000 times a second each, all fighting for the GIL; profiled under
``bench/bench_node.py``, those two ``time.sleep(0.001)`` lines held 48 % of the node's samples, and
deep-copying the ~150 supported presentation contexts for every new association (pydicom revalidates
every UID while copying) another 17 %.

Here both threads block until there is work:

* the DUL thread waits in ``select`` on its socket and on a wake-up pipe; whatever another thread puts
  in the DUL's queues (a response to send, an event, a request to stop) writes one byte to that pipe;
* the association thread waits on an :class:`threading.Event` that is set whenever a DIMSE message or
  an ACSE primitive (release, abort) is handed to it, or the DUL thread ends;
* both still wake at least every ``_MAX_WAIT_S`` to look at their timers (ARTIM, network idle timeout),
  so every timeout of pynetdicom behaves as before, to that granularity;
* a complete C-STORE or C-ECHO request is served by the DUL thread itself, the moment its last fragment
  is decoded, and its response sent by that same thread: no hand-over between threads per instance
  (C-FIND/C-GET/C-MOVE still go to the association thread: they read more messages while they run);
* ``recv`` asks the kernel for the whole rest of a PDU at once, not 4 KiB at a time.

Everything else (state machine, PDU decoding, negotiation, the service classes, the handlers) is
pynetdicom's own code, unchanged. The supported contexts are copied once per server, not per
association; negotiation only reads them.

Tied to pynetdicom 3.0's internals (``DULServiceProvider.run_reactor``, ``Association._run_reactor``):
:func:`available` checks the attributes this needs and the node falls back to stock pynetdicom when
they are missing.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import threading
import time

_MAX_WAIT_S = 0.2  # the longest either thread sleeps without looking at its timers
_RECV_MAX = 1 << 20  # bytes asked of the kernel per recv call
_INLINE = ("C_STORE", "C_ECHO")  # requests served in the DUL thread itself (no hand-over between threads)


def available() -> bool:
    """Does the installed pynetdicom have the internals the event-driven reactors replace?"""
    try:
        import pynetdicom
        from pynetdicom.association import Association
        from pynetdicom.dul import DULServiceProvider
    except ImportError:
        return False
    if not str(getattr(pynetdicom, "__version__", "")).startswith("3.0."):  # written and tested against 3.0.x; another release falls back to stock pynetdicom
        return False
    return all(hasattr(DULServiceProvider, n) for n in ("run_reactor", "_process_recv_primitive",
                                                        "_is_transport_event", "stop_dul")) \
        and hasattr(Association, "_run_reactor")


class _NotifyingQueue(queue.Queue):
    """A queue that calls ``notify()`` after every put (from any thread)."""

    def __init__(self, notify):
        super().__init__()
        self._notify = notify

    def _put(self, item):
        super()._put(item)
        self._notify()


def classes():
    """(association class, DUL class, socket class), built on first use: pynetdicom is imported only when a node starts."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _build()
    return _CLASSES


_CLASSES = None


def _build():
    from pynetdicom import evt
    from pynetdicom.association import Association
    from pynetdicom.dul import DULServiceProvider
    from pynetdicom.pdu import A_ABORT_RQ

    log = logging.getLogger("pynetdicom")

    def _standard_handlers():
        from pynetdicom import _handlers

        return [(evt.EVT_DIMSE_RECV, _handlers.standard_dimse_recv_handler),
                (evt.EVT_DIMSE_SENT, _handlers.standard_dimse_sent_handler),
                (evt.EVT_PDU_RECV, _handlers.standard_pdu_recv_handler),
                (evt.EVT_PDU_SENT, _handlers.standard_pdu_sent_handler)]

    class EventDUL(DULServiceProvider):
        """The DUL reactor, sleeping in ``select`` (socket + wake-up pipe) instead of polling."""

        def __init__(self, assoc):
            super().__init__(assoc)
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_r, False)
            os.set_blocking(self._wake_w, False)
            self._wake_lock = threading.Lock()
            self.event_queue = _NotifyingQueue(self.wake)
            self.to_provider_queue = _NotifyingQueue(self.wake)
            self.to_user_queue = _NotifyingQueue(assoc._wake_reactor)

        def wake(self) -> None:
            if threading.current_thread() is self:
                return  # the DUL thread itself looks at its queues before it sleeps again
            with self._wake_lock:  # never write after close: the descriptor number may be reused by then
                if self._wake_w is not None:
                    try:
                        os.write(self._wake_w, b"\0")
                    except OSError:  # full (a wake-up is pending anyway)
                        pass

        def _close_wake(self) -> None:
            with self._wake_lock:
                for fd in (self._wake_r, self._wake_w):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                self._wake_w = None

        def __del__(self):  # a DUL whose thread never ran
            if getattr(self, "_wake_w", None) is not None:
                self._close_wake()

        def _wait(self) -> None:
            """Sleep until the socket has data, another thread wakes us, or _MAX_WAIT_S has passed (the
            timers are looked at after every wake-up)."""
            fds = [self._wake_r]
            raw = getattr(self.socket, "socket", None) if self.socket is not None else None
            if raw is not None:
                pending = getattr(raw, "pending", None)  # TLS: bytes already decrypted, select cannot see them
                if pending is not None and pending():
                    return
                try:
                    fd = raw.fileno()
                except (OSError, ValueError):
                    return  # closed under us: let the state machine see it
                if fd < 0:
                    return
                fds.append(fd)
            try:
                select.select(fds, [], [], _MAX_WAIT_S)
            except (OSError, ValueError):
                return
            try:
                while os.read(self._wake_r, 4096):
                    pass
            except (BlockingIOError, OSError):
                pass

        def run_reactor(self) -> None:  # pynetdicom's loop, with the 1 ms sleep replaced by _wait()
            self._idle_timer.start()
            try:
                while True:
                    if not self.assoc._dul_ready.is_set():
                        self.assoc._dul_ready.set()
                    if self._kill_thread:
                        break
                    if self.artim_timer.expired:
                        self.event_queue.put("Evt18")
                    try:
                        if self._process_recv_primitive():
                            pass
                        elif self._is_transport_event():
                            self._idle_timer.restart()
                    except Exception as exc:  # noqa: BLE001 - as pynetdicom: abort the association
                        log.error("Exception in DUL.run(), aborting association")
                        log.exception(exc)
                        abort_pdu = A_ABORT_RQ()
                        abort_pdu.source = 0x02
                        abort_pdu.reason_diagnostic = 0x00
                        self.socket.send(abort_pdu.encode())
                        self.assoc.is_aborted = True
                        self.assoc.is_established = False
                        self.assoc._kill = True
                        self._kill_thread = True
                        return
                    try:
                        event = self.event_queue.get(block=False)
                    except queue.Empty:
                        if self.to_provider_queue.empty():
                            self._wait()
                        continue
                    self.state_machine.do_action(event)
                    if self.assoc.dimse.msg_queue.qsize():
                        self._serve_here()
            finally:
                self._close_wake()
                self.assoc._wake_reactor()

        def _serve_here(self) -> None:
            """Serve a C-STORE or C-ECHO request right here in the DUL thread, the moment it is complete;
            anything else (C-FIND, C-GET, C-MOVE: they read further messages, or C-CANCELs, from this
            association while they run) is left to the association thread, woken for it."""
            assoc = self.assoc
            q = assoc.dimse.msg_queue
            while True:
                with q.mutex:
                    if not q.queue:
                        return
                    cid, msg = q.queue[0]
                    inline = (type(msg).__name__ in _INLINE and getattr(msg, "is_valid_request", False)
                              and assoc.is_established and not assoc._kill)
                    if not inline:
                        break
                    q.queue.popleft()
                try:
                    assoc._serve_request(msg, cid)
                except Exception as exc:  # noqa: BLE001 - as in the association thread: log, abort
                    log.error("Exception serving %s in the DUL thread (%s), aborting association",
                              type(msg).__name__, type(exc).__name__)
                    assoc._kill = True
                    self._kill_thread = True
                    return
            assoc._wake_reactor()

        def kill_dul(self) -> None:
            self._kill_thread = True
            self.wake()

        def stop_dul(self) -> bool:
            if self.state_machine.current_state == "Sta1":
                self._kill_thread = True
                self.wake()
                if threading.current_thread() is not self:
                    self.join()
                return True
            return False

    class EventAssociation(Association):
        """An acceptor association whose reactor waits for work instead of polling every 1 ms."""

        def __init__(self, ae, mode):
            self._wake_event = threading.Event()
            super().__init__(ae, mode)
            self.dul = EventDUL(self)
            self.dimse.msg_queue = _NotifyingQueue(self._on_dimse_message)
            # the timeouts live in the DUL's timers: set them again on the new DUL
            self.acse_timeout = self.acse_timeout
            self.network_timeout = self.network_timeout

        def drop_quiet_log_handlers(self) -> None:
            """Unbind pynetdicom's "standard" logging handlers when their lines would be dropped anyway.

            They only write INFO/DEBUG lines (workstation.net.logs lowers pynetdicom to WARNING), and each
            first takes the AE's one lock, which serialised every PDU of every association. Call it after
            the server's handlers are bound (the server binds them too)."""
            if log.isEnabledFor(logging.INFO):
                return
            for event, handler in _standard_handlers():
                self.unbind(event, handler)

        def _wake_reactor(self) -> None:
            self._wake_event.set()

        def _on_dimse_message(self) -> None:
            # put by the DUL thread (the usual case): it serves C-STORE/C-ECHO itself right after, and
            # wakes this thread for anything else (EventDUL._serve_here)
            if threading.current_thread() is not self.dul:
                self._wake_event.set()

        def kill(self) -> None:
            self._reactor_checkpoint.set()
            self._kill = True
            self.is_established = False
            self._is_paused = True
            self._wake_event.set()
            while self.dul.is_alive() and not self.dul.stop_dul():
                time.sleep(0.01)

        def _run_reactor(self) -> None:  # pynetdicom's loop, with the 1 ms sleep replaced by an event
            self._is_paused = False
            while not self._kill:
                self._wake_event.wait(_MAX_WAIT_S)
                self._wake_event.clear()  # before looking: a wake-up after this point is not lost

                self._is_paused = True
                self._reactor_checkpoint.wait()
                self._is_paused = False

                context_id, msg = self.dimse.get_msg(block=False)
                if msg:
                    self._serve_request(msg, context_id)
                    self._wake_event.set()  # more may have come meanwhile

                if self.is_established and self.acse.is_release_requested():
                    self.acse.send_release(is_response=True)
                    log.info("Association Released")
                    self.is_released = True
                    self.is_established = False
                    evt.trigger(self, evt.EVT_RELEASED, {})
                    self.kill()
                    return

                if self.acse.is_aborted():
                    log_msg = "Association Aborted"
                    if self.acse.is_aborted("a-p-abort"):
                        log_msg += " (A-P-ABORT)"
                    log.info(log_msg)
                    self.dul.receive_pdu(wait=False)
                    self.is_aborted = True
                    self.is_established = False
                    evt.trigger(self, evt.EVT_ABORTED, {})
                    self.kill()
                    return

                if not self.dul.is_alive():
                    self.kill()
                    return

                if self.dul.idle_timer_expired():
                    log.error("Network timeout reached")
                    if self.network_timeout_response == "A-RELEASE":
                        self._is_paused = True
                        self._reactor_checkpoint.wait()
                        self.release()
                        self._is_paused = False
                    else:
                        self.abort()
                    self.kill()
                    return

    from pynetdicom.transport import AssociationSocket

    class WholeReadSocket(AssociationSocket):
        """``recv(n)`` asks the kernel for all that is still missing at once, up to 1 MiB a call
        (pynetdicom asks 4 KiB at a time): one system call, so one release and re-acquisition of the
        GIL, per PDU in most cases. Never allocates what the peer announced before it has arrived (a
        hostile PDU header can announce 4 GiB)."""

        def recv(self, nr_bytes: int) -> bytearray:
            buf = bytearray()
            while len(buf) < nr_bytes:
                part = self.socket.recv(min(nr_bytes - len(buf), _RECV_MAX))
                if not part:  # the connection is broken: what we have so far (as pynetdicom)
                    return buf
                buf += part
            return buf

    return EventAssociation, EventDUL, WholeReadSocket
