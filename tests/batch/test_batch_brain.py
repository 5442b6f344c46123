"""`--task brain`: a regional SUVR table per series (the third result level), on synthetic brain FDG PETs.

The subjects come from ``workstation.testing.brain_cohort`` (its own truth, independent of the
analysis): an Alzheimer-pattern subject (posterior cingulate, precuneus, temporoparietal lowered by a
known 10-30 %) and a normal one. The batch rows must show the pattern where the generator put it,
in both hemispheres, and hold the same numbers as ``workstation brain`` (``analyse``) for the same series.
"""

from __future__ import annotations

import statistics

import pytest

from workstation.batch.engine import run_batch
from workstation.batch.schema import REGION_NAMES
from workstation.batch.store import ResultStore, load_level, load_results
from workstation.batch.tasks import BRAIN_REFERENCES, SeriesRef, TaskSpec
from workstation.io.series import find_series

GRID = 8.0


@pytest.fixture(scope="module")
def subjects(tmp_path_factory):
    from workstation.testing.brain_cohort import make_subject, write_dicom

    root = tmp_path_factory.mktemp("brains")
    truth = {}
    for seed, kind in ((801, "AD"), (802, "normal")):
        vol, t = make_subject(seed, kind, voxel_mm=6.0)
        write_dicom(vol, t, root / kind)
        truth[kind] = t
    return root, truth


def _run(root, tmp_path, **kw):
    refs = [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in find_series([root])]
    out = tmp_path / "brain.parquet"
    s = run_batch(refs, TaskSpec.parse("brain", grid_mm=GRID, **kw), ResultStore(out), workers=0)
    return s, out


def test_brain_rows_show_the_pattern_and_equal_the_brain_command(subjects, tmp_path):
    root, truth = subjects
    s, out = _run(root, tmp_path)
    assert (s.done, s.failed) == (2, 0)
    series, lesions, _ = load_results(out)
    regions = load_level(out, "regions")
    assert lesions == [] and all(r["status"] == "ok" for r in series), [r["error"] for r in series]
    assert set(regions[0]) == set(REGION_NAMES)
    by_desc = {}
    for row in series:
        assert row["brain_reference"] == "pons" and row["brain_reference_value"] > 0
        assert row["brain_database"] == "" and row["brain_n_clusters"] is None  # no database: no z
        assert "no normal database" in row["warnings"]
        mine = [r for r in regions if r["result_key"] == row["result_key"]]
        assert len(mine) % 2 == 0 and {r["hemisphere"] for r in mine} == {"L", "R"}
        assert all(r["z"] is None and r["reference"] == "pons" for r in mine)
        by_desc[row["series_uid"]] = {(r["region"], r["hemisphere"]): r for r in mine}
    ad_uid = next(r["series_uid"] for r in series if truth["AD"].subject_id and r["series_uid"] in by_desc
                  and _is_kind(root / "AD", r["series_uid"]))
    nl_uid = next(u for u in by_desc if u != ad_uid)
    ad, nl = by_desc[ad_uid], by_desc[nl_uid]
    from workstation.testing.brain_cohort import AD_REGIONS, NON_TISSUE, mni_truth

    # the generator's own regional factors (normal variation x ageing x the AD pattern), per region and side:
    # the measured AD/normal SUVR ratio follows the true ratio of the factors region by region
    names = mni_truth().names
    true, seen, in_ad = [], [], []
    for label, (name, hemi) in names.items():
        if name in NON_TISSUE or (name, hemi) not in ad or label not in truth["AD"].region_factor:
            continue
        if ad[(name, hemi)]["suvr"] is None or nl[(name, hemi)]["suvr"] is None:
            continue  # a region the 8 mm grid leaves empty
        true.append(truth["AD"].region_factor[label] / truth["normal"].region_factor[label])
        seen.append(ad[(name, hemi)]["suvr"] / nl[(name, hemi)]["suvr"])
        in_ad.append(name in AD_REGIONS)
    r = _pearson(true, seen)
    assert len(true) > 60 and r > 0.4, (len(true), r)  # 0.57 on an 8 mm grid (partial volume); ~0 if mislabelled
    # and the AD regions (lowered by 10-30 %) are the low ones, on both sides
    low = statistics.median(x for x, a in zip(seen, in_ad) if a)
    rest = statistics.median(x for x, a in zip(seen, in_ad) if not a)
    assert low < rest - 0.03, (low, rest)
    # the same numbers as `workstation brain` computes for the series (analysis.brain.analysis.analyse)
    from workstation.analysis.brain.analysis import analyse
    from workstation.io.loader import load_series

    vol = load_series([str(p) for p in sorted((root / "AD").rglob("*")) if p.is_file()])
    res = analyse(vol, None, "pons", age=next(r for r in series if r["series_uid"] == ad_uid)["patient_age_y"],
                  grid_mm=GRID)
    got = [(r["region"], r["hemisphere"], r["suvr"], r["ai"]) for r in regions if r["series_uid"] == ad_uid]
    nan_none = lambda v: None if v != v else v  # noqa: E731 - an empty region: NaN there, null in Parquet
    assert got == [(r["name"], r["hemisphere"], nan_none(r["suvr"]), nan_none(r["ai"])) for r in res.regions]


def _pearson(a, b) -> float:
    ma, mb = statistics.fmean(a), statistics.fmean(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    return cov / (sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b)) ** 0.5


def _is_kind(folder, uid) -> bool:
    return any(s.series_uid == uid for s in find_series([folder]))


def test_brain_task_parameters_and_refusals(tmp_path):
    spec = TaskSpec.parse("brain", reference="cerebellum", grid_mm=GRID)
    assert spec.parameters()["reference"] == "cerebellum" and spec.parameters()["grid_mm"] == GRID
    from workstation.analysis.brain.pipeline import REFERENCES
    from workstation.batch.tasks import BatchError

    assert BRAIN_REFERENCES == REFERENCES  # the CLI's choices are the analysis's
    with pytest.raises(BatchError, match="--brain-reference"):
        TaskSpec.parse("brain", reference="thalamus")
    with pytest.raises(BatchError, match="only the lesions task takes a method"):
        TaskSpec.parse("brain:fixed:2.5")


def test_brain_with_missing_database_is_a_failure_row(subjects, tmp_path):
    root, _ = subjects
    s, out = _run(root / "normal", tmp_path, database=str(tmp_path / "no-such-db"))
    (row,) = load_results(out)[0]
    assert s.failed == 1 and row["status"] == "failed" and "no-such-db" in row["error"], row["error"]
