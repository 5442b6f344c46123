"""Exclusion by anatomy: a head-and-neck primary that touches the brain at the threshold stays a lesion.

A synthetic whole-body study on a 4 mm grid (uniform values, no blur, so the truth is the set of
voxels whose centre lies in each solid): body SUV 1, a brain ellipsoid (SUV 8), a primary sphere
below it touching it (SUV 12, hotter than the brain as in the case that went wrong), a neck node,
a bladder and a pelvic node touching the bladder. Expected numbers come from the painted truth
masks (numpy on world coordinates), not from the product.
"""

import numpy as np
import pytest

from workstation.analysis.lesions import segmentation as Q
from workstation.analysis.lesions.organ_masks import ORGAN_RANGES, plausibility_warning
from workstation.core.geometry import ImageGeometry
from workstation.testing.phantoms import world_grid
from wholebody_factory import BLADDER, BRAIN, NODE, PELVIC, PRIMARY, _body, _study  # noqa: F401

def _dice(a, b):
    return 2.0 * np.count_nonzero(a & b) / (np.count_nonzero(a) + np.count_nonzero(b))


@pytest.mark.parametrize("method", ["fixed:2.5", "pct:41", "a50"])
def test_primary_touching_the_brain_is_a_lesion_and_the_brain_is_excluded(method):
    g, v, truth = _study()
    assert np.count_nonzero(np.logical_and(
        np.roll(truth["primary"], 1, axis=0) | truth["primary"], truth["brain"])) > 0  # they do touch
    vv = g.voxel_volume_ml
    rep = Q.find_lesions(v, g, method)  # the default exclusions
    ex = {e["organ"]: e for e in rep.excluded}
    assert set(ex) == {"brain", "bladder"}
    # the brain removed is the brain: its voxel count within 3 % of the truth, its SUVmax the brain's own
    assert ex["brain"]["volume_ml"] == pytest.approx(np.count_nonzero(truth["brain"]) * vv, rel=0.03)
    # the cut follows the opening, so a few voxels of the primary at the contact go with the brain (the
    # brain's SUVmax is then the primary's): 62 of its 402 voxels here; at most 20 %
    lost = np.count_nonzero(rep.labels[truth["primary"]] == 0)
    assert lost <= 0.20 * np.count_nonzero(truth["primary"])
    assert ex["bladder"]["volume_ml"] == pytest.approx(np.count_nonzero(truth["bladder"]) * vv, rel=0.05)
    assert ex["bladder"]["suvmax"] == pytest.approx(BLADDER[2])
    assert ex["brain"]["kept_outside_ml"] > 0.8 * np.count_nonzero(truth["primary"]) * vv
    # each tumour is a lesion whose voxels match its truth (Dice >= 0.9; pct/a50 are smaller on a uniform
    # sphere only through the threshold, which lies between background and value here)
    for name in ("primary", "node", "pelvic"):
        best = max(rep.lesions, key=lambda L: np.count_nonzero((rep.labels == L.label) & truth[name]))
        seg = rep.labels == best.label
        assert _dice(seg, truth[name]) >= 0.9, (name, _dice(seg, truth[name]))
        assert not (seg & truth["brain"]).any() and not (seg & truth["bladder"]).any()
    primary = next(L for L in rep.lesions if (rep.labels == L.label)[truth["primary"]].any())
    assert primary.suvmax == pytest.approx(PRIMARY[2])
    assert rep.count == 3
    assert rep.warnings == []  # a 1.16 L brain with SUVmax 8 and a 172 mL bladder look like their organs


def test_without_exclusion_the_primary_is_merged_with_the_brain():
    """The reason for the cut: at SUV 2.5 the primary and the brain are one component."""
    g, v, truth = _study()
    rep = Q.find_lesions(v, g, "fixed:2.5", exclude=())
    merged = [L for L in rep.lesions if (rep.labels == L.label)[truth["primary"]].any()]
    assert len(merged) == 1 and (rep.labels == merged[0].label)[truth["brain"]].all()


def test_an_exclusion_that_does_not_look_like_its_organ_is_a_warning():
    """A hot 'brain' of 300 mL with SUVmax 35 in the head: removed, listed, and warned about."""
    g = ImageGeometry((124, 50, 75), (4.0, 4.0, 4.0), origin=(-148.0, -98.0, 0.0))
    w = world_grid(g)
    v = _body(g, w)
    hot = np.sum((w - (0, 0, 440)) ** 2, axis=-1) <= 42 ** 2
    v[hot] = 35.0
    rep = Q.find_lesions(v, g, "fixed:2.5", exclude=("brain",))
    assert [e["organ"] for e in rep.excluded] == ["brain"]
    assert len(rep.warnings) == 1 and "does not look like a brain" in rep.warnings[0]
    assert f"volume {np.count_nonzero(hot) * g.voxel_volume_ml:.0f} mL" in rep.warnings[0]
    assert "SUVmax 35.0" in rep.warnings[0]


