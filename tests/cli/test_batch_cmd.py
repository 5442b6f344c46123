"""`workstation batch run|report` from the command line: inputs (--select, --from-list, folders),
one-line errors, no silent overwrite, and that `workstation --help` does not import Dask."""

import subprocess
import sys

import pytest

from workstation.cli import main
from workstation.testing.cohort import write_cohort


@pytest.fixture(scope="module")
def small_cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    return root, write_cohort(root, 4, seed=7, corrupt=(2,))


def run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_help_does_not_import_dask():
    code = ("import sys\nfrom workstation.cli import build_parser\nbuild_parser()\n"
            "print(','.join(m for m in ('dask', 'distributed', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_select_from_the_database_serial(small_cohort, tmp_path, capsys):
    root, truth = small_cohort
    db = tmp_path / "db.sqlite"
    assert run(capsys, "import", root, "--db", db)[0] == 0
    rc, out, err = run(capsys, "batch", "run", "--select", "modality=PT and sex=M", "--db", db, "--task", "suv",
                       "--workers", "0", "--out", tmp_path / "r.parquet", "--quiet")
    assert rc == 0, err
    from workstation.batch.store import load_results

    rows, lesions, meta = load_results(tmp_path / "r.parquet")
    want = {t["series_uid"] for t in truth if t["sex"] == "M"}
    assert {r["series_uid"] for r in rows} == want and lesions == []
    assert meta["runs"][0]["inputs"] == {"select": "modality=PT and sex=M"}
    assert want and f"{len(want)} series run (0 failed)" in out


def test_from_list_folders_and_uids(small_cohort, tmp_path, capsys):
    root, truth = small_cohort
    db = tmp_path / "db.sqlite"
    assert run(capsys, "import", truth[1]["folder"], "--db", db)[0] == 0
    lst = tmp_path / "list.txt"
    lst.write_text(f"# two series\n{truth[0]['folder']}\n{truth[1]['series_uid']}\n{truth[2]['folder']}\n")
    rc, out, err = run(capsys, "batch", "run", "--from-list", lst, "--db", db, "--task", "lesions:pct:41",
                       "--workers", "0", "--out", tmp_path / "r.parquet", "--quiet")
    assert rc == 0, err
    from workstation.batch.store import load_results

    rows, lesions, _ = load_results(tmp_path / "r.parquet")
    by = {r["series_uid"]: r for r in rows}
    assert set(by) == {t["series_uid"] for t in truth[:3]}
    assert by[truth[2]["series_uid"]]["status"] == "failed"  # the corrupt one: a row with its reason
    assert "truncated" in by[truth[2]["series_uid"]]["error"]
    assert by[truth[0]["series_uid"]]["method"] == "pct:41"
    assert len(lesions) == len(truth[0]["lesions"]) + len(truth[1]["lesions"])
    assert (tmp_path / "r.csv").is_file() and (tmp_path / "r.lesions.csv").is_file()


@pytest.mark.parametrize("args,words", [
    (["--task", "radiomics"], "known tasks are"),
    (["--task", "dosimetry"], "--task dosimetry takes folders"),
    (["--task", "suv", "--cluster-option", "cores=2"], "--cluster-option goes with --cluster"),
    (["--task", "suv", "--wado-attempts", "0", "--dicomweb", "http://127.0.0.1:9/dicom-web"], "--wado-attempts"),
    (["--task", "suv", "--dicomweb", "http://[::1"], "not a valid URL"),
    (["--task", "suv:a50"], "only the lesions task takes a method"),
    (["--task", "lesions:fixed:x"], "--task"),
    (["--task", "suv", "--select", "sex=X and"], "--select"),
    (["--task", "suv", "--out", "r.csv"], "ending in .parquet"),
    (["--task", "suv", "--retry-failed"], "--retry-failed goes with --resume"),
    (["--task", "suv", "--select", "modality=CT"], "no PET series selected"),
])
def test_one_line_errors(args, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if "--select" not in args:
        args = args + ["--select", "modality=PT"]
    rc, out, err = run(capsys, "batch", "run", "--db", tmp_path / "db.sqlite", "--workers", "0", *args)
    assert rc == 2 and words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_existing_results_are_not_overwritten(small_cohort, tmp_path, capsys):
    root, truth = small_cohort
    args = ["batch", "run", truth[0]["folder"], "--task", "suv", "--workers", "0", "--out", tmp_path / "r.parquet",
            "--quiet"]
    assert run(capsys, *args)[0] == 0
    rc, _, err = run(capsys, *args)
    assert rc == 2 and "--resume" in err and "--force" in err
    assert run(capsys, *args, "--force")[0] == 0
    rc, out, err = run(capsys, *args, "--resume")
    assert rc == 0 and "1 already done (skipped)" in err


def test_report_command(small_cohort, tmp_path, capsys):
    root, truth = small_cohort
    assert run(capsys, "batch", "run", root, "--task", "lesions", "--workers", "0", "--out",
               tmp_path / "r.parquet", "--quiet")[0] == 0
    pdf = tmp_path / "cohort.pdf"
    rc, out, err = run(capsys, "batch", "report", tmp_path / "r.parquet", "--out", pdf)
    assert rc == 0, err
    assert pdf.read_bytes()[:5] == b"%PDF-"
    rc, _, err = run(capsys, "batch", "report", tmp_path / "r.parquet", "--out", pdf)
    assert rc == 2 and "exists" in err
    rc, _, err = run(capsys, "batch", "report", tmp_path / "missing.parquet", "--out", tmp_path / "x.pdf")
    assert rc == 2 and "no such results file" in err


def test_unreachable_scheduler_is_one_line_and_leaves_nothing(small_cohort, tmp_path, capsys):
    import socket

    import dask

    root, truth = small_cohort
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        rc, _, err = run(capsys, "batch", "run", truth[0]["folder"], "--task", "suv", "--scheduler",
                         f"tcp://127.0.0.1:{port}", "--out", tmp_path / "r.parquet")
    assert rc == 2 and "--scheduler" in err and "Traceback" not in err
    assert not list(tmp_path.glob("r.*"))  # no empty result set that would need --force
