"""What a reading screen shows, as plain data: window presets, colour-map names, layouts of
views, and how each display plane maps onto the screen (radiological convention).

Pure data (numpy + stdlib) shared by the reading-session model (``analysis.fusion``), the VTK
renderers (``render``) and the Qt widgets (``ui``), so that none of them has to import another
layer of its own row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import orientation_letter

# ----------------------------------------------------------------------------- constants
#: CT window presets: name -> (width, level) in HU.
CT_PRESETS: dict[str, tuple[float, float]] = {
    "soft tissue": (400.0, 40.0),
    "lung": (1500.0, -600.0),
    "bone": (1800.0, 400.0),
    "brain": (80.0, 40.0),
    "liver": (150.0, 60.0),
}
#: PET window presets: name -> (lower, upper) in SUV (display units when no SUV is known).
PET_PRESETS: dict[str, tuple[float, float]] = {
    "SUV 0-5": (0.0, 5.0),
    "SUV 0-10": (0.0, 10.0),
    "SUV 0-15": (0.0, 15.0),
}
COLORMAPS = ("hot iron", "rainbow", "grey", "inverted grey")
PLANES = ("axial", "coronal", "sagittal")
KINDS = ("ct", "pet", "fused", "mip")


@dataclass(frozen=True)
class Cell:
    """One view of a layout on a grid of rows x columns."""

    kind: str  # ct | pet | fused | mip
    plane: str  # axial | coronal | sagittal (ignored for mip)
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1

    @property
    def key(self) -> str:
        return "mip" if self.kind == "mip" else f"{self.kind}-{self.plane}"


@dataclass(frozen=True)
class Layout:
    name: str
    rows: int
    cols: int
    cells: tuple[Cell, ...]
    col_weights: tuple[float, ...] | None = None


def _grid_layout() -> Layout:
    cells = [Cell(kind, plane, r, c) for r, kind in enumerate(("ct", "pet", "fused"))
             for c, plane in enumerate(PLANES)]
    cells.append(Cell("mip", "coronal", 0, 3, rowspan=3))
    return Layout("grid", 3, 4, tuple(cells), (1, 1, 1, 1.2))


LAYOUTS: dict[str, Layout] = {
    "grid": _grid_layout(),
    "fused-mip": Layout("fused-mip", 1, 2, (Cell("fused", "axial", 0, 0), Cell("mip", "coronal", 0, 1)), (1.6, 1.0)),
}


# ----------------------------------------------------------------------------- planes
@dataclass(frozen=True)
class PlaneSpec:
    """How a plane of the display grid maps onto the screen.

    ``normal`` is the world axis (0=x, 1=y, 2=z) held fixed; ``u`` is the world axis that runs
    to the screen right with sign ``u_sign``; ``v`` is the world axis that runs down the
    screen with sign ``v_sign``.
    """

    name: str
    normal: int
    u: int
    u_sign: int
    v: int
    v_sign: int

    def letters(self) -> dict[str, str]:
        eu = np.zeros(3); eu[self.u] = self.u_sign
        ev = np.zeros(3); ev[self.v] = self.v_sign
        return {"right": orientation_letter(eu), "left": orientation_letter(-eu),
                "bottom": orientation_letter(ev), "top": orientation_letter(-ev)}


PLANE_SPECS = {
    "axial": PlaneSpec("axial", 2, 0, +1, 1, +1),  # right = L, down = P
    "coronal": PlaneSpec("coronal", 1, 0, +1, 2, -1),  # right = L, down = I
    "sagittal": PlaneSpec("sagittal", 0, 1, +1, 2, -1),  # right = P, down = I
}


def extract_plane(array: np.ndarray, spec: PlaneSpec, index: int) -> np.ndarray:
    """2-D slice of an axis-aligned ``[z, y, x]`` array, row 0 at the top of the screen."""
    ax = {0: 2, 1: 1, 2: 0}  # world axis -> numpy axis
    sl = np.take(array, index, axis=ax[spec.normal])
    # remaining numpy axes in order; figure out which is u and which is v
    rest = [a for a in (0, 1, 2) if a != ax[spec.normal]]
    # sl axes correspond to rest (in order); make it (v, u)
    if rest.index(ax[spec.v]) != 0:
        sl = sl.T
    if spec.v_sign < 0:
        sl = sl[::-1, :]
    if spec.u_sign < 0:
        sl = sl[:, ::-1]
    return sl
