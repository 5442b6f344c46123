"""The optional GPU path: device selection and a CUDA Joseph projector.

:func:`select_device` turns the plugin parameter ``device`` (``auto`` | ``cpu`` | ``gpu``) into
the device that will run: ``auto`` takes the GPU when ``numba.cuda.is_available()`` says a CUDA
device is usable and the CPU otherwise; ``gpu`` without a device is an error the user can act
on; ``cpu`` never touches CUDA. numba.cuda is imported only inside these functions (never when
the plugin is imported), and a missing or broken CUDA installation counts as "no device".

:class:`CudaJosephProjector` has the interface of :class:`~listmode_osem.projector.JosephProjector`
(``forward``/``back`` on crystal indices, ``forward_points``/``back_points`` on end points) and the
same model (kernels in ``_kernels_cuda``): images are float32 ``[k, j, i]`` on the host; the
crystal table and grid constants stay on the device; each call uploads the event indices (12
bytes per event) and the image, and downloads the result.
"""

from __future__ import annotations

import numpy as np

from .projector import JosephProjector


class DeviceError(RuntimeError):
    """The requested compute device cannot be used (message says why and what to do)."""


DEVICES = ("auto", "cpu", "gpu")


def cuda_available() -> tuple[bool, str]:
    """(usable, reason): whether numba.cuda sees a usable CUDA device (or the CUDA simulator)."""
    try:
        from numba import cuda
    except Exception as exc:  # numba built without CUDA support, broken toolkit ...
        return False, f"numba.cuda cannot be imported ({type(exc).__name__}: {exc})"
    try:
        ok = bool(cuda.is_available())
    except Exception as exc:
        return False, f"numba.cuda.is_available() failed ({type(exc).__name__}: {exc})"
    if not ok:
        return False, "no CUDA device (numba.cuda.is_available() is False)"
    return True, device_name()


def device_name() -> str:
    """Name of the current CUDA device ("CUDA simulator" under NUMBA_ENABLE_CUDASIM=1)."""
    if _simulated():
        return "CUDA simulator"
    from numba import cuda

    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def _simulated() -> bool:
    from numba import config

    return bool(getattr(config, "ENABLE_CUDASIM", False))


def select_device(requested: str) -> tuple[str, str]:
    """("cpu" | "gpu", reason) for the parameter value ``requested`` (auto | cpu | gpu)."""
    requested = str(requested).lower()
    if requested not in DEVICES:
        raise DeviceError(f"device must be one of {DEVICES}, got {requested!r}")
    if requested == "cpu":
        return "cpu", "device=cpu requested"
    ok, why = cuda_available()
    if ok:
        ok, why = _probe(why)
    if ok:
        return "gpu", why
    if requested == "gpu":
        raise DeviceError(f"device=gpu requested but {why}; use device=auto or device=cpu")
    return "cpu", why


def _probe(name: str) -> tuple[bool, str]:
    """Compile and run the kernels on one tiny ray: a device that cannot (toolkit or numba-cuda
    broken) counts as unusable, with the reason."""
    try:
        P = CudaJosephProjector((2, 2, 2), (1.0, 1.0, 1.0), (-0.5, -0.5, -0.5), np.array([[-5.0, 0.1, 0.2], [5.0, 0, 0]]),
                                np.array([-10.0, 0.0, 10.0]), 5.0)
        for tb in (None, np.array([0])):
            f = P.forward(np.ones((2, 2, 2), np.float32), np.array([0]), np.array([1]), tb)
            b = P.back(np.ones(1), np.array([0]), np.array([1]), tb)
        if not (np.isfinite(f).all() and np.isfinite(b).all() and f[0] > 0):
            return False, f"{name}: the CUDA kernels gave a wrong test projection"
    except Exception as exc:
        return False, f"{name} found but the CUDA kernels do not run ({type(exc).__name__}: {str(exc)[:200]})"
    return True, name


class CudaJosephProjector(JosephProjector):
    """Joseph projector on a CUDA device (numba.cuda); same model and interface as the CPU one."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        from numba import cuda

        self._cuda = cuda
        self._det = cuda.to_device(np.ascontiguousarray(self.det, np.float64))
        self._origin = cuda.to_device(np.ascontiguousarray(self.origin, np.float64))
        self._spacing = cuda.to_device(np.ascontiguousarray(self.spacing, np.float64))
        self._edges = cuda.to_device(np.ascontiguousarray(self.edges, np.float64))

    def _events(self, i1, i2, tof_bin):
        cuda = self._cuda
        n = len(i1)
        use_tof = tof_bin is not None
        tb = np.ascontiguousarray(tof_bin if use_tof else np.zeros(max(n, 1)), np.int32)
        return (cuda.to_device(np.ascontiguousarray(i1, np.int32)), cuda.to_device(np.ascontiguousarray(i2, np.int32)),
                cuda.to_device(tb), use_tof)

    def _fwd(self, det, img, i1, i2, tof_bin):
        from . import _kernels_cuda as k

        n = len(i1)
        if n == 0:
            return np.zeros(0, np.float32)
        di1, di2, dtb, use_tof = self._events(i1, i2, tof_bin)
        dimg = self._cuda.to_device(np.ascontiguousarray(img, np.float32))
        out = self._cuda.device_array(n, np.float64)
        k.forward_kernel[k.blocks(n), k.THREADS](dimg, det, di1, di2, self._origin, self._spacing, dtb, self._edges,
                                                 max(self.sigma, 1e-6), self.nsig, use_tof, out)
        return out.copy_to_host().astype(np.float32)

    def _bck(self, det, values, i1, i2, tof_bin):
        from . import _kernels_cuda as k

        n = len(i1)
        out = self._cuda.to_device(np.zeros(self.shape, np.float64))
        if n:
            di1, di2, dtb, use_tof = self._events(i1, i2, tof_bin)
            dv = self._cuda.to_device(np.ascontiguousarray(values, np.float64))
            k.back_kernel[k.blocks(n), k.THREADS](out, det, di1, di2, self._origin, self._spacing, dtb, self._edges,
                                                  max(self.sigma, 1e-6), self.nsig, use_tof, dv)
        return out.copy_to_host().astype(np.float32)

    def forward(self, img, d1, d2, tof_bin=None):
        return self._fwd(self._det, img, d1, d2, tof_bin)

    def back(self, values, d1, d2, tof_bin=None):
        return self._bck(self._det, values, d1, d2, tof_bin)

    @staticmethod
    def _point_table(p1, p2):
        p1 = np.asarray(p1, np.float64)
        n = len(p1)
        return np.concatenate([p1, np.asarray(p2, np.float64)]), np.arange(n, dtype=np.int32), \
            np.arange(n, 2 * n, dtype=np.int32)

    def forward_points(self, img, p1, p2, tof_bin=None):
        pts, i1, i2 = self._point_table(p1, p2)
        return self._fwd(self._cuda.to_device(pts), img, i1, i2, tof_bin)

    def back_points(self, values, p1, p2, tof_bin=None):
        pts, i1, i2 = self._point_table(p1, p2)
        return self._bck(self._cuda.to_device(pts), values, i1, i2, tof_bin)


def make_projector(device: str, *args, **kw) -> JosephProjector:
    """A :class:`JosephProjector` (``device == "cpu"``) or a :class:`CudaJosephProjector` (``"gpu"``)."""
    return CudaJosephProjector(*args, **kw) if device == "gpu" else JosephProjector(*args, **kw)
