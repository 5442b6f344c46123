"""The study's structures are listed when the study opens (real STS_002 PET/CT/MR with three RTSTRUCTs), off
the UI thread, and measured on demand: the list's numbers are the VOI's and agree with the contours
(shoelace area × plane spacing worked out here from the file) and with the SUVmax of header_summary.json."""

import json

import numpy as np
import pydicom
import pytest
from PySide6.QtWidgets import QApplication

from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def _roi_names(folder):
    names = []
    for rs in sorted(folder.glob("*/mask/RS.dcm")):
        ds = pydicom.dcmread(str(rs), stop_before_pixels=True)
        names += [str(i.ROIName) for i in ds.StructureSetROISequence]
    return names


def _contour_volume_ml(path):
    """Sum of the polygon areas (shoelace, in the contour's plane) × the spacing between contour planes."""
    ds = pydicom.dcmread(str(path))
    planes = {}
    for c in ds.ROIContourSequence[0].ContourSequence:
        p = np.asarray([float(v) for v in c.ContourData]).reshape(-1, 3)
        x, y = p[:, 0], p[:, 1]
        area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
        planes[round(float(p[0, 2]), 2)] = planes.get(round(float(p[0, 2]), 2), 0.0) + area
    z = np.sort(np.asarray(list(planes)))
    step = float(np.median(np.diff(z)))
    return sum(planes.values()) * step / 1000.0


def test_structures_listed_on_open_and_measured_on_demand(refdata, qapp, qtbot, monkeypatch, tmp_path):
    folder = refdata / "ibsi-sts-petctmr" / "STS_002"
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    job = w.load_folder(str(folder))
    qtbot.waitUntil(lambda: w.session is not None, timeout=180_000)
    assert not job.error
    sl = w.voi_panel.structures
    listing = sl.list_jobs.job
    assert listing is not None and listing.thread is not None  # listed by a worker thread
    qtbot.waitUntil(lambda: listing.is_settled() and len(sl.entries) > 0, timeout=120_000)
    QApplication.processEvents()
    assert sorted(e.name for e in sl.entries) == sorted(_roi_names(folder))  # every ROI of the three RTSTRUCTs
    assert sl.tree.topLevelItemCount() == 3 and "3 structure" in sl.status.text()
    assert len(w.voi_panel.model.vois) == 0  # listing alone measures nothing
    row = next(i for i, e in enumerate(sl.entries) if e.name == "GTV_Mass_PET")
    assert sl.row_values(row)["volume_ml"] == ""
    job = sl.measure([row])
    qtbot.waitUntil(lambda: job.is_settled(), timeout=120_000)
    qtbot.waitUntil(lambda: len(w.voi_panel.model.vois) == 1, timeout=10_000)
    v = next(iter(w.voi_panel.model.vois.values()))
    assert v.name == "GTV_Mass_PET"
    vals = sl.row_values(row)
    assert float(vals["volume_ml"]) == pytest.approx(v.stats.volume_ml, abs=0.005)
    assert float(vals["suv_max"]) == pytest.approx(v.stats.max, abs=5e-4)
    summary = json.loads((folder / "header_summary.json").read_text())
    suvmax = summary["series"]["PET"]["PET_SUVmax_whole_stored_volume"]["max"]
    assert v.stats.max == pytest.approx(suvmax, abs=1e-4)  # the hottest voxel of the crop lies in the GTV
    ref_ml = _contour_volume_ml(folder / "PET" / "mask" / "RS.dcm")
    assert v.stats.volume_ml == pytest.approx(ref_ml, rel=0.10)  # PET voxels (4 mm) against the contours
    assert sl.measure([row]) is None  # measured once: not added twice
    import os

    if os.environ.get("WORKSTATION_SHOT_DIR"):  # for looking at it
        w.voi_dock.show()
        QApplication.processEvents()
        w.voi_panel.grab().save(os.path.join(os.environ["WORKSTATION_SHOT_DIR"], "structures-list.png"))
    w.cancel_work()
    w.close()
