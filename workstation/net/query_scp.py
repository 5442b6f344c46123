"""Our node answers queries: C-FIND, C-GET and C-MOVE as SCP, from the study database and the managed store.

:class:`QueryNode` is the storage node (:class:`workstation.net.scp.StorageNode`) plus the
Query/Retrieve service (PS3.4 Annex C), Patient Root and Study Root information models:

- C-FIND at the PATIENT, STUDY, SERIES and IMAGE levels. Matching (PS3.4 C.2.2.2): an empty key
  matches everything; UIDs match a single value or a backslash-separated list; dates and times
  match a single value or a range (``A-B``, ``-B``, ``A-``; a partial bound names the whole period it
  writes, so ``0800-1000`` ends at 10:00:59); other strings match exactly or with the
  wildcards ``*`` and ``?`` (person names case-insensitively); a multi-valued attribute
  (ModalitiesInStudy) matches when any of its values does. Every key asked for is returned, empty
  when the index does not hold it. Answers are UTF-8 (``ISO_IR 192``).
- C-GET: the matching instances go back over the same association, each file as it is stored (its
  own transfer syntax: pixel data bit-identical). The caller must have proposed the storage SOP
  class with the SCP role.
- C-MOVE: the matching instances are sent to the move destination (each file as stored when the
  destination accepts its transfer syntax, else decompressed: both are proposed), which must be a configured
  DIMSE node (``workstation node add``; TLS when that node says so). An unknown destination is
  answered 0xA801 (Move Destination unknown).

The same rules as for storage apply: only configured peers may associate, the peer's address is
checked in every handler (0x0124 otherwise), and each query or retrieval is audited by UID only
(the matching keys, which may hold a patient's name or ID, are never logged or audited).
"""

from __future__ import annotations

import re
from pathlib import Path

from workstation.io.db_query import LEVELS

from workstation.net.logs import net_logger
from workstation.net.syntax import contexts_for, fit
from workstation.net.scp import STATUS_NOT_AUTHORIZED, StorageNode

log = net_logger()

STATUS_PENDING = 0xFF00
STATUS_CANCEL = 0xFE00
STATUS_IDENTIFIER_MISMATCH = 0xA900
STATUS_UNABLE_TO_PROCESS = 0xC000
STATUS_MOVE_DESTINATION_UNKNOWN = 0xA801

_SKIP = {"QueryRetrieveLevel", "SpecificCharacterSet", "RetrieveAETitle", "InstanceAvailability"}
_CI_VRS = {"PN"}  # matched case-insensitively
_RANGE_VRS = {"DA", "TM", "DT"}
_MAX_CONTEXTS = 128


# ---------------------------------------------------------------------------------------------- matching
def _wildcard(pattern: str, value: str, ci: bool) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.IGNORECASE | re.DOTALL if ci else re.DOTALL) is not None


def _in_range(query: str, value: str) -> bool:
    if not value:
        return False
    if "-" not in query:
        return value == query
    lo, hi = query.split("-", 1)
    n = len(value)

    def norm(bound: str, pad: str) -> str:
        b = bound.strip()
        return (b + pad * n)[:max(n, len(b))] if b else ""

    lo, hi = norm(lo, "0"), norm(hi, "9")
    return (not lo or value >= lo[:n]) and (not hi or value <= hi[:n])


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def key_matches(keyword: str, vr: str, query, value) -> bool:
    """Does one stored ``value`` (a string, number or list) satisfy the query key (PS3.4 C.2.2.2)?"""
    q_values = [q for q in _as_list(query) if q not in ("", "*")]
    if not q_values:
        return True  # universal matching
    if vr == "UI":
        wanted = {u.strip() for q in q_values for u in q.split("\\")}
        return any(v in wanted for v in _as_list(value))
    values = _as_list(value)
    for q in q_values:
        for v in values:
            if vr in _RANGE_VRS:
                if _in_range(q.replace(":", ""), v.replace(":", "").split(".")[0] if vr == "TM" else v):
                    return True
            elif "*" in q or "?" in q:
                if _wildcard(q, v, vr in _CI_VRS):
                    return True
            elif (v.lower() == q.lower()) if vr in _CI_VRS else (v.strip() == q.strip()):
                return True
    return False


def _query_keys(identifier):
    """(keyword, VR, value) of the top-level keys of a query identifier, sequences and control keys aside."""
    out = []
    for elem in identifier:
        kw = elem.keyword
        if not kw or kw in _SKIP or elem.VR == "SQ":
            continue
        v = elem.value
        if elem.VR == "PN":
            v = [str(x) for x in v] if elem.VM > 1 else ("" if v is None else str(v))
        elif elem.VM > 1:
            v = [str(x) for x in v]
        out.append((kw, elem.VR, "" if v is None else v))
    return out


