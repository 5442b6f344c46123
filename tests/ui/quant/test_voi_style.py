"""The viewer's VOI vocabulary: method choices map to methods of core.vocabulary, colours by kind and ordinal."""

import pytest

from workstation.analysis.lesions.voi import VoiError
from workstation.core import vocabulary as vocab
from workstation.ui.quant import voi_style as VS


def test_method_choices():
    assert VS.method_from_choice("fixed SUV 2.5") == "fixed:2.5"
    assert VS.method_from_choice("fixed SUV (user)", 3.2) == "fixed:3.2"
    assert VS.method_from_choice("% of SUVmax (user)", 35) == "pct:35"
    assert VS.method_from_choice("A50 (background-adapted)") == "a50"
    for _label, template in VS.METHOD_CHOICES:
        vocab.parse_method(template.format(v="3"))  # every choice is a method the vocabulary knows
    with pytest.raises(VoiError, match="user value"):
        VS.method_from_choice("fixed SUV (user)", None)
    with pytest.raises(VoiError, match="unknown method"):
        VS.method_from_choice("magic")


def test_choice_of_method_inverts_method_from_choice():
    for label, template in VS.METHOD_CHOICES:
        value = 3.0 if "{v}" in template else None
        method = VS.method_from_choice(label, value)
        got_label, got_value = VS.choice_of_method(method)
        assert VS.method_from_choice(got_label, got_value) == method


class _Voi:
    def __init__(self, kind, ordinal):
        self.kind, self.ordinal = kind, ordinal


def test_colours_cycle_for_lesions_and_are_fixed_for_references():
    n = len(VS.LESION_COLOURS)
    assert VS.voi_colour(_Voi("lesion", 0)) == VS.LESION_COLOURS[0]
    assert VS.voi_colour(_Voi("sphere", n + 1)) == VS.LESION_COLOURS[1]
    assert VS.voi_colour(_Voi("liver", -1)) == VS.REFERENCE_COLOURS["liver"]
    assert VS.voi_colour(_Voi("blood_pool", -1)) == VS.REFERENCE_COLOURS["blood_pool"]
