"""Normal-database statistics against independent references (numpy polyfit / std, hand-worked values)."""

import numpy as np
import pytest

from workstation.analysis.brain import stats


def test_fit_without_regression_is_mean_and_sample_sd():
    rng = np.random.default_rng(1)
    Y = rng.normal(1.0, 0.1, (12, 30))
    ages = rng.uniform(50, 80, 12)
    f = stats.fit(stats.sums(Y, ages, 65.0), 65.0, regress=False)
    np.testing.assert_allclose(f.mean0, Y.mean(0), rtol=1e-12)
    np.testing.assert_allclose(f.sd, Y.std(0, ddof=1), rtol=1e-10)
    np.testing.assert_allclose(f.z(Y[0], 70.0), (Y[0] - Y.mean(0)) / Y.std(0, ddof=1), rtol=1e-9)


def test_fit_with_regression_matches_polyfit_and_residual_sd():
    rng = np.random.default_rng(2)
    ages = rng.uniform(40, 85, 25)
    y = 1.2 - 0.004 * (ages - 60) + rng.normal(0, 0.05, 25)
    f = stats.fit(stats.sums(y[:, None], ages, 60.0), 60.0, regress=True)
    slope, icpt = np.polyfit(ages - 60.0, y, 1)
    res = y - (icpt + slope * (ages - 60.0))
    assert f.slope[0] == pytest.approx(slope, rel=1e-9)
    assert f.mean0[0] == pytest.approx(icpt, rel=1e-9)
    assert f.sd[0] == pytest.approx(np.sqrt((res ** 2).sum() / 23), rel=1e-8)
    assert f.expected(70.0)[0] == pytest.approx(icpt + slope * 10.0, rel=1e-9)


@pytest.mark.parametrize("regress", [False, True])
def test_leave_one_out_by_subtraction_equals_refit(regress):
    rng = np.random.default_rng(3)
    ages = rng.uniform(40, 85, 10)
    Y = rng.normal(1, 0.1, (10, 7))
    s = stats.sums(Y, ages, 62.0)
    loo = stats.fit(stats.minus(s, Y[4], ages[4], 62.0), 62.0, regress)
    keep = np.arange(10) != 4
    ref = stats.fit(stats.sums(Y[keep], ages[keep], 62.0), 62.0, regress)
    np.testing.assert_allclose(loo.mean0, ref.mean0, rtol=1e-9)
    np.testing.assert_allclose(loo.sd, ref.sd, rtol=1e-7)


def test_asymmetry_index_hand_worked():
    # L 1.10, R 0.90: 200 * 0.20 / 2.00 = 20 %
    assert stats.asymmetry(1.10, 0.90) == pytest.approx(20.0)
    assert stats.asymmetry(0.95, 1.05) == pytest.approx(-10.0)


def test_clusters_volume_peak_and_minimum_size():
    z = np.zeros((10, 10, 10))
    z[1:3, 1:3, 1:3] = -2.5  # 8 voxels
    z[2, 2, 2] = -4.0
    z[7:9, 7:9, 7] = -3.0  # 4 voxels
    z[5, 5, 5] = -6.0  # 1 voxel
    mask = np.ones(z.shape, bool)
    cl = stats.clusters(z, mask, voxel_ml=0.25, min_ml=1.0)  # 4 voxels = 1 mL
    assert [c["volume_ml"] for c in cl] == [2.0, 1.0]
    assert cl[0]["peak_z"] == -4.0 and cl[0]["peak_kji"] == (2, 2, 2)
    assert cl[0]["mean_z"] == pytest.approx((7 * -2.5 - 4.0) / 8)
    assert cl[1]["peak_z"] == -3.0
    mask[:, :, 7] = False
    assert len(stats.clusters(z, mask, 0.25, min_ml=1.0)) == 1


def test_pattern_score_sums_minus_z_below_threshold():
    z = np.array([-1.0, -2.0, -3.5, -5.0, 1.0, np.nan])
    m = np.array([True, True, True, False, True, True])
    # voxels -2.0 and -3.5 count: (2.0 + 3.5) * 0.5 mL
    assert stats.pattern_score(z, m, 0.5) == pytest.approx(2.75)


def test_calibrated_min_extent_hand_worked():
    # 4 normals, target 0.5/normal -> at most 2 clusters may remain. Volumes (mL, voxel 0.5 mL):
    # all clusters sorted: 6.0, 4.0, 3.0, 2.0, 1.0, 0.5 -> the 3rd largest (3.0) must go: extent 3.5 mL
    vols = [[6.0, 1.0], [4.0], [], [3.0, 2.0, 0.5]]
    ext = stats.calibrate_min_extent(vols, 0.5, target=0.5)
    assert ext == pytest.approx(3.5)
    kept = sum(v >= ext for vs in vols for v in vs)
    assert kept / len(vols) <= 0.5
    assert sum(v >= ext - 0.5 for vs in vols for v in vs) / len(vols) > 0.5  # one voxel less breaks the rate
    # few clusters: the floor (1 mL) holds
    assert stats.calibrate_min_extent([[0.5], [], [], []], 0.5, target=0.5) == pytest.approx(1.0)
    # ties at the cut: every cluster of the cut size goes
    assert stats.calibrate_min_extent([[2.0], [2.0], [2.0], [2.0]], 0.5, target=0.5) == pytest.approx(2.5)
    with pytest.raises(ValueError):
        stats.calibrate_min_extent([], 0.5)
