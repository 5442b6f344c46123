"""Decay statements (DecayCorrection vs DecayFactor vs times): found, named, and the policy applied to SUV.

Expected factors are hand-computed from NNDC half-lives (Lu-177 6.647 d, F-18 109.77 min):
2^(27 h 43 min 31.715 s / 6.647 d) = 1.128023; 2^(60 min / 109.77 min) = 1.460637; 2^(90 s / 109.77 min) = 1.009517.
"""

import datetime as dt

import pytest

from workstation.analysis.suv.decay import (POLICY_DECLARED, POLICY_TRUST_DECAY_FACTOR, check_decay_statement)

LU177_S = 6.647 * 86400
F18_S = 109.77 * 60
INJ = dt.datetime(2018, 11, 15, 9, 22, 0)
ACQ = dt.datetime(2018, 11, 16, 13, 5, 31, 715000)  # 27 h 43 min 31.715 s later


def test_admin_with_decay_factor_one_is_a_conflict_and_the_policy_reads_the_pixels_at_the_scan():
    st = check_decay_statement("ADMIN", 1.0, half_life_s=LU177_S, injection=INJ, acquisition_start=ACQ)
    assert st.expected_factor == pytest.approx(1.128023, rel=1e-6)
    assert st.elapsed_s == pytest.approx(99811.715, abs=1e-3)
    assert st.conflict and st.policy == POLICY_TRUST_DECAY_FACTOR
    assert st.reference_datetime == ACQ  # DecayFactor 1: corrected to nothing but its own time
    assert "ADMIN" in st.message and "1.128" in st.message and "27.7 h" in st.message


def test_admin_with_its_own_decay_factor_is_consistent():
    st = check_decay_statement("ADMIN", 1.128023, half_life_s=LU177_S, injection=INJ, acquisition_start=ACQ)
    assert not st.conflict and st.policy == POLICY_DECLARED and st.reference_datetime == INJ and st.message == ""


def test_start_that_carries_the_admin_factor_is_read_as_admin():
    t0 = dt.datetime(2020, 1, 1, 10, 0, 0)
    st = check_decay_statement("START", 1.460637, half_life_s=F18_S, injection=t0, acquisition_start=t0 + dt.timedelta(hours=1))
    assert st.conflict and st.policy == POLICY_TRUST_DECAY_FACTOR
    assert abs((st.reference_datetime - t0).total_seconds()) < 1.0  # the factor brings the pixels back to the injection


def test_start_with_frame_reference_or_one_is_consistent():
    t0 = dt.datetime(2020, 1, 1, 10, 0, 0)
    acq = t0 + dt.timedelta(hours=1)
    for df in (1.009517, 1.0):  # 2^(FrameReferenceTime/T), or 1 for a frame referenced to its own start
        st = check_decay_statement("START", df, half_life_s=F18_S, injection=t0, acquisition_start=acq,
                                   frame_reference_s=90.0)
        assert not st.conflict, df
    st = check_decay_statement("START", 1.05, half_life_s=F18_S, injection=t0, acquisition_start=acq, frame_reference_s=90.0)
    assert st.conflict


def test_none_with_a_factor_is_a_conflict_and_missing_facts_are_not_checked():
    st = check_decay_statement("NONE", 1.128023, half_life_s=LU177_S, injection=INJ, acquisition_start=ACQ)
    assert st.conflict and abs((st.reference_datetime - INJ).total_seconds()) < 1.0
    st = check_decay_statement("ADMIN", None, half_life_s=LU177_S, injection=INJ, acquisition_start=ACQ)
    assert not st.checked and not st.conflict
    st = check_decay_statement("ADMIN", 1.0, half_life_s=LU177_S, injection=None, acquisition_start=ACQ)
    assert not st.checked and not st.conflict
    with pytest.raises(ValueError):
        check_decay_statement("ADMIN", 1.0, half_life_s=0.0, injection=INJ, acquisition_start=ACQ)


def _lu_header(**kw):
    from workstation.testing.pet_factory import pet_dataset

    base = dict(units="BQML", decay_correction="ADMIN", weight=92.987, dose=7210425599.6395, half_life=574300.8,
                series_date="20181116", series_time="130531.715", acquisition_date="20181116",
                acquisition_time="130531.715", start_time="092200", start_datetime="20181115092200",
                radionuclide_code=("C-101ED", "99SDM", "177 Lutetium"), decay_factor=1.0)
    base.update(kw)
    return pet_dataset(**base)


def test_suv_applies_the_policy_and_says_so():
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.pet_header import read_pet_acquisition as pet_acquisition

    r = compute_suv(pet_acquisition([_lu_header()]))
    # hand: SUVbw factor = weight g / (dose * 2^(-27.7254 h / 6.647 d)) = 92987 / 7210425599.6395 * 1.128023
    assert r.factor == pytest.approx(92987 / 7210425599.6395 * 1.128023, rel=1e-5)
    assert any("decay statements disagree" in w for w in r.warnings)
    names = [p["input"] for p in r.provenance]
    assert "decay statement" in names and "reference time (policy)" in names
    assert "trust DecayFactor" in r.to_text()
    ok = compute_suv(pet_acquisition([_lu_header(decay_factor=1.128023)]))  # consistent: ADMIN followed, no decay term
    assert ok.factor == pytest.approx(92987 / 7210425599.6395, rel=1e-9)
    assert not any("disagree" in w for w in ok.warnings)
