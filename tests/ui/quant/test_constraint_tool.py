"""The Segment tool's constraint sphere in the real main window on the demo study: drawn in the slice views
where the sphere cuts the plane (pixels at the circle computed here from the centre and radius), resized by
dragging its rim and moved by dragging its centre (the spin box follows, the lesion is segmented again), the
spin box redraws it, and a region that leaked is outlined in red with a message."""

import math
import os

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from workstation.analysis.lesions import voi as V
from workstation.core.vocabulary import DEFAULT_CONSTRAINT_MM
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]
AMBER = np.array([255, 217, 0])
RED = np.array([38, 255, 115])  # the leak outline (voi_style.LEAK_CANDIDATES[0], spring green: no structure here)


@pytest.fixture(scope="module")
def win(demo_study, qapp, tmp_path_factory):
    from pytestqt.qtbot import QtBot

    mp = pytest.MonkeyPatch()
    mp.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("constraint-window-data")))
    out, _truth = demo_study
    w = MainWindow(db=None)
    w.resize(2400, 1500)  # tiles large enough that a 6 mm radius difference is several pixels (VOI dock and tool bar open)
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
    p.constraint_tool.reset()
    p.constraint.setValue(DEFAULT_CONSTRAINT_MM)
    p.method_box.setCurrentText("41 % of SUVmax")
    p.set_tool("navigate")
    p.segment_fn = V.segment_lesion
    yield p
    p.set_tool("navigate")
    p.constraint.setValue(DEFAULT_CONSTRAINT_MM)


def _lesion_centre(truth):
    return np.asarray(next(l for l in truth["lesions"] if l["name"] == "liver_large")["centre_lps_mm"], float)


def _mouse(widget, kind, x, y):
    t = {"press": QMouseEvent.Type.MouseButtonPress, "move": QMouseEvent.Type.MouseMove,
         "release": QMouseEvent.Type.MouseButtonRelease}[kind]
    pos = QPointF(x, y)
    button = Qt.MouseButton.NoButton if kind == "move" else Qt.MouseButton.LeftButton
    buttons = Qt.MouseButton.NoButton if kind == "release" else Qt.MouseButton.LeftButton
    QApplication.sendEvent(widget, QMouseEvent(t, pos, widget.mapToGlobal(pos), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))


def _near(img, x, y, rgb, tol=40, reach=2):
    """True when a pixel within ``reach`` of (x, y) has the colour ``rgb`` (lines are 2 px wide)."""
    xi, yi = int(round(x)), int(round(y))
    block = img[max(yi - reach, 0):yi + reach + 1, max(xi - reach, 0):xi + reach + 1].astype(int)
    return bool(np.any(np.all(np.abs(block - rgb) <= tol, axis=-1)))


def _wait(qtbot, panel):
    job = panel.seg_jobs.job
    if job is not None:
        qtbot.waitUntil(lambda: job.is_settled(), timeout=240_000)  # the first call may compile kernels
    QApplication.processEvents()


def _segment(win, panel, qtbot, c):
    view = win.views["fused-axial"]
    win.session.set_crosshair(c + [30.0, 30.0, 0.0])
    view.render_now()
    panel.set_tool("segment")
    n = len(panel.model.vois)
    _mouse(view, "press", *view.world_to_widget(c))
    _mouse(view, "release", *view.world_to_widget(c))
    _wait(qtbot, panel)
    qtbot.waitUntil(lambda: len(panel.model.vois) == n + 1, timeout=10_000)
    return view


def _ring(c, r, axes=(0, 1), n=12):
    """World points on a circle of radius r around c in the plane of two world axes."""
    out = []
    for t in np.linspace(0, 2 * math.pi, n, endpoint=False):
        p = np.array(c, float)
        p[axes[0]] += r * math.cos(t)
        p[axes[1]] += r * math.sin(t)
        out.append(p)
    return out


