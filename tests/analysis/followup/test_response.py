"""Response rules at and around every threshold, with hand-worked values."""

import math

import pytest

from workstation.analysis.followup import response as R


@pytest.mark.parametrize("base, fu, expected", [
    (10.0, 7.0, R.PMR),     # exactly -30 %, -3.0 SUL: "at least 30 %" reached
    (10.0, 6.99, R.PMR),
    (10.0, 7.01, R.SMD),    # -29.9 %
    (2.0, 1.4, R.SMD),      # -30 % but only -0.6 SUL (< 0.8)
    (2.6, 1.8, R.PMR),      # -30.8 % and exactly -0.8 SUL
    (2.6, 1.81, R.SMD),     # -0.79 SUL
    (10.0, 13.0, R.PMD),    # exactly +30 %, +3 SUL
    (10.0, 12.99, R.SMD),
    (2.0, 2.8, R.PMD),      # +40 %, exactly +0.8 SUL (2.8 - 2.0 is 0.7999999999999998 in floats)
    (2.0, 2.79, R.SMD),     # +0.79 SUL
    (2.0, 2.5, R.SMD),      # +25 %
])
def test_percist_thresholds(base, fu, expected):
    assert R.percist_category(base, fu).category == expected


def test_percist_new_lesion_is_progression_even_when_the_target_falls():
    r = R.percist_category(10.0, 5.0, new_lesions=1)
    assert r.category == R.PMD and "new" in r.reasons[0]


def test_percist_complete_response_against_liver_and_blood_pool():
    assert R.percist_category(10.0, 1.6, followup_liver_mean=1.6).category == R.CMR  # equal to liver: resolved
    assert R.percist_category(10.0, 1.61, followup_liver_mean=1.6).category == R.PMR
    # blood pool 1.0 + 2 x 0.2 = 1.4: 1.5 is at liver level but distinguishable from blood pool
    assert R.percist_category(10.0, 1.5, followup_liver_mean=1.6, followup_blood_pool_mean=1.0,
                              followup_blood_pool_sd=0.2).category == R.PMR
    assert R.percist_category(10.0, 1.4, followup_liver_mean=1.6, followup_blood_pool_mean=1.0,
                              followup_blood_pool_sd=0.2).category == R.CMR
    assert R.percist_category(10.0, 1.0, followup_liver_mean=1.6, new_lesions=2).category == R.PMD


def test_percist_not_evaluable_without_measurable_baseline():
    assert R.percist_category(3.0, 1.0, baseline_measurable=False).category == R.NE
    assert R.percist_category(3.0, 1.0, baseline_measurable=False, new_lesions=1).category == R.PMD


def test_percist_measurability():
    # 1.5 x 2.0 + 2 x 0.3 = 3.6
    assert R.percist_measurable_threshold(2.0, 0.3) == pytest.approx(3.6)
    assert R.percist_measurable(3.6, 2.0, 0.3)
    assert not R.percist_measurable(3.59, 2.0, 0.3)
    # blood pool: 2.0 x 1.5 + 2 x 0.2 = 3.4
    assert R.percist_measurable_threshold(1.5, 0.2, blood_pool=True) == pytest.approx(3.4)
    assert R.percist_measurable(3.4, 1.5, 0.2, blood_pool=True)
    assert not R.percist_measurable(3.39, 1.5, 0.2, blood_pool=True)
    with pytest.raises(R.ResponseError):
        R.percist_measurable_threshold(0.0, 0.1)


@pytest.mark.parametrize("base, fu, stable", [
    (2.0, 2.3, True),    # +15 %, exactly +0.3 SUL
    (2.0, 2.31, False),  # +0.31 SUL
    (2.0, 1.7, True),
    (2.0, 1.69, False),
    (1.0, 1.2, True),    # exactly +20 %, +0.2 SUL
    (1.0, 1.21, False),  # +21 %
    (1.0, 0.8, True),
    (1.0, 0.79, False),
])
def test_liver_stability(base, fu, stable):
    out = R.liver_stability(base, fu)
    assert out["stable"] is stable
    assert bool(out["reasons"]) is (not stable)


