"""The VTK view: NumPy<->VTK orientation, screen mapping, overlays (rendered off screen)."""

import numpy as np
import pytest

from workstation.render.slice_view import SliceView, _nice_length
from workstation.render.vtk_bridge import rgb_to_vtk_image, vtk_image_to_rgb

pytestmark = pytest.mark.gui


def test_bridge_round_trip_and_orientation():
    rgb = np.zeros((3, 4, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)  # top-left red
    img = rgb_to_vtk_image(rgb, (2.0, 3.0))
    assert img.GetDimensions() == (4, 3, 1)
    # VTK point (0, 2) is the top-left (VTK y runs up)
    assert img.GetScalarComponentAsDouble(0, 2, 0, 0) == 255
    assert img.GetScalarComponentAsDouble(0, 0, 0, 0) == 0
    assert np.array_equal(vtk_image_to_rgb(img), rgb)


@pytest.mark.parametrize("zoom,pan", [(1.0, (0.0, 0.0)), (2.0, (6.0, 4.0))])
def test_bright_pixel_lands_where_pixel_to_display_says(zoom, pan):
    v = SliceView(200, 160)
    v.show_scale_bar = False
    img = np.zeros((30, 40, 3), np.uint8)
    col, row = 29, 7
    img[row, col] = (0, 0, 255)
    v.set_image(img, (2.0, 1.5))
    v.set_view(zoom, pan)
    out = v.render()
    assert out.shape == (160, 200, 3)
    ys, xs = np.nonzero((out[..., 2] > 200) & (out[..., 0] < 50))
    x, y = v.pixel_to_display(col, row)
    assert abs(xs.mean() - (x - 0.5)) < 1.0 and abs(ys.mean() - (y - 0.5)) < 1.0
    c2, r2 = v.display_to_pixel(x, y)
    assert (c2, r2) == pytest.approx((col, row))


def test_letters_and_crosshair_are_drawn_at_their_places():
    v = SliceView(200, 200)
    v.show_scale_bar = False
    v.set_image(np.zeros((50, 50, 3), np.uint8), (1.0, 1.0))
    v.set_letters({"right": "L"})
    v.set_crosshair(10, 40)
    out = v.render().astype(int)
    letter = (out[..., 0] > 200) & (out[..., 1] > 150) & (out[..., 2] < 120)
    ys, xs = np.nonzero(letter)
    assert xs.size > 5 and xs.min() > 170 and abs(ys.mean() - 100) < 15  # right edge, middle
    x, y = v.pixel_to_display(10, 40)
    green = (out[..., 1] > 100) & (out[..., 0] < 100)
    assert max(green[:, c].sum() for c in range(int(x) - 1, int(x) + 2)) > 150  # vertical line
    assert max(green[r, :].sum() for r in range(int(y) - 1, int(y) + 2)) > 150  # horizontal line


def test_nice_length():
    assert _nice_length(73) == 50 and _nice_length(19.9) == 10 and _nice_length(2.5) == 2


def test_chinese_name_is_drawn_with_cjk_glyphs():
    """A Chinese name is drawn with a font that has the glyphs: each ideograph covers many pixels,
    whereas a font without them draws nothing (or a box) for each."""
    from workstation.settings.fonts import unicode_font_file

    if unicode_font_file() is None:
        pytest.skip("no CJK font on this machine (Debian: fonts-wqy-microhei)")

    def lit(text):
        v = SliceView(300, 120)
        v.show_scale_bar = False
        v.set_image(np.zeros((10, 10, 3), np.uint8), (1.0, 1.0))
        corner = next(iter(v.corner))
        v.set_corner_text(corner, text)
        out = v.render().astype(int)
        return int((out.sum(axis=2) > 300).sum())

    caret = lit("^")
    name = lit("演示^病人")
    ascii4 = lit("ABCD^")
    assert name > 3 * caret
    assert name > 0.8 * ascii4  # four ideographs are at least as much ink as four Latin letters


DECAY_LINE = "decay: ADMIN but DecayFactor 1 (expected 1.13): read as at the scan"


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
def test_a_corner_line_wider_than_the_view_is_cut_to_fit_it(corner):
    """The decay-conflict line (about 380 px at 11 pt) in a 300 px MIP tile: rendered, the text's box lies
    inside the view (it used to run past the right edge); the line ends in "..." and starts as given; the
    short line is untouched."""
    v = SliceView(300, 400)
    v.set_image(np.zeros((40, 30, 3), np.uint8), (2.0, 2.0))
    v.set_corner_text(corner, "SUVbw 0-5\n" + DECAY_LINE)
    v.render()
    actor = v.corner[corner]
    bb = [0.0] * 4
    actor.GetBoundingBox(v.renderer, bb)  # relative to the actor's anchor
    x = actor.GetPosition()[0]
    assert x + bb[0] >= 0 and x + bb[1] <= 300, (x, bb)
    shown = actor.GetInput().split("\n")
    assert shown[0] == "SUVbw 0-5" and len(shown) == 2
    assert shown[1].endswith("...") and DECAY_LINE.startswith(shown[1][:-3]) and len(shown[1]) > 30
    for line in shown:
        assert v.text_width(actor.GetTextProperty(), line) <= 300 - 12


def test_a_corner_text_is_shown_in_full_when_the_view_widens():
    v = SliceView(300, 200)
    v.set_corner_text("bottom-left", DECAY_LINE)
    assert v.corner["bottom-left"].GetInput().endswith("...")
    v.set_size(900, 200)
    assert v.corner["bottom-left"].GetInput() == DECAY_LINE


def test_colour_mapped_pictures_take_the_rgba_path_and_look_the_same():
    """A picture from render.colormaps (3-channel view of opaque RGBA) is copied as whole pixels, in place
    when the size repeats, and shows exactly what the same picture as plain RGB shows."""
    from workstation.render import colormaps as cm
    from workstation.render.slice_view import SliceView

    rng = np.random.default_rng(5)
    pictures = [cm.fuse_units(rng.random((60, 80)).astype(np.float32), rng.random((60, 80)).astype(np.float32),
                              "grey", "hot iron", 0.5) for _ in range(2)]
    fast, plain = SliceView(200, 150), SliceView(200, 150)
    for rgb in pictures:  # the second one is written into the first one's VTK array
        fast.set_image(rgb, (1.5, 1.5))
        plain.set_image(np.ascontiguousarray(rgb), (1.5, 1.5))
        assert fast._image.GetPointData().GetScalars().GetNumberOfComponents() == 4
        assert plain._image.GetPointData().GetScalars().GetNumberOfComponents() == 3
        np.testing.assert_array_equal(vtk_image_to_rgb(fast._image)[..., :3], rgb)
        np.testing.assert_array_equal(fast.render(), plain.render())
