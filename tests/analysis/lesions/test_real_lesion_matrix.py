"""The real-lesion matrix (bench/validate_segmentation.py) over what refdata holds: every seeded method,
PERCIST and whole-body detection against the expert GTVs of the IBSI sarcomas (PET, CT, MR RTSTRUCTs)
and the Lu-177 liver lesions. The bands are the bench's, stated there before it was first run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
REFDATA = REPO.parent / "shared" / "refdata"  # as tests/conftest.py finds it
pytestmark = pytest.mark.slow  # about a minute: 2 real PET and 2 real SPECT volumes, 7 methods, 16 contours


@pytest.fixture(scope="module")
def matrix():
    if not (REFDATA / "ibsi-sts-petctmr").is_dir():
        pytest.skip(f"reference data not present at {REFDATA}")
    spec = importlib.util.spec_from_file_location("validate_segmentation", REPO / "bench" / "validate_segmentation.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    cases = bench.sts_cases(REFDATA)
    if (REFDATA / "mirp-lu177-spect").is_dir():
        cases += bench.lu_cases(REFDATA)
    rows = [bench.run_case(c, m) for c in cases for m in bench.METHODS]
    print("\n" + bench.table(rows))
    return rows


def _rows(rows, **kw):
    return [r for r in rows if all(getattr(r, k) == v for k, v in kw.items())]


def test_every_contour_is_in_the_matrix(matrix):
    contours = {(r.case, r.contour) for r in matrix}
    assert {("STS_002", "GTV_Mass_PET"), ("STS_002", "GTV_Mass_CT"), ("STS_002", "GTV_Mass_MR_T1"),
            ("STS_005", "GTV_Mass_PET"), ("STS_005", "GTV_Mass_CT"), ("STS_005", "GTV_Mass_MR_T1")} <= contours
    # the expert volumes, from the RTSTRUCTs filled on the PET grid: STS_002 54 mL, STS_005 585 mL
    assert _rows(matrix, case="STS_005", contour="GTV_Mass_PET")[0].contour_ml == pytest.approx(585, rel=0.02)


def test_no_silent_result_under_three_voxels_and_every_refusal_says_why(matrix):
    for r in matrix:
        assert r.verdict != "SILENT-TINY", r
        if r.refused is not None:
            assert len(r.refused) > 20, r


def test_percist_refused_without_a_liver_or_without_fdg(matrix):
    for r in _rows(matrix, method="percist"):
        assert r.verdict == "ok (refused)", r


@pytest.mark.parametrize("method", ["fixed:2.5", "pct:41", "whole-body"])
def test_sarcoma_gtvs_within_the_stated_band(matrix, method):
    """Fixed 2.5 (with the constraint sized from the tumour: it used to be refused at 40 mm), 41 % and
    whole-body detection on the two sarcomas, against the PET, CT and MR GTVs."""
    rows = [r for r in _rows(matrix, method=method) if r.case.startswith("STS")]
    assert len(rows) == 6
    for r in rows:
        assert r.verdict == "in band", r


def test_lu177_relative_methods_within_the_stated_band(matrix):
    rows = [r for r in matrix if r.case.startswith("Lu177") and r.method in ("pct:41", "pct:50", "a50")]
    if not rows:
        pytest.skip("mirp-lu177-spect not present")
    for r in rows:
        assert r.verdict == "in band", r


def test_gradient_within_its_band_on_the_sarcoma_gtvs(matrix):
    """The gradient edge follows the heterogeneous sarcomas (it used to stop at a hot cap inside them: 0.28x
    and 0.05x of the PET GTV): on each ray the outermost fall to the background, not the steepest."""
    assert len([r for r in matrix if r.method == "gradient"]) >= 6  # the matrix itself was built
    rows = [r for r in _rows(matrix, method="gradient") if r.case.startswith("STS")]
    assert len(rows) == 6
    for r in rows:
        assert r.verdict == "in band", r


def test_gradient_on_the_lu177_lesions_within_the_spect_band_and_the_bridge_warned(matrix):
    """The four Lu-177 liver lesions within the SPECT band of the bench (0.4-2x, its reason stated there).
    SCAN_001 lesion 2 (3 mL) sits at the liver's edge with air around it (B = 0): its extent reaches a cooler
    structure across a bridge; the gradient used to return 4.25x the contour silently: now the lesion's own
    edge, with a warning that gives the volume with the neighbour."""
    rows = [r for r in _rows(matrix, method="gradient") if r.case.startswith("Lu177")]
    if not rows:
        pytest.skip("mirp-lu177-spect not present")
    assert len(rows) == 4
    for r in rows:
        assert r.verdict == "in band", r
    bridged = [r for r in rows if r.case.endswith("SCAN_001") and r.contour_ml < 10]
    assert len(bridged) == 1 and any("behind a valley" in w for w in bridged[0].warnings), bridged
