"""The application log: one rotating file in the user data folder, PHI-free by construction.

:func:`setup_logging` installs two handlers on the root logger, so that our own loggers
(``workstation.*``), third-party loggers (``pydicom``) and Python warnings (routed through
``logging.captureWarnings``) all end up in the same place:

* a rotating file ``logs/workstation.log`` under :func:`workstation.settings.data_dir` (INFO);
* standard error (WARNING and above from our own loggers; third-party records go to the file only),
  resolved at each message so redirections keep working.

Every handler carries a :class:`PhiFilter`. It removes

* every value registered with :func:`register_phi` (the io layer registers patient names, IDs
  and birth dates as it decodes them, with the components of names), wherever it appears; and
* for records from third-party code (anything not under ``workstation``), every quoted value:
  pydicom's "Invalid value for VR PN: '...'" warnings quote the raw element value, which may be
  any element, a name or an ID included.

File paths are PHI too when folders are named after patients ("/cases/ZHANG_SAN_P12345/CT/1.dcm").
So every absolute path in a record is reduced to its last two components (".../CT/1.dcm", enough to
find the file from the import that named it) and those are scrubbed like any text; names are
registered with their spelling variants ("ZHANG_SAN", "Zhang San", "ZHANGSAN") and Chinese names of
two characters ("张三") count, so that a folder spelled from the name is masked as well.

Duplicates (pydicom both logs and warns the same text) are written once.
:func:`diagnostics_text` gives the version facts and the log's tail for a support request.
"""

from __future__ import annotations

import collections
import logging
import logging.handlers
import platform
import re
import sys
import threading

from workstation.settings.paths import data_dir

LOG_NAME = "workstation.log"
MAX_BYTES = 2 << 20
BACKUPS = 5
REDACTED = "<redacted>"

