"""Apply an SUV result to a PET volume: stored values (file units) × factor → SUV.

This is the one road from stored PET values to SUV: the display, the cursor readout, the MIP,
the VOIs, the CLI and the exports all go through :func:`slice_factors`, which gives each slice
the factor of its own instance.  Where the factor differs per instance (DecayCorrection NONE
with several acquisition times, per-slice Philips factors) each slice gets its instance's factor,
matched through the SOP instance UIDs the loader recorded (``volume.info["slice_sop_uids"]``);
a slice whose instance has no factor is an error, never a silent fallback to the scalar.
"""

from __future__ import annotations

import numpy as np

from workstation.core.volume import Volume

__all__ = ["slice_factors", "relative_slice_factors", "suv_array", "suv_value_at"]


def slice_factors(volume: Volume, suv) -> np.ndarray:
    """float64 array (one per slice k of ``volume``) of the SUV factors of the SuvResult ``suv``."""
    n = int(volume.shape[0])
    per_instance = getattr(suv, "instance_factors", None)
    if not per_instance:
        return np.full(n, float(suv.factor))
    uids = list(volume.info.get("slice_sop_uids") or [])
    if len(uids) != n:
        raise ValueError(f"the SUV factor differs per instance, but the volume records the instance of "
                         f"{len(uids)} of its {n} slices; reload the series from its DICOM files")
    missing = [k for k, u in enumerate(uids) if u not in per_instance]
    if missing:
        raise ValueError(f"the SUV factor differs per instance, but {len(missing)} slice(s) (first: slice "
                         f"{missing[0]}, instance {uids[missing[0]]}) have no factor; reload the series")
    return np.array([float(per_instance[u]) for u in uids])


def relative_slice_factors(volume: Volume, suv) -> np.ndarray | None:
    """``slice_factors / suv.factor`` when the factors differ between slices, else None.

    Stored values × relative factor × ``suv.factor`` is SUV; a view resamples the stored values ×
    relative factor once and multiplies by the scalar, so a change of SUV type is one multiplication.
    """
    f = slice_factors(volume, suv)
    rel = f / float(suv.factor)
    return None if np.all(rel == 1.0) else rel


def suv_array(volume: Volume, suv) -> np.ndarray:
    """float32 SUV array of ``volume`` for the SuvResult ``suv`` (each slice times its own factor)."""
    f = slice_factors(volume, suv).astype(np.float32)
    return np.asarray(volume.array, dtype=np.float32) * f[:, None, None]


def suv_value_at(volume: Volume, suv, xyz) -> float | None:
    """SUV of the nearest voxel at a world point (None outside the volume)."""
    kji = volume.geometry.world_to_nearest_kji(xyz)
    if kji is None:
        return None
    return float(volume.array[kji]) * float(slice_factors(volume, suv)[kji[0]])
