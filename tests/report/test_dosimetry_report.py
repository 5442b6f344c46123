"""The dosimetry PDF report (en, zh_CN) from a result read by duck typing."""

import math

import pytest

from workstation.report.dosimetry_report import DosimetryReportError, write_dosimetry_report


class _Result:
    def to_dict(self):
        lp = math.log(2) / 159.5
        voi = {"name": "kidney left", "volume_ml": 150.0, "mass_g": 150.0, "time_h": [4.0, 24.0, 96.0],
               "activity_mbq": [40.0, 35.0, 18.0], "mask_source": ["rtstruct (TP1)"] * 3,
               "fit": {"model": "mono", "params": {"A0": 42.0, "lambda": lp + 0.005}, "aicc": None,
                       "chosen_by": "rule", "lambda_eff_per_h": lp + 0.005, "residuals_mbq": [0, 0, 0], "candidates": {}},
               "tia_mbq_h": {"value": 4200.0, "sd": 400.0}, "dose_gy": {"value": 2.39, "sd": 0.23},
               "dose_led_gy": 2.39, "dose_dvk_gy": None, "D2": 3.0, "D50": 2.4, "D90": 1.9, "D98": 1.5,
               "gy_per_gbq": 0.32, "bed_gy": 2.45,
               "dvh": {"dose_gy": [0.0, 1.0, 2.0, 3.0], "volume_fraction": [1.0, 0.9, 0.5, 0.02]}}
        return {"nuclide": {"name": "Lu-177", "half_life_h": 159.5, "electron_energy_mev_per_decay": 0.14792,
                            "source": "ICRP 107"},
                "injection": "2025-03-03T09:30:00", "administered_mbq": 7400.0, "fit": "auto", "method": "led",
                "decay_policy": "factor", "density_g_ml": 1.0, "activity_rel_sigma": 0.1,
                "led_constant_gy_g_per_mbq_h": 0.08532, "kernel": None,
                "time_points": [{"label": "TP1", "time_h": 4.0, "registration": {"reference": True}},
                                {"label": "TP2", "time_h": 24.0, "registration": {
                                    "translation_mm": [1.0, 2.0, 3.0], "rotation_deg": 0.2, "method": "rigid MI"}}],
                "vois": [voi], "warnings": ["a warning <with> markup & ampersand"]}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_report_written(tmp_path, lang):
    p = tmp_path / f"r_{lang}.pdf"
    try:
        write_dosimetry_report(p, _Result(), lang=lang)
    except DosimetryReportError as exc:
        if lang == "zh_CN" and "CJK font" in str(exc):
            pytest.skip(str(exc))
        raise
    data = p.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 20000  # two plots embedded
    with pytest.raises(FileExistsError):
        write_dosimetry_report(p, _Result(), lang=lang)
    write_dosimetry_report(p, _Result(), lang=lang, overwrite=True)


def test_unknown_language_refused(tmp_path):
    with pytest.raises(DosimetryReportError, match="language"):
        write_dosimetry_report(tmp_path / "x.pdf", _Result(), lang="fr")
