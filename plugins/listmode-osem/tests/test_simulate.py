"""The list-mode simulator: exact attenuation line integral against its fine-step twin, count rate by hand."""

import math

import numpy as np
import pytest

from osem_fixtures import small_scanner

# NEMA-like body made of the simulator's shape kinds (numbers chosen here, no refdata needed)
SHAPES = [(3, (35.0, -80.0, 110.0, 0, 0, 0, 0, 0), 0.0, 0.110),
          (2, (35.0, -70.0, 100.0, 3.0, 0, 0, 0, 0), 5.3, 0.096),
          (1, (0.0, 0.0, 25.0, -70.0, 100.0, 0, 0, 0), 0.0, 0.030),
          (0, (57.0, 0.0, 0.0, 18.5, 0, 0, 0, 0), 21.2, 0.096)]


def test_exact_mu_integral_matches_fine_step_twin():
    from listmode_osem import _kernels_sim as k
    from listmode_osem.simulate import _pack

    kinds, params, _, mu = _pack(SHAPES)
    buf = np.empty(k.MAX_CROSSINGS_PER_SHAPE * len(SHAPES) + 2)
    rng = np.random.default_rng(0)
    R = 180.0
    diffs, totals, lines = [], [], []
    for _ in range(400):
        p = rng.uniform([-120, -100, -40], [120, 100, 40])
        u = rng.normal(size=3)
        u[2] *= 0.2  # mostly transverse lines, as the scanner sees them
        u /= np.linalg.norm(u)
        A = u[0] ** 2 + u[1] ** 2
        B = 2 * (p[0] * u[0] + p[1] * u[1])
        C = p[0] ** 2 + p[1] ** 2 - R * R
        sq = math.sqrt(B * B - 4 * A * C)
        t1, t2 = (-B - sq) / (2 * A), (-B + sq) / (2 * A)
        fast = k.mu_integral_exact(kinds, params, mu, *p, *u, t1, t2, buf)
        fine = k.mu_integral_fine(kinds, params, mu, *p, *u, t1, t2, 0.01)
        diffs.append(fast - fine)
        lines.append((p, u, t1, t2))
        totals.append(fine)
    diffs = np.abs(diffs)
    assert max(totals) > 2.0  # lines really cross the body (mu in 1/mm: 0.0096 x 200 mm)
    # the twin's midpoint rule errs by at most step/2 x (mu jump) per crossing: 0.005 mm x 0.011/mm each
    assert diffs.max() < 3e-4, diffs.max()
    # ... and converges to the exact value as its step shrinks (10x finer: 10x closer)
    worst = 0.0
    for p, u, t1, t2 in lines[:25]:
        fast = k.mu_integral_exact(kinds, params, mu, *p, *u, t1, t2, buf)
        worst = max(worst, abs(fast - k.mu_integral_fine(kinds, params, mu, *p, *u, t1, t2, 0.001)))
    assert worst < 3e-5, worst


def test_point_source_in_water_sphere_count_rate():
    """Trues = decays x axial acceptance h / sqrt(R^2 + h^2) x exp(-mu 2 r_sphere) for a centred point source."""
    from listmode_osem import simulate as sim

    s = small_scanner(radius=120.0, n_per_ring=96, n_rings=6, ring_pitch=6.0)
    a_bqml = 4.0e7
    shapes = [(0, (0.0, 0.0, 0.0, 50.0, 0, 0, 0, 0), 0.0, 0.096),
              (0, (0.0, 0.0, 0.0, 1.0, 0, 0, 0, 0), a_bqml, 0.096)]
    duration = 1.0
    prompts, is_true, delayeds, stats = sim.simulate(s, shapes, duration, 0.0, seed=4)
    decays = a_bqml / 1000.0 * (4 / 3 * math.pi * 1.0 ** 3) * duration
    h = 3 * 6.0
    expected = decays * h / math.hypot(120.0, h) * math.exp(-0.0096 * 100.0)
    assert stats["trues"] == pytest.approx(expected, abs=4 * math.sqrt(expected))
    assert is_true.all() and len(delayeds) == 0
    again = sim.simulate(s, shapes, duration, 0.0, seed=4)[0]
    np.testing.assert_array_equal(again, prompts)  # deterministic for a seed, whatever the thread count