@pytest.mark.parametrize("base, fu, one_cycle, expected", [
    (10.0, 12.5, False, R.SMD),   # exactly +25 %: PMD needs MORE than 25 %
    (10.0, 12.51, False, R.PMD),
    (10.0, 7.5, False, R.SMD),    # exactly -25 % after several cycles: PMR needs more than 25 %
    (10.0, 7.49, False, R.PMR),
    (10.0, 8.5, True, R.PMR),     # exactly -15 % after one cycle: PMR
    (10.0, 8.51, True, R.SMD),
    (10.0, 8.5, False, R.SMD),    # the same -15 % after several cycles is stable
    (10.0, 12.51, True, R.PMD),
])
def test_eortc_thresholds(base, fu, one_cycle, expected):
    assert R.eortc_category(base, fu, after_one_cycle=one_cycle).category == expected


def test_eortc_new_and_resolved():
    assert R.eortc_category(10.0, 2.0, new_lesions=1).category == R.PMD
    assert R.eortc_category(10.0, None, resolved=True).category == R.CMR
    assert R.eortc_category(10.0, None, resolved=True, new_lesions=1).category == R.PMD


@pytest.mark.parametrize("suvmax, score", [
    (None, "1"), (1.0, "2"), (1.5, "2"), (1.51, "3"), (2.0, "3"), (2.01, "4"), (4.0, "4"), (4.01, "5"), (20.0, "5"),
])
def test_deauville_boundaries(suvmax, score):
    # mediastinum 1.5, liver 2.0: 2 <= 1.5 < 3 <= 2.0 < 4 <= 4.0 < 5
    assert R.deauville_score(suvmax, 1.5, 2.0).category == score


def test_deauville_points_is_the_same_rule():
    # the integer used by lesion tables (reading, VOI panel) is the category of deauville_score
    for v in (None, 1.0, 1.5, 1.51, 2.0, 2.01, 4.0, 4.01):
        assert R.deauville_points(v, 1.5, 2.0) == int(R.deauville_score(v, 1.5, 2.0).category)
    # equal references (a uniform phantom): 2 up to them, then 4 up to twice the liver, then 5
    assert [R.deauville_points(v, 2.0, 2.0) for v in (2.0, 2.01, 4.0, 4.01)] == [2, 4, 4, 5]
    assert R.deauville_points(4.04, 2.02, 2.0) == 4  # 1 % above the liver counts as equal (liver taken as 2.02)
    assert R.deauville_points(4.05, 2.02, 2.0) == 5
    assert R.deauville_points(3.0, 2.03, 2.0) is None  # more than 1 % above: the references are wrong
    assert R.deauville_points(3.0, 2.5, 2.0) is None  # blood pool above liver: no score, no exception
    assert R.deauville_points(3.0, float("nan"), 2.0) is None


def test_deauville_new_lesion_and_bad_references():
    assert R.deauville_score(1.0, 1.5, 2.0, new_lesions=1).category == "5"
    with pytest.raises(R.ResponseError, match="mediastinal"):
        R.deauville_score(3.0, 2.5, 2.0)


@pytest.mark.parametrize("base, fu, within", [
    (10.0, 7.5, True), (10.0, 7.49, False), (10.0, 13.3, True), (10.0, 13.31, False), (10.0, 10.0, True),
])
def test_qiba_repeatability_limits(base, fu, within):
    assert R.qiba_within_repeatability(base, fu) is within


def test_change_and_bad_numbers():
    c = R.change(4.0, 5.0)
    assert (c.absolute, c.percent) == (1.0, 25.0)
    assert math.isnan(R.change(0.0, 1.0).percent)
    with pytest.raises(R.ResponseError, match="finite"):
        R.change(float("nan"), 1.0)
    with pytest.raises(R.ResponseError):
        R.percist_category(0.0, 1.0)


def test_select_targets_five_at_most_two_per_organ():
    T = R.Target
    les = [T("a", 10, "lung"), T("b", 9, "lung"), T("c", 8, "lung"), T("d", 7, "liver"), T("e", 6, "bone"),
           T("f", 5, "node"), T("g", 4, "node")]
    assert [t.key for t in R.select_targets(les)] == ["a", "b", "d", "e", "f"]
    assert [t.key for t in R.select_targets(les, threshold=6.5)] == ["a", "b", "d"]
    assert [t.key for t in R.select_targets(les, threshold=7.0)] == ["a", "b", "d"]  # at the threshold counts
    # no organ given: every lesion its own organ
    assert [t.key for t in R.select_targets([T("x", 1), T("y", 3), T("z", 2)], max_total=2)] == ["y", "z"]
