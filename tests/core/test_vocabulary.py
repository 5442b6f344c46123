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
    assert vocab.nuclide_from_code(("", "", "^99m^Technetium")).name == "Tc-99m"
    assert vocab.nuclide_from_code(("C-101ED", "99SDM", "177 Lutetium")).name == "Lu-177"  # as a Siemens SPECT writes it
    assert vocab.nuclide_from_code(("", "", "^201^Thallium")) is None


# half-lives typed from NNDC NuDat 3 (ENSDF), in the unit the table gives, converted here
NNDC_HALF_LIVES = {
    "F-18": 109.77 * 60, "C-11": 20.364 * 60, "N-13": 9.965 * 60, "O-15": 122.24, "Ga-68": 67.71 * 60,
    "Cu-64": 12.701 * 3600, "Zr-89": 78.41 * 3600, "Rb-82": 1.273 * 60, "I-124": 4.1760 * 86400,
    "Ge-68": 270.95 * 86400, "Lu-177": 6.647 * 86400, "Tc-99m": 6.0067 * 3600, "I-131": 8.0252 * 86400,
    "In-111": 2.8047 * 86400, "I-123": 13.2235 * 3600,
    "Y-90": 2.6684 * 86400,  # DDEP (LNHB) recommended value
}


@pytest.mark.parametrize("name", sorted(NNDC_HALF_LIVES))
def test_every_nuclide_half_life_against_nndc(name):
    # 0.05 %: the rounding of the evaluated values; a half-life in minutes instead of seconds is off 60x
    assert vocab.NUCLIDES[name].half_life_s == pytest.approx(NNDC_HALF_LIVES[name], rel=5e-4)
    assert vocab.nuclide_from_half_life(NNDC_HALF_LIVES[name]).name == name


def test_every_nuclide_is_in_the_nndc_table():
    assert set(vocab.NUCLIDES) == set(NNDC_HALF_LIVES)


def test_single_photon_nuclides_read_as_spect():
    for name in ("Lu-177", "Tc-99m", "I-131", "In-111", "I-123"):
        assert vocab.NUCLIDES[name].single_photon and vocab.functional_modality("PT", vocab.NUCLIDES[name]) == "SPECT"
    for name in ("F-18", "Ga-68", "Zr-89", "Cu-64", "I-124", "Rb-82"):
        assert not vocab.NUCLIDES[name].single_photon
        assert vocab.functional_modality("PT", vocab.NUCLIDES[name]) == "PET"
    assert vocab.functional_modality("NM", vocab.NUCLIDES["F-18"]) == "SPECT"  # stored as NM
    assert vocab.functional_modality("PT", None, "C2S1D0 [xSPECT48iNOFILT - AC ]") == "SPECT"
    assert vocab.functional_modality("PT", None, "WB 3D MAC") == "PET"


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


def test_fdg_tracer_from_the_nuclide_and_the_radiopharmaceutical():
    from workstation.core.vocabulary import NUCLIDES, fdg_tracer

    f18, lu, ga = NUCLIDES["F-18"], NUCLIDES["Lu-177"], NUCLIDES["Ga-68"]
    assert fdg_tracer(f18, "Fluorodeoxyglucose") is True and fdg_tracer(None, "18F-FDG") is True
    assert fdg_tracer(f18, "Fluorothymidine") is False and fdg_tracer(f18, "PSMA-1007") is False
    assert fdg_tracer(lu, "") is False and fdg_tracer(ga, "Ga^68^[^68^Gallium]PSMA-11") is False
    assert fdg_tracer(lu, "Fluorodeoxyglucose") is False  # the nuclide decides first
    assert fdg_tracer(f18, "") is None and fdg_tracer(None, None) is None  # nothing says: not a refusal
