"""The normal database: built statistics against numpy on the stored normals, the age-regression rule,
pooled variance, leave-one-out summary and the synthetic label."""

import numpy as np
import pytest

from workstation.analysis.brain import ssp
from workstation.analysis.brain.normals import SYNTHETIC_LABEL, DatabaseError, NormalDatabase
from workstation.analysis.brain.pipeline import SubjectMaps, label_ids, reference_values
from workstation.analysis.brain.stats import regional_means
from workstation.analysis.brain.template import load_mni, pseudo_fdg

GRID = 8.0


def _maps(seed):
    space = load_mni(GRID)
    rng = np.random.default_rng(seed)
    img = pseudo_fdg(space, 10.0) * rng.uniform(2, 4) * (1 + 0.05 * rng.normal(size=space.gm.shape))
    img = img.astype(np.float32)
    ids = label_ids(space)
    return SubjectMaps(img, reference_values(img, space), regional_means(img, space.atlas, ids), ids,
                       ssp.stack(ssp.project(img, ssp.surface_for(GRID))))


def _db(tmp_path, n, ages=None, synthetic=False):
    db = NormalDatabase.create(tmp_path / "db", grid_mm=GRID, synthetic=synthetic)
    for i in range(n):
        db.add(_maps(i), subject_id=f"s{i}", age=None if ages is None else ages[i], sex="F")
    return db


def test_build_mean_sd_against_numpy(tmp_path):
    db = _db(tmp_path, 6, ages=[60, 61, 62, 63, 64, 65])
    b = db.build()
    assert b["n"] == 6 and b["age_regressed"] is False  # N < 20: no regression
    space = db.space
    stack = np.array([np.load(tmp_path / "db" / "subjects" / f"s{i}.npz")["warped"][space.brain] /
                      np.load(tmp_path / "db" / "subjects" / f"s{i}.npz")["refs"][0] for i in range(6)])
    m = db.model("pons")
    np.testing.assert_allclose(m.voxel.mean0, stack.mean(0), rtol=1e-5)
    np.testing.assert_allclose(m.voxel.sd, stack.std(0, ddof=1), rtol=1e-4)
    loo = b["loo"]["pons"]
    assert loo["false_positive_clusters_per_normal"] >= 0
    assert 0 <= loo["voxel_fraction_z_le_-2"] < 0.5
    assert set(m.pattern_thresholds) == {"AD", "bvFTD", "DLB"}


def test_cluster_extent_calibrated_on_loo_normals(tmp_path):
    """The stored extent brings the leave-one-out false clusters to <= 0.5 per normal; recount by hand."""
    from workstation.analysis.brain import stats

    db = _db(tmp_path, 8)
    b = db.build()
    space = db.space
    m = db.model("pons")
    assert m.cluster_calibrated and m.cluster_z == -2.0
    assert b["loo"]["pons"]["cluster_min_ml"] == m.cluster_min_ml >= stats.MIN_CLUSTER_ML
    # recount: each normal against the 7 others (plain mean/SD), clusters >= the stored extent
    stack = np.array([np.load(tmp_path / "db" / "subjects" / f"s{i}.npz")["warped"][space.brain] /
                      np.load(tmp_path / "db" / "subjects" / f"s{i}.npz")["refs"][0] for i in range(8)])
    counts, counts_smaller = [], []
    for i in range(8):
        o = np.delete(stack, i, 0)
        zf = np.full(space.geometry.shape, np.nan)
        zf[space.brain] = (stack[i] - o.mean(0)) / o.std(0, ddof=1)
        cl = stats.clusters(zf, space.analysis_mask, space.voxel_ml, min_ml=0.0)
        counts.append(sum(c["volume_ml"] >= m.cluster_min_ml - 1e-9 for c in cl))
        counts_smaller.append(sum(c["volume_ml"] >= m.cluster_min_ml - space.voxel_ml - 1e-9 for c in cl))
    assert np.mean(counts) <= 0.5
    assert b["loo"]["pons"]["false_positive_clusters_per_normal"] == pytest.approx(np.mean(counts))
    if m.cluster_min_ml > stats.MIN_CLUSTER_ML:  # one voxel less would exceed the target
        assert np.mean(counts_smaller) > 0.5


def test_too_few_normals_refused_and_regression_needs_ages(tmp_path):
    db = _db(tmp_path, 3)
    with pytest.raises(DatabaseError, match="at least"):
        db.build()
    for i in range(3, 6):
        db.add(_maps(i), subject_id=f"s{i}")
    with pytest.raises(DatabaseError, match="age regression"):
        db.build(regress=True)
    db.build(pooled=True)
    assert db.meta["build"]["pooled"] is True
    with pytest.raises(DatabaseError, match="already"):
        db.add(_maps(9), subject_id="s1")


def test_synthetic_label_and_template_switch(tmp_path):
    db = _db(tmp_path, 5, synthetic=True)
    assert db.template_info()["kind"] == "pseudo-fdg"
    db.build()
    s = NormalDatabase.open(tmp_path / "db").summary()
    assert s["synthetic"] is True and s["label"] == SYNTHETIC_LABEL
    assert NormalDatabase.open(tmp_path / "db").template_info()["kind"] == "database-mean"


def test_missing_database_message(tmp_path):
    with pytest.raises(DatabaseError, match="no brain normal database"):
        NormalDatabase.open(tmp_path / "nothing")
