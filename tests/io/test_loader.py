"""Loader geometry tests: an asymmetric marker must land at its world position whatever the
orientation, file order or InstanceNumber order — so flips and transposes are caught."""

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEG2000Lossless, RLELossless

from workstation.testing.dicom_factory import write_series
from workstation.core.geometry import ImageGeometry
from workstation.io.errors import AmbiguousSeriesError, GeometryError, NoSeriesError
from workstation.io.series import find_series
from workstation.io.loader import load_pet_folder, load_series

AXIAL = np.eye(3)
CORONAL = np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], float)  # rows L, columns foot-wards, slices P
SAGITTAL = np.array([[0, 0, 1], [1, 0, 0], [0, -1, 0]], float).T.T  # placeholder, fixed below
SAGITTAL = np.stack([[0, 1, 0], [0, 0, -1], [-1, 0, 0]], axis=1).astype(float)  # rows P, cols I, slices R


def _oblique():
    a = np.radians(25)
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    b = np.radians(-15)
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    return rz @ rx


def _marker_volume(shape=(7, 9, 11)):
    """Asymmetric phantom: distinct values at three corners-ish and a unique hot voxel."""
    vol = np.zeros(shape, np.int16)
    vol[1, 2, 3] = 1000  # the marker
    vol[5, 1, 9] = 500  # second marker: catches transposes
    vol[:, :, 0] = 7  # a face: catches flips of i
    return vol


@pytest.mark.parametrize("direction", [AXIAL, CORONAL, SAGITTAL, _oblique()], ids=["axial", "coronal", "sagittal", "oblique"])
def test_marker_lands_at_world_position(tmp_path, direction):
    vol = _marker_volume()
    spacing = (0.7, 1.3, 2.5)
    origin = (-12.0, 30.0, 100.0)
    truth = ImageGeometry(vol.shape, spacing, origin, direction)
    write_series(tmp_path, vol, origin=origin, spacing_ijk=spacing, direction=direction)
    v = load_series(sorted(tmp_path.iterdir()))
    assert v.warnings == []
    for kji, value in (((1, 2, 3), 1000), ((5, 1, 9), 500)):
        world = truth.kji_to_world(kji)
        assert v.value_at_world(world) == value, "marker not at its world position: flip or transpose"
    # the face at i == 0 is still at i == 0 or at the opposite end with a reversed axis: check via world
    assert v.value_at_world(truth.kji_to_world((3, 4, 0))) == 7
    assert np.allclose(v.geometry.spacing[:2], spacing[:2])
    assert np.isclose(v.geometry.spacing[2], spacing[2])


def test_per_slice_rescale_pet(tmp_path):
    rng = np.random.default_rng(1)
    truth = rng.uniform(0, 20000, (6, 8, 8)).astype(np.float64)
    slopes = truth.reshape(6, -1).max(axis=1) / 32000.0
    stored = np.rint(truth / slopes[:, None, None]).astype(np.int16)
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(4, 4, 3), modality="PT", slopes=slopes,
                 extra={"Units": "BQML"})
    v = load_series(sorted(tmp_path.iterdir()))
    assert v.array.dtype == np.float32
    # the loader sorts by position, we wrote position k at k*3 mm
    expected = stored * slopes[:, None, None]
    assert np.allclose(v.array, expected, rtol=1e-6)
    assert v.units == "BQML"
    assert v.modality == "PT"


def test_ct_kept_as_int16_hu(tmp_path):
    stored = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4) * 10
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 1), intercepts=[-1024, -1024])
    v = load_series(sorted(tmp_path.iterdir()))
    assert v.array.dtype == np.int16
    assert np.array_equal(v.array, stored - 1024)
    assert v.units == "HU"


def test_missing_slice_is_reported_and_interpolated(tmp_path):
    stored = np.zeros((6, 4, 4), np.int16)
    for k in range(6):
        stored[k] = k * 10
    positions = [(0, 0, z) for z in (0, 2, 4, 8, 10, 12)]  # the slice at 6 mm is missing
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2), positions=positions, modality="PT")
    v = load_series(sorted(tmp_path.iterdir()))
    assert any("1 missing slice" in w for w in v.warnings)
    assert v.array.shape[0] == 7
    assert v.geometry.spacing[2] == pytest.approx(2.0)
    assert v.array[3, 0, 0] == pytest.approx(25.0)  # halfway between 20 (4 mm) and 30 (8 mm)
    assert v.array[4, 0, 0] == pytest.approx(30.0)


