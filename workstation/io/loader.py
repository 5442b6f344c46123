"""From DICOM files to a :class:`~workstation.core.Volume` whose geometry can be trusted.

Slices are sorted along the slice normal (the cross product of the ImageOrientationPatient
cosines), never by InstanceNumber. Each slice's own RescaleSlope/Intercept is applied (PET
series often vary it per slice). The geometry comes from ImagePositionPatient,
ImageOrientationPatient and PixelSpacing. Irregular input is reported, never hidden:

* mixed orientations or matrix sizes: the largest consistent stack is used and the rest named in
  a warning (typically a localizer); a tie is an error;
* uneven slice spacing or missing slices: the stack is resampled by linear interpolation onto a
  regular grid along the normal, with a warning saying so;
* gantry tilt (slice positions sheared against the normal): slices are shifted in-plane onto an
  orthogonal grid, with a warning giving the tilt angle;
* several slices at one position (dynamic or gated series): an error that says so.

Uncompressed pixel data is read straight from the file bytes; compressed transfer syntaxes go
through pydicom's pixel handlers (pylibjpeg, openjpeg). Enhanced multi-frame objects and NM
tomograms are split into per-frame slices. CT whose rescale is integral is kept as int16 HU;
everything else is float32 in the units of the file.
"""

from __future__ import annotations

import numpy as np

from workstation.core.volume import PatientInfo, Volume

from workstation.io import dicom_text
from workstation.io.errors import AmbiguousSeriesError, NoSeriesError, NonFiniteError
from workstation.io.pixels import NotFast, read_general, read_stack
from workstation.io.series import find_pet_series
from workstation.io.stack import (assemble,
                    build_geometry, choose_stack, postprocess_stack, take_rows)


def load_pet_folder(path, series_uid: str | None = None, progress=None) -> Volume:
    """Load the one PET image series found below ``path`` (or the one with ``series_uid``)."""
    return load_series(find_pet_series(path, series_uid).files, progress=progress)


def _refuse_non_finite(array: np.ndarray, slices) -> None:
    """NaN or infinite voxels (float pixel data, a recon gone wrong) are refused with their slices named."""
    if array.dtype.kind != "f" or np.isfinite(array.sum()):
        return
    bad = ~np.isfinite(array)
    per_slice = bad.reshape(len(array), -1).sum(axis=1)
    ks = np.flatnonzero(per_slice)
    if ks.size == 0:
        return
    listing = ", ".join(str(int(k)) for k in ks[:10]) + (" ..." if ks.size > 10 else "")
    where = ""
    if slices is not None:
        files = sorted({slices[int(k)].path for k in ks})
        where = f" (file {files[0]}" + (f" and {len(files) - 1} more" if len(files) > 1 else "") + ")"
    raise NonFiniteError(f"{int(bad.sum())} voxel value(s) are NaN or infinite in {ks.size} slice(s) "
                         f"[{listing}]{where}: the series is refused rather than shown blank or counted wrong")


def load_series(files, progress=None) -> Volume:
    """Load the files of one series into a Volume (see the module docstring for the rules)."""
    files = [str(f) for f in files]
    if not files:
        raise NoSeriesError("no files given")
    skipped: list[str] = []
    try:
        slices, stack, headers, first, series_uids = read_stack(files, progress)
    except NotFast:
        stack = None
        slices, headers, first, series_uids = read_general(files, skipped, progress)
    if first is None:
        raise NoSeriesError(f"none of the {len(files)} files holds a loadable image"
                            + (f" (first problem: {skipped[0]})" if skipped else ""))
    if len(series_uids) > 1:
        raise AmbiguousSeriesError(f"the files belong to {len(series_uids)} different series; load one series at a time")
    warnings = [f"skipped {len(skipped)} file(s): {skipped[0]}" + (" ..." if len(skipped) > 1 else "")] if skipped else []
    # drop exact duplicates (the same instance present twice)
    seen, unique = set(), []
    for s in slices:
        if s.sop_uid and s.sop_uid in seen:
            continue
        seen.add(s.sop_uid)
        unique.append(s)
    if len(unique) < len(slices):
        warnings.append(f"{len(slices) - len(unique)} duplicate instance(s) ignored")
    slices = choose_stack(unique, warnings)
    slices, geom, dist, shifts, resample_to = build_geometry(slices, warnings)
    modality = str(first.get("Modality", "")).upper()
    if stack is not None:
        array = postprocess_stack(take_rows(stack, [s.stack_index for s in slices]), dist, shifts, resample_to)
    else:
        array = assemble(slices, modality, shifts, resample_to, dist)
        for s in slices:
            s.pixels = None
    _refuse_non_finite(array, slices if resample_to is None else None)
    pet = None
    units = ""
    if modality in ("PT", "PET", "NM"):  # NM: a SPECT reconstructed as an NM image reads like the PT-coded SPECT
        units = str(first.get("Units", "") or ("counts" if modality == "NM" else ""))
        try:
            from workstation.io.pet_header import read_pet_acquisition
        except ImportError:  # pragma: no cover - during bootstrapping only
            read_pet_acquisition = None
        if read_pet_acquisition is not None and modality != "NM":
            pet = read_pet_acquisition(headers)
        elif read_pet_acquisition is not None:  # an NM image without the PET header elements is still an image
            try:
                pet = read_pet_acquisition(headers)
            except Exception as exc:  # noqa: BLE001 - named in the warnings, the image still opens
                warnings.append(f"NM acquisition header not read ({type(exc).__name__}: {exc}); no SUV")
    elif modality == "CT":
        units = "HU"
    patient = PatientInfo(dicom_text.person_name(first), dicom_text.text(first, "PatientID"),
                          dicom_text.text(first, "PatientBirthDate"), dicom_text.text(first, "PatientSex"))
    info = {k: dicom_text.text(first, k) for k in (
        "StudyDate", "StudyTime", "SeriesDate", "SeriesTime", "StudyDescription", "Manufacturer",
        "ManufacturerModelName", "InstitutionName", "ConvolutionKernel", "SeriesNumber", "AccessionNumber")}
    info["slice_positions_mm"] = [float(d) for d in dist]
    # SOP instance of each output slice k (nearest source slice where the stack was resampled)
    if resample_to is None:
        info["slice_sop_uids"] = [s.sop_uid for s in slices]
    else:
        nearest = np.abs(resample_to[:, None] - dist[None, :]).argmin(axis=1)
        info["slice_sop_uids"] = [slices[int(n)].sop_uid for n in nearest]
    if progress is not None:
        progress.update(1.0, "volume ready")
    return Volume(array=array, geometry=geom, modality=modality, units=units,
                  series_uid=str(first.get("SeriesInstanceUID", "")), study_uid=str(first.get("StudyInstanceUID", "")),
                  frame_of_reference_uid=str(first.get("FrameOfReferenceUID", "") or ""),
                  description=dicom_text.text(first, "SeriesDescription"), patient=patient, pet=pet,
                  warnings=warnings, source_files=[s.path for s in slices], info=info)
