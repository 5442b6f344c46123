"""Atomic output: every file written for the user goes to a temporary file beside the target first,
and is renamed over the target only once it is complete and synced to disk.

The rules, shared by every writer (report, export, CSV tables, demo, screenshots):

- Only a regular file may be replaced, and only with ``overwrite=True`` (the command line's
  ``--force``: "replace my earlier file"). A device, FIFO, socket, folder or symbolic link at the
  target is refused even with ``--force``: ``report --out /dev/full --force`` must never replace the
  device node.
- The temporary file is in the target's folder (same file system, so the rename is atomic); a
  reader sees either the old file or the complete new one, never a partial one.
- A write that fails (disk full, quota, I/O error, read-only file system) removes the temporary file
  and raises :class:`OutputError`, whose message is one line naming the file and saying that nothing
  was written.

A folder of outputs (``demo --out DIR``) is written the same way: into a temporary folder beside
``DIR``, renamed to ``DIR`` when complete, removed when not (:func:`atomic_output_dir`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path


class OutputError(OSError):
    """An output that cannot be written as asked; the message is one line naming the file."""

    def __init__(self, message: str):
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def check_output(path, overwrite: bool = False) -> Path:
    """The output path, when it may be written: absent, or a regular file and ``overwrite``."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{p}: cannot write there ({exc.strerror or type(exc).__name__})") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{p}: is {_kind(st.st_mode)}, not a regular file; it is never replaced "
                              "(--force replaces only an earlier output file)")
        if not overwrite:
            raise OutputError(f"{p}: already exists; choose another name or pass --force to replace it")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{p}: the folder {parent} does not exist")
    return p


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


@contextmanager
def atomic_output(path, overwrite: bool = False):
    """Yield a temporary path beside ``path`` to write; on success it replaces ``path``.

    Any ``OSError`` of the writer (full disk, ...) becomes an :class:`OutputError`; the temporary file
    is removed in every case but success.
    """
    target = check_output(path, overwrite)
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(3)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({_describe(exc)}); nothing was written") from None
    try:
        yield tmp
        _fsync_file(tmp)
        check_output(target, overwrite)  # again: nothing else may have appeared there meanwhile
        os.replace(tmp, target)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({_describe(exc)}); nothing was written") from None
    finally:
        if os.path.lexists(tmp):
            _remove(tmp)


def write_bytes_atomic(path, data: bytes, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, overwrite) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
    return Path(path)


def write_text_atomic(path, text: str, overwrite: bool = False, encoding: str = "utf-8") -> Path:
    return write_bytes_atomic(path, text.encode(encoding), overwrite)


def check_output_dir(path) -> Path:
    """A folder of outputs may be written at ``path``: absent, or an empty folder."""
    p = Path(path)
    if os.path.lexists(p):
        if p.is_symlink() or not p.is_dir():
            raise OutputError(f"{p}: exists and is not a folder; choose another name")
        if any(p.iterdir()):
            raise OutputError(f"{p} is not empty; choose another folder (nothing is overwritten)")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{p}: the folder {parent} does not exist")
    return p


@contextmanager
def atomic_output_dir(path):
    """Yield a temporary folder beside ``path`` to fill; on success it becomes ``path`` (absent or empty)."""
    target = check_output_dir(path)
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(3)}")
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({_describe(exc)}); nothing was written") from None
    try:
        yield tmp
        check_output_dir(target)
        if target.is_dir():
            target.rmdir()  # empty (checked): the complete folder takes its place
        os.replace(tmp, target)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({_describe(exc)}); nothing was written") from None
    finally:
        if os.path.lexists(tmp):
            _remove(tmp)

