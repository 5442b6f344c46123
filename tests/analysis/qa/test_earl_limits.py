"""EARL verdicts at their limits, with the bands typed here from the published tables (EARL1: Boellaard et al.,
EJNMMI 2015;42:328, table 9; EARL2: Kaalep et al., EJNMMI 2018;45:1344), not read from the product's own table:
a limit changed in the product is caught by a value just inside and just outside each band edge."""

import pytest

from workstation.analysis.qa.phantom import earl_verdict

# sphere mm: (RCmax low, high), (RCA50 low, high)
PUBLISHED = {
    "EARL1": {37: ((0.95, 1.16), (0.76, 0.89)), 28: ((0.91, 1.13), (0.72, 0.85)), 22: ((0.83, 1.09), (0.63, 0.78)),
              17: ((0.73, 1.01), (0.57, 0.73)), 13: ((0.59, 0.85), (0.44, 0.60)), 10: ((0.34, 0.57), (0.27, 0.43))},
    "EARL2": {37: ((1.05, 1.29), (0.85, 1.00)), 28: ((1.01, 1.26), (0.82, 0.97)), 22: ((1.01, 1.32), (0.80, 0.99)),
              17: ((1.00, 1.38), (0.76, 0.97)), 13: ((0.85, 1.22), (0.63, 0.86)), 10: ((0.52, 0.88), (0.39, 0.61))},
}
CASES = [(std, d) for std in PUBLISHED for d in PUBLISHED[std]]
EPS = 0.005


@pytest.mark.parametrize("std,d", CASES)
def test_rcmax_verdict_flips_at_each_published_limit(std, d):
    (lo, hi), (alo, ahi) = PUBLISHED[std][d]
    mid_a50 = (alo + ahi) / 2
    assert earl_verdict(std, d, lo + EPS, mid_a50)["pass"] and earl_verdict(std, d, hi - EPS, mid_a50)["pass"]
    assert not earl_verdict(std, d, lo - EPS, mid_a50)["pass"] and not earl_verdict(std, d, hi + EPS, mid_a50)["pass"]
    assert earl_verdict(std, d, lo, mid_a50)["pass"] and earl_verdict(std, d, hi, mid_a50)["pass"]  # edges included


@pytest.mark.parametrize("std,d", CASES)
def test_rca50_verdict_flips_at_each_published_limit(std, d):
    (lo, hi), (alo, ahi) = PUBLISHED[std][d]
    mid_max = (lo + hi) / 2
    assert earl_verdict(std, d, mid_max, alo + EPS)["pass"] and earl_verdict(std, d, mid_max, ahi - EPS)["pass"]
    assert not earl_verdict(std, d, mid_max, alo - EPS)["pass"] and not earl_verdict(std, d, mid_max, ahi + EPS)["pass"]
    assert not earl_verdict(std, d, float("nan"), alo + EPS)["pass"]
