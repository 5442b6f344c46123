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

from workstation.analysis.errors import QuantError
from workstation.analysis.lesions.regions import RegionStats, check_image, region_stats
from workstation.analysis.lesions.shapes import cylinder_mask, sphere_mask, world_point

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


# ============================================================================ found automatically
#: the liver: a homogeneous region of moderate uptake on the patient's right (LPS: x below the body's
#: centre), no hot spot inside a 3 cm cube around the point
LIVER_SUV_RANGE = (1.3, 4.5)
HOMOGENEOUS_CV = 0.25
#: the blood pool: homogeneous uptake between these fractions of the liver's mean, above the liver
BLOOD_POOL_OF_LIVER = (0.5, 0.95)


def _local_stats(suv: np.ndarray, geometry: ImageGeometry, size_mm: float):
    from scipy import ndimage

    size = [max(1, int(round(size_mm / s))) for s in geometry.spacing[::-1]]  # k, j, i
    a = np.asarray(suv, np.float64)
    mean = ndimage.uniform_filter(a, size, mode="nearest")
    sq = ndimage.uniform_filter(a * a, size, mode="nearest")
    sd = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    top = ndimage.maximum_filter(a, size, mode="nearest")
    return mean, sd, top


def _deepest_point(candidates: np.ndarray, geometry: ImageGeometry, what: str) -> np.ndarray:
    """World point deepest inside the largest connected candidate region."""
    from scipy import ndimage

    labels, n = ndimage.label(candidates)
    if n == 0:
        raise QuantError(f"no {what} found automatically; place the {what} VOI by hand", field=f"{what}_world")
    sizes = np.bincount(labels.ravel())[1:]
    region = labels == int(np.argmax(sizes)) + 1
    depth = ndimage.distance_transform_edt(region, sampling=geometry.spacing[::-1])
    kji = np.array(np.unravel_index(int(np.argmax(depth)), depth.shape), float)
    return geometry.kji_to_world(kji)


def find_liver(suv, geometry: ImageGeometry, diameter_mm: float = LIVER_DIAMETER_MM) -> np.ndarray:
    """Centre (world, LPS mm) for the PERCIST liver sphere, found in the SUVbw image.

    Candidates are voxels on the patient's right (x below the body's centre, LPS) whose 3 cm
    neighbourhood has a mean SUVbw in :data:`LIVER_SUV_RANGE`, a coefficient of variation below
    :data:`HOMOGENEOUS_CV` and no voxel above twice that mean (no lesion); the centre is the point
    deepest inside the largest connected candidate region, so the sphere keeps clear of the liver's
    edge and of lesions. A proposal for the reader to check, never hidden: the centre is shown and
    stored with the reading.
    """
    check_image(suv, geometry)
    a = np.asarray(suv, np.float64)
    mean, sd, top = _local_stats(a, geometry, diameter_mm)
    body = a > 0.2
    if not body.any():
        raise QuantError("no body found in the PET (no voxel above SUV 0.2)", field="liver_world")
    x = geometry.kji_to_world(np.argwhere(body).astype(float))[:, 0]
    xs = _world_x(geometry)
    lo, hi = LIVER_SUV_RANGE
    with np.errstate(divide="ignore", invalid="ignore"):
        cand = (mean >= lo) & (mean <= hi) & (sd < HOMOGENEOUS_CV * mean) & (top < 2.0 * mean) & (xs < x.mean() - 10.0)
    return _deepest_point(cand & body, geometry, "liver")


def find_blood_pool(suv, geometry: ImageGeometry, liver_world, liver_mean: float) -> np.ndarray:
    """Centre (world, LPS mm) for the blood-pool cylinder: the deepest point of the largest region,
    above (cranial to) the liver centre, whose 2 cm neighbourhood is homogeneous with a mean SUVbw
    between :data:`BLOOD_POOL_OF_LIVER` times the liver's (cardiac chambers or aorta). A proposal
    for the reader to check."""
    check_image(suv, geometry)
    a = np.asarray(suv, np.float64)
    mean, sd, top = _local_stats(a, geometry, BLOOD_POOL_LENGTH_MM)
    lo, hi = (f * float(liver_mean) for f in BLOOD_POOL_OF_LIVER)
    zs = _world_axis(geometry, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cand = (mean >= lo) & (mean <= hi) & (sd < HOMOGENEOUS_CV * mean) & (top < 1.6 * mean) \
            & (zs > float(np.asarray(liver_world, float)[2]) + 40.0)
    return _deepest_point(cand, geometry, "blood_pool")


def _world_axis(geometry: ImageGeometry, axis: int) -> np.ndarray:
    """World coordinate ``axis`` (0 x, 1 y, 2 z) of every voxel centre, shaped like the image."""
    k, j, i = np.indices(geometry.shape, dtype=float)
    pts = geometry.kji_to_world(np.stack([k.ravel(), j.ravel(), i.ravel()], axis=1))
    return pts[:, axis].reshape(geometry.shape)


def _world_x(geometry: ImageGeometry) -> np.ndarray:
    return _world_axis(geometry, 0)
