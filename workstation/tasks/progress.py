"""Progress and cooperative cancel for long compute functions.

A compute function takes ``progress: Progress | None`` and calls ``progress.update(frac, msg)``
now and then; ``update`` raises :class:`Cancelled` once ``cancel()`` has been called (from any
thread). The UI wraps this with signals; the CLI prints; tests use it bare.
"""

from __future__ import annotations

import threading
from typing import Callable


class Cancelled(Exception):
    """Raised inside a compute function when its job was cancelled."""


class Progress:
    def __init__(self, callback: Callable[[float, str], None] | None = None):
        self._callback = callback
        self._cancel = threading.Event()
        self.fraction = 0.0
        self.message = ""

    def update(self, fraction: float | None = None, message: str | None = None) -> None:
        if fraction is not None:
            self.fraction = max(0.0, min(1.0, float(fraction)))
        if message is not None:
            self.message = message
        if self._callback is not None:
            self._callback(self.fraction, self.message)
        self.check()

    def report(self, fraction: float | None = None, message: str | None = None) -> None:
        """Like :meth:`update` but never raises :class:`Cancelled`: for callbacks inside foreign code
        (e.g. a SimpleITK iteration event) that must stop their work their own way (see ``cancelled``)."""
        if fraction is not None:
            self.fraction = max(0.0, min(1.0, float(fraction)))
        if message is not None:
            self.message = message
        if self._callback is not None:
            self._callback(self.fraction, self.message)

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled(self.message or "cancelled")

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def sub(self, start: float, stop: float) -> "Progress":
        """A child progress mapping [0, 1] onto [start, stop] of this one, sharing cancel."""
        parent = self

        class _Sub(Progress):
            def update(self, fraction=None, message=None):
                if fraction is not None:
                    self.fraction = max(0.0, min(1.0, float(fraction)))
                parent.update(start + (stop - start) * self.fraction, message)

            def report(self, fraction=None, message=None):
                if fraction is not None:
                    self.fraction = max(0.0, min(1.0, float(fraction)))
                parent.report(start + (stop - start) * self.fraction, message)

            def check(self):
                parent.check()

            def cancel(self):
                parent.cancel()

            @property
            def cancelled(self):
                return parent.cancelled

        return _Sub()


def null_progress() -> Progress:
    return Progress()
