import numpy as np
import pytest

from workstation.core.geometry import ImageGeometry
from workstation.io.errors import DicomError
from workstation.io.masks import read_mask
from workstation.io.nifti import write_nifti


def test_dcmqi_seg_volume_matches_reference(refdata):
    """The dcmqi example SEG: its TID1500 SR says the segment is 33.5824 mL (sum of voxel volumes)."""
    import json

    ref = json.loads((refdata / "dcmqi-qin-headneck-sr-example" / "expected_values.json").read_text())
    mtv = next(m["value"] for m in ref["measurements"] if m["name"] == "Volume")
    mask, g = read_mask(refdata / "dcmqi-qin-headneck-sr-example" / "seg.dcm")
    assert g.shape[1:] == (128, 128)
    assert np.allclose(g.spacing[:2], ref["seg"]["pixel_spacing_mm"], atol=1e-5)
    assert mask.sum() * g.voxel_volume_ml == pytest.approx(mtv, rel=2e-4)


def test_nifti_labels(tmp_path):
    g = ImageGeometry((4, 5, 6), (1, 1, 2))
    lab = np.zeros(g.shape, np.uint8)
    lab[1, 1:3, 1:3] = 1
    lab[3, 4, 5] = 2
    write_nifti(tmp_path / "l.nii.gz", lab, g)
    m, g2 = read_mask(tmp_path / "l.nii.gz")
    assert m.sum() == 5 and g2 == g
    m2, _ = read_mask(tmp_path / "l.nii.gz", label=2)
    assert m2.sum() == 1 and m2[3, 4, 5]
    with pytest.raises(DicomError, match="empty"):
        read_mask(tmp_path / "l.nii.gz", label=7)


def test_not_a_seg(tmp_path, refdata):
    with pytest.raises(DicomError, match="not a DICOM Segmentation"):
        read_mask(refdata / "dcmqi-qin-headneck-sr-example" / "sr.dcm")


# ---------------------------------------------------------------- SEG built in the test (seg_factory)
from seg_factory import write_seg  # noqa: E402


@pytest.mark.parametrize("iop", [(1, 0, 0, 0, 1, 0), (0, 1, 0, 0, 0, -1)], ids=["axial", "sagittal"])
def test_asymmetric_multiframe_seg_marker_at_its_world_position(tmp_path, iop):
    """Non-square frames, frames stored from the far end of the stack, one marker pixel off every
    diagonal: the voxel read back must sit at the marker's world position (catches a flipped slice
    axis and a transposed plane)."""
    rows, cols, ps, step = 6, 9, (2.0, 3.0), 4.0
    row_dir, col_dir = np.array(iop[:3], float), np.array(iop[3:], float)
    normal = np.cross(row_dir, col_dir)
    origin = np.array([-30.0, 12.0, 7.0])
    frames = []
    marker_world = None
    for k in (3, 2, 1, 0):  # written in reverse order
        ipp = origin + k * step * normal
        a = np.zeros((rows, cols), np.uint8)
        a[0, 0] = 1  # a corner on every frame
        if k == 2:
            a[1, 7] = 1  # the marker: row 1, column 7
            marker_world = ipp + 7 * ps[1] * row_dir + 1 * ps[0] * col_dir
        frames.append((1, ipp, a))
    path = write_seg(tmp_path / "seg.dcm", frames, segments=[(1, "marker")], iop=iop, pixel_spacing=ps,
                     thickness=step)
    mask, g = read_mask(path)
    assert mask.sum() == 5
    corner = {tuple(np.round(g.kji_to_world(np.array(kji, float)), 6)) for kji in np.argwhere(mask)}
    expected = {tuple(np.round(origin + k * step * normal, 6)) for k in range(4)}
    expected.add(tuple(np.round(marker_world, 6)))
    assert corner == expected
    # the same through the world -> index direction
    kji = np.rint(g.world_to_kji(marker_world)).astype(int)
    assert mask[tuple(kji)]
    assert np.allclose(g.spacing, (ps[1], ps[0], step))


def test_multi_segment_seg_keeps_segments_apart(tmp_path):
    from workstation.io.masks import read_structures

    origin = np.array([-20.0, -20.0, 0.0])
    a = np.zeros((5, 8), np.uint8)
    a[1:3, 2:5] = 1
    b = np.zeros((5, 8), np.uint8)
    b[4, 7] = 1
    c = np.zeros((5, 8), np.uint8)
    c[2, 2] = 1  # overlaps segment 1 on slice 1
    frames = [(1, origin + [0, 0, 3.0], a), (2, origin + [0, 0, 9.0], b), (3, origin + [0, 0, 3.0], c)]
    path = write_seg(tmp_path / "multi.dcm", frames, segments=[(1, "tumour"), (2, "node"), (3, "core")],
                     pixel_spacing=(4.0, 4.0), thickness=3.0)
    st = read_structures(path)
    assert [(s.number, s.name, s.kind) for s in st] == [(1, "tumour", "SEG"), (2, "node", "SEG"), (3, "core", "SEG")]
    assert [int(s.mask.sum()) for s in st] == [6, 1, 1]
    assert all(s.geometry is st[0].geometry for s in st)  # one common grid
    g = st[0].geometry
    assert np.allclose(g.kji_to_world(np.argwhere(st[1].mask)[0].astype(float)), origin + [7 * 4.0, 4 * 4.0, 9.0])
    union, _ = read_mask(path)
    assert union.sum() == 7  # 6 + 1, the core is inside the tumour
    assert st[0].color is not None and all(0 <= v <= 255 for v in st[0].color)
    two, _ = read_mask(path, 2)
    assert np.array_equal(two, st[1].mask)
    with pytest.raises(DicomError, match="no segment number 9"):
        read_mask(path, 9)
