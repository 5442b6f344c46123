"""The real main window driven with pytest-qt on the demo study: load, scroll, click, window,
colour maps, MIP, anonymise, SUV panel, nudge. Pixels are checked structurally at the screen
positions where truth.json says the lesions are."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module")
def win(demo_study, qapp, tmp_path_factory):
    from pytestqt.qtbot import QtBot

    # built before the per-test data-dir isolation: keep its stored readings (autosave) out of the user's folder
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("main-window-data")))
    out, truth = demo_study
    w = MainWindow(db=None)
    w.resize(1500, 950)
    w.show()
    job = w.load_folder(str(out))
    bot = QtBot(None)
    bot.waitUntil(lambda: w.session is not None, timeout=180_000)
    assert not job.error
    yield w
    w.cancel_work()
    w.close()
    mp.undo()


def test_status_says_the_load_is_done(win):
    assert win.message_label.text() == "Loading study: done"
    assert win.progress_bar.isHidden()


def _lesion(truth, name):
    return next(l for l in truth["lesions"] if l["name"] == name)


def _patch(img, x, y, r=1):
    return np.median(img[int(y) - r:int(y) + r + 1, int(x) - r:int(x) + r + 1].reshape(-1, 3).astype(int), axis=0)


def _wheel(widget, steps):
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    ev = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


def _mouse(widget, kind, x, y, button):
    t = {"press": QMouseEvent.Type.MouseButtonPress, "move": QMouseEvent.Type.MouseMove,
         "release": QMouseEvent.Type.MouseButtonRelease}[kind]
    pos = QPointF(x, y)
    buttons = Qt.MouseButton.NoButton if kind == "release" else button
    ev = QMouseEvent(t, pos, widget.mapToGlobal(pos), button if kind != "move" else Qt.MouseButton.NoButton,
                     buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def test_grid_layout_and_switch(win):
    assert set(win.visible_views()) == {f"{k}-{p}" for k in ("ct", "pet", "fused")
                                        for p in ("axial", "coronal", "sagittal")} | {"mip"}
    win.layout_box.setCurrentText("fused-mip")
    win.set_layout("fused-mip")
    assert set(win.visible_views()) == {"fused-axial", "mip"}
    assert win.views["fused-axial"].width() > win.views["mip"].width()
    win.set_layout("grid")
    assert len(win.visible_views()) == 10


@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_lesion_in_pet_colours_where_truth_says(win, demo_study, plane):
    _, truth = demo_study
    s = win.session
    s.set_pet_preset("SUV 0-10")
    s.set_colormap("hot iron")
    les = _lesion(truth, "lung_left_upper")
    c = np.asarray(les["centre_lps_mm"], float)
    normal = {"axial": 2, "coronal": 1, "sagittal": 0}[plane]
    away = c + 40.0
    away[normal] = c[normal]  # this plane's slice through the lesion, crosshair lines 40 mm away
    s.set_crosshair(away)
    imgs = {k: win.views[f"{k}-{plane}"].render_now() for k in ("ct", "pet", "fused")}
    x, y = win.views[f"pet-{plane}"].world_to_widget(c)
    pet = _patch(imgs["pet"], x, y)
    assert pet[0] > 200 and pet[0] >= pet[1] > pet[2] + 60  # SUV ~8 of 10 in hot iron: orange/yellow
    g = s.display_geometry
    c = g.kji_to_world(np.rint(g.world_to_kji(c)))  # a voxel centre (truth may sit on a voxel edge)
    for k in imgs:  # zoom in on the lesion so that each CT voxel covers several screen pixels
        s.set_zoom(f"{k}-{plane}", 4.0)
        win.views[f"{k}-{plane}"].cell.center_on(s, c)
    imgs = {k: win.views[f"{k}-{plane}"].render_now() for k in ("ct", "pet", "fused")}
    px = {k: tuple(int(v) for v in win.views[f"{k}-{plane}"].world_to_widget(c)[::-1]) for k in imgs}
    for k, (yy, xx) in px.items():
        assert abs(xx - win.views[f"{k}-{plane}"].width() / 2) <= 1 and abs(yy - win.views[f"{k}-{plane}"].height() / 2) <= 1
    ct, pt, fused = (imgs[k][px[k]].astype(int) for k in ("ct", "pet", "fused"))  # same voxel in each view
    assert ct[0] == ct[1] == ct[2]  # grey
    expect = np.rint(0.5 * ct + 0.5 * pt)
    assert np.all(np.abs(fused - expect) <= 1), (ct, pt, fused, s.opacity)  # fused = CT under PET at 50 % opacity
    assert fused[0] - fused[2] > 60
    for k in imgs:
        s.set_zoom(f"{k}-{plane}", 1.0)
        s.set_pan(f"{k}-{plane}", (0.0, 0.0))
    if plane in ("axial", "coronal"):  # the patient's left is on the image's right
        assert les["side"] == "left"
        mid = c.copy()
        mid[0] = 0.0
        xm, _ = win.views[f"pet-{plane}"].world_to_widget(mid)
        assert x > xm + 20 and x > imgs["pet"].shape[1] / 2


def test_wheel_scrolls_one_slice(win):
    s = win.session
    s.set_crosshair(s.display_geometry.center_world())
    k0 = s.plane_index("axial")
    _wheel(win.views["fused-axial"], +1)
    assert s.plane_index("axial") == k0 + 1
    c0 = s.plane_index("coronal")
    _wheel(win.views["ct-coronal"], -1)
    assert s.plane_index("coronal") == c0 - 1
    j0 = s.plane_index("sagittal")
    _wheel(win.views["pet-sagittal"], -1)
    assert s.plane_index("sagittal") == j0 - 1


def test_click_moves_linked_crosshair_and_readout(win, demo_study):
    _, truth = demo_study
    s = win.session
    les = _lesion(truth, "liver_large")
    c = np.asarray(les["centre_lps_mm"], float)
    s.set_crosshair(c)  # slice through the lesion; now click on its centre in the fused axial view
    s.set_crosshair(c + [30.0, 30.0, 0.0])
    view = win.views["fused-axial"]
    view.render_now()
    x, y = view.world_to_widget(c)
    _mouse(view, "press", x, y, Qt.MouseButton.LeftButton)
    _mouse(view, "release", x, y, Qt.MouseButton.LeftButton)
    assert np.linalg.norm(s.crosshair[:2] - c[:2]) < 2.0  # within a CT voxel
    for plane in ("axial", "coronal", "sagittal"):  # linked: every view's slice goes through it
        assert s.plane_index(plane) == {"axial": s.crosshair_index()[0], "coronal": s.crosshair_index()[1],
                                        "sagittal": s.crosshair_index()[2]}[plane]
    # readout against independent values: CT voxel, PET voxel x SUV factor from truth.json
    ct_hu = s.anatomical.value_at_world(s.crosshair)
    suv = s.pet.value_at_world(s.crosshair) * truth["suv"]["suv_factor_bw"]
    text = win.readout_label.text()
    assert f"{ct_hu:.0f} HU" in text and f"{suv:.2f} SUVbw" in text
    assert 5.0 < suv < 12.0  # the large liver lesion is SUV 10 (blurred)


def test_right_drag_windows_ct_and_pet(win):
    s = win.session
    s.set_ct_preset("soft tissue")
    view = win.views["ct-axial"]
    _mouse(view, "press", 100, 100, Qt.MouseButton.RightButton)
    _mouse(view, "move", 140, 100, Qt.MouseButton.RightButton)
    _mouse(view, "release", 140, 100, Qt.MouseButton.RightButton)
    assert s.ct_window[0] == pytest.approx(400 * 1.2) and s.ct_window[1] == pytest.approx(40)
    s.set_pet_preset("SUV 0-5")
    view = win.views["fused-coronal"]
    _mouse(view, "press", 100, 100, Qt.MouseButton.RightButton)
    _mouse(view, "move", 200, 100, Qt.MouseButton.RightButton)
    _mouse(view, "release", 200, 100, Qt.MouseButton.RightButton)
    assert s.pet_window == pytest.approx((0.0, 7.5))
    assert win.pet_preset_box.currentText() == "custom"
    win.ct_preset_box.setCurrentText("lung")
    win.ct_preset_box.activated.emit(win.ct_preset_box.currentIndex())
    assert s.ct_window == (1500.0, -600.0)


def test_colour_maps_change_the_lesion_colour(win, demo_study):
    _, truth = demo_study
    s = win.session
    les = _lesion(truth, "liver_large")
    c = np.asarray(les["centre_lps_mm"], float)
    s.set_crosshair(c + [40.0, 40.0, 0.0])
    s.set_pet_preset("SUV 0-5")  # SUV ~10 saturates the map
    view = win.views["pet-axial"]
    colours = {}
    for name in ("hot iron", "rainbow", "grey", "inverted grey"):
        win.cmap_box.setCurrentText(name)
        win.cmap_box.activated.emit(win.cmap_box.currentIndex())
        assert s.colormap == name
        img = view.render_now()
        x, y = view.world_to_widget(c)
        colours[name] = _patch(img, x, y).tolist()
    assert colours["hot iron"] == [255, 255, 255]
    assert colours["rainbow"] == [255, 0, 0]
    assert colours["grey"] == [255, 255, 255]
    assert colours["inverted grey"] == [0, 0, 0]
    win.cmap_box.setCurrentText("hot iron")
    win.cmap_box.activated.emit(win.cmap_box.currentIndex())


def test_opacity_slider(win):
    win.opacity_slider.setValue(80)
    assert win.session.opacity == pytest.approx(0.8)
    win.opacity_slider.setValue(50)


def test_mip_click_jumps_to_hottest_voxel_and_cine(win, qtbot, demo_study):
    _, truth = demo_study
    s = win.session
    s.set_mip_angle_index(0)
    les = _lesion(truth, "lung_left_upper")
    c = np.asarray(les["centre_lps_mm"], float)
    view = win.views["mip"]
    view.render_now()
    x, y = view.world_to_widget(c)
    _mouse(view, "press", x, y, Qt.MouseButton.LeftButton)
    _mouse(view, "release", x, y, Qt.MouseButton.LeftButton)
    assert np.linalg.norm(s.crosshair - c) < 8.0  # the AP ray through the lesion peaks at the lesion
    frames = []
    view.rendered.connect(lambda: frames.append(s.mip_angle_index))
    win.cine_button.click()  # play
    assert win.cine_button.isChecked() and win.cine_button.text() == "Pause MIP"
    qtbot.waitUntil(lambda: len(set(frames)) >= 3, timeout=10_000)  # the MIP view redraws each new angle
    assert s.mip_angle_index >= 2
    win.cine_button.click()  # pause
    assert not win.cine.isActive() and win.cine_button.text() == "Play MIP"
    paused = s.mip_angle_index
    qtbot.wait(3 * win.cine.interval())
    assert s.mip_angle_index == paused  # stays paused
    s.set_mip_angle_index(0)


def test_anonymise_hides_identity(win, demo_study):
    _, truth = demo_study
    name, pid = truth["patient"]["name"], truth["patient"]["patient_id"]
    win.anon_check.setChecked(False)
    assert any(pid in line for line in win.session.overlay_lines())
    win.anon_check.setChecked(True)
    text = "\n".join(win.session.overlay_lines())
    assert pid not in text and name not in text
    assert pid not in win.readout_label.text()
    win.anon_check.setChecked(False)


def test_suv_panel_provenance_and_audited_override(win, demo_study):
    _, truth = demo_study
    s = win.session
    panel = win.suv_panel
    assert s.suv.factor == pytest.approx(truth["suv"]["suv_factor_bw"], rel=1e-4)
    assert "weight" in panel.trail.toPlainText().lower()
    panel.edits["weight_kg"].setText("150")
    panel.reason.setText("")
    assert panel.apply() is False and "reason" in panel.message.text()
    panel.reason.setText("weight re-measured on the ward")
    assert panel.apply() is True
    assert s.suv.factor == pytest.approx(2 * truth["suv"]["suv_factor_bw"], rel=1e-4)  # SUVbw ∝ weight
    assert panel.audit.count() == 1 and "weight re-measured" in panel.audit.item(0).text()
    assert "override" in panel.trail.toPlainText().lower()
    panel.edits["weight_kg"].setText("")
    panel.reason.setText("")
    assert panel.apply() is True
    assert s.suv.factor == pytest.approx(truth["suv"]["suv_factor_bw"], rel=1e-4)


def test_nudge_moves_pet_in_background(win, qtbot):
    s = win.session
    before = s.pet_from_anat.copy()
    job = win.nudge(2.0, 0.0, 0.0)
    qtbot.waitUntil(lambda: job.is_settled() and s.registration_note == "manual nudge", timeout=60_000)
    assert np.allclose(s.pet_from_anat[:3, 3] - before[:3, 3], [-2.0, 0.0, 0.0])
    assert "manual nudge" in win.readout_label.text()
    job = win.nudge(-2.0, 0.0, 0.0)
    qtbot.waitUntil(lambda: job.is_settled() and np.allclose(s.pet_from_anat, before), timeout=60_000)


def test_mip_overlays_readable_on_white_inverted_grey(win):
    """The inverted-grey MIP is white where there is no uptake: the colour bar (labels in white) and
    the light scale bar must sit on a dark box / outline there, not vanish white-on-white."""
    s = win.session
    s.set_mip_angle_index(0)
    s.set_pet_window(1000.0, 2000.0)  # every voxel below the window: the inverted-grey MIP is all white
    s.set_zoom("mip", 2.5)  # and it fills the view, so every overlay lies on white
    view = win.views["mip"]
    try:
        img = view.render_now().astype(int)
    finally:
        s.set_zoom("mip", 1.0)
        s.set_pet_preset("SUV 0-5")
    h, w = img.shape[:2]
    lum = img.mean(axis=-1)
    assert (lum > 240).mean() > 0.75  # the picture is white
    # colour bar: the rectangle it occupies (render.slice_view places it at x 0.86-0.99, y 0.58-0.92)
    box = lum[int(0.09 * h):int(0.41 * h), int(0.87 * w):int(0.98 * w)]
    assert (box > 200).mean() < 0.25, (box > 200).mean()
    # scale bar: light-yellow line (255, 255, 153) in the bottom rows, with dark pixels just above/below
    bottom = img[h - 30:]
    ys, xs = np.nonzero((bottom[..., 0] > 220) & (bottom[..., 1] > 220) & (bottom[..., 2] < 200)
                        & (bottom[..., 2] > 100))
    assert len(xs) > 20
    over_light = [(y, x) for y, x in zip(ys, xs) if lum[min(h - 1, h - 30 + y + 8), x] > 240]  # on white
    assert len(over_light) > 10
    dark_near = [min(lum[h - 30 + y + d, x] for d in (-3, -2, 2, 3) if 0 <= h - 30 + y + d < h) < 80
                 for y, x in over_light]
    assert np.mean(dark_near) > 0.9
