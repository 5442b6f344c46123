"""What is shown, as plain evented data without Qt: the view state of one reading.

Concept
-------
The crosshair (world LPS mm, snapped to a voxel of the display grid), the anatomical window
(width, level), the PET window (lower, upper in display units), the colour map, the fusion
opacity, zoom and pan per view (keyed by cell key, e.g. ``"fused-axial"``), the MIP frame, the
layout and the anonymise switch. Every setter validates, stores and emits one named event
(``events.EventEmitter``): ``crosshair``, ``ct_window``, ``pet_window``, ``colormap``,
``opacity``, ``view`` (zoom/pan, with the cell ``key``), ``mip_angle``, ``layout``, ``anonymise``.
Renderers subscribe and draw; they never write the state. ``ui`` turns mouse and keys into setter
calls. The mapping between world points and the pixels of each plane of the display grid is
written here once (radiological convention: axial and coronal show the patient's left on the
image right; sagittal shows anterior on the left; superior is up).

The data (volumes, SUV, PET resampling, MIP) live in ``analysis.fusion.ReadingSession``, which
is a ``ViewState`` with data.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from workstation.core.display import COLORMAPS, LAYOUTS, PLANE_SPECS
from workstation.core.geometry import ImageGeometry

from workstation.analysis.reading.events import EventEmitter


class ViewState:
    """Evented view state over one axis-aligned display grid (see the module docstring)."""

    def __init__(self, display_geometry: ImageGeometry, *, layout: str = "grid", mip_frames: int = 36,
                 ct_window: tuple[float, float] = (400.0, 40.0), pet_window: tuple[float, float] = (0.0, 5.0)):
        self.events = EventEmitter()
        self.display_geometry = display_geometry
        self.n_mip_frames = max(1, int(mip_frames))
        self.crosshair = display_geometry.center_world()
        self._snap_crosshair_to_voxel()
        self.ct_window = (float(ct_window[0]), float(ct_window[1]))
        self.pet_window = (float(pet_window[0]), float(pet_window[1]))
        self.colormap = "hot iron"
        self.opacity = 0.5
        self.zoom: dict[str, float] = defaultdict(lambda: 1.0)
        self.pan: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
        self.mip_angle_index = 0
        self.layout = layout
        self.anonymise = False

    # ------------------------------------------------------------ crosshair & planes
    def _snap_crosshair_to_voxel(self) -> None:
        g = self.display_geometry
        kji = np.clip(np.rint(g.world_to_kji(self.crosshair)), 0, np.asarray(g.shape) - 1)
        self.crosshair = g.kji_to_world(kji)

    def crosshair_index(self) -> tuple[int, int, int]:
        """Crosshair as (z, y, x) index of the display grid."""
        g = self.display_geometry
        kji = np.clip(np.rint(g.world_to_kji(self.crosshair)), 0, np.asarray(g.shape) - 1).astype(int)
        return int(kji[0]), int(kji[1]), int(kji[2])

    def set_crosshair(self, xyz) -> None:
        self.crosshair = np.asarray(xyz, float).copy()
        self._snap_crosshair_to_voxel()
        self.events.emit("crosshair", position=self.crosshair.copy())

    def plane_index(self, plane: str) -> int:
        z, y, x = self.crosshair_index()
        return {"axial": z, "coronal": y, "sagittal": x}[plane]

    def n_slices(self, plane: str) -> int:
        nz, ny, nx = self.display_geometry.shape
        return {"axial": nz, "coronal": ny, "sagittal": nx}[plane]

    def scroll(self, plane: str, steps: int) -> None:
        """Move the crosshair ``steps`` slices along the plane's normal (wheel)."""
        spec = PLANE_SPECS[plane]
        g = self.display_geometry
        kji = np.asarray(self.crosshair_index(), float)
        nax = {0: 2, 1: 1, 2: 0}[spec.normal]
        kji[nax] = np.clip(kji[nax] + steps, 0, g.shape[nax] - 1)
        self.set_crosshair(g.kji_to_world(kji))

    def plane_pixel_spacing(self, plane: str) -> tuple[float, float]:
        spec = PLANE_SPECS[plane]
        s = self.display_geometry.spacing  # (x, y, z) for identity direction
        return (s[spec.u], s[spec.v])

    def world_to_pixel(self, plane: str, xyz) -> tuple[float, float]:
        """World point -> (column, row) of that plane's slice image (pixel centres at integers)."""
        spec = PLANE_SPECS[plane]
        g = self.display_geometry
        ijk = g.world_to_ijk(np.asarray(xyz, float))  # identity direction: (x, y, z) indices
        n = g.size_ijk
        col = ijk[spec.u] if spec.u_sign > 0 else n[spec.u] - 1 - ijk[spec.u]
        row = ijk[spec.v] if spec.v_sign > 0 else n[spec.v] - 1 - ijk[spec.v]
        return float(col), float(row)

    def pixel_to_world(self, plane: str, col: float, row: float) -> np.ndarray:
        """(column, row) in a plane's slice image -> world point on the current slice."""
        spec = PLANE_SPECS[plane]
        g = self.display_geometry
        n = g.size_ijk
        ijk = g.world_to_ijk(self.crosshair)
        ijk[spec.u] = col if spec.u_sign > 0 else n[spec.u] - 1 - col
        ijk[spec.v] = row if spec.v_sign > 0 else n[spec.v] - 1 - row
        return g.ijk_to_world(ijk)

    # ------------------------------------------------------------ display settings
    def set_ct_window(self, width: float, level: float) -> None:
        self.ct_window = (max(1.0, float(width)), float(level))
        self.events.emit("ct_window", window=self.ct_window)

    def set_pet_window(self, lower: float, upper: float) -> None:
        lower, upper = float(lower), float(upper)
        if upper <= lower:
            upper = lower + 1e-3
        self.pet_window = (lower, upper)
        self.events.emit("pet_window", window=self.pet_window)

    def set_colormap(self, name: str) -> None:
        if name not in COLORMAPS:
            raise KeyError(f"unknown colour map {name!r}; choose one of {', '.join(COLORMAPS)}")
        self.colormap = name
        self.events.emit("colormap", name=name)

    def set_opacity(self, opacity: float) -> None:
        self.opacity = float(np.clip(opacity, 0.0, 1.0))
        self.events.emit("opacity", opacity=self.opacity)

    def set_layout(self, name: str) -> None:
        if name not in LAYOUTS:
            raise KeyError(f"unknown layout {name!r}; choose one of {', '.join(LAYOUTS)}")
        self.layout = name
        self.events.emit("layout", name=name)

    def set_anonymise(self, on: bool) -> None:
        self.anonymise = bool(on)
        self.events.emit("anonymise", on=self.anonymise)

    def set_zoom(self, key: str, zoom: float) -> None:
        self.zoom[key] = float(np.clip(zoom, 0.1, 20.0))
        self.events.emit("view", key=key)

    def set_pan(self, key: str, pan_mm: tuple[float, float]) -> None:
        self.pan[key] = (float(pan_mm[0]), float(pan_mm[1]))
        self.events.emit("view", key=key)

    # ------------------------------------------------------------ MIP frame
    def mip_angle(self, index: int | None = None) -> float:
        i = self.mip_angle_index if index is None else index
        return 360.0 * (i % self.n_mip_frames) / self.n_mip_frames

    def set_mip_angle_index(self, index: int) -> None:
        self.mip_angle_index = int(index) % self.n_mip_frames
        self.events.emit("mip_angle", index=self.mip_angle_index)
