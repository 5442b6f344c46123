import numpy as np
import SimpleITK as sitk

from workstation.analysis.registration.resample import fraction_inside, resample_array
from workstation.core.geometry import ImageGeometry
from workstation.io.sitk_bridge import from_sitk, to_sitk


def test_integer_shift_by_hand():
    src = ImageGeometry((4, 5, 6), (1, 1, 1), (0, 0, 0))
    dst = ImageGeometry((4, 5, 6), (1, 1, 1), (2, 0, 0))  # starts 2 mm further along +x (i)
    a = np.arange(120, dtype=np.float32).reshape(4, 5, 6)
    out = resample_array(a, src, dst, order=1, fill=-1)
    assert np.array_equal(out[:, :, :4], a[:, :, 2:])
    assert np.all(out[:, :, 4:] == -1)


def test_marker_survives_reorientation():
    src = ImageGeometry((10, 10, 10), (2, 2, 2), (0, 0, 0))
    a = np.zeros(src.shape, np.uint8)
    a[2, 3, 7] = 1
    world = src.kji_to_world((2, 3, 7))
    coronal = np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], float)
    dst = ImageGeometry((20, 20, 20), (1, 1, 1), (-1, -5, 19), coronal)
    out = resample_array(a, src, dst, order=0)
    hits = np.argwhere(out == 1)
    assert len(hits) > 0
    centre = dst.kji_to_world(hits.mean(axis=0))
    assert np.allclose(centre, world, atol=1.0)


def test_linear_matches_simpleitk():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(12, 13, 14)).astype(np.float32)
    r = np.radians(17)
    rot = np.array([[np.cos(r), 0, np.sin(r)], [0, 1, 0], [-np.sin(r), 0, np.cos(r)]])
    src = ImageGeometry(a.shape, (1.1, 0.9, 2.0), (-3, 4, 5), rot)
    dst = ImageGeometry((10, 11, 12), (1.0, 1.2, 1.5), (-1, 5, 7))
    ours = resample_array(a, src, dst, order=1, fill=0)
    ref_img = sitk.Resample(to_sitk(a, src), to_sitk(np.zeros(dst.shape, np.float32), dst), sitk.Transform(),
                            sitk.sitkLinear, 0.0, sitk.sitkFloat32)
    ref, g = from_sitk(ref_img)
    assert g == dst
    interior = (ours != 0) & (ref != 0)
    assert interior.sum() > 200
    assert np.allclose(ours[interior], ref[interior], atol=1e-4)


def test_fraction_inside():
    g = ImageGeometry((2, 2, 2), (1, 1, 1))
    pts = np.array([[0, 0, 0], [1, 1, 1], [5, 5, 5], [-3, 0, 0]], float)
    assert fraction_inside(pts, g) == 0.5
