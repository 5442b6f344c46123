"""The one vocabulary: SUV types, nuclides and methods are defined once and every user reads them from there."""

import math

import pytest

from workstation.core import vocabulary as vocab


def test_suv_types_and_aliases():
    assert vocab.SUV_TYPES == ("bw", "lbm-james128", "lbm-james120", "lbm-janma", "bsa", "ibw")
    assert vocab.suv_type_key("LBM_James") == "lbm-james128" and vocab.suv_type("bsa").units == "cm2/ml"
    assert vocab.suv_type("bw").needs == () and "height_m" in vocab.suv_type("ibw").needs
    assert all(f in vocab.INPUT_FIELDS for t in vocab.SUV_TYPE_LIST for f in t.needs)
    with pytest.raises(vocab.VocabularyError) as ei:
        vocab.suv_type_key("sul")
    assert ei.value.field == "suv_type"


def test_nuclides_half_lives_by_hand_and_codes():
    # F-18: 109.77 min; C-11: 20.364 min; Ga-68: 67.71 min (NNDC)
    assert vocab.HALF_LIVES_S["F-18"] == pytest.approx(109.77 * 60, abs=0.5)
    assert vocab.HALF_LIVES_S["C-11"] == pytest.approx(20.364 * 60, abs=0.5)
    assert vocab.HALF_LIVES_S["Ga-68"] == pytest.approx(67.71 * 60, abs=0.5)
    assert vocab.F18_HALF_LIFE_S == vocab.NUCLIDES["F-18"].half_life_s
    assert vocab.nuclide_from_code(("C-111A1", "SRT", "^18^Fluorine")).name == "F-18"
    assert vocab.nuclide_from_code("18F").name == "F-18" and vocab.nuclide_from_code("Ga68").name == "Ga-68"
    assert vocab.nuclide_from_code(("", "", "^99m^Technetium")) is None


def test_the_one_half_life_table_is_used_everywhere():
    from workstation.demo import study as demo_study
    from workstation.analysis.suv import factor as suv
    from workstation.io import dicom_write
    from workstation.recon import publish

    assert suv.RADIONUCLIDE_HALF_LIVES_S is vocab.HALF_LIVES_S
    assert demo_study.HALF_LIFE_S == publish.F18_HALF_LIFE_S == dicom_write.PetHeader.half_life_s == vocab.F18_HALF_LIFE_S


def test_parse_method():
    assert vocab.parse_method("fixed:2.5") == ("fixed", 2.5) and vocab.parse_method("fixed").label == "fixed:2.5"
    assert vocab.parse_method(" PCT ") == ("pct", 41.0) and vocab.parse_method("pct:35").label == "pct:35"
    assert vocab.parse_method("a50") == ("a50", None) and vocab.parse_method("a50").label == "a50"
    assert vocab.method_string("fixed", 3.0) == "fixed:3" and vocab.method_string("percist") == "percist"
    for bad in ("otsu", "pct:150", "pct:0", "pct:x", "fixed:-1", "fixed:nan", "a50:3", "percist:1"):
        with pytest.raises(vocab.VocabularyError) as ei:
            vocab.parse_method(bad)
        assert ei.value.field == "method"
    assert not math.isnan(vocab.DEFAULT_FIXED)
