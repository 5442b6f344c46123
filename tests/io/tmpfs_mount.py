"""A small tmpfs for the full-disk tests of io (mounted where the test may, skipped with the reason elsewhere)."""

import contextlib
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
