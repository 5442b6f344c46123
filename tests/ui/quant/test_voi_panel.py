"""VOI tools in the real main window on the demo study: click a truth.json lesion with the segment tool,
check the row against regions.region_stats computed independently on the same mask, the outline at the
lesion's screen position in every plane, live threshold editing with stale results dropped, table sort and
click-to-navigate, CSV export with the overwrite question, references, whole body, delete."""

import csv
import math
import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from workstation.analysis.lesions import regions
from workstation.analysis.lesions import segmentation
from workstation.analysis.lesions import shapes
from workstation.analysis.lesions import voi as V
from workstation.ui.quant import voi_panel as VP
from workstation.ui.reader.main_window import MainWindow
from workstation.ui.quant.voi_style import voi_colour

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module")
def win(demo_study, qapp, tmp_path_factory):
    from pytestqt.qtbot import QtBot

    # built before the per-test data-dir isolation: keep its stored readings (autosave) out of the user's folder
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("voi-window-data")))
    out, truth = demo_study
    w = MainWindow(db=None)
    w.resize(1600, 950)
    w.show()
    job = w.load_folder(str(out))
    QtBot(None).waitUntil(lambda: w.session is not None, timeout=180_000)
    assert not job.error
    w.voi_dock.show()
    yield w
    w.cancel_work()
    w.close()
    mp.undo()


@pytest.fixture()
def panel(win):
    p = win.voi_panel
    p.model.clear()
    p.set_tool("navigate")
    p.segment_fn = V.segment_lesion
    yield p
    p.set_tool("navigate")
    p.segment_fn = V.segment_lesion


def _lesion(truth, name):
    return next(l for l in truth["lesions"] if l["name"] == name)


def _suv(win, truth):
    """SUV image built independently: stored Bq/mL (the loaded PET) × the truth SUV factor."""
    return np.asarray(win.session.pet.array, np.float64) * truth["suv"]["suv_factor_bw"]


def _click(widget, x, y):
    for t in (QMouseEvent.Type.MouseButtonPress, QMouseEvent.Type.MouseButtonRelease):
        pos = QPointF(x, y)
        buttons = Qt.MouseButton.LeftButton if t == QMouseEvent.Type.MouseButtonPress else Qt.MouseButton.NoButton
        ev = QMouseEvent(t, pos, widget.mapToGlobal(pos), Qt.MouseButton.LeftButton, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, ev)


def _wait_job(qtbot, job):
    qtbot.waitUntil(lambda: job.is_settled(), timeout=60_000)
    QApplication.processEvents()


def _segment_by_click(win, panel, qtbot, centre):
    s = win.session
    s.set_crosshair(centre + [30.0, 30.0, 0.0])  # slice through the lesion, crosshair elsewhere
    view = win.views["fused-axial"]
    view.render_now()
    x, y = view.world_to_widget(centre)
    panel.set_tool("segment")
    n = len(panel.model.vois)
    before = s.crosshair.copy()
    _click(view, x, y)
    job = panel.seg_jobs.job
    _wait_job(qtbot, job)
    qtbot.waitUntil(lambda: len(panel.model.vois) == n + 1, timeout=10_000)
    assert np.allclose(s.crosshair, before)  # the tool owns the click: the crosshair did not move
    v = panel.model.get(panel.model.selected)
    sel = panel.table.selectionModel().selectedRows()
    assert len(sel) == 1 and panel.table.id_at(sel[0].row()) == v.id  # the new VOI's row is highlighted
    return v


