"""The plugin host: runs each reconstruction job in a fresh child process and contains it.

Life of a job (``ReconHost.submit`` → :class:`ReconJob`)::

    scheduled → running → completing → completed
                       ↘ cancelling → cancelled
    (any non-final state) → failed

* The job directory (``<jobs_root>/<job_id>/``) is the interface and the audit trail:
  ``request.json``, ``inputs/*.npy``, ``outputs/`` (result and per-iteration previews),
  ``child.log`` (the child's stdout/stderr), ``status.json`` (every transition, timestamped).
* The child is spawned, never forked (``subprocess`` + a new interpreter), from the
  application's own entry point: ``sys.executable -m workstation.recon.child`` or, in a frozen
  build, ``sys.executable recon-child``.
* Messages come back as newline-delimited JSON on a dedicated pipe; anything on that pipe that
  is not a known JSON message ("garbage") fails the job and the child is killed.
* Cancel: a ``cancel`` line on the child's stdin (cooperative); after ``cancel_grace_s`` the
  child is terminated (SIGTERM), after ``terminate_grace_s`` more it is killed (SIGKILL).
* A crash (signal, non-zero exit, exit without an answer) or a missed heartbeat
  (``heartbeat_timeout_s`` without any message) is ``failed`` with the tail of the log.
* A result is validated (finite, declared units Bq/mL, array shape = geometry shape) before it
  becomes a :class:`workstation.core.volume.Volume`.

No Qt here: listeners are plain callables called on the job's supervisor thread.
"""

from __future__ import annotations

from workstation.core.strict_json import dumps as strict_dumps
import datetime as _dt
import enum
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.recon.api import ReconResult
from workstation.recon.manifest import Manifest, PluginRegistry

MESSAGE_TYPES = frozenset({"hello", "heartbeat", "progress", "log", "partial", "result", "cancelled", "error"})
MAX_LINE = 1 << 20  # a channel line longer than 1 MiB is garbage


class JobStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    COMPLETING = "completing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in (JobStatus.CANCELLED, JobStatus.COMPLETED, JobStatus.FAILED)


_ALLOWED = {
    JobStatus.SCHEDULED: {JobStatus.RUNNING, JobStatus.CANCELLING, JobStatus.FAILED},
    JobStatus.RUNNING: {JobStatus.CANCELLING, JobStatus.COMPLETING, JobStatus.FAILED},
    JobStatus.CANCELLING: {JobStatus.CANCELLED, JobStatus.FAILED},
    JobStatus.COMPLETING: {JobStatus.COMPLETED, JobStatus.FAILED},
    JobStatus.CANCELLED: set(),
    JobStatus.COMPLETED: set(),
    JobStatus.FAILED: set(),
}


class InvalidTransition(RuntimeError):
    pass


class ReconJobError(RuntimeError):
    """A job could not be started (bad inputs, unknown plugin, ...)."""


@dataclass
class PartialResult:
    iteration: int
    path: Path
    geometry: ImageGeometry

    def load(self) -> np.ndarray:
        return np.load(self.path, allow_pickle=False)


@dataclass
class ReconJob:
    job_id: str
    manifest: Manifest
    job_dir: Path
    parameters: dict[str, Any]
    status: JobStatus = JobStatus.SCHEDULED
    fraction: float = 0.0
    message: str = ""
    fractions: list[float] = field(default_factory=list)
    plugin_log: list[str] = field(default_factory=list)
    partials: list[PartialResult] = field(default_factory=list)
    history: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    result: Volume | None = None
    returncode: int | None = None
    pid: int | None = None
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _listeners: list[Callable] = field(default_factory=list, repr=False)

    # -------------------------------------------------------------- public
    def cancel(self) -> None:
        """Ask the job to stop (cooperative first, then terminate, then kill)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> JobStatus:
        self._done.wait(timeout)
        return self.status

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def log_path(self) -> Path:
        return self.job_dir / "child.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def add_listener(self, fn: Callable[["ReconJob", str, dict], None]) -> None:
        self._listeners.append(fn)

    # -------------------------------------------------------------- internal
    def _emit(self, kind: str, data: dict) -> None:
        for fn in list(self._listeners):
            try:
                fn(self, kind, data)
            except Exception as exc:  # noqa: BLE001 - a bad listener must not kill the supervisor
                self.warnings.append(f"listener error: {exc}")

    def _set_status(self, new: JobStatus, reason: str = "") -> None:
        with self._lock:
            old = self.status
            if new == old:
                return
            if new not in _ALLOWED[old]:
                raise InvalidTransition(f"job {self.job_id}: {old.value} -> {new.value} not allowed")
            self.status = new
            self.history.append((_dt.datetime.now().isoformat(timespec="milliseconds"), new.value))
        self._write_status(reason)
        self._emit("status", {"status": new.value, "reason": reason})

    def _write_status(self, reason: str = "") -> None:
        doc = {"job_id": self.job_id, "plugin": self.manifest.id, "plugin_version": self.manifest.version,
               "status": self.status.value, "history": self.history, "error": self.error,
               "reason": reason, "returncode": self.returncode, "warnings": self.warnings}
        try:
            (self.job_dir / "status.json").write_text(strict_dumps(doc, indent=2), encoding="utf-8")
        except OSError:
            pass


def child_command(job_dir: Path, channel_fd: int) -> list[str]:
    """Command line of the child, from the application's own entry point."""
    if getattr(sys, "frozen", False):  # installer build: the executable dispatches sub-commands
        return [sys.executable, "recon-child", str(job_dir), "--channel-fd", str(channel_fd)]
    return [sys.executable, "-m", "workstation.recon.child", str(job_dir), "--channel-fd", str(channel_fd)]