def test_sphere_drawn_where_it_cuts_each_plane(win, panel, qtbot, demo_study):
    _, truth = demo_study
    c = _lesion_centre(truth)
    view = _segment(win, panel, qtbot, c)
    centre = panel.to_display(panel.constraint_tool.centre_pet)
    assert np.linalg.norm(centre - c) < 3.0  # the sphere is around the click
    R = panel.constraint.value()
    # the axial slice through the centre: a circle of the full radius; the crosshair sits elsewhere
    win.session.set_crosshair(centre + [0.0, 0.0, 0.0])
    win.session.set_crosshair(np.array([centre[0] + 60.0, centre[1] + 60.0, centre[2]]))
    img = view.render_now()
    hits = [_near(img, *view.world_to_widget(p), AMBER) for p in _ring(centre, R)]
    assert all(hits), hits
    assert not _near(img, *view.world_to_widget(centre + [R + 8.0, 0, 0]), AMBER, reach=1)
    # 20 mm above the centre: the cut's radius is sqrt(R^2 - 20^2), the full radius is not drawn
    z_off = 20.0
    win.session.set_crosshair(np.array([centre[0] + 60.0, centre[1] + 60.0, centre[2] + z_off]))
    img = view.render_now()
    g = win.session.display_geometry
    k = win.session.plane_index("axial")
    dz = float(g.ijk_to_world(np.array([0.0, 0.0, k]))[2]) - centre[2]  # the displayed slice's own z
    rc = math.sqrt(R * R - dz * dz)
    on = [_near(img, *view.world_to_widget(np.r_[p[:2], centre[2] + dz]), AMBER) for p in _ring(centre, rc)]
    off = [_near(img, *view.world_to_widget(np.r_[p[:2], centre[2] + dz]), AMBER, reach=1) for p in _ring(centre, R)]
    assert all(on) and not any(off), (on, off)
    # the coronal view through the centre shows it too; the Navigate tool hides it
    cor = win.views["fused-coronal"]
    win.session.set_crosshair(np.array([centre[0] + 60.0, centre[1], centre[2] + 60.0]))
    img = cor.render_now()
    assert all(_near(img, *cor.world_to_widget(p), AMBER) for p in _ring(centre, R, axes=(0, 2)))
    panel.set_tool("navigate")
    img = cor.render_now()
    assert not any(_near(img, *cor.world_to_widget(p), AMBER, reach=1) for p in _ring(centre, R, axes=(0, 2)))


def test_drag_rim_resizes_and_drag_centre_moves(win, panel, qtbot, demo_study):
    _, truth = demo_study
    c = _lesion_centre(truth)
    view = _segment(win, panel, qtbot, c)
    vid = panel.model.selected
    centre = panel.to_display(panel.constraint_tool.centre_pet)
    win.session.set_crosshair(np.array([centre[0] + 60.0, centre[1] + 60.0, centre[2]]))
    cross = win.session.crosshair.copy()
    view.render_now()
    k = win.session.plane_index("axial")
    dz = float(win.session.display_geometry.ijk_to_world(np.array([0.0, 0.0, k]))[2]) - centre[2]
    R = panel.constraint.value()
    rc = math.sqrt(R * R - dz * dz)
    # drag the rim (its left point) inwards to 25 mm from the centre
    start = view.world_to_widget(centre + [-rc, 0, dz])
    end_r = math.sqrt(25.0 ** 2 - dz * dz)
    end = view.world_to_widget(centre + [-end_r, 0, dz])
    _mouse(view, "press", *start)
    _mouse(view, "move", (start[0] + end[0]) / 2, start[1])
    _mouse(view, "move", *end)
    _mouse(view, "release", *end)
    mm_per_px = win.views["fused-axial"].cell.view.mm_per_pixel()
    assert panel.constraint.value() == pytest.approx(25.0, abs=max(1.0, 1.5 * mm_per_px))
    assert np.allclose(win.session.crosshair, cross)  # the drag did not move the crosshair
    _wait(qtbot, panel)
    assert panel.model.selected == vid and len(panel.model.vois) == 1  # the same lesion, segmented again
    img = view.render_now()
    R2 = panel.constraint.value()
    rc2 = math.sqrt(R2 * R2 - dz * dz)
    assert all(_near(img, *view.world_to_widget(np.r_[p[:2], centre[2] + dz]), AMBER) for p in _ring(centre, rc2))
    # drag the centre 6 mm towards patient left (+x)
    a = view.world_to_widget(centre + [0, 0, dz])
    b = view.world_to_widget(centre + [6.0, 0, dz])
    _mouse(view, "press", *a)
    _mouse(view, "move", *b)
    _mouse(view, "release", *b)
    moved = panel.to_display(panel.constraint_tool.centre_pet)
    assert moved[0] - centre[0] == pytest.approx(6.0, abs=max(1.0, 1.5 * mm_per_px))
    assert abs(moved[1] - centre[1]) < 1.5 * mm_per_px and abs(moved[2] - centre[2]) < 1e-6
    assert panel.constraint.value() == R2  # moving does not resize
    _wait(qtbot, panel)
    assert panel.last_leak is None and len(panel.model.vois) == 1  # the lesion still fits: segmented again
    v = panel.model.get(vid)
    assert v.params["seed_world"] == pytest.approx(panel.constraint_tool.seed_pet)
    img = view.render_now()
    assert all(_near(img, *view.world_to_widget(np.r_[p[:2], centre[2] + dz]), AMBER) for p in _ring(moved, rc2))
    # the spin box redraws it: 33 mm
    panel.constraint.setValue(33.0)
    img = view.render_now()
    rc3 = math.sqrt(33.0 ** 2 - dz * dz)
    assert all(_near(img, *view.world_to_widget(np.r_[p[:2], centre[2] + dz]), AMBER) for p in _ring(moved, rc3))
    if os.environ.get("WORKSTATION_SHOT_DIR"):  # for looking at it
        from workstation.render.scene import save_png

        save_png(img, os.path.join(os.environ["WORKSTATION_SHOT_DIR"], "constraint-sphere.png"))


