"""Modality-aware reading on real refdata: an MR is labelled MR and windowed from its own intensities;
a PET-only / SPECT study opens in the PET hanging protocol with its units and nuclide shown.

STS_002 (ibsi-sts-petctmr): PET (SUV, GML) over a T1 MR. mirp-lu177-spect: a Lu-177 SPECT stored as
PT, units BQML, half-life 574300 s (read here only; nothing of it ships)."""

from pathlib import Path

import numpy as np
import pytest

from workstation.analysis.reading import session as fusion
from workstation.analysis.reading import study_open
from workstation.core.display import LAYOUTS, MR_PRESETS, percentile_window
from workstation.render.scene import CellRenderer, layout_rects, render_layout

pytestmark = [pytest.mark.gui, pytest.mark.slow]

REFDATA = Path(__file__).resolve().parents[3].parent / "shared" / "refdata"


@pytest.fixture(scope="module")
def refdata_dir():
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not present at {REFDATA}")
    return REFDATA


@pytest.fixture(scope="module")
def pet_mr(refdata_dir):
    from workstation.io.loader import load_series

    base = refdata_dir / "ibsi-sts-petctmr" / "STS_002"
    if not (base / "MR_T1" / "image").is_dir():
        pytest.skip("refdata ibsi-sts-petctmr/STS_002 MR_T1 not present")
    pet = load_series(sorted((base / "PET" / "image").glob("*")))
    mr = load_series(sorted((base / "MR_T1" / "image").glob("*")))
    return fusion.ReadingSession(mr, pet, mip_frames=4)


@pytest.fixture(scope="module")
def spect(refdata_dir):
    base = refdata_dir / "mirp-lu177-spect" / "SCAN_001" / "image"
    if not base.is_dir():
        pytest.skip("refdata mirp-lu177-spect not present")
    return study_open.open_folder(base, mip_frames=4)


def _body_mask(mr_slice):
    """Body in an MR slice, found independently of the code under test: above a quarter of the
    slice's mean (MR air is near zero)."""
    a = mr_slice.astype(float)
    return a > 0.25 * a.mean()


def test_mr_window_is_the_percentile_window_of_its_own_voxels(pet_mr):
    s = pet_mr
    assert s.anatomical.modality == "MR" and s.anat_label == "MR"
    # NumPy twin: 1st..99.5th percentile of the voxels above 5 % of (min -> 99.5th percentile)
    a = s.anat_display.astype(np.float64).ravel()
    lo, hi = a.min(), np.percentile(a, 99.5)
    fg = a[a > lo + 0.05 * (hi - lo)]
    p1, p995 = np.percentile(fg, [1.0, 99.5])
    w, lv = s.ct_window
    assert w == pytest.approx(p995 - p1, rel=1e-3)
    assert lv == pytest.approx((p995 + p1) / 2, rel=1e-3)
    assert set(s.window_presets()) == set(MR_PRESETS)
    assert s.window_presets()["MR auto"] == s.ct_window
    # the CT window (HU) makes no sense on MR numbers: it is not offered
    with pytest.raises(KeyError, match="MR preset"):
        s.set_ct_preset("soft tissue")


def test_percentile_window_ignores_background():
    rng = np.random.default_rng(1)
    vol = np.zeros((10, 40, 40), np.float32)  # 3/4 air at 0
    vol[:, 10:30, 10:30] = rng.uniform(100, 200, (10, 20, 20))
    w, lv = percentile_window(vol, 0.0, 100.0)
    body = vol[:, 10:30, 10:30]
    assert lv - w / 2 == pytest.approx(body.min(), rel=1e-4)
    assert lv + w / 2 == pytest.approx(body.max(), rel=1e-4)


