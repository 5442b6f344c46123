"""Tiny synthetic PET/CT study built in memory (no DICOM), shared by the viewer tests.

CT: an elliptic soft-tissue body (40 HU) in air (-1000 HU) with a bone marker (1000 HU) on the
patient's LEFT and ANTERIOR side, so flips of any axis are visible. PET: a different grid
(coarser, shifted origin, slice axis pointing to the feet) with body background and one hot
sphere on the patient's left. Values are analytic functions of world position, so tests can
compute expectations independently of the code under test.
"""

from __future__ import annotations

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume

LESION = np.array([40.0, -10.0, 10.0])  # world LPS mm: patient's left
LESION_RADIUS = 12.0
MARKER = np.array([-50.0 + 100.0, -40.0, -20.0])  # (50, -40, -20): left, anterior, inferior
MARKER_RADIUS = 8.0
BG_BQML = 5000.0
LESION_BQML = 40000.0


def body_hu(xyz):
    x, y, _z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    inside = (x / 80.0) ** 2 + (y / 60.0) ** 2 <= 1.0
    hu = np.where(inside, 40.0, -1000.0)
    marker = np.sum((xyz - MARKER) ** 2, axis=-1) <= MARKER_RADIUS ** 2
    return np.where(marker, 1000.0, hu).astype(np.float32)


def pet_bqml(xyz):
    x, y = xyz[..., 0], xyz[..., 1]
    inside = (x / 80.0) ** 2 + (y / 60.0) ** 2 <= 1.0
    v = np.where(inside, BG_BQML, 0.0)
    lesion = np.sum((xyz - LESION) ** 2, axis=-1) <= LESION_RADIUS ** 2
    return np.where(lesion, LESION_BQML, v).astype(np.float32)


def sample(geometry: ImageGeometry, fn) -> np.ndarray:
    nk, nj, ni = geometry.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    xyz = geometry.ijk_to_world(np.stack([i, j, k], -1).astype(float))
    return fn(xyz)


def make_ct(direction=None, shape=(30, 48, 48), spacing=(4.0, 4.0, 5.0), origin=(-94.0, -94.0, -70.0)) -> Volume:
    geo = ImageGeometry(shape, spacing, origin, np.eye(3) if direction is None else direction)
    return Volume(sample(geo, body_hu), geo, modality="CT", units="HU", frame_of_reference_uid="1.2.3",
                  description="CT synthetic", patient=PatientInfo(name="Doe^Jane", patient_id="PID123"),
                  info={"study_date": "20240102"})


def make_pet(origin=(-99.0, -99.0, 81.0), spacing=(6.0, 6.0, 6.0), shape=(28, 34, 34), direction=None) -> Volume:
    d = np.diag([1.0, 1.0, -1.0]) if direction is None else direction  # slices run head -> feet
    geo = ImageGeometry(shape, spacing, origin, d)
    return Volume(sample(geo, pet_bqml), geo, modality="PT", units="BQML", frame_of_reference_uid="1.2.3",
                  description="PET synthetic", patient=PatientInfo(name="Doe^Jane", patient_id="PID123"))
