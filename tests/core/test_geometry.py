import numpy as np
import pytest

from workstation.core.geometry import ImageGeometry, orientation_letter


def _rot(axis, deg):
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    if axis == "z":
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def test_index_world_by_hand():
    g = ImageGeometry((4, 3, 2), (0.5, 2.0, 3.0), (10, 20, 30))
    # i=1, j=2, k=3 -> x = 10 + 0.5, y = 20 + 4, z = 30 + 9
    assert np.allclose(g.ijk_to_world([1, 2, 3]), [10.5, 24.0, 39.0])
    assert np.allclose(g.kji_to_world([3, 2, 1]), [10.5, 24.0, 39.0])
    assert np.allclose(g.world_to_kji([10.5, 24.0, 39.0]), [3, 2, 1])


def test_coronal_direction_by_hand():
    # coronal slices: rows along +x (L), columns along -z (feet), slices along +y (P)
    d = np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], float)
    g = ImageGeometry((5, 6, 7), (1.0, 2.0, 4.0), (0, 0, 0), d)
    assert np.allclose(g.ijk_to_world([1, 1, 1]), [1.0, 4.0, -2.0])
    assert g.axis_labels() == ("L", "I", "P")


@pytest.mark.parametrize("seed", range(5))
def test_roundtrip_oblique(seed):
    rng = np.random.default_rng(seed)
    d = _rot("z", rng.uniform(-40, 40)) @ _rot("x", rng.uniform(-40, 40))
    g = ImageGeometry((9, 8, 7), rng.uniform(0.5, 4, 3), rng.uniform(-100, 100, 3), d)
    ijk = rng.uniform(0, 7, (20, 3))
    assert np.allclose(g.world_to_ijk(g.ijk_to_world(ijk)), ijk)
    # affine agrees with the method
    h = np.c_[ijk, np.ones(20)] @ g.affine.T
    assert np.allclose(h[:, :3], g.ijk_to_world(ijk))


def test_nearest_outside_is_none():
    g = ImageGeometry((2, 2, 2), (1, 1, 1))
    assert g.world_to_nearest_kji([5, 0, 0]) is None
    assert g.world_to_nearest_kji([1.2, 0.4, 0.9]) == (1, 0, 1)


def test_rejects_bad_direction_and_spacing():
    with pytest.raises(ValueError):
        ImageGeometry((2, 2, 2), (1, 1, 1), (0, 0, 0), np.ones((3, 3)))
    with pytest.raises(ValueError):
        ImageGeometry((2, 2, 2), (1, 0, 1))


def test_orientation_letters():
    assert orientation_letter([1, 0, 0]) == "L"
    assert orientation_letter([-1, 0, 0]) == "R"
    assert orientation_letter([0, 1, 0]) == "P"
    assert orientation_letter([0, 0, 1]) == "S"
    assert orientation_letter([0, 0, -1]) == "I"
    assert orientation_letter([0.8, -0.6, 0]) == "LA"


def test_dict_roundtrip():
    g = ImageGeometry((3, 4, 5), (1, 2, 3), (4, 5, 6), _rot("y", 20))
    assert ImageGeometry.from_dict(g.to_dict()) == g
