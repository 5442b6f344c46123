"""Volume: a 3-D array on an ImageGeometry plus the facts about where it came from.

The array is indexed ``[k, j, i]`` and kept in the units of the file (HU for CT, usually Bq/mL
for PET). SUV is not baked in: it is a factor applied on demand (``workstation.analysis.suv.factor``)
together with its provenance. Warnings found while building the volume (uneven spacing,
missing slices, ...) travel with it and are shown to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workstation.core.geometry import ImageGeometry


@dataclass(frozen=True)
class PatientInfo:
    """Identity of the patient. Never log these fields."""

    name: str = ""
    patient_id: str = ""
    birth_date: str = ""
    sex: str = ""

    def __repr__(self):  # keep identity out of reprs that may end in logs / tracebacks
        return "PatientInfo(<hidden>)"


@dataclass(eq=False)
class Volume:
    array: np.ndarray
    geometry: ImageGeometry
    modality: str = ""  # DICOM modality: CT, MR, PT, NM, or "" for non-DICOM sources
    units: str = ""  # HU, BQML, CNTS, GML, CM2ML, ... (DICOM Units for PET)
    series_uid: str = ""
    study_uid: str = ""
    frame_of_reference_uid: str = ""
    description: str = ""
    patient: PatientInfo = field(default_factory=PatientInfo)
    pet: Any = None  # workstation.core.pet.PetAcquisition for PET series
    warnings: list[str] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)  # other header facts (dates, manufacturer, ...)

    def __post_init__(self):
        if self.array.ndim != 3:
            raise ValueError(f"Volume array must be 3-D, got shape {self.array.shape}")
        if tuple(self.array.shape) != tuple(self.geometry.shape):
            raise ValueError(f"array shape {self.array.shape} != geometry shape {self.geometry.shape}")

    @property
    def shape(self):
        return self.array.shape

    @property
    def is_pet(self) -> bool:
        return self.modality in ("PT", "PET") or self.pet is not None

    @property
    def nuclide(self):
        """The radionuclide of a PET/SPECT series (``core.vocabulary.Nuclide``) from its code, else from its
        half-life; None when neither names one."""
        from workstation.core import vocabulary as vocab

        acq = self.pet
        if acq is None:
            return None
        n = vocab.nuclide_from_code(acq.value("radionuclide_code"))
        return n if n is not None else vocab.nuclide_from_half_life(acq.value("radionuclide_half_life_s"))

    @property
    def functional_modality(self) -> str:
        """"SPECT" or "PET" for a functional series (``core.vocabulary.functional_modality``): a Lu-177
        tomogram stored as PT is a SPECT."""
        from workstation.core import vocabulary as vocab

        return vocab.functional_modality(self.modality, self.nuclide, self.description)

    def value_at_world(self, xyz) -> float | None:
        """Nearest-voxel value at a world point (None outside)."""
        kji = self.geometry.world_to_nearest_kji(xyz)
        return None if kji is None else float(self.array[kji])

    def __repr__(self):
        return (f"Volume({self.modality or '?'}, {self.array.shape}, {self.array.dtype}, units={self.units!r}, "
                f"{self.geometry!r}, warnings={len(self.warnings)})")


def needs_registration(pet: Volume | None, anatomical: Volume | None) -> bool:
    """True when both exist and their frames of reference differ (or one is unknown)."""
    if pet is None or anatomical is None:
        return False
    a, b = pet.frame_of_reference_uid, anatomical.frame_of_reference_uid
    return not (a and b and a == b)
