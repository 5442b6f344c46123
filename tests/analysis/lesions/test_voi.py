"""VOI model: every VOI's statistics equal regions.region_stats on a mask built independently (brute-force
world distances on the PET grid), editing/deleting emits events, reading aids follow their formulas by hand,
CSV export never overwrites silently and holds the numbers."""

import csv
import math

import numpy as np
import pytest

from workstation.analysis.lesions import regions
from workstation.analysis.lesions import segmentation
from workstation.analysis.lesions import voi as V
from workstation.core.geometry import ImageGeometry
from workstation.io.table_csv import write_table_csv


def world_grid(g):
    kji = np.stack(np.indices(g.shape), axis=-1)
    return g.kji_to_world(kji)


def oblique_geometry():
    a = math.radians(15)
    rot = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    return ImageGeometry((34, 44, 44), (3.0, 3.5, 4.0), (-70.0, 60.0, -40.0), rot @ np.diag([1.0, -1.0, 1.0]))


LESION_A = (-10.0, -20.0, 20.0)
LESION_B = (25.0, -30.0, 50.0)
LIVER = (0.0, 10.0, 50.0)


@pytest.fixture()
def phantom():
    g = oblique_geometry()
    w = world_grid(g)
    rng = np.random.default_rng(3)
    v = (1.0 + 0.05 * rng.standard_normal(g.shape)).astype(np.float32)
    v[np.sum((w - LIVER) ** 2, axis=-1) <= 20.0 ** 2] = 2.0 + 0.2 * rng.standard_normal(
        int(np.sum(np.sum((w - LIVER) ** 2, axis=-1) <= 20.0 ** 2)))
    v[np.sum((w - LESION_A) ** 2, axis=-1) <= 9.0 ** 2] = 8.0
    d = np.sqrt(np.sum((w - LESION_B) ** 2, axis=-1))
    v[d <= 12.0] = 6.0 - 0.2 * d[d <= 12.0]  # graded lesion: thresholds give different masks
    return v.astype(np.float32), g, w


def assert_stats_equal(got, ref):
    for key in ("voxels", "volume_ml", "min", "max", "mean", "median", "std", "sum", "tlg", "suvpeak"):
        assert getattr(got, key) == pytest.approx(getattr(ref, key), rel=1e-6, abs=1e-9), key
    np.testing.assert_allclose(got.max_world, ref.max_world, atol=1e-6)
    np.testing.assert_allclose(got.peak_world, ref.peak_world, atol=1e-6)


def test_sphere_voi_stats_equal_region_stats_on_brute_force_mask(phantom):
    suv, g, w = phantom
    m = V.VoiModel(suv, g, "SUVbw")
    c = g.ijk_to_world((10.4, 12.2, 8.7))
    v = m.add_sphere(c, 11.0)
    brute = np.sum((w - c) ** 2, axis=-1) <= 11.0 ** 2
    np.testing.assert_array_equal(v.mask(g.shape), brute)
    assert_stats_equal(v.stats, regions.region_stats(suv, brute, g))
    assert v.stats.voxels == brute.sum() > 50


def test_measure_at_image_border_equals_whole_image_stats(phantom):
    """The padded block is clipped by the image border exactly where the whole image ends."""
    suv, g, w = phantom
    c = g.ijk_to_world((0.2, 0.3, 1.0))
    m = V.VoiModel(suv, g)
    v = m.add_sphere(c, 9.0)
    assert_stats_equal(v.stats, regions.region_stats(suv, np.sum((w - c) ** 2, axis=-1) <= 81.0, g))


def test_box_voi(phantom):
    suv, g, w = phantom
    a, b = np.array([-30.0, -40.0, 10.0]), np.array([5.0, -10.0, 40.0])
    v = V.VoiModel(suv, g).add_box(a, b)
    brute = np.all((w >= np.minimum(a, b) - 1e-6) & (w <= np.maximum(a, b) + 1e-6), axis=-1)
    np.testing.assert_array_equal(v.mask(g.shape), brute)
    assert_stats_equal(v.stats, regions.region_stats(suv, brute, g))
    np.testing.assert_allclose(v.centre_world(g), (a + b) / 2)


def test_empty_voi_is_refused(phantom):
    suv, g, _ = phantom
    with pytest.raises(V.VoiError, match="field of view"):
        V.VoiModel(suv, g).add_sphere((900.0, 900.0, 900.0), 5.0)


def test_events_add_edit_delete(phantom):
    suv, g, w = phantom
    m = V.VoiModel(suv, g)
    seen = []
    m.events.connect("*", lambda event, **kw: seen.append((event, kw.get("voi", kw.get("voi_id")))))
    v = m.add_sphere(LESION_A, 5.0)
    m.set_radius(v.id, 12.0)
    brute = np.sum((w - LESION_A) ** 2, axis=-1) <= 144.0
    np.testing.assert_array_equal(m.get(v.id).mask(g.shape), brute)
    assert_stats_equal(m.get(v.id).stats, regions.region_stats(suv, brute, g))
    m.select(v.id)
    m.delete(v.id)
    assert [e for e, _ in seen] == ["added", "changed", "selected", "removed"]
    assert seen[-1][1] == v.id and m.selected is None and not m.vois
    with pytest.raises(V.VoiError, match="no VOI"):
        m.delete(v.id)


