"""Image geometry: the one place where array indices and world (DICOM LPS, mm) coordinates meet.

Conventions
-----------
* A volume's array is indexed ``[k, j, i]`` (slice, row, column); ``shape`` is that numpy shape.
* ``spacing`` and the columns of ``direction`` are in *index* order ``(i, j, k)``:
  ``direction[:, 0]`` is the world direction of increasing column index i (DICOM
  ImageOrientationPatient row cosine), ``direction[:, 1]`` that of increasing row index j
  (IOP column cosine), ``direction[:, 2]`` that of increasing slice index k.
* ``origin`` is the world position of the centre of voxel ``[0, 0, 0]``.
* world = origin + direction @ (spacing * ijk), with ijk = (i, j, k) continuous indices.

This is the same convention as ITK (spacing/direction in i, j, k order), so the SimpleITK
bridge only has to reverse the array axes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _as_tuple3(values, name) -> tuple[float, float, float]:
    arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.size != 3:
        raise ValueError(f"{name} needs 3 values, got {arr.size}")
    return (float(arr[0]), float(arr[1]), float(arr[2]))


@dataclass(frozen=True, eq=False)
class ImageGeometry:
    """Geometry of a regular 3-D grid in DICOM patient (LPS) coordinates."""

    shape: tuple[int, int, int]  # numpy shape (nk, nj, ni)
    spacing: tuple[float, float, float]  # (di, dj, dk) mm
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)  # centre of voxel [0,0,0], LPS mm
    direction: np.ndarray = field(default_factory=lambda: np.eye(3))  # columns: i, j, k axes

    def __post_init__(self):
        shape = tuple(int(s) for s in self.shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(f"shape must be 3 positive integers, got {self.shape}")
        object.__setattr__(self, "shape", shape)
        spacing = _as_tuple3(self.spacing, "spacing")
        if min(spacing) <= 0:
            raise ValueError(f"spacing must be positive, got {spacing}")
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "origin", _as_tuple3(self.origin, "origin"))
        d = np.array(self.direction, dtype=float).reshape(3, 3)
        if not np.allclose(d.T @ d, np.eye(3), atol=1e-4):
            raise ValueError("direction matrix must be orthonormal")
        d.setflags(write=False)
        object.__setattr__(self, "direction", d)

    # ---------------------------------------------------------------- basic facts
    @property
    def size_ijk(self) -> tuple[int, int, int]:
        """Number of voxels along (i, j, k)."""
        nk, nj, ni = self.shape
        return (ni, nj, nk)

    @property
    def voxel_volume_ml(self) -> float:
        return float(np.prod(self.spacing)) / 1000.0

    @property
    def affine(self) -> np.ndarray:
        """4x4 matrix mapping homogeneous (i, j, k, 1) to world (x, y, z, 1) in LPS mm."""
        a = np.eye(4)
        a[:3, :3] = self.direction * np.asarray(self.spacing)[None, :]
        a[:3, 3] = self.origin
        return a

    @property
    def slice_normal(self) -> np.ndarray:
        return np.asarray(self.direction[:, 2])

    # ---------------------------------------------------------------- conversions
    def ijk_to_world(self, ijk) -> np.ndarray:
        """Continuous (i, j, k) index (..., 3) to world LPS mm (..., 3)."""
        ijk = np.asarray(ijk, dtype=float)
        m = self.direction * np.asarray(self.spacing)[None, :]
        return ijk @ m.T + np.asarray(self.origin)

    def world_to_ijk(self, xyz) -> np.ndarray:
        """World LPS mm (..., 3) to continuous (i, j, k) index (..., 3)."""
        xyz = np.asarray(xyz, dtype=float) - np.asarray(self.origin)
        # direction is orthonormal: inverse is the transpose
        return (xyz @ self.direction) / np.asarray(self.spacing)

    def kji_to_world(self, kji) -> np.ndarray:
        """Array index (k, j, i) (..., 3) to world LPS mm."""
        return self.ijk_to_world(np.asarray(kji, dtype=float)[..., ::-1])

    def world_to_kji(self, xyz) -> np.ndarray:
        """World LPS mm to continuous array index (k, j, i)."""
        return self.world_to_ijk(xyz)[..., ::-1]

    def world_to_nearest_kji(self, xyz) -> tuple[int, int, int] | None:
        """Nearest array index of a world point, or None when outside the grid."""
        kji = np.rint(self.world_to_kji(xyz)).astype(int)
        if np.any(kji < 0) or np.any(kji >= np.asarray(self.shape)):
            return None
        return (int(kji[0]), int(kji[1]), int(kji[2]))

    def center_world(self) -> np.ndarray:
        return self.ijk_to_world((np.asarray(self.size_ijk) - 1) / 2.0)

    def corners_world(self) -> np.ndarray:
        ni, nj, nk = self.size_ijk
        c = np.array([[i, j, k] for i in (0, ni - 1) for j in (0, nj - 1) for k in (0, nk - 1)], float)
        return self.ijk_to_world(c)

    def same_grid(self, other: "ImageGeometry", tol_mm: float = 1e-3) -> bool:
        """True when both geometries sample the same world points."""
        return (
            self.shape == other.shape
            and np.allclose(self.spacing, other.spacing, atol=tol_mm)
            and np.allclose(self.origin, other.origin, atol=tol_mm)
            and np.allclose(self.direction, other.direction, atol=1e-5)
        )

    def axis_labels(self) -> tuple[str, str, str]:
        """Patient-orientation letters (towards which i, j, k increase), e.g. ('L', 'P', 'S')."""
        return tuple(orientation_letter(self.direction[:, a]) for a in range(3))  # type: ignore[return-value]

    def with_shape(self, shape) -> "ImageGeometry":
        return ImageGeometry(shape, self.spacing, self.origin, self.direction)

    def __eq__(self, other):
        return isinstance(other, ImageGeometry) and self.same_grid(other, 1e-6)

    def __hash__(self):
        return hash((self.shape, tuple(np.round(self.spacing, 6)), tuple(np.round(self.origin, 4))))

    def __repr__(self):
        return (f"ImageGeometry(shape={self.shape}, spacing={tuple(round(s, 4) for s in self.spacing)}, "
                f"origin={tuple(round(o, 3) for o in self.origin)}, axes={''.join(self.axis_labels())})")

    def to_dict(self) -> dict:
        return {"shape": list(self.shape), "spacing": list(self.spacing), "origin": list(self.origin),
                "direction": np.asarray(self.direction).tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "ImageGeometry":
        return cls(tuple(d["shape"]), tuple(d["spacing"]), tuple(d["origin"]), np.asarray(d["direction"]))


_LETTERS = (("R", "L"), ("A", "P"), ("F", "H"))  # negative, positive along LPS x, y, z


def orientation_letter(vec, threshold: float = 0.5) -> str:
    """Letters of the patient direction a world vector points to (LPS: +x=L, +y=P, +z=H/S).

    Returns the dominant letter, followed by secondary ones for oblique vectors, e.g. 'L' or 'LP'.
    Superior is written 'S' and inferior 'I'.
    """
    v = np.asarray(vec, dtype=float)
    order = np.argsort(-np.abs(v))
    letters = ""
    for a in order:
        if abs(v[a]) < 1e-3 or (letters and abs(v[a]) < threshold * abs(v[order[0]])):
            continue
        neg, pos = _LETTERS[a]
        letter = pos if v[a] > 0 else neg
        letters += {"H": "S", "F": "I"}.get(letter, letter)
    return letters or "?"
