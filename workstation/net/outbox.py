"""The persistent outgoing queue: what the hub sends back to a spoke (signed report, SR, key images).

A job is "these files to that configured node": C-STORE when the node has an AE title, host and
port, STOW-RS when it has only a DICOMweb URL. Jobs and their instances live in their own SQLite
file (``outbox.sqlite`` in the data directory), so that they survive a restart of the workstation
or of the machine.

Delivery: each instance is marked *acknowledged* in the queue, in its own transaction, as soon as
the peer answers Success (or a warning) for it; a job that fails (peer down, connection dropped,
refused) keeps the instances not yet acknowledged and is tried again later with exponential
backoff (``base_delay`` × 2^attempts, at most ``max_delay``), until ``max_attempts`` makes it
``failed`` (visible, retried only by hand). An instance that a destination has acknowledged is
never sent to it again, even when it is queued again (the key is destination + SOP Instance UID):
nothing is sent twice. (The one window left: the peer stored an instance and the workstation died
before writing the acknowledgement — it is then sent once more after the restart, and the peer
keeps one copy, since a SOP Instance UID is stored once.)

States of a job: ``queued`` → ``sending`` → ``sent``, or ``retrying`` (with ``next_try`` and the last
error) → … → ``sent`` or ``failed``. A job found ``sending`` at start (the process died while
sending) goes back to ``retrying`` at once.

Optional compression for thin lines (``compress=`` ``"jpeg-ls"``, ``"j2k"`` or ``"deflate"``, see
:mod:`workstation.net.syntax`): uncompressed datasets are offered in that lossless syntax first and
encoded before sending when the peer accepts it; otherwise they go as stored. Files stored compressed
are also offered uncompressed, and decompressed for a peer that accepts only that. Bytes put on the
wire are counted per job (``bytes_sent``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from workstation.net import syntax
from workstation.net.logs import install_phi_filter, net_logger

log = net_logger()

QUEUED, SENDING, SENT, RETRYING, FAILED = "queued", "sending", "sent", "retrying", "failed"
JOB_STATES = (QUEUED, SENDING, SENT, RETRYING, FAILED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT NOT NULL, study_uid TEXT, label TEXT,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_try REAL NOT NULL, last_error TEXT,
    created TEXT NOT NULL, finished TEXT, bytes_sent INTEGER NOT NULL DEFAULT 0, compress TEXT, owner_pid INTEGER);
CREATE TABLE IF NOT EXISTS items (
    job_id INTEGER NOT NULL REFERENCES jobs(job_id), path TEXT NOT NULL, sop_instance_uid TEXT NOT NULL,
    sop_class_uid TEXT NOT NULL, transfer_syntax TEXT NOT NULL, PRIMARY KEY (job_id, sop_instance_uid));
CREATE TABLE IF NOT EXISTS delivered (
    destination TEXT NOT NULL, sop_instance_uid TEXT NOT NULL, job_id INTEGER NOT NULL, time TEXT NOT NULL,
    status INTEGER, PRIMARY KEY (destination, sop_instance_uid));
"""


class OutboxError(RuntimeError):
    """A job cannot be queued (unknown destination, unreadable file); the message says which."""


@dataclass(frozen=True)
class Job:
    job_id: int
    destination: str
    study_uid: str
    label: str
    state: str
    attempts: int
    next_try: float
    last_error: str
    created: str
    finished: str
    bytes_sent: int
    compress: str
    n_items: int
    n_acknowledged: int

    @property
    def text(self) -> str:
        s = f"job {self.job_id} to {self.destination}: {self.state}, {self.n_acknowledged}/{self.n_items} delivered"
        if self.state == RETRYING:
            s += f", attempt {self.attempts}, next try at {datetime.fromtimestamp(self.next_try):%H:%M:%S}"
        if self.last_error and self.state in (RETRYING, FAILED):
            s += f" ({self.last_error})"
        return s


def default_outbox_path() -> Path:
    from workstation.settings.paths import data_dir

    return data_dir() / "outbox.sqlite"


def _now_iso() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


