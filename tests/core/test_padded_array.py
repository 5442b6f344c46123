"""core.display.PaddedArray: an array seen on a larger or shifted grid of its lattice without a padded copy.
Every plane it gives equals the plane of the padded copy built with NumPy (np.full + one slice assignment),
for offsets that pad, crop or both, on every axis; shifting composes like padding twice."""

import numpy as np
import pytest

from workstation.core.display import PLANE_SPECS, PaddedArray, extract_plane


def _twin(base, offset, shape, fill):
    """The padded copy, written independently: every grid voxel asks whether a stored voxel sits there."""
    out = np.full(shape, fill, base.dtype)
    for k in range(shape[0]):
        for j in range(shape[1]):
            for i in range(shape[2]):
                src = (k - offset[0], j - offset[1], i - offset[2])
                if all(0 <= s < n for s, n in zip(src, base.shape)):
                    out[k, j, i] = base[src]
    return out


CASES = [((2, 3, 1), (9, 12, 10)),  # padded on every side
         ((-2, 0, 3), (5, 9, 11)),  # cropped along z, padded along x
         ((0, -4, -1), (7, 3, 5)),  # cropped along y and x
         ((0, 0, 0), (7, 8, 6)),  # exactly the stored grid
         ((9, 0, 0), (8, 8, 6))]  # the stored block entirely outside


@pytest.mark.parametrize("offset,shape", CASES)
def test_every_plane_equals_the_padded_copy(offset, shape):
    base = np.random.default_rng(1).integers(-1024, 3000, size=(7, 8, 6)).astype(np.int16)
    p = PaddedArray(base, offset, shape, fill=-1024)
    want = _twin(base, offset, shape, -1024)
    assert p.shape == want.shape and p.dtype == np.int16 and p.nbytes == base.nbytes
    assert np.array_equal(np.asarray(p), want) and np.array_equal(p[1:3, :, 2], want[1:3, :, 2])
    for axis in range(3):
        for index in range(shape[axis]):
            got = p.take_plane(index, axis)
            assert got.dtype == np.int16 and np.array_equal(got, np.take(want, index, axis=axis)), (axis, index)
    for name, spec in PLANE_SPECS.items():
        n = shape[{0: 2, 1: 1, 2: 0}[spec.normal]]
        for index in (0, n // 2, n - 1):
            assert np.array_equal(extract_plane(p, spec, index), extract_plane(want, spec, index)), name
    assert p.min() == want.min()
    with pytest.raises(IndexError):
        p.take_plane(shape[0], 0)


def test_shifting_composes_and_returns_the_stored_array_on_its_own_grid():
    base = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)
    p = PaddedArray(base, (1, 2, 0), (6, 9, 8), fill=-1.0)
    q = p.shifted((3, 1, 2), (8, 7, 9))
    assert np.array_equal(np.asarray(q), _twin(base, (3, 1, 2), (8, 7, 9), -1.0))
    assert p.shifted((0, 0, 0), base.shape) is base
