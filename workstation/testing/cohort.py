"""Test fixture: a cohort of tiny synthetic PET studies on disk, for the batch tests and benchmark.

Each study is one PET series (DICOM, one file per slice, Units BQML, DecayCorrection START,
injection 11:00, scan 12:00, F-18) of a small body (SUV 1), a homogeneous liver sphere on the
patient's right (SUV 2, found by ``references.find_liver``) and one or two hot spheres (the
lesions) on the patient's left. Weight, dose, sex, tracer and study date vary from study to study
with ``seed``. The truth returned for each study is computed here by hand, independently of the
code under test: the SUVbw factor ``weight[g] / (dose × 2^(-3600 / T½))`` and each lesion's SUV.
Noise (2 %) is added outside the lesions only, so a lesion's SUVmax is its SUV up to the int16
quantisation of the stored values.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pydicom

from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset

HALF_LIFE_S = 6586.2
SPACING_MM = 8.0
BODY_SEMI_AXES = (70.0, 55.0)
LIVER = ((-35.0, 5.0), 30.0, 2.0)  # (x, y), radius mm, SUV (z: the middle of the image)
PET_KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "PatientSize", "RadiopharmaceuticalInformationSequence")


def suv_factor_by_hand(weight_kg: float, dose_bq: float, dt_s: float = 3600.0, half_life_s: float = HALF_LIFE_S) -> float:
    """SUVbw per Bq/mL: weight in g over the dose decayed from injection to the scan start."""
    return weight_kg * 1000.0 / (dose_bq * math.pow(2.0, -dt_s / half_life_s))


def write_cohort(root, n: int, *, seed: int = 0, shape=(10, 20, 20), corrupt=(), prefix: str = "S") -> list[dict]:
    """Write ``n`` studies into ``root/{prefix}0001`` ... and return their truth (one dict each).

    ``corrupt``: indices (0-based) of studies whose every slice file is cut short after writing
    (the headers still read, the pixel data does not: no slice of the series can be loaded)."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    out = []
    nk, nj, ni = shape
    # world coordinates of the voxel centres (axial, origin chosen so the image is centred on 0,0,0)
    origin = (-(ni - 1) * SPACING_MM / 2, -(nj - 1) * SPACING_MM / 2, -(nk - 1) * SPACING_MM / 2)
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    x, y, z = origin[0] + i * SPACING_MM, origin[1] + j * SPACING_MM, origin[2] + k * SPACING_MM
    body = (x / BODY_SEMI_AXES[0]) ** 2 + (y / BODY_SEMI_AXES[1]) ** 2 <= 1.0
    (lx, ly), lr, lsuv = LIVER
    liver = (x - lx) ** 2 + (y - ly) ** 2 + z ** 2 <= lr ** 2
    for s in range(n):
        weight = float(rng.uniform(50.0, 100.0))
        dose = float(rng.uniform(200e6, 400e6))
        height = float(np.round(rng.uniform(1.5, 1.9), 2))
        sex = ("M", "F", "")[s % 3]
        tracer = "Fluorodeoxyglucose" if s % 4 else "Fluorothymidine"
        study_date = f"2024{1 + s % 12:02d}{1 + s % 28:02d}"
        factor = suv_factor_by_hand(weight, dose)
        suv = np.where(body, 1.0, 0.0) * (1.0 + 0.02 * rng.standard_normal(body.shape))
        suv[liver] = lsuv * (1.0 + 0.02 * rng.standard_normal(int(liver.sum())))
        lesions = []
        for m in range(1 + s % 2):
            c = (35.0, -25.0 + 50.0 * m, float(rng.uniform(-12.0, 12.0)))
            r = float(rng.uniform(9.0, 14.0))
            v = float(np.round(rng.uniform(4.0, 10.0), 2))
            inside = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= r * r
            suv[inside] = v
            lesions.append({"centre_lps_mm": c, "radius_mm": r, "suv": v, "voxels": int(inside.sum()),
                            "mtv_ml": int(inside.sum()) * SPACING_MM ** 3 / 1000.0})
        bqml = np.maximum(suv, 0.0) / factor
        slope = float(bqml.max()) / 32000.0
        stored = np.round(bqml / slope).astype(np.int16)
        folder = root / f"{prefix}{s + 1:04d}"
        ds = pet_dataset(weight=weight, dose=dose, size=height, sex=sex or None, half_life=HALF_LIFE_S,
                         radiopharmaceutical=tracer, series_date=study_date, acquisition_date=study_date)
        extra = {kw: ds.get(kw) for kw in PET_KEYS if kw in ds}
        extra.update(PatientSex=sex, StudyDate=study_date, StudyTime="115000", Manufacturer="Synthetic",
                     ManufacturerModelName=f"Model {'AB'[s % 2]}")
        paths = write_series(folder, stored, origin=origin, spacing_ijk=(SPACING_MM,) * 3, modality="PT",
                             slopes=[slope] * nk, extra=extra, patient_name=f"COHORT^{s:04d}",
                             patient_id=f"C{s:04d}", shuffle_seed=s, description="synthetic cohort PET")
        if s in corrupt:
            for p in paths:
                data = p.read_bytes()
                p.write_bytes(data[: len(data) - nj * ni])  # half the pixel data gone
        uid = str(pydicom.dcmread(paths[-1], stop_before_pixels=True).SeriesInstanceUID)
        out.append({"folder": str(folder), "series_uid": uid, "suv_factor": factor, "weight_kg": weight, "height_m": height,
                    "dose_bq": dose, "sex": sex, "tracer": tracer, "study_date": study_date, "lesions": lesions,
                    "liver_suv": lsuv, "slope": slope, "corrupt": s in corrupt})
    return out
