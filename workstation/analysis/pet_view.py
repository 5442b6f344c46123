"""The PET as the views see it: resampled onto the display grid on demand, one plane at a time.

Concept
-------
The display grid (``analysis.display_grid``) is usually the CT grid: 512² pixels and hundreds of
slices. Resampling the whole PET onto it would cost a float copy as large as the CT (600 x 512² x
4 bytes = 630 MB) and seconds before the first image. ``PetOnView`` instead samples only the
plane a view shows, when it is asked for, through world coordinates and the rigid transform
``pet_from_anat`` (display-frame world -> PET-frame world, the ITK convention), with the same
function and rules as the whole-volume resampling (``analysis.resample.resample_to_grid``: linear,
``fill`` more than half a PET voxel outside the PET grid), so a plane equals the same plane of the
whole resampled volume. The last planes asked for are kept in a cache bounded in bytes, so going
back and forth over a few slices costs nothing.

The numbers a reader is given (cursor readout, VOI statistics) never come from here: they are
computed on the PET's own grid (``analysis.suv_apply``, ``analysis.regions``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from workstation.analysis.resample import resample_to_grid
from workstation.core.display import PLANE_SPECS, extract_plane
from workstation.core.geometry import ImageGeometry

#: numpy axis of the display array that each plane's normal runs along
_NORMAL_AXIS = {"axial": 0, "coronal": 1, "sagittal": 2}

DEFAULT_CACHE_BYTES = 48 * 2**20


class PetOnView:
    """Planes of a PET volume sampled on an axis-aligned display grid, computed on demand.

    ``source``: the PET array on ``pet_geometry`` (float32 is used without a copy); ``display``:
    the axis-aligned display grid; ``transform``: 4x4 display-frame world -> PET-frame world.
    """

    def __init__(self, source: np.ndarray, pet_geometry: ImageGeometry, display: ImageGeometry,
                 transform=None, *, fill: float = 0.0, cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.source = np.asarray(source, np.float32)
        self.pet_geometry = pet_geometry
        self.display = display
        self.transform = np.eye(4) if transform is None else np.asarray(transform, float)
        self.fill = float(fill)
        self.cache_bytes = int(cache_bytes)
        self._cache: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # planes resampled so far (the cache hits are not counted)

    def slab_geometry(self, plane: str, index: int) -> ImageGeometry:
        """The one-voxel-thick part of the display grid that holds a plane."""
        if plane not in _NORMAL_AXIS:
            raise ValueError(f"unknown plane {plane!r}; choose one of {', '.join(_NORMAL_AXIS)}")
        ax = _NORMAL_AXIS[plane]
        g = self.display
        if not 0 <= index < g.shape[ax]:
            raise IndexError(f"{plane} slice {index} outside the display grid (0..{g.shape[ax] - 1})")
        kji = [0, 0, 0]
        kji[ax] = int(index)
        shape = list(g.shape)
        shape[ax] = 1
        return ImageGeometry(tuple(shape), g.spacing, g.kji_to_world(np.asarray(kji, float)), g.direction)

    def plane(self, plane: str, index: int) -> np.ndarray:
        """The PET on one plane of the display grid, top-down like ``core.display.extract_plane``
        (values in the units of ``source``). The array is shared with the cache: do not write it."""
        key = (plane, int(index))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        slab = resample_to_grid(self.source, self.pet_geometry, self.slab_geometry(plane, index),
                                self.transform, order=1, fill=self.fill)
        img = np.ascontiguousarray(extract_plane(slab, PLANE_SPECS[plane], 0))
        img.setflags(write=False)
        with self._lock:
            self.computed += 1
            self._cache[key] = img
            total = sum(a.nbytes for a in self._cache.values())
            while total > self.cache_bytes and len(self._cache) > 1:
                _k, old = self._cache.popitem(last=False)
                total -= old.nbytes
        return img

    def cached_bytes(self) -> int:
        with self._lock:
            return sum(a.nbytes for a in self._cache.values())

    def volume(self, progress=None) -> np.ndarray:
        """The whole PET on the whole display grid (float32). Costs as much memory as a float copy of
        the display grid: for tests, exports and small studies, never for drawing."""
        return resample_to_grid(self.source, self.pet_geometry, self.display, self.transform,
                                order=1, fill=self.fill, progress=progress)