def matching_rows(db, level: str, identifier) -> list[dict]:
    """Rows of the study database at ``level`` that match every key of ``identifier`` the index holds."""
    keys = _query_keys(identifier)
    narrow = {}
    for kw, _vr, v in keys:
        vals = _as_list(v)
        if kw in ("StudyInstanceUID", "SeriesInstanceUID") and len(vals) == 1 and "\\" not in vals[0] and vals[0]:
            narrow["study_uid" if kw == "StudyInstanceUID" else "series_uid"] = vals[0]
    rows = db.query_rows(level, **narrow)
    return [r for r in rows if all(key_matches(kw, vr, v, r[kw]) for kw, vr, v in keys if kw in r)]


def response_identifier(identifier, row: dict, level: str, retrieve_aet: str):
    """The C-FIND answer for one matching row: every key asked for, filled from the row or left empty."""
    from pydicom.dataset import Dataset

    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.QueryRetrieveLevel = level
    for elem in identifier:
        kw = elem.keyword
        if not kw or kw in ("SpecificCharacterSet", "QueryRetrieveLevel"):
            continue
        if elem.VR == "SQ":
            setattr(ds, kw, [])
            continue
        v = row.get(kw)
        if kw == "RetrieveAETitle":
            v = retrieve_aet
        elif kw == "InstanceAvailability":
            v = "ONLINE"
        if v is None or v == "" or v == []:
            setattr(ds, kw, None)
        else:
            setattr(ds, kw, v)
    return ds


def _read(path: str):
    """The stored file as a dataset (pynetdicom's Q/R service takes datasets, not paths), its own transfer syntax."""
    import pydicom

    return pydicom.dcmread(path)


def _level(identifier) -> str | None:
    lv = str(getattr(identifier, "QueryRetrieveLevel", "") or "").strip().upper()
    return lv if lv in LEVELS else None


# ---------------------------------------------------------------------------------------------- the node
class MoveRefused(RuntimeError):
    """A C-MOVE that cannot be served (answered 0xC514 by pynetdicom: it needs the destination first)."""


