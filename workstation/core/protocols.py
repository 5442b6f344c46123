"""What the drawing layer needs from the models it draws, as typing protocols (no implementation).

``render`` sits in the same row as ``analysis`` and may not import it; it draws an
``analysis.fusion.ReadingSession`` and the VOIs of an ``analysis.voi.VoiModel``. These protocols
name the part of those models a renderer reads (and the few state changes a view may ask for),
so that the dependency is visible and checked by type checkers, instead of a string placeholder.
The models satisfy them structurally; nothing needs to inherit from them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume


@runtime_checkable
class ReadingState(Protocol):
    """The reading state a view draws (``analysis.fusion.ReadingSession``)."""

    anatomical: Volume | None
    pet: Volume | None
    pet_from_anat: np.ndarray  # 4 x 4: display (anatomical) world -> PET-frame world
    display_geometry: ImageGeometry
    crosshair: np.ndarray  # world LPS mm
    ct_window: tuple[float, float]  # (width, level)
    pet_window: tuple[float, float]  # (lower, upper)
    colormap: str
    opacity: float
    mip_angle_index: int
    zoom: dict  # cell key -> zoom factor
    pan: dict  # cell key -> (dx, dy) mm

    @property
    def pet_units(self) -> str: ...

    def plane_index(self, plane: str) -> int: ...

    def n_slices(self, plane: str) -> int: ...

    def plane_pixel_spacing(self, plane: str) -> tuple[float, float]: ...

    def slice_image(self, kind: str, plane: str) -> np.ndarray | None: ...

    def world_to_pixel(self, plane: str, xyz) -> tuple[float, float]: ...

    def pixel_to_world(self, plane: str, col: float, row: float) -> np.ndarray: ...

    def mip_angle(self, index: int | None = None) -> float: ...

    def mip_frame(self, index: int | None = None) -> tuple[np.ndarray, tuple[float, float]]: ...

    def world_to_mip_pixel(self, xyz, index: int | None = None) -> tuple[float, float]: ...

    def jump_from_mip(self, col: float, row: float) -> None: ...

    def overlay_lines(self) -> list[str]: ...

    def set_crosshair(self, xyz) -> None: ...

    def set_ct_window(self, width: float, level: float) -> None: ...

    def set_pet_window(self, lower: float, upper: float) -> None: ...

    def set_zoom(self, key: str, zoom: float) -> None: ...

    def set_pan(self, key: str, pan_mm: tuple[float, float]) -> None: ...


@runtime_checkable
class OutlinedRegion(Protocol):
    """One VOI as an outline draws it (``analysis.voi.VOI``): a crop of a mask on the PET grid."""

    id: int
    kind: str  # "structure" for a SEG segment / RTSTRUCT ROI of the study: drawn with its name
    name: str
    lo: tuple[int, int, int]  # index (k, j, i) of crop[0, 0, 0]
    crop: np.ndarray  # bool


@runtime_checkable
class RegionSource(Protocol):
    """Where outlines come from (``analysis.voi.VoiModel``)."""

    geometry: ImageGeometry  # the grid of the masks (PET)

    def outline_items(self) -> list[tuple[OutlinedRegion, bool]]: ...  # (region, selected)
