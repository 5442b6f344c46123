"""3D-SSP on a sphere: the maximum within 13.5 mm inward is projected, deeper uptake is not, and each
view shows the side it faces."""

import numpy as np

from workstation.analysis.brain import ssp


def _sphere(n=41, r=15):
    k, j, i = np.indices((n, n, n)) - n // 2
    return (k * k + j * j + i * i) <= r * r


def test_depth_limit_and_side():
    n, r, sp = 61, 25, 1.0
    brain = _sphere(n, r)
    x_lps = (np.arange(n) - n // 2) * sp
    model = ssp.build_surface(brain, x_lps, sp, depth_mm=13.5)
    img = np.where(brain, 1.0, 0.0)
    c = n // 2
    img[c, c, c + r - 10] = 50.0  # 10 mm under the surface on the patient's left (+x LPS)
    img[c - 6, c, c - r + 20] = 80.0  # 20 mm under the right surface (30 mm under the left): too deep for both
    p = ssp.project(img, model)
    assert np.nanmax(p["left_lateral"]) > 10.0  # the shallow spot shows (interpolated, blurred)
    assert np.nanmax(p["right_lateral"]) < 1.5  # neither the left spot nor the deep right spot
    # the left spot's row/col in the left-lateral image: rows top=superior (k decreasing), cols anterior first (j)
    rr, cc = np.unravel_index(np.nanargmax(p["left_lateral"]), p["left_lateral"].shape)
    assert (rr, cc) == (n - 1 - c, c)


def test_views_cover_the_brain_silhouette():
    n = 31
    brain = _sphere(n, 10)
    model = ssp.build_surface(brain, (np.arange(n) - n // 2) * 2.0, 2.0)
    assert set(model.views) == set(ssp.VIEWS)
    silhouette = brain.any(axis=2).sum()
    assert len(model.views["right_lateral"].rows) == silhouette
    med = model.views["right_medial"]
    assert 0 < len(med.rows) <= silhouette


def test_stack_unstack_roundtrip():
    n = 21
    brain = _sphere(n, 7)
    model = ssp.build_surface(brain, (np.arange(n) - n // 2) * 2.0, 2.0)
    rng = np.random.default_rng(0)
    p = ssp.project(rng.random(brain.shape).astype(np.float32), model)
    back = ssp.unstack(ssp.stack(p), model)
    for v in ssp.VIEWS:
        np.testing.assert_array_equal(np.isnan(back[v]), np.isnan(p[v]))
        np.testing.assert_allclose(np.nan_to_num(back[v]), np.nan_to_num(p[v]))
