"""Typed errors of the io layer.

Every message names the file or folder and what to do; none carries patient identity.
"""

from __future__ import annotations


class DicomError(Exception):
    """A DICOM input the user must act on (no usable series, ambiguous choice, bad geometry)."""


class NoSeriesError(DicomError):
    """No series of the wanted kind was found."""


class AmbiguousSeriesError(DicomError):
    """More than one candidate series; the user must choose one."""


class GeometryError(DicomError):
    """The slices do not form a volume whose geometry can be trusted."""


class PixelDataError(DicomError):
    """Pixel data could not be decoded (e.g. missing codec)."""


class NotDicomError(DicomError):
    """The file is not DICOM at all (nothing parses as a dataset)."""


class HeaderError(DicomError):
    """An element the image needs is missing, empty or not of its kind (e.g. Rows, IS "1A")."""


class NonFiniteError(DicomError):
    """Values that would be NaN or infinite (a NaN RescaleSlope, NaN voxels): refused, never shown blank."""


class MemoryBudgetError(DicomError):
    """The volume would not fit the memory budget of this machine."""
