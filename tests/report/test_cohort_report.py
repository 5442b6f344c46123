"""The cohort report of a batch run: Tukey outliers worked by hand, the histograms, the PDF and its
refusals (existing file, no rows). Rows are built here by hand (the report imports nothing of batch)."""

import json

import pytest

from workstation.report.cohort_report import (ReportError, histograms_png, tukey_outliers, values,
                                              write_cohort_report)


def row(i, suvmax, tmtv=10.0, liver=2.0, status="ok", error=""):
    return {"series_uid": f"1.2.3.{i}", "source": f"/data/S{i:04d}", "status": status, "error": error,
            "task": "lesions", "method": "fixed:2.5", "parameters": json.dumps({"method": "fixed:2.5"}),
            "software_version": "0.1.0", "suvmax": suvmax, "tmtv_ml": tmtv, "liver_suvmean": liver,
            "qc_flags": "sex_unknown" if i % 5 == 0 else ""}


def test_tukey_fences_by_hand():
    xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 100.0]
    # numpy-style quartiles of these 9 values: Q1 = 3, Q3 = 7 -> IQR 4, fences -3 and 13
    out, (lo, hi) = tukey_outliers([(x, {"x": x}) for x in xs])
    assert (lo, hi) == (-3.0, 13.0)
    assert [v for v, _ in out] == [100.0]
    assert tukey_outliers([(1.0, {}), (50.0, {})]) == ([], (None, None))  # too few values to judge


def test_values_keep_finite_numbers_of_successful_rows():
    rows = [row(1, 5.0), row(2, None), row(3, float("nan")), row(4, 7.0, status="failed", error="x"), row(5, 6.0)]
    assert [v for v, _ in values(rows, "suvmax")] == [5.0, 6.0]


def test_report_pdf(tmp_path):
    series = [row(i, 4.0 + (i % 7) * 0.5, tmtv=5.0 + i) for i in range(30)]
    series.append(row(30, 60.0))  # an outlier
    series.append(row(31, None, status="failed", error="NoSeriesError: none of the files holds an image"))
    meta = {"runs": [{"task": "lesions:fixed:2.5", "software_version": "0.1.0", "engine": "dask distributed",
                      "workers": 2, "seconds": 3.2, "selected": 32, "completed": 32, "failed": 1}]}
    png = histograms_png(series)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out = write_cohort_report(tmp_path / "c.pdf", series, [], meta)
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 20000  # text, tables and the embedded histograms
    with pytest.raises(ReportError, match="exists"):
        write_cohort_report(tmp_path / "c.pdf", series, [], meta)
    write_cohort_report(tmp_path / "c.pdf", series, [], meta, overwrite=True)
    with pytest.raises(ReportError, match="no series row"):
        write_cohort_report(tmp_path / "d.pdf", [], [], meta)


def test_story_lists_outliers_and_failures():
    from reportlab.platypus import Paragraph, Table

    from workstation.report.cohort_report import build_story

    series = [row(i, 5.0 + 0.1 * i) for i in range(20)] + [row(20, 80.0)]
    series.append(row(21, None, status="failed", error="SuvInputMissing: (0018,1074) dose missing"))
    story = build_story(series, [], {}, "t")
    texts = []
    for f in story:
        if isinstance(f, Paragraph):
            texts.append(f.getPlainText())
        elif isinstance(f, Table):
            for r in f._cellvalues:
                texts.extend(c.getPlainText() if isinstance(c, Paragraph) else str(c) for c in r)
    joined = "\n".join(texts)
    assert "80" in joined and "S0020" in joined  # the outlier and its series
    assert "dose missing" in joined and "Failures (1)" in joined
    assert "sex_unknown" in joined
