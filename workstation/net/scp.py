"""Our storage and verification SCP (pynetdicom), meant to run as its own process.

Security: only configured peers may associate. The calling AE title is checked during association
negotiation (unknown titles are rejected with "calling AE title not recognised"), and the peer's
address is checked in every service handler (a known title from an unexpected host gets the status
0x0124 "Refused: not authorized"). Every stored, duplicate or refused instance is written to the
audit trail by UID.

Status codes answered to C-STORE: 0x0000 once the file is on disk and indexed (never before);
0xA900 for a dataset without valid UIDs; 0xC210 for bytes that cannot be decoded; 0xA700 when
writing fails (disk full, ...) or when the instance is larger than the configured limit
(``max_instance_bytes``); 0x0124 for an address that is not allowed.

Memory: received datasets are streamed to a temporary file as their fragments arrive (pynetdicom's
chunked receive), so a huge instance costs disk, not memory; its size is checked before it is read,
and one over the limit is refused without being read at all.

Speed: associations use the event-driven reactors of :mod:`workstation.net.reactor` (no 1 ms polling;
C-STORE served in the thread that reads the socket); the streamed temporary file is fsynced and renamed
into the store when it is on the same file system (:meth:`ManagedStore.adopt_file`), copied otherwise;
the index is written in batches by one thread (``group_commit``). ``bench/bench_node.py`` measures it
against Orthanc.

TLS: with an ``ssl_context`` (see :mod:`workstation.net.tls`) the node accepts TLS connections only. An unknown SOP class is
refused at association negotiation (its presentation context is not accepted).

Floods (no authentication is needed to open a TCP connection, and AE titles are no secret): every
connection passes a :class:`ConnectionGuard` before pynetdicom sees it.

* A connection must send the first bytes of an A-ASSOCIATE-RQ (PDU type 0x01) within
  ``handshake_s`` (default 5 s; the TLS handshake included, done in the connection's own thread,
  never in the accept loop); anything else is closed at once, without a traceback.
* Global and per-peer (per address) limits on open connections. When a limit is reached, room is
  made by closing the connection that has waited longest without associating, else the association
  idle the longest (no PDU for ``evict_idle_s``, default 1 s); only when every slot is busy with
  live work is the newcomer refused, and that is logged as an overload. A flood of garbage, idle
  sockets or idle associations therefore never locks a legitimate peer out.
* Associations idle for ``network_timeout`` are aborted; the called AE title must be ours.
* An exception in an association's thread (a malformed PDU) is one log line, never a traceback.
"""

from __future__ import annotations

import fnmatch
import logging
import select
import socket
import threading
import time

from workstation.io.db import StudyDB

from workstation.net.logs import install_phi_filter, net_logger
from workstation.io.store import ManagedStore, StoreError

log = net_logger()

MAX_PDU_BYTES = 1 << 20
STATUS_SUCCESS = 0x0000
STATUS_NOT_AUTHORIZED = 0x0124
STATUS_OUT_OF_RESOURCES = 0xA700
STATUS_DATASET_MISMATCH = 0xA900
STATUS_CANNOT_UNDERSTAND = 0xC210


def _host_allowed(allowed: list[tuple[str, str]], aet: str, host: str) -> bool:
    for a, h in allowed:
        if a == aet and (h == "*" or h == host or fnmatch.fnmatch(host, h)):
            return True
    return False


def received_path(evt):
    """The temporary file a C-STORE dataset was streamed into (chunked receive), else None."""
    try:
        path = evt.dataset_path
    except AttributeError:
        return None
    return path if hasattr(path, "stat") else None


def received_bytes(evt) -> bytes:
    """A received C-STORE dataset as the bytes of a DICOM file (preamble, meta, dataset)."""
    path = received_path(evt)
    if path is not None:  # chunked receive: pynetdicom wrote preamble, meta and dataset there
        return path.read_bytes()
    return evt.encoded_dataset(include_meta=True)


