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


@pytest.mark.slow
def test_mr_guided_recovers_the_pet_t1_offset_and_the_warp():
    """PET -> T1 rigid (Mattes MI) finds the generator's known PET<->T1 offset; the composed MNI -> T1 -> PET
    mapping matches the known one at landmarks; the T1 lands on the MNI T1 template."""
    from workstation.analysis.brain.normalize import normalise_mr_guided
    from workstation.testing.brain_cohort import make_t1

    space = load_mni(8.0)
    vol, truth = make_subject(22, "normal", voxel_mm=4.0)
    t1, t1t = make_t1(truth, 22, voxel_mm=3.0)
    h = find_head(vol.array, vol.geometry)
    pet = smooth(h.array, 8.0, h.geometry.spacing[0])
    lms = np.array([[x, y, z] for x in (-40.0, 40.0) for y in (-20.0, 30.0, 70.0) for z in (-10.0, 20.0, 45.0)])
    p_pet = truth.mni_to_scanner(lms)
    inv = np.linalg.inv(t1t.t1_to_pet)
    p_t1 = p_pet @ inv[:3, :3].T + inv[:3, 3]
    assert np.linalg.norm(p_t1 - p_pet, axis=1).mean() > 8.0  # the offset is not trivial
    n = normalise_mr_guided(pet, h.geometry, t1.array, t1.geometry, load_mni(4.0), pseudo_fdg(space, 10.0),
                            space.geometry, space.brain)
    rig = np.array([n.pet_to_t1.TransformPoint(tuple(map(float, q))) for q in p_t1])
    assert np.linalg.norm(rig - p_pet, axis=1).mean() < 2.0
    err = np.linalg.norm(n.mni_to_pet(lms) - p_pet, axis=1)
    assert err.mean() < 3.0, err
    assert n.method["mode"] == "MR-guided" and n.t1_on_mni.shape == space.geometry.shape
    assert n.method["t1_correlation_with_t1_template"] > 0.8