def test_seeded_segmentation_and_threshold_edit(phantom):
    suv, g, _ = phantom
    m = V.VoiModel(suv, g)
    seg = V.segment_lesion(suv, g, LESION_B, "fixed:3.0")
    rep = segmentation.find_lesions(suv, g, "fixed:3.0", seed_world=LESION_B)
    ref_mask = rep.labels == 1
    v = m.add_segmentation(seg)
    np.testing.assert_array_equal(v.mask(g.shape), ref_mask)
    assert_stats_equal(v.stats, regions.region_stats(suv, ref_mask, g))
    assert v.stats.volume_ml == pytest.approx(rep.lesions[0].mtv_ml)
    assert v.method == "fixed:3" and v.threshold == pytest.approx(3.0)
    # a higher threshold: a strictly smaller region (graded lesion), measured again
    m.update_segmentation(v.id, V.segment_lesion(suv, g, LESION_B, "fixed:4.5"))
    small = segmentation.find_lesions(suv, g, "fixed:4.5", seed_world=LESION_B).labels == 1
    np.testing.assert_array_equal(m.get(v.id).mask(g.shape), small)
    assert 0 < small.sum() < ref_mask.sum()
    assert m.get(v.id).stats.voxels == small.sum()
    assert m.get(v.id).params["seed_world"] == list(LESION_B)


def test_whole_body_detection_replaces_previous(phantom):
    suv, g, _ = phantom
    m = V.VoiModel(suv, g)
    m.add_sphere(LESION_A, 5.0)
    segs = V.detect_lesions(suv, g, "fixed:4.0", min_volume_ml=0.1, exclude=())
    rep = segmentation.find_lesions(suv, g, "fixed:4.0", min_volume_ml=0.1, exclude=())
    assert len(segs) == rep.count == 2
    m.replace_whole_body(segs)
    m.replace_whole_body(segs)  # again: no duplicates
    wb = [v for v in m.vois.values() if v.source == "whole-body"]
    assert len(wb) == 2 and len(m.vois) == 3
    for v, les in zip(wb, rep.lesions):
        np.testing.assert_array_equal(v.mask(g.shape), rep.labels == les.label)
        assert v.stats.max == pytest.approx(les.suvmax) and v.stats.suvpeak == pytest.approx(les.suvpeak)


def test_references_percist_and_deauville_by_hand(phantom):
    suv, g, w = phantom
    m = V.VoiModel(suv, g)
    les = m.add_segmentation(V.segment_lesion(suv, g, LESION_A, "pct:41"))
    assert m.percist_threshold() is None and m.deauville(les.id) is None and m.percist_measurable(les.id) is None
    liver = m.set_liver_reference(LIVER)
    lm = np.sum((w - LIVER) ** 2, axis=-1) <= 15.0 ** 2  # 3 cm diameter
    vals = suv[lm].astype(np.float64)
    thr = 1.5 * vals.mean() + 2 * vals.std()
    assert liver.stats.voxels == lm.sum()
    assert m.percist_threshold() == pytest.approx(thr, rel=1e-5)
    assert m.percist_measurable(les.id) is bool(les.stats.suvpeak >= thr) is True
    assert m.deauville(les.id) is None  # needs the blood pool too
    bp_c = (-30.0, -10.0, 40.0)
    bp = m.set_blood_pool_reference(bp_c)
    d = w - bp_c
    along = d @ g.slice_normal
    bm = (np.abs(along) <= 10.0) & (np.sum(d * d, axis=-1) - along ** 2 <= 25.0)
    np.testing.assert_array_equal(bp.mask(g.shape), bm)
    bmean, lmean, smax = suv[bm].astype(float).mean(), vals.mean(), les.stats.max
    expect = 2 if smax <= bmean else 3 if smax <= lmean else 4 if smax <= 2 * lmean else 5
    assert m.deauville(les.id) == expect == 5  # SUV 8 lesion, liver ~2
    # replacing the liver reference keeps one liver VOI
    m.set_liver_reference(np.add(LIVER, (2.0, 0.0, 0.0)))
    assert sum(v.kind == "liver" for v in m.vois.values()) == 1
    assert "PERCIST threshold" in m.summary() and "Deauville" in m.summary()


def test_set_suv_remeasures(phantom):
    suv, g, w = phantom
    m = V.VoiModel(suv, g)
    v = m.add_sphere(LESION_A, 10.0)
    before = v.stats  # a frozen RegionStats: re-measuring replaces it
    m.set_suv(suv * 2.0, "SUVlbm")
    assert v.stats.max == pytest.approx(2 * before.max) and v.stats.voxels == before.voxels
    assert m.units == "SUVlbm"


def test_csv_export(phantom, tmp_path):
    suv, g, w = phantom
    m = V.VoiModel(suv, g, "SUVbw")
    s = m.add_sphere(LESION_A, 10.0)
    les = m.add_segmentation(V.segment_lesion(suv, g, LESION_B, "a50"))
    m.set_liver_reference(LIVER)
    path = tmp_path / "vois.csv"
    write_table_csv(path, m.rows())
    with pytest.raises(FileExistsError, match="already exists"):
        write_table_csv(path, m.rows())
    m.delete(s.id)
    write_table_csv(path, m.rows(), overwrite=True)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["kind"] for r in rows] == ["lesion", "liver"]
    r = rows[0]
    ref = regions.region_stats(suv, les.mask(g.shape), g)
    assert float(r["suv_max"]) == ref.max and float(r["suv_peak"]) == ref.suvpeak
    assert float(r["volume_ml"]) == pytest.approx(ref.volume_ml) and int(r["voxels"]) == ref.voxels
    assert float(r["tlg"]) == pytest.approx(ref.mean * ref.volume_ml)
    assert r["method"] == "a50" and float(r["background"]) > 0 and r["units"] == "SUVbw"
    assert float(r["percist_threshold"]) == pytest.approx(m.percist_threshold())
    assert r["percist_measurable"] in ("yes", "no") and r["deauville"] == ""
    assert rows[1]["percist_measurable"] == "" and rows[1]["suv_mean"]
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_table_csv(tmp_path / "nope" / "x.csv", m.rows())
