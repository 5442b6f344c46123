"""Named events with plain callbacks (no Qt): how the reading state tells its views that it changed.

``connect(name, cb)`` subscribes (``"*"`` receives every event); ``emit(name, **kw)`` calls each
subscriber with ``event=name`` and the keywords. Views (VTK in ``render``, Qt in ``ui``, tests)
subscribe and redraw; they never write the state back from a callback.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable


class EventEmitter:
    """Named events with plain callbacks (no Qt). ``connect(name, cb)``; ``emit(name, **kw)``."""

    def __init__(self):
        self._subs: dict[str, list[Callable]] = defaultdict(list)

    def connect(self, name: str, callback: Callable) -> None:
        if callback not in self._subs[name]:
            self._subs[name].append(callback)

    def disconnect(self, name: str, callback: Callable) -> None:
        if callback in self._subs[name]:
            self._subs[name].remove(callback)

    def emit(self, _event: str, /, **kwargs) -> None:
        for cb in list(self._subs[_event]) + list(self._subs["*"]):
            cb(event=_event, **kwargs)
