"""The dosimetry workspace on the synthetic phantom: worker thread, table, linked crosshair, pictures."""

import numpy as np
import pytest

from workstation.analysis.dosimetry.pipeline import DosimetryOptions
from workstation.testing.dosimetry_phantom import make_phantom, write_phantom

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    ph = make_phantom(times_h=(4.0, 24.0, 72.0), shape=(28, 40, 40), noise=0.01,
                      shifts_vox=[(0, 0, 0), (1, 0, 0), (0, 1, -1)], table_mm=(0.0, 20.0, -15.0))
    return ph, write_phantom(tmp_path_factory.mktemp("ws"), ph)


def test_workspace_runs_and_links_the_crosshair(qtbot, scans, tmp_path):
    from workstation.ui.dosimetry.workspace import DosimetryWorkspace

    ph, dirs = scans
    w = DosimetryWorkspace()
    qtbot.addWidget(w)
    w.resize(1500, 900)
    w.show()
    w.start(dirs, options=DosimetryOptions(method="dvk"))
    qtbot.waitUntil(lambda: w.result is not None, timeout=240_000)
    res = w.result
    assert w.table.rowCount() == 4 and w.voi_combo.count() == 4
    assert len(res.aligned_bqml) == 3
    # registered: the tumour sits at the same voxels of the first grid in every time point
    m = res.voi_masks["tumour"]
    for a in res.aligned_bqml[1:]:
        inside, outside = a[m].mean(), a[~m & (a > 0)].mean()
        assert inside > 3 * outside
    # a click on the second panel at voxel (j, i) puts the crosshair there in all panels
    x0, y0, x1, y1 = w.boxes[1]
    _, nj, ni = res.therapy.time_points[0].volume.geometry.shape
    j, i = 12, 30
    w._clicked(x0 + (i + 0.5) / ni * (x1 - x0), y0 + (j + 0.5) / nj * (y1 - y0))
    assert w.cross == (j, i)
    img = w.grab().toImage()
    path = tmp_path / "workspace.png"
    img.save(str(path))
    assert img.width() > 1000
    # the dose panel is coloured (not grey) somewhere: the fused dose map is drawn
    rgba, _ = __import__("workstation.ui.dosimetry.figures", fromlist=["slice_panels"]).slice_panels(res, w.k)
    x0, y0, x1, y1 = (int(v) for v in w.boxes[-1])
    panel = rgba[y0:y1, x0:x1, :3].astype(int)
    assert (np.abs(panel[..., 0] - panel[..., 2]) > 60).mean() > 0.01
    w.close()


def test_threshold_organ_voi_joins_the_table(qtbot, scans):
    """Click the left kidney, 'Threshold organ': the chain runs again (registrations kept) and the kidney VOI
    made by threshold equals the phantom's kidney and holds its activities."""
    from workstation.analysis.dosimetry.pipeline import find_rtstructs, load_time_points, run_dosimetry
    from workstation.ui.dosimetry.workspace import DosimetryWorkspace

    ph, dirs = scans
    tps = load_time_points(dirs)
    res = run_dosimetry(tps, find_rtstructs(dirs), DosimetryOptions(method="led"), keep_maps=True)
    regs = [tp.registration["moving_from_fixed"] for tp in tps]
    w = DosimetryWorkspace(res)
    qtbot.addWidget(w)
    w.cross = None
    assert w.add_organ_voi() is None and "Click the organ" in w.status.text()  # no crosshair: asks for a click
    g = tps[0].volume.geometry
    k, j, i = (int(round(v)) for v in g.world_to_kji(np.array([40.0, 22.0, -26.0])))
    w._set_slice(k)
    w.cross = (j, i)
    w.organ_combo.setCurrentText("kidney left (threshold)")
    w.organ_percent.setValue(40)
    assert w.add_organ_voi("threshold") is not None
    qtbot.waitUntil(lambda: w.result is not res, timeout=240_000)
    new = w.result
    assert w.table.rowCount() == 5 and [tp.registration["moving_from_fixed"] for tp in tps] == regs
    v = next(x for x in new.vois if x.name == "kidney left (threshold)")
    mine, truth = new.voi_masks[v.name], new.voi_masks["kidney left"]
    assert 2 * (mine & truth).sum() / (mine.sum() + truth.sum()) > 0.95
    np.testing.assert_allclose(v.activities_mbq, ph.truth_activity_mbq("kidney left", v.times_h), rtol=0.03)
    assert v.origin.startswith("threshold 40 %")
    w.close()


def test_cycles_chooser_and_cumulative_table(qtbot, scans):
    from workstation.analysis.dosimetry.pipeline import (cumulative_doses, find_rtstructs, load_time_points,
                                                         run_dosimetry)
    from workstation.ui.dosimetry.workspace import DosimetryWorkspace

    _, dirs = scans
    a = run_dosimetry(load_time_points(dirs[:2]), find_rtstructs(dirs), DosimetryOptions(register=False))
    b = run_dosimetry(load_time_points(dirs[:2]), find_rtstructs(dirs), DosimetryOptions(register=False))
    total = cumulative_doses([a, b])
    w = DosimetryWorkspace()
    qtbot.addWidget(w)
    w.set_cycles([a, b], total)
    assert w.cycle_combo.count() == 2 and w.result is a and w.cumulative_table.rowCount() == len(total)
    w.cycle_combo.setCurrentIndex(1)
    assert w.result is b
    row = next(r for r in range(w.cumulative_table.rowCount()) if w.cumulative_table.item(r, 0).text() == "tumour")
    ta = next(v for v in a.vois if v.name == "tumour").dose_gy
    assert w.cumulative_table.item(row, 2).text().startswith(f"{2 * ta:.2f}")
    w.close()


@pytest.mark.slow
def test_registration_combo_runs_the_chain_again_deformable(qtbot, scans):
    """The registration chooser: picking 'Deformable' runs the chain again (worker thread) with a B-spline step
    after the rigid one for every later time point, and the chooser shows the result's registration."""
    from workstation.analysis.dosimetry.pipeline import find_rtstructs, load_time_points, run_dosimetry
    from workstation.ui.dosimetry.workspace import DosimetryWorkspace

    _, dirs = scans
    res = run_dosimetry(load_time_points(dirs), find_rtstructs(dirs), DosimetryOptions(), keep_maps=True)
    w = DosimetryWorkspace(res)
    qtbot.addWidget(w)
    assert w.registration_combo.currentData() == "rigid" and w.registration_combo.isEnabled()
    index = w.registration_combo.findData("deformable")
    w.registration_combo.setCurrentIndex(index)
    job = w._registration_chosen(index)
    assert job is not None
    qtbot.waitUntil(lambda: w.result is not res, timeout=240_000)
    new = w.result
    assert new.options.registration == "deformable" and w.registration_combo.currentData() == "deformable"
    for tp in new.therapy.time_points[1:]:
        assert tp.registration["requested"] == "deformable" and "metric_after" in tp.registration
    assert w.table.rowCount() == len(new.vois)
    w.close()
