"""Rigid MI registration recovers a known shift and rotation between two synthetic modalities."""

import numpy as np
import pytest

from workstation.analysis.registration import register_rigid
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.tasks.progress import Cancelled, Progress
from workstation.testing import synthetic_study as syn


def _phantom(xyz):
    """Asymmetric structure; 'PET-like' intensities are a non-linear map of these labels."""
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    lab = ((x / 70.0) ** 2 + (y / 50.0) ** 2 + (z / 60) ** 2 <= 1.0).astype(np.int8)
    lab[np.sum((xyz - [30.0, -15.0, 10.0]) ** 2, -1) <= 15.0 ** 2] = 2
    lab[np.sum((xyz - [-25.0, 20.0, -20.0]) ** 2, -1) <= 10.0 ** 2] = 3
    lab[(np.abs(x + 5) < 6) & (np.abs(y - 25) < 8)] = 4  # a rod along z
    return lab


def _rotz(deg):
    t = np.radians(deg)
    return np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1.0]])


@pytest.fixture(scope="module")
def pair():
    ct_geo = ImageGeometry((40, 56, 56), (3.0, 3.0, 3.5), (-82.5, -82.5, -68.25))
    ct = Volume(np.choose(syn.sample(ct_geo, _phantom), [-1000.0, 40.0, 300.0, -200.0, 900.0]).astype(np.float32),
                ct_geo, modality="CT")
    # true pet_from_anat: rotate 4 deg about z through (0,0,0), then shift (6, -4, 5) mm
    truth = np.eye(4)
    truth[:3, :3] = _rotz(4.0)
    truth[:3, 3] = (6.0, -4.0, 5.0)
    pet_geo = ImageGeometry((34, 40, 40), (4.0, 4.0, 4.0), (-78.0, -78.0, -66.0))
    inv = np.linalg.inv(truth)

    def pet_fn(q):  # PET world point q shows the anatomy at inv(truth) q
        p = q @ inv[:3, :3].T + inv[:3, 3]
        return np.choose(_phantom(p), [0.0, 1000.0, 5000.0, 300.0, 2500.0])

    pet = Volume(syn.sample(pet_geo, pet_fn).astype(np.float32), pet_geo, modality="PT")
    return ct, pet, truth


@pytest.mark.slow
def test_recovers_known_rigid_transform(pair):
    ct, pet, truth = pair
    seen = []
    reg = register_rigid(ct, pet, progress=Progress(lambda f, m: seen.append(f)))
    pts = np.array([[30.0, -15.0, 10.0], [-25.0, 20.0, -20.0], [0.0, 0.0, 40.0], [50.0, 30.0, -30.0]])
    got = pts @ reg.pet_from_anat[:3, :3].T + reg.pet_from_anat[:3, 3]
    want = pts @ truth[:3, :3].T + truth[:3, 3]
    err = np.linalg.norm(got - want, axis=1)
    assert err.max() < 1.5, (err, reg.summary())
    assert abs(reg.rotation_deg - 4.0) < 1.0
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_cancel_is_honoured(pair):
    ct, pet, _ = pair
    p = Progress()
    p.cancel()
    with pytest.raises(Cancelled):
        register_rigid(ct, pet, progress=p, iterations=5)