def test_mr_view_is_not_saturated_and_says_mr(pet_mr):
    s = pet_mr
    s.set_ct_preset("MR auto")
    r = CellRenderer("ct", "axial", 400, 400)
    img = r.render(s)
    assert r.view.corner["top-right"].GetInput() == "MR axial"
    assert "W " in r.view.corner["bottom-left"].GetInput()
    rgb, _ = r.image(s)
    grey = rgb[..., 0].astype(int)
    body = _body_mask(s.slice_image("ct", "axial"))
    assert body.mean() > 0.1
    inside = grey[body]
    strictly_between = np.mean((inside > 0) & (inside < 255))
    assert strictly_between > 0.85, strictly_between
    assert np.mean(inside == 255) < 0.05
    # the body spans the grey range (not a flat mid-grey)
    assert np.percentile(inside, 90) - np.percentile(inside, 10) > 60
    # what the old fixed CT window did: most of the MR body saturated white (the test can fail)
    s.set_ct_window(400.0, 40.0)
    rgb_ct, _ = r.image(s)
    assert np.mean(rgb_ct[..., 0][body] == 255) > 0.5
    s.set_ct_preset("MR auto")
    assert img.shape == (400, 400, 3)


def test_mr_readout_and_overlay_say_mr(pet_mr):
    s = pet_mr
    assert " MR " in f" {s.readout_text()} "
    assert not any(line.startswith("CT") for line in s.overlay_lines())


def test_main_window_labels_mr(pet_mr, qtbot):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.set_session(pet_mr)
    assert w.anat_window_label.text().strip() == "MR"
    assert w.register_button.text() == "Register PET→MR"
    items = [w.ct_preset_box.itemData(i) for i in range(w.ct_preset_box.count())]
    assert items == list(MR_PRESETS)
    assert "MR " in w.readout_label.text()
    for name in ("T1", "T2", "MR auto"):
        i = w.ct_preset_box.findData(name)
        w.ct_preset_box.setCurrentIndex(i)
        w.ct_preset_box.activated.emit(i)
        assert pet_mr.ct_window == pet_mr.window_presets()[name]
    assert pet_mr.window_presets()["T1"] != pet_mr.window_presets()["T2"]
    w.cancel_work()
    w.close()


# ----------------------------------------------------------------------------- PET-only / SPECT
def test_spect_opens_in_pet_protocol_with_units_and_nuclide(spect):
    s = spect
    assert s.anatomical is None and s.pet.modality == "PT" and s.pet.units == "BQML"
    assert s.layout == "pet"
    assert {c.key for c in LAYOUTS["pet"].cells} == {"pet-axial", "pet-coronal", "pet-sagittal", "mip"}
    line = s.pet_acquisition_line()
    assert "Lu-177" in line and "kBq/mL" in line  # the nuclide by name; a SPECT is read in activity
    assert s.functional_label == "SPECT"  # a Lu-177 tomogram stored as PT
    assert f"T1/2 {574300 / 86400:.2f} d" in line  # 6.65 d
    assert "BQML" in line
    assert line in s.overlay_lines()


def test_spect_every_tile_shows_activity(spect):
    s = spect
    s.set_crosshair(s.display_geometry.ijk_to_world(
        np.array(np.unravel_index(np.argmax(s.pet_display), s.pet_display.shape)[::-1], float)))
    W, H = 1200, 900
    img, renderers = render_layout(s, "pet", W, H)
    rects = layout_rects("pet", W, H)
    for key, (x, y, w, h) in rects.items():
        tile = img[y:y + h, x:x + w].astype(int)
        title = renderers[key].view.corner["top-right"].GetInput()
        assert "no data" not in title, key
        if key == "mip":
            # inverted grey: activity is darker than the white background
            lum = tile.mean(axis=2)
            assert np.mean(lum < 128) > 0.001, key
        else:
            assert title.startswith("SPECT"), title
            # hot iron: activity is red/yellow (R well above B), present in the tile
            hot = (tile[..., 0] > 150) & (tile[..., 0] - tile[..., 2] > 80)
            assert hot.sum() > 20, (key, hot.sum())
    # the colour bar is titled with the display units
    assert renderers["pet-axial"].view is not None


def test_pet_only_main_window_has_no_anatomy_panels(spect, qtbot):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 900)
    w.show()
    w.set_session(spect)
    assert set(w.visible_views()) == {"pet-axial", "pet-coronal", "pet-sagittal", "mip"}
    assert not w.register_button.isEnabled()
    assert not w.ct_preset_box.isEnabled()
    w.cancel_work()
    w.close()
