"""`workstation response` and `workstation demo --followup` from the command line."""

import csv
import json

import pytest

from workstation.cli import main


def test_response_without_the_liver_finds_it_but_needs_folders(capsys, tmp_path):
    # --liver is optional (found automatically); bad folders are still one line
    assert main(["response", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_deformable_needs_the_registration(capsys, tmp_path):
    assert main(["response", str(tmp_path), str(tmp_path), "--deformable", "--no-register"]) == 2
    assert "--no-register" in capsys.readouterr().err


def test_existing_pdf_is_not_overwritten(capsys, tmp_path):
    (tmp_path / "r.pdf").write_text("keep")
    assert main(["response", str(tmp_path), str(tmp_path), "--liver=1,2,3", "--pdf", str(tmp_path / "r.pdf")]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "r.pdf").read_text() == "keep"


def test_deauville_needs_the_blood_pool(capsys, tmp_path):
    assert main(["response", str(tmp_path), str(tmp_path), "--liver=-60,-40,-560", "--method", "deauville"]) == 2
    err = capsys.readouterr().err
    assert "--blood-pool" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_folder_is_one_line(capsys, tmp_path):
    assert main(["response", str(tmp_path / "nope"), str(tmp_path), "--liver=-60,-40,-560"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and len(err.strip().splitlines()) == 1


def test_existing_csv_is_not_overwritten(capsys, tmp_path):
    (tmp_path / "t.csv").write_text("keep")
    assert main(["response", str(tmp_path), str(tmp_path), "--liver=1,2,3", "--csv", str(tmp_path / "t.csv")]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "t.csv").read_text() == "keep"


def test_demo_followup_refuses_a_non_empty_folder(capsys, tmp_path):
    (tmp_path / "x").write_text("")
    assert main(["demo", "--followup", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err


@pytest.mark.slow
def test_response_on_the_followup_demo(followup_demo, capsys, tmp_path):
    out, truth = followup_demo
    bt = json.loads((out / "baseline" / "truth.json").read_text(encoding="utf-8"))
    liver = ",".join(str(v) for v in bt["reference_vois"]["liver"]["centre_lps_mm"])
    bp = ",".join(str(v) for v in bt["reference_vois"]["blood_pool"]["centre_lps_mm"])
    csv_path = tmp_path / "change.csv"
    rc = main(["response", str(out / "baseline"), str(out / "followup"), f"--liver={liver}", f"--blood-pool={bp}",
               "--method", "deauville", "--json", "--csv", str(csv_path)])
    assert rc == 0
    res = json.loads(capsys.readouterr().out)
    assert list(res["response"]) == ["deauville"]
    assert res["response"]["deauville"]["category"] == truth["followup"]["patient"]["deauville_followup"]
    statuses = sorted(r["status"] for r in res["lesions"])
    expected = sorted(t["status"] for t in truth["followup"]["lesions"]
                      if "yes" in (t["detectable_baseline"], t["detectable_followup"]))
    assert statuses == expected
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert [r["lesion"] for r in rows] == [r["key"] for r in res["lesions"]]
    assert sorted(r["percist"] for r in rows) == sorted(r["percist"] for r in res["lesions"])
    # text output, PERCIST (the default), the reference VOIs found automatically, the PDF report with the
    # change table, and the side-by-side window rendered headless
    png, pdf = tmp_path / "followup.png", tmp_path / "followup.pdf"
    rc = main(["response", str(out / "baseline"), str(out / "followup"), "--screenshot", str(png),
               "--size", "1200x800", "--pdf", str(pdf)])
    text = capsys.readouterr().out
    assert rc == 0 and "response (percist): PMD" in text and "new" in text and "disappeared" in text
    assert "liver VOI found automatically" in text and "blood-pool VOI found automatically" in text
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Follow-up: change from baseline" in pdf_text
        assert pdf_text.count("matched") == 3 and "disappeared" in pdf_text and "new" in pdf_text
        assert "PERCIST: PMD" in pdf_text and "EORTC: PMD" in pdf_text and "Deauville: 5" in pdf_text
        liver_row = next(line for line in pdf_text.splitlines() if "matched" in line and "PMD" in line)
        assert "→" in liver_row
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert (img.width(), img.height()) == (1200, 800)
    assert main(["response", str(out / "baseline"), str(out / "followup"), f"--liver={liver}", "--screenshot",
                 str(png)]) == 2  # never overwritten without --force