def test_leaked_region_outlined_in_red(win, panel, qtbot, demo_study):
    _, truth = demo_study
    c = _lesion_centre(truth)
    view = win.views["fused-axial"]
    panel.method_box.setCurrentText("fixed SUV (user)")
    panel.user_value.setValue(0.1)  # below the body's background: floods to the constraint
    panel.constraint.setValue(15.0)
    win.session.set_crosshair(c + [40.0, 40.0, 0.0])
    before = view.render_now().copy()
    assert not np.any(np.all(np.abs(before.astype(int) - RED) <= 30, axis=-1))
    panel.set_tool("segment")
    n = len(panel.model.vois)
    _mouse(view, "press", *view.world_to_widget(c))
    _mouse(view, "release", *view.world_to_widget(c))
    _wait(qtbot, panel)
    qtbot.waitUntil(lambda: panel.last_leak is not None, timeout=10_000)
    assert len(panel.model.vois) == n and "outlined in green" in panel.message.text()
    img = view.render_now()
    red = np.all(np.abs(img.astype(int) - RED) <= 30, axis=-1)
    assert red.sum() > 30
    ys, xs = np.nonzero(red)
    cx, cy = view.world_to_widget(c)
    # the red outline lies within the 15 mm sphere around the click (plus a line's width)
    mm_per_px = view.cell.view.mm_per_pixel()
    assert np.max(np.hypot(xs - cx, ys - cy)) * mm_per_px < 15.0 + 3 * mm_per_px + 4.0
    if os.environ.get("WORKSTATION_SHOT_DIR"):
        from workstation.render.scene import save_png

        save_png(img, os.path.join(os.environ["WORKSTATION_SHOT_DIR"], "constraint-leak.png"))
    # a good segmentation clears it
    panel.method_box.setCurrentText("41 % of SUVmax")
    panel.constraint.setValue(DEFAULT_CONSTRAINT_MM)
    _mouse(view, "press", *view.world_to_widget(c))
    _mouse(view, "release", *view.world_to_widget(c))
    _wait(qtbot, panel)
    qtbot.waitUntil(lambda: len(panel.model.vois) == n + 1, timeout=10_000)
    img = view.render_now()
    assert not np.any(np.all(np.abs(img.astype(int) - RED) <= 30, axis=-1))