class StorageNode:
    """Storage + verification SCP writing into a :class:`ManagedStore`."""

    def __init__(self, ae_title: str, port: int, *, host: str = "127.0.0.1",
                 allowed: list[tuple[str, str]] | None = None, store: ManagedStore, db: StudyDB,
                 max_associations: int = 64, max_instance_bytes: int | None = None, ssl_context=None,
                 max_per_peer: int | None = None, handshake_s: float = 5.0, evict_idle_s: float = 1.0,
                 idle_timeout_s: float = 30.0):
        self.ae_title, self.host, self.port = ae_title, host, int(port)
        self.allowed = list(allowed or [])
        self.store, self.db = store, db
        self.max_associations = int(max_associations)
        self.max_instance_bytes = int(max_instance_bytes) if max_instance_bytes else None
        self.ssl_context = ssl_context
        # per address: all slots but 8, so that one address cannot take them all from the others
        self.max_per_peer = int(max_per_peer) if max_per_peer else max(1, self.max_associations - 8)
        self.handshake_s, self.evict_idle_s, self.idle_timeout_s = handshake_s, evict_idle_s, idle_timeout_s
        self.guard = None
        self._server = None
        self.received = 0
        self._count_lock = threading.Lock()

    # ------------------------------------------------------------------ handlers
    def _peer(self, evt) -> tuple[str, str]:
        rq = evt.assoc.requestor
        return str(rq.ae_title).strip(), str(rq.address)

    def _authorised(self, evt) -> bool:
        aet, host = self._peer(evt)
        return _host_allowed(self.allowed, aet, host)

    def _on_echo(self, evt):
        if not self._authorised(evt):
            aet, host = self._peer(evt)
            self.db.audit("rejected", peer_ae=aet, peer_host=host, status=STATUS_NOT_AUTHORIZED,
                          detail="C-ECHO from an address not allowed for this AE title")
            return STATUS_NOT_AUTHORIZED
        return STATUS_SUCCESS

    def _on_store(self, evt):
        aet, host = self._peer(evt)
        sop = str(getattr(evt.request, "AffectedSOPInstanceUID", "") or "")
        if not self._authorised(evt):
            self.db.audit("rejected", peer_ae=aet, peer_host=host, sop_instance_uid=sop,
                          status=STATUS_NOT_AUTHORIZED, detail="C-STORE from an address not allowed")
            return STATUS_NOT_AUTHORIZED
        too_big = self._too_big(evt)
        if too_big is not None:
            log.warning("C-STORE from %s refused: the instance is %.1f MB, over the limit of %.1f MB "
                        "(max_instance_mb in the node settings)", aet, too_big / 1e6, self.max_instance_bytes / 1e6)
            self.db.audit("rejected", peer_ae=aet, peer_host=host, sop_instance_uid=sop,
                          status=STATUS_OUT_OF_RESOURCES, detail=f"instance of {too_big} bytes over the size limit")
            return STATUS_OUT_OF_RESOURCES
        path = received_path(evt)
        data = None
        if path is None:  # not streamed (chunked receive off): the dataset is already in memory
            try:
                data = self._received_bytes(evt)
            except Exception as exc:  # noqa: BLE001 - malformed request: refuse, stay up
                log.warning("C-STORE from %s: cannot encode the received dataset (%s)", aet, type(exc).__name__)
                self.db.audit("rejected", peer_ae=aet, peer_host=host, sop_instance_uid=sop,
                              status=STATUS_CANNOT_UNDERSTAND, detail="undecodable dataset")
                return STATUS_CANNOT_UNDERSTAND
        audit = dict(event="store-received", peer_ae=aet, peer_host=host, status=STATUS_SUCCESS)
        try:
            # streamed: pynetdicom's temporary file is renamed into the store (copied in 1 MiB pieces when
            # it is on another file system), never read whole
            if data is None:
                self.store.adopt_file(path, audit=audit)
            else:
                self.store.store_bytes(data, audit=audit)
        except StoreError as exc:
            log.warning("C-STORE from %s refused: %s", aet, exc)
            self.db.audit("rejected", peer_ae=aet, peer_host=host, sop_instance_uid=sop,
                          status=STATUS_DATASET_MISMATCH, detail=str(exc))
            return STATUS_DATASET_MISMATCH
        except OSError as exc:
            log.error("C-STORE from %s: cannot write to the store (%s)", aet, exc.strerror or type(exc).__name__)
            return STATUS_OUT_OF_RESOURCES
        with self._count_lock:
            self.received += 1
        return STATUS_SUCCESS

    def _too_big(self, evt) -> int | None:
        """The received size in bytes when it is over the limit, else None."""
        if not self.max_instance_bytes:
            return None
        path = received_path(evt)
        size = path.stat().st_size if path is not None else len(evt.request.DataSet.getbuffer())
        return size if size > self.max_instance_bytes else None

    def _received_bytes(self, evt) -> bytes:
        return received_bytes(evt)

    def _on_rejected(self, evt):
        aet, host = self._peer(evt)
        called = str(getattr(getattr(evt.assoc.requestor, "primitive", None), "called_ae_title", "") or "").strip()
        if aet not in {a for a, _h in self.allowed}:
            why = "calling AE title not configured"
        elif called != self.ae_title:
            why = f"called AE title {called!r} is not ours ({self.ae_title})"
        else:
            why = "overload: the association limit is reached"
        log.warning("association from %s@%s rejected (%s)", aet, host, why)
        try:
            self.db.audit("rejected", peer_ae=aet, peer_host=host, detail="association rejected")
        except Exception:  # noqa: BLE001 - auditing must not take the node down
            pass

    def _on_aborted(self, evt):
        aet, host = self._peer(evt)
        log.warning("association from %s@%s aborted", aet, host)

    # ------------------------------------------------------------------ lifecycle
    def build_ae(self):
        from pynetdicom import ALL_TRANSFER_SYNTAXES, AE, AllStoragePresentationContexts, _config
        from pynetdicom.sop_class import Verification

        install_phi_filter()
        _config.STORE_RECV_CHUNKED_DATASET = True  # datasets stream to disk as they arrive: bounded memory
        ae = AE(ae_title=self.ae_title)
        # admission is the ConnectionGuard's (it evicts idle ones before refusing); pynetdicom's own limit
        # only backs it up, above it, so that it never rejects what the guard let in
        ae.maximum_associations = self.max_associations + 8
        # PDUs of at most 1 MiB: a received PDU is held whole in memory, so an unlimited size would let
        # one huge instance arrive as one huge PDU (chunked receive bounds memory only per PDU)
        ae.maximum_pdu_size = MAX_PDU_BYTES
        ae.network_timeout = self.idle_timeout_s  # an association silent this long is aborted
        ae.acse_timeout = 10  # A-ASSOCIATE-RQ to answer, A-RELEASE-RP
        ae.dimse_timeout = 60
        ae.require_called_aet = True  # a peer calling another AE title is rejected
        titles = sorted({a for a, _h in self.allowed})
        if not titles:  # nobody is allowed: an unguessable title (and every handler refuses anyway)
            import secrets

            log.warning("no peers configured: every association will be rejected "
                        "(`workstation node add` or `--allow AET@HOST`)")
            titles = [secrets.token_hex(8)]
        ae.require_calling_aet = titles
        for cx in AllStoragePresentationContexts:
            ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES)
        ae.add_supported_context(Verification)
        return ae

    description = "storage SCP"  # what the log calls this node

    def handlers(self) -> list:
        """The DIMSE event handlers (a subclass adds its services); the connection guard adds its own."""
        from pynetdicom import evt

        return [(evt.EVT_C_ECHO, self._on_echo), (evt.EVT_C_STORE, self._on_store),
                (evt.EVT_REJECTED, self._on_rejected), (evt.EVT_ABORTED, self._on_aborted)]

    def start(self, block: bool = False):
        from pynetdicom import evt

        install_thread_excepthook()
        ae = self.build_ae()
        guard = ConnectionGuard(self.max_associations, self.max_per_peer, handshake_s=self.handshake_s,
                                evict_idle_s=self.evict_idle_s)
        self.guard = guard
        handlers = self.handlers() + [(evt.EVT_CONN_CLOSE, guard.on_conn_close)]
        log.info("%s %s listening on %s:%d%s (%d peers allowed; at most %d connections, %d per address)",
                 self.description, self.ae_title, self.host, self.port, " over TLS" if self.ssl_context is not None else "",
                 len(self.allowed), self.max_associations, self.max_per_peer)
        server = ae.make_server((self.host, self.port), evt_handlers=handlers, ssl_context=self.ssl_context,
                                server_class=_make_server_class(), request_handler=_GuardedRequestHandler)
        server.guard = guard
        ae._servers.append(server)  # as AE.start_server does: its shutdown() takes it out of that list again
        _prepare_contexts(server)  # before the first peer: not while 50 of them are waiting
        self._server = server
        if block:
            server.serve_forever()
            return None
        threading.Thread(target=server.serve_forever, name=f"AcceptorServer:{self.port}", daemon=True).start()
        return server

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None


