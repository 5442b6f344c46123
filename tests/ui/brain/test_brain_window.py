"""The brain layout: the synthetic label in the banner, the threshold slider changes the overlay, the
hover read-out names the reference, the regional table has a row per structure."""

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _result():
    from workstation.analysis.brain import ssp
    from workstation.analysis.brain.analysis import BrainResult
    from workstation.analysis.brain.template import load_mni, pseudo_fdg

    space = load_mni(8.0)
    img = pseudo_fdg(space, 10.0)
    z = np.where(space.brain, -1.0, np.nan).astype(np.float32)
    k, j, i = (s // 2 for s in space.gm.shape)
    z[k - 1:k + 2, j - 1:j + 2, i - 1:i + 2] = -3.0
    proj = ssp.project(img, ssp.surface_for(8.0))
    regions = [{"name": "Precuneus", "hemisphere": h, "suvr": 1.0, "z": -2.5 if h == "L" else 0.5, "ai": 3.0,
                "ai_z": 1.0, "percentile": 1.0, "reference": "pons"} for h in ("L", "R")]
    return BrainResult(space, "pons", 1.0, img, z, [{"volume_ml": 13.8, "peak_z": -3.0, "mean_z": -3.0,
                                                     "peak_mni_ras_mm": [0, 0, 0], "region": "x", "reference": "pons"}],
                       regions, proj, {v: np.zeros_like(p) for v, p in proj.items()}, {},
                       {"name": "pseudo-FDG"}, {"name": "demo", "n": 40, "age_range": [45, 85], "synthetic": True})


def test_brain_window(qtbot):
    from workstation.ui.brain.window import BrainWindow

    w = BrainWindow(_result())
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    assert "synthetic — demonstration only" in w.banner.text()
    assert w.table.rowCount() == 1
    img_low = w.views["axial"].pixmap().toImage()
    w.slider.setValue(40)  # threshold 4: the z = -3 spot disappears
    img_high = w.views["axial"].pixmap().toImage()
    assert img_low != img_high
    w.background.setCurrentIndex(1)  # the patient's SUVR as background
    assert w.views["axial"].pixmap().toImage() != img_high
    w._hover(w.cursor)
    assert "pons" in w.readout.text() and "-3.00" in w.readout.text()


def test_brain_window_on_the_patients_t1(qtbot):
    """MR-guided: the patient's T1 on the MNI grid is the default background and the banner says MR-guided."""
    from workstation.ui.brain.window import BrainWindow

    r = _result()
    r.info = {"normalisation": {"mode": "MR-guided"}}
    t1 = np.zeros(r.space.gm.shape, np.float32)
    t1[:, :, : t1.shape[2] // 2] = 800.0  # half bright: unlike the template
    r.t1_on_mni = t1
    w = BrainWindow(r)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    assert w.background.currentData() == "patient_t1"
    assert "MR-guided" in w.banner.text()
    assert np.array_equal(w.t1 > 0.5, t1 > 400)
    shown = w.views["axial"].pixmap().toImage()
    w.background.setCurrentIndex(w.background.findData("t1"))
    assert w.views["axial"].pixmap().toImage() != shown
