import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk

from workstation.core.geometry import ImageGeometry
from workstation.io.nifti import NiftiError, read_nifti, write_nifti


def test_ras_to_lps_by_hand(tmp_path):
    data = np.zeros((4, 5, 6), np.uint8)  # nibabel order (i, j, k)
    data[1, 2, 3] = 1
    aff = np.diag([2.0, 3.0, 4.0, 1.0])
    aff[:3, 3] = (10, 20, 30)
    nib.save(nib.Nifti1Image(data, aff), str(tmp_path / "m.nii.gz"))
    arr, g = read_nifti(tmp_path / "m.nii.gz")
    assert arr.shape == (6, 5, 4)
    assert arr[3, 2, 1] == 1
    assert np.allclose(g.origin, (-10, -20, 30))
    assert np.allclose(g.direction, np.diag([-1, -1, 1]))
    # voxel (1,2,3) in RAS is (12, 26, 42) -> LPS (-12, -26, 42)
    assert np.allclose(g.kji_to_world((3, 2, 1)), (-12, -26, 42))


def test_agrees_with_simpleitk(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 100, (7, 8, 9)).astype(np.int16)
    a = np.radians(20)
    rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    aff = np.eye(4)
    aff[:3, :3] = rot @ np.diag([1.5, 2.0, 2.5])
    aff[:3, 3] = (-30, 12, 7)
    nib.save(nib.Nifti1Image(data, aff), str(tmp_path / "x.nii"))
    arr, g = read_nifti(tmp_path / "x.nii")
    img = sitk.ReadImage(str(tmp_path / "x.nii"))
    assert np.array_equal(arr, sitk.GetArrayFromImage(img))
    assert np.allclose(g.origin, img.GetOrigin(), atol=1e-4)
    assert np.allclose(g.spacing, img.GetSpacing(), atol=1e-5)
    assert np.allclose(g.direction.reshape(-1), img.GetDirection(), atol=1e-5)


def test_write_roundtrip_and_no_overwrite(tmp_path):
    g = ImageGeometry((3, 4, 5), (1, 2, 3), (5, -6, 7), np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], float))
    arr = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    p = write_nifti(tmp_path / "r.nii.gz", arr, g)
    arr2, g2 = read_nifti(p)
    assert np.array_equal(arr, arr2)
    assert g2 == g
    with pytest.raises(FileExistsError):
        write_nifti(p, arr, g)


def test_bad_files(tmp_path):
    (tmp_path / "bad.nii").write_bytes(b"garbage")
    with pytest.raises(NiftiError):
        read_nifti(tmp_path / "bad.nii")
    nib.save(nib.Nifti1Image(np.zeros((2, 2), np.uint8), np.eye(4)), str(tmp_path / "2d.nii"))
    with pytest.raises(NiftiError, match="3-D"):
        read_nifti(tmp_path / "2d.nii")
