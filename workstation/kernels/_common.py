"""Input normalisation shared by the kernel wrappers: fixed dtypes and C order, clear errors."""

from __future__ import annotations

import numpy as np


def as_values(values, name: str = "values") -> np.ndarray:
    """3-D C-contiguous float32 view/copy of an image."""
    arr = np.asarray(values)
    if arr.ndim != 3:
        raise ValueError(f"{name} must be a 3-D array [k, j, i], got shape {arr.shape}")
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float32)


def as_mask(mask, shape, name: str = "mask") -> np.ndarray:
    """3-D C-contiguous uint8 (0/1) array of the given shape (bool arrays are viewed, not copied)."""
    arr = np.asarray(mask)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} shape {arr.shape} does not match the image shape {tuple(shape)}")
    if arr.dtype == np.bool_:
        return np.ascontiguousarray(arr).view(np.uint8)
    return np.ascontiguousarray(arr != 0).view(np.uint8)


def as_labels(labels, shape, name: str = "labels") -> np.ndarray:
    arr = np.asarray(labels)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} shape {arr.shape} does not match the image shape {tuple(shape)}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer label image, got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must not hold negative labels")
    return np.ascontiguousarray(arr, dtype=np.int32)


def loops():
    from workstation.kernels import _loops

    return _loops
