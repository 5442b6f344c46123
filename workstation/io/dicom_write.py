"""Writing a Volume as a DICOM series: one single-frame image file per slice.

Concept
-------
A classic (non-enhanced) DICOM image series stores a 3-D volume as one file per slice. Each
file carries the whole patient / study / series context plus its own slice facts:

* geometry: ``ImagePositionPatient`` (world LPS mm of the centre of the slice's first pixel),
  ``ImageOrientationPatient`` (the world directions of increasing column and row index),
  ``PixelSpacing`` (row spacing, column spacing) and ``SliceThickness``. They are derived here
  from the Volume's :class:`~workstation.core.ImageGeometry`, so any direction matrix (oblique,
  flipped, left-handed) survives: a reader sorts the slices along ``row x column`` and finds
  every voxel at the same world position.
* pixel values: 16-bit signed integers with ``RescaleSlope``/``RescaleIntercept`` that map them
  to the real quantity. CT uses one slope/intercept for the series (Hounsfield units). PET uses
  a slope per slice chosen so that each slice spans the int16 range (as many scanners do), so
  a reader must apply each slice's own slope.
* PET facts a vendor-neutral SUV calculation needs: Units, DecayCorrection, CorrectedImage,
  series and acquisition date/time, the Radiopharmaceutical Information Sequence (dose in Bq,
  half-life in s, injection start as DateTime and as the older Time), patient weight, size,
  sex, and per-slice FrameReferenceTime / ActualFrameDuration / DecayFactor.

Files are written in explicit VR little endian with a proper file meta header. UIDs are made
with :func:`pydicom.uid.generate_uid`; with ``uid_seed`` they are derived deterministically from
the seed (same seed, same UIDs, same bytes), otherwise random. Existing files are never
overwritten unless ``overwrite=True``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume
from workstation.core.vocabulary import F18_HALF_LIFE_S, NUCLIDES

__all__ = [
    "CT_IMAGE_STORAGE",
    "PET_IMAGE_STORAGE",
    "DicomWriteError",
    "PetHeader",
    "StudyInfo",
    "decay_factor",
    "format_ds",
    "frame_reference_offset_s",
    "make_uid",
    "write_series",
]

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
_SOP_CLASS = {"CT": CT_IMAGE_STORAGE, "PT": PET_IMAGE_STORAGE}
_INT16_MAX = 32767
_SUPPORTED_CHARSETS = ("ISO_IR 192", "GB18030", "ISO_IR 100", "")

# radiopharmaceutical -> (SNOMED-RT code, code meaning)
RADIOPHARMACEUTICALS = {
    "Fluorodeoxyglucose": ("C-B1031", "Fluorodeoxyglucose F^18^"),
}


class DicomWriteError(ValueError):
    """The volume or header cannot be written faithfully (the message says what to change)."""


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class StudyInfo:
    """Patient and study context shared by all series of one study.

    Leave ``study_uid`` / ``frame_of_reference_uid`` as None to have them generated; call
    :meth:`with_uids` once and pass the result to every ``write_series`` call when several
    series must share the study and frame of reference (e.g. PET and CT).
    """

    patient: PatientInfo = field(default_factory=PatientInfo)
    patient_weight_kg: float | None = None
    patient_size_m: float | None = None
    patient_age: str = ""  # DICOM AS, e.g. "064Y"
    study_datetime: datetime = datetime(2024, 1, 1, 8, 0, 0)
    study_uid: str | None = None
    frame_of_reference_uid: str | None = None
    study_id: str = "1"
    accession_number: str = ""
    study_description: str = ""
    referring_physician: str = ""
    institution_name: str = ""
    manufacturer: str = "workstation"
    model_name: str = "synthetic"
    patient_position: str = "HFS"
    specific_character_set: str = "ISO_IR 192"  # UTF-8; "GB18030" also supported

    def with_uids(self, uid_seed: str | None = None, prefix: str | None = None) -> "StudyInfo":
        """A copy with study and frame-of-reference UIDs filled in (deterministic with a seed)."""
        return replace(
            self,
            study_uid=self.study_uid or make_uid(uid_seed, "study", prefix=prefix),
            frame_of_reference_uid=self.frame_of_reference_uid or make_uid(uid_seed, "frame-of-reference", prefix=prefix),
        )


@dataclass(frozen=True)
class PetHeader:
    """PET acquisition facts written into a PT series.

    ``series_datetime`` is the series reference time (DecayCorrection START decays pixel values
    to it). ``frame_start_offsets_s`` is the start of each slice's frame relative to the series
    time: one number for all slices or one per slice (e.g. per bed position of a whole-body
    scan). Pixel values are assumed to be decay-corrected to ``series_datetime`` already.
    """

    injected_dose_bq: float | None  # None: not known (a phantom or a raw-data header without it; no SUV)
    injection_datetime: datetime | None
    series_datetime: datetime
    half_life_s: float = F18_HALF_LIFE_S
    radionuclide: str = "F-18"  # a name of core.vocabulary.NUCLIDES
    radiopharmaceutical: str = "Fluorodeoxyglucose"
    units: str = "BQML"
    decay_correction: str = "START"
    corrected_image: tuple[str, ...] = ("DECY", "ATTN", "SCAT", "DTIM", "RAN", "NORM")
    frame_duration_s: float = 120.0
    frame_start_offsets_s: float | Sequence[float] = 0.0
    series_type: tuple[str, str] = ("WHOLE BODY", "IMAGE")
    counts_source: str = "EMISSION"
    reconstruction_method: str = "OSEM 3i21s"
    randoms_correction_method: str = "DLYD"
    attenuation_correction_method: str = "CT"
    scatter_correction_method: str = "Model-based"
    suv_type: str = ""  # (0054,1006), only for already-SUV images

    def __post_init__(self):
        if self.injected_dose_bq is not None and not (self.injected_dose_bq > 0 and math.isfinite(self.injected_dose_bq)):
            raise DicomWriteError(f"PetHeader.injected_dose_bq must be a positive number of Bq, got {self.injected_dose_bq}")
        if not self.half_life_s > 0:
            raise DicomWriteError(f"PetHeader.half_life_s must be positive, got {self.half_life_s}")
        if not self.frame_duration_s > 0:
            raise DicomWriteError(f"PetHeader.frame_duration_s must be positive, got {self.frame_duration_s}")
        if self.decay_correction == "ADMIN" and self.injection_datetime is None:
            raise DicomWriteError("PetHeader: DecayCorrection ADMIN needs the injection date-time")
        if self.decay_correction not in ("START", "ADMIN", "NONE"):
            raise DicomWriteError(f"PetHeader.decay_correction must be START, ADMIN or NONE, got {self.decay_correction!r}")

    def slice_offsets(self, n: int) -> np.ndarray:
        off = np.asarray(self.frame_start_offsets_s, dtype=float).reshape(-1)
        if off.size == 1:
            return np.full(n, float(off[0]))
        if off.size != n:
            raise DicomWriteError(f"PetHeader.frame_start_offsets_s has {off.size} values for {n} slices; give one or one per slice")
        return off


# ---------------------------------------------------------------------------- helpers
def make_uid(seed: str | None, *parts, prefix: str | None = None) -> str:
    """A UID from pydicom's generator: deterministic from (seed, parts) when a seed is given."""
    kwargs = {} if prefix is None else {"prefix": prefix}
    if seed is None:
        return generate_uid(**kwargs)
    return generate_uid(entropy_srcs=[str(seed), *[str(p) for p in parts]], **kwargs)