def test_sampling_box_is_the_active_region():
    from listmode_osem.simulate import _union_box, shape_box

    lo, hi = _union_box(SHAPES, 2)
    np.testing.assert_allclose(lo, [-150.0, -115.0, -70.0])
    np.testing.assert_allclose(hi, [150.0, 115.0, 100.0])
    np.testing.assert_allclose(shape_box(0, (1, 2, 3, 4)), [[-3, -2, -1], [5, 6, 7]])


def test_activity_layers_sample_the_same_distribution():
    """A hot sphere in a warm cylinder: layered sampling gives the count of plain rejection sampling."""
    from listmode_osem import simulate as sim

    s = small_scanner(radius=120.0, n_per_ring=96, n_rings=6, ring_pitch=6.0)
    shapes = [(1, (0.0, 0.0, 60.0, -30.0, 30.0, 0, 0, 0), 4.0e3, 0.096),
              (0, (30.0, -20.0, 0.0, 10.0, 0, 0, 0, 0), 6.0e4, 0.096),
              (1, (-25.0, 10.0, 10.0, -30.0, 30.0, 0, 0, 0), 0.0, 0.096)]
    a = sim.simulate(s, shapes, 0.5, 0.0, seed=1)
    b = sim.simulate(s, shapes, 0.5, 0.0, seed=2, layered=False)
    na, nb_ = a[3]["trues"], b[3]["trues"]
    assert a[3]["decays_sampled_box"] < 0.5 * b[3]["decays_sampled_box"]  # the point of the layers
    assert abs(na - nb_) < 4 * math.sqrt(na + nb_), (na, nb_)
    # and where they land: the hot sphere's side of the ring sees the same share of hits
    side = lambda p: np.mean(np.cos(2 * np.pi * (p[:, :2] // 6) / 96 - np.arctan2(-20, 30)))  # noqa: E731
    assert side(a[0]) == pytest.approx(side(b[0]), abs=4 / math.sqrt(min(na, nb_)))


def test_ellipsoid_and_elliptic_cylinder_kinds():
    """Kinds 4 (ellipsoid) and 5 (elliptic z-cylinder): inside test by hand, exact mu integral against
    the fine-step twin, and the chord of a line along a principal axis by hand."""
    from listmode_osem import _kernels_sim as k
    from listmode_osem.simulate import _pack, shape_box

    shapes = [(5, (5.0, -3.0, 110.0, 70.0, -60.0, 60.0, 0, 0), 1.0, 0.096),
              (4, (-40.0, 10.0, 5.0, 35.0, 25.0, 45.0, 0, 0), 2.0, 0.030),
              (4, (30.0, -10.0, -10.0, 20.0, 15.0, 25.0, 0, 0), 3.0, 0.172)]
    kinds, params, act, mu = _pack(shapes)
    pts = np.array([[5.0 + 109.0, -3.0, 0.0], [5.0, -3.0 + 71.0, 0.0], [5.0, -3.0, 61.0],
                     [-40.0 + 34.0, 10.0, 5.0], [-40.0, 10.0, 5.0 + 44.0], [30.0, -10.0 + 14.9, -10.0]])
    np.testing.assert_allclose(k.values_at(pts, kinds, params, act * 1000.0), [1.0, 0.0, 0.0, 2.0, 2.0, 3.0])
    lo, hi = shape_box(4, shapes[1][1])
    np.testing.assert_allclose(lo, [-75.0, -15.0, -40.0])
    np.testing.assert_allclose(hi, [-5.0, 35.0, 50.0])
    buf = np.empty(k.MAX_CROSSINGS_PER_SHAPE * len(shapes) + 2)
    # along x through the axis of the cylinder at z = 55 (above the ellipsoids): chord 2a = 220 mm of mu 0.0096/mm
    got = k.mu_integral_exact(kinds, params, mu, -200.0, -3.0, 55.0, 1.0, 0.0, 0.0, 0.0, 400.0, buf)
    assert got == pytest.approx(220.0 * 0.0096, rel=1e-9)
    rng = np.random.default_rng(4)
    worst = 0.0
    for _ in range(60):
        p = rng.uniform([-100, -50, -50], [100, 50, 50])
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        fast = k.mu_integral_exact(kinds, params, mu, *p, *u, -200.0, 200.0, buf)
        worst = max(worst, abs(fast - k.mu_integral_fine(kinds, params, mu, *p, *u, -200.0, 200.0, 0.01)))
    assert worst < 3e-4, worst