class Outbox:
    """The queue. ``nodes``: name → :class:`workstation.settings.nodes.Node` (the configured peers)."""

    def __init__(self, path=None, *, nodes=None, calling_aet: str = "PETWS", db=None, base_delay: float = 5.0,
                 max_delay: float = 600.0, max_attempts: int = 50, auth: dict | None = None, on_ack=None):
        """``on_ack(job_id, sop_instance_uid, n_done, n_pending)`` is called after each acknowledged instance
        (progress; it may raise :class:`workstation.tasks.progress.Cancelled` to stop the job, kept for later)."""
        self.path = Path(path) if path is not None else default_outbox_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.nodes = dict(nodes or {})
        self.calling_aet = calling_aet
        self.db = db  # the study database, for the audit trail (optional)
        self.base_delay, self.max_delay, self.max_attempts = float(base_delay), float(max_delay), int(max_attempts)
        self.auth = auth
        self.on_ack = on_ack
        self._lock = threading.RLock()
        self._con = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self._con.execute("PRAGMA journal_mode = WAL")
        self._con.execute("PRAGMA synchronous = FULL")
        with self._con:
            self._con.executescript(_SCHEMA)
            # a job left 'sending' by a process that died: try again now (one still sending elsewhere is left alone)
            for job_id, pid in self._con.execute("SELECT job_id, owner_pid FROM jobs WHERE state = ?",
                                                 (SENDING,)).fetchall():
                if not pid or not _alive(int(pid)):
                    self._con.execute("UPDATE jobs SET state = ?, next_try = ?, owner_pid = NULL WHERE job_id = ?",
                                      (RETRYING, time.time(), job_id))

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------------- queueing
    def enqueue(self, destination: str, paths, *, study_uid: str = "", label: str = "", compress: str = "") -> int:
        """Queue the files for ``destination`` (a configured node's name); the job's id."""
        import pydicom

        if destination not in self.nodes:
            known = ", ".join(sorted(self.nodes)) or "none configured"
            raise OutboxError(f"unknown destination {destination!r} (known: {known})")
        try:
            syntax.check(compress)
        except ValueError as exc:
            raise OutboxError(str(exc)) from None
        items = []
        for p in paths:
            try:
                h = pydicom.dcmread(str(p), stop_before_pixels=True,
                                    specific_tags=["SOPClassUID", "SOPInstanceUID", "StudyInstanceUID"])
                items.append((str(Path(p).resolve()), str(h.SOPInstanceUID), str(h.SOPClassUID),
                              str(h.file_meta.TransferSyntaxUID)))
                study_uid = study_uid or str(h.get("StudyInstanceUID", ""))
            except Exception as exc:  # noqa: BLE001
                raise OutboxError(f"{p}: not a readable DICOM file ({type(exc).__name__})") from None
        if not items:
            raise OutboxError("nothing to send")
        with self._lock, self._con:
            cur = self._con.execute(
                "INSERT INTO jobs (destination, study_uid, label, state, next_try, created, compress) "
                "VALUES (?,?,?,?,?,?,?)", (destination, study_uid, label, QUEUED, time.time(), _now_iso(), compress))
            job = cur.lastrowid
            self._con.executemany("INSERT OR IGNORE INTO items VALUES (?,?,?,?,?)",
                                  [(job, p, u, c, ts) for p, u, c, ts in items])
        return job

    # ---------------------------------------------------------------- state
    def jobs(self, state: str | None = None) -> list[Job]:
        q = ("SELECT j.job_id, j.destination, j.study_uid, j.label, j.state, j.attempts, j.next_try, j.last_error, "
             "j.created, j.finished, j.bytes_sent, j.compress, "
             "(SELECT count(*) FROM items i WHERE i.job_id = j.job_id), "
             "(SELECT count(*) FROM items i JOIN delivered d ON d.sop_instance_uid = i.sop_instance_uid "
             " AND d.destination = j.destination WHERE i.job_id = j.job_id) FROM jobs j")
        args = ()
        if state:
            q += " WHERE j.state = ?"
            args = (state,)
        with self._lock:
            rows = self._con.execute(q + " ORDER BY j.job_id", args).fetchall()
        return [Job(*[("" if v is None else v) for v in r]) for r in rows]

    def job(self, job_id: int) -> Job:
        for j in self.jobs():
            if j.job_id == job_id:
                return j
        raise OutboxError(f"no job {job_id} in the outgoing queue")

    def delivered(self, destination: str) -> dict[str, int]:
        """SOP Instance UID → job that delivered it, for one destination."""
        with self._lock:
            return dict(self._con.execute("SELECT sop_instance_uid, job_id FROM delivered WHERE destination = ?",
                                          (destination,)).fetchall())

    def retry_now(self, job_id: int) -> None:
        """Try a failed or waiting job again at the next run (the attempts start again)."""
        with self._lock, self._con:
            self._con.execute("UPDATE jobs SET state = ?, attempts = 0, next_try = ? WHERE job_id = ? AND state != ?",
                              (RETRYING, time.time(), job_id, SENT))

    def _pending(self, job: Job) -> list[tuple]:
        with self._lock:
            return self._con.execute(
                "SELECT path, sop_instance_uid, sop_class_uid, transfer_syntax FROM items i WHERE job_id = ? AND "
                "NOT EXISTS (SELECT 1 FROM delivered d WHERE d.destination = ? AND d.sop_instance_uid = "
                "i.sop_instance_uid) ORDER BY rowid", (job.job_id, job.destination)).fetchall()

    def _acknowledge(self, job: Job, uid: str, status: int, nbytes: int) -> None:
        with self._lock, self._con:
            self._con.execute("INSERT OR IGNORE INTO delivered VALUES (?,?,?,?,?)",
                              (job.destination, uid, job.job_id, _now_iso(), status))
            self._con.execute("UPDATE jobs SET bytes_sent = bytes_sent + ? WHERE job_id = ?", (nbytes, job.job_id))

    def _set(self, job_id: int, **kw) -> None:
        cols = ", ".join(f"{k} = ?" for k in kw)
        with self._lock, self._con:
            self._con.execute(f"UPDATE jobs SET {cols} WHERE job_id = ?", (*kw.values(), job_id))

    # ---------------------------------------------------------------- confirmation
    def confirm(self, job_id: int) -> tuple[list[str], list[str]]:
        """Ask the destination which of the job's instances it holds now (C-FIND at IMAGE level, or QIDO-RS):
        (found, missing) SOP Instance UIDs. The acknowledgement of a delivery, by the peer's own index."""
        job = self.job(job_id)
        node = self.nodes.get(job.destination)
        if node is None:
            raise OutboxError(f"destination {job.destination} is no longer configured")
        with self._lock:
            wanted = [r[0] for r in self._con.execute("SELECT sop_instance_uid FROM items WHERE job_id = ?",
                                                      (job_id,)).fetchall()]
        held = self._held_dimse(node, job.study_uid) if node.is_dimse else self._held_web(node, job.study_uid)
        return [u for u in wanted if u in held], [u for u in wanted if u not in held]

    def _held_dimse(self, node, study_uid: str) -> set[str]:
        from pydicom.dataset import Dataset
        from pynetdicom import AE
        from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as Model

        from workstation.net.tls import TlsConfigError, client_context

        ae = AE(ae_title=self.calling_aet)
        ae.acse_timeout, ae.dimse_timeout, ae.network_timeout = 15, 60, 30
        ae.add_requested_context(Model)
        try:
            ctx = client_context(node)
        except TlsConfigError as exc:
            raise OutboxError(str(exc)) from None
        kw = {"tls_args": (ctx, node.host if ctx.check_hostname else None)} if ctx is not None else {}
        assoc = ae.associate(node.host, int(node.port), ae_title=node.ae_title, **kw)
        if not assoc.is_established:
            raise OutboxError(f"node {node.name} could not be reached to confirm the delivery")
        q = Dataset()
        q.QueryRetrieveLevel = "IMAGE"
        q.StudyInstanceUID = study_uid
        q.SeriesInstanceUID = ""
        q.SOPInstanceUID = ""
        held = set()
        try:
            for status, ident in assoc.send_c_find(q, Model):
                if not status:
                    raise OutboxError(f"node {node.name}: C-FIND dropped while confirming")
                if int(status.Status) in (0xFF00, 0xFF01) and ident is not None:
                    held.add(str(ident.get("SOPInstanceUID", "")))
                elif int(status.Status) != 0x0000:
                    raise OutboxError(f"node {node.name}: C-FIND failed with status 0x{int(status.Status):04X}")
        finally:
            if assoc.is_established:
                assoc.release()
        return held

    def _held_web(self, node, study_uid: str) -> set[str]:
        from workstation.net import web

        try:
            c = web.client(node.url, **self._web_auth(node))
        except web.WebError as exc:
            raise OutboxError(str(exc)) from None
        try:
            rows = c.search_for_instances(study_instance_uid=study_uid)
        except Exception as exc:  # noqa: BLE001
            raise OutboxError(f"{node.url}: QIDO-RS failed while confirming ({type(exc).__name__})") from None
        return {str(r.get("00080018", {}).get("Value", [""])[0]) for r in rows}

    # ---------------------------------------------------------------- sending
    def run_once(self, now: float | None = None) -> list[Job]:
        """Try every job that is due; the jobs tried, as they are afterwards."""
        now = time.time() if now is None else now
        with self._lock:
            due = [r[0] for r in self._con.execute(
                "SELECT job_id FROM jobs WHERE state IN (?,?) AND next_try <= ? ORDER BY job_id",
                (QUEUED, RETRYING, now)).fetchall()]
        out = []
        for job_id in due:
            self._run_job(self.job(job_id))
            out.append(self.job(job_id))
        return out

    def run_until_idle(self, timeout: float = 60.0, poll: float = 0.2) -> list[Job]:
        """Run due jobs until none is queued or retrying (or ``timeout``); the jobs at the end."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.run_once()
            if not any(j.state in (QUEUED, RETRYING, SENDING) for j in self.jobs()):
                break
            time.sleep(poll)
        return self.jobs()

    def _claim(self, job: Job) -> bool:
        """Take the job for this process (atomic: two processes running the queue never send one job twice)."""
        import os

        with self._lock, self._con:
            cur = self._con.execute("UPDATE jobs SET state = ?, attempts = attempts + 1, owner_pid = ? WHERE job_id = ? "
                                    "AND state IN (?, ?)", (SENDING, os.getpid(), job.job_id, QUEUED, RETRYING))
            return cur.rowcount == 1

    def _run_job(self, job: Job) -> None:
        if not self._claim(job):
            return
        pending = self._pending(job)
        if not pending:
            self._set(job.job_id, state=SENT, finished=_now_iso(), last_error=None)
            return
        node = self.nodes.get(job.destination)
        try:
            if node is None:
                raise OutboxError(f"destination {job.destination} is no longer configured")
            if node.is_dimse:
                self._send_dimse(job, node, pending)
            elif node.url:
                self._send_stow(job, node, pending)
            else:
                raise OutboxError(f"destination {job.destination} has neither a DIMSE address nor a URL")
            left = self._pending(job)
            if left:
                raise OutboxError(f"{len(left)} instance(s) not acknowledged")
        except Exception as exc:  # noqa: BLE001 - every failure is a retry, with its one-line reason kept
            attempts = job.attempts + 1
            reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            if attempts >= self.max_attempts:
                self._set(job.job_id, state=FAILED, last_error=reason, finished=_now_iso())
                log.error("outgoing job %d to %s failed after %d attempts: %s", job.job_id, job.destination,
                          attempts, reason)
            else:
                delay = min(self.max_delay, self.base_delay * (2 ** (attempts - 1)))
                self._set(job.job_id, state=RETRYING, last_error=reason, next_try=time.time() + delay)
                log.warning("outgoing job %d to %s: %s; retry in %.0f s", job.job_id, job.destination, reason, delay)
            return
        self._set(job.job_id, state=SENT, finished=_now_iso(), last_error=None)
        log.info("outgoing job %d to %s sent (%d instances)", job.job_id, job.destination, len(pending))

    def _audit(self, node, uid: str, status: int, detail: str) -> None:
        if self.db is not None:
            self.db.audit_many([dict(event="store-sent", peer_ae=node.ae_title, peer_host=node.host or node.url,
                                     sop_instance_uid=uid, status=status, detail=detail)])

    def _send_dimse(self, job: Job, node, pending) -> None:
        import pydicom

        from pynetdicom import AE

        from workstation.net.tls import TlsConfigError, client_context

        install_phi_filter()
        ae = AE(ae_title=self.calling_aet)
        ae.acse_timeout, ae.dimse_timeout, ae.network_timeout = 15, 120, 30
        wanted: dict[str, list[str]] = {}
        for _p, _u, sop, ts in pending:
            wanted.setdefault(sop, []).append(ts)
        try:
            # per SOP class: the compressed syntax alone, the stored ones, uncompressed for compressed files
            ae.requested_contexts = syntax.contexts_for(wanted, job.compress or "")
        except ValueError as exc:
            raise OutboxError(str(exc)) from None
        try:
            ctx = client_context(node)  # None unless the node is marked tls
        except TlsConfigError as exc:
            raise OutboxError(str(exc)) from None
        kw = {"tls_args": (ctx, node.host if ctx.check_hostname else None)} if ctx is not None else {}
        assoc = ae.associate(node.host, int(node.port), ae_title=node.ae_title, **kw)
        if not assoc.is_established:
            raise OutboxError(f"node {node.name} ({node.ae_title}@{node.host}:{node.port}) "
                              f"{'rejected the association' if assoc.is_rejected else 'could not be reached'}")
        try:
            for n, (path, uid, sop, ts) in enumerate(pending):
                ds = pydicom.dcmread(path)
                if syntax.applies(job.compress or "", sop, ts) and \
                        syntax.accepted(assoc, sop, syntax.target_uid(job.compress)):
                    ds = syntax.encode(ds, job.compress)
                else:
                    ds = syntax.fit(ds, assoc, f"outgoing job {job.job_id}")
                nbytes = _wire_bytes(ds)
                try:
                    status = assoc.send_c_store(ds) if assoc.is_established else None
                except (RuntimeError, ValueError) as exc:
                    raise OutboxError(f"C-STORE of {uid} to {node.name}: {exc}") from None
                if not status or "Status" not in status:
                    raise OutboxError(f"node {node.name}: connection dropped or no answer")
                code = int(status.Status)
                if code == 0x0000 or (code & 0xF000) == 0xB000:
                    self._acknowledge(job, uid, code, nbytes)
                    self._audit(node, uid, code, f"outgoing job {job.job_id}")
                    if self.on_ack is not None:
                        self.on_ack(job.job_id, uid, n + 1, len(pending))
                else:
                    raise OutboxError(f"node {node.name} refused {uid} with status 0x{code:04X}")
        finally:
            if assoc.is_established:
                assoc.release()

    def _web_auth(self, node) -> dict:
        """Credentials for the node's DICOMweb URL, with its client certificate and CA over https."""
        from workstation.net import web

        return {**(self.auth or {}), **web.node_tls(node)}

    def _send_stow(self, job: Job, node, pending) -> None:
        from workstation.net import web

        for path, uid, _sop, _ts in pending:
            res = web.put(node.url, [path], auth=self._web_auth(node))
            if uid in res.sop_instance_uids:
                self._acknowledge(job, uid, 0, Path(path).stat().st_size)
                self._audit(node, uid, 0, f"outgoing job {job.job_id} (STOW-RS)")
            else:
                raise OutboxError("; ".join(res.errors) or f"STOW-RS of {uid} not acknowledged")


def _wire_bytes(ds) -> int:
    """The bytes of the dataset as pynetdicom puts it on the wire (encoded in its transfer syntax)."""
    from pynetdicom.dsutils import encode

    ts = ds.file_meta.TransferSyntaxUID
    data = encode(ds, ts.is_implicit_VR, ts.is_little_endian, ts.is_deflated)
    return len(data) if data is not None else 0


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutboxWorker(threading.Thread):
    """Runs the queue in the background every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, outbox: Outbox, interval: float = 1.0, on_change=None):
        super().__init__(name="outbox", daemon=True)
        self.outbox, self.interval, self.on_change = outbox, float(interval), on_change
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                tried = self.outbox.run_once()
                if tried and self.on_change is not None:
                    self.on_change(tried)
            except Exception as exc:  # noqa: BLE001 - the worker must keep running
                log.error("outgoing queue: %s", type(exc).__name__)
            self._halt.wait(self.interval)

    def stop(self, *_args) -> None:
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(10)
