"""NIfTI images and masks: the one place where NIfTI's RAS world meets DICOM's LPS world.

nibabel gives an array indexed ``[i, j, k]`` and an affine mapping (i, j, k) to RAS+ millimetres.
Our convention is an array indexed ``[k, j, i]`` with an :class:`ImageGeometry` in LPS. The
conversion is: LPS = diag(-1, -1, 1) · RAS, and the array is transposed. Affines with shear or
non-orthogonal axes are refused (they cannot be represented without resampling).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workstation.core.geometry import ImageGeometry

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


class NiftiError(ValueError):
    """A NIfTI file that cannot be read as a 3-D image on a regular grid."""


def affine_ras_to_geometry(affine_ras: np.ndarray, shape_ijk) -> ImageGeometry:
    a = RAS_TO_LPS @ np.asarray(affine_ras, float)
    m = a[:3, :3]
    spacing = np.linalg.norm(m, axis=0)
    if np.any(spacing <= 0):
        raise NiftiError("affine has a zero-length axis")
    direction = m / spacing
    if not np.allclose(direction.T @ direction, np.eye(3), atol=1e-4):
        raise NiftiError("affine has shear or non-orthogonal axes; resample the image to an orthogonal grid first")
    ni, nj, nk = (int(s) for s in shape_ijk)
    return ImageGeometry((nk, nj, ni), tuple(spacing), tuple(a[:3, 3]), direction)


def geometry_to_affine_ras(geometry: ImageGeometry) -> np.ndarray:
    return RAS_TO_LPS @ geometry.affine


def read_nifti(path) -> tuple[np.ndarray, ImageGeometry]:
    """Read a NIfTI (.nii / .nii.gz) image: returns (array[k, j, i], geometry in LPS)."""
    import nibabel as nib

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        img = nib.load(str(path))
    except Exception as exc:  # noqa: BLE001
        raise NiftiError(f"{path}: not a readable NIfTI file ({type(exc).__name__})") from exc
    shape = img.shape
    if len(shape) == 4 and shape[3] == 1:
        shape = shape[:3]
    if len(shape) != 3:
        raise NiftiError(f"{path}: expected a 3-D image, got shape {img.shape}")
    affine = img.affine  # qform/sform chosen by nibabel's rules
    data = np.asanyarray(img.dataobj).reshape(shape)
    array = np.ascontiguousarray(np.transpose(data, (2, 1, 0)))
    return array, affine_ras_to_geometry(affine, shape)


def write_nifti(path, array: np.ndarray, geometry: ImageGeometry, overwrite: bool = False) -> Path:
    """Write array[k, j, i] on ``geometry`` as NIfTI (RAS affine). Refuses to overwrite unless asked."""
    import nibabel as nib

    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; not overwritten")
    data = np.transpose(np.asarray(array), (2, 1, 0))
    img = nib.Nifti1Image(data, geometry_to_affine_ras(geometry))
    img.set_qform(img.affine, code=1)
    img.set_sform(img.affine, code=1)
    nib.save(img, str(path))
    return path
