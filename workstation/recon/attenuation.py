"""Attenuation at 511 keV from a CT: the bilinear HU -> linear attenuation conversion.

Below 0 HU voxels are treated as air-water mixtures, ``mu = mu_water * (1 + HU / 1000)``; above
0 HU as water-bone mixtures, ``mu = mu_water + HU * (mu_bone - mu_water) / 1000`` with
mu_water = 0.096 /cm and mu_bone = 0.172 /cm at +1000 HU (the usual bilinear scaling, Kinahan
et al., Med Phys 1998;25:2046; Burger et al., EJNMMI 2002;29:922). Values are clipped at 0.
The map stays on the CT grid with the CT's geometry; the plugin resamples it onto its own grid
through world coordinates.
"""

from __future__ import annotations

import numpy as np

MU_WATER_511 = 0.096  # 1/cm
MU_BONE_511_AT_1000HU = 0.172  # 1/cm


def hu_to_mu_511(hu) -> np.ndarray:
    """Linear attenuation coefficient at 511 keV (1/cm) from Hounsfield units (bilinear)."""
    hu = np.asarray(hu, dtype=np.float64)
    low = MU_WATER_511 * (1.0 + hu / 1000.0)
    high = MU_WATER_511 + hu * (MU_BONE_511_AT_1000HU - MU_WATER_511) / 1000.0
    return np.clip(np.where(hu <= 0, low, high), 0.0, None).astype(np.float32)
