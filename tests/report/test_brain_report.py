"""The brain PDF in both languages from plain content; the synthetic label and the reference are in it."""

import numpy as np
import pytest

from workstation.report.brain_report import VIEWS, BrainReportError, ssp_png, write_brain_pdf


def _content():
    rng = np.random.default_rng(0)
    ssp_suvr = {v: rng.uniform(0.5, 1.5, (20, 24)) for v in VIEWS}
    ssp_z = {v: rng.normal(0, 1.5, (20, 24)) for v in VIEWS}
    return {"reference": {"name": "pons"}, "template": {"name": "pseudo-FDG", "fwhm_mm": 10.0},
            "database": {"name": "demo", "n": 40, "age_range": [45.0, 85.0], "synthetic": True, "scanners": ["x"],
                         "effective_fwhm_mm": 10.0, "age_regressed": True},
            "method": {"smoothing": {"native_fwhm_mm": 6.0, "effective_fwhm_mm": 10.0, "extra_fwhm_mm": 8.0},
                       "normalisation": {"stages": ["affine"], "correlation_with_template": 0.97}},
            "warnings": ["database 'demo' is synthetic — demonstration only"],
            "clusters": [{"volume_ml": 12.5, "peak_z": -4.2, "peak_mni_ras_mm": [10, -60, 30], "region": "Precuneus R"}],
            "pattern_scores": {"AD": {"t_sum_z_ml": 120.0, "threshold": 50.0, "abnormal": True}},
            "regions": [{"name": "Precuneus", "hemisphere": h, "suvr": 1.1, "z": -2.5, "ai": 1.0, "ai_z": 0.3}
                        for h in ("L", "R")],
            "ssp_suvr": ssp_suvr, "ssp_z": ssp_z, "z": rng.normal(0, 1, (12, 14, 12)), "t1": rng.random((12, 14, 12)),
            "study": {"patient_id": "X1", "date": "20240101"}}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_pdf_both_languages(tmp_path, lang):
    from workstation.settings.fonts import unicode_font_file

    if lang == "zh_CN" and not unicode_font_file():
        pytest.skip("no CJK font on this machine")
    out = tmp_path / f"b_{lang}.pdf"
    write_brain_pdf(out, _content(), lang=lang)
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 20000
    with pytest.raises(BrainReportError, match="exists"):
        write_brain_pdf(out, _content(), lang=lang)


def test_ssp_png_shows_decrease_only_above_two():
    from PIL import Image
    import io

    c = _content()
    for v in VIEWS:
        c["ssp_z"][v][:] = -1.0  # no decrease beyond 2: the z rows must stay grey/white
    a = np.asarray(Image.open(io.BytesIO(ssp_png(c["ssp_suvr"], c["ssp_z"]))).convert("RGB")).astype(int)
    c["ssp_z"]["superior"][:] = -6.0
    b = np.asarray(Image.open(io.BytesIO(ssp_png(c["ssp_suvr"], c["ssp_z"]))).convert("RGB")).astype(int)
    assert (np.abs(a - b).sum(axis=2) > 60).sum() > 500
