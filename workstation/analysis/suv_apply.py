"""Apply an SUV result to a PET volume: stored values (file units) × factor → SUV.

Where the factor differs per instance (DecayCorrection NONE with several acquisition times) each
slice gets its own instance's factor, matched through the SOP instance UIDs the loader recorded.
"""

from __future__ import annotations

import numpy as np

from workstation.core import Volume


def suv_array(volume: Volume, suv) -> np.ndarray:
    """float32 SUV array of ``volume`` for the SuvResult ``suv``."""
    out = np.asarray(volume.array, dtype=np.float32) * np.float32(suv.factor)
    per_instance = getattr(suv, "instance_factors", None)
    if per_instance:
        uids = volume.info.get("slice_sop_uids") or []
        if len(uids) != volume.shape[0]:
            raise ValueError("per-instance SUV factors need the slice instance UIDs of the volume")
        for k, uid in enumerate(uids):
            f = per_instance.get(uid)
            if f is not None and f != suv.factor:
                out[k] = np.asarray(volume.array[k], dtype=np.float32) * np.float32(f)
    return out
