"""The child side of a reconstruction job: runs one plugin in its own process.

Started by :class:`workstation.recon.host.ReconHost` as
``python -m workstation.recon.child JOBDIR --channel-fd N`` (or ``workstation recon-child ...``
in a frozen build). The job directory is the interface:

* ``request.json`` (written by the host): plugin entry point, parameters, input files/arrays;
* ``outputs/`` (written here): ``image.npy`` + ``result.json`` and ``partial_NNN.npy`` previews;
* ``child.log`` (the child's stdout and stderr, redirected by the host): stray prints and
  tracebacks land there, never on the channel.

Messages go to the host as newline-delimited JSON on a dedicated pipe (file descriptor N):
``hello``, ``heartbeat``, ``progress``, ``log``, ``partial``, ``result``, ``cancelled``, ``error``.
The host writes ``{"type": "cancel"}`` lines on the child's stdin for cooperative cancel.
"""

from __future__ import annotations

from workstation.core.strict_json import dumps as strict_dumps
import argparse
import importlib
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np

from workstation.recon.api import CONTRACT_VERSION, PluginInputError, ReconRequest, ReconResult
from workstation.tasks.progress import Cancelled
from workstation.core.geometry import ImageGeometry


class Channel:
    """Thread-safe writer of JSON lines to the host."""

    def __init__(self, fd: int):
        self._f = os.fdopen(fd, "w", encoding="utf-8", buffering=1, closefd=True)
        self._lock = threading.Lock()

    def send(self, type_: str, **fields) -> None:
        line = json.dumps({"type": type_, "t": time.time(), **fields}, allow_nan=False, default=_json_default)
        with self._lock:
            try:
                self._f.write(line + "\n")
                self._f.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # host gone: nothing left to tell


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    return str(o)


class ChildContext:
    """The :class:`workstation.recon.api.ReconContext` implementation inside the child."""

    def __init__(self, channel: Channel, out_dir: Path):
        self._channel = channel
        self._out = out_dir
        self._cancel = threading.Event()

    def progress(self, fraction: float, message: str = "") -> None:
        f = float(fraction)
        if not np.isfinite(f):
            f = 0.0
        self._channel.send("progress", fraction=f, message=str(message))
        self.check_cancel()

    def log(self, message: str, level: str = "info") -> None:
        self._channel.send("log", level=str(level), message=str(message))

    def partial_result(self, result: ReconResult, iteration: int) -> None:
        path = self._out / f"partial_{int(iteration):03d}.npy"
        np.save(path, np.asarray(result.array, dtype=np.float32), allow_pickle=False)
        self._channel.send("partial", iteration=int(iteration), path=path.name,
                           geometry=result.geometry.to_dict(), units=result.units)

    def request_cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancel(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled by the user")


def load_request(job_dir: Path) -> tuple[dict, ReconRequest]:
    raw = json.loads((job_dir / "request.json").read_text(encoding="utf-8"))
    req = ReconRequest(
        job_id=raw["job_id"],
        plugin_id=raw["plugin_id"],
        parameters=dict(raw.get("parameters", {})),
        input_files={k: Path(v) for k, v in raw.get("input_files", {}).items()},
        array_files={k: job_dir / v for k, v in raw.get("array_files", {}).items()},
        array_geometries={k: ImageGeometry.from_dict(v) for k, v in raw.get("array_geometries", {}).items()},
        work_dir=job_dir / "work",
    )
    return raw, req


def resolve_entry_point(value: str):
    module_name, _, attr = value.partition(":")
    obj = importlib.import_module(module_name.strip())
    for part in filter(None, attr.strip().split(".")):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"entry point {value!r} is not callable")
    return obj


def write_result(out_dir: Path, result: ReconResult) -> Path:
    if not isinstance(result, ReconResult):
        raise TypeError(f"plugin returned {type(result).__name__}, expected workstation.recon.api.ReconResult")
    arr = np.asarray(result.array)
    np.save(out_dir / "image.npy", arr, allow_pickle=False)
    meta = {"geometry": result.geometry.to_dict(), "units": result.units, "description": result.description,
            "provenance": result.provenance, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    (out_dir / "result.json").write_text(strict_dumps(meta, indent=2), encoding="utf-8")
    return out_dir / "image.npy"


def run_job(job_dir: Path, channel_fd: int) -> int:
    job_dir = Path(job_dir)
    channel = Channel(channel_fd)
    out_dir = job_dir / "outputs"
    out_dir.mkdir(exist_ok=True)
    (job_dir / "work").mkdir(exist_ok=True)
    ctx = ChildContext(channel, out_dir)
    channel.send("hello", pid=os.getpid(), contract_version=CONTRACT_VERSION, python=sys.version.split()[0])

    try:
        raw, request = load_request(job_dir)
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        channel.send("error", message=f"cannot read request.json: {exc}")
        return 1
    for p in raw.get("sys_path", []):
        if p not in sys.path:
            sys.path.insert(0, p)

    interval = float(raw.get("heartbeat_interval_s", 1.0))
    stop = threading.Event()

    def heartbeat():
        while not stop.wait(interval):
            channel.send("heartbeat")

    def control():
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(msg, dict) and msg.get("type") == "cancel":
                ctx.request_cancel()
        # stdin closed: the host is gone or wants us to stop
        ctx.request_cancel()

    threading.Thread(target=heartbeat, name="recon-heartbeat", daemon=True).start()
    threading.Thread(target=control, name="recon-control", daemon=True).start()

    try:
        run = resolve_entry_point(raw["entry_point"])
        ctx.check_cancel()
        result = run(request, ctx)
        ctx.check_cancel()
        path = write_result(out_dir, result)
        channel.send("result", path=path.name)
        rc = 0
    except Cancelled:
        channel.send("cancelled")
        rc = 0
    except PluginInputError as exc:
        channel.send("error", message=str(exc), kind="input")
        rc = 1
    except Exception as exc:  # noqa: BLE001 - every plugin failure is reported, never hidden
        traceback.print_exc()
        channel.send("error", message=f"{type(exc).__name__}: {exc}", kind="plugin")
        rc = 1
    finally:
        stop.set()
    return rc


def build_arg_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="workstation recon-child",
                                               description="internal: run one reconstruction job")
    parser.add_argument("job_dir", type=Path)
    parser.add_argument("--channel-fd", type=int, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    from workstation.settings.logs import setup_child_logging

    setup_child_logging()  # one PHI filter on every process we start
    args = build_arg_parser().parse_args(argv)
    # stray prints from plugins go to the log (our stdout is the log file), never to the channel
    return run_job(args.job_dir, args.channel_fd)


if __name__ == "__main__":
    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)  # do not wait for non-daemon threads a plugin may have left behind
