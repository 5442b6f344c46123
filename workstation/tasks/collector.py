"""Garbage collection on one chosen thread.

Python's automatic collector runs on whichever thread allocates when a generation's threshold is
crossed. In a Qt application that can be a worker thread, and a widget caught in a reference cycle is
then destroyed off the UI thread, which crashes Qt. The application (``ui.workers.MainThreadCollector``)
and the test session turn automatic collection off and call :func:`collect_if_due` on the main thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys


def collect_if_due() -> int:
    """Collect the oldest generation whose threshold is crossed, as the automatic collector would; returns
    the generation collected, or -1 when none is due."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    gen = -1
    for g in range(3):
        if thresholds[g] and counts[g] > thresholds[g]:
            gen = g
    if gen >= 0:
        gc.collect(gen)
        if gen == 2:
            trim_heap()
    return gen


_libc = None


def trim_heap() -> bool:
    """Give the C heap's free pages back to the operating system (glibc ``malloc_trim``; elsewhere nothing).

    A closed study's arrays are freed, but glibc keeps the freed pages of its heaps for reuse, so the
    resident memory of a reading session that opens study after study would only ever grow."""
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(_libc.malloc_trim(0))
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return False


def release_memory() -> None:
    """A full collection on this thread, then the heap's free pages back to the system (a window closed)."""
    gc.collect()
    trim_heap()
