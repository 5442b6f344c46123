"""Strict JSON: what the workstation writes as JSON is JSON (RFC 8259), never ``NaN`` or ``Infinity``.

Python's ``json`` writes ``NaN``/``Infinity`` for non-finite floats by default, which other JSON readers
(JavaScript's ``JSON.parse``, jq, most databases) reject. :func:`strict` turns every non-finite float
(NumPy's too) into ``None`` (``null``), NumPy scalars and arrays into Python values, datetimes into ISO
text; :func:`dumps` and :func:`dump` then write with ``allow_nan=False`` so that a value missed here is an
error, never invalid output.
"""

from __future__ import annotations

import json
import math
from typing import Any


def strict(value: Any) -> Any:
    """A copy of ``value`` in plain JSON types with every NaN/Infinity replaced by None."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [strict(v) for v in value]
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return strict(value.item())
        if isinstance(value, np.ndarray):
            return strict(value.tolist())
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return strict(value.to_dict())
    return str(value)


def dumps(value: Any, **kw) -> str:
    """``json.dumps`` of :func:`strict` (value) with ``allow_nan=False``."""
    return json.dumps(strict(value), allow_nan=False, **kw)


def dump(value: Any, fp, **kw) -> None:
    """``json.dump`` of :func:`strict` (value) with ``allow_nan=False``."""
    json.dump(strict(value), fp, allow_nan=False, **kw)
