"""PDF reading report: the text layer holds the lesion table's numbers, in English and Chinese, A4 and Letter.

The PDF is read back with poppler (pdftotext, pdfinfo, pdffonts); tests skip when poppler-utils is
absent. Expected numbers come from `workstation lesions --json` on the same series.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from export_study import write_pet
from workstation.cli import main

NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="pdftotext/pdfinfo/pdffonts (Debian package poppler-utils) not installed")


@pytest.fixture(scope="module")
def pet(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    write_pet(root / "pet", patient_name="张^三")
    return root / "pet"


@pytest.fixture(scope="module")
def lesions(pet):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["lesions", str(pet), "--json"]) == 0
    return json.loads(buf.getvalue())["lesions"]


def _text(pdf):
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@NEEDS_POPPLER
@pytest.mark.parametrize("lang,page,size", [("en", "A4", "595.276 x 841.89"), ("zh_CN", "Letter", "612 x 792")])
def test_report_text_layer_has_the_lesion_table(pet, lesions, tmp_path, capsys, lang, page, size):
    out = tmp_path / f"r-{lang}.pdf"
    rc = main(["report", str(pet), "--out", str(out), "--lang", lang, "--page", page,
               "--impression", "Impression text 印象", "--glucose", "5.4 mmol/L"])
    assert rc == 0, capsys.readouterr().err
    text = _text(out)
    rows = [line.split() for line in text.splitlines() if line.split()[:1] in (["1"], ["2"])]
    assert len(rows) == len(lesions) == 2
    for les, row in zip(lesions, rows):
        assert row[0] == str(les["label"])
        assert row[2:7] == [f"{les['suvmax']:.2f}", f"{les['suvpeak']:.2f}", f"{les['suvmean']:.2f}",
                            f"{les['mtv_ml']:.1f}", f"{les['tlg']:.1f}"]
    assert "张, 三" in text and "5.4 mmol/L" in text and "Impression text 印象" in text  # "Family, Given" as in the browser
    assert ("病灶" in text and "诊断意见" in text) if lang == "zh_CN" else ("Lesions" in text and "Impression" in text)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert size in info
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "TrueType" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)  # embedded


def test_report_refuses_to_overwrite(pet, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"keep")
    assert main(["report", str(pet), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_bytes() == b"keep"


def test_chinese_without_a_cjk_font_is_a_clear_error(tmp_path, monkeypatch):
    from workstation.report import fonts as report_fonts
    from workstation.report import reading_report as R
    from workstation.settings import fonts

    monkeypatch.setattr(fonts, "unicode_font_file", lambda: None)
    monkeypatch.setattr(report_fonts, "register_cjk", lambda: False)
    with pytest.raises(R.ReportError, match="fonts-wqy-microhei"):
        R.write_pdf(tmp_path / "z.pdf", R.ReportContent(), lang="zh_CN")
    assert not (tmp_path / "z.pdf").exists()


@NEEDS_POPPLER
def test_report_without_lesions_says_so(tmp_path):
    from workstation.report import reading_report as R

    out = R.write_pdf(tmp_path / "e.pdf", R.ReportContent(patient_name="A^B", method="fixed:2.5"), lang="en",
                      page="letter")
    assert "No lesion above the threshold." in _text(out)


@NEEDS_POPPLER
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_followup_change_table_in_the_report(tmp_path, lang):
    """The change table of a follow-up reading: each lesion's values baseline → follow-up, the change,
    its categories, and the patient-level response (values written here by hand)."""
    from workstation.report import reading_report as R

    summary = {
        "rows": [
            {"lesion": "L1", "status": "matched", "suvmax": (10.0, 15.0, 50.0), "sulpeak": (6.0, 9.1, 51.67),
             "mtv_ml": (14.1, 20.0, 41.8), "percist": "PMD", "eortc": "PMD", "deauville": 5},
            {"lesion": "node", "status": "disappeared", "suvmax": (8.0, 1.2, -85.0), "sulpeak": (5.0, 0.9, -82.0),
             "mtv_ml": (3.0, 0.0, -100.0), "percist": "CMR", "eortc": "CMR", "deauville": None},
            {"lesion": "N1", "status": "new", "suvmax": (0.6, 9.0, float("nan")), "sulpeak": (0.4, 6.0, 1400.0),
             "mtv_ml": (0.0, 2.1, float("inf")), "percist": "PMD", "eortc": "PMD", "deauville": 5},
        ],
        "response": [("PERCIST", "PMD (progressive metabolic disease); 1 new lesion(s)"), ("Deauville", "5 (x)")],
        "registration": "rigid, Mattes MI", "baseline_date": "2026-01-05", "followup_date": "2026-03-02",
    }
    content = R.ReportContent(patient_name="A^B", followup=R.followup_section(summary))
    text = _text(R.write_pdf(tmp_path / "f.pdf", content, lang=lang))
    T = R._TEXT[lang]
    assert T["followup"] in text and T["no_lesions"] not in text
    lines = text.splitlines()
    row = next(line for line in lines if line.strip().startswith("L1"))
    assert "10.00 → 15.00" in row and "50.0" in row and "6.00 → 9.10" in row and "51.7" in row and "PMD" in row
    assert row.split()[-1] == "5"  # Deauville of the follow-up value
    row = next(line for line in lines if line.strip().startswith("node"))
    assert T["disappeared"] in row and "-85.0" in row and "CMR" in row and row.split()[-1] == "-"
    row = next(line for line in lines if line.strip().startswith("N1"))
    assert T["new"] in row and "0.60 → 9.00" in row  # a change from nothing is shown as "-", never inf/nan
    assert "inf" not in text and "nan" not in text
    assert "PERCIST: PMD (progressive metabolic disease); 1 new lesion(s)" in text and "2026-03-02" in text
