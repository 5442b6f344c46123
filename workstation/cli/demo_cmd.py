"""`workstation demo --out DIR`: write the deterministic synthetic FDG PET/CT demo study."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def add_parser(sub):
    p = sub.add_parser("demo", help="write the synthetic FDG PET/CT demo study as DICOM",
                       description="Write a deterministic synthetic FDG PET/CT study (CT and PET DICOM series plus "
                                   "truth.json with every lesion's position, size and expected SUV).")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must be empty or absent)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--import", dest="do_import", action="store_true", help="also import it into the study database")
    p.add_argument("--summary", action="store_true", help="print the study summary and SUV stats of each lesion")
    p.add_argument("--show", action="store_true",
                   help="do not write: print the summary of the demo study already in --out")
    p.set_defaults(func=run)


def run(args) -> int:
    from workstation.analysis.demo_study import write_demo_study

    from .common import UserError

    out = Path(args.out)
    if args.show:
        truth_path = out / "truth.json"
        if not truth_path.exists():
            raise UserError(f"{out} holds no demo study (no truth.json); run without --show to write one")
        print_summary(out, json.loads(truth_path.read_text()))
        return 0
    if out.exists() and any(out.iterdir()):
        raise UserError(f"{out} is not empty; choose another --out (nothing is overwritten)")
    t0 = time.perf_counter()
    truth = write_demo_study(out, seed=args.seed)
    print(f"demo study written to {out} in {time.perf_counter() - t0:.1f} s")
    if args.do_import:
        from workstation.io.db import StudyDB

        with StudyDB() as db:
            print(f"imported: {db.import_paths([out]).text()}")
    if args.summary:
        print_summary(out, truth)
    return 0


def print_summary(out: Path, truth: dict) -> None:
    """Load the PET back through the normal data path and compare each lesion with the truth."""
    import numpy as np

    from workstation.analysis.suv import compute_suv
    from workstation.io.loader import load_pet_folder

    pet = load_pet_folder(out)
    suv = compute_suv(pet.pet, "bw")
    print(f"PET: {pet.shape[2]}x{pet.shape[1]}x{pet.shape[0]} voxels, "
          f"{' x '.join(f'{s:.2f}' for s in pet.geometry.spacing)} mm, units {pet.units}")
    print(f"SUVbw factor {suv.factor:.6g} {suv.units} per {pet.units}")
    print(suv.to_text())
    print(f"{'lesion':<12}{'radius mm':>10}{'true SUV':>10}{'SUVmax':>10}{'SUVmean(r/2)':>14}")
    for les in truth.get("lesions", []):
        c = np.asarray(les["center_lps_mm"] if "center_lps_mm" in les else les["center"], float)
        r = float(les.get("radius_mm", 0))
        kji = pet.geometry.world_to_kji(c)
        grid = np.indices(pet.shape).reshape(3, -1).T
        near = np.linalg.norm(pet.geometry.kji_to_world(grid) - c, axis=1)
        vals = pet.array.reshape(-1)
        inner = vals[near <= max(r / 2, 0.6 * max(pet.geometry.spacing))] * suv.factor
        ball = vals[near <= r + max(pet.geometry.spacing)] * suv.factor
        print(f"{les.get('name', '?'):<12}{r:>10.1f}{les.get('expected_suv_bw', les.get('suv', float('nan'))):>10.2f}"
              f"{ball.max() if ball.size else float('nan'):>10.2f}{inner.mean() if inner.size else float('nan'):>14.2f}")
    sys.stdout.flush()
