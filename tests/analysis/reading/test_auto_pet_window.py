"""The automatic PET window (PET without SUV) from a subsample of the display grid.

Reference: the former definition, the 99.5th percentile of the positive values of the PET resampled
(linearly) onto the whole display grid (``PetOnView.volume``, scipy's affine resampling), computed
here with NumPy. The window now interpolates the PET at a sample of the display voxels about as dense
as the PET (``PetOnView.sample_values``) instead of resampling every plane; on the demo study (a noisy
whole-body PET on a 262² x 300 display grid) it must agree within ``TOLERANCE`` whatever the seed of
the sample (the largest error seen over seeds 0-4 was 0.9 %).
"""

from __future__ import annotations

import numpy as np
import pytest

from workstation.analysis.reading.session import ReadingSession
from workstation.analysis.reading.pet_view import PetOnView
from workstation.core.geometry import ImageGeometry
from workstation.testing import synthetic_study as syn

#: the most the subsampled window may differ from the whole resampled display's (relative)
TOLERANCE = 0.02


def _resampled_window(view: PetOnView) -> float:
    vol = view.volume()
    return float(np.percentile(vol[vol > 0], 99.5))


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory):
    from workstation.demo.study import write_demo_study
    from workstation.analysis.reading.study_open import open_folder

    out = tmp_path_factory.mktemp("demo_window")
    write_demo_study(out, seed=0)
    return open_folder(out)


def test_demo_study_window_equals_the_resampled_one_within_tolerance(demo_session):
    s = demo_session
    own = s._auto_pet_window()
    ref = _resampled_window(s.pet_view)
    assert own[0] == 0.0
    assert own[1] == pytest.approx(ref, rel=TOLERANCE)
    for seed in range(1, 5):
        vals = s.pet_view.sample_values(seed=seed)
        assert float(np.percentile(vals[vals > 0], 99.5)) == pytest.approx(ref, rel=TOLERANCE)
    # the PET's own voxels would not do: linear interpolation smooths the noise, and the percentile
    # of the raw voxels is well above the one shown (so the test can tell the two definitions apart)
    src = s.pet_view.source
    assert float(np.percentile(src[src > 0], 99.5)) > ref * (1 + 3 * TOLERANCE)


def test_all_display_voxels_give_the_resampled_values_exactly():
    # a small CT inside a larger PET (no union of the fields of view): the PET outside the CT is not shown
    ct, pet = syn.make_ct(), syn.make_pet(origin=(-99.0, -99.0, -81.0))
    s = ReadingSession(ct, pet, mip_frames=4, union_fov=False)
    view = s.pet_view
    assert view.display == ct.geometry  # 4 mm CT voxels, 6 mm PET voxels: a block is one display voxel
    vals = view.sample_values()  # so every display voxel is sampled
    np.testing.assert_allclose(np.sort(vals), np.sort(view.volume().reshape(-1)), rtol=1e-5, atol=1e-3)


def test_rotated_transform_subsample_equals_the_resampled_values():
    # a display rotated 30 degrees about z against the PET: the general (map_coordinates) road
    pet_geo = ImageGeometry((10, 12, 14), (2.0, 2.0, 2.0), (0.0, 0.0, 0.0))
    rng = np.random.default_rng(1)
    src = rng.uniform(0.0, 100.0, pet_geo.shape).astype(np.float32)
    disp = ImageGeometry((9, 15, 16), (1.5, 1.5, 1.5), (-4.0, -2.0, -1.0))
    c, s_ = np.cos(np.radians(30)), np.sin(np.radians(30))
    t = np.eye(4)
    t[:3, :3] = [[c, -s_, 0], [s_, c, 0], [0, 0, 1]]
    t[:3, 3] = [6.0, 1.0, 0.5]
    view = PetOnView(src, pet_geo, disp, t)
    full = view.volume().reshape(-1)
    assert 0 < np.count_nonzero(full == 0.0) < full.size  # part of the display lies outside the PET
    # display voxels (1.5 mm) finer than the PET's (2 mm): a block is one display voxel, all are sampled
    np.testing.assert_allclose(np.sort(view.sample_values()), np.sort(full), rtol=1e-5, atol=1e-3)
    sub = view.sample_values(max_points=5 ** 3)  # a budget of 125 points: fewer blocks per axis
    assert 50 < sub.size <= 5 ** 3 and np.isin(np.round(sub, 3), np.round(full, 3)).all()


def test_the_point_budget_holds_without_rotation_too():
    """A display grid much finer than the PET (1 mm lattice, 4 mm PET voxels) is sampled within the budget
    (here a third of the PET's voxels), and the window from the budgeted sample stays within the tolerance
    of the whole resampled display whatever the seed (largest error seen over seeds 0-4: 1.5 %)."""
    from scipy import ndimage

    pet_geo = ImageGeometry((30, 40, 40), (4.0, 4.0, 4.0), (0.0, 0.0, 0.0))
    rng = np.random.default_rng(2)
    src = ndimage.uniform_filter(rng.gamma(2.0, 1.0, pet_geo.shape), 3).astype(np.float32)
    disp = ImageGeometry((120, 160, 160), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
    view = PetOnView(src, pet_geo, disp, np.eye(4))
    full = view.volume()
    ref = float(np.percentile(full[full > 0], 99.5))
    assert view.sample_values().size == src.size  # without a budget: one point per PET voxel
    for seed in range(5):
        vals = view.sample_values(seed=seed, max_points=16_000)
        assert 8_000 < vals.size <= 16_000
        assert float(np.percentile(vals[vals > 0], 99.5)) == pytest.approx(ref, rel=TOLERANCE)
