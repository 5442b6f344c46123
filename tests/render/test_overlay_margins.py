"""Colour bars and text sit in margins: with the image zoomed to fit, no overlay pixel falls on the image.

Each cell of the grid and of the PET protocol is drawn twice with the same camera: with its
corner texts, colour bar and scale bar, and with them hidden (the orientation letters, one at the
middle of each edge, stay on the image border as in every reader). The pixels that differ are the
overlays' pixels; none may lie inside the image's screen rectangle, and the body of the
synthetic study (a known outline) must be drawn there in full.
"""

import numpy as np
import pytest

from workstation.core.display import LAYOUTS
from workstation.analysis.reading.session import ReadingSession
from workstation.render import overlays as ov
from workstation.render.scene import CellRenderer, layout_rects
from workstation.testing import synthetic_study as syn


@pytest.fixture(scope="module")
def session():
    return ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)


def _hide_overlays(view):
    for t in list(view.corner.values()) + [view.bar_text]:  # the orientation letters stay (on the border)
        t.SetInput("")
    view.colorbar.VisibilityOff()
    view.show_scale_bar = False


def _image_rect(view):
    """Screen rectangle (x0, y0, x1, y1; top-down pixels) of the whole image at the current camera."""
    x0, y0 = view.pixel_to_display(-0.5, -0.5)
    x1, y1 = view.pixel_to_display(view.cols - 0.5, view.rows - 0.5)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _check_cell(kind, plane, w, h, s, monkeypatch):
    cell = CellRenderer(kind, plane, w, h)
    cell.render(s)  # sets texts, colour bar and the placement clear of them
    v = cell.view
    boxes = ov.overlay_boxes(v)
    assert boxes, "the view draws texts"
    v.set_crosshair(None, None)
    v.set_letters({})  # the orientation letters sit on the image border by design: left out of both pictures
    with_overlays = v.render().astype(int)
    monkeypatch.setattr(ov, "overlay_boxes", lambda view: boxes)  # the same camera without the overlays
    _hide_overlays(v)
    bare = v.render().astype(int)
    monkeypatch.undo()
    x0, y0, x1, y1 = _image_rect(v)
    assert 0 <= x0 and x1 <= w + 0.5 and 0 <= y0 and y1 <= h + 0.5  # the whole image is in the view
    diff = np.any(with_overlays != bare, axis=2)
    assert diff.sum() > 50, "the overlays drew something"
    inside = np.zeros_like(diff)
    inside[int(np.ceil(y0)) + 1:int(np.floor(y1)) - 1, int(np.ceil(x0)) + 1:int(np.floor(x1)) - 1] = True
    assert not np.any(diff & inside), (kind, plane, int((diff & inside).sum()))
    # the anatomy (or activity) is there, inside the image rectangle
    lit = bare.sum(axis=2) > 30
    assert lit[inside].sum() > 0.1 * inside.sum() and lit[~inside].sum() < 0.01 * lit.sum() + 5, (kind, plane)
    # every text lies inside the view (nothing clipped, e.g. "MIP 0°")
    for x_0, y_0, x_1, y_1 in boxes:
        assert x_0 >= 0 and y_0 >= 0 and x_1 <= w and y_1 <= h, (kind, plane, (x_0, y_0, x_1, y_1))
    return v


@pytest.mark.parametrize("layout,width,height", [("grid", 1366, 700), ("pet", 1200, 900)])
def test_no_overlay_pixel_on_the_image(session, layout, width, height, monkeypatch):
    for c in LAYOUTS[layout].cells:
        _, _, w, h = layout_rects(layout, width, height)[c.key]
        if c.kind == "ct" and session.anatomical is None:
            continue
        _check_cell(c.kind, c.plane, w, h, session, monkeypatch)


def test_fit_keeps_the_centred_image_clear_of_a_box():
    # a 100 x 100 image in a 400 x 300 view: nothing in the way -> 3 px per unit
    assert ov.fit_scale_avoiding([], 400, 300, 100, 100, pad=0) == 3.0
    # a text block top-left reaching 50 px below the top: the centred image ends above... or beside it
    box = (0, 250, 120, 300)  # y up: the top 50 rows, the left 120 columns
    s = ov.fit_scale_avoiding([box], 400, 300, 100, 100, pad=0)
    half = s * 50
    assert 150 - half >= 120 - 1e-9 or 150 + half <= 250 + 1e-9  # left of the image or above it: no overlap
    assert s == pytest.approx(max(2 * (200 - 120) / 100, 2 * (250 - 150) / 100))


def test_a_tile_too_small_for_the_identity_text_hides_it_rather_than_the_image(session, monkeypatch):
    big = _check_cell("fused", "axial", 323, 231, session, monkeypatch)
    assert big.corner["top-left"].GetVisibility()  # room for it at 1366 px: shown, beside the image
    cell = CellRenderer("fused", "axial", 300, 210)
    cell.render(session)
    v = cell.view
    assert not v.corner["top-left"].GetVisibility()
    x0, y0, x1, y1 = _image_rect(v)
    v.corner["top-left"].VisibilityOn()  # with the block kept, the image would have to be smaller still
    with_identity = ov.fit_scale_avoiding(ov.overlay_boxes(v), 300, 210, v.cols * v.spacing[0], v.rows * v.spacing[1])
    assert (x1 - x0) / (v.cols * v.spacing[0]) > with_identity
