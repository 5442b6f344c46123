"""Physiological-uptake organs (brain, bladder) found from the PET image, to leave out of whole-body detection.

Whole-body detection used to drop every connected component that *lay* where a brain or a bladder
should be, so a head-and-neck cancer that touched the brain at the threshold went out with it. Here
an organ is a **mask found from the image's anatomy**, and only the voxels inside the mask are
removed: a component that crosses the mask boundary is cut there and its outside part stays a
lesion.

How an organ mask is found (rules written down once; ``segmentation`` applies them)
-----------------------------------------------------------------------------------
* The candidates are the 26-connected components above the detection threshold (those given by
  the caller). World z is the head-foot axis (LPS: +z towards the head); "superior 20 %" etc. are
  fractions of the scanned z range, "middle third" of the scanned x (right-left) range.
* **Brain** (the cranial region): among the components that reach the superior 20 % of the scan
  and hold at least :data:`BRAIN_MIN_ML`, the brain is the bulky part: the component is eroded
  by a ball of radius ``r = min(BRAIN_CORE_MM, half its largest inscribed radius)`` (Euclidean
  distance transform in mm); of the eroded pieces (the *cores*), the brain's is the one that
  reaches highest, provided its centroid lies in the superior 30 %, its inscribed radius is at
  least :data:`BRAIN_MIN_DEPTH_MM` (a brain is at least 4 cm thick) and it lies in a head: the
  body's axial cross-section through the core's centre (body: SUV above 30 % of the median of
  the voxels above 1 % of the 99.9th percentile) is at most :data:`HEAD_AREA_FRACTION` of the
  body's widest cross-sections (a liver dome at the top of an abdominal scan is not a brain). The brain mask is that core
  dilated back by ``r`` (a morphological opening that keeps only this core), so a tumour that
  touches the brain through a contact narrower than ``2 r`` falls outside the mask. The cut is
  where the opening puts it: voxels of the tumour at the contact that a ball of radius ``r``
  inside the union still reaches go with the organ (in the synthetic test of an 18 mm primary
  pressed 6 mm into a brain, 15 % of the primary).
* **Bladder** (the pelvic cavity): the same with :data:`BLADDER_CORE_MM` and
  :data:`BLADDER_MIN_DEPTH_MM`; its core is the largest one whose centroid lies in the inferior
  30 % of the scan and the middle third of its right-left range.
* **Rims**: the opening (on voxel centres) leaves the organ's outermost voxels and sharp corners
  outside the mask; the thin parts of what is left outside (those an opening by a ball of
  :data:`RIM_VOXELS` coarsest voxel spacings removes) that are 26-neighbours of the mask are organ,
  not lesion: they join the mask.
  (So a lesion that thin, pressed against the brain or bladder, is not separated: at that size
  the PET cannot tell it from the organ's partial-volume rim.)
* **Does it look like the organ?** Every exclusion is listed with its volume and SUVmax; one
  outside :data:`ORGAN_RANGES` (adult FDG values, see there) carries a warning that the
  caller shows (CLI, viewer, report): what was removed may not be that organ, or may hold more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workstation.core.geometry import ImageGeometry

ORGANS = ("brain", "bladder")
BRAIN_MIN_ML = 50.0
BLADDER_MIN_ML = 10.0
#: largest erosion radius of the opening that finds the organ, mm
BRAIN_CORE_MM = 25.0
BLADDER_CORE_MM = 12.0
#: smallest largest-inscribed radius of a component that can be the organ, mm
BRAIN_MIN_DEPTH_MM = 20.0
BLADDER_MIN_DEPTH_MM = 8.0
#: the brain lies in the head: the body's cross-section through the brain core's centre is at most this
#: fraction of the body's widest cross-sections (95th percentile of the slices); a trunk organ at the top of
#: a scan that does not reach the head (liver dome, heart) has about the trunk's cross-section
HEAD_AREA_FRACTION = 0.6
#: radius, in coarsest voxel spacings, of the opening that tells an organ's thin rim from a lesion
RIM_VOXELS = 1.5
#: plausible exclusions (FDG, adult; volume above a PET threshold of about SUV 2.5 including the
#: partial-volume rim of a 4-7 mm PET): brain 0.8-2.3 L (adult brain 1.1-1.7 L; the rim adds
#: 15-30 %; the demo phantom's brain, painted 2.09 L, measures 2.22 L), SUVmax 4-20 (normal cortex 7-15); bladder 10-1000 mL, SUVmax 4 or more (urine
#: activity varies widely; no upper bound).
ORGAN_RANGES = {"brain": {"volume_ml": (800.0, 2300.0), "suvmax": (4.0, 20.0)},
                "bladder": {"volume_ml": (10.0, 1000.0), "suvmax": (4.0, math.inf)}}


@dataclass
class OrganMask:
    """One organ found: ``mask`` is the boolean image of the voxels left out (inside ``box``),
    ``component`` the label of the candidate component it was cut from."""

    organ: str
    box: tuple  # slices (k, j, i) of the full image
    mask: np.ndarray  # bool, shape of the box
    component: int
    component_ml: float
    core_radius_mm: float

    def full(self, shape) -> np.ndarray:
        out = np.zeros(shape, bool)
        out[self.box] = self.mask
        return out


def _box_slices(b, shape, pad=1) -> tuple:
    return tuple(slice(max(int(b[a]) - pad, 0), min(int(b[a + 3]) + 1 + pad, shape[a])) for a in range(3))


def _world_z(geometry: ImageGeometry, box, shape_sub) -> tuple[np.ndarray, np.ndarray]:
    """World x and z of every voxel of a box, as arrays of the box's shape."""
    k, j, i = np.meshgrid(*[np.arange(sl.start, sl.start + n) for sl, n in zip(box, shape_sub)], indexing="ij")
    w = geometry.kji_to_world(np.stack([k.ravel(), j.ravel(), i.ravel()], 1).astype(float))
    return w[:, 0].reshape(shape_sub), w[:, 2].reshape(shape_sub)


