"""Service-class user towards a configured peer: C-ECHO, C-FIND, C-MOVE, C-GET, C-STORE.

Every function takes a :class:`workstation.settings.nodes.Node` (the peer) and our calling AE
title, opens one association, and raises :class:`DicomNetError` (one line: which node, what
failed, what to check) when the peer cannot be reached or refuses. Transfers take an optional
:class:`Deadline`: every wait (connect, association, each answer) is bounded by what is left of it,
so that a dead or hung peer ends the transfer in seconds, with what was done and what was not
(:func:`send_with_retries`, :func:`retrieve_with_retries`: bounded retries inside one deadline). Long operations take a
:class:`workstation.tasks.Progress` for progress and cooperative cancel. Results are audited by
UID when a database is given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from workstation.tasks.progress import Cancelled, Progress
from workstation.io.store import StoreError

from workstation.net.logs import install_phi_filter
from workstation.net.scp import received_bytes
from workstation.net.tls import TlsConfigError, client_context

FIND_KEYS = {
    "PATIENT": ("PatientName", "PatientID", "PatientBirthDate", "PatientSex"),
    "STUDY": ("PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "StudyTime", "StudyDescription",
              "AccessionNumber", "ModalitiesInStudy", "NumberOfStudyRelatedInstances"),
    "SERIES": ("StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription",
               "NumberOfSeriesRelatedInstances"),
}

# storage SOP classes we accept in the SCP role during C-GET (pynetdicom: at most 128 contexts)
GET_STORAGE_CLASSES = (
    "1.2.840.10008.5.1.4.1.1.2",        # CT
    "1.2.840.10008.5.1.4.1.1.2.1",      # Enhanced CT
    "1.2.840.10008.5.1.4.1.1.128",      # PET
    "1.2.840.10008.5.1.4.1.1.130",      # Enhanced PET
    "1.2.840.10008.5.1.4.1.1.128.1",    # Legacy Converted Enhanced PET
    "1.2.840.10008.5.1.4.1.1.4",        # MR
    "1.2.840.10008.5.1.4.1.1.4.1",      # Enhanced MR
    "1.2.840.10008.5.1.4.1.1.20",       # NM
    "1.2.840.10008.5.1.4.1.1.7",        # Secondary Capture
    "1.2.840.10008.5.1.4.1.1.7.4",      # Multi-frame True Colour SC
    "1.2.840.10008.5.1.4.1.1.66.4",     # Segmentation
    "1.2.840.10008.5.1.4.1.1.481.3",    # RT Structure Set
    "1.2.840.10008.5.1.4.1.1.88.11",    # Basic Text SR
    "1.2.840.10008.5.1.4.1.1.88.22",    # Enhanced SR
    "1.2.840.10008.5.1.4.1.1.88.33",    # Comprehensive SR
    "1.2.840.10008.5.1.4.1.1.88.34",    # Comprehensive 3D SR
    "1.2.840.10008.5.1.4.1.1.67",       # Real World Value Mapping
    "1.2.840.10008.5.1.4.1.1.88.59",    # Key Object Selection
    "1.2.840.10008.5.1.4.1.1.104.1",    # Encapsulated PDF
)


class DicomNetError(RuntimeError):
    """A DIMSE operation failed; the message names the node and what to check."""


class TransferIncomplete(DicomNetError):
    """A retrieval broke off midway; ``result`` holds what was done before (and how many were announced)."""

    def __init__(self, message: str, result):
        super().__init__(message)
        self.result = result


class Deadline:
    """An overall time budget (``seconds`` None: none) shared by the attempts of one transfer."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + float(seconds)

    def left(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def bound(self, value: float) -> float:
        """``value`` seconds, or what is left when that is less (at least 0.5 s: pynetdicom needs a wait)."""
        left = self.left()
        return value if left is None else max(0.5, min(value, left))


@dataclass
class TransferResult:
    completed: int = 0
    failed: int = 0
    warning: int = 0
    acknowledged: list[str] = field(default_factory=list)  # SOP Instance UIDs answered with Success
    errors: list[str] = field(default_factory=list)
    total: int = 0  # instances announced (retrieve) or asked for (send)
    sent_paths: list[str] = field(default_factory=list)  # files answered with Success (send)


def _ae(calling_aet: str, deadline: Deadline | None = None):
    from pynetdicom import AE

    install_phi_filter()
    d = deadline or Deadline(None)
    ae = AE(ae_title=calling_aet)
    ae.connection_timeout = d.bound(15)  # TCP connect
    ae.acse_timeout = d.bound(15)
    ae.dimse_timeout = d.bound(120)
    ae.network_timeout = d.bound(30)
    return ae


def _associate(ae, node, **kw):
    if not node.is_dimse:
        raise DicomNetError(f"node {node.name} has no AE title/host/port (a DICOMweb-only node?)")
    try:
        ctx = client_context(node)  # None unless the node is marked tls
    except TlsConfigError as exc:
        raise DicomNetError(str(exc)) from None
    if ctx is not None:
        kw["tls_args"] = (ctx, node.host if ctx.check_hostname else None)
    assoc = ae.associate(node.host, int(node.port), ae_title=node.ae_title, **kw)
    if not assoc.is_established:
        why = "rejected the association" if assoc.is_rejected else (
            "could not be reached or the TLS handshake failed (check tls_ca and the peer's certificate)"
            if ctx is not None else "could not be reached")
        raise DicomNetError(f"node {node.name} ({node.ae_title}@{node.host}:{node.port}) {why}; check that it "
                            f"runs and knows our AE title {ae.ae_title}")
    return assoc


def echo(node, calling_aet: str) -> int:
    from pynetdicom.sop_class import Verification

    ae = _ae(calling_aet)
    ae.add_requested_context(Verification)
    assoc = _associate(ae, node)
    try:
        status = assoc.send_c_echo()
    finally:
        assoc.release()
    if not status or "Status" not in status:
        raise DicomNetError(f"node {node.name}: no answer to C-ECHO (connection dropped or timed out)")
    return int(status.Status)


def _value(elem) -> object:
    v = elem.value
    if elem.VR == "PN":
        return str(v) if v is not None else ""
    if elem.VM > 1:
        return [str(x) for x in v]
    return "" if v is None else (v if isinstance(v, (int, float)) else str(v))


def find(node, calling_aet: str, level: str = "STUDY", **keys) -> list[dict]:
    """C-FIND at PATIENT, STUDY or SERIES level; keys are DICOM keywords (wildcards * and ?)."""
    from pydicom.dataset import Dataset
    from pynetdicom.sop_class import (PatientRootQueryRetrieveInformationModelFind,
                                      StudyRootQueryRetrieveInformationModelFind)

    level = level.upper()
    if level not in FIND_KEYS:
        raise DicomNetError(f"query level {level!r}: use PATIENT, STUDY or SERIES")
    model = (PatientRootQueryRetrieveInformationModelFind if level == "PATIENT"
             else StudyRootQueryRetrieveInformationModelFind)
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: names in any script
    ds.QueryRetrieveLevel = level
    for kw in FIND_KEYS[level]:
        setattr(ds, kw, "")
    for kw, val in keys.items():
        if val is None:
            continue
        setattr(ds, kw, val)
    ae = _ae(calling_aet)
    ae.add_requested_context(model)
    assoc = _associate(ae, node)
    out = []
    try:
        for status, ident in assoc.send_c_find(ds, model):
            if not status:
                raise DicomNetError(f"node {node.name}: C-FIND connection dropped or timed out")
            code = int(status.Status)
            if code in (0xFF00, 0xFF01) and ident is not None:
                out.append({e.keyword: _value(e) for e in ident if e.keyword not in
                            ("SpecificCharacterSet", "QueryRetrieveLevel", "RetrieveAETitle") and e.keyword})
            elif code not in (0x0000, 0xFF00, 0xFF01):
                raise DicomNetError(f"node {node.name}: C-FIND failed with status 0x{code:04X}")
    finally:
        assoc.release()
    return out


def _retrieve_identifier(study_uid: str, series_uid: str | None):
    from pydicom.dataset import Dataset

    ds = Dataset()
    ds.QueryRetrieveLevel = "SERIES" if series_uid else "STUDY"
    ds.StudyInstanceUID = study_uid
    if series_uid:
        ds.SeriesInstanceUID = series_uid
    return ds


def _track(node, responses, progress, what):
    res = TransferResult()
    for status, _ident in responses:
        if not status:
            raise TransferIncomplete(f"node {node.name}: {what} connection dropped or timed out after "
                                     f"{res.completed} of {res.total or '?'} instances", res)
        code = int(status.Status)
        done = int(status.get("NumberOfCompletedSuboperations", 0) or 0)
        rem = int(status.get("NumberOfRemainingSuboperations", 0) or 0)
        res.completed, res.failed = done, int(status.get("NumberOfFailedSuboperations", 0) or 0)
        res.warning = int(status.get("NumberOfWarningSuboperations", 0) or 0)
        if code == 0xFF00:
            res.total = max(res.total, done + rem + res.failed + res.warning)
        if progress is not None and code == 0xFF00:
            total = res.total
            progress.update(done / total if total else 0.0, f"{what}: {done} of {total}")
        if code not in (0x0000, 0xFF00, 0xB000):
            res.errors.append(f"status 0x{code:04X}")
    return res


def move(node, calling_aet: str, study_uid: str, destination_aet: str, series_uid: str | None = None,
         progress: Progress | None = None, deadline: Deadline | None = None) -> TransferResult:
    """C-MOVE a study (or series) from ``node`` to ``destination_aet`` (usually our own SCP)."""
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelMove as Model

    ae = _ae(calling_aet, deadline)
    ae.add_requested_context(Model)
    assoc = _associate(ae, node)
    try:
        res = _track(node, assoc.send_c_move(_retrieve_identifier(study_uid, series_uid), destination_aet, Model),
                     progress, "C-MOVE")
    except Cancelled:
        assoc.abort()
        raise
    finally:
        if assoc.is_established:
            assoc.release()
    return res


def get(node, calling_aet: str, study_uid: str, store, series_uid: str | None = None,
        progress: Progress | None = None, deadline: Deadline | None = None) -> TransferResult:
    """C-GET a study (or series) from ``node`` into ``store`` (a ManagedStore) on the same association."""
    from pynetdicom import ALL_TRANSFER_SYNTAXES, build_role, evt
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as Model

    ae = _ae(calling_aet, deadline)
    ae.add_requested_context(Model)
    roles = []
    for uid in GET_STORAGE_CLASSES:
        ae.add_requested_context(uid, ALL_TRANSFER_SYNTAXES[:])
        roles.append(build_role(uid, scp_role=True))
    received: list[str] = []

    def on_store(event):
        try:
            # an instance of another study (or series) than the one asked for is refused, never stored
            stored = store.store_bytes(received_bytes(event), expect={"study_uid": study_uid, "series_uid": series_uid})
        except StoreError:
            return 0xA900
        except Exception:  # noqa: BLE001 - refuse the sub-operation, keep the association
            return 0xA700
        received.append(stored.sop_instance_uid)
        return 0x0000

    assoc = _associate(ae, node, ext_neg=roles, evt_handlers=[(evt.EVT_C_STORE, on_store)])

    def audit():
        if store.db is not None and received:
            store.db.audit_many([dict(event="retrieve", peer_ae=node.ae_title, peer_host=node.host,
                                      study_uid=study_uid, sop_instance_uid=u, status=0, detail="C-GET")
                                 for u in received])

    try:
        res = _track(node, assoc.send_c_get(_retrieve_identifier(study_uid, series_uid), Model), progress, "C-GET")
    except TransferIncomplete as exc:  # what arrived before the break is stored and counted
        exc.result.acknowledged = list(received)
        exc.result.completed = len(received)
        audit()
        raise
    except Cancelled:
        assoc.abort()
        raise
    finally:
        if assoc.is_established:
            assoc.release()
    res.acknowledged = received
    audit()
    return res


def store_files(node, calling_aet: str, paths, progress: Progress | None = None, db=None, *, compress: str = "",
                deadline: Deadline | None = None) -> TransferResult:
    """C-STORE files to ``node``: each in its own transfer syntax (bit-identical pixel data), or — with
    ``compress`` (``jpeg-ls``, ``j2k``, ``deflate``; see :mod:`workstation.net.syntax`) — uncompressed ones
    re-encoded losslessly when the peer accepts that syntax. Files stored compressed are also offered
    uncompressed and decompressed for a peer that refuses their syntax. Stops when ``deadline`` passes."""
    import pydicom

    from workstation.net import syntax

    files = [str(p) for p in paths]
    if not files:
        raise DicomNetError("nothing to send")
    try:
        syntax.check(compress)
    except ValueError as exc:
        raise DicomNetError(str(exc)) from None
    deadline = deadline or Deadline(None)
    res = TransferResult(total=len(files))
    wanted: dict[str, list[str]] = {}
    heads = []
    for p in files:
        try:
            h = pydicom.dcmread(p, stop_before_pixels=True, specific_tags=["SOPClassUID", "SOPInstanceUID"])
            ts, sop = str(h.file_meta.TransferSyntaxUID), str(h.SOPClassUID)
            if ts not in wanted.setdefault(sop, []):
                wanted[sop].append(ts)
            heads.append((p, str(h.SOPInstanceUID), sop, ts))
        except Exception as exc:  # noqa: BLE001 - one unreadable file is reported, not fatal
            res.failed += 1
            res.errors.append(f"{p}: not a readable DICOM file ({type(exc).__name__})")
    ae = _ae(calling_aet, deadline)
    try:
        ae.requested_contexts = syntax.contexts_for(wanted, compress)
    except ValueError as exc:
        raise DicomNetError(str(exc)) from None
    assoc = _associate(ae, node)
    audit = []
    try:
        for n, (p, uid, sop, ts) in enumerate(heads):
            if progress is not None:
                progress.update(n / len(heads), f"C-STORE {n} of {len(heads)}")
            if deadline.expired:
                res.failed += len(heads) - n
                res.errors.append(f"node {node.name}: the deadline of {deadline.seconds:g} s passed after "
                                  f"{res.completed} of {len(heads)} instances")
                assoc.abort()
                break
            ds = pydicom.dcmread(p)
            if syntax.applies(compress, sop, ts) and syntax.accepted(assoc, sop, syntax.target_uid(compress)):
                ds = syntax.encode(ds, compress)
            else:
                ds = syntax.fit(ds, assoc)
            try:
                status = assoc.send_c_store(ds) if assoc.is_established else None
            except ValueError as exc:  # no accepted context for this SOP class / transfer syntax
                res.failed += 1
                res.errors.append(f"{p}: {exc}")
                continue
            except RuntimeError:  # the association went away under us
                status = None
            if not status:  # dropped or timed out: report what was acknowledged, the caller may retry
                res.failed += len(heads) - n
                res.errors.append(f"node {node.name}: connection dropped or no answer after {res.completed} of "
                                  f"{len(heads)} instances")
                break
            code = int(status.Status)
            if code == 0x0000 or (code & 0xF000) == 0xB000:
                res.completed += 1
                res.acknowledged.append(uid)
                res.sent_paths.append(p)
                audit.append(dict(event="store-sent", peer_ae=node.ae_title, peer_host=node.host,
                                  sop_instance_uid=uid, status=code))
            else:
                res.failed += 1
                res.errors.append(f"{Path(p).name}: status 0x{code:04X}")
    except Cancelled:
        assoc.abort()
        raise
    finally:
        if assoc.is_established:
            assoc.release()
        if db is not None:
            db.audit_many(audit)
    if progress is not None:
        progress.update(1.0, f"C-STORE {res.completed} sent, {res.failed} failed")
    return res


def _pause(attempt: int, deadline: Deadline) -> None:
    """The pause before a new attempt: 0.5 s doubling, at most 5 s, never past the deadline."""
    left = deadline.left()
    time.sleep(min(5.0, 0.5 * 2 ** attempt, left if left is not None else 5.0))


def send_with_retries(node, calling_aet: str, paths, *, retries: int = 2, deadline: Deadline | None = None,
                      compress: str = "", progress: Progress | None = None, db=None) -> TransferResult:
    """C-STORE ``paths``; what was not acknowledged is sent again on a new association, at most ``retries``
    times, all inside ``deadline``. The result counts every file once: ``completed`` sent, ``failed`` not sent
    (``errors[-1]``: the last reason)."""
    files = [str(p) for p in paths]
    deadline = deadline or Deadline(None)
    total = TransferResult(total=len(files))
    pending = list(files)
    for attempt in range(max(0, int(retries)) + 1):
        if attempt and (deadline.expired or not pending):
            break
        try:
            res = store_files(node, calling_aet, pending, progress, db, compress=compress, deadline=deadline)
        except DicomNetError as exc:
            total.errors.append(str(exc))
            if attempt < retries and not deadline.expired:
                _pause(attempt, deadline)
            continue
        total.completed += res.completed
        total.acknowledged += res.acknowledged
        total.sent_paths += res.sent_paths
        total.errors += res.errors
        done = set(res.sent_paths)
        pending = [p for p in pending if p not in done]
        if pending and attempt < retries and not deadline.expired:
            _pause(attempt, deadline)
    total.failed = len(pending)
    if pending and deadline.expired:
        total.errors.append(f"node {node.name}: the deadline of {deadline.seconds:g} s passed")
    return total


def retrieve_with_retries(fn, *, retries: int = 2, deadline: Deadline | None = None) -> TransferResult:
    """Run ``fn(deadline)`` (a C-GET or C-MOVE) again after a break, at most ``retries`` times inside
    ``deadline``; the last result, or :class:`TransferIncomplete` / :class:`DicomNetError` after the last try.
    (A new C-GET or C-MOVE asks for the whole study again; what arrived before is stored once.)"""
    deadline = deadline or Deadline(None)
    last: DicomNetError | None = None
    best = None
    for attempt in range(max(0, int(retries)) + 1):
        if attempt and deadline.expired:
            break
        try:
            return fn(deadline)
        except DicomNetError as exc:
            last = exc
            if isinstance(exc, TransferIncomplete) and (best is None or exc.result.completed >= best.completed):
                best = exc.result
            if attempt < retries and not deadline.expired:
                _pause(attempt, deadline)
    msg = str(last) + (f" (deadline {deadline.seconds:g} s)" if deadline.expired else "")
    if best is not None:
        raise TransferIncomplete(msg, best)
    raise DicomNetError(msg)