# ---------------------------------------------------------------------- flood guard
A_ASSOCIATE_RQ = 0x01


def _idle_seconds(assoc) -> float:
    """Seconds since the association last received a PDU (pynetdicom's network idle timer)."""
    try:
        timer = assoc.dul._idle_timer
        if timer._start_time is None or timer.timeout is None:
            return 0.0
        return max(0.0, timer.timeout - timer.remaining)
    except AttributeError:
        return 0.0


class ConnectionGuard:
    """Admission control in front of pynetdicom: limits, eviction of idle connections (module doc)."""

    def __init__(self, max_total: int, max_per_peer: int, handshake_s: float = 5.0, evict_idle_s: float = 1.0):
        self.max_total, self.max_per_peer = int(max_total), int(max_per_peer)
        self.handshake_s, self.evict_idle_s = float(handshake_s), float(evict_idle_s)
        self._lock = threading.Lock()
        self._pending: dict[int, tuple[socket.socket, str, float]] = {}  # id(sock) -> (sock, address, since)
        self._assocs: dict[int, tuple[object, str]] = {}  # id(assoc) -> (assoc, address)
        self.counts = {"admitted": 0, "refused": 0, "evicted_pending": 0, "evicted_idle": 0, "not_dicom": 0,
                       "timeouts": 0}
        self._last_overload_log = 0.0

    # the accept loop: verify_request
    def admit(self, sock, address: str) -> bool:
        victims_pending, victims_assoc = [], []
        with self._lock:
            self._assocs = {k: v for k, v in self._assocs.items() if _assoc_alive(v[0])}
            while True:
                total = len(self._pending) + len(self._assocs)
                mine = (sum(1 for _s, a, _t in self._pending.values() if a == address)
                        + sum(1 for _x, a in self._assocs.values() if a == address))
                if total < self.max_total and mine < self.max_per_peer:
                    break
                only = address if total < self.max_total else None  # per-address limit: make room among its own
                victim = self._oldest_pending(only)
                if victim is not None:
                    victims_pending.append(self._pending.pop(victim)[0])
                    self.counts["evicted_pending"] += 1
                    continue
                victim = self._idlest_association(only)
                if victim is not None:
                    victims_assoc.append(self._assocs.pop(victim)[0])
                    self.counts["evicted_idle"] += 1
                    continue
                self.counts["refused"] += 1
                now = time.monotonic()
                if now - self._last_overload_log > 5:
                    self._last_overload_log = now
                    log.warning("overload: refusing a connection from %s (%d connections open, %d from it; limits "
                                "%d and %d per address; %d refused so far)", address, total, mine, self.max_total,
                                self.max_per_peer, self.counts["refused"])
                return False
            self._pending[id(sock)] = (sock, address, time.monotonic())
            self.counts["admitted"] += 1
        for s in victims_pending:  # shut down only: the connection's own thread sees EOF and closes it
            _shutdown(s)
        for a in victims_assoc:
            threading.Thread(target=_abort_quietly, args=(a,), daemon=True).start()
        return True

    def _oldest_pending(self, address: str | None):
        """The connection waiting longest without having sent an A-ASSOCIATE-RQ; one whose request has
        already arrived (its thread has not run yet, on a loaded machine) is a peer, never evicted."""
        best = None
        for k, (s, a, t) in self._pending.items():
            if (address is None or a == address) and (best is None or t < self._pending[best][2]) \
                    and not _request_waiting(s):
                best = k
        return best

    def _idlest_association(self, address: str | None):
        best, best_idle = None, self.evict_idle_s
        for k, (assoc, a) in self._assocs.items():
            if address is not None and a != address:
                continue
            idle = _idle_seconds(assoc)
            if idle >= best_idle:
                best, best_idle = k, idle
        return best

    def associated(self, sock, assoc, address: str) -> None:
        with self._lock:
            self._pending.pop(id(sock), None)
            self._assocs[id(assoc)] = (assoc, address)

    def dropped(self, sock) -> None:
        with self._lock:
            self._pending.pop(id(sock), None)

    def on_conn_close(self, evt) -> None:
        with self._lock:
            self._assocs.pop(id(evt.assoc), None)

    def wait_for_request(self, sock, ssl_context=None):
        """The connection, TLS-wrapped when asked, once the first byte of an A-ASSOCIATE-RQ has come
        within ``handshake_s``; None (closed) for silence, garbage or a failed TLS handshake."""
        deadline = time.monotonic() + self.handshake_s
        try:
            sock.settimeout(self.handshake_s)
            if ssl_context is not None:
                sock = ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                sock.do_handshake()
                # TLS cannot peek: wait until the request has come (its type is pynetdicom's to check)
                if not sock.pending():
                    ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
                    if not ready:
                        raise socket.timeout
            else:
                first = sock.recv(1, socket.MSG_PEEK)
                if not first or first[0] != A_ASSOCIATE_RQ:
                    raise _NotDicom
            sock.settimeout(None)
            return sock
        except _NotDicom:
            self.counts["not_dicom"] += 1
        except (socket.timeout, TimeoutError):
            self.counts["timeouts"] += 1
        except (OSError, ValueError):
            pass
        _close(sock)
        return None