def format_ds(value: float) -> str:
    """A DICOM decimal string (at most 16 characters) as close as possible to ``value``."""
    value = float(value)
    if not math.isfinite(value):
        raise DicomWriteError(f"cannot write a non-finite number ({value}) as a DICOM decimal string")
    if value == 0:
        return "0"
    for digits in range(12, 5, -1):
        s = f"{value:.{digits}g}"
        if "e" in s:
            mant, exp = s.split("e")
            s = f"{mant}e{int(exp)}"
        if len(s) <= 16:
            return s
    raise DicomWriteError(f"cannot format {value} as a DICOM decimal string")  # pragma: no cover


def _da(dt: datetime) -> str:
    return dt.strftime("%Y%m%d")


def _tm(dt: datetime) -> str:
    return dt.strftime("%H%M%S.%f")


def _dt(dt: datetime) -> str:
    return dt.strftime("%Y%m%d%H%M%S.%f")


def decay_factor(frame_start_s: float, frame_duration_s: float, half_life_s: float) -> float:
    """Factor that decay-corrects a frame's mean activity to the reference time (frame start offset from it)."""
    lam = math.log(2.0) / half_life_s
    x = lam * frame_duration_s
    return math.exp(lam * frame_start_s) * x / (-math.expm1(-x))


def frame_reference_offset_s(frame_start_s: float, frame_duration_s: float, half_life_s: float) -> float:
    """Time (s from the reference time) at which the activity equals the frame's mean activity."""
    return math.log(decay_factor(frame_start_s, frame_duration_s, half_life_s)) * half_life_s / math.log(2.0)


