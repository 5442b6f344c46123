"""DICOMweb: QIDO-RS search, WADO-RS retrieve (progress + cancel), STOW-RS upload (dicomweb-client).

Authentication is HTTP basic (user + password) or a bearer token; credentials are passed in, never
stored or logged. Over HTTPS the server's certificate is checked (against ``ca``, a PEM file, or the
system's CAs) and a client certificate (``cert`` with ``key``, PEM) is presented when given, for servers
that verify their peers (Orthanc ``SslVerifyPeers``). A configured node's ``tls_ca``/``tls_cert``/``tls_key``
serve its https URL too (:func:`node_tls`). Retrieve goes instance by instance so that progress is exact and a cancel takes
effect between two instances; retrieved instances go through the managed store (atomic, indexed,
duplicates once), exactly like instances received by the DIMSE node.

Hostile or dying servers: every request has a connect and a read timeout (``TIMEOUTS``), the
client's own retries are off, and a retrieve has an overall deadline (``deadline_s``) and a retry
budget: after ``MAX_CONSECUTIVE_FAILURES`` failed instances in a row the server is taken as gone and
the retrieve ends at once, saying how many instances were kept and how many were not. An instance
whose Study (or Series, or SOP Instance) UID is not the one asked for is refused, never stored.
A study with no instance on the server is an error, not "retrieved 0".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from io import BytesIO

from workstation.tasks.progress import Cancelled, Progress

from workstation.net.logs import install_phi_filter


class WebError(RuntimeError):
    """A DICOMweb request failed; the message names the URL (without credentials) and the HTTP status."""


@dataclass
class WebResult:
    completed: int = 0
    failed: int = 0
    sop_instance_uids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_attempted: int = 0  # instances left when the retrieve stopped (server gone, deadline)
    stopped: str = ""  # why it stopped early, empty when every instance was tried


TIMEOUTS = (5.0, 60.0)  # seconds: connect, read (between two bytes of an answer)
MAX_CONSECUTIVE_FAILURES = 3
DEFAULT_DEADLINE_S = 3600.0


def check_url(url: str) -> str:
    """The URL when it is a usable http(s) URL, else a one-line :class:`WebError`."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError as exc:
        raise WebError(f"{url}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebError(f"{url}: not a valid URL (expected http://HOST[:PORT]/PATH or https://...)")
    return url


def _session_class():
    import requests

    class _TimedSession(requests.Session):
        """A session whose every request has a connect and read timeout (requests has none by default)."""

        def request(self, method, url, **kwargs):
            kwargs.setdefault("timeout", TIMEOUTS)
            if self.verify is not True:  # an explicit CA wins over REQUESTS_CA_BUNDLE (requests prefers the
                kwargs.setdefault("verify", self.verify)  # environment to the session's own setting)
            return super().request(method, url, **kwargs)

    return _TimedSession


def _tls_files(url: str, cert: str | None, key: str | None, ca: str | None) -> tuple:
    """(requests' ``cert``, ``verify``) for these PEM files; a one-line :class:`WebError` for a missing one."""
    from pathlib import Path

    for what, f in (("--cert", cert), ("--key", key), ("--ca", ca)):
        if f and not Path(f).is_file():
            raise WebError(f"{what} {f}: no such file")
    if key and not cert:
        raise WebError("--key needs --cert (the client certificate it belongs to)")
    if (cert or ca) and not url.startswith("https://"):
        raise WebError(f"{url}: --cert/--key/--ca need an https:// URL")
    return ((cert, key) if key else cert) if cert else None, (ca or True)


def node_tls(node) -> dict:
    """The node's TLS files as ``client`` keywords, for its https URL (empty for http or none set)."""
    if not str(getattr(node, "url", "") or "").startswith("https://"):
        return {}
    return {k: v for k, v in (("cert", node.tls_cert), ("key", node.tls_key), ("ca", node.tls_ca)) if v}


def client(url: str, user: str | None = None, password: str | None = None, token: str | None = None,
           cert: str | None = None, key: str | None = None, ca: str | None = None):
    from dicomweb_client.api import DICOMwebClient

    install_phi_filter()
    check_url(url)
    session = _session_class()()
    session.cert, session.verify = _tls_files(url, cert, key, ca)
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    elif user:
        session.auth = (user, password or "")
    c = DICOMwebClient(url=url.rstrip("/"), session=session)
    try:  # its own retries (5 attempts with exponential waits, ~30 s per instance) off: our budget decides
        c.set_http_retry_params(retry=False)
    except (AttributeError, TypeError):
        pass
    return c


def _http_error(url: str, exc: Exception) -> WebError:
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        code = exc.response.status_code
        hint = " (check the user/password or token)" if code in (401, 403) else ""
        return WebError(f"{url}: HTTP {code} {exc.response.reason}{hint}")
    if isinstance(exc, requests.exceptions.SSLError):
        return WebError(f"{url}: TLS handshake failed (check --ca for the server's certificate, and --cert/--key "
                        "when the server verifies its clients)")
    if isinstance(exc, requests.Timeout):
        return WebError(f"{url}: no answer within {TIMEOUTS[1]:g} s")
    if isinstance(exc, requests.ConnectionError):
        return WebError(f"{url}: cannot connect (is the server running and the URL right?)")
    return WebError(f"{url}: {type(exc).__name__}: {exc}")


def _flat(js: dict) -> dict:
    from pydicom.dataset import Dataset

    ds = Dataset.from_json(js)
    out = {}
    for e in ds:
        if not e.keyword or e.VR == "SQ":
            continue
        v = e.value
        out[e.keyword] = "" if v is None else (str(v) if e.VM <= 1 else [str(x) for x in v])
    return out


def find(url: str, level: str = "STUDY", study_uid: str | None = None, auth: dict | None = None,
         **filters) -> list[dict]:
    """QIDO-RS at STUDY, SERIES or INSTANCE level; filters are DICOM keywords (wildcards allowed)."""
    c = client(url, **(auth or {}))
    filters = {k: v for k, v in filters.items() if v}
    try:
        if level.upper() == "STUDY":
            res = c.search_for_studies(search_filters=filters, fuzzymatching=False)
        elif level.upper() == "SERIES":
            res = c.search_for_series(study_instance_uid=study_uid, search_filters=filters)
        elif level.upper() == "INSTANCE":
            res = c.search_for_instances(study_instance_uid=study_uid, search_filters=filters)
        else:
            raise WebError(f"QIDO-RS level {level!r}: use STUDY, SERIES or INSTANCE")
    except WebError:
        raise
    except Exception as exc:  # noqa: BLE001 - every transport failure becomes one line
        raise _http_error(url, exc) from None
    return [_flat(r) for r in res]


class _WrongInstance(Exception):
    """The server sent an instance other than the one asked for."""


def get(url: str, study_uid: str, store, series_uid: str | None = None, auth: dict | None = None,
        progress: Progress | None = None, deadline_s: float = DEFAULT_DEADLINE_S) -> WebResult:
    """WADO-RS a study (or series) into ``store``, instance by instance (progress; cancel between instances).

    Ends early (``stopped`` says why, ``not_attempted`` how many were left) after
    ``MAX_CONSECUTIVE_FAILURES`` failures in a row or at ``deadline_s``."""
    t_end = time.monotonic() + deadline_s
    c = client(url, **(auth or {}))
    try:
        listing = c.search_for_instances(study_instance_uid=study_uid, series_instance_uid=series_uid)
    except Exception as exc:  # noqa: BLE001
        raise _http_error(url, exc) from None
    items = [_flat(r) for r in listing]
    if not items:
        what = f"series {series_uid} of study {study_uid}" if series_uid else f"study {study_uid}"
        raise WebError(f"{url}: no instance of {what} found on the server")
    res = WebResult()
    in_a_row = 0
    for n, it in enumerate(items):
        if progress is not None:
            progress.update(n / max(1, len(items)), f"WADO-RS {n} of {len(items)}")
        if in_a_row >= MAX_CONSECUTIVE_FAILURES or time.monotonic() > t_end:
            res.not_attempted = len(items) - n
            res.stopped = (f"stopped after {in_a_row} failures in a row (the server is gone?)"
                           if in_a_row >= MAX_CONSECUTIVE_FAILURES else f"stopped at the deadline of {deadline_s:g} s")
            break
        try:
            ds = c.retrieve_instance(study_uid, it["SeriesInstanceUID"], it["SOPInstanceUID"])
            got = (str(ds.get("StudyInstanceUID", "")), str(ds.get("SeriesInstanceUID", "")),
                   str(ds.get("SOPInstanceUID", "")))
            if got[0] != study_uid or (series_uid and got[1] != series_uid) or got[2] != it["SOPInstanceUID"]:
                raise _WrongInstance
            buf = BytesIO()
            ds.save_as(buf, enforce_file_format=True)
            stored = store.store_bytes(buf.getvalue(), expect={"study_uid": study_uid, "series_uid": series_uid})
        except Cancelled:
            raise
        except _WrongInstance:
            res.failed += 1  # refused, not a transport failure: the budget is not spent on it
            res.errors.append(f"{it.get('SOPInstanceUID', '?')}: refused, the server sent an instance of another "
                              "study, series or SOP instance")
            continue
        except Exception as exc:  # noqa: BLE001 - one failed instance is counted, the rest continue
            res.failed += 1
            in_a_row += 1
            res.errors.append(f"{it.get('SOPInstanceUID', '?')}: {type(exc).__name__}")
            continue
        in_a_row = 0
        res.completed += 1
        res.sop_instance_uids.append(stored.sop_instance_uid)
    if progress is not None:
        progress.update(1.0, f"WADO-RS {res.completed} of {len(items)}")
    if store.db is not None and res.sop_instance_uids:
        store.db.audit_many([dict(event="retrieve", peer_host=url.split("//")[-1].split("/")[0], study_uid=study_uid,
                                  sop_instance_uid=u, status=0, detail="WADO-RS") for u in res.sop_instance_uids])
    return res


def put(url: str, paths, auth: dict | None = None, progress: Progress | None = None, batch: int = 16,
        db=None) -> WebResult:
    """STOW-RS the files (in batches); the server's per-instance answer decides completed/failed."""
    import pydicom

    c = client(url, **(auth or {}))
    files = [str(p) for p in paths]
    res = WebResult()
    for i in range(0, len(files), batch):
        if progress is not None:
            progress.update(i / max(1, len(files)), f"STOW-RS {i} of {len(files)}")
        part = [pydicom.dcmread(p) for p in files[i:i + batch]]
        try:
            answer = c.store_instances(part)
        except Exception as exc:  # noqa: BLE001
            raise _http_error(url, exc) from None
        failed = {str(x.ReferencedSOPInstanceUID) for x in answer.get("FailedSOPSequence", [])}
        for ds in part:
            uid = str(ds.SOPInstanceUID)
            if uid in failed:
                res.failed += 1
                res.errors.append(f"{uid}: refused by the server")
            else:
                res.completed += 1
                res.sop_instance_uids.append(uid)
    if db is not None:
        db.audit_many([dict(event="store-sent", peer_host=url.split("//")[-1].split("/")[0], sop_instance_uid=u,
                            status=0, detail="STOW-RS") for u in res.sop_instance_uids])
    if progress is not None:
        progress.update(1.0, f"STOW-RS {res.completed} of {len(files)}")
    return res


@dataclass
class _Kept:
    sop_instance_uid: str
    path: str


class FolderSink:
    """Where :func:`get` writes when there is no managed store: a plain folder (a batch worker's
    temporary folder), one file per instance named by its SOP Instance UID, each written to a
    temporary name and renamed. Nothing is indexed (``db`` is None)."""

    db = None

    def __init__(self, folder):
        from pathlib import Path

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def store_bytes(self, data: bytes, expect: dict | None = None) -> _Kept:
        import os

        import pydicom

        ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True)
        uid = str(ds.get("SOPInstanceUID", ""))
        if not uid or any(c not in "0123456789." for c in uid):
            raise ValueError("the instance has no valid SOP Instance UID")
        for key, tag in (("study_uid", "StudyInstanceUID"), ("series_uid", "SeriesInstanceUID")):
            want = (expect or {}).get(key)
            if want and str(ds.get(tag, "")) != want:
                raise ValueError(f"the instance's {tag} is not the one asked for")
        path = self.folder / f"{uid}.dcm"
        tmp = self.folder / f".{uid}.part"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return _Kept(uid, str(path))


def get_series_files(url: str, study_uid: str, series_uid: str, folder, auth: dict | None = None, *,
                     attempts: int = 2, deadline_s: float = 600.0, pause_s: float = 1.0) -> list[str]:
    """WADO-RS every instance of one series into ``folder`` (a :class:`FolderSink`); the file paths.

    A series comes whole or not at all: when instances are still missing after ``attempts`` tries
    (each with :func:`get`'s budget of consecutive failures) or at ``deadline_s`` for all of them
    together, this raises :class:`WebError` saying how many of how many arrived. The caller removes
    the folder."""
    t_end = time.monotonic() + deadline_s
    sink = FolderSink(folder)
    reason = ""
    for attempt in range(max(1, attempts)):
        left = t_end - time.monotonic()
        if left <= 0:
            reason = reason or f"the deadline of {deadline_s:g} s passed"
            break
        try:
            res = get(url, study_uid, sink, series_uid=series_uid, auth=auth, deadline_s=left)
        except WebError as exc:
            reason = str(exc)
        else:
            total = res.completed + res.failed + res.not_attempted
            if res.failed == 0 and res.not_attempted == 0:
                return sorted(str(p) for p in sink.folder.glob("*.dcm"))
            reason = (f"{res.completed} of {total} instances retrieved"
                      + (f", {res.stopped}" if res.stopped else "")
                      + (f" ({'; '.join(res.errors[:2])})" if res.errors else ""))
        if attempt + 1 < attempts:
            time.sleep(min(pause_s * (2 ** attempt), max(0.0, t_end - time.monotonic())))
    raise WebError(f"WADO-RS series {series_uid}: not retrieved whole after {max(1, attempts)} attempt(s): {reason}")


def first_instance_header(url: str, study_uid: str, series_uid: str, auth: dict | None = None):
    """The header (WADO-RS metadata, no pixels) of one instance of a series, as a pydicom Dataset;
    None when the series has no instance."""
    from pydicom.dataset import Dataset

    c = client(url, **(auth or {}))
    try:
        listing = c.search_for_instances(study_instance_uid=study_uid, series_instance_uid=series_uid, limit=1)
        if not listing:
            return None
        sop = _flat(listing[0]).get("SOPInstanceUID", "")
        meta = c.retrieve_instance_metadata(study_uid, series_uid, sop)
        meta = {k: v for k, v in meta.items() if "BulkDataURI" not in v}  # pixels and other bulk data: not wanted
    except Exception as exc:  # noqa: BLE001 - every transport failure becomes one line
        raise _http_error(url, exc) from None
    return Dataset.from_json(meta)
