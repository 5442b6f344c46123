"""Organ VOIs drawn or thresholded on the first time point, and tissue density from a CT.

**Organ VOIs** (kidneys, liver, spleen, salivary glands, a marrow VOI) live on the first time point's
grid and are carried to the others through the registration like a propagated RTSTRUCT VOI:

* :func:`threshold_voi`: from a seed point, the voxels at or above ``percent`` % of the maximum within a
  box around the seed (``box_mm`` wide, default 120 mm: a kidney or a spleen with margin), connected
  (6-neighbours) to the seed; when the seed itself is below the threshold, the region around the box's
  hottest voxel. The usual way kidneys and spleen are outlined on a Lu-177 SPECT (40-50 % of the local
  maximum); its volume depends on the threshold and the resolution, which the result states.
* :func:`drawn_voi`: a sphere, cylinder or box drawn with the viewer's VOI shapes
  (``analysis.lesions.shapes``: centre inclusion).
* :func:`marrow_voi`: the L2-L4 style red-marrow VOI: a cylinder (default 15 mm across, 20 mm long,
  along the slice normal) inside each chosen vertebral body, united (the vertebral-body sampling of
  e.g. Ferrer et al., Eur J Nucl Med Mol Imaging 2010;37:1116-1123; the lumbar marrow then stands for the
  whole red marrow by its mass fraction, which is not done here).

**Mass.** Volume x density: 1.04 g/mL (ICRU 44 / ICRP 89 adult soft tissue, stated in every result)
without a CT; with a CT the sum of the voxel densities over the VOI.

**Density from a CT** (:func:`hu_to_density`): a bilinear calibration, the form of Schneider, Pedroni and
Lomax (Phys Med Biol 1996;41:111-124), whose measured tissues fall on two lines meeting near water: from
air (-1000 HU, 0.0012 g/mL) to water (0 HU, 1.00 g/mL), then from water to cortical bone (ICRU 44
density 1.92 g/mL) placed at ``bone_hu`` (default 1900 HU, an assumption for 120 kVp: a scanner's own
density-phantom calibration should replace it; the points used are stated in every result).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.core.geometry import ImageGeometry

from workstation.analysis.dosimetry.timepoints import DosimetryError

__all__ = ["OrganVoi", "threshold_voi", "drawn_voi", "marrow_voi", "hu_to_density", "HuDensityCalibration",
           "SOFT_TISSUE_DENSITY", "ORGAN_NAMES"]

SOFT_TISSUE_DENSITY = 1.04  # g/mL, adult soft tissue (ICRU Report 44; ICRP Publication 89)
ORGAN_NAMES = ("kidney left", "kidney right", "liver", "spleen", "parotid left", "parotid right",
               "submandibular left", "submandibular right", "red marrow (L2-L4)")


@dataclass
class OrganVoi:
    """A VOI on the first time point's grid and how it was made (stated in the result)."""

    name: str
    mask: np.ndarray  # bool, first time point's grid
    how: str


@dataclass(frozen=True)
class HuDensityCalibration:
    """Bilinear HU -> mass density (g/mL) through air, water and cortical bone (see the module docstring)."""

    air_hu: float = -1000.0
    air_density: float = 0.0012
    water_density: float = 1.0
    bone_hu: float = 1900.0
    bone_density: float = 1.92
    reference: str = ("bilinear HU->density (form of Schneider, Pedroni & Lomax, Phys Med Biol 1996;41:111-124): "
                      "air -1000 HU 0.0012 g/mL, water 0 HU 1.00 g/mL, cortical bone (ICRU 44, 1.92 g/mL) at 1900 HU "
                      "assumed")

    def to_dict(self) -> dict:
        return {"points_hu_density": [[self.air_hu, self.air_density], [0.0, self.water_density],
                                      [self.bone_hu, self.bone_density]], "reference": self.reference}


def hu_to_density(hu: np.ndarray, cal: HuDensityCalibration | None = None) -> np.ndarray:
    """Mass density (g/mL, float32) of CT numbers (HU) by the bilinear calibration; never below air's."""
    c = cal or HuDensityCalibration()
    h = np.asarray(hu, np.float32)
    low = c.water_density + (h / np.float32(-c.air_hu)) * np.float32(c.water_density - c.air_density)
    high = c.water_density + h * np.float32((c.bone_density - c.water_density) / c.bone_hu)
    rho = np.where(h <= 0, low, high)
    return np.maximum(rho, np.float32(c.air_density)).astype(np.float32)


