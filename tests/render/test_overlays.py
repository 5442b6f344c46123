"""VOI outlines: the plane cut of a PET-grid mask against a hand-written nearest-voxel rule, the traced
edges against hand-counted perimeters, and the drawn outline pixels at the VOI's screen position."""

import numpy as np
import pytest

from workstation.analysis.reading.session import ReadingSession
from workstation.analysis.lesions.voi import VoiModel
from workstation.render import overlays as O
from workstation.render.scene import CellRenderer
from workstation.testing import synthetic_study as syn


def test_outline_segments_perimeter():
    m = np.zeros((6, 7), bool)
    m[1:3, 2:5] = True  # 2 x 3 block: perimeter 2 * (2 + 3) = 10 unit edges
    segs = O.outline_segments(m)
    assert segs.shape == (10, 2, 2)
    assert np.allclose(np.abs(segs[:, 1] - segs[:, 0]).sum(axis=1), 1.0)  # unit, axis-aligned
    xs, ys = segs[..., 0], segs[..., 1]
    assert xs.min() == 1.5 and xs.max() == 4.5 and ys.min() == 0.5 and ys.max() == 2.5
    ring = np.ones((5, 5), bool)
    ring[2, 2] = False  # a hole adds its own 4 edges
    assert len(O.outline_segments(ring)) == 4 * 5 + 4
    full = np.ones((3, 4), bool)  # at the image border the outline still closes
    assert len(O.outline_segments(full)) == 14
    assert not len(O.outline_segments(np.zeros((3, 3), bool)))


def test_outline_pixels():
    m = np.zeros((7, 7), bool)
    m[1:6, 1:6] = True
    p = O.outline_pixels(m)
    assert p.sum() == 16 and not p[3, 3] and p[1, 1]


def _pet_voxel_centre(p):
    """Nearest voxel centre of the synthetic PET grid, by hand: origin (-99, -99, 81), 6 mm, z axis flipped."""
    i, j, k = np.rint((p[..., 0] + 99) / 6), np.rint((p[..., 1] + 99) / 6), np.rint((81 - p[..., 2]) / 6)
    return np.stack([-99 + 6 * i, -99 + 6 * j, 81 - 6 * k], -1)


@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
@pytest.mark.parametrize("shift", [0.0, 7.0])
def test_plane_mask_is_the_nearest_pet_voxel_rule(plane, shift):
    s = ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    t = np.eye(4)
    t[0, 3] = shift  # PET frame = display frame + 7 mm in x
    s.set_pet_transform(t)
    pet_g = s.pet.geometry
    c, r = syn.LESION, 13.0
    model = VoiModel(s.pet.array, pet_g)
    v = model.add_sphere(c, r)
    s.set_crosshair(syn.LESION - [shift, 0, 0])
    idx = s.plane_index(plane)
    got = O.plane_mask(v.lo, v.crop, pet_g, s.display_geometry, plane, idx, s.pet_from_anat)
    rows, cols = got.shape
    expect = np.zeros_like(got)
    for row in range(rows):
        for col in range(cols):
            p = s.pixel_to_world(plane, col, row) + [shift, 0, 0]
            q = _pet_voxel_centre(p)
            inside_grid = np.all(np.abs(p - np.clip(p, [-99 - 3, -99 - 3, 81 - 6 * 27 - 3], [99 + 3, 99 + 3, 84])) < 1e-9)
            expect[row, col] = inside_grid and np.sum((q - c) ** 2) <= r * r
    np.testing.assert_array_equal(got, expect)
    assert got.sum() > 10
    # a slice that misses the sphere gives nothing
    far = s.crosshair.copy()
    normal = {"axial": 2, "coronal": 1, "sagittal": 0}[plane]
    far[normal] += 40.0
    s.set_crosshair(far)
    assert not O.plane_mask(v.lo, v.crop, pet_g, s.display_geometry, plane, s.plane_index(plane), t).any()


