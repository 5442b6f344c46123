"""A small tmpfs for the full-disk tests of io (mounted where the test may, skipped with the reason elsewhere)."""

import contextlib
import os
import subprocess

import pytest


@contextlib.contextmanager
def small_tmpfs(folder, size: str):
    """A tmpfs of ``size`` (mount's size=, e.g. "256k") mounted on ``folder`` and unmounted afterwards;
    skips the test (with the reason) where mounting is not allowed (CI runs as root and can)."""
    folder.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({r.stderr.strip() or 'mount failed'}); needs root and "
                    "mount rights")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(mnt, leave: int = 0) -> None:
    """Fill the disk mounted at ``mnt`` to the last byte (file ``filler``), then give ``leave`` bytes back."""
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    size = (mnt / "filler").stat().st_size
    os.truncate(mnt / "filler", max(0, size - leave))