def test_uneven_spacing_is_reported(tmp_path):
    stored = np.zeros((5, 4, 4), np.int16)
    positions = [(0, 0, z) for z in (0, 2, 4, 5.2, 7)]
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2), positions=positions)
    v = load_series(sorted(tmp_path.iterdir()))
    assert any("uneven slice spacing" in w for w in v.warnings)
    assert np.allclose(np.diff(v.geometry.kji_to_world(np.c_[np.arange(v.shape[0]), np.zeros((v.shape[0], 2))])[:, 2]),
                       v.geometry.spacing[2])


def test_gantry_tilt_is_corrected(tmp_path):
    # slices 2 mm apart along z, but each slice shifted 0.5 mm along y: tilt atan(0.5/2) = 14.04 degrees
    nk = 6
    stored = np.zeros((nk, 16, 16), np.int16)
    positions = [(0.0, 0.5 * k, 2.0 * k) for k in range(nk)]
    # a vertical rod that is straight in world space: at world y = 6 mm => row 6 - 0.5 k in slice k
    for k in range(nk):
        y = 6.0 - 0.5 * k
        r0 = int(np.floor(y))
        w = y - r0
        stored[k, r0, 5] += int(round(1000 * (1 - w)))
        stored[k, r0 + 1, 5] += int(round(1000 * w))
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2), positions=positions, modality="PT")
    v = load_series(sorted(tmp_path.iterdir()))
    assert any("gantry tilt of 14.04 degrees" in w for w in v.warnings)
    rows = v.array[:, :, 5].argmax(axis=1)
    assert np.all(rows == 6), rows  # the rod is straight after de-shearing


def test_mixed_orientation_drops_localizer(tmp_path):
    stored = np.zeros((5, 4, 4), np.int16)
    uid = pydicom.uid.generate_uid()
    write_series(tmp_path / "ax", stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2), series_uid=uid)
    write_series(tmp_path / "loc", stored[:1], origin=(0, 0, 0), spacing_ijk=(1, 1, 2), direction=CORONAL,
                 series_uid=uid, shuffle_seed=3)
    files = sorted((tmp_path / "ax").iterdir()) + sorted((tmp_path / "loc").iterdir())
    v = load_series(files)
    assert v.shape[0] == 5
    assert any("mixed orientations" in w for w in v.warnings)


def test_duplicate_positions_are_an_error(tmp_path):
    stored = np.zeros((4, 4, 4), np.int16)
    positions = [(0, 0, z) for z in (0, 0, 2, 2)]
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2), positions=positions)
    with pytest.raises(GeometryError, match="share a position"):
        load_series(sorted(tmp_path.iterdir()))


def test_corrupt_file_is_skipped_with_message(tmp_path):
    stored = np.ones((3, 4, 4), np.int16)
    write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 1))
    (tmp_path / "junk.dcm").write_bytes(b"not dicom at all")
    v = load_series(sorted(tmp_path.iterdir()))
    assert v.shape == (3, 4, 4)
    assert any("skipped 1 file" in w for w in v.warnings)


@pytest.mark.parametrize("syntax", [RLELossless, JPEG2000Lossless], ids=["rle", "jpeg2000"])
def test_compressed(tmp_path, syntax):
    stored = (np.arange(3 * 64 * 64).reshape(3, 64, 64) % 997 - 300).astype(np.int16)
    paths = write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 1))
    for p in paths:
        ds = pydicom.dcmread(p)
        ds.compress(syntax)
        ds.save_as(p)
        assert pydicom.dcmread(p).file_meta.TransferSyntaxUID == syntax
    v = load_series(sorted(tmp_path.iterdir()))
    assert np.array_equal(v.array, stored)


def test_source_files_untouched(tmp_path):
    stored = np.ones((3, 4, 4), np.int16)
    paths = write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 1))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    load_series(paths)
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


