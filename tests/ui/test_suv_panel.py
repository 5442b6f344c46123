"""SUV panel: an error that names an input outlines that input's form field; the SUV types are the vocabulary's."""

import pytest

from workstation.core import vocabulary as vocab
from workstation.ui.suv_panel import MISSING_STYLE, SuvPanel

pytestmark = pytest.mark.gui


class _Session:
    pet = object()  # apply() refuses the overrides before it touches the PET


def test_bad_override_marks_its_field(qtbot):
    panel = SuvPanel()
    qtbot.addWidget(panel)
    panel.session = _Session()
    panel.edits["height_m"].setText("175")  # centimetres given where metres are expected
    panel.reason.setText("measured")
    assert panel.apply() is False and "metres" in panel.message.text()
    assert panel.edits["height_m"].styleSheet() == MISSING_STYLE
    assert all(not e.styleSheet() for k, e in panel.edits.items() if k != "height_m")
    panel.mark_field(None)
    assert all(not e.styleSheet() for e in panel.edits.values())


def test_suv_type_menu_is_the_vocabulary(qtbot):
    panel = SuvPanel()
    qtbot.addWidget(panel)
    keys = [panel.type_box.itemData(i) for i in range(panel.type_box.count())]
    assert tuple(keys) == vocab.SUV_TYPES
