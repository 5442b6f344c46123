"""The leak outline takes a colour that no structure, lesion, reference region or the constraint circle uses."""

import math

from workstation.render.constraint_overlay import CIRCLE_RGB
from workstation.ui.quant.voi_style import DISTINCT_RGB, LESION_COLOURS, REFERENCE_COLOURS, leak_colour

BASE = [CIRCLE_RGB, *LESION_COLOURS, *REFERENCE_COLOURS.values()]


def test_leak_colour_differs_from_every_colour_on_screen():
    rtstruct_red = (1.0, 0.0, 0.0)  # the GTVs of the refdata RTSTRUCTs are drawn red
    for structures in ([], [rtstruct_red], [rtstruct_red, (0.0, 1.0, 0.5)], [(1.0, 1.0, 1.0), (0.1, 0.9, 0.4)]):
        c = leak_colour(BASE + structures)
        assert all(math.dist(c, u) >= DISTINCT_RGB for u in BASE + structures), (structures, c)
    assert leak_colour(BASE + [rtstruct_red]) != rtstruct_red