_phi_lock = threading.Lock()
_phi_values: collections.OrderedDict[str, None] = collections.OrderedDict()
_PHI_MAX = 20000
_MIN_LEN = 3  # shorter values (sex "M", initials) would blank out ordinary words
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
# an absolute path: POSIX (/a/b), Windows (C:\a\b) or UNC (\\host\share); it runs to a quote, a colon
# followed by a space, or the end of the line (folder names may contain spaces)
_PATH = re.compile(r"(?:(?<![\w.])/|\b[A-Za-z]:[\\/]|\\\\)(?:[^\n'\"<>|:]|:(?! |$))+?(?=['\"]|: |:$|\)|\]|,? |$)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_pattern_cache: tuple[int, re.Pattern | None] = (-1, None)
_version = 0


def register_phi(*values) -> None:
    """Remember patient-identifying strings so that no log record can carry them."""
    global _version
    added = False
    with _phi_lock:
        for v in values:
            if v is None:
                continue
            text = str(v).strip()
            parts = {text} | {p.strip() for p in re.split(r"[\^=,]", text)}
            words = [w for w in re.split(r"[\^=,\s]+", text.split("=")[0]) if w]
            if len(words) > 1:  # spellings of the whole name a folder may use
                parts |= {sep.join(words) for sep in ("_", " ", "-", "", ".")}
            for p in parts:
                if (len(p) >= _MIN_LEN or len(p) == 2 and len(_CJK.findall(p)) == 2) and p not in _phi_values:
                    _phi_values[p] = None
                    added = True
                    if len(_phi_values) > _PHI_MAX:
                        _phi_values.popitem(last=False)
        if added:
            _version += 1


def forget_phi() -> None:
    """Forget every registered value (a new session; the tests call it before each test so that the values one
    test registered do not mask another test's text)."""
    global _version
    with _phi_lock:
        _phi_values.clear()
        _version += 1


def _phi_pattern() -> re.Pattern | None:
    global _pattern_cache
    with _phi_lock:
        version, pattern = _pattern_cache
        if version == _version:
            return pattern
        values = sorted(_phi_values, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE) if values else None
        _pattern_cache = (_version, pattern)
        return pattern


def shown_path(path) -> str:
    """How a file path appears in the log: its last two components, scrubbed (".../CT/IM0001")."""
    text = str(path).rstrip("/\\")
    parts = [p for p in re.split(r"[/\\]", text) if p]
    if len(parts) > 2:
        text = ".../" + "/".join(parts[-2:])
    pattern = _phi_pattern()
    return pattern.sub(REDACTED, text) if pattern is not None else text


def scrub(text: str, third_party: bool = False) -> str:
    """``text`` without registered PHI values (and, for third-party text, without quoted values);
    absolute paths shortened by :func:`shown_path`."""
    text = _PATH.sub(lambda m: shown_path(m.group(0)), text)
    if third_party:
        text = _QUOTED.sub(f"'{REDACTED}'", text)
    pattern = _phi_pattern()
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    return text


class PhiFilter(logging.Filter):
    """Rewrites each record's message without PHI (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            message = str(record.msg)
        third_party = not record.name.startswith("workstation")
        # a file name that is not UTF-8 (os.fsdecode's lone surrogates) would make the handler raise and
        # print a logging traceback: such characters are written as \\udcxx escapes instead
        message = message.encode("utf-8", "backslashreplace").decode("utf-8")
        record.msg = scrub(message, third_party)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # tracebacks carry exception messages: keep the type and our scrubbed text only
            exc = record.exc_info[1]
            record.msg += f" [{type(exc).__name__}: {scrub(str(exc), third_party)}]"
            record.exc_info = None
            record.exc_text = None
        return True


class _Dedupe(logging.Filter):
    """Drop a warning that repeats, as a Python warning, a message pydicom has just logged."""

    def __init__(self):
        super().__init__()
        self._recent: collections.deque[str] = collections.deque(maxlen=32)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001
            return True
        if record.name == "py.warnings":
            return not any(m and m in text for m in self._recent)
        if not record.name.startswith("workstation"):
            self._recent.append(text)
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the message."""

    def __init__(self):
        super().__init__(sys.stderr)

    def emit(self, record):
        self.stream = sys.stderr
        super().emit(record)


_installed: list[logging.Handler] = []


def log_path():
    return data_dir() / "logs" / LOG_NAME


def setup_logging(level: int = logging.INFO, stderr_level: int = logging.WARNING, to_file: bool = True) -> None:
    """Install the application's handlers (idempotent: a second call replaces the first's)."""
    root = logging.getLogger()
    for h in _installed:
        root.removeHandler(h)
        h.close()
    _installed.clear()
    dedupe = _Dedupe()
    handlers: list[logging.Handler] = []
    err = _StderrHandler()
    err.setLevel(stderr_level)
    # the terminal shows our own warnings; third-party ones (pydicom's validation notes on other
    # people's files) go to the log file only, or every command would print dozens of lines
    err.addFilter(lambda record: record.name.startswith("workstation"))
    err.setFormatter(logging.Formatter("%(levelname)s: %(name)s: %(message)s"))
    handlers.append(err)
    if to_file:
        try:
            path = log_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                      encoding="utf-8", delay=True)
            fh.setLevel(level)
            fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            handlers.append(fh)
        except OSError:
            pass  # a read-only home must not stop the program; stderr still gets warnings
    for h in handlers:
        h.addFilter(dedupe)
        h.addFilter(PhiFilter())
        root.addHandler(h)
        _installed.append(h)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    logging.captureWarnings(True)


def setup_child_logging() -> None:
    """The same PHI filter in every process we start (the parallel scan's workers, the recon child):
    Python warnings and third-party records go through it and never reach stderr raw (pydicom's
    "Invalid value for VR ..." warnings quote element values, patient names and IDs included).
    Standard error only: the parent owns the log file, and several writers would break its rotation."""
    setup_logging(to_file=False)


def diagnostics_text(tail_lines: int = 200) -> str:
    """Versions and the end of the log, for a support request (the log is already PHI-free)."""
    from workstation import __version__

    lines = [f"workstation {__version__}", f"python {sys.version.split()[0]} on {platform.platform()}"]
    for mod in ("numpy", "pydicom", "SimpleITK", "vtk", "PySide6", "numba"):
        m = sys.modules.get(mod)
        if m is not None:
            lines.append(f"{mod} {getattr(m, '__version__', '?')}")
    path = log_path()
    lines.append(f"log: {path}")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines += ["", *collections.deque(f, maxlen=tail_lines)]
    except OSError:
        lines.append("(no log yet)")
    return "\n".join(line.rstrip("\n") for line in lines)
