"""TAC fits and TIA: each model against its analytic integral, the rising-uptake rule, the physical-decay floor."""

import math

import numpy as np
import pytest

from workstation.analysis.dosimetry.fits import TacError, aicc, fit_tac, trapezoid_weights

T_HALF_H = 6.647 * 24.0  # Lu-177
LP = math.log(2) / T_HALF_H
TIMES = np.array([4.0, 24.0, 48.0, 96.0, 168.0])


def test_mono_exponential_recovered_and_chosen_by_aicc():
    lam = LP + 0.01
    a = 100.0 * np.exp(-lam * TIMES)
    r = fit_tac(TIMES, a, T_HALF_H)
    assert r.model == "mono" and r.chosen_by == "aicc"
    assert r.tia_mbq_h == pytest.approx(100.0 / lam, rel=1e-4)
    assert r.params["lambda"] == pytest.approx(lam, rel=1e-4)
    assert 0 < r.tia_sd_mbq_h < 0.2 * r.tia_mbq_h
    assert set(r.candidates) == {"mono", "uptake-washout"}  # bi needs 6 points for AICc


def test_uptake_washout_recovered():
    lw, lu = LP + 0.015, 0.8
    t = np.array([1.0, 4.0, 24.0, 48.0, 96.0, 168.0])
    a = 150.0 * (np.exp(-lw * t) - np.exp(-(lw + lu) * t))
    r = fit_tac(t, a, T_HALF_H)
    assert r.model == "uptake-washout"
    assert r.tia_mbq_h == pytest.approx(150.0 * (1 / lw - 1 / (lw + lu)), rel=1e-3)
    assert math.isfinite(r.tia_sd_mbq_h) and r.tia_sd_mbq_h > 0


def test_bi_exponential_forced():
    t = np.array([1.0, 4.0, 12.0, 24.0, 48.0, 96.0, 168.0])
    l1, l2 = LP + 0.3, LP + 0.005
    a = 60 * np.exp(-l1 * t) + 40 * np.exp(-l2 * t)
    r = fit_tac(t, a, T_HALF_H, "bi")
    assert r.tia_mbq_h == pytest.approx(60 / l1 + 40 / l2, rel=2e-3)


def test_effective_decay_never_slower_than_physical():
    # activity that "decays" slower than physics allows (e.g. decay-corrected data): held at physical decay
    a = 100.0 * np.exp(-0.5 * LP * TIMES)
    r = fit_tac(TIMES, a, T_HALF_H, "mono")
    assert r.params["lambda"] >= LP * (1 - 1e-9)
    assert any("slower than physical" in w for w in r.warnings)


def test_two_points_rising_take_trapezoid_with_physical_tail_and_say_so():
    t, a = [3.74, 27.73], [122.3, 156.1]
    r = fit_tac(t, a, T_HALF_H)
    assert r.model == "trapezoid" and "rising" in r.chosen_by
    hand = 0.5 * 3.74 * 122.3 + 0.5 * (27.73 - 3.74) * (122.3 + 156.1) + 156.1 / LP
    assert r.tia_mbq_h == pytest.approx(hand, rel=1e-12)
    assert any("still rising" in w and "no extrapolation beyond physical decay" in w for w in r.warnings)
    w = trapezoid_weights(t, LP)
    sd_hand = math.sqrt((w[0] * 12.23) ** 2 + (w[1] * 15.61) ** 2)
    assert r.tia_sd_mbq_h == pytest.approx(sd_hand, rel=1e-9)


def test_two_points_falling_mono_exact():
    lam = LP + 0.02
    t = np.array([24.0, 96.0])
    a = 80 * np.exp(-lam * t)
    r = fit_tac(t, a, T_HALF_H)
    assert r.model == "mono" and r.chosen_by.startswith("rule")
    assert r.tia_mbq_h == pytest.approx(80 / lam, rel=1e-4)
    assert r.aicc is None


def test_single_time_point_hanscheid():
    lam = math.log(2) / 60.0  # T_eff 60 h, scanned at 60 h: Hänscheid is exact there
    a = 50 * math.exp(-lam * 60.0)
    r = fit_tac([60.0], [a], T_HALF_H)
    assert r.model == "stp"
    assert r.tia_mbq_h == pytest.approx(50 / lam, rel=1e-9)
    assert r.tia_sd_mbq_h == pytest.approx(r.tia_mbq_h * math.hypot(0.1, 0.1))


def test_single_time_point_capped_at_physical():
    t = 1.5 * T_HALF_H  # between T and 2T (physical): 2t/ln2 implies an effective half-life longer than physical
    r = fit_tac([t], [10.0], T_HALF_H, "stp")
    assert r.tia_mbq_h == pytest.approx(10.0 * math.exp(LP * t) / LP)
    assert any("physical" in w for w in r.warnings)


def test_aicc_undefined_with_too_few_points():
    assert aicc(1.0, 3, 2) is None
    assert aicc(2.0, 5, 2) == pytest.approx(5 * math.log(2 / 5) + 4 + 12 / 2)


@pytest.mark.parametrize("t,a,msg", [([], [], "at least one"), ([0.0, 4.0], [1, 2], "after the injection"),
                                     ([4.0, 4.0], [1, 2], "same time"), ([4.0], [-1.0], "negative")])
def test_bad_curves_refused(t, a, msg):
    with pytest.raises(TacError, match=msg):
        fit_tac(t, a, T_HALF_H)


def test_model_needs_enough_points():
    with pytest.raises(TacError, match="bi model has 4 parameters"):
        fit_tac([4.0, 24.0, 48.0], [3, 2, 1], T_HALF_H, "bi")


def test_rise_then_fall_with_four_points_is_uptake_washout():
    lw, lu = LP + 0.02, 0.05
    t = np.array([4.0, 24.0, 72.0, 168.0])
    a = 100.0 * (np.exp(-lw * t) - np.exp(-(lw + lu) * t))
    assert a[1] > a[0] and a[-1] < a[-2]
    r = fit_tac(t, a, T_HALF_H)
    assert r.model == "uptake-washout" and r.chosen_by.startswith("rule")
    assert r.tia_mbq_h == pytest.approx(100.0 * (1 / lw - 1 / (lw + lu)), rel=1e-3)
