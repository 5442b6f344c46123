"""The one shim between our kernels and numba.

``njit(fn)`` compiles ``fn`` lazily (at its first call) with ``cache=True`` (compiled code is
kept on disk next to the module, so a second process does not pay the compile time again) and
``nogil=True`` (worker threads can run beside the UI thread).

Set the environment variable ``WORKSTATION_DISABLE_JIT=1`` before the first kernel call to run
every kernel as plain Python: slow, but steppable in a debugger and free of compile time. numba
itself is imported only when the first kernel module is loaded, never by
``import workstation.kernels``.
"""

from __future__ import annotations

import os

ENV_DISABLE = "WORKSTATION_DISABLE_JIT"


def jit_disabled() -> bool:
    """True when kernels run as plain Python (``WORKSTATION_DISABLE_JIT=1``)."""
    return os.environ.get(ENV_DISABLE, "").strip().lower() in ("1", "true", "yes", "on")


def njit(fn):
    """Decorate a kernel loop: numba.njit(cache=True, nogil=True), or the bare function when disabled."""
    if jit_disabled():
        return fn
    import numba

    return numba.njit(cache=True, nogil=True)(fn)
