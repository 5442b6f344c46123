"""Synthetic images in code: world grids, oblique geometries and sphere phantoms for tests.

Membership of a voxel in a phantom sphere is by voxel centre (the rule of ``analysis.lesions.shapes``),
computed here by brute force over every voxel centre through the geometry's own index→world
method, so that tests compare the optimised code with an independent construction.
"""

from __future__ import annotations

import math

import numpy as np

from workstation.core.geometry import ImageGeometry


def ball_volume(r: float) -> float:
    """Volume (mm³) of a ball of radius ``r`` mm (0 for a negative radius)."""
    return 4.0 / 3.0 * math.pi * max(r, 0.0) ** 3


def half_diag(geometry: ImageGeometry) -> float:
    """Half the voxel diagonal (mm): how far centre inclusion can move a shape's surface."""
    return 0.5 * math.sqrt(sum(s * s for s in geometry.spacing))


def world_grid(geometry: ImageGeometry) -> np.ndarray:
    """World coordinates (nk, nj, ni, 3) of every voxel centre, through the geometry's own method."""
    kji = np.stack(np.indices(geometry.shape), axis=-1)
    return geometry.kji_to_world(kji)


def oblique_geometry(shape=(40, 44, 48), spacing=(2.0, 3.0, 4.0)) -> ImageGeometry:
    """An anisotropic grid with flipped j and k axes, rotated 20° about z: catches transposes and flips."""
    a = math.radians(20)
    rot = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    direction = rot @ np.diag([1.0, -1.0, -1.0])
    return ImageGeometry(shape, spacing, origin=(-30.0, 55.0, 120.0), direction=direction)


def sphere_phantom(geometry: ImageGeometry, spheres, background: float = 1.0, noise: float = 0.0,
                   seed: int = 0) -> np.ndarray:
    """Uniform spheres ``(centre_world, radius_mm, value)`` on a background (+ Gaussian noise), float32."""
    w = world_grid(geometry)
    rng = np.random.default_rng(seed)
    v = np.full(geometry.shape, background, np.float64)
    if noise:
        v += rng.normal(0.0, noise, geometry.shape)
    for c, r, val in spheres:
        v[np.sum((w - np.asarray(c)) ** 2, axis=-1) <= r * r] = val
    return v.astype(np.float32)
