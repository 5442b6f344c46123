"""Scanner description: where each detection bin is, as the projector needs it.

A PETSIRD scanner is a list of replicated modules, each a replicated box-shaped crystal. We
flatten that into one row per detecting element: the centre of the crystal's *front face*
(the face nearest the scanner axis, the crystal's local ``x = min`` face), its outward normal and
its face area. Lines of response (LORs) run between front-face centres (no depth of interaction).

Detection bin ``b`` of a single-module-type scanner maps to element ``b // n_energy_bins``
(PETSIRD: bin = energy + (element + module * n_elements) * n_energy).

The geometric sensitivity of a crystal pair to a source on their LOR (Crofton's formula for an
isotropic emitter, both photons counted) is ``A_i cos(t_i) A_j cos(t_j) / (2 pi r_ij^2)``, so
the expected number of true coincidences on LOR ij is::

    T * calibration_factor * eff_i * eff_j * att_ij * g_ij * integral(a dl)

with ``a`` in Bq/mm^3 and the line integral in mm: the image comes out in Bq/mm^3 and times 1000
in Bq/mL. This is how the calibration is traceable to the scanner description.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np


class ScannerError(ValueError):
    """The scanner description cannot be used by this plugin (message says why)."""


@dataclass
class Scanner:
    face_centres: np.ndarray  # (n, 3) float64, mm, scanner coordinates
    normals: np.ndarray  # (n, 3) unit vectors pointing away from the axis
    areas: np.ndarray  # (n,) mm^2
    efficiencies: np.ndarray  # (n,) detection-bin efficiencies (1 when absent)
    tof_edges: np.ndarray  # (nbins + 1,) mm, PETSIRD convention (t1 - t2) * c / 2
    tof_fwhm_mm: float
    calibration_factor: float = 1.0
    n_energy_bins: int = 1
    model_name: str = "scanner"
    # convenience for cylindrical scanners built here (None when read from an arbitrary file)
    radius: float | None = None
    n_per_ring: int | None = None
    n_rings: int | None = None

    @property
    def n_detectors(self) -> int:
        return int(self.face_centres.shape[0])

    @property
    def n_tof_bins(self) -> int:
        return int(self.tof_edges.size - 1)

    def fingerprint(self) -> str:
        """Hash of everything the sensitivity image depends on."""
        h = hashlib.sha256()
        for a in (self.face_centres, self.normals, self.areas, self.efficiencies):
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        h.update(repr(float(self.calibration_factor)).encode())
        return h.hexdigest()[:16]

    def geometric_factor(self, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
        """g_ij = A_i |cos t_i| A_j |cos t_j| / (2 pi r^2) for detector index arrays."""
        v = self.face_centres[d2] - self.face_centres[d1]
        r2 = np.einsum("ij,ij->i", v, v)
        r = np.sqrt(r2)
        u = v / np.maximum(r, 1e-9)[:, None]
        c1 = np.abs(np.einsum("ij,ij->i", u, self.normals[d1]))
        c2 = np.abs(np.einsum("ij,ij->i", u, self.normals[d2]))
        return self.areas[d1] * c1 * self.areas[d2] * c2 / (2.0 * math.pi * np.maximum(r2, 1e-9))


def cylindrical_scanner(radius: float = 180.0, n_per_ring: int = 180, n_rings: int = 12,
                        ring_pitch: float = 6.0, crystal_depth: float = 20.0, tof_fwhm_mm: float = 60.0,
                        n_tof_bins: int = 15, tof_range_mm: float | None = None,
                        efficiencies: np.ndarray | None = None, calibration_factor: float = 1.0,
                        model_name: str = "WS-SIM") -> Scanner:
    """A ring scanner: crystal j of ring r at angle 2 pi j / n_per_ring, axial centre (r - (n-1)/2) pitch.

    Crystal faces are ``2 pi R / n_per_ring`` wide so that they tile the cylinder the simulator
    samples. TOF bins span ``+-tof_range_mm`` (default: the ring radius).
    """
    phi = 2 * np.pi * np.arange(n_per_ring) / n_per_ring
    z = (np.arange(n_rings) - (n_rings - 1) / 2) * ring_pitch
    # element order: module = angular position, element = ring (as written to PETSIRD)
    P, Z = np.meshgrid(phi, z, indexing="ij")
    P, Z = P.ravel(), Z.ravel()
    centres = np.stack([radius * np.cos(P), radius * np.sin(P), Z], axis=1)
    normals = np.stack([np.cos(P), np.sin(P), np.zeros_like(P)], axis=1)
    width = 2 * np.pi * radius / n_per_ring
    areas = np.full(P.size, width * ring_pitch)
    rng = tof_range_mm if tof_range_mm is not None else radius
    edges = np.linspace(-rng, rng, n_tof_bins + 1)
    eff = np.ones(P.size) if efficiencies is None else np.asarray(efficiencies, float)
    s = Scanner(centres, normals, areas, eff, edges, float(tof_fwhm_mm), float(calibration_factor), 1, model_name,
                float(radius), int(n_per_ring), int(n_rings))
    s.crystal_depth = float(crystal_depth)  # type: ignore[attr-defined]
    s.ring_pitch = float(ring_pitch)  # type: ignore[attr-defined]
    return s
