"""Colour maps and fusion against hand-worked values."""

import numpy as np
import pytest

from workstation.render import colormaps as cm


def test_window_unit_hand_values():
    u = cm.window_unit(np.array([-1.0, 0.0, 2.5, 5.0, 7.0]), 0.0, 5.0)
    assert np.allclose(u, [0.0, 0.0, 0.5, 1.0, 1.0])
    # CT soft tissue W400 L40: lower -160, upper 240; 40 HU is mid grey
    assert np.allclose(cm.ct_unit(np.array([-160.0, 40.0, 240.0]), 400, 40), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("name", ["hot iron", "rainbow", "grey", "inverted grey"])
def test_tables_have_256_entries(name):
    t = cm.lut(name)
    assert t.shape == (256, 3) and t.dtype == np.uint8


def test_table_end_points():
    assert cm.lut("hot iron")[0].tolist() == [0, 0, 0] and cm.lut("hot iron")[255].tolist() == [255, 255, 255]
    hi = cm.lut("hot iron").astype(int)
    lum = hi @ [299, 587, 114]
    assert np.all(np.diff(lum) >= 0)  # brightness never drops
    mid = hi[128]  # x = 128/255: red full at 0.5, green ramp (x-0.4)/0.45, blue 0
    assert mid.tolist() == [255, round(255 * (128 / 255 - 0.4) / 0.45), 0]
    rb = cm.lut("rainbow")
    assert rb[1].tolist() == [0, 0, 255] or rb[1][2] > 250  # blue end
    assert rb[255].tolist() == [255, 0, 0]
    assert cm.lut("inverted grey")[0].tolist() == [255, 255, 255]
    assert cm.lut("grey")[255].tolist() == [255, 255, 255]
    with pytest.raises(KeyError):
        cm.lut("jet")


def test_fuse_hand_worked_pixel():
    base = np.array([[[100, 100, 100], [100, 100, 100]]], np.uint8)
    over = np.array([[[255, 50, 0], [255, 50, 0]]], np.uint8)
    unit = np.array([[0.0, 0.7]], np.float32)
    out = cm.fuse(base, over, unit, 0.4)
    assert out[0, 0].tolist() == [100, 100, 100]  # no PET above window: anatomy untouched
    assert out[0, 1].tolist() == [round(0.6 * 100 + 0.4 * 255), round(0.6 * 100 + 0.4 * 50), round(0.6 * 100)]
