"""`--task dosimetry`: scans grouped into therapies (patient + administration), one VOI row per VOI.

Two cycles of the synthetic Lu-177 phantom (``workstation.testing.dosimetry_phantom``: known
time-activity curves, analytic TIA) in one folder, with an RTSTRUCT on each cycle's first scan.
The batch must make one task per cycle, with that cycle's scans only, and its VOI rows must hold the
analytic TIA (as the dosimetry chain's own test requires) and the LED dose of the hand formula.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from workstation.batch.engine import run_batch
from workstation.batch.store import ResultStore, load_level, load_results
from workstation.batch.tasks import DOSE_METHODS, TaskSpec, therapy_groups
from workstation.testing.dosimetry_phantom import make_phantom, write_phantom

pytestmark = pytest.mark.slow  # two therapies of three registered time points

TIMES = (4.0, 48.0, 168.0)
CYCLES = (datetime(2025, 3, 3, 9, 30), datetime(2025, 5, 5, 10, 15))
ELECTRON_MEV = 0.14792  # Lu-177 mean electron energy per decay (ICRP 107), as the chain's test uses
MEV_J = 1.602176634e-13


@pytest.fixture(scope="module")
def therapies(tmp_path_factory):
    root = tmp_path_factory.mktemp("dosi")
    phantoms = []
    for n, when in enumerate(CYCLES):
        ph = make_phantom(TIMES, injection=when, administered_bq=7.4e9 - 1e9 * n, seed=11 + n)
        write_phantom(root / f"cycle{n + 1}", ph)
        phantoms.append(ph)
    return root, phantoms


def test_scans_grouped_into_therapies(therapies):
    root, _ = therapies
    refs = therapy_groups([root])
    assert len(refs) == 2
    for r in refs:
        assert len(r.group) == len(TIMES)
        folders = {f.split("/cycle")[1][0] for f in r.files}
        assert len(folders) == 1  # one cycle's scans (and its RTSTRUCT) only
        assert sum(f.endswith("RS.dcm") for f in r.files) == 1
    assert refs[0].identity != refs[1].identity


def test_dosimetry_rows_hold_the_analytic_tia_and_the_hand_dose(therapies, tmp_path):
    root, phantoms = therapies
    out = tmp_path / "d.parquet"
    s = run_batch(therapy_groups([root]), TaskSpec.parse("dosimetry"), ResultStore(out), workers=0)
    series, lesions, _ = load_results(out)
    vois = load_level(out, "vois")
    assert (s.done, s.failed) == (2, 0), [r["error"] for r in series]
    assert lesions == []
    by_admin = {round(r["dosimetry_administered_mbq"]): r for r in series}
    assert set(by_admin) == {7400, 6400}
    for n, ph in enumerate(phantoms):
        row = by_admin[round(ph.administered_bq / 1e6)]
        assert row["dosimetry_time_points"] == len(TIMES) and row["dosimetry_nuclide"] == "Lu-177"
        assert json.loads(row["dosimetry_times_h"]) == pytest.approx(TIMES, abs=1e-3)
        mine = {v["voi"]: v for v in vois if v["result_key"] == row["result_key"]}
        assert set(mine) == {r.name for r in ph.regions if r.voi}
        for name, v in mine.items():
            assert v["tia_mbq_h"] == pytest.approx(ph.truth_tia_mbq_h(name), rel=0.02), name
            # soft tissue 1.04 g/mL (ICRU 44 / ICRP 89 adult soft tissue), the engine's stated density
            assert v["mass_g"] == pytest.approx(1.04 * ph.region_volume_ml(name))
            hand = ELECTRON_MEV * MEV_J * 3.6e9 * v["tia_mbq_h"] / (v["mass_g"] / 1000.0)  # J/kg from MBq h
            assert v["dose_led_gy"] == pytest.approx(hand, rel=1e-6) and v["dose_gy"] == v["dose_led_gy"]
            assert v["gy_per_gbq"] == pytest.approx(v["dose_gy"] / (ph.administered_bq / 1e9))
            assert len(json.loads(v["activities_mbq"])) == len(TIMES)


def test_cli_dosimetry_and_refusals(therapies, tmp_path):
    root, _ = therapies
    out = tmp_path / "cli.parquet"
    cmd = [sys.executable, "-m", "workstation.cli", "batch", "run", str(root / "cycle1"), "--task", "dosimetry",
           "--workers", "0", "--out", str(out), "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "VOI rows in cli.vois.parquet" in r.stdout
    assert len(load_level(out, "vois")) == 4 and len(load_results(out)[0]) == 1
    r = subprocess.run([sys.executable, "-m", "workstation.cli", "batch", "run", "--select", "modality=PT", "--task",
                        "dosimetry", "--out", str(tmp_path / "x.parquet")], capture_output=True, text=True)
    assert r.returncode == 2 and "takes folders" in r.stderr
    from workstation.analysis.dosimetry.pipeline import METHODS

    assert DOSE_METHODS == METHODS
