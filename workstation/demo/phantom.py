"""The demo phantom: a torso and head made of simple solids, sampled on any grid.

Concept
-------
The phantom is a set of simple solids (ellipsoids, elliptic cylinders along the body axis and
spheres) placed in DICOM patient coordinates (LPS mm: +x patient left, +y posterior, +z
superior). They are painted in order onto any :class:`~workstation.core.ImageGeometry`, so the
same anatomy can be sampled on a fine CT grid, a coarse PET grid, or a rotated test grid. Each
organ has a CT number (HU) and an FDG uptake (SUVbw); lesions are spheres of known centre,
radius, SUV and HU. :func:`make_phantom` returns the noise-free label map, HU and SUV arrays
(voxel averages: the grid is supersampled, so partial volume at edges is modelled). The demo
study (``demo.study``) turns it into DICOM as a scanner would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from workstation.core.geometry import ImageGeometry

# ---------------------------------------------------------------------------- solids
@dataclass(frozen=True)
class Ellipsoid:
    center: tuple[float, float, float]
    semi: tuple[float, float, float]

    def bbox(self):
        c, s = np.asarray(self.center, float), np.asarray(self.semi, float)
        return c - s, c + s

    def inside(self, x, y, z):
        (cx, cy, cz), (a, b, c) = self.center, self.semi
        return ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 + ((z - cz) / c) ** 2 <= 1.0


@dataclass(frozen=True)
class CylinderZ:
    """Elliptic cylinder along world z (the body axis), between z0 and z1."""

    center_xy: tuple[float, float]
    semi_xy: tuple[float, float]
    z0: float
    z1: float

    def bbox(self):
        (cx, cy), (a, b) = self.center_xy, self.semi_xy
        return np.array([cx - a, cy - b, self.z0]), np.array([cx + a, cy + b, self.z1])

    def inside(self, x, y, z):
        (cx, cy), (a, b) = self.center_xy, self.semi_xy
        return (((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1.0) & (z >= self.z0) & (z <= self.z1)


def _sphere(center, r) -> Ellipsoid:
    return Ellipsoid(tuple(center), (r, r, r))


# ---------------------------------------------------------------------------- anatomy
@dataclass(frozen=True)
class Organ:
    name: str
    label: int
    hu: float
    suv: float


ORGANS: dict[str, Organ] = {o.name: o for o in [
    Organ("air", 0, -1000.0, 0.0),
    Organ("fat", 1, -100.0, 0.35),
    Organ("soft_tissue", 2, 45.0, 0.8),  # muscle and other soft tissue
    Organ("lung", 3, -820.0, 0.5),
    Organ("liver", 4, 60.0, 2.2),
    Organ("spleen", 5, 50.0, 1.8),
    Organ("heart", 6, 45.0, 3.0),  # myocardium
    Organ("blood_pool", 7, 40.0, 1.6),  # cardiac chambers and aorta
    Organ("kidney", 8, 35.0, 3.0),
    Organ("bladder", 9, 5.0, 15.0),
    Organ("brain", 10, 35.0, 7.0),
    Organ("bone", 11, 400.0, 0.8),  # spine and pelvis (cancellous)
    Organ("skull", 12, 1000.0, 0.8),  # cortical bone
    Organ("mediastinum", 13, -40.0, 0.8),
]}

# (organ, solid), painted in this order: later solids overwrite earlier ones.
PHANTOM_LAYERS: list[tuple[str, object]] = [
    # body contour: subcutaneous fat over the trunk, then muscle inside
    ("fat", CylinderZ((0, 0), (170, 110), -850, -300)),
    ("fat", Ellipsoid((0, 0, -300), (170, 110, 45))),
    ("fat", Ellipsoid((0, 0, -850), (170, 110, 45))),
    ("soft_tissue", CylinderZ((0, 0), (155, 95), -850, -300)),
    ("soft_tissue", Ellipsoid((0, 0, -300), (155, 95, 35))),
    ("soft_tissue", Ellipsoid((0, 0, -850), (155, 95, 32))),
    ("soft_tissue", CylinderZ((0, 10), (55, 50), -262, -180)),  # neck
    ("soft_tissue", Ellipsoid((0, 0, -105), (78, 98, 100))),  # head
    ("skull", Ellipsoid((0, 0, -105), (72, 92, 95))),
    ("brain", Ellipsoid((0, 2, -103), (66, 86, 88))),
    ("bone", CylinderZ((0, 30), (11, 11), -280, -190)),  # cervical spine
    # chest
    ("mediastinum", Ellipsoid((0, 10, -390), (45, 70, 100))),
    ("lung", Ellipsoid((-85, 10, -400), (60, 75, 110))),  # right lung (patient right = -x)
    ("lung", Ellipsoid((80, 10, -405), (55, 75, 105))),  # left lung, smaller (heart)
    ("heart", Ellipsoid((25, -25, -440), (55, 45, 55))),
    ("blood_pool", Ellipsoid((25, -25, -440), (40, 31, 40))),
    ("blood_pool", CylinderZ((20, -15), (14, 14), -430, -345)),  # ascending aorta
    ("blood_pool", Ellipsoid((20, 15, -345), (16, 42, 16))),  # arch
    ("blood_pool", CylinderZ((20, 45), (12, 12), -720, -345)),  # descending aorta
    # abdomen and pelvis
    ("liver", Ellipsoid((-70, -5, -560), (95, 85, 80))),
    ("spleen", Ellipsoid((100, 30, -545), (35, 45, 55))),
    ("kidney", Ellipsoid((-75, 55, -650), (30, 25, 55))),
    ("kidney", Ellipsoid((75, 55, -630), (30, 25, 55))),
    ("bladder", Ellipsoid((0, -30, -830), (45, 35, 35))),
    ("bone", CylinderZ((0, 75), (16, 16), -820, -280)),  # thoracic and lumbar spine
    ("bone", Ellipsoid((-100, 20, -800), (25, 45, 50))),  # right iliac bone
    ("bone", Ellipsoid((100, 20, -800), (25, 45, 50))),  # left iliac bone
]


@dataclass(frozen=True)
class Lesion:
    """A uniform spherical lesion (replaces the tissue it sits in)."""

    name: str
    center: tuple[float, float, float]  # LPS mm
    radius_mm: float
    suv: float
    hu: float
    host: str  # organ it sits in

    @property
    def volume_ml(self) -> float:
        return 4.0 / 3.0 * math.pi * self.radius_mm ** 3 / 1000.0


# None mirrored; the neck node and the lung lesion sit clearly on the patient's LEFT (+x).
DEFAULT_LESIONS: tuple[Lesion, ...] = (
    Lesion("lung_left_upper", (85.0, 0.0, -350.0), 10.0, 8.0, 30.0, "lung"),
    Lesion("lung_right_lower_small", (-90.0, 30.0, -450.0), 4.0, 6.0, 30.0, "lung"),
    Lesion("liver_large", (-100.0, -10.0, -580.0), 15.0, 10.0, 45.0, "liver"),
    Lesion("liver_small", (-40.0, 30.0, -530.0), 6.0, 5.0, 45.0, "liver"),
    Lesion("mediastinal_node", (-12.0, 5.0, -345.0), 8.0, 15.0, 35.0, "mediastinum"),
    Lesion("spine_lumbar", (0.0, 72.0, -620.0), 10.0, 12.0, 250.0, "bone"),
    Lesion("neck_node_left", (38.0, -5.0, -215.0), 6.0, 4.0, 40.0, "soft_tissue"),
)

LESION_LABEL_BASE = 100  # label of lesion n is 100 + n


# ---------------------------------------------------------------------------- phantom
@dataclass
class Phantom:
    """Noise-free phantom sampled on a grid: labels (organ label or 100 + lesion index at the
    voxel centre), and voxel-averaged HU and SUVbw."""

    geometry: ImageGeometry
    labels: np.ndarray
    hu: np.ndarray
    suv: np.ndarray
    lesions: tuple[Lesion, ...] = field(default_factory=tuple)

    def activity_bqml(self, bqml_per_suv: float) -> np.ndarray:
        return self.suv * np.float32(bqml_per_suv)


def _slab_points(geometry: ImageGeometry, k0: int, k1: int, offset=(0.0, 0.0, 0.0)):
    """World x, y, z of the points (i, j, k) + offset for k in [k0, k1), as arrays broadcastable
    to (k1-k0, nj, ni): an axis-aligned grid gives thin arrays, which keeps the painting fast."""
    _, nj, ni = geometry.shape
    m = np.asarray(geometry.direction) * np.asarray(geometry.spacing)[None, :]
    o = np.asarray(geometry.origin)
    axes = (
        (np.arange(ni, dtype=np.float64) + offset[0])[None, None, :],
        (np.arange(nj, dtype=np.float64) + offset[1])[None, :, None],
        (np.arange(k0, k1, dtype=np.float64) + offset[2])[:, None, None],
    )
    out = []
    for a in range(3):
        c = np.full((1, 1, 1), o[a])
        for b in range(3):
            if m[a, b] != 0.0:
                c = c + m[a, b] * axes[b]
        out.append(c)
    return out


def _slab_bbox(geometry: ImageGeometry, k0: int, k1: int):
    _, nj, ni = geometry.shape
    c = np.array([[i, j, k] for i in (-0.5, ni - 0.5) for j in (-0.5, nj - 0.5) for k in (k0 - 0.5, k1 - 0.5)])
    w = geometry.ijk_to_world(c)
    return w.min(axis=0), w.max(axis=0)


def _label_points(x, y, z, layers, shape) -> np.ndarray:
    lab = np.zeros(shape, np.uint8)
    for label, solid in layers:
        lab[np.broadcast_to(solid.inside(x, y, z), shape)] = label
    return lab


def _sub_offsets(n: int):
    s = (np.arange(n) + 0.5) / n - 0.5
    return [(a, b, c) for c in s for b in s for a in s]


def make_phantom(geometry: ImageGeometry, *, supersample: int = 2, lesions: Sequence[Lesion] | None = None,
                 lesion_supersample: int = 5, brain: bool = True, progress=None) -> Phantom:
    """Sample the torso-and-head phantom on ``geometry`` (any direction matrix).

    Organ values are averaged over ``supersample**3`` points per voxel and lesion coverage over
    ``lesion_supersample**3`` points (partial volume). ``lesions`` defaults to
    :data:`DEFAULT_LESIONS`; pass ``()`` for none. With ``brain`` the brain's SUV is not uniform but the
    MNI152 grey/white-matter brain of :mod:`workstation.demo.brain` (with its small AD-like deficit),
    sampled at the voxel centres of the brain label (CSF level in the partial voxels at its edge).
    """
    if supersample < 1 or lesion_supersample < 1:
        raise ValueError("supersample factors must be >= 1")
    lesions = tuple(DEFAULT_LESIONS if lesions is None else lesions)
    nk, nj, ni = geometry.shape
    organs = list(ORGANS.values())
    lut_hu = np.zeros(256, np.float64)
    lut_suv = np.zeros(256, np.float64)
    for o in organs:
        lut_hu[o.label], lut_suv[o.label] = o.hu, o.suv
    if brain:
        from workstation.demo.brain import CSF_SUV

        lut_suv[ORGANS["brain"].label] = CSF_SUV
    layers = [(ORGANS[name].label, solid) for name, solid in PHANTOM_LAYERS]
    labels = np.zeros(geometry.shape, np.uint8)
    hu = np.empty(geometry.shape, np.float32)
    suv = np.empty(geometry.shape, np.float32)
    offsets = _sub_offsets(supersample)
    slab = max(1, int(2 ** 20 // (nj * ni)))
    for k0 in range(0, nk, slab):
        k1 = min(nk, k0 + slab)
        lo, hi = _slab_bbox(geometry, k0, k1)
        active = [(lab, s) for lab, s in layers if np.all(s.bbox()[0] <= hi) and np.all(s.bbox()[1] >= lo)]
        shape = (k1 - k0, nj, ni)
        labels[k0:k1] = _label_points(*_slab_points(geometry, k0, k1), active, shape)
        acc_hu = np.zeros((k1 - k0, nj, ni))
        acc_suv = np.zeros((k1 - k0, nj, ni))
        for off in offsets:
            lab = labels[k0:k1] if supersample == 1 else _label_points(*_slab_points(geometry, k0, k1, off), active, shape)
            acc_hu += lut_hu[lab]
            acc_suv += lut_suv[lab]
        hu[k0:k1] = acc_hu / len(offsets)
        suv[k0:k1] = acc_suv / len(offsets)
        if progress is not None:
            progress.update(0.9 * k1 / nk, "phantom")
    if brain:
        from workstation.demo.brain import brain_suv

        kji = np.argwhere(labels == ORGANS["brain"].label)
        if len(kji):
            w = geometry.kji_to_world(kji.astype(float))
            suv[tuple(kji.T)] = brain_suv(w[:, 0], w[:, 1], w[:, 2])
    # lesions: fraction of each voxel inside the sphere replaces the tissue there
    sub = np.asarray(_sub_offsets(lesion_supersample))  # (n, 3) in index units (i, j, k)
    for n, les in enumerate(lesions):
        c = np.asarray(les.center, float)
        r = float(les.radius_mm)
        corners = np.array([[c[0] + sx * r, c[1] + sy * r, c[2] + sz * r]
                            for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
        kji = geometry.world_to_kji(corners)
        lo = np.maximum(np.floor(kji.min(axis=0)).astype(int) - 1, 0)
        hi = np.minimum(np.ceil(kji.max(axis=0)).astype(int) + 2, np.asarray(geometry.shape))
        if np.any(hi <= lo):
            continue  # outside the grid
        kk, jj, ii = np.meshgrid(*(np.arange(a, b) for a, b in zip(lo, hi)), indexing="ij")
        ijk = np.stack([ii, jj, kk], axis=-1).astype(float)  # (K, J, I, 3)
        pts = ijk[..., None, :] + sub  # (K, J, I, n, 3)
        d2 = np.sum((geometry.ijk_to_world(pts) - c) ** 2, axis=-1)
        frac = np.mean(d2 <= r * r, axis=-1)
        centre_in = np.sum((geometry.ijk_to_world(ijk) - c) ** 2, axis=-1) <= r * r
        box = tuple(slice(a, b) for a, b in zip(lo, hi))
        hu[box] = ((1 - frac) * hu[box] + frac * les.hu).astype(np.float32)
        suv[box] = ((1 - frac) * suv[box] + frac * les.suv).astype(np.float32)
        labels[box][centre_in] = LESION_LABEL_BASE + n
    if progress is not None:
        progress.update(1.0, "phantom")
    return Phantom(geometry, labels, hu, suv, lesions)


def center_recovery(radius_mm: float, sigma_mm: float) -> float:
    """Fraction of a uniform sphere's contrast left at its centre after an isotropic Gaussian blur.

    RC = erf(R / (sqrt(2) s)) - sqrt(2/pi) (R/s) exp(-R^2 / (2 s^2)) (the chi-3 CDF at R/s).
    """
    u = radius_mm / sigma_mm
    return math.erf(u / math.sqrt(2.0)) - math.sqrt(2.0 / math.pi) * u * math.exp(-0.5 * u * u)
