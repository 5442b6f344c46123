"""Region statistics by hand: count, volume, min/max/mean/median/std/sum, TLG, SUVmax and SUVpeak positions."""

import math

import numpy as np
import pytest

from workstation.analysis.lesions import regions as Q
from workstation.analysis.lesions import shapes as S
from workstation.analysis.errors import QuantError
from workstation.core.geometry import ImageGeometry
from workstation.kernels.peak import PEAK_RADIUS_MM
from workstation.kernels.reference import sphere_mean_ref


def test_region_stats_by_hand():
    g = ImageGeometry((20, 22, 24), (2.0, 2.5, 3.0), origin=(10, -20, 30))
    rng = np.random.default_rng(3)
    v = rng.gamma(3.0, 1.0, g.shape).astype(np.float32)
    m = S.sphere_mask(g, g.ijk_to_world((12, 11, 9)), 12.0)
    st = Q.region_stats(v, m, g)
    x = v[m].astype(np.float64)
    vol = x.size * 2.0 * 2.5 * 3.0 / 1000.0
    assert st.voxels == x.size and st.volume_ml == pytest.approx(vol)
    assert st.mean == pytest.approx(x.mean(), rel=1e-10)
    assert st.median == pytest.approx(np.median(x), rel=1e-7)
    assert st.std == pytest.approx(x.std(), rel=1e-7)
    assert st.sum == pytest.approx(x.sum(), rel=1e-10)
    assert (st.min, st.max) == (x.min(), x.max())
    assert st.tlg == pytest.approx(x.mean() * vol, rel=1e-10)
    kmax = np.unravel_index(np.argmax(np.where(m, v, -np.inf)), v.shape)
    np.testing.assert_allclose(st.max_world, g.kji_to_world(kmax))
    means = sphere_mean_ref(v, g.spacing, PEAK_RADIUS_MM)
    assert st.suvpeak == pytest.approx(means[m].max(), rel=1e-12)
    kpk = np.unravel_index(np.argmax(np.where(m, means, -np.inf)), v.shape)
    np.testing.assert_allclose(st.peak_world, g.kji_to_world(kpk))


def test_region_stats_empty_and_bad_shape():
    g = ImageGeometry((5, 6, 7), (1, 1, 1))
    v = np.ones(g.shape, np.float32)
    st = Q.region_stats(v, np.zeros(g.shape, bool), g)
    assert st.voxels == 0 and math.isnan(st.mean) and st.suvpeak is None
    with pytest.raises(QuantError, match="shape"):
        Q.region_stats(v, np.zeros((5, 6, 6), bool), g)
