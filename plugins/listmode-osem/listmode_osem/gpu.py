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
bytes per event) and the image, and downloads the result. That suits one-off projections (the
sensitivity image, attenuation factors).

:func:`lm_osem_resident` is the reconstruction itself on the device: the events (crystal
indices, TOF bins, multiplicative and additive terms, reordered so that each subset is one
contiguous slice), the subset sensitivity, the mask and the image are uploaded once; each subset
is three kernel launches on device arrays (forward projection fused with the EM ratio, back
projection, multiplicative update) with no host round trip; the image comes back only for the
per-iteration preview and at the end. Every host<->device copy goes through :func:`_upload` /
:func:`_download`, so a test can count them.
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


def _upload(a):
    """Copy a host array to the device (the one place this module uploads)."""
    from numba import cuda

    return cuda.to_device(a)


def _download(d):
    """Copy a device array to the host (the one place this module downloads)."""
    return d.copy_to_host()


class CudaJosephProjector(JosephProjector):
    """Joseph projector on a CUDA device (numba.cuda); same model and interface as the CPU one."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        from numba import cuda

        self._cuda = cuda
        self._det = _upload(np.ascontiguousarray(self.det, np.float64))
        self._origin = _upload(np.ascontiguousarray(self.origin, np.float64))
        self._spacing = _upload(np.ascontiguousarray(self.spacing, np.float64))
        self._edges = _upload(np.ascontiguousarray(self.edges, np.float64))

    def _events(self, i1, i2, tof_bin):
        n = len(i1)
        use_tof = tof_bin is not None
        tb = np.ascontiguousarray(tof_bin if use_tof else np.zeros(max(n, 1)), np.int32)
        return (_upload(np.ascontiguousarray(i1, np.int32)), _upload(np.ascontiguousarray(i2, np.int32)),
                _upload(tb), use_tof)

    def _fwd(self, det, img, i1, i2, tof_bin):
        from . import _kernels_cuda as k

        n = len(i1)
        if n == 0:
            return np.zeros(0, np.float32)
        di1, di2, dtb, use_tof = self._events(i1, i2, tof_bin)
        dimg = _upload(np.ascontiguousarray(img, np.float32))
        out = self._cuda.device_array(n, np.float64)
        k.forward_kernel[k.blocks(n), k.THREADS](dimg, det, di1, di2, self._origin, self._spacing, dtb, self._edges,
                                                 max(self.sigma, 1e-6), self.nsig, use_tof, out)
        return _download(out).astype(np.float32)

    def _bck(self, det, values, i1, i2, tof_bin):
        from . import _kernels_cuda as k

        n = len(i1)
        out = self._cuda.device_array(self.shape, np.float64)
        k.zero_kernel[k.blocks(out.size), k.THREADS](out)
        if n:
            di1, di2, dtb, use_tof = self._events(i1, i2, tof_bin)
            dv = _upload(np.ascontiguousarray(values, np.float64))
            k.back_kernel[k.blocks(n), k.THREADS](out, det, di1, di2, self._origin, self._spacing, dtb, self._edges,
                                                  max(self.sigma, 1e-6), self.nsig, use_tof, dv)
        return _download(out).astype(np.float32)

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
        return self._fwd(_upload(pts), img, i1, i2, tof_bin)

    def back_points(self, values, p1, p2, tof_bin=None):
        pts, i1, i2 = self._point_table(p1, p2)
        return self._bck(_upload(pts), values, i1, i2, tof_bin)


def subset_order(n: int, subsets: int) -> tuple[np.ndarray, np.ndarray]:
    """(order, bounds): the events of subset s (``s::subsets`` as in :func:`osem.lm_osem`) are
    ``order[bounds[s]:bounds[s + 1]]``, so that each subset is one contiguous slice on the device."""
    order = np.concatenate([np.arange(s, n, subsets) for s in range(subsets)])
    sizes = [len(range(s, n, subsets)) for s in range(subsets)]
    return order, np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def lm_osem_resident(proj: CudaJosephProjector, sens, d1, d2, tof_bin, mult, add, iterations: int, subsets: int,
                     progress=None, on_iteration=None, x0=None) -> np.ndarray:
    """:func:`osem.lm_osem` on the device with events, sensitivity and image resident (same arguments,
    same model and subsets; results agree to rounding). ``on_iteration(it, x)`` gets a host copy."""
    from . import _kernels_cuda as k

    cuda = proj._cuda
    n = int(np.asarray(d1).size)
    sens = np.asarray(sens, np.float32)
    mask = sens > 1e-6 * float(sens.max())
    x = np.ones(proj.shape, np.float32) if x0 is None else np.array(x0, np.float32)
    x[~mask] = 0
    sub_sens = np.where(mask, sens / subsets, 1.0).astype(np.float32)
    order, bounds = subset_order(n, subsets)
    use_tof = tof_bin is not None
    tb = np.asarray(tof_bin)[order] if use_tof else np.zeros(max(n, 1), np.int32)
    dev_i1 = _upload(np.ascontiguousarray(np.asarray(d1)[order], np.int32))
    dev_i2 = _upload(np.ascontiguousarray(np.asarray(d2)[order], np.int32))
    dev_tb = _upload(np.ascontiguousarray(tb, np.int32))
    dev_mult = _upload(np.ascontiguousarray(np.asarray(mult)[order], np.float32))
    dev_add = _upload(np.ascontiguousarray(np.asarray(add)[order], np.float32))
    dev_x = _upload(np.ascontiguousarray(x))
    dev_sub = _upload(sub_sens)
    dev_mask = _upload(mask.astype(np.uint8))
    dev_back = cuda.device_array(proj.shape, np.float64)
    dev_ratio = cuda.device_array(max(1, int(np.max(np.diff(bounds)))), np.float64)
    nvox = int(np.prod(proj.shape))
    k.zero_kernel[k.blocks(nvox), k.THREADS](dev_back)
    sigma = max(proj.sigma, 1e-6)
    total = iterations * subsets
    step = 0
    for it in range(1, iterations + 1):
        for s in range(subsets):
            a, b = int(bounds[s]), int(bounds[s + 1])
            if b > a:
                i1, i2, t = dev_i1[a:b], dev_i2[a:b], (dev_tb[a:b] if use_tof else dev_tb)
                k.ratio_kernel[k.blocks(b - a), k.THREADS](dev_x, proj._det, i1, i2, proj._origin, proj._spacing, t,
                                                           proj._edges, sigma, proj.nsig, use_tof, dev_mult[a:b],
                                                           dev_add[a:b], dev_ratio)
                k.back_kernel[k.blocks(b - a), k.THREADS](dev_back, proj._det, i1, i2, proj._origin, proj._spacing,
                                                          t, proj._edges, sigma, proj.nsig, use_tof, dev_ratio)
            k.update_kernel[k.blocks(nvox), k.THREADS](dev_x, dev_back, dev_sub, dev_mask)
            step += 1
            if progress:
                progress(step / total, f"iteration {it}/{iterations}, subset {s + 1}/{subsets}")
        if on_iteration:
            x = _download(dev_x)
            on_iteration(it, x)
    return x if on_iteration else _download(dev_x)


def make_projector(device: str, *args, **kw) -> JosephProjector:
    """A :class:`JosephProjector` (``device == "cpu"``) or a :class:`CudaJosephProjector` (``"gpu"``)."""
    return CudaJosephProjector(*args, **kw) if device == "gpu" else JosephProjector(*args, **kw)