class _NotDicom(Exception):
    pass


def _request_waiting(sock) -> bool:
    """Has the first byte of an A-ASSOCIATE-RQ arrived on ``sock``? (peeked, nothing consumed)"""
    try:  # poll first: the socket has a timeout, and recv would wait for it (in the accept loop)
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        if not poller.poll(0):
            return False
        first = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (OSError, ValueError):  # closed, or a TLS socket (no peeking): not protected
        return False
    return bool(first) and first[0] == A_ASSOCIATE_RQ


def _assoc_alive(assoc) -> bool:
    try:
        return assoc.is_alive() and not assoc.is_released and not assoc.is_aborted
    except AttributeError:
        return False


def _shutdown(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _close(sock) -> None:
    _shutdown(sock)
    try:
        sock.close()
    except OSError:
        pass


def _abort_quietly(assoc) -> None:
    try:
        assoc.abort()
    except Exception:  # noqa: BLE001 - it may have ended meanwhile
        pass


def _make_server_class():
    from pynetdicom.transport import ThreadedAssociationServer

    class GuardedAssociationServer(ThreadedAssociationServer):
        guard: ConnectionGuard
        request_queue_size = 128

        def get_request(self):
            # accept only: the TLS handshake is done in the connection's thread (a client that never
            # finishes it would otherwise stall this accept loop for everybody)
            return self.socket.accept()

        def verify_request(self, request, client_address) -> bool:
            return self.guard.admit(request, client_address[0])

        def process_request_thread(self, request, client_address):
            sock = self.guard.wait_for_request(request, self.ssl_context)
            if sock is None:
                self.guard.dropped(request)
                return
            try:
                self.finish_request((sock, request), client_address)
            except Exception as exc:  # noqa: BLE001 - one line, never a traceback
                log.warning("connection from %s closed: %s", client_address[0], type(exc).__name__)
                self.guard.dropped(request)
                _close(sock)

    return GuardedAssociationServer


def _guarded_handler_class():
    from pynetdicom import evt
    from pynetdicom.transport import RequestHandler

    from workstation.net import reactor

    class GuardedRequestHandler(RequestHandler):
        def __init__(self, request, client_address, server):
            self._raw = request[1]
            super().__init__(request[0], client_address, server)

        def _create_association(self):
            if not reactor.available():
                return super()._create_association()
            return _create_event_association(self, *reactor.classes())

        def handle(self):
            assoc = self._create_association()
            self.server.guard.associated(self._raw, assoc, self.client_address[0])
            evt.trigger(assoc, evt.EVT_CONN_OPEN, {"address": self.client_address})
            assoc.start()

    return GuardedRequestHandler


def _prepare_contexts(server) -> list:
    """The server's supported presentation contexts, copied once (read-only from then on)."""
    contexts = getattr(server, "_ws_contexts", None)
    if contexts is None:
        from copy import deepcopy

        contexts = server._ws_contexts = deepcopy(server.contexts)
    return contexts


def _create_event_association(handler, assoc_class, _dul_class, socket_class):
    """pynetdicom's ``RequestHandler._create_association`` with the event-driven association
    (:mod:`workstation.net.reactor`) and the supported contexts copied once per server: negotiation only
    reads them, and copying ~150 contexts for every association was a sixth of the node's time."""
    from datetime import datetime

    from pynetdicom import evt
    from pynetdicom._globals import MODE_ACCEPTOR
    server = handler.server
    contexts = _prepare_contexts(server)
    assoc = assoc_class(handler.ae, MODE_ACCEPTOR)
    assoc._server = server
    assoc.name = f"AcceptorThread@{datetime.now():%Y%m%d%H%M%S}"
    assoc.set_socket(socket_class(assoc, client_socket=handler.request))
    assoc.acceptor.maximum_length = handler.ae.maximum_pdu_size
    assoc.acceptor.ae_title = server.ae_title
    assoc.acceptor.address_info = handler.local
    assoc.acceptor.implementation_class_uid = handler.ae.implementation_class_uid
    assoc.acceptor.implementation_version_name = handler.ae.implementation_version_name
    assoc.acceptor.supported_contexts = list(contexts)
    assoc.requestor.address_info = handler.remote
    for event, bound in server._handlers.items():
        if event.is_intervention and bound:
            assoc.bind(event, *bound)
        elif isinstance(event, evt.NotificationEvent):
            for h in bound:
                assoc.bind(event, h[0], h[1])
    assoc.drop_quiet_log_handlers()
    return assoc


class _LazyHandler:
    """The request handler class, built on first use (pynetdicom is imported only when the node starts)."""

    _cls = None

    def __call__(self, *args, **kwargs):
        if _LazyHandler._cls is None:
            _LazyHandler._cls = _guarded_handler_class()
        return _LazyHandler._cls(*args, **kwargs)


_GuardedRequestHandler = _LazyHandler()


def install_thread_excepthook() -> None:
    """An exception that ends an association's thread (a malformed PDU) is one log line, no traceback."""
    if getattr(threading.excepthook, "_workstation", False):
        return

    def hook(args):
        if args.exc_type is SystemExit:
            return
        log.warning("connection thread %s ended on %s (malformed or interrupted PDU); the node goes on",
                    getattr(args.thread, "name", "?"), args.exc_type.__name__)

    hook._workstation = True
    threading.excepthook = hook


def configure_node_logging(log_path) -> None:
    """One rotating log file for the node process; the PHI filter on the handler itself too."""
    from logging.handlers import RotatingFileHandler

    from workstation.net.logs import PhiFilter

    handler = RotatingFileHandler(str(log_path), maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PhiFilter(min_level=logging.INFO))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    install_phi_filter()
