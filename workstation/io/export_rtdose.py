"""The absorbed-dose map of a dosimetry as a DICOM RT Dose object (one multi-frame 3-D grid, Gy).

The dose grid is the first time point's image grid: ImagePositionPatient of the first frame,
ImageOrientationPatient, PixelSpacing and GridFrameOffsetVector (frame offsets along the slice
normal, mm, first 0), in that image's FrameOfReferenceUID, so any viewer overlays it on that scan. Values
are unsigned 16-bit integers times DoseGridScaling (Gy; the maximum at 65000, a step of 1.5e-5 of it); DoseType PHYSICAL, DoseUnits GY, and
DoseSummationType ``NM_THERAPY``: an extension of the defined terms (allowed for Defined Terms, PS3.3
section 5.3; dciodvfy warns that it does not know it). Every standard term names an RT Plan or a
treatment record that the file must then reference (PLAN ... CONTROL_POINT: ReferencedRTPlanSequence;
RECORD: ReferencedTreatmentRecordSequence), and a radiopharmaceutical therapy has neither: a reference
to an object that does not exist would be worse than an unknown term.
DoseComment (LO, 64 characters) says nuclide, method and fit. Patient and study attributes are copied from the source
image's header (never logged); the file is written atomically and never replaces one unless asked.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from workstation.io.export_common import (DEVICE_SERIAL, MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION, ExportError,
                            read_source_headers, save_dataset)

__all__ = ["write_rtdose", "RTDOSE_SOP_CLASS"]

RTDOSE_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.2"
DOSE_SUMMATION_TYPE = "NM_THERAPY"  # extended defined term, see the module docstring
_COPY = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
         "StudyTime", "StudyID", "AccessionNumber", "ReferringPhysicianName", "StudyDescription",
         "SpecificCharacterSet")


def write_rtdose(dose_gy: np.ndarray, geometry, source_file, path, *, frame_of_reference_uid: str,
                 comment: str = "", series_description: str = "Absorbed dose", overwrite: bool = False):
    """Write ``dose_gy`` (array [k, j, i] on ``geometry``) as an RT Dose file at ``path``; returns the path."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    dose = np.asarray(dose_gy, np.float64)
    if dose.shape != tuple(geometry.shape):
        raise ExportError(f"dose array {dose.shape} does not match its grid {geometry.shape}")
    if not np.all(np.isfinite(dose)):
        raise ExportError("the dose map has non-finite values; nothing written")
    dose = np.clip(dose, 0.0, None)
    d = np.asarray(geometry.direction, float)
    if not np.allclose(np.cross(d[:, 0], d[:, 1]), d[:, 2], atol=1e-6):
        raise ExportError("the image grid is left-handed; RT Dose frames need slices along the row x column normal")
    (src,) = read_source_headers([source_file])
    top = float(dose.max())
    scaling = top / 65000.0 if top > 0 else 1.0
    pixels = np.round(dose / scaling).astype(np.uint16)

    sop_uid = generate_uid()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = RTDOSE_SOP_CLASS
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    for kw in _COPY:
        if kw in src:
            setattr(ds, kw, src.data_element(kw).value)
    now = _dt.datetime.now()
    ds.SOPClassUID, ds.SOPInstanceUID = RTDOSE_SOP_CLASS, sop_uid
    ds.InstanceCreationDate, ds.InstanceCreationTime = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.ContentDate, ds.ContentTime = ds.InstanceCreationDate, ds.InstanceCreationTime
    ds.Modality = "RTDOSE"
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = 900
    ds.SeriesDescription = series_description[:64]
    ds.OperatorsName = ""
    ds.FrameOfReferenceUID = frame_of_reference_uid
    ds.PositionReferenceIndicator = ""
    ds.Manufacturer, ds.ManufacturerModelName = MANUFACTURER, MODEL_NAME
    ds.SoftwareVersions, ds.DeviceSerialNumber = SOFTWARE_VERSION, DEVICE_SERIAL
    ds.InstanceNumber = 1
    # image plane
    di, dj, dk = (float(v) for v in geometry.spacing)
    ds.ImagePositionPatient = [f"{v:.6g}" for v in np.asarray(geometry.origin, float)]
    ds.ImageOrientationPatient = [f"{v:.6g}" for v in (*d[:, 0], *d[:, 1])]
    ds.PixelSpacing = [f"{dj:.6g}", f"{di:.6g}"]
    ds.SliceThickness = f"{dk:.6g}"
    # image pixel + multi-frame
    nk, nj, ni = dose.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = nj, ni
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.NumberOfFrames = nk
    ds.FrameIncrementPointer = 0x3004000C
    ds.GridFrameOffsetVector = [f"{k * dk:.6g}" for k in range(nk)]
    # RT dose
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", DOSE_SUMMATION_TYPE
    ds.DoseGridScaling = f"{scaling:.10g}"[:16]
    if comment:
        ds.DoseComment = comment[:64]  # LO
    ds.PixelData = pixels.astype("<u2").tobytes()
    return save_dataset(ds, path, overwrite)
