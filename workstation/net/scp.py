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

TLS: with an ``ssl_context`` (see :mod:`workstation.net.tls`) the node accepts TLS connections only. An unknown SOP class is
refused at association negotiation (its presentation context is not accepted).
"""

from __future__ import annotations

import fnmatch
import logging
import threading

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
                 max_associations: int = 64, max_instance_bytes: int | None = None, ssl_context=None):
        self.ae_title, self.host, self.port = ae_title, host, int(port)
        self.allowed = list(allowed or [])
        self.store, self.db = store, db
        self.max_associations = int(max_associations)
        self.max_instance_bytes = int(max_instance_bytes) if max_instance_bytes else None
        self.ssl_context = ssl_context
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
        try:
            data = self._received_bytes(evt)
        except Exception as exc:  # noqa: BLE001 - malformed request: refuse, stay up
            log.warning("C-STORE from %s: cannot encode the received dataset (%s)", aet, type(exc).__name__)
            self.db.audit("rejected", peer_ae=aet, peer_host=host, sop_instance_uid=sop,
                          status=STATUS_CANNOT_UNDERSTAND, detail="undecodable dataset")
            return STATUS_CANNOT_UNDERSTAND
        try:
            stored = self.store.store_bytes(data, audit=dict(event="store-received", peer_ae=aet, peer_host=host,
                                                             status=STATUS_SUCCESS))
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
        log.warning("association from %s@%s rejected (calling AE title not configured)", aet, host)
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
        ae.maximum_associations = self.max_associations
        # PDUs of at most 1 MiB: a received PDU is held whole in memory, so an unlimited size would let
        # one huge instance arrive as one huge PDU (chunked receive bounds memory only per PDU)
        ae.maximum_pdu_size = MAX_PDU_BYTES
        ae.network_timeout = 60
        ae.acse_timeout = 30
        ae.dimse_timeout = 60
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

    def start(self, block: bool = False):
        from pynetdicom import evt

        ae = self.build_ae()
        handlers = [(evt.EVT_C_ECHO, self._on_echo), (evt.EVT_C_STORE, self._on_store),
                    (evt.EVT_REJECTED, self._on_rejected), (evt.EVT_ABORTED, self._on_aborted)]
        log.info("storage SCP %s listening on %s:%d%s (%d peers allowed)", self.ae_title, self.host, self.port,
                 " over TLS" if self.ssl_context is not None else "", len(self.allowed))
        self._server = ae.start_server((self.host, self.port), block=block, evt_handlers=handlers,
                                       ssl_context=self.ssl_context)
        return self._server

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None


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