def _scan_range(geometry: ImageGeometry):
    c = geometry.corners_world()
    return float(c[:, 0].min()), float(c[:, 0].max()), float(c[:, 2].min()), float(c[:, 2].max())


def find_organ(organ: str, labels: np.ndarray, stats, geometry: ImageGeometry, candidates,
               taken: np.ndarray | None = None, suv: np.ndarray | None = None) -> OrganMask | None:
    """The mask of ``organ`` ("brain" or "bladder") cut from one of the ``candidates`` components
    (labels of ``labels``, with ``stats`` from ``kernels.label_stats``), or None when no component
    holds it. ``taken``: voxels already given to another organ (left out of this one); ``suv``: the
    image, for the head test of the brain (without it the test is skipped)."""
    from scipy import ndimage as ndi

    if organ not in ORGANS:
        raise ValueError(f"unknown organ {organ!r}")
    brain = organ == "brain"
    min_ml = BRAIN_MIN_ML if brain else BLADDER_MIN_ML
    core_mm = BRAIN_CORE_MM if brain else BLADDER_CORE_MM
    min_depth = BRAIN_MIN_DEPTH_MM if brain else BLADDER_MIN_DEPTH_MM
    xmin, xmax, zmin, zmax = _scan_range(geometry)
    zr, xr = max(zmax - zmin, 1e-9), max(xmax - xmin, 1e-9)
    vv = geometry.voxel_volume_ml
    spacing_kji = tuple(geometry.spacing[::-1])
    found = []
    body = _body_areas(suv, geometry) if brain and suv is not None else None
    for lab in sorted((int(x) for x in candidates), key=lambda x: -int(stats.count[x - 1])):
        if stats.count[lab - 1] * vv < min_ml:
            continue
        b = stats.bbox[lab - 1]
        corners = geometry.kji_to_world(np.array([[b[0], b[1], b[2]], [b[3], b[4], b[5]],
                                                  [b[0], b[4], b[2]], [b[3], b[1], b[5]]], float))
        ctop, cbot = corners[:, 2].max(), corners[:, 2].min()
        if brain and (ctop - zmin) / zr < 0.80:
            continue
        if not brain and (cbot - zmin) / zr > 0.30:
            continue
        box = _box_slices(b, labels.shape)
        comp = labels[box] == lab
        if taken is not None:
            comp &= ~taken[box]
        depth = ndi.distance_transform_edt(comp, sampling=spacing_kji)
        dmax = float(depth.max())
        if dmax < min_depth:
            continue
        r = min(core_mm, 0.5 * dmax)
        cores, n = ndi.label(depth >= r, structure=np.ones((3, 3, 3), bool))
        if n == 0:
            continue
        x, z = _world_z(geometry, box, comp.shape)
        best, best_key = None, None
        for c in range(1, n + 1):
            cm = cores == c
            if float(depth[cm].max()) < min_depth:
                continue
            cz, cx = float(z[cm].mean()), float(x[cm].mean())
            if brain:
                if (cz - zmin) / zr < 0.70 or not _in_a_head(geometry, labels.shape, cz, body):
                    continue
                key = float(z[cm].max())  # the core that reaches highest
            else:
                if (cz - zmin) / zr > 0.30 or not (1 / 3 <= (cx - xmin) / xr <= 2 / 3):
                    continue
                key = float(np.count_nonzero(cm))  # the largest pelvic core
            if best_key is None or key > best_key:
                best, best_key = cm, key
        if best is None:
            continue
        mask = comp & (ndi.distance_transform_edt(~best, sampling=spacing_kji) <= r)
        mask |= _rims(comp & ~mask, mask, spacing_kji)
        found.append(OrganMask(organ, box, mask, lab, float(stats.count[lab - 1] * vv), r))
        break
    return found[0] if found else None


