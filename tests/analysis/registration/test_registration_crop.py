"""Cross-modality MI registration (PET→CT, different frames of reference) on the real STS crops (5 cm around
the tumour), the CT cut further to a partial field of view: a PET shifted by a known translation is brought
to the same place as the unshifted one within 2 mm (the start does not decide the result), the optimum is
clear (two starts agree), the metric improves, and the crop does not send the optimiser away (within 10 mm of
the scanner's alignment).

Why not "within 2 mm of the scanner's alignment": on these crops the Mattes MI optimum of PET vs CT is not
the scanner's alignment. Measured (full CT crops, translation only): 4.0 mm (STS_002) and 8.0 mm (STS_005) away,
the same from every start (translation-only runs from four starts end within 0.1 mm of each other); with the
CT cut as here: 6.1 mm (STS_002, rigid, 6.4° rotation) and 7.9 mm (STS_005: the two rigid starts disagree, so
the translation alone is proposed, with a warning). The optimiser finds the metric's optimum; the metric's
optimum is elsewhere on this data.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from workstation.analysis.registration import rigid as rg
from workstation.core.geometry import ImageGeometry

STS = Path(__file__).resolve().parents[3].parent / "shared" / "refdata" / "ibsi-sts-petctmr"
SHIFT = np.array([7.0, -5.0, 4.0])


def _load(patient, modality):
    from workstation.io.loader import load_series

    return load_series(sorted((STS / patient / modality / "image").glob("*")))


def _relabelled(pet, truth, uid="1.2.826.0.1.3680043.99.2"):
    """The PET with its world moved by ``truth`` (no resampling) and another frame of reference."""
    g = pet.geometry
    geo = ImageGeometry(g.shape, g.spacing, truth[:3, :3] @ np.asarray(g.origin) + truth[:3, 3],
                        truth[:3, :3] @ np.asarray(g.direction))
    return dataclasses.replace(pet, geometry=geo, frame_of_reference_uid=uid)


def _cropped(ct, keep=0.7):
    """The CT cut to its middle ``keep`` fraction in z and x (a partial field of view)."""
    nz, ny, nx = ct.shape
    z0, x0 = int(nz * (1 - keep) / 2), int(nx * (1 - keep) / 2)
    arr = np.ascontiguousarray(ct.array[z0:nz - z0, :, x0:nx - x0])
    g = ct.geometry
    origin = g.kji_to_world(np.array([float(z0), 0.0, float(x0)]))
    return dataclasses.replace(ct, array=arr, geometry=ImageGeometry(arr.shape, g.spacing, origin, g.direction))


def _err(a, b, pts):
    return float(np.max(np.linalg.norm(pts @ a[:3, :3].T + a[:3, 3] - (pts @ b[:3, :3].T + b[:3, 3]), axis=1)))


def _points(v):
    c = v.geometry.center_world()
    return np.array([c] + [c + s * 25.0 * e for e in np.eye(3) for s in (-1, 1)])


@pytest.mark.slow
@pytest.mark.parametrize("patient", ["STS_002", "STS_005"])
def test_cropped_shifted_pet_ct_lands_where_the_unshifted_one_does(patient):
    if not STS.is_dir():
        pytest.skip(f"reference data not present at {STS}")
    pet, ct = _load(patient, "PET"), _cropped(_load(patient, "CT"))
    truth = np.eye(4)
    truth[:3, 3] = SHIFT
    pts = _points(pet)
    p0 = rg.propose_registration(ct, _relabelled(pet, np.eye(4)))
    p1 = rg.propose_registration(ct, _relabelled(pet, truth))
    for p in (p0, p1):
        assert not p.same_frame and p.determined and p.changes, p.warnings
        assert p.metric_after < p.metric_before
    # the shifted PET lands where the unshifted one does (moved by the known shift): within 2 mm
    assert _err(p1.after, truth @ p0.after, pts) < 2.0, (p0.summary(), p1.summary())
    # the crop does not send the optimiser away from the scanner's alignment (see the module docstring)
    assert _err(p0.after, np.eye(4), pts) < 10.0, p0.summary()
    assert _err(p1.after, truth, pts) < 10.0, p1.summary()
