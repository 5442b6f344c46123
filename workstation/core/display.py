"""What a reading screen shows, as plain data: window presets, colour-map names, layouts of
views, and how each display plane maps onto the screen (radiological convention).

Pure data (numpy + stdlib) shared by the reading-session model (``analysis.reading.session``), the VTK
renderers (``render``) and the Qt widgets (``ui``), so that none of them has to import another
layer of its own row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.core.geometry import orientation_letter

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
#: the automatic window of a functional image from its own hot spots (a percentile of its positive voxels;
#: ``analysis.fusion.ReadingSession.hotspot_pet_window``), offered beside the SUV presets and alone for a
#: SPECT shown in activity units
HOTSPOT_PRESET = "hot spot"
#: MR window presets: name -> (lower, upper) percentile of the non-background voxels. MR intensities
#: have no absolute scale, so every MR window is taken from the series' own distribution: "MR auto"
#: clips the darkest 1 % and brightest 0.5 %; "T1" keeps more of the bright end (fat, contrast);
#: "T2" lets bright fluid saturate less and shows the darker tissue with more contrast.
MR_PRESETS: dict[str, tuple[float, float]] = {
    "MR auto": (1.0, 99.5),
    "T1": (0.5, 99.8),
    "T2": (2.0, 99.0),
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


def _pet_only_layout() -> Layout:
    """PET hanging protocol for studies without anatomy (PET-only, SPECT): three planes and the MIP."""
    cells = (Cell("pet", "axial", 0, 0), Cell("pet", "coronal", 0, 1),
             Cell("pet", "sagittal", 1, 0), Cell("mip", "coronal", 1, 1))
    return Layout("pet", 2, 2, cells)


LAYOUTS: dict[str, Layout] = {
    "grid": _grid_layout(),
    "pet": _pet_only_layout(),
    "fused-mip": Layout("fused-mip", 1, 2, (Cell("fused", "axial", 0, 0), Cell("mip", "coronal", 0, 1)), (1.6, 1.0)),
}


def default_layout(has_anatomy: bool) -> str:
    """The hanging protocol a study opens in: the fused grid, or the PET protocol without CT/MR."""
    return "grid" if has_anatomy else "pet"


def background_mask(array: np.ndarray) -> np.ndarray:
    """Voxels that are body rather than air/background in an image of arbitrary units (MR).

    Background: at or below 5 % of the way from the minimum to the 99.5th percentile (MR air is
    near zero noise; padding is the minimum)."""
    a = np.asarray(array, np.float32)
    lo = float(a.min())
    hi = float(np.percentile(a, 99.5))
    return a > lo + 0.05 * (hi - lo)


def percentile_window(array: np.ndarray, lower_pct: float, upper_pct: float,
                      max_samples: int = 2_000_000) -> tuple[float, float]:
    """(width, level) spanning the given percentiles of the non-background voxels.

    Larger volumes are sampled on a regular stride (the percentiles barely move); a volume with
    no foreground falls back to all voxels."""
    a = np.asarray(array).ravel()
    if a.size > max_samples:
        a = a[:: int(np.ceil(a.size / max_samples))]
    a = a.astype(np.float32, copy=False)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return 1.0, 0.0
    fg = a[background_mask(a)]
    if fg.size < 16:
        fg = a
    lo, hi = (float(v) for v in np.percentile(fg, [lower_pct, upper_pct]))
    width = max(hi - lo, 1e-3)
    return width, lo + width / 2.0


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


class PaddedArray:
    """A ``[z, y, x]`` array seen on a larger (or shifted) grid of the same lattice, never materialised.

    Stored voxel ``(k, j, i)`` sits at ``(k, j, i) + offset`` of a grid of ``shape``; every other voxel
    of that grid reads ``fill`` (stored voxels that fall outside are cropped). This is how the CT of a
    PET/CT is shown over the union of the two fields of view: a whole-body PET is usually wider than
    the CT's 50 cm field, and a padded copy of the CT would hold twice its voxels (600 x 717² int16
    instead of 600 x 512², 0.6 GB instead of 0.3 GB; more for a longer PET). A plane is cut from the
    stored block and framed with ``fill``; ``np.asarray`` materialises the whole grid for the rare
    caller that needs it (the MR percentile window)."""

    ndim = 3

    def __init__(self, base: np.ndarray, offset, shape, fill):
        if np.ndim(base) != 3 or len(offset) != 3 or len(shape) != 3:
            raise ValueError("PaddedArray needs a 3-D array, a 3-D offset and a 3-D shape")
        self.base = base
        self.offset = tuple(int(o) for o in offset)
        self.shape = tuple(int(n) for n in shape)
        self.dtype = base.dtype
        self.fill = base.dtype.type(fill)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        """What it holds in memory (the stored block), not what a materialised copy would."""
        return int(self.base.nbytes)

    def _overlap(self, axes) -> tuple[list[slice], list[slice]] | None:
        """(source slices into ``base``, destination slices into the grid) along ``axes``; None if empty."""
        src, dst = [], []
        for a in axes:
            d0, s0 = max(0, self.offset[a]), max(0, -self.offset[a])
            n = min(self.base.shape[a] - s0, self.shape[a] - d0)
            if n <= 0:
                return None
            src.append(slice(s0, s0 + n))
            dst.append(slice(d0, d0 + n))
        return src, dst

    def covers_fill(self) -> bool:
        """True when some voxel of the grid is not a stored one (reads ``fill``)."""
        return any(self.offset[a] > 0 or self.offset[a] + self.base.shape[a] < self.shape[a] for a in range(3))

    def min(self):
        """The smallest value of the grid: of the stored voxels inside it, and ``fill`` if any voxel reads it."""
        ov = self._overlap((0, 1, 2))
        if ov is None:
            return self.fill
        lo = self.base[tuple(ov[0])].min()
        return min(lo, self.fill) if self.covers_fill() else lo

    def take_plane(self, index: int, axis: int) -> np.ndarray:
        """``np.take(materialised, index, axis)`` without materialising: one plane of the grid."""
        if not 0 <= index < self.shape[axis]:
            raise IndexError(f"index {index} is out of bounds for axis {axis} with size {self.shape[axis]}")
        rest = [a for a in (0, 1, 2) if a != axis]
        out = np.full([self.shape[a] for a in rest], self.fill, dtype=self.dtype)
        j = index - self.offset[axis]
        ov = self._overlap(rest)
        if 0 <= j < self.base.shape[axis] and ov is not None:
            src, dst = ov
            out[tuple(dst)] = np.take(self.base, j, axis=axis)[tuple(src)]
        return out

    def shifted(self, offset, shape) -> "PaddedArray | np.ndarray":
        """The stored block on another grid of the lattice (``offset`` of the stored block in it); the
        stored array itself when that grid is exactly its own."""
        offset, shape = tuple(int(o) for o in offset), tuple(int(n) for n in shape)
        if offset == (0, 0, 0) and shape == tuple(self.base.shape):
            return self.base
        return PaddedArray(self.base, offset, shape, self.fill)

    def materialise(self) -> np.ndarray:
        out = np.full(self.shape, self.fill, dtype=self.dtype)
        ov = self._overlap((0, 1, 2))
        if ov is not None:
            out[tuple(ov[1])] = self.base[tuple(ov[0])]
        return out

    def __array__(self, dtype=None, copy=None):
        a = self.materialise()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __getitem__(self, key):
        return self.materialise()[key]

    def astype(self, dtype, copy: bool = True) -> np.ndarray:
        return self.materialise().astype(dtype, copy=False)

    def __repr__(self):
        return f"PaddedArray(shape={self.shape}, dtype={self.dtype}, stored {self.base.shape} at {self.offset})"


def extract_plane(array: np.ndarray, spec: PlaneSpec, index: int) -> np.ndarray:
    """2-D slice of an axis-aligned ``[z, y, x]`` array (or ``PaddedArray``), row 0 at the top of the screen."""
    ax = {0: 2, 1: 1, 2: 0}  # world axis -> numpy axis
    if isinstance(array, PaddedArray):
        sl = array.take_plane(index, ax[spec.normal])
    else:
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
