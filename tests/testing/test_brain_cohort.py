"""The synthetic brain cohort has the spread it claims (regional CV 7-11 %, AI SD 2-4 %), its patients'
deficits lie in the named regions, and its warp's inverse is an inverse."""

import numpy as np

from workstation.testing.brain_cohort import AD_REGIONS, MTL_REGIONS, make_subject, mni_truth


def test_spread_of_normals_from_the_truth_factors():
    mt = mni_truth()
    subjects = [make_subject(100 + s, "normal", voxel_mm=8.0, noise=False, warp=False, age=65.0)[1] for s in range(60)]
    prec_l = mt.labels_named(("Precuneus",), "L")[0]
    prec_r = mt.labels_named(("Precuneus",), "R")[0]
    fl = np.array([t.region_factor[prec_l] for t in subjects])
    fr = np.array([t.region_factor[prec_r] for t in subjects])
    assert 0.055 < fl.std() / fl.mean() < 0.13
    ai = 200 * (fl - fr) / (fl + fr)
    assert 2.0 < ai.std() < 4.0


def test_patient_deficits_in_their_regions():
    mt = mni_truth()
    _v, t = make_subject(5, "AD", voxel_mm=8.0, noise=False)
    ad = mt.labels_named(AD_REGIONS)
    assert all(t.pattern_factor[lab] <= 0.9 for lab in ad)
    assert all(p == 1.0 for lab, p in t.pattern_factor.items() if lab not in ad)
    assert t.deficit.any() and np.isin(mt.atlas[t.deficit], ad).all()
    _v, t = make_subject(6, "MTLE-L", voxel_mm=8.0, noise=False)
    left = mt.labels_named(MTL_REGIONS, "L")
    assert all(t.pattern_factor[lab] < 1 for lab in left)
    assert all(t.pattern_factor[lab] == 1 for lab in mt.labels_named(MTL_REGIONS, "R"))


def test_warp_inverse_roundtrip():
    _v, t = make_subject(7, "normal", voxel_mm=8.0)
    m = np.array([[10.0, 20.0, 30.0], [-40.0, 60.0, -10.0]])
    s = t.mni_to_scanner(m)
    np.testing.assert_allclose(t.scanner_to_mni(s), m, atol=0.05)
