"""The fused picture made with a blend table equals the pixel formula computed in float32."""

import numpy as np
import pytest

from workstation.render import colormaps as cm


@pytest.mark.parametrize("opacity", [0.0, 0.3, 0.4, 0.5, 0.77, 1.0])
def test_table_blend_equals_the_formula(opacity):
    rng = np.random.default_rng(int(opacity * 100))
    base = rng.integers(0, 256, (120, 90, 3), dtype=np.uint8)
    over = rng.integers(0, 256, (120, 90, 3), dtype=np.uint8)
    unit = rng.random((120, 90)).astype(np.float32)
    unit[unit < 0.4] = 0.0  # no PET above the window there: the anatomy unchanged
    a = np.float32(opacity) * (unit > 0)
    want = np.rint(base * (1.0 - a[..., None]) + over * a[..., None]).astype(np.uint8)
    got = cm.fuse(base, over, unit, opacity)
    assert got.dtype == np.uint8 and got.shape == base.shape
    assert np.array_equal(got, want)
    assert np.array_equal(got[unit == 0], base[unit == 0])


def test_views_of_four_channel_colours_are_accepted():
    """colorize returns a 3-channel view of RGBX: the blend reads it without copies going wrong."""
    grey = cm.colorize(np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8), "grey")
    hot = cm.colorize(np.linspace(1, 0, 64, dtype=np.float32).reshape(8, 8), "hot iron")
    unit = np.ones((8, 8), np.float32)
    got = cm.fuse(grey, hot, unit, 0.5)
    want = np.rint(grey.astype(np.float32) * 0.5 + hot.astype(np.float32) * 0.5).astype(np.uint8)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("colormap,opacity", [("hot iron", 0.5), ("rainbow", 0.3), ("inverted grey", 1.0)])
def test_one_lookup_fusion_equals_colourise_then_blend(colormap, opacity):
    """fuse_units (one packed-table lookup per pixel, the viewer's fused cell) equals colourising both
    images and blending them with fuse, pixel for pixel, the zero-PET anatomy included."""
    rng = np.random.default_rng(3)
    ct = rng.random((97, 131)).astype(np.float32)
    pet = rng.random((97, 131)).astype(np.float32)
    pet[pet < 0.3] = 0.0
    pet[0, :5] = [1e-7, 1.0 / 510.0, 0.5 / 255.0, 1.0, 0.999]  # rounding at the table's edges
    want = cm.fuse(cm.colorize(ct, "grey"), cm.colorize(pet, colormap), pet, opacity)
    got = cm.fuse_units(ct, pet, "grey", colormap, opacity)
    assert got.shape == want.shape and got.dtype == np.uint8
    assert np.array_equal(got, want)
