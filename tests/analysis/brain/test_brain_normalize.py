"""PET-only normalisation recovers a known affine + nonlinear warp (landmark error)."""

import numpy as np
import pytest

from workstation.analysis.brain.head import find_head
from workstation.analysis.brain.normalize import normalise
from workstation.analysis.brain.template import load_mni, pseudo_fdg, smooth
from workstation.testing.brain_cohort import make_subject


@pytest.mark.slow
def test_landmark_error_after_known_warp():
    space = load_mni(4.0)
    vol, truth = make_subject(21, "normal", voxel_mm=3.0)
    h = find_head(vol.array, vol.geometry)
    pet = smooth(h.array, 8.0, h.geometry.spacing[0])
    lms = np.array([[x, y, z] for x in (-40.0, 40.0) for y in (-20.0, 30.0, 70.0) for z in (-10.0, 20.0, 45.0)])
    before = np.linalg.norm(lms - truth.mni_to_scanner(lms), axis=1).mean()
    n = normalise(pet, h.geometry, pseudo_fdg(space, 10.0), space.geometry, space.brain)
    err = np.linalg.norm(n.mni_to_pet(lms) - truth.mni_to_scanner(lms), axis=1)
    assert before > 10.0  # the warp is not trivial
    assert err.mean() < 3.0, err
    assert n.correlation > 0.9
