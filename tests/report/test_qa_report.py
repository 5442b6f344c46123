"""QA PDF reports: written, never overwritten without asking, and holding the numbers of the result."""

import shutil
import subprocess

import numpy as np
import pytest

from workstation.analysis.qa.nema_iq import Fill, analyse_nema_iq
from workstation.analysis.qa.uniformity import analyse_uniformity
from workstation.analysis.qa.phantom import iec_phantom_image
from workstation.analysis.qa.series import QaContext
from workstation.core.geometry import ImageGeometry
from workstation.report.qa import write_nema_report, write_uniformity_report

CTX = QaContext("/data/phantom", "1.2.3", "BQML", {"manufacturer": "Acme", "model": "PET-1"}, None, "", "IQ")


def pdf_text(path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def nema_result():
    geom = ImageGeometry(shape=(40, 112, 112), spacing=(3.0, 3.0, 2.0), origin=(-166.5, -166.5, -40.0))
    f = [1.0, 0.95, 0.9, 0.8, 0.7, 0.5]
    img, _ = iec_phantom_image(geom, 1000.0, sphere_values=[4000.0 * x for x in f], lung_value=50.0)
    return analyse_nema_iq(img, geom, Fill(ratio=4.0), units="BQML")


def test_nema_report(tmp_path, nema_result):
    out = write_nema_report(tmp_path / "iq.pdf", nema_result, CTX)
    assert out.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(out)
    assert "Acme / PET-1" in text and "EARL1: FAIL" in text
    for s in nema_result.spheres:
        assert f"{s.rc_max:.3f}" in text and f"{s.rc_a50:.3f}" in text
    assert f"Lung residual {nema_result.lung_residual_percent:.2f} %" in text
    with pytest.raises(FileExistsError):
        write_nema_report(out, nema_result, CTX)
    write_nema_report(out, nema_result, CTX, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name != "iq.pdf"]  # no temporary file left behind


def test_uniformity_report_renders(tmp_path):
    g = ImageGeometry(shape=(40, 64, 64), spacing=(4.0, 4.0, 4.0), origin=(-126.0, -126.0, -78.0))
    w = g.kji_to_world(np.argwhere(np.ones(g.shape, bool))).reshape(*g.shape, 3)
    img = ((np.hypot(w[..., 0], w[..., 1]) <= 100) & (np.abs(w[..., 2]) <= 70)) * 1.13
    res = analyse_uniformity(img, g)
    out = write_uniformity_report(tmp_path / "u.pdf", res, CTX)
    text = pdf_text(out)
    assert "FAIL" in text and "+13.00 %" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
                       check=True)
        assert list(tmp_path.glob("p*.png"))


def test_trend_plot(tmp_path):
    from workstation.io.db import StudyDB
    from workstation.report.qa import ReportError, write_trend_plot

    with StudyDB(tmp_path / "s.db") as db:
        for day, v, ok in ((1, 0.80, True), (15, 0.74, False), (30, 0.82, None)):
            db.save_qa_result("nema-iq", {"model": "PET-1"}, acquired=f"2026-01-{day:02d}T10:00:00", passed=ok,
                              summary={"rc_a50_37": v})
        rows = db.qa_results("nema-iq")
    out = write_trend_plot(tmp_path / "t.png", rows, "rc_a50_37")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(FileExistsError):
        write_trend_plot(out, rows, "rc_a50_37")
    with pytest.raises(ReportError, match="no stored QA result"):
        write_trend_plot(tmp_path / "u.png", rows, "nothing")
