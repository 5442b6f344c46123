"""The report fits the study: titled by modality, a single-photon (therapy) scan without TLG/Deauville, the
tracer as a reader writes it, impossible inputs flagged instead of printed, Chinese down to the SUV trail; key
images at >= 512 px with orientation letters, colour bar, scale and outlined lesions."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from workstation.core.vocabulary import tracer_label
from workstation.report import reading_report as R

S = 11  # the smallest whole enlargement of a 50-pixel-wide image to 512 px: ceil(512 / 50)
NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


def _text(pdf):
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("raw,code,expected", [
    ("F^18^[^18^Fluorine]", None, "18F"),
    ("Ga^68^[^68^Gallium]PSMA-11", None, "68Ga-PSMA-11"),
    ("Fluorodeoxyglucose", ("C-111A1", "SRT", "^18^Fluorine"), "Fluorodeoxyglucose (18F)"),
    ("", ("C-101ED", "99SDM", "177 Lutetium"), "177Lu"),
    ("", None, ""),
])
def test_tracer_names_are_cleaned(raw, code, expected):
    assert tracer_label(raw, code) == expected


def _lesion(n, suvmax, suvpeak, suvmean, mtv):
    return R.LesionRow(n, (1.0, 2.0, 3.0), suvmax, suvpeak, suvmean, mtv, suvmean * mtv)


@NEEDS_POPPLER
def test_impossible_inputs_are_flagged_not_printed(tmp_path):
    c = R.ReportContent(patient_name="A^B", tracer="18F", dose_mbq=0.0, uptake_s=-1373 * 60.0,
                        flags=["flag_injection_after_scan", "flag_dose"], lesions=[_lesion(1, 9.0, 7.0, 5.0, 2.0)])
    text = _text(R.write_pdf(tmp_path / "f.pdf", c))
    assert "-1373" not in text and "1373" not in text and "0.0 MBq" not in text
    assert "the injection time is after the acquisition" in text and "injected dose is missing or not positive" in text
    assert text.count("see the flags") == 2 and "PET/CT Reading Report" in text


@NEEDS_POPPLER
def test_single_photon_report_has_activity_not_tlg(tmp_path):
    f = 1.5e-5  # SUVbw per Bq/mL
    les = _lesion(1, 3.0, 2.5, 1.5, 10.0)
    les.deauville = 4
    c = R.ReportContent(modality="SPECT", anatomy="", single_photon=True, suv_factor=f, suv_type="bw",
                        lesions=[les], decayed_dose_bq=6.4e9, uptake_s=27.7 * 3600)
    text = _text(R.write_pdf(tmp_path / "s.pdf", c))
    assert "SPECT Reading Report" in text and "27.7 h" in text
    assert "TLG" not in text and "Deauville" not in text and "SUVpeak" not in text
    row = next(line.split() for line in text.splitlines() if line.split()[:1] == ["1"])
    # by hand: max 3.0 / 1.5e-5 = 200 kBq/mL; mean 100 kBq/mL; activity 100e3 x 10 mL = 1.00 MBq = 0.0156 %IA
    assert row[2:] == ["200.0", "100.0", "10.0", "1.00", "0.016"]


@NEEDS_POPPLER
def test_pet_lesion_columns_follow_non_uniform_lesions(tmp_path):
    # SUVmax, SUVpeak and SUVmean all different in each row: a swap of two columns cannot go unseen
    rows = [_lesion(1, 12.34, 8.76, 5.43, 2.1), _lesion(2, 6.54, 4.32, 3.21, 7.9)]
    text = _text(R.write_pdf(tmp_path / "p.pdf", R.ReportContent(lesions=rows)))
    got = [line.split() for line in text.splitlines() if line.split()[:1] in (["1"], ["2"])]
    assert got[0][2:7] == ["12.34", "8.76", "5.43", "2.1", "11.4"]
    assert got[1][2:7] == ["6.54", "4.32", "3.21", "7.9", "25.4"]


@NEEDS_POPPLER
def test_chinese_report_translates_the_trail_and_the_method(tmp_path):
    c = R.ReportContent(provenance=[("patient weight", "75 kg", "PatientWeight (0010,1030)"),
                                    ("decayed dose", "1.9e+08 Bq", "derived")],
                        parameters=["method = fixed:2.5", "threshold = per lesion (relative to its maximum)"],
                        suv_factor=0.0004, suv_type="bw", suv_units="g/ml")
    text = _text(R.write_pdf(tmp_path / "z.pdf", c, lang="zh_CN"))
    assert "患者体重" in text and "衰减后剂量" in text and "推算" in text and "逐病灶（相对其最大值）" in text
    assert "patient weight" not in text and "derived" not in text and "per lesion" not in text
    assert "方法 = fixed:2.5" in text and "系数" in text and "诊断报告" in text


def test_presented_key_image_is_large_lettered_and_outlined():
    from workstation.analysis.reading.key_images import KeyImage, presented

    rgb = np.full((40, 50, 3), 90, np.uint8)
    outline = np.zeros((40, 50), bool)
    outline[10, 10:20] = outline[20, 10:20] = outline[10:21, 10] = outline[10:21, 19] = True
    rgb[outline] = (0, 255, 0)
    table = np.stack([np.arange(256)] * 3, 1).astype(np.uint8)
    img = presented(KeyImage("lesion-1", "t", rgb, ("L", "P"), 2.0, {}, outline, (table, 0.0, 5.0, "SUVbw")))
    h, w = img.shape[:2]
    assert max(h, w - 96) >= 512 and h == 40 * S and w == 50 * S + 96  # the longer side reaches 512
    green = np.all(img == (0, 255, 0), axis=-1)
    assert green.sum() > outline.sum() * S * S  # thicker than the enlarged 1-pixel line
    # a black rim beside the line (the image there is grey 90)
    r = 10 * S + 6
    col = img[r - 20:r, 15 * S, :].astype(int).sum(axis=1)
    assert (col == 0).any()
    # colour bar in the right margin: white at the top, black at the bottom of the ramp
    bar = img[:, 50 * S + 14 + 9]
    assert bar[h // 2].tolist() != [0, 0, 0] and (bar[:, 0] > 240).any()
    # orientation letters drawn in yellow near each edge's middle
    yellow = (img[..., 0] > 200) & (img[..., 1] > 150) & (img[..., 2] < 80)
    for rs, cs in ((slice(h // 2 - 15, h // 2 + 15), slice(0, 40)), (slice(h // 2 - 15, h // 2 + 15), slice(50 * S - 40, 50 * S)),
                   (slice(0, 40), slice(50 * S // 2 - 15, 50 * S // 2 + 15)), (slice(h - 40, h), slice(50 * S // 2 - 15, 50 * S // 2 + 15))):
        assert yellow[rs, cs].any()
