"""Normal-tissue references and the reading scales built on them: PERCIST and Deauville.

* The **liver reference** is a sphere VOI (PERCIST: 3 cm diameter in a normal right liver lobe)
  at the centre the user gives.
* The **blood-pool reference** (mediastinum, descending thoracic aorta) is a cylinder, 1 cm
  diameter × 2 cm long, its axis along the slice normal.
* **PERCIST threshold** = 1.5 × liver SUVmean + 2 × liver SD; with an abnormal liver, the blood
  pool: 2.0 × blood-pool mean + 2 × SD.
* The **Deauville 5-point score** on these references is the one rule of
  :func:`workstation.analysis.response.deauville_score` (a quantitative surrogate; the visual
  score remains the reader's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.core.geometry import ImageGeometry

from .errors import QuantError
from .regions import RegionStats, check_image, region_stats
from .shapes import cylinder_mask, sphere_mask, world_point

LIVER_DIAMETER_MM = 30.0
BLOOD_POOL_DIAMETER_MM = 10.0
BLOOD_POOL_LENGTH_MM = 20.0


@dataclass(frozen=True)
class ReferenceVOI:
    """A normal-tissue reference region (liver, blood pool) and its SUV statistics."""

    name: str
    shape: str  # "sphere" or "cylinder"
    centre_world: tuple[float, float, float]
    size_mm: tuple[float, ...]  # sphere: (diameter,); cylinder: (diameter, length)
    voxels: int
    volume_ml: float
    mean: float
    std: float
    max: float

    @classmethod
    def from_stats(cls, name: str, shape: str, centre_world, size_mm, st: RegionStats) -> "ReferenceVOI":
        return cls(name, shape, tuple(float(x) for x in centre_world), tuple(float(s) for s in size_mm),
                   st.voxels, st.volume_ml, st.mean, st.std, st.max)

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _reference(name, shape, centre, size, suv, geometry, mask) -> ReferenceVOI:
    st = region_stats(suv, mask, geometry, peak=False, median=False)
    if st.voxels < 1:
        raise QuantError(f"the {name} VOI at {list(np.round(centre, 1))} mm holds no voxel of the image; "
                         f"give a centre inside the PET field of view", field=f"{name}_world")
    return ReferenceVOI.from_stats(name, shape, centre, size, st)


def liver_reference(suv, geometry: ImageGeometry, centre_world, diameter_mm: float = LIVER_DIAMETER_MM) -> ReferenceVOI:
    """Liver reference: sphere VOI (PERCIST: 3 cm diameter in the right lobe)."""
    c = world_point(centre_world, "liver VOI centre")
    check_image(suv, geometry)
    return _reference("liver", "sphere", c, (diameter_mm,), suv, geometry, sphere_mask(geometry, c, diameter_mm / 2))


def blood_pool_reference(suv, geometry: ImageGeometry, centre_world, diameter_mm: float = BLOOD_POOL_DIAMETER_MM,
                         length_mm: float = BLOOD_POOL_LENGTH_MM) -> ReferenceVOI:
    """Blood-pool reference (mediastinum / descending aorta): cylinder along the slice normal."""
    c = world_point(centre_world, "blood-pool VOI centre")
    check_image(suv, geometry)
    return _reference("blood_pool", "cylinder", c, (diameter_mm, length_mm), suv, geometry,
                      cylinder_mask(geometry, c, diameter_mm, length_mm))


def percist_threshold(liver: ReferenceVOI | None = None, blood_pool: ReferenceVOI | None = None) -> float:
    """PERCIST measurability threshold: 1.5 × liver mean + 2 SD (or 2.0 × blood-pool mean + 2 SD)."""
    if liver is not None:
        return 1.5 * liver.mean + 2.0 * liver.std
    if blood_pool is not None:
        return 2.0 * blood_pool.mean + 2.0 * blood_pool.std
    raise QuantError("PERCIST needs a liver reference VOI: give the world centre (LPS mm) of a normal right "
                     "liver lobe, or a blood-pool VOI", field="liver_world")
