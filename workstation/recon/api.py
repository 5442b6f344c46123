"""What a reconstruction plugin sees: the request, the context and the result types.

A reconstruction plugin is a plain function ``run(request, context) -> ReconResult`` named by
an entry point in the group ``workstation.recon``. It runs in its own child process (see
:mod:`workstation.recon.host`), so it may crash, hang or print without harming the viewer.

* :class:`ReconRequest` carries the job: validated parameters (defaults filled in from the
  manifest), paths of the raw input files and named input arrays (loaded lazily from ``.npy``
  files in the job directory), and a scratch directory.
* :class:`ReconContext` is the plugin's only line back to the host: ``progress`` (fraction in
  [0, 1], must not decrease), ``log``, ``partial_result`` (e.g. one image per iteration, shown
  as a live preview), and cooperative cancel (``cancelled`` / ``check_cancel`` which raises
  :class:`Cancelled`).
* :class:`ReconResult` is the answer: a 3-D array indexed ``[k, j, i]`` on an
  :class:`ImageGeometry` (DICOM LPS, mm), in the units the manifest declares (``BQML`` =
  Bq/mL), plus free-form provenance (calibration factor and where it came from, iterations...).

This module depends on numpy and the core geometry only, so plugins need nothing else of ours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.tasks.progress import Cancelled

__all__ = [
    "CONTRACT_VERSION",
    "UNITS_BQML",
    "Cancelled",
    "ImageGeometry",
    "PluginInputError",
    "ReconContext",
    "ReconRequest",
    "ReconResult",
    "NullContext",
]

#: Version of the plugin contract. A plugin's manifest names the major version it was built for.
CONTRACT_VERSION = "1.0"

#: DICOM Units code for activity concentration (Bq/mL), the only unit the host accepts for PET.
UNITS_BQML = "BQML"


class PluginInputError(ValueError):
    """Raised by a plugin when its input is unusable; the message is shown to the user as is."""


@dataclass
class ReconRequest:
    """One reconstruction job as the plugin sees it."""

    job_id: str
    plugin_id: str
    parameters: dict[str, Any]
    input_files: dict[str, Path] = field(default_factory=dict)  # e.g. {"listmode": Path(...)}
    array_files: dict[str, Path] = field(default_factory=dict)  # e.g. {"mu_map": Path(...npy)}
    array_geometries: dict[str, ImageGeometry] = field(default_factory=dict)
    work_dir: Path = Path(".")
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def array(self, name: str) -> np.ndarray:
        """Named input array (memory-mapped read-only from its ``.npy`` file)."""
        if name not in self._arrays:
            if name not in self.array_files:
                raise KeyError(f"job has no input array {name!r}; available: {sorted(self.array_files)}")
            self._arrays[name] = np.load(self.array_files[name], mmap_mode="r", allow_pickle=False)
        return self._arrays[name]

    def has_array(self, name: str) -> bool:
        return name in self.array_files or name in self._arrays


@dataclass
class ReconResult:
    """A reconstructed volume: ``array[k, j, i]`` on ``geometry`` in ``units``."""

    array: np.ndarray
    geometry: ImageGeometry
    units: str = UNITS_BQML
    description: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Reasons this result must not be shown (empty when it is valid)."""
        out: list[str] = []
        a = self.array
        if not isinstance(a, np.ndarray):
            return [f"result array is a {type(a).__name__}, not a numpy array"]
        if a.ndim != 3:
            out.append(f"result array must be 3-D, got shape {a.shape}")
        elif tuple(a.shape) != tuple(self.geometry.shape):
            out.append(f"result array shape {a.shape} differs from its geometry shape {self.geometry.shape}")
        if not np.issubdtype(a.dtype, np.floating) and not np.issubdtype(a.dtype, np.integer):
            out.append(f"result array has non-numeric dtype {a.dtype}")
        elif a.size and not np.all(np.isfinite(a)):
            bad = int(np.count_nonzero(~np.isfinite(a)))
            out.append(f"result has {bad} non-finite voxel(s) (NaN or inf)")
        if self.units != UNITS_BQML:
            out.append(f"result units are {self.units!r}; the host accepts only {UNITS_BQML!r} (Bq/mL)")
        if not all(math.isfinite(v) for v in (*self.geometry.spacing, *self.geometry.origin)):
            out.append("result geometry has non-finite spacing or origin")
        return out


class ReconContext(Protocol):
    """The host's side as the plugin sees it."""

    def progress(self, fraction: float, message: str = "") -> None: ...

    def log(self, message: str, level: str = "info") -> None: ...

    def partial_result(self, result: ReconResult, iteration: int) -> None: ...

    @property
    def cancelled(self) -> bool: ...

    def check_cancel(self) -> None: ...


class NullContext:
    """A context for calling a plugin in-process (tests, scripts): records what it is told."""

    def __init__(self):
        self.fractions: list[float] = []
        self.messages: list[str] = []
        self.partials: list[tuple[int, ReconResult]] = []
        self._cancel = False

    def progress(self, fraction: float, message: str = "") -> None:
        self.fractions.append(float(fraction))
        self.check_cancel()

    def log(self, message: str, level: str = "info") -> None:
        self.messages.append(f"{level}: {message}")

    def partial_result(self, result: ReconResult, iteration: int) -> None:
        self.partials.append((int(iteration), result))

    def cancel(self) -> None:
        self._cancel = True

    @property
    def cancelled(self) -> bool:
        return self._cancel

    def check_cancel(self) -> None:
        if self._cancel:
            raise Cancelled("cancelled")