def test_click_segments_lesion_with_independent_stats(win, panel, qtbot, demo_study):
    _, truth = demo_study
    les = _lesion(truth, "liver_large")
    c = np.asarray(les["centre_lps_mm"], float)
    panel.method_box.setCurrentText("A50 (background-adapted)")
    v = _segment_by_click(win, panel, qtbot, c)
    g = win.session.pet.geometry
    mask = v.mask(g.shape)
    suv = _suv(win, truth).astype(np.float32)
    ref = regions.region_stats(suv, mask, g)
    row = panel.table.source_model.row_dict(0)
    assert row["id"] == v.id and row["method"] == "a50"
    assert row["suv_max"] == pytest.approx(ref.max, rel=1e-5)
    assert row["suv_peak"] == pytest.approx(ref.suvpeak, rel=1e-5)
    assert row["tlg"] == pytest.approx(ref.mean * ref.volume_ml, rel=1e-5)
    # the same mask as the engine grows from the clicked point (mapped to the PET grid)
    click = np.asarray(v.params["seed_world"])
    assert np.linalg.norm(click - c) < 3.0  # within a CT pixel and a half of the click
    expect = segmentation.find_lesions(suv, g, "a50", seed_world=click).labels == 1
    np.testing.assert_array_equal(mask, expect)
    # MTV within the tolerance of tests/analysis/test_segmentation.py: equivalent radius within 2 mm of the
    # radius where the PSF-blurred sphere falls to half its centre value (r - sigma^2/r for r >> sigma)
    sigma = truth["pet"]["psf_fwhm_mm"] / 2.3548
    r_eff = (3 * row["volume_ml"] * 1000 / (4 * math.pi)) ** (1 / 3)
    r = les["radius_mm"]
    assert abs(r_eff - (r - sigma ** 2 / r)) <= 2.0
    # the table shows the number (formatted) in the SUVmax column
    col = panel.table.column_of("suv_max")
    assert panel.table.proxy.index(0, col).data() == f"{ref.max:.2f}"


@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_outline_at_the_lesion_in_each_plane(win, panel, qtbot, demo_study, plane):
    _, truth = demo_study
    c = np.asarray(_lesion(truth, "lung_left_upper")["centre_lps_mm"], float)
    panel.method_box.setCurrentText("50 % of SUVmax")
    v = _segment_by_click(win, panel, qtbot, c)
    s = win.session
    normal = {"axial": 2, "coronal": 1, "sagittal": 0}[plane]
    away = c + 40.0
    away[normal] = c[normal]
    s.set_crosshair(away)
    colour = tuple(int(round(255 * (0.5 + 0.5 * x))) for x in voi_colour(v))  # selected: drawn brighter
    for kind in ("ct", "pet", "fused"):
        view = win.views[f"{kind}-{plane}"]
        img = view.render_now()
        x, y = view.world_to_widget(c)
        hit = np.all(img == colour, axis=-1)
        yy, xx = np.nonzero(hit)
        assert len(xx) > 8, (kind, plane)
        d = np.hypot(xx - x, yy - y) * view.cell.view.mm_per_pixel()
        r_eff = (3 * v.stats.volume_ml * 1000 / (4 * math.pi)) ** (1 / 3)
        assert d.max() < r_eff + 8.0, (kind, plane, d.max())  # around the lesion, not elsewhere
        assert (xx < x).any() and (xx > x).any() and (yy < y).any() and (yy > y).any(), (kind, plane)
    # the MIP shows it as well
    mip = win.views["mip"]
    img = mip.render_now()
    assert np.all(img == colour, axis=-1).any()
    # delete: outline and row gone
    panel.model.select(v.id)
    panel.delete_selected()
    assert panel.table.source_model.rowCount() == 0
    for kind in ("ct", "pet", "fused"):
        img = win.views[f"{kind}-{plane}"].render_now()
        assert not np.all(img == colour, axis=-1).any()


