"""The selection grammar of `workstation batch run --select`: parsing (never eval), errors that say
where, and selection from a real study database against what the synthetic cohort was written with."""

import pytest

from workstation.batch.select import SelectError, parse, select_series
from workstation.io.db import StudyDB
from workstation.testing.cohort import write_cohort


def rec(**kw):
    base = {"modality": "PT", "date": "20240315", "study_date": "20240315", "series_date": "20240315",
            "description": "WB FDG", "study": "", "sex": "F", "age": 64.0, "instances": 300, "series_uid": "1.2",
            "study_uid": "1.1", "scanner": "GE MEDICAL SYSTEMS Discovery ST", "manufacturer": "GE MEDICAL SYSTEMS",
            "model": "Discovery ST", "tracer": "Fluorodeoxyglucose ^18^Fluorine"}
    base.update(kw)
    return base


@pytest.mark.parametrize("expr,expected", [
    ("modality=PT", True),
    ("modality=pt", True),  # text compares without case
    ("modality!=PT", False),
    ("date>=20240101 and date<=20241231", True),
    ("date>2024-03-15", False),  # dashes read as YYYYMMDD
    ("date=2024", True),  # a year
    ("date=202404", False),  # another month
    ("tracer~FDG", True),  # the abbreviation matches Fluorodeoxyglucose
    ("tracer~FLT", False),
    ("tracer!~FLT", True),
    ("scanner~discovery and not sex=M", True),
    ("(scanner~Biograph or scanner~Discovery) and age>=18", True),
    ("age<18 or sex=M", False),
    ("description~\"wb fdg\"", True),
    ("description~'w? f*'", True),  # wildcards
    ("instances>=300 and instances<301", True),
    ("not (modality=PT and sex=F)", False),
])
def test_expressions(expr, expected):
    assert parse(expr)(rec()) is expected


def test_missing_values_do_not_match_ranges():
    assert parse("age>=18")(rec(age=None)) is False
    assert parse("date<20300101")(rec(date="")) is False
    assert parse("age!=18")(rec(age=None)) is True


@pytest.mark.parametrize("expr,words", [
    ("", "empty"),
    ("colour=red", "unknown field 'colour'"),
    ("modality PT", "operator"),
    ("modality=", "value"),
    ("age>=old", "needs a number"),
    ("date>=yesterday", "YYYYMMDD"),
    ("modality=PT and", "a field name"),
    ("(modality=PT", "')'"),
    ("modality=PT sex=F", "and / or"),
    ("__import__('os').system('true')", "position"),
])
def test_errors_name_the_problem(expr, words):
    with pytest.raises(SelectError) as e:
        parse(expr)
    assert words in str(e.value)


def test_selection_from_the_study_database(tmp_path):
    truth = write_cohort(tmp_path / "c", 8, seed=5)
    with StudyDB(tmp_path / "db.sqlite") as db:
        db.import_paths([tmp_path / "c"])
        everything = {r.series_uid for r in select_series(db, None)}
        assert everything == {t["series_uid"] for t in truth}
        got = {r.series_uid for r in select_series(db, "date>=20240301 and tracer~FDG and sex=F")}
        want = {t["series_uid"] for t in truth
                if t["study_date"] >= "20240301" and t["tracer"] == "Fluorodeoxyglucose" and t["sex"] == "F"}
        assert got == want and want  # the cohort has such studies
        got = {r.series_uid for r in select_series(db, "tracer~FLT or model~\"Model B\"")}
        assert got == {t["series_uid"] for t in truth if t["tracer"] == "Fluorothymidine"
                       or truth.index(t) % 2 == 1}
        refs = select_series(db, "modality=CT")
        assert refs == []
        one = select_series(db, f"series_uid={truth[0]['series_uid']}")
        assert len(one) == 1 and len(one[0].files) == 10
        # age: birth 1960-01-01 (the factory), study in 2024 -> 64
        assert len(select_series(db, "age=64")) == 8 and select_series(db, "age<64") == []
