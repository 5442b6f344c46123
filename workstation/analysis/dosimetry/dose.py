"""Absorbed dose from time-integrated activity: local deposition, dose-voxel kernels, DVH and BED.

Only the electrons of each decay (beta particles, conversion and Auger electrons: the nuclide
vocabulary's ``electron_energy_mev``) are counted; photons leave a lesion or organ of this size
mostly undeposited and are left out (for Lu-177 they carry about 0.034 MeV per decay against
0.148 MeV of electrons). Tissue density is 1.0 g/mL unless given (no CT density scaling yet).

* **Local energy deposition (LED)**: every electron's energy stays in the voxel or VOI where it was
  emitted. D [Gy] = E [J/decay] x TIA [decays] / m [kg]; with TIA in MBq·h and m in g that is
  D = k x TIA / m with k = E[MeV] x 1.602176634e-13 J/MeV x 3.6e9 decays/(MBq·h) x 1000 g/kg
  (Lu-177: 0.0853 Gy·g/(MBq·h)).
* **Dose-voxel kernel (DVK)**: the fraction of a decay's electron energy that a source voxel deposits in
  each voxel around it, built for the image's own voxel size (anisotropic voxels allowed) from the
  beta point kernel of Loevinger (R. Loevinger, "The dosimetry of beta sources in tissue. The
  point-source function", Radiology 1956;66:55-62; also in Loevinger, Japha & Brownell, Radiation
  Dosimetry, Academic Press 1956): the energy deposited per unit radius around a point source in
  water is proportional to c[1 - (vx/c) e^(1 - vx/c)] + vx e^(1 - vx) for vx < c and vx e^(1 - vx)
  beyond, with v = 18.6 (E0 - 0.036)^-1.37 cm²/g (E0 the beta end point in MeV) and c = 2, 1.5 or 1
  for E0 below 0.5, 1.5 or 3 MeV. The voxel kernel is the average over source points uniform in the
  central voxel and isotropic directions (a fixed scrambled Sobol sequence, 2^13 samples) of where the
  energy at each radius lands, integrated over the radial distribution; it holds the whole energy
  (its sum is the electron energy per decay) and is scaled by the voxel mass to Gy per decay. The dose
  map is the kernel convolved with the TIA map (FFT, overlap-add).
* **Sphere model** (the organ S-value cross-check, electrons only): the self-absorbed fraction of a
  uniform sphere of the VOI's mass, phi = integral of the radial energy distribution g(r) times the
  probability that a point at distance r from a uniform point of the sphere lies inside it,
  1 - 3r/(4R) + r^3/(16 R^3) for r <= 2R (the chord-length result used for sphere S-values, e.g.
  Stabin & Konijnenberg, J Nucl Med 2000;41:149-160). D = k x TIA x phi / m.
* **DVH**: the cumulative histogram of voxel doses in a VOI; D_x is the least dose received by the
  hottest x % of the VOI (D98 the 2nd percentile of its voxel doses).
* **BED** (kidneys): for a dose delivered by a mono-exponentially falling dose rate with effective
  decay constant l and repair constant m = ln 2 / T_rep: BED = D (1 + D/(a/b) x l/(m + l)) (Dale,
  Br J Radiol 1985;58:515-528; Lu-177 kidney values a/b = 2.6 Gy and T_rep = 2.8 h as in
  Bodei et al. EJNMMI 2008;35:1847-1856).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workstation.core.vocabulary import Nuclide

__all__ = ["MEV_J", "led_constant", "led_dose_gy", "DoseKernel", "dose_kernel", "dvk_dose_map", "dvh",
           "dose_percentiles", "bed", "loevinger_radial", "sphere_absorbed_fraction", "sphere_dose_gy",
           "KIDNEY_ALPHA_BETA_GY", "KIDNEY_REPAIR_H"]

MEV_J = 1.602176634e-13  # J per MeV (exact, SI 2019)
DECAYS_PER_MBQ_H = 1e6 * 3600.0
KIDNEY_ALPHA_BETA_GY = 2.6
KIDNEY_REPAIR_H = 2.8
DVK_REFERENCE = "Loevinger 1956 beta point kernel (Radiology 66:55-62), voxel-averaged for the image's voxel size"


def led_constant(nuclide: Nuclide) -> float:
    """k in D[Gy] = k x TIA[MBq·h] / m[g] for local energy deposition of the electrons."""
    return float(nuclide.electron_energy_mev) * MEV_J * DECAYS_PER_MBQ_H * 1000.0


def led_dose_gy(tia_mbq_h: float, mass_g: float, nuclide: Nuclide) -> float:
    """Mean absorbed dose (Gy) of a VOI by local energy deposition."""
    if not mass_g > 0:
        raise ValueError("the VOI mass must be positive")
    return led_constant(nuclide) * float(tia_mbq_h) / float(mass_g)


# ------------------------------------------------------------------------------ kernel
def _loevinger_params(e0_mev: float) -> tuple[float, float]:
    """(v per mm in water, c) of Loevinger's point function for end-point energy ``e0_mev``."""
    if not 0.036 < e0_mev < 3.0:
        raise ValueError(f"Loevinger's point function holds for beta end points up to 3 MeV, not {e0_mev}")
    nu_cm = 18.6 * (e0_mev - 0.036) ** -1.37  # cm^2/g = 1/cm in water
    c = 2.0 if e0_mev < 0.5 else (1.5 if e0_mev < 1.5 else 1.0)
    return nu_cm / 10.0, c