def _body_areas(suv: np.ndarray, geometry: ImageGeometry) -> np.ndarray:
    """Body cross-section (voxel count) of every slice k (the head-foot axis must be k: checked by the caller)."""
    v = np.asarray(suv)
    hi = float(np.percentile(v, 99.9))
    above = v[v > 0.01 * hi] if hi > 0 else v[v > 0]
    if above.size == 0:
        return np.zeros(v.shape[0])
    level = 0.3 * float(np.median(above))
    return np.count_nonzero(v > level, axis=(1, 2)).astype(float)


def _in_a_head(geometry: ImageGeometry, shape, z: float, areas) -> bool:
    """Whether world height ``z`` cuts the body where it is narrow (a head), from the slice areas."""
    if areas is None:
        return True
    if abs(float(np.asarray(geometry.direction)[2, 2])) < 0.9:  # slices are not axial: no slice areas
        return True
    k = int(np.clip(np.rint(geometry.world_to_kji(np.array([[0.0, 0.0, z]]))[0][0]), 0, shape[0] - 1))
    wide = float(np.percentile(areas, 95))
    return wide > 0 and areas[k] <= HEAD_AREA_FRACTION * wide


def _rims(outside: np.ndarray, mask: np.ndarray, spacing_kji) -> np.ndarray:
    """The voxels of ``outside`` that an opening by a ball of RIM_VOXELS coarsest voxels removes (thin
    parts) and that are 26-neighbours of ``mask``."""
    from scipy import ndimage as ndi

    if not outside.any():
        return np.zeros_like(outside)
    r = RIM_VOXELS * max(spacing_kji)
    depth = ndi.distance_transform_edt(outside, sampling=spacing_kji)
    core = depth >= r
    kept = ndi.distance_transform_edt(~core, sampling=spacing_kji) < r if core.any() else np.zeros_like(outside)
    thin = outside & ~kept
    return thin & ndi.binary_dilation(mask, structure=np.ones((3, 3, 3), bool))


def plausibility_warning(organ: str, volume_ml: float, suvmax: float) -> str | None:
    """A warning when an exclusion does not look like its organ (:data:`ORGAN_RANGES`), else None."""
    rng = ORGAN_RANGES[organ]
    (vlo, vhi), (slo, shi) = rng["volume_ml"], rng["suvmax"]
    bad = []
    if not vlo <= volume_ml <= vhi:
        bad.append(f"volume {volume_ml:.0f} mL (expected {vlo:g}-{vhi:g} mL)")
    if not slo <= suvmax <= shi:
        bad.append(f"SUVmax {suvmax:.1f} (expected {slo:g}" + (f"-{shi:g})" if math.isfinite(shi) else " or more)"))
    if not bad:
        return None
    return (f"the region excluded as {organ} does not look like a {organ}: " + ", ".join(bad)
            + f"; check it: it may not be the {organ}, or it may hold a lesion (--no-exclude keeps it)")
