"""RTSTRUCT contours to masks: even-odd polygon fill against analytic shapes, slices matched by
position (image references point nowhere), any target grid, and the refdata GE structures against
contour area × plane spacing worked out here with the shoelace formula."""

import numpy as np
import pytest

from seg_factory import circle, write_rtstruct
from workstation.core.geometry import ImageGeometry
from workstation.io.errors import DicomError, GeometryError
from workstation.io.masks import read_mask, read_structures
from workstation.io.rtstruct import contours_to_mask, polygon_fill, read_rtstruct


def _centres(shape):
    rr, cc = np.mgrid[0:shape[0], 0:shape[1]]
    return rr.astype(float), cc.astype(float)


def _ring_edge(d, *radii, tol=1e-3):
    return np.any([np.abs(d - r) < tol for r in radii], axis=0)


def test_polygon_fill_disc_matches_analytic_disc():
    shape = (24, 30)
    cx, cy, r = 13.3, 10.7, 7.2  # (col, row) pixel units
    poly = circle(cx, cy, 0, r)[:, :2]
    m = polygon_fill([poly], shape)
    rr, cc = _centres(shape)
    d = np.hypot(cc - cx, rr - cy)
    truth = d < r
    edge = _ring_edge(d, r)
    assert np.array_equal(m[~edge], truth[~edge])
    assert m.sum() == truth.sum() and 150 < m.sum() < 170  # pi * 7.2^2 = 162.9 pixels


def test_polygon_fill_ring_with_hole_and_two_islands():
    shape = (40, 40)
    outer, inner = circle(15.2, 14.6, 0, 9.3)[:, :2], circle(15.2, 14.6, 0, 4.1, clockwise=True)[:, :2]
    island = circle(33.0, 33.0, 0, 3.4)[:, :2]
    m = polygon_fill([outer, inner, island], shape)
    rr, cc = _centres(shape)
    d1 = np.hypot(cc - 15.2, rr - 14.6)
    d2 = np.hypot(cc - 33.0, rr - 33.0)
    truth = ((d1 < 9.3) & (d1 > 4.1)) | (d2 < 3.4)
    edge = _ring_edge(d1, 9.3, 4.1) | _ring_edge(d2, 3.4)
    assert np.array_equal(m[~edge], truth[~edge])
    assert not m[15, 15]  # the hole is empty
    # the orientation of the hole does not matter (even-odd rule)
    m2 = polygon_fill([outer, inner[::-1], island], shape)
    assert np.array_equal(m, m2)


def _geometry(dz=3.0):
    # asymmetric in-plane spacing, origin off zero; axial slices
    return ImageGeometry((int(30 / dz), 25, 30), (1.5, 2.0, dz), (-20.0, -30.0, -10.0), np.eye(3))


def _disc_contours(zs, cx=1.0, cy=-4.0, r=9.0):
    return [circle(cx, cy, z, r) for z in zs]


def test_contours_to_mask_world_positions_on_matching_grid():
    g = _geometry()
    zs = [-10.0 + 3.0 * k for k in (2, 3, 4, 5)]
    m = contours_to_mask(_disc_contours(zs), g)
    assert [k for k in range(g.shape[0]) if m[k].any()] == [2, 3, 4, 5]
    kji = np.argwhere(np.ones(g.shape[1:], bool))
    for k in (2, 3, 4, 5):
        w = g.kji_to_world(np.column_stack([np.full(len(kji), k), kji]))
        d = np.hypot(w[:, 0] - 1.0, w[:, 1] + 4.0)
        truth = (d < 9.0).reshape(g.shape[1:])
        edge = (np.abs(d - 9.0) < 1e-3).reshape(g.shape[1:])
        assert np.array_equal(m[k][~edge], truth[~edge])


def test_contours_to_mask_on_finer_and_coarser_slices():
    zs = [-10.0 + 3.0 * k for k in (2, 3, 4, 5)]
    area_px = contours_to_mask(_disc_contours(zs), _geometry())[3].sum()
    fine = contours_to_mask(_disc_contours(zs), _geometry(dz=1.0))
    # each 3 mm plane covers the 1 mm slices within +-1.5 mm: 4 planes x 3 slices
    assert [k for k in range(fine.shape[0]) if fine[k].any()] == list(range(5, 17))
    assert fine.sum() == 12 * area_px
    coarse = contours_to_mask(_disc_contours(zs), _geometry(dz=6.0))  # slices at -10, -4, 2, 8, ...
    assert [k for k in range(coarse.shape[0]) if coarse[k].any()] == [1, 2]