def validate_result_files(out_dir: Path, manifest: Manifest) -> Volume:
    """Load ``image.npy`` + ``result.json`` and check them; raises ValueError with the reason."""
    meta_path = out_dir / "result.json"
    img_path = out_dir / "image.npy"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        arr = np.load(img_path, allow_pickle=False)
        geom = ImageGeometry.from_dict(meta["geometry"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"result files in {out_dir} unreadable: {exc}") from None
    declared = {o.units for o in manifest.outputs} or {"BQML"}
    res = ReconResult(arr, geom, units=str(meta.get("units", "")))
    problems = res.problems()
    if res.units not in declared:
        problems.append(f"units {res.units!r} differ from the manifest's declared {sorted(declared)}")
    if problems:
        raise ValueError("; ".join(problems))
    return Volume(np.asarray(arr, dtype=np.float32), geom, modality="PT", units="BQML",
                  description=str(meta.get("description", "")) or f"{manifest.name} reconstruction",
                  info={"provenance": meta.get("provenance", {}), "recon_plugin": manifest.id,
                        "recon_plugin_version": manifest.version, "job_dir": str(out_dir.parent)})


class ReconHost:
    """Starts and supervises reconstruction jobs."""

    def __init__(self, registry: PluginRegistry | None = None, jobs_root: Path | None = None,
                 heartbeat_interval_s: float = 1.0, heartbeat_timeout_s: float = 30.0,
                 cancel_grace_s: float = 5.0, terminate_grace_s: float = 3.0, start_timeout_s: float = 120.0):
        self.registry = registry if registry is not None else PluginRegistry.discover()
        self.jobs_root = Path(jobs_root) if jobs_root else Path(tempfile.gettempdir()) / "workstation-recon-jobs"
        self.heartbeat_interval_s = heartbeat_interval_s
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.cancel_grace_s = cancel_grace_s
        self.terminate_grace_s = terminate_grace_s
        self.start_timeout_s = start_timeout_s
        self.jobs: list[ReconJob] = []

    def submit(self, plugin_id: str, input_files: dict[str, str | Path] | None = None,
               arrays: dict[str, tuple[np.ndarray, ImageGeometry | None]] | None = None,
               parameters: dict[str, Any] | None = None,
               listener: Callable[[ReconJob, str, dict], None] | None = None,
               job_dir: Path | None = None) -> ReconJob:
        """Validate the job, write its directory and start the child; returns at once."""
        manifest = self.registry.get(plugin_id)
        params = manifest.resolve_parameters(parameters)
        input_files = {k: Path(v).resolve() for k, v in (input_files or {}).items()}
        arrays = arrays or {}
        known = {i.name for i in manifest.inputs}
        for name in (*input_files, *arrays):
            if known and name not in known:
                raise ReconJobError(f"plugin {plugin_id!r} has no input {name!r}; it takes {sorted(known)}")
        for spec in manifest.inputs:
            if spec.required and spec.name not in input_files and spec.name not in arrays:
                raise ReconJobError(f"plugin {plugin_id!r} needs input {spec.name!r} ({spec.kind})")
        for name, path in input_files.items():
            if not path.exists():
                raise ReconJobError(f"input {name!r}: {path} does not exist")
        job_id = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8]
        job_dir = Path(job_dir) if job_dir else self.jobs_root / job_id
        (job_dir / "inputs").mkdir(parents=True, exist_ok=True)
        (job_dir / "outputs").mkdir(exist_ok=True)
        array_files, array_geoms = {}, {}
        for name, (arr, geom) in arrays.items():
            rel = f"inputs/{name}.npy"
            np.save(job_dir / rel, np.asarray(arr), allow_pickle=False)
            array_files[name] = rel
            if geom is not None:
                array_geoms[name] = geom.to_dict()
        request = {"job_id": job_id, "plugin_id": manifest.id, "plugin_version": manifest.version,
                   "entry_point": manifest.entry_point, "sys_path": list(manifest.sys_path),
                   "parameters": params, "input_files": {k: str(v) for k, v in input_files.items()},
                   "array_files": array_files, "array_geometries": array_geoms,
                   "heartbeat_interval_s": self.heartbeat_interval_s,
                   "created": _dt.datetime.now().isoformat(timespec="seconds")}
        (job_dir / "request.json").write_text(strict_dumps(request, indent=2), encoding="utf-8")
        job = ReconJob(job_id, manifest, job_dir, params)
        job.history.append((_dt.datetime.now().isoformat(timespec="milliseconds"), JobStatus.SCHEDULED.value))
        job._write_status()
        if listener:
            job.add_listener(listener)
        self.jobs.append(job)
        threading.Thread(target=self._supervise, args=(job,), name=f"recon-{job_id}", daemon=True).start()
        return job

    def run(self, plugin_id: str, timeout: float | None = None, **kw) -> ReconJob:
        """Submit and wait (CLI, tests)."""
        job = self.submit(plugin_id, **kw)
        if job.wait(timeout) is None or not job.done:
            job.cancel()
            job.wait(self.cancel_grace_s + self.terminate_grace_s + 5)
        return job

    # ------------------------------------------------------------------ supervisor
    def _supervise(self, job: ReconJob) -> None:
        try:
            self._supervise_inner(job)
        except Exception as exc:  # noqa: BLE001 - the host never dies with a job
            job.error = f"host error: {type(exc).__name__}: {exc}"
            if not job.status.final:
                job.status = JobStatus.FAILED
                job._write_status()
                job._emit("status", {"status": "failed", "reason": job.error})
        finally:
            job._done.set()

    def _fail(self, job: ReconJob, reason: str, with_log: bool = True) -> None:
        if job.status.final:
            return
        tail = job.log_tail(15) if with_log else ""
        job.error = reason + (f"\n--- last lines of {job.log_path.name} ---\n{tail}" if tail else "")
        job._set_status(JobStatus.FAILED, reason)

    def _supervise_inner(self, job: ReconJob) -> None:
        """Start the child, then loop: read the channel, pass a cancel on, escalate an ignored cancel,
        watch start and heartbeat, finish when the child has exited; always reap the child."""
        child = self._start_child(job)
        if child is None:
            return
        try:
            while True:
                self._read_channel(job, child)
                self._forward_cancel(job, child)
                self._escalate_cancel(job, child)
                self._watchdogs(job, child)
                if self._finish_if_exited(job, child):
                    break
                self._let_answered_child_exit(job, child)
        finally:
            self._reap(job, child)

    def _start_child(self, job: ReconJob) -> "_Child | None":
        """Spawn the child with its message pipe and log; None (job failed) when it cannot start."""
        r_fd, w_fd = os.pipe()
        log = open(job.log_path, "ab")
        try:
            kwargs: dict[str, Any] = {}
            if os.name == "posix":
                kwargs["start_new_session"] = True  # terminal Ctrl-C goes to the viewer, not to jobs
            proc = subprocess.Popen(child_command(job.job_dir, w_fd), stdin=subprocess.PIPE, stdout=log,
                                    stderr=subprocess.STDOUT, pass_fds=(w_fd,), cwd=str(job.job_dir),
                                    close_fds=True, **kwargs)
        except OSError as exc:
            os.close(r_fd)
            os.close(w_fd)
            log.close()
            self._fail(job, f"cannot start the child process: {exc}", with_log=False)
            return None
        os.close(w_fd)
        log.close()
        job.pid = proc.pid
        return _Child(proc, _start_reader(r_fd, job.job_id))

    def _read_channel(self, job: ReconJob, child: "_Child") -> None:
        """Take one message (or wait 50 ms) and handle it; garbage fails the job."""
        try:
            item = child.messages.get(timeout=0.05)
        except queue.Empty:
            item = False
        child.now = time.monotonic()
        if item is None:
            child.channel_open = False
        elif item is not False:
            child.last = child.now
            self._handle_line(job, child, item)

    def _handle_line(self, job: ReconJob, child: "_Child", raw: bytes, stop_on_garbage: bool = True) -> bool:
        """Handle one channel line; False when it was garbage (the job has failed)."""
        msg = _parse_line(raw)
        if isinstance(msg, str):
            if stop_on_garbage:
                child.stop()
            self._fail(job, f"plugin {job.manifest.id!r} sent garbage on the message channel ({msg})")
            return False
        self._handle(job, msg, child.proc)
        return True

    def _forward_cancel(self, job: ReconJob, child: "_Child") -> None:
        """A cancel request of a scheduled or running job: status cancelling, a cancel line on the child's stdin."""
        if job._cancel.is_set() and job.status in (JobStatus.SCHEDULED, JobStatus.RUNNING):
            job._set_status(JobStatus.CANCELLING, "cancel requested")
            child.cancel_sent_at = child.now
            try:
                child.proc.stdin.write(b'{"type": "cancel"}\n')
                child.proc.stdin.flush()
            except (OSError, ValueError):
                pass

    def _escalate_cancel(self, job: ReconJob, child: "_Child") -> None:
        """A cancel ignored for cancel_grace_s: terminate; a terminate ignored for terminate_grace_s: kill."""
        if job.status != JobStatus.CANCELLING or child.proc.poll() is not None:
            return
        if child.terminated_at is None and child.now - child.cancel_sent_at > self.cancel_grace_s:
            job.warnings.append(f"plugin ignored cancel for {self.cancel_grace_s:g} s: terminated")
            child.stop(kill_now=False)
            child.terminated_at = child.now
        elif child.terminated_at is not None and child.now - child.terminated_at > self.terminate_grace_s:
            job.warnings.append("plugin ignored SIGTERM: killed")
            child.stop()

    def _watchdogs(self, job: ReconJob, child: "_Child") -> None:
        """A child that does not say hello within start_timeout_s, or goes silent for heartbeat_timeout_s, is killed."""
        if job.status.final or job.status == JobStatus.CANCELLING or child.proc.poll() is not None:
            return
        if job.status == JobStatus.SCHEDULED and child.now - child.started > self.start_timeout_s:
            child.stop()
            self._fail(job, f"child did not start within {self.start_timeout_s:g} s")
        elif job.status != JobStatus.SCHEDULED and child.now - child.last > self.heartbeat_timeout_s:
            child.stop()
            self._fail(job, f"plugin {job.manifest.id!r} stopped responding (no heartbeat for "
                            f"{self.heartbeat_timeout_s:g} s): killed")

    def _finish_if_exited(self, job: ReconJob, child: "_Child") -> bool:
        """Once the child has exited (and its channel closed, or the job is final): drain the channel and
        give the job its final status (cancelled, or failed when it exited without an answer). True then."""
        rc = child.proc.poll()
        if rc is None or (child.channel_open and not job.status.final):
            return False
        job.returncode = rc
        self._drain(job, child)
        if not job.status.final:
            if job.status == JobStatus.CANCELLING:
                job._set_status(JobStatus.CANCELLED, "stopped" + (" (killed)" if rc < 0 else ""))
            else:
                self._fail(job, f"plugin {job.manifest.id!r} {_describe_exit(rc)} without a result")
        return True

    def _drain(self, job: ReconJob, child: "_Child") -> None:
        """Handle what is left on the channel of an exited child (at most 1 s of waiting per line)."""
        while child.channel_open:
            try:
                item = child.messages.get(timeout=1.0)
            except queue.Empty:
                break
            if item is None or not self._handle_line(job, child, item, stop_on_garbage=False):
                break

    def _let_answered_child_exit(self, job: ReconJob, child: "_Child") -> None:
        """A job answered (or failed) while its child runs: give the child a moment to exit, then stop it."""
        if job.status.final and child.proc.poll() is None:
            try:
                child.proc.wait(timeout=self.terminate_grace_s)
            except subprocess.TimeoutExpired:
                child.stop()

    @staticmethod
    def _reap(job: ReconJob, child: "_Child") -> None:
        """Kill a child still running, wait for it, record its exit code, close its stdin, write the status."""
        proc = child.proc
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        job.returncode = proc.returncode
        try:
            proc.stdin.close()
        except OSError:
            pass
        job._write_status()

    def _handle(self, job: ReconJob, msg: dict, proc) -> None:
        kind = msg["type"]
        if kind == "hello":
            if job.status == JobStatus.SCHEDULED:
                job._set_status(JobStatus.RUNNING, "child started")
            job._emit("hello", msg)
        elif kind == "heartbeat":
            pass
        elif kind == "progress":
            f = msg.get("fraction")
            if isinstance(f, (int, float)) and not isinstance(f, bool):
                f = float(min(1.0, max(0.0, f)))
                if job.fractions and f < job.fractions[-1] - 1e-9:
                    job.warnings.append(f"progress went back from {job.fractions[-1]:.3f} to {f:.3f}")
                job.fractions.append(f)
                job.fraction = max(job.fraction, f)
            job.message = str(msg.get("message", ""))[:500]
            job._emit("progress", {"fraction": job.fraction, "message": job.message})
        elif kind == "log":
            line = f"{msg.get('level', 'info')}: {msg.get('message', '')}"[:2000]
            job.plugin_log.append(line)
            job._emit("log", {"line": line})
        elif kind == "partial":
            try:
                part = PartialResult(int(msg["iteration"]), job.job_dir / "outputs" / Path(str(msg["path"])).name,
                                     ImageGeometry.from_dict(msg["geometry"]))
            except (KeyError, TypeError, ValueError) as exc:
                job.warnings.append(f"bad partial result message: {exc}")
                return
            job.partials.append(part)
            job._emit("partial", {"iteration": part.iteration, "path": str(part.path)})
        elif kind == "result":
            if job.status != JobStatus.RUNNING:
                return  # a result after a cancel request is dropped
            job._set_status(JobStatus.COMPLETING, "validating result")
            try:
                job.result = validate_result_files(job.job_dir / "outputs", job.manifest)
            except ValueError as exc:
                self._fail(job, f"plugin {job.manifest.id!r} returned an invalid result: {exc}", with_log=False)
                return
            job.fraction = 1.0
            job._set_status(JobStatus.COMPLETED, "result validated")
        elif kind == "cancelled":
            if job.status in (JobStatus.RUNNING, JobStatus.SCHEDULED):
                job._set_status(JobStatus.CANCELLING, "plugin stopped on its own")
            if job.status == JobStatus.CANCELLING:
                job._set_status(JobStatus.CANCELLED, "plugin honoured the cancel")
        elif kind == "error":
            self._fail(job, f"plugin {job.manifest.id!r} failed: {str(msg.get('message', ''))[:2000]}",
                       with_log=msg.get("kind") != "input")


