"""Tests of workstation.io.dicom_write: written files read back with plain pydicom and a tiny
independent reader written here (not the project's loader)."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pydicom
import pytest

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume
from workstation.tasks.progress import Cancelled, Progress
from workstation.io.dicom_write import (
    DicomWriteError,
    PetHeader,
    StudyInfo,
    decay_factor,
    format_ds,
    frame_reference_offset_s,
    write_series,
)


def _rotation(axis, angle_deg):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    a = math.radians(angle_deg)
    kx = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(a) * kx + (1 - math.cos(a)) * kx @ kx


def _read_series(paths):
    """Minimal reader: sort by position along row x col, rebuild array + per-voxel world positions."""
    dss = [pydicom.dcmread(p) for p in paths]
    iop = np.array([float(v) for v in dss[0].ImageOrientationPatient])
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    dss.sort(key=lambda d: float(np.dot([float(v) for v in d.ImagePositionPatient], normal)))
    dj, di = (float(v) for v in dss[0].PixelSpacing)
    planes, ipps = [], []
    for d in dss:
        stored = d.pixel_array.astype(np.float64)
        planes.append(stored * float(d.RescaleSlope) + float(d.RescaleIntercept))
        ipps.append([float(v) for v in d.ImagePositionPatient])
    return np.stack(planes), np.array(ipps), row * di, col * dj, dss


def _world_of(ipps, row_step, col_step, k, j, i):
    return ipps[k] + i * row_step + j * col_step


def _marker_volume(direction, modality="CT"):
    shape = (6, 7, 9)  # k, j, i: all different so transposes are caught
    arr = np.zeros(shape, np.float32) + (-1000.0 if modality == "CT" else 0.0)
    arr[1, 2, 6] = 500.0  # asymmetric marker
    arr[4, 5, 1] = 250.0
    geom = ImageGeometry(shape, (0.8, 1.1, 2.5), (-12.5, 30.0, 101.0), direction)
    return Volume(arr, geom, modality=modality)


STUDY = StudyInfo(patient=PatientInfo("演示^病人", "DEMO0001", "19600101", "M"), patient_weight_kg=75.0,
                  patient_size_m=1.75, study_datetime=datetime(2024, 3, 15, 9, 50, 0)).with_uids("test-seed")


@pytest.mark.parametrize("direction", [
    np.eye(3),
    _rotation((1, 2, 3), 37.0),
    np.diag([1.0, -1.0, -1.0]),  # k pointing inferior, j anterior
    np.diag([-1.0, 1.0, 1.0]),  # left-handed: k is opposite to row x col
    _rotation((0.3, -1, 0.2), 113.0) @ np.diag([1.0, 1.0, -1.0]),
])
def test_ct_round_trip_marker_lands_at_same_world_position(tmp_path, direction):
    vol = _marker_volume(direction)
    paths = write_series(vol, tmp_path, modality="CT", series_number=2, description="CT", study=STUDY, uid_seed="s")
    assert len(paths) == 6 and all(p.exists() for p in paths)
    arr, ipps, rstep, cstep, dss = _read_series(paths)
    assert arr.shape == vol.array.shape
    for kji in [(1, 2, 6), (4, 5, 1)]:
        expected_world = vol.geometry.kji_to_world(kji)
        expected_value = vol.array[kji]
        hits = np.argwhere(arr == expected_value)
        assert len(hits) == 1
        k, j, i = hits[0]
        assert np.allclose(_world_of(ipps, rstep, cstep, k, j, i), expected_world, atol=1e-6)
    # everything else is background, exactly
    assert np.count_nonzero(arr != -1000.0) == 2
    # slice spacing from the positions equals the geometry's
    assert np.allclose(np.linalg.norm(np.diff(ipps, axis=0), axis=1), 2.5, atol=1e-6)
    assert float(dss[0].SliceThickness) == 2.5


def test_ct_headers_and_file_meta(tmp_path):
    vol = _marker_volume(np.eye(3))
    paths = write_series(vol, tmp_path, modality="CT", series_number=2, description="CT abdomen", study=STUDY,
                         uid_seed="s")
    ds = pydicom.dcmread(paths[0])
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
    assert ds.Modality == "CT" and ds.RescaleType == "HU"
    assert ds.PixelRepresentation == 1 and ds.BitsAllocated == 16
    assert ds.StudyInstanceUID == STUDY.study_uid and ds.FrameOfReferenceUID == STUDY.frame_of_reference_uid
    assert str(ds.PatientName) == "演示^病人" and ds.PatientID == "DEMO0001"
    assert ds.SpecificCharacterSet == "ISO_IR 192"
    raw = paths[0].read_bytes()
    assert "演示^病人".encode("utf-8") in raw
    assert [int(pydicom.dcmread(p).InstanceNumber) for p in paths] == list(range(1, 7))
    assert len({pydicom.dcmread(p).SOPInstanceUID for p in paths}) == 6


def test_gb18030_patient_name(tmp_path):
    study = StudyInfo(patient=PatientInfo("演示^病人", "DEMO0001"), specific_character_set="GB18030").with_uids("x")
    paths = write_series(_marker_volume(np.eye(3)), tmp_path, modality="CT", study=study, uid_seed="x")
    raw = paths[0].read_bytes()
    assert "演示^病人".encode("gb18030") in raw
    assert "演示^病人".encode("utf-8") not in raw
    ds = pydicom.dcmread(paths[0])
    assert ds.SpecificCharacterSet == "GB18030" and str(ds.PatientName) == "演示^病人"


def test_unsupported_charset_rejected(tmp_path):
    study = StudyInfo(specific_character_set="ISO 2022 IR 58")
    with pytest.raises(DicomWriteError, match="SpecificCharacterSet"):
        write_series(_marker_volume(np.eye(3)), tmp_path, modality="CT", study=study)


def _pet_header(**kw):
    base = dict(injected_dose_bq=277.5e6, injection_datetime=datetime(2024, 3, 15, 23, 30, 0),
                series_datetime=datetime(2024, 3, 16, 0, 30, 0), frame_duration_s=120.0)
    base.update(kw)
    return PetHeader(**base)


def test_pet_round_trip_per_slice_slope_and_headers(tmp_path):
    rng = np.random.default_rng(3)
    shape = (5, 8, 10)
    arr = rng.uniform(0, 1, shape) * np.array([10.0, 2000.0, 35000.0, 1.0, 5e5])[:, None, None]
    arr[2, 3, 4] = 0.0
    arr[3] = 0.0  # an empty slice
    geom = ImageGeometry(shape, (4.0, 4.0, 3.0), (-18.0, -14.0, -500.0), _rotation((0, 0, 1), 90))
    vol = Volume(arr, geom, modality="PT", units="BQML")
    offsets = [0.0, 0.0, 125.0, 125.0, 250.0]
    pet = _pet_header(frame_start_offsets_s=offsets)
    paths = write_series(vol, tmp_path, series_number=5, description="PET AC", study=STUDY, pet=pet, uid_seed="p")
    back, ipps, rstep, cstep, dss = _read_series(paths)
    # positions: this direction keeps k along +z, so order is unchanged
    for k in range(5):
        peak = np.abs(arr[k]).max()
        slope = float(dss[k].RescaleSlope)
        assert np.max(np.abs(back[k] - arr[k])) <= 0.5 * slope + 1e-12
        if peak > 0:
            assert abs(int(np.abs(dss[k].pixel_array).max()) - 32767) <= 1  # int16 range used
            assert slope == pytest.approx(peak / 32767, rel=1e-6)
    slopes = [float(d.RescaleSlope) for d in dss]
    assert len(set(slopes)) >= 4  # varies per slice
    ds = dss[2]
    assert ds.Modality == "PT" and ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.128"
    assert ds.Units == "BQML" and ds.DecayCorrection == "START"
    assert "DECY" in ds.CorrectedImage and "ATTN" in ds.CorrectedImage
    assert ds.SeriesDate == "20240316" and ds.SeriesTime.startswith("003000")
    assert ds.AcquisitionDate == "20240316" and ds.AcquisitionTime.startswith("003205")  # 125 s later
    assert float(ds.PatientWeight) == 75.0 and float(ds.PatientSize) == 1.75 and ds.PatientSex == "M"
    item = ds.RadiopharmaceuticalInformationSequence[0]
    assert float(item.RadionuclideTotalDose) == 277.5e6
    assert float(item.RadionuclideHalfLife) == 6586.2
    assert item.RadiopharmaceuticalStartDateTime.startswith("20240315233000")  # injection before midnight
    assert item.RadiopharmaceuticalStartTime.startswith("233000")
    code = item.RadionuclideCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator) == ("C-111A1", "SRT")
    assert int(ds.ActualFrameDuration) == 120000
    assert int(ds.ImageIndex) == 3 and int(ds.NumberOfSlices) == 5
    # DecayFactor and FrameReferenceTime, by hand: lambda = ln2/T, frame [125, 245] s
    lam = math.log(2) / 6586.2
    df = math.exp(lam * 125) * lam * 120 / (1 - math.exp(-lam * 120))
    assert float(ds.DecayFactor) == pytest.approx(df, rel=1e-9)
    assert float(ds.FrameReferenceTime) == pytest.approx(1000 * math.log(df) / lam, rel=1e-9)
    # the reference time lies inside the frame, a little before its middle (decay)
    assert 125000 < float(ds.FrameReferenceTime) < 185000


def test_decay_helpers_against_numeric_integral():
    t0, dur, half = 300.0, 180.0, 6586.2
    lam = math.log(2) / half
    t = np.linspace(t0, t0 + dur, 200001)
    mean = np.trapezoid(np.exp(-lam * t), t) / dur
    assert decay_factor(t0, dur, half) == pytest.approx(1 / mean, rel=1e-9)
    assert math.exp(-lam * frame_reference_offset_s(t0, dur, half)) == pytest.approx(mean, rel=1e-9)


def test_format_ds_fits_and_round_trips():
    for v in [0.0, 1.0, -249.0234375, 1.2345678901234e-05, -0.70710678118654752, 277.5e6, 6586.2, 123456789.123]:
        s = format_ds(v)
        assert len(s) <= 16
        assert float(s) == pytest.approx(v, rel=1e-9, abs=1e-12)
    with pytest.raises(DicomWriteError):
        format_ds(float("nan"))


def test_no_overwrite_unless_asked(tmp_path):
    vol = _marker_volume(np.eye(3))
    paths = write_series(vol, tmp_path, modality="CT", study=STUDY, uid_seed="a")
    before = paths[3].read_bytes()
    mtimes = [p.stat().st_mtime_ns for p in paths]
    with pytest.raises(FileExistsError, match="IM0001.dcm"):
        write_series(vol, tmp_path, modality="CT", study=STUDY, uid_seed="b")
    assert [p.stat().st_mtime_ns for p in paths] == mtimes  # nothing touched
    write_series(vol, tmp_path, modality="CT", study=STUDY, uid_seed="b", overwrite=True)
    assert paths[3].read_bytes() != before


def test_deterministic_bytes_with_seed(tmp_path):
    vol = _marker_volume(_rotation((1, 1, 0), 20))
    a = write_series(vol, tmp_path / "a", modality="CT", study=STUDY, uid_seed="same")
    b = write_series(vol, tmp_path / "b", modality="CT", study=STUDY, uid_seed="same")
    c = write_series(vol, tmp_path / "c", modality="CT", study=STUDY, uid_seed="other")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert pydicom.dcmread(a[0]).SeriesInstanceUID != pydicom.dcmread(c[0]).SeriesInstanceUID
    # random UIDs without a seed
    d = write_series(vol, tmp_path / "d", modality="CT", study=STUDY)
    e = write_series(vol, tmp_path / "e", modality="CT", study=STUDY)
    assert pydicom.dcmread(d[0]).SeriesInstanceUID != pydicom.dcmread(e[0]).SeriesInstanceUID


def test_shared_study_and_frame_of_reference(tmp_path):
    study = StudyInfo(patient=PatientInfo("A^B", "X1")).with_uids("shared")
    ct = write_series(_marker_volume(np.eye(3)), tmp_path / "ct", modality="CT", study=study, series_number=1,
                      uid_seed="shared")
    pt_vol = _marker_volume(np.eye(3), modality="PT")
    pt = write_series(pt_vol, tmp_path / "pt", study=study, series_number=2, pet=_pet_header(), uid_seed="shared")
    a, b = pydicom.dcmread(ct[0]), pydicom.dcmread(pt[0])
    assert a.StudyInstanceUID == b.StudyInstanceUID == study.study_uid
    assert a.FrameOfReferenceUID == b.FrameOfReferenceUID == study.frame_of_reference_uid
    assert a.SeriesInstanceUID != b.SeriesInstanceUID


def test_bad_inputs_give_typed_errors(tmp_path):
    vol = _marker_volume(np.eye(3))
    with pytest.raises(DicomWriteError, match="PetHeader"):
        write_series(_marker_volume(np.eye(3), "PT"), tmp_path / "1", study=STUDY)
    with pytest.raises(DicomWriteError, match="modality"):
        write_series(vol, tmp_path / "2", modality="US", study=STUDY)
    big = Volume(np.full((2, 3, 4), 40000.0), vol.geometry.with_shape((2, 3, 4)), modality="CT")
    with pytest.raises(DicomWriteError, match="int16"):
        write_series(big, tmp_path / "3", study=STUDY)
    nan = Volume(np.full((2, 3, 4), np.nan), vol.geometry.with_shape((2, 3, 4)), modality="PT")
    with pytest.raises(DicomWriteError, match="NaN"):
        write_series(nan, tmp_path / "4", study=STUDY, pet=_pet_header())
    with pytest.raises(DicomWriteError, match="injected_dose_bq"):
        _pet_header(injected_dose_bq=0)
    with pytest.raises(DicomWriteError, match="frame_start_offsets_s"):
        write_series(_marker_volume(np.eye(3), "PT"), tmp_path / "5", study=STUDY,
                     pet=_pet_header(frame_start_offsets_s=[0, 1]))
    assert not (tmp_path / "3").exists() or not any((tmp_path / "3").iterdir())


def test_progress_and_cancel(tmp_path):
    seen = []
    vol = _marker_volume(np.eye(3))
    write_series(vol, tmp_path / "a", modality="CT", study=STUDY, progress=Progress(lambda f, m: seen.append(f)))
    assert seen and seen == sorted(seen) and seen[-1] == 1.0
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        write_series(vol, tmp_path / "b", modality="CT", study=STUDY, progress=progress)


@pytest.mark.parametrize("direction", [np.eye(3), _rotation((1, 2, 3), 37.0), np.diag([1.0, -1.0, -1.0])])
def test_simpleitk_reads_the_same_geometry(tmp_path, direction):
    """A third-party reader (ITK/GDCM) agrees on world positions of the written series."""
    sitk = pytest.importorskip("SimpleITK")
    vol = _marker_volume(direction)
    write_series(vol, tmp_path, modality="CT", study=STUDY, uid_seed="itk")
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path)))
    img = reader.Execute()
    arr = sitk.GetArrayFromImage(img)
    hits = np.argwhere(arr == 500)
    assert len(hits) == 1
    k, j, i = (int(v) for v in hits[0])
    world = np.array(img.TransformIndexToPhysicalPoint((i, j, k)))
    assert np.allclose(world, vol.geometry.kji_to_world((1, 2, 6)), atol=1e-4)
    assert np.allclose(img.GetSpacing(), vol.geometry.spacing, atol=1e-6)
