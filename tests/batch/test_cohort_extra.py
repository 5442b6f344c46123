"""Without the cohort extra (Dask distributed, pyarrow: the reading-room installation and bundle), every
batch entry point refuses in one line that names the missing modules and the extra to install, before
any file is touched."""

from __future__ import annotations

import sys

import pytest

from workstation.batch.extra import missing_cohort_modules, require_cohort
from workstation.batch.tasks import BatchError
from workstation.cli import main


@pytest.fixture
def no_pyarrow(monkeypatch):
    """pyarrow as if not installed (``import pyarrow`` raises ImportError, find_spec finds nothing)."""
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)


def test_the_installed_extra_is_found():
    assert missing_cohort_modules() == []
    require_cohort()  # no error


def test_a_missing_module_is_named_with_the_fix(no_pyarrow):
    assert missing_cohort_modules() == ["pyarrow"]
    with pytest.raises(BatchError, match=r"missing: pyarrow.*pip install 'pet-workstation\[cohort\]'"):
        require_cohort()


def test_results_cannot_be_read_without_it(no_pyarrow, tmp_path):
    from workstation.batch.store import ResultStore, load_results

    with pytest.raises(BatchError, match="cohort extra"):
        load_results(tmp_path / "r.parquet")
    with pytest.raises(BatchError, match="cohort extra"):
        ResultStore(tmp_path / "r.parquet")
    assert list(tmp_path.iterdir()) == []


def test_the_cli_refuses_in_one_line(no_pyarrow, tmp_path, capsys):
    out = tmp_path / "r.parquet"
    rc = main(["batch", "run", str(tmp_path), "--task", "suv", "--workers", "0", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "cohort extra" in err and "pet-workstation[cohort]" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
    rc = main(["batch", "report", str(out), "--out", str(tmp_path / "report.pdf")])
    err = capsys.readouterr().err
    assert rc == 2 and "cohort extra" in err