def test_find_series_and_pet_folder_errors(tmp_path):
    write_series(tmp_path / "ct", np.zeros((3, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1))
    with pytest.raises(NoSeriesError, match="no PET"):
        load_pet_folder(tmp_path)
    write_series(tmp_path / "pt1", np.zeros((3, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1), modality="PT")
    assert load_pet_folder(tmp_path).modality == "PT"
    write_series(tmp_path / "pt2", np.zeros((3, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1), modality="PT")
    with pytest.raises(AmbiguousSeriesError, match="2 PET series"):
        load_pet_folder(tmp_path)
    series = find_series([tmp_path])
    assert sorted(s.modality for s in series) == ["CT", "PT", "PT"]


def test_enhanced_multiframe(tmp_path):
    """A minimal enhanced multi-frame object: per-frame positions, shared orientation and spacing."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence

    nk = 4
    stored = (np.arange(nk * 5 * 6).reshape(nk, 5, 6)).astype(np.int16)
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.StudyInstanceUID = pydicom.uid.generate_uid()
    ds.SeriesInstanceUID = pydicom.uid.generate_uid()
    ds.Modality = "CT"
    ds.NumberOfFrames = nk
    ds.Rows, ds.Columns = 5, 6
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    shared = Dataset()
    po = Dataset(); po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    pm = Dataset(); pm.PixelSpacing = [0.5, 0.25]; pm.SliceThickness = 2
    pv = Dataset(); pv.RescaleSlope = 1; pv.RescaleIntercept = -1000
    shared.PlaneOrientationSequence = Sequence([po])
    shared.PixelMeasuresSequence = Sequence([pm])
    shared.PixelValueTransformationSequence = Sequence([pv])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    frames = []
    order = [2, 0, 3, 1]  # frames stored out of order
    for f in order:
        item = Dataset()
        pp = Dataset(); pp.ImagePositionPatient = [0, 0, 2.0 * f]
        item.PlanePositionSequence = Sequence([pp])
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    ds.PixelData = np.ascontiguousarray(stored[order]).tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(tmp_path / "mf.dcm", enforce_file_format=True)
    v = load_series([tmp_path / "mf.dcm"])
    assert v.shape == (4, 5, 6)
    assert np.array_equal(v.array, stored - 1000)
    assert v.geometry.spacing == (0.25, 0.5, 2.0)


def test_nm_tomogram_multiframe(tmp_path):
    """NM RECON TOMO: frames stacked along the normal from the detector geometry and SpacingBetweenSlices."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence

    nk = 5
    stored = np.zeros((nk, 6, 7), np.uint16)
    stored[3, 2, 5] = 900  # marker
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.20"
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.StudyInstanceUID = pydicom.uid.generate_uid()
    ds.SeriesInstanceUID = pydicom.uid.generate_uid()
    ds.Modality = "NM"
    ds.NumberOfFrames = nk
    ds.Rows, ds.Columns = 6, 7
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelSpacing = [4.0, 3.0]
    ds.SpacingBetweenSlices = 2.5
    det = Dataset()
    det.ImagePositionPatient = [10.0, 20.0, 30.0]
    det.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.DetectorInformationSequence = Sequence([det])
    ds.PixelData = stored.tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(tmp_path / "nm.dcm", enforce_file_format=True)
    v = load_series([tmp_path / "nm.dcm"])
    assert v.shape == (5, 6, 7) and v.modality == "NM"
    # marker: x = 10 + 5*3, y = 20 + 2*4, z = 30 + 3*2.5
    assert v.value_at_world([25.0, 28.0, 37.5]) == 900


@pytest.mark.parametrize("modality", ["CT", "PT"])
def test_fast_path_equals_general_path(tmp_path, modality, monkeypatch):
    """The in-place reader and the pydicom reader give the same volume (values, dtype, geometry, order)."""
    import workstation.io.loader as loader
    from workstation.io import pixels

    rng = np.random.default_rng(7)
    stored = rng.integers(-1000, 3000, (9, 12, 10)).astype(np.int16)
    slopes = rng.uniform(0.1, 3, 9) if modality == "PT" else None
    intercepts = [-1024] * 9 if modality == "CT" else None
    write_series(tmp_path, stored, origin=(3, -4, 5), spacing_ijk=(0.8, 0.9, 2.0), direction=_oblique(),
                 modality=modality, slopes=slopes, intercepts=intercepts, shuffle_seed=11)
    files = sorted(tmp_path.iterdir())
    fast = load_series(files)

    def refuse(*a, **k):
        raise pixels.NotFast

    monkeypatch.setattr(loader, "read_stack", refuse)
    slow = load_series(files)
    assert fast.array.dtype == slow.array.dtype
    assert np.array_equal(fast.array, slow.array)
    assert fast.geometry == slow.geometry
    assert fast.info["slice_sop_uids"] == slow.info["slice_sop_uids"]
    assert (fast.pet is None) == (slow.pet is None)