def _check_charset(charset: str) -> None:
    if charset not in _SUPPORTED_CHARSETS:
        raise DicomWriteError(f"SpecificCharacterSet {charset!r} is not supported; use one of {_SUPPORTED_CHARSETS}")


def _quantise_ct(array: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    array = np.asarray(array)
    work = np.float32 if array.dtype in (np.float32, np.int16, np.uint8, np.int8) else np.float64
    stored = np.asarray(array, dtype=work) - work(intercept)
    if slope != 1.0:
        stored /= work(slope)
    np.rint(stored, out=stored)
    lo, hi = float(stored.min()), float(stored.max())
    if lo < -32768 or hi > _INT16_MAX:
        raise DicomWriteError(
            f"CT values {array.min():.6g}..{array.max():.6g} do not fit int16 with RescaleSlope {slope} and "
            f"RescaleIntercept {intercept}; clip the volume or pass another ct_rescale")
    return stored.astype("<i2")


def _quantise_pet_slice(plane: np.ndarray) -> tuple[np.ndarray, str]:
    """int16 pixels and the DS slope string so that pixels * float(slope) ~ plane, using the int16 range."""
    plane = np.asarray(plane, dtype=np.float64)
    peak = float(np.max(np.abs(plane))) if plane.size else 0.0
    if peak == 0.0:
        return np.zeros(plane.shape, "<i2"), "1"
    slope_s = format_ds(peak / _INT16_MAX)
    slope = float(slope_s)
    for _ in range(8):  # the DS rounding may make the slope a hair too small
        if peak / slope <= _INT16_MAX + 0.5:
            break
        slope_s = format_ds(slope * (1 + 1e-7))
        slope = float(slope_s)
    stored = np.clip(np.rint(plane / slope), -_INT16_MAX, _INT16_MAX).astype("<i2")
    return stored, slope_s


# ---------------------------------------------------------------------------- writer
def write_series(
    volume: Volume,
    out_dir,
    *,
    modality: str | None = None,
    series_number: int = 1,
    description: str = "",
    study: StudyInfo | None = None,
    pet: PetHeader | None = None,
    series_datetime: datetime | None = None,
    series_uid: str | None = None,
    uid_seed: str | None = None,
    uid_prefix: str | None = None,
    ct_rescale: tuple[float, float] = (1.0, -1024.0),
    ct_window: tuple[float, float] | None = (40.0, 400.0),
    filename_prefix: str = "IM",
    overwrite: bool = False,
    progress=None,
) -> list[Path]:
    """Write ``volume`` as a DICOM series (one file per slice) into ``out_dir``; return the paths.

    ``modality`` is "CT" (values in HU, ``ct_rescale`` = (slope, intercept)) or "PT" (values in
    the units of ``pet.units``, per-slice slope, ``pet`` required); it defaults to
    ``volume.modality``. Slice ``k`` of the array becomes instance ``k + 1`` with file name
    ``{filename_prefix}{k+1:04d}.dcm``. UIDs missing from ``study`` / ``series_uid`` are derived
    from ``uid_seed`` (deterministic) or random. ``series_datetime`` defaults to
    ``pet.series_datetime`` for PET and to the study date/time otherwise. Raises
    :class:`FileExistsError` before writing anything if a target file exists and ``overwrite``
    is False; :class:`DicomWriteError` for inputs that cannot be written faithfully.
    ``progress`` is an optional :class:`workstation.tasks.progress.Progress`.
    """
    modality, array = _checked_input(volume, modality, pet, series_number)
    study = (study or StudyInfo(patient=volume.patient))
    _check_charset(study.specific_character_set)
    study = study.with_uids(uid_seed, prefix=uid_prefix) if (study.study_uid is None or study.frame_of_reference_uid is None) else study
    if series_uid is None:
        series_uid = make_uid(uid_seed, "series", modality, series_number, prefix=uid_prefix) if uid_seed is not None \
            else (volume.series_uid or make_uid(None, prefix=uid_prefix))
    if series_datetime is None:
        series_datetime = pet.series_datetime if (modality == "PT" and pet) else study.study_datetime

    geom: ImageGeometry = volume.geometry
    nk, nj, ni = geom.shape
    paths = _target_paths(Path(out_dir), filename_prefix, nk, overwrite)

    # --- geometry facts shared by every slice
    d = np.asarray(geom.direction, dtype=float)
    di, dj, _dk = geom.spacing
    row_cos, col_cos = d[:, 0], d[:, 1]
    normal = np.cross(row_cos, col_cos)
    iop = [format_ds(v) for v in (*row_cos, *col_cos)]
    pixel_spacing = [format_ds(dj), format_ds(di)]  # (row spacing, column spacing)

    base = _series_dataset(modality, study, series_uid, series_number, description, series_datetime, geom,
                           iop, pixel_spacing, ni, nj)
    if modality == "PT":
        _add_pet_series(base, pet, study, nk)
        slice_pixels = _pet_slices(array, pet, nk)
    else:
        slice_pixels = _ct_slices(base, array, ct_rescale, ct_window, series_datetime)
    base_elements = {elem.tag: elem for elem in base}

    for k in range(nk):
        # a new dataset sharing the (never modified) series-level elements; per-slice tags are new
        ds = Dataset(dict(base_elements))
        ds.SOPInstanceUID = make_uid(uid_seed, "instance", series_uid, k, prefix=uid_prefix) \
            if uid_seed is not None else make_uid(None, prefix=uid_prefix)
        ds.InstanceNumber = k + 1
        ipp = geom.kji_to_world((k, 0, 0))
        ds.ImagePositionPatient = [format_ds(v) for v in ipp]
        ds.SliceLocation = format_ds(float(np.dot(ipp, normal)))
        pixels, acq = slice_pixels(ds, k)
        ds.AcquisitionDate = _da(acq)
        ds.AcquisitionTime = _tm(acq)
        ds.ContentDate = _da(acq)
        ds.ContentTime = _tm(acq)
        ds.LargestImagePixelValue = int(pixels.max())
        ds.SmallestImagePixelValue = int(pixels.min())
        ds.PixelData = np.ascontiguousarray(pixels, dtype="<i2").tobytes()
        _write_file(ds, paths[k])
        if progress is not None and (k % 16 == 0 or k == nk - 1):
            progress.update((k + 1) / nk, f"writing {modality} slice {k + 1}/{nk}")
    return paths


def _checked_input(volume, modality, pet, series_number) -> tuple[str, np.ndarray]:
    """(modality "CT" / "PT", the array) of a write request, or the error that says why it cannot be written."""
    if not isinstance(volume, Volume):
        raise TypeError(f"write_series needs a workstation.core.Volume, got {type(volume).__name__}")
    modality = (modality or volume.modality or "").upper()
    if modality == "PET":
        modality = "PT"
    if modality not in _SOP_CLASS:
        raise DicomWriteError(f"modality {modality!r} is not supported by the writer; use 'CT' or 'PT'")
    if modality == "PT" and pet is None:
        raise DicomWriteError("writing a PT series needs a PetHeader (pet=...) with dose, injection and series time")
    array = np.asarray(volume.array)
    if not np.all(np.isfinite(array)):
        raise DicomWriteError("the volume contains NaN or infinite values; replace them before writing DICOM")
    if not 0 <= int(series_number) <= 99999:
        raise DicomWriteError(f"series_number must be 0..99999, got {series_number}")
    return modality, array


def _target_paths(out_dir: Path, prefix: str, nk: int, overwrite: bool) -> list[Path]:
    """One file name per slice; FileExistsError before anything is written unless ``overwrite``."""
    width = max(4, len(str(nk)))
    paths = [out_dir / f"{prefix}{k + 1:0{width}d}.dcm" for k in range(nk)]
    if not overwrite:
        existing = [p for p in paths if p.exists()]
        if existing:
            raise FileExistsError(
                f"{existing[0]} already exists ({len(existing)} of the {nk} target files do); "
                "choose an empty folder or pass overwrite=True")
    out_dir.mkdir(parents=True, exist_ok=True)
    return paths


def _ct_slices(base: Dataset, array: np.ndarray, ct_rescale, ct_window, series_datetime):
    """Put the CT's series-wide rescale and window into ``base``; returns slice k -> (stored pixels, time)."""
    slope, intercept = float(ct_rescale[0]), float(ct_rescale[1])
    if not slope > 0:
        raise DicomWriteError(f"ct_rescale slope must be positive, got {slope}")
    stored = _quantise_ct(array, slope, intercept)
    base.RescaleSlope = format_ds(slope)
    base.RescaleIntercept = format_ds(intercept)
    base.RescaleType = "HU"
    base.KVP = "120"
    if ct_window is not None:
        base.WindowCenter = format_ds(ct_window[0])
        base.WindowWidth = format_ds(ct_window[1])

    def slice_pixels(ds: Dataset, k: int):
        return stored[k], series_datetime

    return slice_pixels


def _pet_slices(array: np.ndarray, pet: PetHeader, nk: int):
    """Slice k -> (stored pixels, acquisition time), setting its own slope and frame timing tags on ``ds``."""
    offsets = pet.slice_offsets(nk)
    # DecayFactor / FrameReferenceTime are relative to the decay-correction reference time
    ref_shift = (pet.series_datetime - pet.injection_datetime).total_seconds() if pet.decay_correction == "ADMIN" else 0.0

    def slice_pixels(ds: Dataset, k: int):
        pixels, slope_s = _quantise_pet_slice(array[k])
        ds.RescaleSlope = slope_s
        ds.RescaleIntercept = "0"
        t0 = float(offsets[k])
        ds.ImageIndex = k + 1
        ds.ActualFrameDuration = int(round(pet.frame_duration_s * 1000.0))
        ds.FrameReferenceTime = format_ds(1000.0 * frame_reference_offset_s(t0 + ref_shift, pet.frame_duration_s,
                                                                             pet.half_life_s))
        ds.DecayFactor = format_ds(decay_factor(t0 + ref_shift, pet.frame_duration_s, pet.half_life_s)
                                   if pet.decay_correction != "NONE" else 1.0)
        return pixels, pet.series_datetime + timedelta(seconds=t0)

    return slice_pixels


def _write_file(ds: Dataset, path: Path) -> None:
    """Write ``ds`` with its file meta information (Explicit VR Little Endian)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = "WORKSTATION_01"
    ds.file_meta = meta
    pydicom.dcmwrite(path, ds, enforce_file_format=True)


def _series_dataset(modality, study: StudyInfo, series_uid, series_number, description, series_dt,
                    geom: ImageGeometry, iop, pixel_spacing, ni, nj) -> Dataset:
    ds = Dataset()
    if study.specific_character_set:
        ds.SpecificCharacterSet = study.specific_character_set
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"] if modality == "CT" else ["ORIGINAL", "PRIMARY"]
    ds.SOPClassUID = _SOP_CLASS[modality]
    ds.StudyDate = _da(study.study_datetime)
    ds.SeriesDate = _da(series_dt)
    ds.StudyTime = _tm(study.study_datetime)
    ds.SeriesTime = _tm(series_dt)
    ds.AccessionNumber = study.accession_number
    ds.Modality = modality
    ds.Manufacturer = study.manufacturer
    ds.InstitutionName = study.institution_name
    ds.ReferringPhysicianName = study.referring_physician
    ds.StudyDescription = study.study_description
    ds.SeriesDescription = description
    ds.ManufacturerModelName = study.model_name
    p = study.patient
    ds.PatientName = p.name
    ds.PatientID = p.patient_id
    ds.PatientBirthDate = p.birth_date
    ds.PatientSex = p.sex
    if study.patient_age:
        ds.PatientAge = study.patient_age
    if study.patient_size_m is not None:
        ds.PatientSize = format_ds(study.patient_size_m)
    if study.patient_weight_kg is not None:
        ds.PatientWeight = format_ds(study.patient_weight_kg)
    ds.SliceThickness = format_ds(geom.spacing[2])
    ds.SpacingBetweenSlices = format_ds(geom.spacing[2])
    ds.PatientPosition = study.patient_position
    ds.StudyInstanceUID = study.study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = study.study_id
    ds.SeriesNumber = int(series_number)
    ds.AcquisitionNumber = 1
    ds.FrameOfReferenceUID = study.frame_of_reference_uid
    ds.PositionReferenceIndicator = ""
    ds.ImageOrientationPatient = iop
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = nj
    ds.Columns = ni
    ds.PixelSpacing = pixel_spacing
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    return ds


def _radiopharmaceutical_sequence(pet: PetHeader) -> DicomSequence:
    item = Dataset()
    item.Radiopharmaceutical = pet.radiopharmaceutical
    item.RadiopharmaceuticalRoute = "Intravenous"
    if pet.injection_datetime is not None:
        item.RadiopharmaceuticalStartTime = _tm(pet.injection_datetime)
        item.RadiopharmaceuticalStartDateTime = _dt(pet.injection_datetime)
    if pet.injected_dose_bq is not None:
        item.RadionuclideTotalDose = format_ds(pet.injected_dose_bq)
    item.RadionuclideHalfLife = format_ds(pet.half_life_s)
    nuclide = NUCLIDES.get(pet.radionuclide)
    if nuclide is not None and nuclide.codes:
        if nuclide.positron_fraction is not None:
            item.RadionuclidePositronFraction = format_ds(nuclide.positron_fraction)
        code = Dataset()
        if nuclide.codes[0]:
            code.CodeValue = nuclide.codes[0]  # SNOMED RT
            code.CodingSchemeDesignator = "SRT"
        else:  # no SNOMED RT code listed by DICOM (single-photon nuclides): SNOMED CT
            code.CodeValue = nuclide.codes[1]
            code.CodingSchemeDesignator = "SCT"
        code.CodeMeaning = nuclide.code_meaning
        item.RadionuclideCodeSequence = DicomSequence([code])
    pharm = RADIOPHARMACEUTICALS.get(pet.radiopharmaceutical)
    if pharm is not None:
        code = Dataset()
        code.CodeValue = pharm[0]
        code.CodingSchemeDesignator = "SRT"
        code.CodeMeaning = pharm[1]
        item.RadiopharmaceuticalCodeSequence = DicomSequence([code])
    return DicomSequence([item])


def _add_pet_series(ds: Dataset, pet: PetHeader, study: StudyInfo, nk: int) -> None:
    ds.SeriesType = list(pet.series_type)
    ds.Units = pet.units
    ds.CountsSource = pet.counts_source
    ds.NumberOfSlices = nk
    ds.DecayCorrection = pet.decay_correction
    ds.CorrectedImage = list(pet.corrected_image)
    ds.ReconstructionMethod = pet.reconstruction_method
    ds.RandomsCorrectionMethod = pet.randoms_correction_method
    ds.AttenuationCorrectionMethod = pet.attenuation_correction_method
    ds.ScatterCorrectionMethod = pet.scatter_correction_method
    ds.CollimatorType = "NONE"
    if pet.suv_type:
        ds.SUVType = pet.suv_type
    ds.NumberOfTimeSlices = 1
    ds.PatientOrientationCodeSequence = DicomSequence([])  # type 2 (NM/PET Patient Orientation)
    ds.PatientGantryRelationshipCodeSequence = DicomSequence([])
    ds.RadiopharmaceuticalInformationSequence = _radiopharmaceutical_sequence(pet)