class QueryNode(StorageNode):
    """Storage + verification + query/retrieve SCP.

    ``destinations``: the configured nodes (:class:`workstation.settings.nodes.Node`) a C-MOVE may
    send to, found by AE title.
    """

    def __init__(self, *args, destinations=(), **kw):
        super().__init__(*args, **kw)
        self.destinations = {n.ae_title.strip(): n for n in destinations if getattr(n, "is_dimse", False)}

    # ---------------------------------------------------------------- contexts
    def build_ae(self):
        from pynetdicom import ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts
        from pynetdicom.sop_class import (PatientRootQueryRetrieveInformationModelFind,
                                          PatientRootQueryRetrieveInformationModelGet,
                                          PatientRootQueryRetrieveInformationModelMove,
                                          StudyRootQueryRetrieveInformationModelFind,
                                          StudyRootQueryRetrieveInformationModelGet,
                                          StudyRootQueryRetrieveInformationModelMove)

        ae = super().build_ae()
        for m in (PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind,
                  PatientRootQueryRetrieveInformationModelGet, StudyRootQueryRetrieveInformationModelGet,
                  PatientRootQueryRetrieveInformationModelMove, StudyRootQueryRetrieveInformationModelMove):
            ae.add_supported_context(m)
        # C-GET sends back over the caller's association: accept the caller's SCP role for storage
        for cx in AllStoragePresentationContexts:
            ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES, scu_role=True, scp_role=True)
        return ae

    description = "query/retrieve + storage SCP"

    def handlers(self):
        from pynetdicom import evt

        return super().handlers() + [(evt.EVT_C_FIND, self._on_find), (evt.EVT_C_GET, self._on_get),
                                     (evt.EVT_C_MOVE, self._on_move)]

    # ---------------------------------------------------------------- handlers
    def _refuse(self, evt, what: str):
        aet, host = self._peer(evt)
        self.db.audit("rejected", peer_ae=aet, peer_host=host, status=STATUS_NOT_AUTHORIZED,
                      detail=f"{what} from an address not allowed for this AE title")

    def _on_find(self, evt):
        if not self._authorised(evt):
            self._refuse(evt, "C-FIND")
            yield STATUS_NOT_AUTHORIZED, None
            return
        try:
            identifier = evt.identifier
        except Exception:  # noqa: BLE001 - undecodable identifier
            yield STATUS_IDENTIFIER_MISMATCH, None
            return
        level = _level(identifier)
        if level is None:
            yield STATUS_IDENTIFIER_MISMATCH, None
            return
        try:
            rows = matching_rows(self.db, level, identifier)
        except Exception as exc:  # noqa: BLE001 - a query must never take the node down
            log.error("C-FIND %s failed: %s", level, type(exc).__name__)
            yield STATUS_UNABLE_TO_PROCESS, None
            return
        aet, host = self._peer(evt)
        self.db.audit("find-served", peer_ae=aet, peer_host=host,
                      detail=f"C-FIND {level}: {len(rows)} match(es)")
        for row in rows:
            if evt.is_cancelled:
                yield STATUS_CANCEL, None
                return
            yield STATUS_PENDING, response_identifier(identifier, row, level, self.ae_title)

    def _instances(self, evt):
        """(level, image rows) of a C-GET/C-MOVE identifier, or (status, None) when it cannot be served."""
        try:
            identifier = evt.identifier
        except Exception:  # noqa: BLE001
            return STATUS_IDENTIFIER_MISMATCH, None
        level = _level(identifier)
        if level is None:
            return STATUS_IDENTIFIER_MISMATCH, None
        keys = {kw for kw, _vr, v in _query_keys(identifier) if _as_list(v) and _as_list(v) != [""]}
        if not keys & {"PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"}:
            return STATUS_IDENTIFIER_MISMATCH, None  # a retrieval names what it wants by its unique keys
        rows = [r for r in matching_rows(self.db, "IMAGE", identifier) if r.get("_path") and Path(r["_path"]).exists()]
        return level, rows

    def _audit_served(self, evt, rows, how: str):
        aet, host = self._peer(evt)
        studies: dict[str, int] = {}
        for r in rows:
            studies[r["StudyInstanceUID"]] = studies.get(r["StudyInstanceUID"], 0) + 1
        self.db.audit_many([dict(event="retrieve-served", peer_ae=aet, peer_host=host, study_uid=s,
                                 detail=f"{how}: {n} instance(s)") for s, n in studies.items()])

    def _on_get(self, evt):
        if not self._authorised(evt):
            self._refuse(evt, "C-GET")
            yield 1  # pynetdicom wants the number of sub-operations first; the failure status then ends it
            yield STATUS_NOT_AUTHORIZED, None
            return
        level, rows = self._instances(evt)
        if rows is None:
            yield 1
            yield level, None
            return
        self._audit_served(evt, rows, "C-GET")
        yield len(rows)
        for r in rows:
            if evt.is_cancelled:
                yield STATUS_CANCEL, None
                return
            yield STATUS_PENDING, fit(_read(r["_path"]), evt.assoc, "C-GET")

    def _on_move(self, evt):
        if not self._authorised(evt):
            self._refuse(evt, "C-MOVE")
            # pynetdicom wants the destination first: a failure before it is answered 0xC514 (unable to process)
            raise MoveRefused("C-MOVE from an address not allowed for this AE title")
        dest = self.destinations.get(str(evt.move_destination or b"", "ascii", "replace").strip()
                                     if isinstance(evt.move_destination, bytes) else str(evt.move_destination).strip())
        if dest is None:
            aet, host = self._peer(evt)
            log.warning("C-MOVE from %s refused: destination %r is not a configured node", aet, evt.move_destination)
            self.db.audit("rejected", peer_ae=aet, peer_host=host, status=STATUS_MOVE_DESTINATION_UNKNOWN,
                          detail="C-MOVE to an unknown destination")
            yield None, None
            return
        level, rows = self._instances(evt)
        if rows is None:
            raise MoveRefused("C-MOVE identifier without a query level or a unique key")
        # the destination's association (pynetdicom opens it after the next yield): kept when accepted, so
        # that each instance goes in a syntax it accepted (decompressed when it refused the stored one)
        store_assoc = []
        from pynetdicom import evt as events

        kwargs = {"contexts": self._move_contexts(rows),
                  "evt_handlers": [(events.EVT_ACCEPTED, lambda e: store_assoc.append(e.assoc))]}
        from workstation.net.tls import TlsConfigError, client_context

        try:
            ctx = client_context(dest)
        except TlsConfigError as exc:
            log.error("C-MOVE destination %s: %s", dest.name, exc)
            yield None, None
            return
        if ctx is not None:
            kwargs["tls_args"] = (ctx, dest.host if ctx.check_hostname else None)
        yield dest.host, int(dest.port), kwargs
        self._audit_served(evt, rows, f"C-MOVE to {dest.ae_title}")
        yield len(rows)
        for r in rows:
            if evt.is_cancelled:
                yield STATUS_CANCEL, None
                return
            ds = _read(r["_path"])
            yield STATUS_PENDING, (fit(ds, store_assoc[-1], f"C-MOVE to {dest.ae_title}") if store_assoc else ds)

    @staticmethod
    def _move_contexts(rows):
        """Per SOP class: the stored syntaxes, and the uncompressed ones when something is stored compressed
        (a destination that refuses compression then gets those instances decompressed)."""
        pairs: dict[str, list] = {}
        for r in rows:
            pairs.setdefault(r["SOPClassUID"], []).append(r.get("_transfer_syntax") or "1.2.840.10008.1.2")
        cxs = contexts_for(pairs, limit=10**6)
        if len(cxs) > _MAX_CONTEXTS:
            log.warning("C-MOVE: %d presentation contexts needed, %d proposed", len(cxs), _MAX_CONTEXTS)
        return cxs[:_MAX_CONTEXTS]
