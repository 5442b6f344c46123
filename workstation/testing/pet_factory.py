"""Test fixture: PET header datasets built in memory (pydicom), for the SUV tests.

Explicit and independent of the code under test: each keyword argument is one DICOM attribute,
``None`` leaves it out. ``from_cornerstone`` turns one record of the cornerstone calculate-suv
header extracts (refdata) into a dataset.
"""

from __future__ import annotations

from pathlib import Path

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ImplicitVRLittleEndian, generate_uid

PET_SOP = "1.2.840.10008.5.1.4.1.1.128"
F18_CODE = ("C-111A1", "SRT", "^18^Fluorine")


def pet_dataset(*, sop_uid=None, series_uid="1.2.826.0.1.3680043.2.1125.1", units="BQML",
                decay_correction="START", corrected_image=("NORM", "ATTN", "SCAT", "DECY"),
                series_date="20201217", series_time="120000", acquisition_date="20201217",
                acquisition_time="120000", weight=70.0, size=None, sex="M", dose=370e6, half_life=6586.2,
                start_time="110000", start_datetime=None, radionuclide_code=F18_CODE, suv_type=None,
                frame_reference_time=None, frame_duration=None, decay_factor=None, philips_suv=None,
                philips_acf=None, ge_scan_datetime=None, manufacturer=None, radiopharmaceutical=None,
                modality="PT") -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = PET_SOP
    ds.SOPInstanceUID = sop_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid
    ds.Modality = modality
    ds.PatientName = "SECRET^NAME"
    ds.PatientID = "SECRET-ID-123"
    ds.PatientBirthDate = "19010101"

    def put(keyword, value):
        if value is not None:
            setattr(ds, keyword, value)

    put("Manufacturer", manufacturer)
    put("Units", units)
    put("SUVType", suv_type)
    put("DecayCorrection", decay_correction)
    put("CorrectedImage", list(corrected_image) if corrected_image is not None else None)
    put("SeriesDate", series_date)
    put("SeriesTime", series_time)
    put("AcquisitionDate", acquisition_date)
    put("AcquisitionTime", acquisition_time)
    put("PatientWeight", weight)
    put("PatientSize", size)
    put("PatientSex", sex)
    put("FrameReferenceTime", frame_reference_time)
    put("ActualFrameDuration", frame_duration)
    put("DecayFactor", decay_factor)
    item = Dataset()
    if radiopharmaceutical is not None:
        item.Radiopharmaceutical = radiopharmaceutical
    if start_time is not None:
        item.RadiopharmaceuticalStartTime = start_time
    if start_datetime is not None:
        item.RadiopharmaceuticalStartDateTime = start_datetime
    if dose is not None:
        item.RadionuclideTotalDose = dose
    if half_life is not None:
        item.RadionuclideHalfLife = half_life
    if radionuclide_code is not None:
        code = Dataset()
        code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = radionuclide_code
        item.RadionuclideCodeSequence = [code]
    ds.RadiopharmaceuticalInformationSequence = [item]
    if philips_suv is not None or philips_acf is not None:
        block = ds.private_block(0x7053, "Philips PET Private Group", create=True)
        if philips_suv is not None:
            block.add_new(0x00, "DS", philips_suv)
        if philips_acf is not None:
            block.add_new(0x09, "DS", philips_acf)
    if ge_scan_datetime is not None:
        block = ds.private_block(0x0009, "GEMS_PETD_01", create=True)
        block.add_new(0x0D, "DT", ge_scan_datetime)
    return ds


def from_cornerstone(rec: dict, index: int = 0) -> Dataset:
    """One instance record of cornerstone's ``*-instances.json`` as a dataset."""
    ph = rec.get("PhilipsPETPrivateGroup") or {}
    return pet_dataset(
        sop_uid=f"1.2.826.0.1.3680043.2.1125.9.{index + 1}",
        units=rec.get("Units"),
        decay_correction=rec.get("DecayCorrection"),
        corrected_image=rec.get("CorrectedImage"),
        series_date=rec.get("SeriesDate"),
        series_time=rec.get("SeriesTime"),
        acquisition_date=rec.get("AcquisitionDate"),
        acquisition_time=rec.get("AcquisitionTime"),
        weight=rec.get("PatientWeight"),
        size=rec.get("PatientSize"),
        sex=rec.get("PatientSex"),
        dose=rec.get("RadionuclideTotalDose"),
        half_life=rec.get("RadionuclideHalfLife"),
        start_time=rec.get("RadiopharmaceuticalStartTime"),
        start_datetime=(rec.get("RadiopharmaceuticalStartDateTime") or "").strip() or None,
        radionuclide_code=None,
        frame_reference_time=rec.get("FrameReferenceTime"),
        frame_duration=rec.get("ActualFrameDuration"),
        philips_suv=(ph.get("SUVScaleFactor") or "").strip() or None,
        philips_acf=(ph.get("ActivityConcentrationScaleFactor") or "").strip() or None,
    )


def write_and_read(ds: Dataset, path: Path) -> Dataset:
    """Save as implicit-VR little endian and read the header back (private VRs become unknown)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds = ds.copy()
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)
    return pydicom.dcmread(path, stop_before_pixels=True)