def test_threshold_slider_live_preview_and_stale_results(win, panel, qtbot, demo_study):
    _, truth = demo_study
    c = np.asarray(_lesion(truth, "liver_large")["centre_lps_mm"], float)
    # issue 9: fixed SUV 2.5 in the SUV-2.2 noisy liver used to flood it (404 mL for a 14 mL lesion); now the
    # region stops at the constraint sphere, nothing is measured and the panel says why
    panel.method_box.setCurrentText("fixed SUV 2.5")
    n = len(panel.model.vois)
    job = panel.segment_pet(c)
    _wait_job(qtbot, job)
    qtbot.waitUntil(lambda: "nothing measured" in panel.message.text(), timeout=10_000)
    assert "reached the constraint" in panel.message.text() and len(panel.model.vois) == n
    panel.method_box.setCurrentText("fixed SUV (user)")
    panel.user_value.setValue(3.5)  # above the liver's noise: the lesion alone
    v = _segment_by_click(win, panel, qtbot, c)
    assert v.method == "fixed:3.5" and panel.slider.isEnabled() and panel.slider.value() == 35
    n0 = v.stats.voxels
    suv = _suv(win, truth).astype(np.float32)
    g = win.session.pet.geometry
    seed = v.params["seed_world"]
    # out of order: the first request (SUV 4.0) finishes only after the second (SUV 6.0) has been applied
    release_first = threading.Event()
    calls = []

    def slow_first(*args, **kw):
        calls.append(args[3])
        if len(calls) == 1:
            assert release_first.wait(30)
        return V.segment_lesion(*args, **kw)

    panel.segment_fn = slow_first
    panel.slider.setValue(40)
    first = panel.seg_jobs.job
    panel.slider.setValue(60)
    second = panel.seg_jobs.job
    assert first is not second
    _wait_job(qtbot, second)
    qtbot.waitUntil(lambda: panel.model.get(v.id).threshold == pytest.approx(6.0), timeout=10_000)
    release_first.set()
    _wait_job(qtbot, first)
    QApplication.processEvents()
    now = panel.model.get(v.id)
    assert now.method == "fixed:6" and now.threshold == pytest.approx(6.0)  # the newest request won
    expect = segmentation.find_lesions(suv, g, "fixed:6", seed_world=seed).labels == 1
    np.testing.assert_array_equal(now.mask(g.shape), expect)
    assert 0 < now.stats.voxels < n0  # a higher threshold: a smaller region
    assert calls == ["fixed:4", "fixed:6"]
    # a stale result delivered late (as a queued signal could be) is dropped, not applied
    dropped = panel.dropped
    stale = V.segment_lesion(suv, g, seed, "fixed:3")
    panel.seg_jobs.deliver(first, (v.id, stale, None), panel.apply_segmentation)  # the superseded job delivers
    assert panel.dropped == dropped + 1 and panel.model.get(v.id).threshold == pytest.approx(6.0)