def loevinger_radial(r_mm, e0_mev: float, density: float = 1.0) -> np.ndarray:
    """Energy deposited per mm of radius around a point source (unnormalised), Loevinger 1956."""
    nu, c = _loevinger_params(e0_mev)
    x = nu * density * np.asarray(r_mm, float)
    inner = c * (1.0 - (x / c) * np.exp(1.0 - x / c)) + x * np.exp(1.0 - x)
    outer = x * np.exp(1.0 - x)
    return np.where(x < c, inner, outer)


def _radial_table(e0_mev: float, density: float, n: int = 600):
    """(radii mm, normalised energy fraction per radius bin, radius holding all but 1e-6 of the energy)."""
    nu, c = _loevinger_params(e0_mev)
    nu *= density
    r_max = (c + 25.0) / nu  # e^(1-x) beyond x = 26 holds < 1e-9 of the energy
    edges = np.linspace(0.0, r_max, 20 * n + 1)
    mid = 0.5 * (edges[1:] + edges[:-1])
    g = loevinger_radial(mid, e0_mev, density) * np.diff(edges)
    g /= g.sum()
    cum = np.cumsum(g)
    r_keep = float(edges[1:][np.searchsorted(cum, 1.0 - 1e-6)])
    keep = mid <= r_keep
    # coarser table for the kernel: n bins up to r_keep, fractions summed from the fine bins
    bins = np.minimum((mid[keep] / r_keep * n).astype(int), n - 1)
    frac = np.bincount(bins, weights=g[keep], minlength=n)
    centres = (np.bincount(bins, weights=g[keep] * mid[keep], minlength=n) / np.maximum(frac, 1e-300))
    centres = np.where(frac > 0, centres, (np.arange(n) + 0.5) * r_keep / n)
    return centres, frac, r_keep