def test_a_trunk_organ_at_the_top_of_a_scan_is_not_a_brain():
    """An abdominal scan (no head): a bulky hot organ at its top (a liver dome, or a Lu-177 liver with
    its lesions) has the trunk's cross-section: it is not excluded as brain, and stays in the lesions."""
    g = ImageGeometry((60, 50, 75), (4.0, 4.0, 4.0), origin=(-148.0, -98.0, 0.0))
    w = world_grid(g)
    v = np.zeros(g.shape, np.float32)
    v[(np.abs(w[..., 0]) <= 140) & (np.abs(w[..., 1]) <= 90)] = 1.0  # the trunk fills every slice
    organ = np.sum(((w - (-40, 0, 200)) / (70, 60, 50)) ** 2, axis=-1) <= 1.0
    v[organ] = 9.0
    rep = Q.find_lesions(v, g, "fixed:2.5")
    assert rep.excluded == [] and rep.count == 1 and rep.lesions[0].voxels == organ.sum()


def test_plausibility_ranges_by_hand():
    lo, hi = ORGAN_RANGES["brain"]["volume_ml"]
    assert plausibility_warning("brain", 1300.0, 11.0) is None
    assert plausibility_warning("brain", 1920.0, 21.8) is not None  # the case of issue 21: SUVmax too high
    assert plausibility_warning("brain", lo - 1, 11.0) is not None and plausibility_warning("brain", hi + 1, 11.0)
    assert plausibility_warning("bladder", 150.0, 90.0) is None
    assert plausibility_warning("bladder", 5.0, 90.0) is not None


def test_small_seeded_result_is_a_warning():
    g = ImageGeometry((20, 20, 20), (4.0, 4.0, 4.0), origin=(-40.0, -40.0, -40.0))
    v = np.ones(g.shape, np.float32)
    v[10, 10, 10] = 9.0
    rep = Q.find_lesions(v, g, "fixed:2.5", seed_world=g.kji_to_world(np.array([10.0, 10.0, 10.0])))
    assert rep.lesions[0].voxels == 1
    assert any("only 1 PET voxel" in w for w in rep.warnings)


def test_constraint_sized_from_the_tumour_with_a_warning():
    """A 45 mm-radius tumour (SUV 6 on 1): the default 40 mm sphere is reached, so it is enlarged to 60 mm,
    where the region stops: measured (all its voxels), and a warning asks to check the outline. A
    constraint given by the caller is kept: refused."""
    g = ImageGeometry((50, 50, 50), (3.0, 3.0, 3.0), origin=(-75.0, -75.0, -75.0))
    w = world_grid(g)
    ball = np.sum(w ** 2, axis=-1) <= 45.0 ** 2
    v = np.where(ball, 6.0, 1.0).astype(np.float32)
    rep = Q.find_lesions(v, g, "fixed:2.5", seed_world=(0.0, 0.0, 0.0))
    assert rep.lesions[0].voxels == ball.sum()
    assert rep.constraint["radius_mm"] == 60.0 and rep.constraint["enlarged_from_mm"] == 40.0
    assert len(rep.warnings) == 1 and "enlarged to 60 mm" in rep.warnings[0]
    with pytest.raises(Q.SegmentationLeak, match="radius 40 mm"):
        Q.find_lesions(v, g, "fixed:2.5", seed_world=(0.0, 0.0, 0.0), constraint=40.0)


def test_a_brain_that_falls_apart_at_a_high_threshold_is_still_excluded_whole():
    """A realistic FDG brain at a PERCIST-like threshold (SUV 3.8): cortex (SUV 8) is a 12 mm shell around
    white matter at SUV 3.0 (below the threshold), with two deep-grey islands (SUV 8, radius 10 mm) inside.
    Above 3.8 the brain is a shell plus islands; none of it may come out as a lesion, and the primary that
    touches the brain from below stays one (Dice >= 0.9 against its painted truth)."""
    g, v, truth = _study()
    w = world_grid(g)
    c, a = np.asarray(BRAIN[0]), np.asarray(BRAIN[1])
    inner = np.sum(((w - c) / (a - 12.0)) ** 2, axis=-1) <= 1.0
    v[truth["brain"] & inner] = 3.0
    islands = np.zeros(v.shape, bool)
    for dx in (-22.0, 22.0):
        islands |= np.sum((w - (c + (dx, 0.0, 0.0))) ** 2, axis=-1) <= 10.0 ** 2
    v[islands & truth["brain"]] = 8.0
    rep = Q.find_lesions(v, g, "fixed:3.8")
    ex = {e["organ"]: e for e in rep.excluded}
    assert "brain" in ex
    in_brain = [L for L in rep.lesions if (rep.labels == L.label)[truth["brain"] & ~truth["primary"]].any()
                and not (rep.labels == L.label)[truth["primary"]].any()]
    assert in_brain == [], [(L.label, L.mtv_ml) for L in in_brain]
    best = max(rep.lesions, key=lambda L: np.count_nonzero((rep.labels == L.label) & truth["primary"]))
    assert _dice(rep.labels == best.label, truth["primary"]) >= 0.9
