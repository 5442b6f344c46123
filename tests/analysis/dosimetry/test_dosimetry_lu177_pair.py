"""The real Lu-177 pair (mirp-lu177-spect, CC BY-NC: read here, never shipped): activities against an
independent pydicom + NumPy sum, the rising-uptake path, and the registration between the two frames."""

from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.analysis.dosimetry.align import propagate_mask, register_to_first
from workstation.analysis.dosimetry.pipeline import (DosimetryOptions, find_rtstructs, load_time_points,
                                                     run_dosimetry)
from workstation.analysis.dosimetry.vois import rtstruct_masks

PAIR = Path(__file__).resolve().parents[3].parent / "shared" / "refdata" / "mirp-lu177-spect"
# the maintainers' sums (issue 24): lesion 1 and 2 at 3.7 h and 27.7 h, MBq
MAINTAINERS = {"lesion1 liver R lobe": (122.3, 156.1), "lesion2 liver L lateral": (4.22, 6.27)}

pytestmark = pytest.mark.skipif(not PAIR.is_dir(), reason=f"reference data not present at {PAIR}")


def _inside(px, py, poly):
    """Even-odd test of points (px, py) against a polygon (N x 2), written here independently of io.rtstruct."""
    inside = np.zeros(px.shape, bool)
    x, y = poly[:, 0], poly[:, 1]
    for a in range(len(poly)):
        b = a - 1
        cond = (y[a] > py) != (y[b] > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = (x[b] - x[a]) * (py - y[a]) / (y[b] - y[a]) + x[a]
        inside ^= cond & (px < xc)
    return inside


def independent_sums(scan: Path) -> dict:
    """{ROI name: MBq}: pixel_array x RescaleSlope + Intercept summed over the voxels whose centres lie inside
    the ROI's contours on the slice at the contour's z, times the voxel volume."""
    slices = {}
    for p in (scan / "image").glob("*.dcm"):
        ds = pydicom.dcmread(str(p))
        z = round(float(ds.ImagePositionPatient[2]), 2)
        slices[z] = ds
    ds0 = next(iter(slices.values()))
    dy, dx = (float(v) for v in ds0.PixelSpacing)
    vox_ml = dx * dy * float(ds0.SliceThickness) / 1000.0
    rs = pydicom.dcmread(str(next((scan / "mask").glob("*.dcm"))))
    names = {int(r.ROINumber): str(r.ROIName) for r in rs.StructureSetROISequence}
    out = {}
    for rc in rs.ROIContourSequence:
        per_slice = {}
        for c in rc.ContourSequence:
            pts = np.asarray(c.ContourData, float).reshape(-1, 3)
            z = min(slices, key=lambda s: abs(s - pts[0, 2]))
            assert abs(z - pts[0, 2]) < 0.1
            per_slice.setdefault(z, []).append(pts)
        total = 0.0
        for z, polys in per_slice.items():
            ds = slices[z]
            x0, y0 = (float(v) for v in ds.ImagePositionPatient[:2])
            rows, cols = int(ds.Rows), int(ds.Columns)
            px, py = np.meshgrid(x0 + dx * np.arange(cols), y0 + dy * np.arange(rows))
            m = np.zeros((rows, cols), bool)
            for pts in polys:
                m ^= _inside(px, py, pts[:, :2])
            img = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
            total += img[m].sum()
        out[names[int(rc.ReferencedROINumber)]] = total * vox_ml / 1e6
    return out


@pytest.fixture(scope="module")
def result():
    scans = [PAIR / "SCAN_001", PAIR / "SCAN_002"]
    tps = load_time_points(scans)
    return run_dosimetry(tps, find_rtstructs(scans), DosimetryOptions(register=False))


def test_time_points_and_decay_warning(result):
    tps = result.therapy.time_points
    assert [round(tp.time_h, 2) for tp in tps] == [3.74, 27.73]
    assert result.therapy.nuclide.name == "Lu-177"
    assert sum("DecayCorrection ADMIN implies DecayFactor" in w for w in result.warnings) == 2


def test_activities_equal_an_independent_sum(result):
    ref = [independent_sums(PAIR / s) for s in ("SCAN_001", "SCAN_002")]
    for v in result.vois:
        for i in range(2):
            assert v.activities_mbq[i] == pytest.approx(ref[i][v.name], rel=2e-3), (v.name, i)
        m = MAINTAINERS[v.name]
        assert [round(a, 2 if a < 10 else 1) for a in v.activities_mbq] == list(m)


def test_rising_uptake_path_taken_and_said(result):
    for v in result.vois:
        assert v.fit.model == "trapezoid" and "rising" in v.fit.chosen_by
        assert v.fit.tia_sd_mbq_h > 0
    assert sum("still rising" in w and "no extrapolation beyond physical decay" in w for w in result.warnings) == 2


@pytest.mark.slow
def test_registration_carries_the_lesions_onto_the_second_scan():
    scans = [PAIR / "SCAN_001", PAIR / "SCAN_002"]
    tp1, tp2 = load_time_points(scans)
    reg = register_to_first(tp1, tp2)
    assert not reg["same_frame_of_reference"]
    m1, _ = rtstruct_masks(next((scans[0] / "mask").glob("*.dcm")), tp1.volume.geometry, tp1.volume.frame_of_reference_uid)
    m2, _ = rtstruct_masks(next((scans[1] / "mask").glob("*.dcm")), tp2.volume.geometry, tp2.volume.frame_of_reference_uid)
    g = tp2.volume.geometry
    name = "lesion1 liver R lobe"
    p = propagate_mask(m1[name], tp1.volume.geometry, g, reg["moving_from_fixed"])
    dice = 2 * (p & m2[name]).sum() / (p.sum() + m2[name].sum())
    shift = g.kji_to_world(np.argwhere(p).mean(0)) - g.kji_to_world(np.argwhere(m2[name]).mean(0))
    assert dice > 0.85 and np.linalg.norm(shift) < 3.0  # mm, against the second scan's own contour
