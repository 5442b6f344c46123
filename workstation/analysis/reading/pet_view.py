"""The PET as the views see it: resampled onto the display grid on demand, one plane at a time.

Concept
-------
The display grid (``analysis.reading.display_grid``) is usually the CT grid: 512² pixels and hundreds of
slices. Resampling the whole PET onto it would cost a float copy as large as the CT (600 x 512² x
4 bytes = 630 MB) and seconds before the first image. ``PetOnView`` instead samples only the
plane a view shows, when it is asked for, through world coordinates and the rigid transform
``pet_from_anat`` (display-frame world -> PET-frame world, the ITK convention), with the same
rules as the whole-volume resampling (``analysis.resample.resample_to_grid``: linear, the edge
value up to half a PET voxel outside the PET grid, ``fill`` beyond), so a plane equals the same
plane of the whole resampled volume to float precision. Without rotation between the grids (the
usual PET/CT) the plane is interpolated one axis at a time, the plane's normal first, which costs
about one PET slice; with a rotation scipy's affine resampling is used on the one-voxel slab. The last planes asked for are kept in a cache bounded in bytes, so going
back and forth over a few slices costs nothing.

The numbers a reader is given (cursor readout, VOI statistics) never come from here: they are
computed on the PET's own grid (``analysis.suv.apply``, ``analysis.lesions.regions``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from workstation.analysis.registration.resample import resample_to_grid
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
        geo = self.slab_geometry(plane, index)
        m = np.linalg.inv(self.pet_geometry.affine) @ self.transform @ geo.affine  # slab ijk -> PET ijk
        if not np.any(m[:3, :3] - np.diag(np.diag(m[:3, :3]))):
            slab = self._separable(m, geo.shape, _NORMAL_AXIS[plane])
        else:  # a rotation between the grids: scipy's general affine path
            slab = resample_to_grid(self.source, self.pet_geometry, geo, self.transform, order=1, fill=self.fill)
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

    def _separable(self, m: np.ndarray, shape, first_axis: int) -> np.ndarray:
        """Linear interpolation when each PET axis depends on one display axis only (no rotation: the
        usual PET/CT): one 1-D interpolation per axis, the plane's normal first, so the work is that
        of one PET slice. Same rule as ``resample_to_grid``: edge value up to half a voxel outside the
        PET grid (scipy's ``nearest`` mode), ``fill`` beyond."""
        coords = [m[2 - ax, 2 - ax] * np.arange(shape[ax], dtype=float) + m[2 - ax, 3] for ax in range(3)]
        return self._separable_at(coords, first_axis)

    def _separable_at(self, coords, first_axis: int) -> np.ndarray:
        """Linear interpolation of ``source`` on the product grid of PET index coordinates ``coords``
        (one 1-D array per numpy axis k, j, i), ``first_axis`` interpolated first (see ``_separable``)."""
        out = self.source
        n_src = self.source.shape
        keep = []
        for ax in [first_axis] + [a for a in (0, 1, 2) if a != first_axis]:  # numpy axes (k, j, i)
            s = np.asarray(coords[ax], float)
            n = n_src[ax]
            keep.append((ax, (s > -0.5) & (s < n - 0.5)))
            sc = np.clip(s, 0.0, n - 1.0)
            i0 = np.floor(sc).astype(np.intp)
            i1 = np.minimum(i0 + 1, n - 1)
            w = (sc - i0).astype(np.float32)
            bshape = [1, 1, 1]
            bshape[ax] = len(w)
            w = w.reshape(bshape)
            out = np.take(out, i0, axis=ax) * (np.float32(1.0) - w) + np.take(out, i1, axis=ax) * w
        out = np.ascontiguousarray(out, np.float32)
        inside = np.ones(out.shape, bool)
        for ax, ok in keep:
            if not ok.all():
                bshape = [1, 1, 1]
                bshape[ax] = len(ok)
                inside &= ok.reshape(bshape)
        if not inside.all():
            out[~inside] = np.float32(self.fill)
        return out

    def sample_values(self, seed: int = 0, max_points: int = 4_000_000) -> np.ndarray:
        """The PET as the views show it (same interpolation and edge rules as ``plane``) at a sample of
        the display grid's voxels about as dense as the PET's own voxels, for a window or statistic
        over the whole PET without resampling every plane.

        Each display axis is cut into blocks about one PET voxel long (one display voxel where the
        display is as coarse as the PET), one index is drawn at random in each block (fixed ``seed``),
        and every combination of the drawn indices is sampled. The blocks keep the spatial coverage
        of the display and the random draws its mix of interpolation weights (a regular stride could
        fall on the PET's voxel centres only), so a percentile of these values matches the one of
        the whole resampled display (``volume``) up to sampling error. Without rotation the work is
        at most one pass over the PET (separable interpolation); with or without, the blocks grow
        until at most ``max_points`` points are interpolated (a 99.5th percentile of 4 million values
        moves by far less than the tolerance of tests/analysis/reading/test_auto_pet_window.py). A
        1-D float32 array."""
        rng = np.random.default_rng(seed)
        g = self.display
        m = np.linalg.inv(self.pet_geometry.affine) @ self.transform @ g.affine  # display ijk -> PET ijk
        rotated = bool(np.any(m[:3, :3] - np.diag(np.diag(m[:3, :3]))))
        step = [np.linalg.norm(m[:3, 2 - ax]) for ax in range(3)]  # PET voxels per display voxel, numpy axes
        blocks = [max(1, int(1.0 / st)) if st > 0 else 1 for st in step]
        n_blocks = [max(1, n // b) for n, b in zip(g.shape, blocks)]
        if np.prod(n_blocks, dtype=float) > max_points:  # a display finer and wider than the PET: a budget
            f = (np.prod(n_blocks, dtype=float) / max_points) ** (1.0 / 3.0)
            n_blocks = [max(1, int(nb / f)) for nb in n_blocks]
        idx = []  # numpy axes k, j, i
        for n, nb in zip(g.shape, n_blocks):
            edges = np.linspace(0, n, nb + 1).astype(np.intp)
            idx.append(rng.integers(edges[:-1], edges[1:]))
        if not rotated:
            coords = [m[2 - ax, 2 - ax] * idx[ax] + m[2 - ax, 3] for ax in range(3)]
            return self._separable_at(coords, 0).reshape(-1)
        from scipy import ndimage

        kk, jj, ii = np.meshgrid(*idx, indexing="ij")
        ijk = np.stack([ii.ravel(), jj.ravel(), kk.ravel()]).astype(float)
        pet_ijk = m[:3, :3] @ ijk + m[:3, 3:4]
        n_src = np.asarray(self.source.shape[::-1], float)[:, None]
        out = ndimage.map_coordinates(self.source, pet_ijk[::-1], order=1, mode="nearest").astype(np.float32)
        inside = np.all((pet_ijk > -0.5) & (pet_ijk < n_src - 0.5), axis=0)
        out[~inside] = np.float32(self.fill)
        return out

    def cached_bytes(self) -> int:
        with self._lock:
            return sum(a.nbytes for a in self._cache.values())

    def volume(self, progress=None) -> np.ndarray:
        """The whole PET on the whole display grid (float32). Costs as much memory as a float copy of
        the display grid: for tests, exports and small studies, never for drawing."""
        return resample_to_grid(self.source, self.pet_geometry, self.display, self.transform,
                                order=1, fill=self.fill, progress=progress)