def _box(geometry: ImageGeometry, seed_kji, box_mm):
    half = np.ceil(np.asarray(box_mm, float) / 2.0 / np.asarray(geometry.spacing, float)[::-1]).astype(int)
    lo = np.maximum(np.asarray(seed_kji) - half, 0)
    hi = np.minimum(np.asarray(seed_kji) + half + 1, geometry.shape)
    return tuple(slice(int(a), int(b)) for a, b in zip(lo, hi))


def threshold_voi(name: str, activity: np.ndarray, geometry: ImageGeometry, seed_world, percent: float = 40.0,
                  box_mm=(120.0, 120.0, 120.0)) -> OrganVoi:
    """The connected region at or above ``percent`` % of the maximum in a box around the seed (module docstring)."""
    from scipy import ndimage

    if not 0 < percent < 100:
        raise DosimetryError(f"organ VOI {name!r}: the threshold must be between 0 and 100 % of the local maximum")
    a = np.asarray(activity, np.float32)
    seed = np.round(geometry.world_to_kji(np.asarray(seed_world, float))).astype(int)
    if np.any(seed < 0) or np.any(seed >= np.asarray(a.shape)):
        raise DosimetryError(f"organ VOI {name!r}: the seed point lies outside the first scan")
    box = _box(geometry, seed, box_mm if np.ndim(box_mm) else (box_mm,) * 3)
    sub = a[box]
    vmax = float(sub.max())
    if not vmax > 0:
        raise DosimetryError(f"organ VOI {name!r}: no activity in the box around the seed")
    thr = percent / 100.0 * vmax
    labels, _ = ndimage.label(sub >= thr)
    s_local = tuple(int(s - b.start) for s, b in zip(seed, box))
    lab = labels[s_local]
    how = f"threshold {percent:g} % of the maximum within a {'x'.join(f'{v:g}' for v in np.broadcast_to(box_mm, 3))} mm box"
    if lab == 0:  # the seed is below the threshold: the region of the box's hottest voxel
        lab = labels[np.unravel_index(int(np.argmax(sub)), sub.shape)]
        how += " (seed below it: the region of the box's maximum)"
    mask = np.zeros(a.shape, bool)
    mask[box] = labels == lab
    touches = any(mask[box].take(0, axis=ax).any() or mask[box].take(-1, axis=ax).any() for ax in range(3))
    if touches:
        how += "; reaches the box's edge (enlarge the box or raise the threshold)"
    return OrganVoi(name, mask, how)


def drawn_voi(name: str, geometry: ImageGeometry, shape: str, **params) -> OrganVoi:
    """A sphere (``centre``, ``radius_mm``), cylinder (``centre``, ``diameter_mm``, ``length_mm``) or box
    (``corner_a``, ``corner_b``) drawn on the first grid with the viewer's shapes."""
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.shapes import box_mask, cylinder_mask, sphere_mask

    try:
        if shape == "sphere":
            m = sphere_mask(geometry, params["centre"], float(params["radius_mm"]))
            how = f"drawn sphere r {float(params['radius_mm']):g} mm"
        elif shape == "cylinder":
            m = cylinder_mask(geometry, params["centre"], float(params["diameter_mm"]), float(params["length_mm"]),
                              params.get("axis"))
            how = f"drawn cylinder {float(params['diameter_mm']):g} x {float(params['length_mm']):g} mm"
        elif shape == "box":
            m = box_mask(geometry, params["corner_a"], params["corner_b"])
            how = "drawn box"
        else:
            raise DosimetryError(f"organ VOI {name!r}: shape {shape!r} is not sphere, cylinder or box")
    except KeyError as exc:
        raise DosimetryError(f"organ VOI {name!r}: the {shape} needs {exc.args[0]}") from None
    except QuantError as exc:
        raise DosimetryError(f"organ VOI {name!r}: {exc}") from None
    if not m.any():
        raise DosimetryError(f"organ VOI {name!r}: the drawn {shape} covers no voxel of the first scan")
    return OrganVoi(name, m, how)


def marrow_voi(geometry: ImageGeometry, vertebra_centres_world, diameter_mm: float = 15.0, length_mm: float = 20.0,
               name: str = "red marrow (L2-L4)") -> OrganVoi:
    """Cylinders in the vertebral bodies (one per centre, e.g. L2, L3, L4) united (module docstring)."""
    centres = [np.asarray(c, float) for c in vertebra_centres_world]
    if not centres:
        raise DosimetryError("marrow VOI: give the centre of at least one vertebral body")
    m = np.zeros(geometry.shape, bool)
    for c in centres:
        m |= drawn_voi(name, geometry, "cylinder", centre=c, diameter_mm=diameter_mm, length_mm=length_mm).mask
    return OrganVoi(name, m, f"{len(centres)} cylinder(s) {diameter_mm:g} mm across, {length_mm:g} mm long in the "
                             "vertebral bodies")
