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


def test_every_cerebra_name_has_chinese_and_sides():
    import json
    from pathlib import Path

    from workstation.report import brain_terms

    rows = json.loads((Path(__file__).resolve().parents[2] / "resources" / "brain" / "cerebra_labels.json").read_text())
    names = {r["name"] for r in rows}
    assert names <= set(brain_terms.REGION_ZH), names - set(brain_terms.REGION_ZH)
    assert brain_terms.cluster_region("Precuneus R", "zh_CN") == "右侧楔前叶"
    assert brain_terms.cluster_region("Inferior temporal L", "zh_CN") == "左侧颞下回"
    assert brain_terms.cluster_region("Precuneus R", "en") == "Precuneus R"
    assert brain_terms.cluster_region("white matter / unlabelled", "zh_CN") == "白质／未标记"


def test_engine_warnings_and_stages_in_chinese():
    from workstation.report import brain_terms

    for w in ["no normal database: SUVR and asymmetry only, no z-scores",
              "the patient's age is not known: compared with the normals at their mean age (64 years)",
              "database 'demo' is synthetic — demonstration only"]:
        zh = brain_terms.warning(w, "zh_CN")
        words = [x for x in w.replace("'demo'", "").replace("SUVR", "").replace("z-scores", "").split() if x.isalpha()]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and not any(x in zh for x in words if len(x) > 2), zh
    st = brain_terms.stage("symmetric-forces demons (60 iterations, field smoothed 6 mm sigma) on the affinely "
                           "resampled PET", "zh_CN")
    assert "60 次迭代" in st and "6 mm" in st
    assert brain_terms.template_name("mean of the 40 normals of database 'demo'", "zh_CN") == "数据库 'demo' 的 40 例正常者均值"
    assert brain_terms.pattern("AD", "zh_CN").startswith("阿尔茨海默病")


def test_zh_pdf_text_has_no_english_engine_text(tmp_path):
    """The zh_CN PDF's text (pdftotext) holds the Chinese region, pattern and warning, not the English ones."""
    import shutil
    import subprocess

    from workstation.settings.fonts import unicode_font_file

    if not unicode_font_file():
        pytest.skip("no CJK font on this machine")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    c = _content()
    c["method"]["normalisation"]["stages"] = ["centre of mass", "rigid", "affine"]
    c["method"]["cluster_rule"] = {"z": -2.0, "min_ml": 4.5, "calibrated": True,
                                   "loo_false_positive_clusters_per_normal": 0.45}
    out = tmp_path / "zh.pdf"
    write_brain_pdf(out, c, lang="zh_CN")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    for zh in ("楔前叶", "右侧楔前叶", "阿尔茨海默病", "合成数据", "刚体配准", "仿射配准", "团块规则", "4.5 mL", "0.45"):
        assert zh in text, zh
    for en in ("Precuneus", "synthetic", "rigid", "affine", "Alzheimer"):
        assert en not in text, en
