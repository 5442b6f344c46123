"""Every SliceView of a thread draws into one shared off-screen window (render.slice_view): views of
different sizes drawn in turn give the pictures each gives drawn alone, and no view sees another's."""

from __future__ import annotations

import numpy as np

from workstation.render.slice_view import SliceView


def _view(w, h, seed):
    v = SliceView(w, h)
    rgb = (np.random.default_rng(seed).random((40, 50, 3)) * 255).astype(np.uint8)
    v.set_image(rgb, (1.0, 1.0))
    v.set_corner_text("top-left", f"view {seed}")
    return v


def test_views_drawn_in_turn_equal_views_drawn_alone():
    alone = [_view(w, h, s).render() for w, h, s in ((200, 150, 1), (320, 240, 2))]
    a, b = _view(200, 150, 1), _view(320, 240, 2)
    turns = [a.render(), b.render(), a.render(), b.render()]
    assert turns[0].shape == (150, 200, 3) and turns[1].shape == (240, 320, 3)
    for got, want in zip(turns, alone * 2):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(turns[0][:100, :100], turns[1][:100, :100])  # two different pictures
