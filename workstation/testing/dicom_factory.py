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


NM_SOP = "1.2.840.10008.5.1.4.1.1.20"  # NM Image Storage
TC99M = ("C-163A8", "SRT", "^99m^Technetium", 21624.12)  # code, scheme, meaning (as scanners write it), T1/2 s


def write_nm_spect(path, stored: np.ndarray, *, origin, spacing_ijk, slope: float = 1.0, units: str | None = "BQML",
                   nuclide=TC99M, study_uid=None, series_uid=None, for_uid=None, patient_name="TEST^SPECT",
                   patient_id="S1", description="SPECT recon") -> Path:
    """One reconstructed SPECT stored as an NM image (multi-frame, ImageType RECON TOMO): frames
    ``stored[k]`` along the slice normal from the detector's ImagePositionPatient, axial orientation.

    ``units`` (0054,1001) is written as quantitative SPECT reconstructions do (None: omitted, counts)."""
    nk, nj, ni = stored.shape
    di, dj, dk = spacing_ijk
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = NM_SOP
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.FrameOfReferenceUID = for_uid or generate_uid()
    ds.Modality = "NM"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "RECON TOMO", "EMISSION"]
    ds.PatientName, ds.PatientID, ds.PatientSex, ds.PatientWeight = patient_name, patient_id, "F", 70.0
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = "20240102"
    ds.StudyTime, ds.SeriesTime, ds.AcquisitionTime = "101500", "121500", "121500"
    ds.SeriesNumber, ds.InstanceNumber, ds.SeriesDescription = 5, 1, description
    if units is not None:
        ds.Units = units
    ds.DecayCorrection = "START"
    code, scheme, meaning, half_life = nuclide
    item = Dataset()
    item.RadiopharmaceuticalStartTime = "101500"
    item.RadionuclideTotalDose = 740e6
    item.RadionuclideHalfLife = half_life
    nuc = Dataset()
    nuc.CodeValue, nuc.CodingSchemeDesignator, nuc.CodeMeaning = code, scheme, meaning
    item.RadionuclideCodeSequence = [nuc]
    ds.RadiopharmaceuticalInformationSequence = [item]
    det = Dataset()
    det.ImagePositionPatient = [float(x) for x in origin]
    det.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.DetectorInformationSequence = [det]
    ds.NumberOfFrames = nk
    ds.FrameIncrementPointer = (0x0054, 0x0080)  # SliceVector
    ds.SliceVector = list(range(1, nk + 1))
    ds.NumberOfSlices = nk
    ds.PixelSpacing = [float(dj), float(di)]
    ds.SpacingBetweenSlices = float(dk)
    ds.SliceThickness = float(dk)
    ds.Rows, ds.Columns = nj, ni
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.RescaleSlope, ds.RescaleIntercept = float(slope), 0.0
    ds.PixelData = np.ascontiguousarray(np.asarray(stored).astype("<u2")).tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path
