"""Garbage collection on one chosen thread.

Python's automatic collector runs on whichever thread allocates when a generation's threshold is
crossed. In a Qt application that can be a worker thread, and a widget caught in a reference cycle is
then destroyed off the UI thread, which crashes Qt. The application (``ui.workers.MainThreadCollector``)
and the test session turn automatic collection off and call :func:`collect_if_due` on the main thread.
"""

from __future__ import annotations

import gc


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
    return gen