def test_tilted_contour_is_refused():
    pts = circle(0, 0, 0, 5.0)
    pts[:, 2] = pts[:, 0] * 0.5
    with pytest.raises(GeometryError, match="not parallel"):
        contours_to_mask([pts], _geometry())


def test_rtstruct_file_two_rois_and_read_mask(tmp_path):
    zs = [-10.0 + 3.0 * k for k in (2, 3, 4)]
    path = write_rtstruct(tmp_path / "rs.dcm", [
        (1, "lesion A", (255, 0, 0), _disc_contours(zs)),
        (7, "ring B", (0, 255, 0), [circle(-8, 10, -1.0, 6.0), circle(-8, 10, -1.0, 2.5)]),
    ])
    rs = read_rtstruct(path)
    assert [(r.number, r.name, r.color) for r in rs.rois] == [(1, "lesion A", (255, 0, 0)), (7, "ring B", (0, 255, 0))]
    g = _geometry()
    structs = read_structures(path, g)
    assert [s.kind for s in structs] == ["RTSTRUCT", "RTSTRUCT"]
    a, b = structs[0].mask, structs[1].mask
    assert [k for k in range(g.shape[0]) if b[k].any()] == [3]
    centre = np.rint(g.world_to_kji(np.array([-8.0, 10.0, -1.0]))).astype(int)
    assert not b[tuple(centre)]  # the hole
    m, g2 = read_mask(path, geometry=g)
    assert g2 is g and np.array_equal(m, a | b)
    m7, _ = read_mask(path, 7, geometry=g)
    assert np.array_equal(m7, b)
    with pytest.raises(DicomError, match="no ROI number 3"):
        read_mask(path, 3, geometry=g)
    with pytest.raises(DicomError, match="image grid"):
        read_mask(path)


def _shoelace_ml(contours):
    """Sum over contours of |shoelace area| (mm2) x plane spacing (mm), in mL (independent of the code)."""
    zs = sorted({round(float(c[0, 2]), 2) for c in contours})
    spacing = float(np.median(np.diff(zs)))
    total = 0.0
    for c in contours:
        x, y = c[:, 0], c[:, 1]
        total += 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return total * spacing / 1000.0, zs, spacing


@pytest.mark.parametrize("patient", ["STS_002", "STS_005"])
@pytest.mark.parametrize("modality", ["PET", "CT", "MR_T1"])
def test_refdata_rtstruct_volume_equals_contour_area_times_spacing(refdata, patient, modality):
    folder = refdata / "ibsi-sts-petctmr" / patient / modality / "mask"
    path = next(folder.glob("*.dcm"))
    rs = read_rtstruct(path)
    assert len(rs.rois) == 1
    contours = rs.rois[0].contours
    expected_ml, zs, dz = _shoelace_ml(contours)
    # a fine grid whose slices lie on the contour planes: the fill must give the shoelace volume
    lo = np.min([c.min(axis=0) for c in contours], axis=0) - 2.0
    hi = np.max([c.max(axis=0) for c in contours], axis=0) + 2.0
    s = 0.2
    g = ImageGeometry((len(zs), int((hi[1] - lo[1]) / s) + 1, int((hi[0] - lo[0]) / s) + 1), (s, s, dz),
                      (lo[0], lo[1], zs[0]), np.eye(3))
    m = contours_to_mask(contours, g)
    assert m.sum() * g.voxel_volume_ml == pytest.approx(expected_ml, rel=0.01)
    assert all(m[k].any() for k in range(len(zs)))


@pytest.mark.parametrize("patient", ["STS_002", "STS_005"])
def test_refdata_rtstruct_on_the_pet_grid(refdata, patient):
    from workstation.io.loader import load_pet_folder

    base = refdata / "ibsi-sts-petctmr" / patient
    pet = load_pet_folder(base / "PET" / "image")
    path = next((base / "PET" / "mask").glob("*.dcm"))
    (st,) = read_structures(path, pet.geometry)
    expected_ml, zs, _ = _shoelace_ml(read_rtstruct(path).rois[0].contours)
    filled = [k for k in range(pet.shape[0]) if st.mask[k].any()]
    assert len(filled) == len(zs)  # one PET slice per contour plane, matched by position
    assert st.mask.sum() * pet.geometry.voxel_volume_ml == pytest.approx(expected_ml, rel=0.1)
