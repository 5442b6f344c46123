"""Reader tools on the real main window with a real study (ibsi-sts-petctmr STS_002: CT 0.977 mm pixels,
3.27 mm slices; PET 5.47 mm, stored as SUV): readout on hover, distance, line profile, VOI histogram and
Ctrl+Z / Ctrl+Y. Every number is checked against an independent NumPy computation on the source arrays
(index arithmetic written here, not the code's), every drawing by the colour of its pixels."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from scipy import ndimage

from workstation.analysis.reading import session as fusion
from workstation.ui.reader import measure_tools as MT

pytestmark = [pytest.mark.gui, pytest.mark.slow]

REFDATA = Path(__file__).resolve().parents[3].parent / "shared" / "refdata"
STS = REFDATA / "ibsi-sts-petctmr" / "STS_002"


@pytest.fixture(scope="module")
def volumes():
    if not (STS / "CT" / "image").is_dir():
        pytest.skip(f"reference data not present at {STS}")
    from workstation.io.loader import load_series

    ct = load_series(sorted((STS / "CT" / "image").glob("*")))
    pet = load_series(sorted((STS / "PET" / "image").glob("*")))
    return ct, pet


@pytest.fixture
def win(qtbot, volumes):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.set_session(fusion.ReadingSession(*volumes, mip_frames=4))
    w.set_layout("grid")
    qtbot.wait(50)
    for v in w.visible_views().values():
        v.render_now()
    yield w
    w.cancel_work()
    w.close()


def nearest_value(vol, p):
    """Independent lookup: solve origin + D·diag(spacing)·ijk = p, round, index the array."""
    g = vol.geometry
    m = np.asarray(g.direction, float) * np.asarray(g.spacing, float)[None, :]
    ijk = np.rint(np.linalg.solve(m, np.asarray(p, float) - np.asarray(g.origin, float))).astype(int)
    i, j, k = ijk
    if not (0 <= k < vol.array.shape[0] and 0 <= j < vol.array.shape[1] and 0 <= i < vol.array.shape[2]):
        return None
    return float(vol.array[k, j, i])


def _mouse(view, kind, pos, button=Qt.MouseButton.NoButton):
    buttons = button if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove) else Qt.MouseButton.NoButton
    ev = QMouseEvent(kind, QPointF(*pos), view.mapToGlobal(QPointF(*pos)), button, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, ev)


def _drag(view, a, b):
    left = Qt.MouseButton.LeftButton
    _mouse(view, QEvent.Type.MouseButtonPress, a, left)
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    _mouse(view, QEvent.Type.MouseMove, mid, left)
    _mouse(view, QEvent.Type.MouseMove, b, left)
    _mouse(view, QEvent.Type.MouseButtonRelease, b, left)


def widget_pos(view, plane, col, row):
    s = view.session
    return view.world_to_widget(s.pixel_to_world(plane, col, row))


# ------------------------------------------------------------------------------------------- hover
def test_hover_shows_the_voxel_under_the_mouse_without_moving_the_crosshair(win, qtbot, volumes):
    ct, pet = volumes
    s = win.session
    assert s.pet_units.startswith("SUV")  # GML: stored values are SUVbw
    cross = s.crosshair.copy()
    checked = 0
    for key, plane in (("ct-axial", "axial"), ("pet-coronal", "coronal"), ("fused-sagittal", "sagittal")):
        view = win.views[key]
        rows, cols = s.slice_image("ct", plane).shape
        for col, row in ((cols // 3, rows // 3), (2 * cols // 3, rows // 2), (cols // 2, 2 * rows // 3)):
            p = s.pixel_to_world(plane, col, row)
            x, y = view.world_to_widget(p)
            _mouse(view, QEvent.Type.MouseMove, (x, y))
            win.measure.hover.flush()
            r = win.measure.hover.last
            assert r is not None and r["view"] == key
            np.testing.assert_allclose(r["world"], p, atol=0.6)  # within a screen pixel of the voxel centre
            assert r["anat_value"] == pytest.approx(nearest_value(ct, p))
            assert r["pet_value"] == pytest.approx(nearest_value(pet, p), rel=1e-5)
            assert f"{r['anat_value']:.0f} HU" in win.readout_label.text()
            checked += 1
    assert checked == 9
    np.testing.assert_array_equal(s.crosshair, cross)
    # leaving the views shows the crosshair's readout again
    QApplication.sendEvent(win.views["ct-axial"], QEvent(QEvent.Type.Leave))
    assert win.readout_label.text().startswith(s.readout_text())


def test_hover_is_throttled(win, qtbot):
    hover = win.measure.hover
    view = win.views["ct-axial"]
    before = hover.computed
    for i in range(30):
        _mouse(view, QEvent.Type.MouseMove, (100 + i, 120))
    assert hover.computed == before  # moves only record the position
    qtbot.waitUntil(lambda: hover.computed > before, timeout=2000)
    qtbot.wait(120)
    assert hover.computed == before + 1  # one readout for the 30 moves, at the newest position
    col, _row = view.cell.display_to_image(129, 120)
    np.testing.assert_allclose(hover.last["world"], win.session.pixel_to_world("axial", col, _row), atol=1e-6)
    # the wheel moves the slice under a still mouse: the readout follows (the values of the new slice)
    z0 = hover.last["world"][2]
    win.session.scroll("axial", 2)
    qtbot.waitUntil(lambda: hover.computed == before + 2, timeout=2000)
    assert hover.last["world"][2] == pytest.approx(z0 + 2 * win.session.display_geometry.spacing[2])


def test_hover_over_the_mip_reads_the_hottest_voxel_of_the_ray(win, qtbot, volumes):
    _ct, pet = volumes
    s = win.session
    s.set_mip_angle_index(0)
    view = win.views["mip"]
    view.render_now()
    img, _sp = s.mip_frame(0)
    row, col = np.unravel_index(np.argmax(img), img.shape)
    x, y = view.cell.view.pixel_to_display(col, row)
    _mouse(view, QEvent.Type.MouseMove, (x, y))
    win.measure.hover.flush()
    r = win.measure.hover.last
    assert r["pet_value"] == pytest.approx(float(pet.array.max()), rel=1e-4)  # the hottest voxel of the study
    assert "MIP" in win.readout_label.text()


# ------------------------------------------------------------------------------------------- distance
YELLOW = np.array([255, 217, 26])


def _near_colour(img, xy, rgb, radius=3, tol=60):
    x, y = int(round(xy[0])), int(round(xy[1]))
    patch = img[max(0, y - radius):y + radius + 1, max(0, x - radius):x + radius + 1].reshape(-1, 3).astype(int)
    return bool(np.any(np.abs(patch - rgb).max(axis=1) < tol))


@pytest.mark.parametrize("key, plane, d_col, d_row, spacing_axis", [
    ("ct-axial", "axial", 40, 0, 0),      # along x: 40 × 0.977 mm
    ("ct-sagittal", "sagittal", 0, 12, 2),  # along z: 12 × 3.27 mm (anisotropic)
])
def test_distance_by_mouse(win, qtbot, volumes, key, plane, d_col, d_row, spacing_axis):
    ct, _pet = volumes
    s = win.session
    win.measure.actions["distance"].trigger()
    assert win.measure.mode == "distance"
    view = win.views[key]
    rows, cols = s.slice_image("ct", plane).shape
    c0, r0 = cols // 2 - d_col // 2 + 9, rows // 2 - d_row // 2 + 9  # off the crosshair lines (drawn on top)
    a, b = widget_pos(view, plane, c0, r0), widget_pos(view, plane, c0 + d_col, r0 + d_row)
    cross = s.crosshair.copy()
    _drag(view, a, b)
    np.testing.assert_array_equal(s.crosshair, cross)  # the tool drew, it did not navigate
    m = win.measure.items_list[-1]
    expect = (d_col + d_row) * float(ct.geometry.spacing[spacing_axis])
    assert m.length_mm == pytest.approx(expect, abs=0.5 * float(ct.geometry.spacing[spacing_axis]))
    assert f"{m.length_mm:.1f} mm" in win.message_label.text()
    # drawn in every view of that plane (yellow at the middle of the line), not in the others
    for k, v in win.visible_views().items():
        img = v.render_now()
        hook = win.measure.hooks[v]
        if k.endswith(plane):
            # a quarter along the line (its middle is under the crosshair, drawn on top)
            q = 0.75 * np.asarray(v.world_to_widget(m.start)) + 0.25 * np.asarray(v.world_to_widget(m.end))
            assert hook.shown and _near_colour(img, q, YELLOW), k
        else:
            assert not hook.shown, k
    # another slice: the line is not there
    s.scroll(plane, 3)
    view.render_now()
    assert not win.measure.hooks[view].shown


# ------------------------------------------------------------------------------------------- profile
def test_line_profile_plot_on_the_real_study(win, qtbot, volumes):
    ct, pet = volumes
    s = win.session
    # put the crosshair on the PET's hottest voxel so that the line crosses the tumour
    k, j, i = np.unravel_index(np.argmax(pet.array), pet.array.shape)
    hot = pet.geometry.kji_to_world(np.array([k, j, i], float))
    s.set_crosshair(hot)
    view = win.views["fused-axial"]
    view.render_now()
    col, row = s.world_to_pixel("axial", s.crosshair)
    win.measure.actions["profile"].trigger()
    a, b = widget_pos(view, "axial", col - 25, row - 10), widget_pos(view, "axial", col + 25, row + 10)
    _drag(view, a, b)
    dlg = win.measure.dialogs[-1]
    assert isinstance(dlg, MT.ProfileDialog) and dlg.isVisible()
    prof = dlg.plot.profile
    pts = prof.start[None, :] + (prof.position_mm / prof.length_mm)[:, None] * (prof.end - prof.start)[None, :]
    # CT: trilinear interpolation of the CT array in its own index space (scipy), independent of the views
    g = ct.geometry
    kji = np.stack([g.world_to_kji(p) for p in pts]).T
    want_ct = ndimage.map_coordinates(ct.array.astype(float), kji, order=1, mode="nearest")
    np.testing.assert_allclose(prof.anat, want_ct, atol=0.5)
    # PET: trilinear on the PET grid (the views resample it to the CT grid first: a few % apart at most)
    gp = pet.geometry
    kji_p = np.stack([gp.world_to_kji(p) for p in pts]).T
    want_pet = ndimage.map_coordinates(pet.array.astype(float), kji_p, order=1, mode="nearest")
    assert np.max(np.abs(prof.pet - want_pet)) < 0.03 * want_pet.max()
    assert prof.pet.max() > 0.8 * float(pet.array.max())  # the line crosses the hottest voxel
    # the plot: the PET curve (orange) passes through its maximum's pixel, the CT curve (dark grey) is drawn
    qtbot.waitExposed(dlg)
    img = dlg.plot.grab().toImage()
    n = int(np.nanargmax(prof.pet))
    x, y = dlg.plot.x_px(prof.position_mm[n]), dlg.plot.y_px("pet", prof.pet[n])
    qrgb = np.array([[img.pixelColor(int(x) + dx, int(y) + dy).getRgb()[:3] for dx in range(-2, 3)]
                     for dy in range(-2, 3)]).reshape(-1, 3)
    assert np.any(np.abs(qrgb - [230, 80, 0]).max(axis=1) < 60)
    m = int(len(prof.anat) // 2)
    xc, yc = dlg.plot.x_px(prof.position_mm[m]), dlg.plot.y_px("anat", prof.anat[m])
    qrgb = np.array([[img.pixelColor(int(xc) + dx, int(yc) + dy).getRgb()[:3] for dx in range(-2, 3)]
                     for dy in range(-2, 3)]).reshape(-1, 3)
    assert np.any(np.abs(qrgb - [60, 60, 60]).max(axis=1) < 50)
    assert "length" in dlg.summary.text() or dlg.summary.text()


# ------------------------------------------------------------------------------------------- histogram
def test_voi_histogram_of_a_sphere(win, qtbot, volumes):
    _ct, pet = volumes
    panel = win.voi_panel
    k, j, i = np.unravel_index(np.argmax(pet.array), pet.array.shape)
    centre = pet.geometry.kji_to_world(np.array([k, j, i], float))
    assert win.measure.show_histogram() is None  # nothing selected: a message, no dialog
    v = panel.add_sphere_at(centre, 12.0)
    assert v is not None and panel.model.selected == v.id
    dlg = win.measure.show_histogram()
    h = dlg.plot.hist
    # independent mask: PET voxel centres within 12 mm of the centre (centre-inclusion rule)
    w = pet.geometry.kji_to_world(np.stack(np.indices(pet.array.shape), axis=-1).astype(float))
    inside = np.sum((w - centre) ** 2, axis=-1) <= 12.0 ** 2
    vals = pet.array[inside].astype(float)  # GML: SUV
    assert h.voxels == inside.sum() == int(h.counts.sum())
    assert h.mean == pytest.approx(vals.mean(), rel=1e-5) and h.max == pytest.approx(vals.max(), rel=1e-5)
    assert h.edges[0] == 0.0 and h.edges[-1] == pytest.approx(vals.max(), rel=1e-5)
    qtbot.waitExposed(dlg)
    img = dlg.plot.grab().toImage()
    rc = dlg.plot.plot_rect()
    ymid = int(rc.center().y())
    for value, rgb in ((h.mean, (0, 160, 0)), (h.max, (220, 0, 0))):
        x = int(round(dlg.plot.x_px(value)))
        cols = [img.pixelColor(xx, ymid).getRgb()[:3] for xx in range(x - 2, x + 3)]
        assert any(max(abs(a - b) for a, b in zip(c, rgb)) < 60 for c in cols), value
    # bars: above the tallest bin's centre the bar colour is found
    n = int(np.argmax(h.counts))
    xb = int(dlg.plot.x_px((h.edges[n] + h.edges[n + 1]) / 2))
    yb = int(dlg.plot.y_px(h.counts[n] / 2))
    assert max(abs(a - b) for a, b in zip(img.pixelColor(xb, yb).getRgb()[:3], (70, 110, 180))) < 40


# ------------------------------------------------------------------------------------------- undo
def _voi_state(model):
    return {vid: (v.kind, v.name, v.lo, v.crop.tobytes(), round(v.stats.mean, 6)) for vid, v in model.vois.items()}


def test_ctrl_z_ctrl_y_undo_voi_edits_and_alignment(win, qtbot, volumes):
    _ct, pet = volumes
    panel = win.voi_panel
    model = panel.model
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=2000)
    centre = pet.geometry.kji_to_world(np.array(np.unravel_index(np.argmax(pet.array), pet.array.shape), float))

    def key(k):
        qtbot.keyClick(win, k, Qt.KeyboardModifier.ControlModifier)
        qtbot.wait(10)

    states = [_voi_state(model)]
    v = panel.add_sphere_at(centre, 8.0)
    qtbot.wait(10)  # the step closes at the end of the event-loop turn
    states.append(_voi_state(model))
    panel.radius.setValue(14.0)  # the radius box edits the selected sphere
    qtbot.wait(1100)  # beyond the merge window
    states.append(_voi_state(model))
    model.rename(v.id, "tumour")
    qtbot.wait(10)
    states.append(_voi_state(model))
    panel.delete(v.id)
    qtbot.wait(10)
    states.append(_voi_state(model))
    assert len({repr(x) for x in states[:4]}) == 4 and states[4] == states[0] == {}
    assert win.undo.undo_action.isEnabled() and "VOI" in win.undo.undo_action.text()
    for i in (3, 2, 1, 0):
        key(Qt.Key.Key_Z)
        assert _voi_state(model) == states[i]
    assert not win.undo.undo_action.isEnabled()
    for i in (1, 2, 3, 4):
        key(Qt.Key.Key_Y)
        assert _voi_state(model) == states[i]
    # registration: a nudge (worker thread), undone and redone with the keys
    s = win.session
    t0, pet0 = s.pet_from_anat.copy(), s.pet_display.copy()
    win.nudge(4.0, 0.0, 0.0)
    qtbot.waitUntil(lambda: not np.array_equal(s.pet_from_anat, t0), timeout=20000)
    t1, pet1 = s.pet_from_anat.copy(), s.pet_display.copy()
    qtbot.wait(10)
    key(Qt.Key.Key_Z)
    qtbot.waitUntil(lambda: np.array_equal(s.pet_from_anat, t0), timeout=20000)
    np.testing.assert_array_equal(s.pet_display, pet0)
    key(Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: np.array_equal(s.pet_from_anat, t1), timeout=20000)
    np.testing.assert_array_equal(s.pet_display, pet1)
    assert _voi_state(model) == states[4]  # the VOIs stay as they were
    assert len(win.undo.stack.done) == 5 and not win.undo.stack.can_redo


def test_f1_lists_the_new_keys_and_the_keys_choose_the_tools(win, qtbot):
    box = win.show_shortcuts()
    assert "Ctrl+Z" in box.text() and "D / L / H" in box.text()
    box.close()
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=2000)
    qtbot.keyClick(win, Qt.Key.Key_D)
    assert win.measure.mode == "distance"
    qtbot.keyClick(win, Qt.Key.Key_L)
    assert win.measure.mode == "profile" and not win.measure.actions["distance"].isChecked()
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert win.measure.mode is None and not any(a.isChecked() for a in win.measure.actions.values())
    # a VOI tool ends the measuring tool (one tool at a time)
    qtbot.keyClick(win, Qt.Key.Key_D)
    win.voi_panel.tool_buttons["sphere"].click()
    assert win.measure.mode is None and win.voi_panel.tool == "sphere"


def test_a_second_study_starts_clean_and_the_tools_still_work(win, qtbot, volumes):
    ct, pet = volumes
    win.measure.actions["distance"].trigger()
    view = win.views["ct-axial"]
    _drag(view, widget_pos(view, "axial", 40, 50), widget_pos(view, "axial", 60, 50))
    assert len(win.measure.items_list) == 1
    old_views = list(win.views.values())
    win.set_session(fusion.ReadingSession(ct, pet, mip_frames=4))
    qtbot.wait(50)
    assert win.measure.items_list == [] and not win.undo.stack.can_undo
    assert all(not any(v is o for o in old_views) for v in win.measure.hooks)
    win.measure.set_mode("distance")  # touches every known view: none of them may be a deleted one
    view = win.views["ct-axial"]
    view.render_now()
    _drag(view, widget_pos(view, "axial", 40, 50), widget_pos(view, "axial", 60, 50))
    assert win.measure.items_list[-1].length_mm == pytest.approx(20 * float(ct.geometry.spacing[0]), abs=0.5)
