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
