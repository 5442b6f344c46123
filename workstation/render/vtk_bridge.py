"""The one bridge between NumPy arrays and VTK image data.

Concept
-------
NumPy images here are ``(rows, cols[, 3])`` with row 0 at the **top** of the screen; VTK image
data puts point 0 at the **bottom-left** and runs x fastest. Every conversion between the two
goes through this module, so the vertical flip and the axis order are written down once.
Volumes (``[k, j, i]`` arrays) map to VTK with i fastest, which is NumPy's C order already.
"""

from __future__ import annotations

import sys

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonDataModel import vtkImageData


def rgb_to_vtk_image(rgb: np.ndarray, spacing=(1.0, 1.0), image: vtkImageData | None = None) -> vtkImageData:
    """Top-down RGB uint8 (H, W, 3) -> vtkImageData (W x H x 1, 3 components)."""
    rgb = np.asarray(rgb, np.uint8)
    h, w = rgb.shape[:2]
    rgba = _opaque_rgba_of(rgb)
    if rgba is not None:  # 4-byte pixels copy as fast as integers; 3-byte ones channel by channel
        rgb = rgba
    n = rgb.shape[2] if rgb.ndim == 3 else 1
    if image is not None and _write_in_place(image, rgb, w, h, n):
        image.SetSpacing(float(spacing[0]), float(spacing[1]), 1.0)
        image.Modified()
        return image
    flat = np.ascontiguousarray(rgb[::-1]).reshape(-1, n)
    img = image if image is not None else vtkImageData()
    img.SetDimensions(w, h, 1)
    img.SetSpacing(float(spacing[0]), float(spacing[1]), 1.0)
    img.SetOrigin(0.0, 0.0, 0.0)
    arr = numpy_to_vtk(flat, deep=True)
    arr.SetName("rgb")
    img.GetPointData().SetScalars(arr)
    img.Modified()
    return img


def _opaque_rgba_of(rgb: np.ndarray) -> np.ndarray | None:
    """The (H, W, 4) opaque RGBA pixels behind an (H, W, 3) picture made by ``render.colormaps``
    (``colorize``, ``fuse_units``: a 3-channel view of packed uint32 pixels whose 4th byte is 255),
    or None for any other array."""
    base = rgb.base
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.strides[1:] != (4, 1) or not isinstance(base, np.ndarray) \
            or base.dtype != np.uint32 or base.shape != rgb.shape[:2] or not base.flags.c_contiguous \
            or base.__array_interface__["data"][0] != rgb.__array_interface__["data"][0]:
        return None
    alpha = np.uint32(0xFF000000 if sys.byteorder == "little" else 0xFF)  # the 4th byte of each pixel
    if not ((base & alpha) == alpha).all():
        return None
    return base.view(np.uint8).reshape(*rgb.shape[:2], 4)


def _write_in_place(image: vtkImageData, rgb: np.ndarray, w: int, h: int, n: int) -> bool:
    """Copy a picture of the image's own size into its scalars (flipped), so that a view showing a new
    slice of the same size costs one copy and no new VTK array; False when the sizes differ."""
    scalars = image.GetPointData().GetScalars()
    if scalars is None or tuple(image.GetDimensions()) != (w, h, 1) or scalars.GetNumberOfComponents() != n \
            or scalars.GetDataType() != 3:  # VTK_UNSIGNED_CHAR
        return False
    dst = vtk_to_numpy(scalars).reshape(h, w, n)
    if n == 4 and rgb.flags.c_contiguous:  # whole pixels as uint32: a fast flipped copy
        dst.view(np.uint32)[...] = rgb.view(np.uint32)[::-1]
    else:
        dst[...] = rgb[::-1].reshape(h, w, n)
    scalars.Modified()
    return True


def vtk_image_to_rgb(image: vtkImageData) -> np.ndarray:
    """vtkImageData (W x H x 1, n components) -> top-down (H, W, n) NumPy array."""
    w, h, _ = image.GetDimensions()
    scalars = image.GetPointData().GetScalars()
    a = vtk_to_numpy(scalars)
    n = scalars.GetNumberOfComponents()
    return a.reshape(h, w, n)[::-1].copy()


def pixels_to_rgb(pixels, width: int, height: int) -> np.ndarray:
    """RGB pixels read back from a render window (bottom row first, ``vtkUnsignedCharArray``) -> a
    top-down (height, width, 3) NumPy array of its own."""
    return vtk_to_numpy(pixels).reshape(height, width, 3)[::-1].copy()


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
