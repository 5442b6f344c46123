"""A synthetic whole body whose head-and-neck primary touches the brain at SUV 2.5 (with its truth), shared by the
organ-exclusion tests and the one-lesion-finder CLI test."""

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.testing.phantoms import world_grid

BRAIN = ((0.0, 0.0, 420.0), (62.0, 80.0, 56.0), 8.0)  # centre, semi-axes, SUV: 1.16 L
PRIMARY = ((0.0, -10.0, 352.0), 18.0, 12.0)  # top at 370 mm; the brain's bottom is at 364 mm: they overlap
NODE = ((40.0, 10.0, 300.0), 9.0, 6.0)
BLADDER = ((0.0, -20.0, 60.0), (40.0, 32.0, 32.0), 30.0)  # 172 mL
PELVIC = ((48.0, -20.0, 60.0), 12.0, 7.0)  # pressed 4 mm into the bladder's side


def _body(g, w):
    """Air (0) outside a body of SUV 1: a trunk (280 x 180 mm) below z = 310 mm, a neck (radius 50 mm) up to
    350 mm, a head (ellipsoid 150 x 184 x 150 mm) around z = 420 mm: the head's cross-section is 43 % of
    the trunk's."""
    x, y, z = w[..., 0], w[..., 1], w[..., 2]
    trunk = (np.abs(x) <= 140) & (np.abs(y) <= 90) & (z < 310)
    neck = (x ** 2 + y ** 2 <= 50 ** 2) & (z >= 300) & (z < 360)
    head = ((x / 75) ** 2 + (y / 92) ** 2 + ((z - 420) / 75) ** 2) <= 1.0
    return (trunk | neck | head).astype(np.float32)


def _study():
    g = ImageGeometry((124, 50, 75), (4.0, 4.0, 4.0), origin=(-148.0, -98.0, 0.0))  # z 0..492 mm, head up
    w = world_grid(g)

    def ell(c, a):
        return np.sum(((w - c) / np.asarray(a)) ** 2, axis=-1) <= 1.0

    def ball(c, r):
        return np.sum((w - c) ** 2, axis=-1) <= r * r

    v = _body(g, w)
    truth = {"brain": ell(*BRAIN[:2]), "bladder": ell(*BLADDER[:2])}
    v[truth["brain"]] = BRAIN[2]
    v[truth["bladder"]] = BLADDER[2]
    for name, (c, r, val) in {"primary": PRIMARY, "node": NODE, "pelvic": PELVIC}.items():
        truth[name] = ball(c, r)
        v[truth[name]] = val
    truth["brain"] &= ~truth["primary"]
    truth["bladder"] &= ~truth["pelvic"]
    return g, v, truth
