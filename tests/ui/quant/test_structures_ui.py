"""Structures of a study (RTSTRUCT ROIs, SEG segments) act as VOIs in the lesion table, with their names,
colours and SUV statistics worked out here on masks built independently from the contours' geometry."""


import numpy as np
import pytest

from workstation.testing import synthetic_study as syn

from workstation.testing.pet_factory import pet_dataset  # noqa: E402
from seg_factory import circle, write_rtstruct, write_seg  # noqa: E402
from workstation.analysis.reading import session as fusion
from workstation.io.pet_header import read_pet_acquisition  # noqa: E402

BW = 80000.0 / (350e6 * 2 ** (-3600.0 / 6586.2))  # SUVbw factor by hand


@pytest.fixture()
def panel(qtbot):
    from workstation.ui.quant.voi_panel import VoiPanel

    pet = syn.make_pet()
    pet.pet = read_pet_acquisition([pet_dataset(series_time="100000", acquisition_time="100000", weight=80.0,
                                                dose=350e6, start_time="090000")])
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)
    p = VoiPanel()
    qtbot.addWidget(p)
    p.set_session(s)
    return p


def _disc_mask(pet, ks, centre_xy, r):
    """PET voxels on slices ``ks`` whose centre is within r mm (in-plane) of centre_xy: by hand."""
    m = np.zeros(pet.shape, bool)
    kk, jj, ii = np.indices(pet.shape)
    w = pet.geometry.kji_to_world(np.stack([kk, jj, ii], -1).reshape(-1, 3).astype(float)).reshape(pet.shape + (3,))
    d = np.hypot(w[..., 0] - centre_xy[0], w[..., 1] - centre_xy[1])
    for k in ks:
        m[k] = d[k] < r
    return m


def test_rtstruct_rois_become_named_coloured_vois(panel, tmp_path):
    pet = panel.session.pet
    # PET slices run head to feet from z = 81 mm every 6 mm: z = 15, 9, 3 are slices 11, 12, 13
    lesion = [circle(40.0, -10.0, z, 10.0) for z in (15.0, 9.0, 3.0)]
    body = [circle(-30.0, 0.0, z, 15.0) for z in (-21.0, -27.0)]  # slices 17 and 18
    path = write_rtstruct(tmp_path / "rs.dcm", [(1, "GTV lesion", (255, 0, 0), lesion),
                                                (2, "background", (0, 0, 255), body)])
    added = panel.load_structures(str(path))
    assert [v.name for v in added] == ["GTV lesion", "background"]
    from workstation.ui.quant.voi_style import voi_colour

    assert voi_colour(added[0]) == (1.0, 0.0, 0.0) and voi_colour(added[1]) == (0.0, 0.0, 1.0)
    suv = np.asarray(pet.array, np.float64) * BW
    for v, (ks, c, r) in zip(added, [((11, 12, 13), (40.0, -10.0), 10.0), ((17, 18), (-30.0, 0.0), 15.0)]):
        truth = _disc_mask(pet, ks, c, r)
        assert np.array_equal(v.mask(pet.shape), truth), v.name
        row = next(panel.table.source_model.row_dict(i) for i in range(panel.table.source_model.rowCount())
                   if panel.table.source_model.row_dict(i)["id"] == v.id)
        assert row["name"] == v.name and row["kind"] == "structure"
        assert row["voxels"] == truth.sum()
        assert row["suv_max"] == pytest.approx(suv[truth].max(), rel=1e-5)
        assert row["suv_mean"] == pytest.approx(suv[truth].mean(), rel=1e-5)
    assert "2 structure(s)" in panel.message.text()


def test_seg_segments_become_vois_and_bad_files_say_why(panel, tmp_path):
    pet = panel.session.pet
    g = pet.geometry
    a = np.zeros(g.shape[1:], np.uint8)
    a[10:13, 20:24] = 1
    ipp = g.kji_to_world(np.array([12.0, 0.0, 0.0]))  # the PET's own slice 12
    path = write_seg(tmp_path / "seg.dcm", [(1, ipp, a)], segments=[(1, "node")], iop=(1, 0, 0, 0, 1, 0),
                     pixel_spacing=(6.0, 6.0), thickness=6.0)
    (v,) = panel.load_structures(str(path))
    truth = np.zeros(pet.shape, bool)
    truth[12, 10:13, 20:24] = True
    assert v.name == "node" and np.array_equal(v.mask(pet.shape), truth)
    assert panel.load_structures(str(tmp_path / "missing.dcm")) == []
    assert "not loaded" in panel.message.text()
