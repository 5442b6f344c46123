"""The one bridge between our arrays/geometry and SimpleITK images.

SimpleITK uses the same world convention as DICOM (LPS) and the same (i, j, k) order for
spacing, origin and direction as :class:`ImageGeometry`; ``GetArrayFromImage`` returns the array
indexed ``[k, j, i]``. So only the bookkeeping differs; it is written here once.
"""

from __future__ import annotations

import numpy as np

from workstation.core.geometry import ImageGeometry


def to_sitk(array: np.ndarray, geometry: ImageGeometry):
    import SimpleITK as sitk

    img = sitk.GetImageFromArray(np.ascontiguousarray(array))
    img.SetSpacing(tuple(float(s) for s in geometry.spacing))
    img.SetOrigin(tuple(float(o) for o in geometry.origin))
    img.SetDirection(tuple(float(x) for x in np.asarray(geometry.direction).reshape(-1)))
    return img


def from_sitk(img) -> tuple[np.ndarray, ImageGeometry]:
    import SimpleITK as sitk

    array = sitk.GetArrayFromImage(img)
    if array.ndim != 3:
        raise ValueError(f"expected a 3-D image, got {array.ndim}-D")
    geom = ImageGeometry(array.shape, img.GetSpacing(), img.GetOrigin(), np.array(img.GetDirection()).reshape(3, 3))
    return array, geom
