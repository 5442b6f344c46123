"""Masks are validated before they count voxels: finite 0/1 or label values, SEG in the PET's frame of reference."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.cli import main
from workstation.core.geometry import ImageGeometry
from workstation.io.errors import DicomError
from workstation.io.masks import read_mask
from workstation.io.nifti import write_nifti

PET_FOR = "1.2.826.0.1.3680043.8.498.1"
GEOM = ImageGeometry((5, 10, 10), (4.0, 4.0, 3.0), (-20, -20, 0))
PET_KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "RadiopharmaceuticalInformationSequence")


def _pet(folder):
    ds = pet_dataset()
    stored = np.zeros(GEOM.shape, np.int16)
    stored[2, 3, 4] = 1000
    write_series(folder, stored, origin=GEOM.origin, spacing_ijk=GEOM.spacing, modality="PT", for_uid=PET_FOR,
                 extra={k: ds.get(k) for k in PET_KEYS if k in ds})


@pytest.mark.parametrize("values,words", [
    (np.nan, "NaN or infinite"),
    (0.37, "fractional values (e.g. 0.37)"),
    (-1.0, "negative values"),
])
def test_nifti_masks_must_hold_finite_labels(tmp_path, values, words):
    arr = np.zeros(GEOM.shape, np.float32)
    arr[2, 3, 4] = 1
    arr[1, 1, 1] = values
    write_nifti(tmp_path / "m.nii.gz", arr, GEOM)
    with pytest.raises(DicomError, match=words.replace("(", r"\(").replace(")", r"\)")) as err:
        read_mask(tmp_path / "m.nii.gz")
    assert str(tmp_path / "m.nii.gz") in str(err.value)


def test_float_labels_and_all_nan_mask(tmp_path):
    arr = np.zeros(GEOM.shape, np.float32)
    arr[2, 3, 4] = 2.0
    write_nifti(tmp_path / "ok.nii.gz", arr, GEOM)
    m, _ = read_mask(tmp_path / "ok.nii.gz")
    assert m.sum() == 1
    write_nifti(tmp_path / "nan.nii.gz", np.full(GEOM.shape, np.nan, np.float32), GEOM)
    with pytest.raises(DicomError, match=f"{GEOM.shape[0] * GEOM.shape[1] * GEOM.shape[2]} NaN"):
        read_mask(tmp_path / "nan.nii.gz")


def _seg(path, for_uid):
    """A minimal one-frame binary SEG over PET voxel (2, 3, 4) (8-bit frames, enough for the reader)."""
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.66.4"
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "SEG"
    ds.FrameOfReferenceUID = for_uid
    ds.SegmentationType = "BINARY"
    ds.Rows, ds.Columns = 10, 10
    ds.NumberOfFrames = 1
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    shared, po, pm = Dataset(), Dataset(), Dataset()
    po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    pm.PixelSpacing, pm.SliceThickness = [4.0, 4.0], 3.0
    shared.PlaneOrientationSequence, shared.PixelMeasuresSequence = [po], [pm]
    ds.SharedFunctionalGroupsSequence = [shared]
    frame, pp, si = Dataset(), Dataset(), Dataset()
    pp.ImagePositionPatient = [-20.0, -20.0, 6.0]
    si.ReferencedSegmentNumber = 1
    frame.PlanePositionSequence, frame.SegmentIdentificationSequence = [pp], [si]
    ds.PerFrameFunctionalGroupsSequence = [frame]
    px = np.zeros((10, 10), np.uint8)
    px[3, 4] = 1
    ds.PixelData = px.tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(path, enforce_file_format=True)
    return path


def test_seg_from_another_frame_of_reference_needs_confirmation(tmp_path, capsys):
    _pet(tmp_path / "pt")
    same = _seg(tmp_path / "same.dcm", PET_FOR)
    other = _seg(tmp_path / "other.dcm", "1.2.826.0.1.3680043.8.498.2")
    assert main(["stats", str(tmp_path / "pt"), "--mask", str(same), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    factor = 70000.0 / (370e6 * math.pow(2.0, -3600 / 6586.2))
    assert d["voxels"] == 1 and d["max"] == pytest.approx(1000 * factor, rel=1e-5)
    rc = main(["stats", str(tmp_path / "pt"), "--mask", str(other)])
    err = capsys.readouterr().err
    assert rc == 2 and "frame of reference" in err and "--force-frame" in err and len(err.splitlines()) == 1
    assert main(["stats", str(tmp_path / "pt"), "--mask", str(other), "--force-frame", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["voxels"] == 1


def test_stats_with_a_nan_nifti_mask_is_one_line(tmp_path, capsys):
    _pet(tmp_path / "pt")
    write_nifti(tmp_path / "nan.nii.gz", np.full(GEOM.shape, np.nan, np.float32), GEOM)
    rc = main(["stats", str(tmp_path / "pt"), "--mask", str(tmp_path / "nan.nii.gz")])
    err = capsys.readouterr().err
    assert rc == 2 and "NaN or infinite" in err and len(err.splitlines()) == 1
