"""Maximum-intensity projections of the PET about the patient's long axis, on the PET's own grid.

Concept
-------
A MIP frame looks at the PET along the direction ``e_d(angle)`` in the axial plane; frame ``i`` of
``n`` is at ``360 i / n`` degrees (0 = anterior view, patient's right on the screen left). Rays are
sampled every ``spacing_y`` mm on the PET's own axis-aligned grid (never through the CT grid, so no
PET slice or voxel is lost). ``MipFrames`` keeps the frames computed so far: the frame a view shows
is computed when asked for (the first image never waits for the others), and ``fill`` computes
the rest on a worker thread, with progress and cancel (``tasks.Progress``). A frame computed in
the background is the same array the synchronous call returns.

``hottest_along_ray`` finds the PET voxel a MIP click points to.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from workstation.core.geometry import ImageGeometry


def mip_rays(geometry: ImageGeometry, angle_deg: float):
    """Screen axes of the MIP at an angle: centre, e_u (screen right), e_d (view direction), the
    screen-column offsets ``u`` and the depth samples ``t`` (mm)."""
    g = geometry
    nz, ny, nx = g.shape
    sx, sy, _ = g.spacing
    c = g.center_world()
    th = math.radians(angle_deg)
    e_u = np.array([math.cos(th), math.sin(th), 0.0])
    e_d = np.array([-math.sin(th), math.cos(th), 0.0])
    u = (np.arange(nx) - (nx - 1) / 2.0) * sx
    diag = math.hypot(nx * sx, ny * sy)
    pad = max(0, int(math.ceil((diag - ny * sy) / (2 * sy))))
    nd = ny + 2 * pad
    t = (np.arange(nd) - (nd - 1) / 2.0) * sy
    return c, e_u, e_d, u, t


def mip_projection(volume: np.ndarray, geometry: ImageGeometry, angle_deg: float, rays) -> np.ndarray:
    """MIP of an axis-aligned volume viewed along e_d(angle); rows = z from superior down.

    Rays are sampled every ``spacing_y`` mm (nearest-neighbour in-plane at angle 0, where the
    samples fall on voxel centres; linear elsewhere).
    """
    c, e_u, e_d, u, t = rays(angle_deg)
    nz = geometry.shape[0]
    if angle_deg % 360.0 == 0.0 and len(u) == geometry.shape[2] and len(t) > geometry.shape[1]:
        # the anterior view: every ray runs along y through the voxel centres of one column, and the
        # samples beyond the grid count 0, so the frame is the max over y (and 0)
        return np.maximum(np.asarray(volume, np.float32).max(axis=1), np.float32(0.0))[::-1]
    uu, tt = np.meshgrid(u, t, indexing="ij")  # (nu, nt)
    x = c[0] + uu * e_u[0] + tt * e_d[0]
    y = c[1] + uu * e_u[1] + tt * e_d[1]
    xi = (x - geometry.origin[0]) / geometry.spacing[0]
    yi = (y - geometry.origin[1]) / geometry.spacing[1]
    on_grid = np.allclose(xi, np.rint(xi), atol=1e-6) and np.allclose(yi, np.rint(yi), atol=1e-6)
    out = np.zeros((nz, len(u)), np.float32)
    ny, nx = geometry.shape[1], geometry.shape[2]
    inside = (xi > -0.5) & (xi < nx - 0.5) & (yi > -0.5) & (yi < ny - 0.5)
    if on_grid:
        xr = np.clip(np.rint(xi).astype(int), 0, nx - 1)
        yr = np.clip(np.rint(yi).astype(int), 0, ny - 1)
        for k in range(nz):
            vals = np.where(inside, volume[k][yr, xr], 0.0)
            out[k] = vals.max(axis=1)
    else:
        from scipy import ndimage  # only for frames off the grid (imported here: the first image needs no scipy)

        coords = np.stack([yi.ravel(), xi.ravel()])
        for k in range(nz):
            vals = ndimage.map_coordinates(volume[k], coords, order=1, mode="nearest").reshape(uu.shape)
            out[k] = np.where(inside, vals, 0.0).max(axis=1)
    return out[::-1]


class MipFrames:
    """The rotating MIP of one PET volume (axis-aligned, on its own grid): ``n`` frames, each
    computed once, on demand (``frame``) or in the background (``fill``)."""

    def __init__(self, volume: np.ndarray, geometry: ImageGeometry, n_frames: int = 36):
        self.volume = volume
        self.geometry = geometry
        self.n = max(1, int(n_frames))
        self._frames: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def angle(self, index: int) -> float:
        return 360.0 * (int(index) % self.n) / self.n

    def rays(self, angle_deg: float):
        return mip_rays(self.geometry, angle_deg)

    def has(self, index: int) -> bool:
        with self._lock:
            return int(index) % self.n in self._frames

    def computed(self) -> list[int]:
        with self._lock:
            return sorted(self._frames)

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` (values of the volume, row 0 = superior), computed now if not yet there."""
        i = int(index) % self.n
        with self._lock:
            got = self._frames.get(i)
        if got is None:
            got = mip_projection(self.volume, self.geometry, self.angle(i), self.rays)
            got.setflags(write=False)
            with self._lock:
                got = self._frames.setdefault(i, got)  # two threads computed it: keep the first
        return got

    def fill(self, progress=None, start: int = 0) -> None:
        """Compute the frames not yet there, from ``start`` on (the frames next to the one shown come
        first); safe on a worker thread. ``progress.update`` raises ``tasks.Cancelled`` on cancel."""
        order = [(start + d) % self.n for d in range(self.n)]
        for done, i in enumerate(order, 1):
            if not self.has(i):
                self.frame(i)
            if progress is not None:
                progress.update(done / self.n, "MIP")

    # ------------------------------------------------------------ pixels <-> PET-frame world
    def pixel_to_pet(self, col: float, row: float, depth_mm: float, index: int) -> np.ndarray:
        """PET-frame world point on the ray of pixel (col, row), ``depth_mm`` from the centre plane."""
        c, e_u, e_d, u, _t = self.rays(self.angle(index))
        g = self.geometry
        zi = (g.shape[0] - 1) - row  # row 0 is the top (superior)
        z = g.origin[2] + zi * g.spacing[2]
        uu = (col - (len(u) - 1) / 2.0) * g.spacing[0]
        p = c + uu * e_u + depth_mm * e_d
        p[2] = z
        return p

    def pet_to_pixel(self, xyz_pet, index: int) -> tuple[float, float]:
        """MIP pixel (col, row) of a PET-frame world point."""
        c, e_u, _e_d, u, _t = self.rays(self.angle(index))
        g = self.geometry
        xyz = np.asarray(xyz_pet, float)
        col = float((xyz - c) @ e_u) / g.spacing[0] + (len(u) - 1) / 2.0
        zi = (float(xyz[2]) - g.origin[2]) / g.spacing[2]
        return col, (g.shape[0] - 1) - zi

    def hottest_along_ray(self, col: float, row: float, index: int) -> np.ndarray:
        """PET-frame world position of the hottest voxel on the ray through pixel (col, row): the ray
        is walked on the PET's own grid in steps of half a voxel, so the answer is a voxel of the PET
        itself; on a plateau of equal maxima (a uniform lesion), its middle."""
        _c, _e_u, e_d, _u, t = self.rays(self.angle(index))
        g = self.geometry
        t = np.arange(t[0], t[-1] + 1e-9, 0.5 * min(g.spacing[0], g.spacing[1]))
        p0 = self.pixel_to_pet(col, row, 0.0, index)
        pts = p0[None, :] + t[:, None] * e_d[None, :]
        kji = np.rint(g.world_to_kji(pts)).astype(int)
        ok = np.all((kji >= 0) & (kji < np.asarray(g.shape)), axis=1)
        if not np.any(ok):
            return p0
        vals = np.full(len(t), -np.inf)
        kk = kji[ok]
        vals[ok] = self.volume[kk[:, 0], kk[:, 1], kk[:, 2]]
        top = np.flatnonzero(vals >= vals.max() - 1e-6 * abs(vals.max()))
        best = kji[top[len(top) // 2]]
        return g.kji_to_world(best.astype(float))  # the voxel's centre
