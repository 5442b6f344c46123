"""The one bridge between NumPy arrays and VTK image data.

Concept
-------
NumPy images here are ``(rows, cols[, 3])`` with row 0 at the **top** of the screen; VTK image
data puts point 0 at the **bottom-left** and runs x fastest. Every conversion between the two
goes through this module, so the vertical flip and the axis order are written down once.
Volumes (``[k, j, i]`` arrays) map to VTK with i fastest, which is NumPy's C order already.
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonDataModel import vtkImageData


def rgb_to_vtk_image(rgb: np.ndarray, spacing=(1.0, 1.0), image: vtkImageData | None = None) -> vtkImageData:
    """Top-down RGB uint8 (H, W, 3) -> vtkImageData (W x H x 1, 3 components)."""
    rgb = np.asarray(rgb, np.uint8)
    h, w = rgb.shape[:2]
    flat = np.ascontiguousarray(rgb[::-1]).reshape(-1, rgb.shape[2] if rgb.ndim == 3 else 1)
    img = image if image is not None else vtkImageData()
    img.SetDimensions(w, h, 1)
    img.SetSpacing(float(spacing[0]), float(spacing[1]), 1.0)
    img.SetOrigin(0.0, 0.0, 0.0)
    arr = numpy_to_vtk(flat, deep=True)
    arr.SetName("rgb")
    img.GetPointData().SetScalars(arr)
    img.Modified()
    return img


def vtk_image_to_rgb(image: vtkImageData) -> np.ndarray:
    """vtkImageData (W x H x 1, n components) -> top-down (H, W, n) NumPy array."""
    w, h, _ = image.GetDimensions()
    scalars = image.GetPointData().GetScalars()
    a = vtk_to_numpy(scalars)
    n = scalars.GetNumberOfComponents()
    return a.reshape(h, w, n)[::-1].copy()


def volume_to_vtk_image(array: np.ndarray, spacing, origin=(0.0, 0.0, 0.0)) -> vtkImageData:
    """``[k, j, i]`` array with (di, dj, dk) spacing -> single-component vtkImageData (axis-aligned)."""
    nk, nj, ni = array.shape
    img = vtkImageData()
    img.SetDimensions(ni, nj, nk)
    img.SetSpacing(*[float(s) for s in spacing])
    img.SetOrigin(*[float(o) for o in origin])
    arr = numpy_to_vtk(np.ascontiguousarray(array).reshape(-1), deep=True)
    img.GetPointData().SetScalars(arr)
    return img