def test_table_sort_and_click_to_navigate(win, panel, qtbot, demo_study):
    _, truth = demo_study
    s = win.session
    panel.method_box.setCurrentText("A50 (background-adapted)")
    for name in ("liver_large", "mediastinal_node", "neck_node_left"):
        _segment_by_click(win, panel, qtbot, np.asarray(_lesion(truth, name)["centre_lps_mm"], float))
    t = panel.table
    col = t.column_of("suv_max")
    t.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    maxima = [panel.model.get(i).stats.max for i in t.ids()]
    assert maxima == sorted(maxima, reverse=True) and len(maxima) == 3
    t.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    assert [panel.model.get(i).stats.max for i in t.ids()] == sorted(maxima)
    # click the row of the mediastinal node (SUV 15): the crosshair goes to it
    target = max(t.ids(), key=lambda i: panel.model.get(i).stats.max)
    row = t.ids().index(target)
    s.set_crosshair(s.display_geometry.center_world())
    rect = t.visualRect(t.proxy.index(row, 1))
    qtbot.mouseClick(t.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    node = np.asarray(_lesion(truth, "mediastinal_node")["centre_lps_mm"], float)
    assert np.linalg.norm(s.crosshair - node) < 4.0  # the centroid of the lesion, on a display voxel
    assert panel.model.selected == target


def test_sphere_box_and_references_by_mouse(win, panel, qtbot, demo_study):
    _, truth = demo_study
    s = win.session
    g = s.pet.geometry
    view = win.views["ct-axial"]
    liver_c = np.asarray(truth["reference_vois"]["liver"]["centre_lps_mm"], float)
    s.set_crosshair(liver_c + [20.0, 20.0, 0.0])
    view.render_now()
    panel.set_tool("liver")
    _click(view, *view.world_to_widget(liver_c))
    liver = panel.model.reference("liver")
    assert liver is not None and liver.params["diameter_mm"] == 30.0
    assert np.linalg.norm(np.subtract(liver.params["centre_world"], liver_c)) < 2.0
    suv = _suv(win, truth)
    lm = shapes.sphere_mask(g, liver.params["centre_world"], 15.0)
    thr = 1.5 * suv[lm].mean() + 2 * suv[lm].std()
    assert panel.model.percist_threshold() == pytest.approx(thr, rel=1e-4)
    assert liver.stats.mean == pytest.approx(truth["organs"]["liver"]["suv_bw"], rel=0.1)
    assert "PERCIST threshold" in panel.references.text()
    # sphere by click (spin-box radius), then edit its radius
    panel.set_tool("sphere")
    panel.radius.setValue(10.0)
    p = liver_c + [0.0, 30.0, 0.0]
    _click(view, *view.world_to_widget(p))
    sph = panel.model.get(panel.model.selected)
    assert sph.kind == "sphere" and sph.params["radius_mm"] == 10.0
    panel.radius.setValue(14.0)
    np.testing.assert_array_equal(panel.model.get(sph.id).mask(g.shape),
                                  shapes.sphere_mask(g, sph.params["centre_world"], 14.0))
    # box by drag on the axial plane: depth = smaller in-plane side
    panel.set_tool("box")
    a, b = liver_c + [-20.0, -10.0, 0.0], liver_c + [10.0, 10.0, 0.0]
    xa, ya = view.world_to_widget(a)
    xb, yb = view.world_to_widget(b)
    for t, (x, y) in ((QMouseEvent.Type.MouseButtonPress, (xa, ya)), (QMouseEvent.Type.MouseMove, (xb, yb)),
                      (QMouseEvent.Type.MouseButtonRelease, (xb, yb))):
        pos = QPointF(x, y)
        ev = QMouseEvent(t, pos, view.mapToGlobal(pos), Qt.MouseButton.LeftButton if t != QMouseEvent.Type.MouseMove
                         else Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view, ev)
    box = panel.model.get(panel.model.selected)
    assert box.kind == "box"
    ca, cb = np.asarray(box.params["corner_a"]), np.asarray(box.params["corner_b"])
    ext = np.abs(cb - ca)
    assert ext[0] == pytest.approx(30.0, abs=4.0) and ext[1] == pytest.approx(20.0, abs=4.0)
    assert ext[2] == pytest.approx(min(ext[0], ext[1]))
    # blood pool + a lesion: Deauville appears in the lesion's row
    panel.set_tool("blood_pool")
    aorta = np.array([10.0, 30.0, -360.0])
    panel.set_reference_at("blood_pool", aorta)
    panel.method_box.setCurrentText("A50 (background-adapted)")
    les = _segment_by_click(win, panel, qtbot, np.asarray(_lesion(truth, "liver_large")["centre_lps_mm"], float))
    row = panel.model.row(les.id)
    bp, lv = panel.model.reference("blood_pool").stats.mean, liver.stats.mean
    smax = les.stats.max
    assert row["deauville"] == (2 if smax <= bp else 3 if smax <= lv else 4 if smax <= 2 * lv else 5) == 5


def test_csv_export_asks_before_overwriting(win, panel, qtbot, demo_study, tmp_path, monkeypatch):
    _, truth = demo_study
    panel.method_box.setCurrentText("41 % of SUVmax")
    v = _segment_by_click(win, panel, qtbot, np.asarray(_lesion(truth, "spine_lumbar")["centre_lps_mm"], float))
    target = tmp_path / "lesions"
    monkeypatch.setattr(VP.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    asked = []

    def answer(value):
        def q(*a, **k):
            asked.append(a[2] if len(a) > 2 else "")
            return value
        return staticmethod(q)

    monkeypatch.setattr(VP.QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    out = panel.export_csv()
    assert out == target.with_suffix(".csv") and not asked
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 1 and int(rows[0]["id"]) == v.id and rows[0]["method"] == "pct:41"
    g = win.session.pet.geometry
    ref = regions.region_stats(_suv(win, truth).astype(np.float32), v.mask(g.shape), g)
    assert float(rows[0]["suv_max"]) == pytest.approx(ref.max, rel=1e-5)
    assert float(rows[0]["volume_ml"]) == pytest.approx(ref.volume_ml)
    assert rows[0]["units"] == "SUVbw"
    text = out.read_text(encoding="utf-8")
    assert truth["patient"]["patient_id"] not in text and truth["patient"]["name"] not in text
    # second export: asked; "No" keeps the file
    panel.model.rename(v.id, "spine")
    assert panel.export_csv() is None and len(asked) == 1 and "lesions.csv" in asked[0]
    assert "spine" not in out.read_text(encoding="utf-8")
    monkeypatch.setattr(VP.QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    assert panel.export_csv() == out and len(asked) == 2
    assert list(csv.DictReader(out.open(encoding="utf-8")))[0]["name"] == "spine"


def test_whole_body_fills_the_table(win, panel, qtbot, demo_study):
    _, truth = demo_study
    liver_c = truth["reference_vois"]["liver"]["centre_lps_mm"]
    panel.set_reference_at("liver", np.asarray(liver_c, float))
    panel.method_box.setCurrentText("PERCIST (liver)")
    job = panel.detect_whole_body()
    _wait_job(qtbot, job)
    qtbot.waitUntil(lambda: len(panel.model.lesions()) > 0, timeout=10_000)
    suv = _suv(win, truth).astype(np.float32)
    g = win.session.pet.geometry
    rep = segmentation.find_lesions(suv, g, "percist", liver_world=liver_c, exclude=("brain", "bladder"))
    wb = [v for v in panel.model.vois.values() if v.source == "whole-body"]
    assert len(wb) == rep.count == panel.table.source_model.rowCount() - 1  # + the liver reference
    assert "made for FDG PET" not in panel.message.text()  # the demo is FDG: no tracer caveat
    for les in truth["lesions"]:
        if les["radius_mm"] >= 8:
            d = min(np.linalg.norm(v.centre_world(g) - les["centre_lps_mm"]) for v in wb)
            assert d <= 2.0, les["name"]


def test_error_is_shown_not_raised(win, panel, qtbot):
    s = win.session
    panel.method_box.setCurrentText("PERCIST (liver)")  # no liver reference yet
    job = panel.segment_at(s.display_geometry.center_world())
    _wait_job(qtbot, job)
    qtbot.waitUntil(lambda: "liver" in panel.message.text(), timeout=10_000)
    assert not panel.model.vois


def test_suv_change_remeasures_and_delete_key(win, panel, qtbot, demo_study):
    from workstation.analysis.suv.inputs import SuvOverrides

    _, truth = demo_study
    s = win.session
    v = panel.add_sphere_at(np.asarray(truth["reference_vois"]["liver"]["centre_lps_mm"], float), 12.0)
    before = v.stats  # a frozen RegionStats: re-measuring replaces it
    s.set_suv("bw", SuvOverrides(weight_kg=2 * truth["patient"]["weight_kg"]))  # SUVbw ∝ weight
    try:
        assert panel.model.get(v.id).stats.mean == pytest.approx(2 * before.mean, rel=1e-5)
        assert panel.model.get(v.id).stats.voxels == before.voxels
    finally:
        s.set_suv("bw", None)
    assert panel.model.get(v.id).stats.mean == pytest.approx(before.mean, rel=1e-5)
    # the Delete key in the table deletes the selected VOI
    panel.model.select(v.id)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert v.id not in panel.model.vois and panel.table.source_model.rowCount() == 0


def test_whole_body_button_cancels_a_running_detection(win, panel, qtbot):
    release = threading.Event()
    real = V.detect_lesions

    def slow(*a, **k):
        assert release.wait(30)
        return real(*a, **k)

    panel.method_box.setCurrentText("fixed SUV 2.5")
    try:
        V.detect_lesions = slow
        job = panel.detect_whole_body()
        assert panel.wb_button.text() == "Cancel"
        assert panel.detect_whole_body() is None and job.progress.cancelled
    finally:
        release.set()
        V.detect_lesions = real
    _wait_job(qtbot, job)
    qtbot.waitUntil(lambda: panel.wb_button.text() == "Whole body", timeout=10_000)
    assert not panel.model.lesions()


def test_constraint_leak_is_shown_not_measured_and_gradient_method(win, panel, qtbot, demo_study):
    """The panel's constraint radius bounds a click; a region that reaches it adds no VOI and says so
    (the leaked region is kept to outline); the gradient method is offered and segments the lesion."""
    from workstation.core.vocabulary import DEFAULT_CONSTRAINT_MM, DEFAULT_EXCLUDE

    _, truth = demo_study
    assert panel.exclude.isChecked() == bool(DEFAULT_EXCLUDE) and panel.constraint.value() == DEFAULT_CONSTRAINT_MM
    les = _lesion(truth, "liver_large")
    c = np.asarray(les["centre_lps_mm"], float)
    panel.method_box.setCurrentText("fixed SUV (user)")
    panel.user_value.setValue(0.1)  # below the body's background: the region floods everything
    panel.constraint.setValue(15.0)
    n = len(panel.model.vois)
    try:
        job = panel.segment_pet(c)
        _wait_job(qtbot, job)
        qtbot.waitUntil(lambda: "nothing measured" in panel.message.text(), timeout=10_000)
        assert "reached the constraint" in panel.message.text() and "radius 15 mm" in panel.message.text()
        assert len(panel.model.vois) == n and panel.last_leak is not None and panel.last_leak.kind == "constraint"
        g = win.session.pet.geometry
        inside, _ = panel.last_leak.constraint.masks(g)
        assert panel.last_leak.region.any() and not (panel.last_leak.region & ~inside).any()
    finally:
        panel.constraint.setValue(DEFAULT_CONSTRAINT_MM)
    panel.method_box.setCurrentText("gradient edge (outermost fall)")
    job = panel.segment_pet(c)
    _wait_job(qtbot, job)
    qtbot.waitUntil(lambda: len(panel.model.vois) == n + 1, timeout=10_000)
    v = panel.model.get(panel.model.selected)
    assert v.params.get("method", v.name) and panel.last_leak is None
    row = panel.table.source_model.row_dict(panel.table.source_model.rowCount() - 1)
    assert row["method"] == "gradient"
    r_eff = (3 * row["volume_ml"] * 1000 / (4 * math.pi)) ** (1 / 3)
    assert abs(r_eff - les["radius_mm"]) <= 3.0  # the edge method finds the sphere (PSF-blurred) within 3 mm


def test_constraint_leak_offers_one_click_enlarge_and_a_reset(win, panel, qtbot, demo_study):
    """A lesion (lung, r 10 mm) clicked with a constraint smaller than it: the warning comes with an
    "Enlarge" button naming the next constraint step; one click re-runs the same click in that sphere and
    the lesion is measured (larger than what had grown in the small sphere); "Reset" brings the default
    radius back and hides the buttons."""
    from workstation.core.vocabulary import DEFAULT_CONSTRAINT_MM

    _, truth = demo_study
    c = np.asarray(_lesion(truth, "lung_left_upper")["centre_lps_mm"], float)
    panel.method_box.setCurrentText("fixed SUV (user)")
    panel.user_value.setValue(2.5)
    panel.constraint.setValue(6.0)
    n = len(panel.model.vois)
    try:
        assert panel.enlarge_button.isHidden()
        _wait_job(qtbot, panel.segment_pet(c))
        qtbot.waitUntil(lambda: panel.last_leak is not None, timeout=10_000)
        assert panel.last_leak.kind == "constraint" and len(panel.model.vois) == n
        leaked_voxels = int(panel.last_leak.region.sum())
        assert not panel.enlarge_button.isHidden() and panel.enlarge_button.isEnabled()
        assert "40 mm" in panel.enlarge_button.text() and not panel.reset_constraint_button.isHidden()
        panel.enlarge_button.click()
        assert panel.constraint.value() == 40.0
        qtbot.waitUntil(lambda: len(panel.model.vois) == n + 1, timeout=30_000)
        v = panel.model.get(panel.model.selected)
        assert v.stats.voxels > leaked_voxels and panel.last_leak is None
        assert panel.enlarge_button.isHidden()
        panel.constraint.setValue(60.0)
        assert not panel.reset_constraint_button.isHidden()  # a radius other than the default can be reset
        panel.reset_constraint_button.click()
        assert panel.constraint.value() == DEFAULT_CONSTRAINT_MM and panel.reset_constraint_button.isHidden()
    finally:
        panel.constraint.setValue(DEFAULT_CONSTRAINT_MM)
