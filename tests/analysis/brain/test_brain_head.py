"""The head is found in a whole-body and in a brain-only PET; a PET without a head is refused."""

import numpy as np
import pytest

from workstation.analysis.brain.head import NoHeadFound, find_head
from workstation.core.geometry import ImageGeometry
from workstation.testing.brain_cohort import make_subject


@pytest.mark.parametrize("fov,voxel", [("whole-body", 6.0), ("brain", 4.0)])
def test_head_found(fov, voxel):
    vol, truth = make_subject(11, "normal", fov=fov, voxel_mm=voxel)
    h = find_head(vol.array, vol.geometry)
    centre_true = truth.mni_to_scanner([[0.0, 17.0, 15.0]])[0]  # MNI centre of the brain (LPS)
    assert np.linalg.norm(np.array(h.brain_centre_world) - centre_true) < 20.0
    assert h.mode == ("whole-body" if fov == "whole-body" else "brain")
    # the crop holds the brain: the bladder (hottest spot of the whole body) is not in it
    assert h.geometry.shape[0] * voxel < 300


def test_no_head_in_an_extremity_crop():
    a = np.full((30, 30, 30), 1.0, np.float32)
    a[12:16, 12:16, 12:16] = 20.0  # a small hot tumour
    with pytest.raises(NoHeadFound, match="brain-sized"):
        find_head(a, ImageGeometry(a.shape, (5.0, 5.0, 3.3)))


def test_real_sts_pet_has_no_head(refdata):
    from workstation.io.loader import load_pet_folder

    vol = load_pet_folder(refdata / "ibsi-sts-petctmr" / "STS_002" / "PET")
    with pytest.raises(NoHeadFound):
        find_head(vol.array, vol.geometry)


def test_cropped_through_the_brain_is_refused():
    vol, _t = make_subject(12, "normal", voxel_mm=4.0)
    a = vol.array[:, :, : vol.array.shape[2] // 2]  # half the head cut away in the transverse plane
    with pytest.raises(NoHeadFound):
        find_head(a, vol.geometry.with_shape(a.shape))
