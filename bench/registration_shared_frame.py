"""Registration of PET on its own scanner's CT/MR (shared frame of reference): what is proposed on the real
PET/CT and PET/MR pairs of the reference data (IBSI STS_002 and STS_005), opened from disk as a user does.

For each pair: the proposal (move of the PET centre, largest move at 50 mm around it, rotation), the best
candidate the optimiser found and the spread of its four starts, the metric before/after and the time.
Expected (issue 21): <= 2 mm / 1 deg, or "no change". Run: .venv/bin/python bench/registration_shared_frame.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "refdata" / "ibsi-sts-petctmr"


def main() -> int:
    from workstation.analysis.registration import rigid as rg
    from workstation.io.loader import load_series

    if not ROOT.is_dir():
        print(f"reference data not present at {ROOT}")
        return 0
    print(f"{'pair':<16}{'proposed mm':>12}{'max@50mm':>10}{'deg':>7}{'candidate mm':>14}{'cand deg':>9}"
          f"{'spread mm':>10}{'MI before':>11}{'MI after':>10}{'gain/range':>11}{'s':>7}  verdict")
    worst = 0.0
    only = sys.argv[1:]  # e.g. STS_005/MR_T1
    for patient in ("STS_002", "STS_005"):
        pet = load_series(sorted(str(p) for p in (ROOT / patient / "PET" / "image").iterdir()))
        for anat_name in ("CT", "MR_T1"):
            if only and f"{patient}/{anat_name}" not in only:
                continue
            anat = load_series(sorted(str(p) for p in (ROOT / patient / anat_name / "image").iterdir()))
            t0 = time.perf_counter()
            p = rg.propose_registration(anat, pet)
            dt = time.perf_counter() - t0
            far = max(rg.move_at(p.before, p.after, q) for q in rg._probe_points(pet))
            worst = max(worst, far)
            gain = p.metric_before - (p.metric_after if p.changes else p.metric_before)
            ratio = float("nan") if not p.metric_spread else (
                (p.metric_before - min(p.metric_before, p.metric_after)) / p.metric_spread)
            verdict = "no change" if not p.changes else "proposed"
            if not p.significant:
                verdict += " (no significant misalignment)"
            elif not p.determined:
                verdict += " (no clear optimum)"
            print(f"{patient + '/' + anat_name:<16}{p.move_mm:>12.2f}{far:>10.2f}{p.rotation_deg:>7.2f}"
                  f"{p.candidate_move_mm:>14.2f}{p.candidate_rotation_deg:>9.2f}{p.spread_mm:>10.2f}"
                  f"{p.metric_before:>11.4f}{p.metric_after:>10.4f}{ratio:>11.1f}{dt:>7.1f}  {verdict}", flush=True)
    print(f"largest proposed displacement at the PET centre and 50 mm around it: {worst:.2f} mm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
