"""The per-series task of a batch run (no engine): rows against hand-computed truth, QC flags from
the warnings' words, the resume key, failures as rows, and the reference data's PETs."""

import json
from pathlib import Path

import pytest

from workstation.batch.schema import LESION_NAMES, REGION_NAMES, SERIES_NAMES
from workstation.batch.tasks import BatchError, SeriesRef, TaskSpec, age_years, qc_flags, result_key, run_task
from workstation.io.series import find_series
from workstation.testing.cohort import write_cohort

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    truth = write_cohort(root, 2, seed=11)
    refs = {s.series_uid: SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([root])}
    return [(refs[t["series_uid"]], t) for t in truth]


@pytest.mark.parametrize("task", ["lesions", "lesions:a50", "lesions:percist", "suv", "references", "qa"])
def test_every_task_gives_a_full_row(two, task):
    ref, t = two[1]
    out = run_task(ref, TaskSpec.parse(task))
    row = out["series"]
    assert set(row) == set(SERIES_NAMES) and all(set(x) == set(LESION_NAMES) for x in out["lesions"])
    assert row["status"] == "ok", row["error"]
    assert row["suv_factor"] == pytest.approx(t["suv_factor"], rel=1e-6)
    assert json.loads(row["suv_provenance"])  # the trail travels with the number
    assert row["patient_sex"] == t["sex"] and row["patient_age_y"] == 64.0  # born 1960-01-01, studied in 2024
    assert row["tracer"] == t["tracer"] and row["study_date"] == t["study_date"]
    if task.startswith("lesions"):
        assert row["n_lesions"] == len(t["lesions"]) == len(out["lesions"])
    if task == "qa":
        assert row["qa_mean"] > 0 and row["qa_pass"] in (True, False)


def test_unknown_sex_is_flagged(tmp_path):
    truth = write_cohort(tmp_path, 3, seed=12)  # the third study (index 2) has no PatientSex
    assert truth[2]["sex"] == ""
    s = [x for x in find_series([tmp_path]) if x.series_uid == truth[2]["series_uid"]][0]
    row = run_task(SeriesRef(s.series_uid, tuple(s.files)), TaskSpec.parse("suv", suv_type="lbm-janma"))["series"]
    assert row["status"] == "ok" and row["qc_sex_unknown"] is True and "sex_unknown" in row["qc_flags"]
    s0 = [x for x in find_series([tmp_path]) if x.series_uid == truth[0]["series_uid"]][0]  # sex M
    row = run_task(SeriesRef(s0.series_uid, tuple(s0.files)), TaskSpec.parse("suv", suv_type="lbm-janma"))["series"]
    assert row["status"] == "ok" and row["qc_sex_unknown"] is False


def test_failure_is_a_row_never_an_exception(tmp_path):
    bad = tmp_path / "x.dcm"
    bad.write_bytes(b"not dicom at all")
    out = run_task(SeriesRef("1.2.3", (str(bad),)), TaskSpec.parse("lesions"))
    assert out["series"]["status"] == "failed" and out["series"]["error"] and out["lesions"] == []
    out = run_task(SeriesRef("1.2.3", ()), TaskSpec.parse("suv"))
    assert out["series"]["status"] == "failed" and "no files" in out["series"]["error"]


def test_qc_flags_from_warning_words():
    f = qc_flags(["DecayCorrection (0054,1102) is missing; START was assumed because CorrectedImage has DECY"], None)
    assert f == {"qc_missing_tags": True, "qc_decay_conflict": False, "qc_sex_unknown": False}
    f = qc_flags(["DecayCorrection is START but CorrectedImage (0028,0051) does not list DECY"], "missing")
    assert f == {"qc_missing_tags": False, "qc_decay_conflict": True, "qc_sex_unknown": True}
    f = qc_flags(["series time 12:00:00 is after the earliest acquisition time 11:58:00: the earliest acquisition "
                  "was used as the scan start"], None)
    assert f["qc_decay_conflict"] and not f["qc_missing_tags"]


def test_age_by_hand():
    assert age_years("19600101", "20240101") == 64.0
    assert age_years("19600102", "20240101") == 63.0  # the day before the birthday
    assert age_years("", "20240101") is None and age_years("1960", "20240101") is None


def test_task_parsing_and_resume_key():
    spec = TaskSpec.parse("lesions")
    assert spec.method == "fixed:2.5" and TaskSpec.parse("lesions:pct:41").method == "pct:41"
    ref = SeriesRef("1.2.3", ("/a/1.dcm",))
    k = result_key(ref, spec)
    assert k == result_key(SeriesRef("1.2.3", ("/elsewhere/1.dcm",)), spec)  # the series, not where it lies
    assert k != result_key(ref, TaskSpec.parse("lesions:pct:41"))
    assert k != result_key(ref, TaskSpec.parse("lesions", min_volume_ml=1.0))
    assert k != result_key(ref, spec, version="9.9")
    for bad in ("brains", "suv:fixed:2", "lesions:nope", "brain:fixed:2"):
        with pytest.raises(BatchError):
            TaskSpec.parse(bad)


def test_readme_documents_every_column():
    text = README.read_text(encoding="utf-8")
    missing = [c for c in SERIES_NAMES + LESION_NAMES + REGION_NAMES if f"| `{c}` |" not in text]
    assert not missing, f"README's batch schema lacks {missing}"


def test_refdata_pets_suvmax(refdata):
    """The IBSI STS PETs (Units GML, already SUV): the image SUVmax the maintainers computed from the
    pixels (refdata README: 21.676 for STS_002, 6.723 for STS_005)."""
    folder = refdata / "ibsi-sts-petctmr"
    refs = [SeriesRef(s.series_uid, tuple(s.files)) for s in find_series([folder]) if s.modality == "PT" and s.is_image]
    got = {}
    for ref in refs:
        row = run_task(ref, TaskSpec.parse("suv"))["series"]
        assert row["status"] == "ok", row["error"]
        got[Path(row["source"]).parts[-3]] = row["suvmax_image"]
    assert got["STS_002"] == pytest.approx(21.676, abs=1e-3) and got["STS_005"] == pytest.approx(6.723, abs=1e-3)


def test_whole_body_lesions_on_the_lu177_spect_are_flagged_not_fdg(refdata):
    """Whole-body detection is FDG's method: on the real Lu-177 DOTATATE SPECT (stored as PT) the kidneys
    and spleen come out as "lesions", so the row carries the flag tracer_not_fdg and says why; the FDG
    sarcoma PET (STS_002) does not."""
    rows = {}
    for name, folder in (("lu", refdata / "mirp-lu177-spect" / "SCAN_001"), ("sts", refdata / "ibsi-sts-petctmr" / "STS_002")):
        (s,) = [s for s in find_series([folder]) if s.modality == "PT" and s.is_image]
        rows[name] = run_task(SeriesRef(s.series_uid, tuple(s.files)), TaskSpec.parse("lesions"))["series"]
        assert rows[name]["status"] == "ok", rows[name]["error"]
    lu, sts = rows["lu"], rows["sts"]
    assert "tracer_not_fdg" in lu["qc_flags"].split(",") and lu["n_lesions"] > 0
    assert any("made for FDG PET" in w and "Lu-177 SPECT" in w for w in json.loads(lu["warnings"]))
    assert "tracer_not_fdg" not in sts["qc_flags"].split(",")
    assert not any("made for FDG PET" in w for w in json.loads(sts["warnings"]))
