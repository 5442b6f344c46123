"""How the viewer shows VOIs: the segmentation choices of its method menu and the outline colours.

The VOI model (``analysis.lesions.voi``) knows what a VOI is; this module decides how it looks and how the
viewer's menu words the methods of ``core.vocabulary``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QT_TRANSLATE_NOOP

from workstation.analysis.lesions.voi import VoiError
from workstation.core import vocabulary as vocab

#: The segmentation choices of the viewer: label -> method template ({v} = the user value). The English
#: label is the choice's identity; the menu shows its translation (context "methods").
METHOD_CHOICES: tuple[tuple[str, str], ...] = (
    (QT_TRANSLATE_NOOP("methods", "fixed SUV 2.5"), "fixed:2.5"),
    (QT_TRANSLATE_NOOP("methods", "fixed SUV (user)"), "fixed:{v}"),
    (QT_TRANSLATE_NOOP("methods", "41 % of SUVmax"), "pct:41"),
    (QT_TRANSLATE_NOOP("methods", "50 % of SUVmax"), "pct:50"),
    (QT_TRANSLATE_NOOP("methods", "% of SUVmax (user)"), "pct:{v}"),
    (QT_TRANSLATE_NOOP("methods", "PERCIST (liver)"), "percist"),
    (QT_TRANSLATE_NOOP("methods", "A50 (background-adapted)"), "a50"),
    (QT_TRANSLATE_NOOP("methods", "gradient edge (outermost fall)"), "gradient"),
)

#: Outline colours (RGB 0..1). Lesion colours cycle; references have their own.
LESION_COLOURS = ((0.0, 1.0, 1.0), (1.0, 0.0, 1.0), (0.35, 0.55, 1.0), (0.55, 1.0, 0.0), (1.0, 0.55, 0.0),
                  (0.7, 0.4, 1.0))
REFERENCE_COLOURS = {"liver": (0.3, 0.3, 1.0), "blood_pool": (1.0, 0.45, 0.75)}


#: leak outline candidates, in order of preference, with their names (context "colours")
LEAK_CANDIDATES = ((0.15, 1.0, 0.45), (1.0, 1.0, 1.0), (1.0, 0.15, 0.15), (0.8, 0.6, 1.0))
COLOUR_NAMES = {(0.15, 1.0, 0.45): QT_TRANSLATE_NOOP("colours", "green"),
                (1.0, 1.0, 1.0): QT_TRANSLATE_NOOP("colours", "white"),
                (1.0, 0.15, 0.15): QT_TRANSLATE_NOOP("colours", "red"),
                (0.8, 0.6, 1.0): QT_TRANSLATE_NOOP("colours", "violet")}
#: two colours closer than this (Euclidean distance in RGB 0..1) are taken for the same
DISTINCT_RGB = 0.4


def leak_colour(used) -> tuple[float, float, float]:
    """The outline colour of a leaked region: the first of :data:`LEAK_CANDIDATES` at least
    :data:`DISTINCT_RGB` away from every colour in ``used`` (the structures, lesions and reference
    regions on screen, and the constraint circle), so a leak is never taken for a structure; when
    none is, the candidate farthest from the nearest used colour."""
    used = [tuple(float(c) for c in u[:3]) for u in used]

    def nearest(c):
        return min((math.dist(c, u) for u in used), default=math.inf)

    for c in LEAK_CANDIDATES:
        if nearest(c) >= DISTINCT_RGB:
            return c
    return max(LEAK_CANDIDATES, key=nearest)


def voi_colour(voi) -> tuple[float, float, float]:
    """Outline colour of a VOI: its reference colour, a structure's own colour, or the lesion palette
    cycled by its ordinal."""
    if voi.kind in REFERENCE_COLOURS:
        return REFERENCE_COLOURS[voi.kind]
    rgb = voi.params.get("colour_rgb") if voi.kind == "structure" else None
    if rgb is not None:  # a structure keeps the display colour of its file
        return tuple(float(c) / 255.0 for c in rgb[:3])
    return LESION_COLOURS[max(int(voi.ordinal), 0) % len(LESION_COLOURS)]


def method_from_choice(label: str, user_value: float | None = None) -> str:
    """Method string of a viewer choice, e.g. ('% of SUVmax (user)', 35) -> 'pct:35'."""
    for text, template in METHOD_CHOICES:
        if text == label:
            if "{v}" in template:
                if user_value is None or not math.isfinite(float(user_value)) or float(user_value) <= 0:
                    raise VoiError(f"method {label!r} needs a positive user value, got {user_value!r}")
                return template.format(v=f"{float(user_value):g}")
            return template
    raise VoiError(f"unknown method choice {label!r}; choose one of {', '.join(t for t, _ in METHOD_CHOICES)}")


def choice_of_method(method: str) -> tuple[str, float | None]:
    """(menu label, user value or None) that gives ``method``: the inverse of :func:`method_from_choice`."""
    m = vocab.parse_method(method)
    for text, template in METHOD_CHOICES:
        if "{v}" not in template and vocab.parse_method(template) == m:
            return text, None
    for text, template in METHOD_CHOICES:
        if "{v}" in template and template.split(":", 1)[0] == m.name:
            return text, m.value
    raise VoiError(f"method {method!r} has no choice in the viewer's menu")
