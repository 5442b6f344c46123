"""Pure data models (numpy + stdlib only): geometry, volumes, PET acquisition facts."""

from .geometry import ImageGeometry
from .volume import PatientInfo, Volume

__all__ = ["ImageGeometry", "PatientInfo", "Volume"]