@dataclass
class DoseKernel:
    """A voxel kernel: ``fractions[k, j, i]`` of a decay's electron energy deposited at that voxel offset."""

    fractions: np.ndarray  # odd shape, centre = source voxel
    spacing_kji: tuple[float, float, float]  # mm
    energy_mev: float
    density_g_ml: float
    nuclide: str
    reference: str = DVK_REFERENCE

    @property
    def voxel_mass_kg(self) -> float:
        return float(np.prod(self.spacing_kji)) / 1000.0 * self.density_g_ml / 1000.0

    @property
    def gy_per_decay(self) -> np.ndarray:
        """Absorbed dose (Gy) per decay in the source voxel at each offset."""
        return self.fractions * (self.energy_mev * MEV_J / self.voxel_mass_kg)

    @property
    def energy_sum_mev(self) -> float:
        """Energy deposited over the whole kernel per decay (MeV): the electron energy per decay."""
        return float(self.fractions.sum() * self.energy_mev)

    @property
    def self_fraction(self) -> float:
        c = tuple(s // 2 for s in self.fractions.shape)
        return float(self.fractions[c])

    def to_dict(self) -> dict:
        return {"nuclide": self.nuclide, "shape": list(self.fractions.shape), "spacing_mm": list(self.spacing_kji),
                "energy_mev_per_decay": self.energy_mev, "density_g_ml": self.density_g_ml,
                "self_voxel_fraction": self.self_fraction, "energy_sum_mev": self.energy_sum_mev,
                "reference": self.reference}


def dose_kernel(nuclide: Nuclide, spacing_kji, density_g_ml: float = 1.0, samples_log2: int = 13) -> DoseKernel:
    """The voxel kernel of ``nuclide`` for voxels of ``spacing_kji`` mm (see the module docstring)."""
    from scipy.stats import qmc

    if nuclide.electron_energy_mev is None or nuclide.beta_max_mev is None:
        raise ValueError(f"{nuclide.name}: no electron energy or beta end point in the nuclide vocabulary")
    sp = np.asarray(spacing_kji, float)
    radii, frac, r_keep = _radial_table(nuclide.beta_max_mev, density_g_ml)
    half = np.ceil(r_keep / sp + 0.5).astype(int)
    shape = tuple(int(2 * h + 1) for h in half)
    q = qmc.Sobol(d=5, scramble=True, seed=20240607).random_base2(samples_log2)
    src = (q[:, :3] - 0.5) * sp  # uniform in the central voxel, (k, j, i) mm
    mu = 2.0 * q[:, 3] - 1.0
    phi = 2.0 * math.pi * q[:, 4]
    s = np.sqrt(1.0 - mu ** 2)
    direction = np.stack([mu, s * np.cos(phi), s * np.sin(phi)], axis=1)
    out = np.zeros(int(np.prod(shape)))
    strides = np.array([shape[1] * shape[2], shape[2], 1])
    w_each = 1.0 / len(q)
    for r, f in zip(radii, frac):
        if f <= 0:
            continue
        pts = src + r * direction
        idx = np.floor(pts / sp + 0.5).astype(int) + half
        ok = np.all((idx >= 0) & (idx < np.asarray(shape)), axis=1)
        flat = idx[ok] @ strides
        out += np.bincount(flat, minlength=out.size) * (f * w_each)
    return DoseKernel(out.reshape(shape), tuple(float(v) for v in sp), float(nuclide.electron_energy_mev),
                      float(density_g_ml), nuclide.name)


def dvk_dose_map(tia_decays: np.ndarray, kernel: DoseKernel) -> np.ndarray:
    """Absorbed dose map (Gy, float32) of a map of decays per voxel (TIA in Bq·s) convolved with the kernel."""
    from scipy.signal import oaconvolve

    return oaconvolve(np.asarray(tia_decays, np.float64), kernel.gy_per_decay, mode="same").astype(np.float32)


def sphere_absorbed_fraction(nuclide: Nuclide, mass_g: float, density_g_ml: float = 1.0) -> float:
    """Self-absorbed fraction of the electron energy in a uniform sphere of ``mass_g`` (see the module docstring)."""
    if not mass_g > 0:
        raise ValueError("the sphere mass must be positive")
    radius = (3.0 * mass_g / density_g_ml * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0)  # mm
    radii, frac, _ = _radial_table(nuclide.beta_max_mev, density_g_ml)
    x = np.minimum(radii / radius, 2.0)
    inside = np.where(radii <= 2 * radius, 1.0 - 0.75 * x + x ** 3 / 16.0, 0.0)
    return float(np.sum(frac * inside))


def sphere_dose_gy(tia_mbq_h: float, mass_g: float, nuclide: Nuclide, density_g_ml: float = 1.0) -> float:
    """Mean self-dose (Gy) of a uniform sphere of ``mass_g`` holding ``tia_mbq_h`` (electrons, sphere model)."""
    return led_dose_gy(tia_mbq_h, mass_g, nuclide) * sphere_absorbed_fraction(nuclide, mass_g, density_g_ml)


# ------------------------------------------------------------------------------ DVH and BED
def dvh(doses: np.ndarray, bins: int = 200) -> dict:
    """Cumulative DVH of voxel doses: {"dose_gy": [...], "volume_fraction": [...]} (fraction >= each dose)."""
    d = np.sort(np.asarray(doses, float).reshape(-1))
    if d.size == 0:
        return {"dose_gy": [], "volume_fraction": []}
    top = float(d[-1]) if d[-1] > 0 else 1.0
    levels = np.linspace(0.0, top, bins + 1)
    frac = 1.0 - np.searchsorted(d, levels, side="left") / d.size
    return {"dose_gy": [float(v) for v in levels], "volume_fraction": [float(v) for v in frac]}


def dose_percentiles(doses: np.ndarray, xs=(2, 50, 90, 98)) -> dict:
    """{"D2": ..., "D50": ...}: the least dose in the hottest x % of the voxels."""
    d = np.asarray(doses, float).reshape(-1)
    if d.size == 0:
        return {f"D{x}": None for x in xs}
    return {f"D{x}": float(np.percentile(d, 100.0 - x)) for x in xs}


def bed(dose_gy: float, lambda_eff_per_h: float, alpha_beta_gy: float = KIDNEY_ALPHA_BETA_GY,
        repair_half_time_h: float = KIDNEY_REPAIR_H) -> float:
    """Biologically effective dose (Gy) of a mono-exponentially decaying dose rate (Dale 1985)."""
    mu = math.log(2.0) / repair_half_time_h
    lam = float(lambda_eff_per_h)
    return float(dose_gy) * (1.0 + float(dose_gy) / alpha_beta_gy * lam / (mu + lam))
