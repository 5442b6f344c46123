"""Reference VOIs (liver sphere, blood-pool cylinder), the PERCIST threshold and the Deauville surrogate by hand."""

import math

import numpy as np
import pytest

from workstation.analysis.lesions import references as Q
from workstation.analysis.errors import QuantError
from workstation.analysis.followup.response import deauville_points
from workstation.core.geometry import ImageGeometry
from workstation.testing.phantoms import world_grid


def test_liver_reference_percist_and_deauville():
    g = ImageGeometry((40, 40, 40), (3.0, 3.0, 3.0), origin=(-60, -60, -60))
    v = np.random.default_rng(0).normal(2.0, 0.3, g.shape).astype(np.float32)
    liver = Q.liver_reference(v, g, (0, 0, 0))
    x = v[np.sum(world_grid(g) ** 2, axis=-1) <= 15.0 ** 2].astype(np.float64)
    assert liver.voxels == x.size and liver.mean == pytest.approx(x.mean(), rel=1e-9)
    assert liver.std == pytest.approx(x.std(), rel=1e-6)
    assert Q.percist_threshold(liver) == pytest.approx(1.5 * x.mean() + 2 * x.std(), rel=1e-6)
    blood = Q.blood_pool_reference(v, g, (0, 0, 0))
    assert blood.volume_ml == pytest.approx(math.pi * 0.5 ** 2 * 2.0, rel=0.35)  # 1 cm × 2 cm cylinder, 3 mm voxels
    assert Q.percist_threshold(blood_pool=blood) == pytest.approx(2.0 * blood.mean + 2 * blood.std)
    with pytest.raises(QuantError, match="liver"):
        Q.percist_threshold()
    with pytest.raises(QuantError, match="field of view"):
        Q.liver_reference(v, g, (900, 0, 0))
    med = Q.ReferenceVOI("blood_pool", "cylinder", (0, 0, 0), (10, 20), 10, 1.0, 1.5, 0.1, 1.8)
    liv = Q.ReferenceVOI("liver", "sphere", (0, 0, 0), (30,), 100, 14.0, 2.2, 0.2, 2.9)
    # the one Deauville rule (analysis.followup.response) on the reference VOIs' means: 2 <= 1.5 < 3 <= 2.2 < 4 <= 4.4 < 5
    assert [deauville_points(s, med.mean, liv.mean) for s in (1.2, 1.5, 2.0, 2.2, 4.0, 4.4, 4.5)] == [2, 2, 3, 3, 4, 4, 5]
    assert deauville_points(None, med.mean, liv.mean) == 1
    assert not hasattr(Q, "deauville_score")  # one function, in analysis.followup.response
