"""Test fixture: write tiny DICOM series from in-memory arrays (independent of workstation.io.dicom_write).

Kept deliberately small and explicit so that loader tests do not depend on the code they test.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_SOP = "1.2.840.10008.5.1.4.1.1.2"
PET_SOP = "1.2.840.10008.5.1.4.1.1.128"


def write_series(out_dir, stored: np.ndarray, *, origin, spacing_ijk, direction=np.eye(3), modality="CT",
                 slopes=None, intercepts=None, study_uid=None, series_uid=None, for_uid=None,
                 positions=None, patient_name="TEST^PATIENT", patient_id="P1", charset="ISO_IR 192",
                 extra=None, shuffle_seed=0, series_number=1, description="test") -> list[Path]:
    """Write stored values ``stored[k, j, i]`` (int16) as one file per slice.

    ``positions`` (k, 3) overrides the per-slice ImagePositionPatient (for uneven / tilted tests).
    Files are named in a shuffled order and InstanceNumbers are shuffled too, so a loader that
    sorts by either gets it wrong.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nk, nj, ni = stored.shape
    direction = np.asarray(direction, float)
    di, dj, dk = spacing_ijk
    study_uid = study_uid or generate_uid()
    series_uid = series_uid or generate_uid()
    for_uid = for_uid or generate_uid()
    rng = np.random.default_rng(shuffle_seed)
    perm = rng.permutation(nk)
    paths = []
    for k in range(nk):
        ipp = (np.asarray(origin, float) + direction[:, 2] * dk * k) if positions is None else np.asarray(positions[k])
        ds = Dataset()
        ds.SpecificCharacterSet = charset
        ds.SOPClassUID = CT_SOP if modality == "CT" else PET_SOP
        ds.SOPInstanceUID = generate_uid()
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = for_uid
        ds.Modality = modality
        ds.PatientName = patient_name
        ds.PatientID = patient_id
        ds.PatientBirthDate = "19600101"
        ds.PatientSex = "M"
        ds.StudyDate = "20240102"
        ds.StudyTime = "101500"
        ds.SeriesDate = "20240102"
        ds.SeriesTime = "101500"
        ds.SeriesNumber = series_number
        ds.SeriesDescription = description
        ds.InstanceNumber = int(perm[k]) + 1
        ds.ImagePositionPatient = [float(x) for x in ipp]
        ds.ImageOrientationPatient = [float(x) for x in np.concatenate([direction[:, 0], direction[:, 1]])]
        ds.PixelSpacing = [float(dj), float(di)]
        ds.SliceThickness = float(dk)
        ds.Rows, ds.Columns = nj, ni
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.RescaleSlope = float(slopes[k]) if slopes is not None else 1.0
        ds.RescaleIntercept = float(intercepts[k]) if intercepts is not None else 0.0
        if extra:
            for key, val in (extra(k) if callable(extra) else extra).items():
                setattr(ds, key, val)
        if isinstance(charset, list) and "ISO 2022 IR 58" in charset:  # write the escapes explicitly
            ds["PatientName"].value = b"".join(
                b"\x1b$)A" + part.encode("gb2312") if any(ord(c) > 127 for c in part) else part.encode()
                for part in re.split(r"(\^|=)", patient_name))
        ds.PixelData = np.ascontiguousarray(stored[k].astype("<i2")).tobytes()
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
        p = out_dir / f"f{perm[k]:04d}.dcm"
        ds.save_as(p, enforce_file_format=True)
        paths.append(p)
    return paths
