"""Test helper: a small synthetic PET series with two lesions of known uptake, written as DICOM.

Per-slice RescaleSlopes differ (so a Real World Value Mapping must be per instance) and the
direction can be flipped (so a SEG written with the wrong axis order or sign is caught).
Built with the independent ``dicom_factory`` writer; files are shuffled on disk.
"""

from __future__ import annotations

import numpy as np
from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset

PET_KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "RadiopharmaceuticalInformationSequence")
SHAPE = (20, 32, 30)  # k, j, i
SPACING = (4.0, 4.0, 3.0)  # di, dj, dk
BACKGROUND_BQML = 5000.0
LESIONS = [  # (centre i, j, k), radius in voxels, Bq/mL
    ((8, 10, 8), 3.0, 40000.0),
    ((20, 22, 12), 2.0, 25000.0),
]


def write_pet(folder, direction=None, origin=(-60.0, -70.0, -30.0), patient_name="TEST^PATIENT"):
    """Write the series; returns (paths, bqml array [k, j, i] as written, direction)."""
    ds = pet_dataset(weight=70.0)
    extra = {k: ds.get(k) for k in PET_KEYS if k in ds}
    nk, nj, ni = SHAPE
    k, j, i = np.indices(SHAPE)
    bq = np.full(SHAPE, BACKGROUND_BQML)
    for (ci, cj, ck), r, val in LESIONS:
        bq[(i - ci) ** 2 + (j - cj) ** 2 + (k - ck) ** 2 <= r * r] = val
    slopes = np.linspace(1.0, 2.0, nk)
    stored = np.rint(bq / slopes[:, None, None]).astype(np.int16)
    d = np.eye(3) if direction is None else np.asarray(direction, float)
    paths = write_series(folder, stored, origin=origin, spacing_ijk=SPACING, modality="PT", slopes=slopes,
                         extra=extra, direction=d, patient_name=patient_name)
    return paths, stored * slopes[:, None, None], d
