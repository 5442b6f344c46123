"""What every DICOM object we export shares: source headers, equipment, UIDs, safe writing.

Exports are derived objects that reference the PET series they were measured on. The source
headers are read once (without pixels) and ordered as the Volume's slices (``source_files`` of a
loaded Volume are in slice order k). Files are written through highdicom/pydicom only, to a
temporary name first and renamed into place, and an existing file is never replaced unless the
caller says ``overwrite=True`` (the CLI's ``--force``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from workstation import __version__

from workstation.io.errors import DicomError

MANUFACTURER = "workstation (open-source PET/CT workstation)"
MODEL_NAME = "PET/CT workstation"
SOFTWARE_VERSION = __version__
DEVICE_SERIAL = "0"


# highdicom warns about single-component person names and quotes the name: a patient name must
# never reach a log or the terminal, and the name is copied as the source has it anyway
_NAME_WARNING = r"The string .* is unlikely to represent the intended person name"


def without_name_warnings(fn):
    """Run a builder with highdicom's person-name warning (it quotes the patient's name) silenced."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_NAME_WARNING, category=UserWarning)
            return fn(*args, **kwargs)

    return wrapper


class ExportError(DicomError):
    """An export that cannot be written as asked; the message names the file and the fix."""


def check_target(path, overwrite: bool = False) -> Path:
    """The output path, refusing to replace an existing file unless ``overwrite``."""
    from workstation.io.atomic_write import OutputError, check_output

    try:
        return check_output(path, overwrite)
    except OutputError as exc:
        raise ExportError(str(exc)) from None


def save_dataset(ds, path, overwrite: bool = False) -> Path:
    """Write ``ds`` (a highdicom SOP instance or pydicom Dataset) atomically to ``path``."""
    from workstation.io.atomic_write import OutputError, atomic_output

    p = check_target(path, overwrite)
    try:
        with atomic_output(p, overwrite) as tmp:
            ds.save_as(str(tmp), enforce_file_format=True)
    except OutputError as exc:
        raise ExportError(str(exc)) from None
    return p


def read_source_headers(files) -> list:
    """pydicom datasets (no pixel data) of the source instances, in the order given."""
    import pydicom

    out = []
    for f in files:
        try:
            out.append(pydicom.dcmread(str(f), stop_before_pixels=True))
        except Exception as exc:  # noqa: BLE001 - any unreadable source is one clear error
            raise ExportError(f"{f}: source image not readable for the export ({type(exc).__name__}); "
                              "was the series moved or changed since it was loaded?") from exc
    for ds in out:
        _complete_type2(ds)
    if not out:
        raise ExportError("no source images: the export needs the PET series it refers to")
    return out


# Type 2 attributes of the patient/study modules that derived objects copy (empty when unknown)
_TYPE2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "StudyID",
          "AccessionNumber", "ReferringPhysicianName")


# Short-string attributes copied into derived objects, with their VR's maximum length
_MAX_LEN = {"StudyID": 16, "AccessionNumber": 16}


def _complete_type2(ds) -> None:
    """Add empty type-2 attributes the source lacks, and cut copied short strings that are longer than
    their VR allows (e.g. a 18-character Study ID, SH max 16: the derived object would be invalid).
    In memory only; source files are never written."""
    for kw in _TYPE2:
        if kw not in ds:
            setattr(ds, kw, "")
    for kw, n in _MAX_LEN.items():
        v = ds.get(kw)
        if isinstance(v, str) and len(v) > n:
            setattr(ds, kw, v[:n])


def source_headers_for(volume) -> list:
    """Headers of the instances behind ``volume``'s slices (slice order k), one per slice."""
    files = list(volume.source_files or [])
    if len(files) != volume.shape[0]:
        raise ExportError(f"the PET volume has {volume.shape[0]} slices but {len(files)} source files; "
                          "exports need one DICOM instance per slice (multi-frame or resampled series "
                          "are not supported for export yet)")
    heads = read_source_headers(files)
    uids = list(volume.info.get("slice_sop_uids") or [])
    if uids and [str(h.SOPInstanceUID) for h in heads] != uids:
        raise ExportError("the PET volume was resampled from its source slices; export needs the original "
                          "slice grid")
    return heads


def plane_geometry(geometry):
    """highdicom plane positions / orientation / pixel measures of an ImageGeometry's slices."""
    import highdicom as hd

    d = np.asarray(geometry.direction, float)
    di, dj, dk = (float(v) for v in geometry.spacing)
    origin = np.asarray(geometry.origin, float)
    positions = [hd.PlanePositionSequence(hd.CoordinateSystemNames.PATIENT,
                                          [float(v) for v in origin + d[:, 2] * dk * k])
                 for k in range(geometry.shape[0])]
    orientation = hd.PlaneOrientationSequence(hd.CoordinateSystemNames.PATIENT,
                                              [float(v) for v in np.concatenate([d[:, 0], d[:, 1]])])
    measures = hd.PixelMeasuresSequence(pixel_spacing=[dj, di], slice_thickness=dk, spacing_between_slices=dk)
    return positions, orientation, measures


def geometry_from_affine(affine, shape):
    """ImageGeometry of a highdicom Volume (array index order: slice, row, column)."""
    from workstation.core.geometry import ImageGeometry

    a = np.asarray(affine, float)
    cols = [a[:3, 2], a[:3, 1], a[:3, 0]]  # i (column), j (row), k (slice) axes
    spacing = tuple(float(np.linalg.norm(c)) for c in cols)
    direction = np.stack([c / s for c, s in zip(cols, spacing)], axis=1)
    return ImageGeometry(tuple(int(v) for v in shape), spacing, tuple(float(v) for v in a[:3, 3]), direction)


def new_uid() -> str:
    import highdicom as hd

    return str(hd.UID())


def functional_word(source_header) -> str:
    """"PET" or "SPECT" for the series a source header belongs to (``core.vocabulary.functional_modality``:
    a Lu-177 or Tc-99m tomogram stored as PT is a SPECT), for the exports' series descriptions."""
    from workstation.core import vocabulary as vocab

    nuclide = None
    try:
        item = source_header.RadiopharmaceuticalInformationSequence[0]
        code = item.RadionuclideCodeSequence[0]
        nuclide = vocab.nuclide_from_code((str(code.get("CodeValue", "")), str(code.get("CodingSchemeDesignator", "")),
                                           str(code.get("CodeMeaning", ""))))
        if nuclide is None and "RadionuclideHalfLife" in item:
            nuclide = vocab.nuclide_from_half_life(float(item.RadionuclideHalfLife))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        pass
    return vocab.functional_modality(str(source_header.get("Modality", "") or ""), nuclide,
                                     str(source_header.get("SeriesDescription", "") or ""))
