"""kernels layer (see DESIGN.md): numba hot loops behind plain NumPy functions.

Each public function takes and returns NumPy arrays; the compiled loops live in ``_loops`` and
are imported (and compiled, or loaded from numba's on-disk cache) at the first call, never at
import. ``WORKSTATION_DISABLE_JIT=1`` runs them as plain Python (see ``_jit``). Every kernel
has a NumPy/scipy twin in ``reference`` used by the equivalence tests.

Public functions are re-exported lazily here, e.g. ``from workstation.kernels import label_components``.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "region_stats": "stats",
    "RegionSums": "stats",
    "label_components": "labeling",
    "label_stats": "labeling",
    "LabelStats": "labeling",
    "sphere_offsets": "peak",
    "peak_radius_mm": "peak",
    "PEAK_RADIUS_MM": "peak",
    "suvpeak_labels": "peak",
    "suvpeak_mask": "peak",
    "region_grow": "grow",
}

__all__ = sorted(_EXPORTS) + ["warm_up"]


def warm_up() -> None:
    """Compile (or load from numba's disk cache) every kernel on tiny inputs.

    Meant for a background thread at application start, so that the first click does not wait
    for the compiler. Safe to call more than once.
    """
    import numpy as np

    from . import grow, labeling, peak, stats

    v = np.zeros((3, 3, 3), np.float32)
    v[1, 1, 1] = 1.0
    stats.region_stats(v, v > 0)
    labels, n = labeling.label_components(v, 0.5)
    st = labeling.label_stats(labels, v, n)
    peak.suvpeak_labels(v, labels, (1.0, 1.0, 1.0), st.bbox, n)
    grow.region_grow(v, (1, 1, 1), 0.5)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workstation.kernels' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__():
    return sorted(list(globals()) + __all__)
