"""Absorbed dose: LED constant from the energy per decay, the voxel kernel, DVK vs LED, DVH, BED."""

import math

import numpy as np
import pytest

from workstation.analysis.dosimetry.dose import (bed, dose_kernel, dose_percentiles, dvh, dvk_dose_map,
                                                 led_constant, led_dose_gy, loevinger_radial)
from workstation.core.vocabulary import NUCLIDES

LU = NUCLIDES["Lu-177"]


def test_led_constant_derived_from_the_energy_per_decay():
    # 0.14792 MeV/decay (ICRP 107) x 1.602176634e-13 J/MeV x 1e6 decays/s per MBq x 3600 s/h / 1e-3 kg/g
    k = 0.14792 * 1.602176634e-13 * 1e6 * 3600 / 1e-3
    assert led_constant(LU) == pytest.approx(k, rel=1e-12)
    assert round(k, 4) == 0.0853  # the rounded constant
    assert led_dose_gy(1000.0, 50.0, LU) == pytest.approx(k * 1000 / 50)


def test_nuclide_vocabulary_has_the_therapy_data():
    assert LU.half_life_s / 86400 == pytest.approx(6.647, abs=1e-4)
    for name in ("Y-90", "I-131", "Ga-68"):
        n = NUCLIDES[name]
        assert n.electron_energy_mev > 0 and n.beta_max_mev > n.electron_energy_mev and n.source


# mean electron energy emitted per decay (beta- + conversion + Auger), MeV, typed from ICRP Publication 107 (2008)
ICRP107_ELECTRON_MEV = {"Lu-177": 0.14792, "Y-90": 0.9336, "I-131": 0.1921}


@pytest.mark.parametrize("name,spacing", [("Lu-177", (1.95313,) * 3), ("Lu-177", (4.0, 3.0, 3.0)),
                                          ("Y-90", (4.0, 4.0, 4.0)), ("I-131", (2.0, 2.0, 2.0))])
def test_kernel_holds_the_electron_energy_per_decay(name, spacing):
    k = dose_kernel(NUCLIDES[name], spacing)
    assert k.energy_sum_mev == pytest.approx(ICRP107_ELECTRON_MEV[name], rel=1e-4)
    assert all(s % 2 == 1 for s in k.fractions.shape)
    f = k.fractions
    assert np.allclose(f, f[::-1, :, :], atol=2e-3) and np.allclose(f, f[:, :, ::-1], atol=2e-3)  # symmetric


def test_large_voxel_escape_matches_the_surface_formula():
    """For ranges much shorter than the voxel, the escaping fraction is S <r> / (4 V) (isotropic emitters,
    uniform in a convex body), with <r> the energy-weighted mean distance of the point kernel."""
    L = 12.0
    k = dose_kernel(LU, (L, L, L))
    r = np.linspace(1e-5, 6.0, 200001)
    g = loevinger_radial(r, LU.beta_max_mev)
    mean_r = float((g * r).sum() / g.sum())
    escape = 6 * L * L * mean_r / (4 * L ** 3)
    assert 1 - k.self_fraction == pytest.approx(escape, rel=0.05)


def test_dvk_of_a_large_uniform_sphere_tends_to_led_at_its_centre():
    sp = 2.0
    n = 41
    c = (n - 1) / 2
    kk, jj, ii = np.mgrid[:n, :n, :n]
    sphere = ((kk - c) ** 2 + (jj - c) ** 2 + (ii - c) ** 2) * sp ** 2 <= 30.0 ** 2
    decays = np.where(sphere, 1e12, 0.0)  # decays per voxel
    k = dose_kernel(LU, (sp, sp, sp))
    d = dvk_dose_map(decays, k)
    m_kg = sp ** 3 / 1000 / 1000
    led = 1e12 * LU.electron_energy_mev * 1.602176634e-13 / m_kg
    assert d[20, 20, 20] == pytest.approx(led, rel=1e-4)
    edge = d[20, 20, 20 + 15]  # the last voxel inside the surface loses energy outward
    assert edge < 0.95 * led


def test_dvh_and_percentiles_against_numpy():
    rng = np.random.default_rng(3)
    x = rng.gamma(4.0, 5.0, 5000)
    p = dose_percentiles(x)
    assert p["D2"] == pytest.approx(np.percentile(x, 98)) and p["D98"] == pytest.approx(np.percentile(x, 2))
    h = dvh(x)
    assert h["volume_fraction"][0] == 1.0
    i = 50
    assert h["volume_fraction"][i] == pytest.approx(np.mean(x >= h["dose_gy"][i]))
    assert all(a >= b for a, b in zip(h["volume_fraction"], h["volume_fraction"][1:]))


def test_bed_hand_value():
    # D = 20 Gy, T_eff 50 h, a/b 2.6 Gy, T_rep 2.8 h
    lam, mu = math.log(2) / 50, math.log(2) / 2.8
    assert bed(20.0, lam) == pytest.approx(20 * (1 + 20 / 2.6 * lam / (mu + lam)))


@pytest.mark.parametrize("name,radius_mm,voxel_mm", [("Lu-177", 6.0, 0.75), ("Y-90", 10.0, 1.0)])
def test_sphere_model_agrees_with_dvk_on_a_voxelised_sphere(name, radius_mm, voxel_mm):
    """Two independent routes to a sphere's mean self-dose: the chord-length sphere model (1-D integral) and the
    voxel kernel convolved with the voxelised sphere."""
    from workstation.analysis.dosimetry.dose import sphere_absorbed_fraction

    nuc = NUCLIDES[name]
    n = int(2 * (radius_mm + 12) / voxel_mm) | 1
    c = (n - 1) / 2
    kk, jj, ii = np.mgrid[:n, :n, :n]
    sphere = ((kk - c) ** 2 + (jj - c) ** 2 + (ii - c) ** 2) * voxel_mm ** 2 <= radius_mm ** 2
    k = dose_kernel(nuc, (voxel_mm,) * 3)
    d = dvk_dose_map(sphere.astype(float), k)  # one decay per voxel
    m_vox = voxel_mm ** 3 / 1e6  # kg
    mean_fraction = d[sphere].mean() / (nuc.electron_energy_mev * 1.602176634e-13 / m_vox)
    mass_g = sphere.sum() * voxel_mm ** 3 / 1000.0
    phi = sphere_absorbed_fraction(nuc, mass_g)
    assert mean_fraction == pytest.approx(phi, rel=0.02)
    assert (phi > 0.85) if name == "Lu-177" else (0.4 < phi < 0.8)
