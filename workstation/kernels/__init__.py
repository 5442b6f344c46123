"""kernels layer (see DESIGN.md): numba hot loops behind plain NumPy functions.

Each public function takes and returns NumPy arrays; the compiled loops live in ``_loops`` and
are imported (and compiled, or loaded from numba's on-disk cache) at the first call, never at
import. ``WORKSTATION_DISABLE_JIT=1`` runs them as plain Python (see ``_jit``). Every kernel
has a NumPy/scipy twin in ``reference`` used by the equivalence tests.

Each public function is imported from its module (``from workstation.kernels.labeling import
label_components``): the wrapper modules import NumPy only; ``_common.loops()`` imports numba and
the loops at the first call.
"""

from __future__ import annotations


def warm_up() -> None:
    """Compile (or load from numba's disk cache) every kernel on tiny inputs.

    Meant for a background thread at application start, so that the first click does not wait
    for the compiler. Safe to call more than once.
    """
    import numpy as np

    from workstation.kernels.grow import region_grow
    from workstation.kernels.labeling import label_components, label_stats
    from workstation.kernels.peak import suvpeak_labels
    from workstation.kernels.stats import region_stats

    v = np.zeros((3, 3, 3), np.float32)
    v[1, 1, 1] = 1.0
    region_stats(v, v > 0)
    labels, n = label_components(v, 0.5)
    st = label_stats(labels, v, n)
    suvpeak_labels(v, labels, (1.0, 1.0, 1.0), st.bbox, n)
    region_grow(v, (1, 1, 1), 0.5)