class _Child:
    """A running child process as its supervisor sees it: the process, its message queue and the clocks."""

    def __init__(self, proc: subprocess.Popen, messages: queue.Queue):
        self.proc = proc
        self.messages = messages
        self.started = self.last = self.now = time.monotonic()
        self.channel_open = True
        self.cancel_sent_at: float | None = None
        self.terminated_at: float | None = None
        self.killed = False

    def stop(self, kill_now: bool = True) -> None:
        """Kill (or terminate) the child if it still runs."""
        if self.proc.poll() is None:
            try:
                self.proc.kill() if kill_now else self.proc.terminate()
            except OSError:
                pass
            self.killed = self.killed or kill_now


def _start_reader(r_fd: int, job_id: str) -> queue.Queue:
    """A thread that puts each line of the message pipe on a queue, then None when the pipe closes."""
    q: queue.Queue = queue.Queue()

    def reader():
        with os.fdopen(r_fd, "rb") as f:
            while True:
                line = f.readline(MAX_LINE + 1)
                if not line:
                    break
                q.put(line)
        q.put(None)

    threading.Thread(target=reader, name=f"recon-read-{job_id}", daemon=True).start()
    return q


def _parse_line(raw: bytes) -> dict | str:
    """A message dict, or a string saying why the line is garbage."""
    if len(raw) > MAX_LINE:
        return f"line longer than {MAX_LINE} bytes"
    try:
        msg = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"not JSON: {raw[:60]!r}"
    if not isinstance(msg, dict) or msg.get("type") not in MESSAGE_TYPES:
        return f"unknown message {str(msg)[:60]!r}"
    return msg


def _describe_exit(rc: int) -> str:
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        return f"crashed ({name})"
    return f"exited with code {rc}"