@pytest.mark.gui
@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_outline_drawn_at_the_voi_screen_position(plane):
    s = ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    s.set_pet_window(0.0, syn.LESION_BQML)
    model = VoiModel(s.pet.array, s.pet.geometry)
    v = model.add_sphere(syn.LESION, 13.0)
    s.set_crosshair(syn.LESION + 30.0 * (np.arange(3) != {"axial": 2, "coronal": 1, "sagittal": 0}[plane]))
    cell = CellRenderer("fused", plane, 300, 280)
    cell.overlays.append(O.VoiOutlines(cell, model))
    img = cell.render(s)
    cyan = np.all(img == (0, 255, 255), axis=-1)
    assert cyan.sum() > 20
    x, y = cell.world_to_display(s, syn.LESION)
    yy, xx = np.nonzero(cyan)
    d = np.hypot(xx - x, yy - y)
    mmpp = cell.view.mm_per_pixel()
    # every outline pixel lies on the sphere's edge (radius 13 mm, +- one 6 mm PET voxel + line width)
    assert d.min() * mmpp > 13.0 - 6.0 - 2 * mmpp and d.max() * mmpp < 13.0 + 6.0 + 2 * mmpp
    # and it goes around the lesion: outline pixels on both sides horizontally and vertically
    assert (xx < x - 3).any() and (xx > x + 3).any() and (yy < y - 3).any() and (yy > y + 3).any()
    # the drawn mask equals the plane mask of the same slice
    m = cell.overlays[0].last_masks[v.id]
    np.testing.assert_array_equal(m, O.plane_mask(v.lo, v.crop, s.pet.geometry, s.display_geometry, plane,
                                                  s.plane_index(plane), s.pet_from_anat))
    # another slice that misses the sphere: no outline; back on the lesion: the outline again
    normal = {"axial": 2, "coronal": 1, "sagittal": 0}[plane]
    off = s.crosshair.copy()
    off[normal] += 25.0
    s.set_crosshair(off)
    assert not np.all(cell.render(s) == (0, 255, 255), axis=-1).any()
    off[normal] -= 25.0
    s.set_crosshair(off)
    assert np.all(cell.render(s) == (0, 255, 255), axis=-1).sum() == cyan.sum()
    model.delete(v.id)
    img = cell.render(s)
    assert not np.all(img == (0, 255, 255), axis=-1).any()


@pytest.mark.gui
def test_outline_on_the_mip():
    s = ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    s.set_pet_window(0.0, syn.LESION_BQML)
    model = VoiModel(s.pet.array, s.pet.geometry)
    model.add_sphere(syn.LESION, 13.0)
    cell = CellRenderer("mip", "coronal", 240, 300)
    cell.overlays.append(O.VoiOutlines(cell, model))
    img = cell.render(s)
    cyan = np.all(img == (0, 255, 255), axis=-1)
    x, y = cell.world_to_display(s, syn.LESION)
    yy, xx = np.nonzero(cyan)
    assert len(xx) > 10
    d = np.hypot(xx - x, yy - y) * cell.view.mm_per_pixel()
    assert d.max() < 13.0 + 12.0 and (xx < x).any() and (xx > x).any()


@pytest.mark.gui
def test_structures_are_named_beside_their_outline_and_other_vois_are_not():
    """A structure of the study (SEG segment / RTSTRUCT ROI) is drawn with its name (a Chinese one too)
    sitting on the top of its outline in the outline's colour; a sphere VOI gets no name; off the
    structure's slices the name goes with the outline."""
    s = ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    s.set_pet_window(0.0, syn.LESION_BQML)
    model = VoiModel(s.pet.array, s.pet.geometry)
    g = s.pet.geometry
    centre = np.rint(g.world_to_kji(syn.LESION)).astype(int)
    mask = np.zeros(g.shape, bool)
    k, j, i = centre
    mask[k - 1:k + 2, j - 3:j + 3, i - 4:i + 4] = True  # a block: its top row on screen is known
    st = model.add_structure(mask, "GTV 肿瘤")
    sphere = model.add_sphere(syn.LESION + np.array([0.0, 0.0, 0.0]), 5.0)
    s.set_crosshair(syn.LESION)
    cell = CellRenderer("fused", "axial", 300, 280)
    ov = O.VoiOutlines(cell, model)
    cell.overlays.append(ov)
    img = cell.render(s)
    assert set(ov.last_labels) == {st.id}  # the sphere VOI is not named
    name, (c0, r0) = ov.last_labels[st.id]
    assert name == "GTV 肿瘤"
    m = ov.last_masks[st.id]
    rows, cols = np.nonzero(m)
    assert r0 == rows.min() and c0 == cols[rows == rows.min()].min()
    # the text's pixels: cyan, above the outline's top edge, starting at its left end
    x0, y0 = cell.view.pixel_to_display(c0, r0)
    cyan = np.all(img == (0, 255, 255), axis=-1)
    yy, xx = np.nonzero(cyan)
    above = (yy < y0 - 1) & (yy > y0 - 30) & (xx >= x0 - 3) & (xx < x0 + 150)
    assert above.sum() > 15
    # without the structure's name the same region holds no cyan text
    model.delete(st.id)
    img2 = cell.render(s)
    cyan2 = np.all(img2 == (0, 255, 255), axis=-1)
    yy2, xx2 = np.nonzero(cyan2)
    assert not ((yy2 < y0 - 1) & (yy2 > y0 - 30) & (xx2 >= x0 - 3) & (xx2 < x0 + 150)).any()
    assert ov.last_labels == {} and sphere.id in ov.last_masks
