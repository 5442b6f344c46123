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
    from workstation.analysis.quant import region_stats, sphere_mask
    from workstation.analysis.suv import compute_suv
    from workstation.analysis.suv_apply import suv_array
    from workstation.io.loader import load_pet_folder

    pet = load_pet_folder(out)
    suv = compute_suv(pet.pet, "bw")
    values = suv_array(pet, suv)
    g = pet.geometry
    print(f"PET: {g.shape[2]}x{g.shape[1]}x{g.shape[0]} voxels of {' x '.join(f'{s:.2f}' for s in g.spacing)} mm, "
          f"units {pet.units}; truth: {out / 'truth.json'}")
    print(suv.to_text())
    print(f"\n{'lesion':<22}{'r mm':>6}{'true SUV':>10}{'SUVmax':>9}{'SUVpeak':>9}{'SUVmean':>9}  (sphere VOI of the true radius)")
    for les in truth.get("lesions", []):
        st = region_stats(values, sphere_mask(g, les["centre_lps_mm"], les["radius_mm"]), g)
        print(f"{les['name']:<22}{les['radius_mm']:>6.1f}{les['suv_bw']:>10.2f}{st['max']:>9.2f}"
              f"{(st['suvpeak'] if st['suvpeak'] is not None else float('nan')):>9.2f}{st['mean']:>9.2f}")
    for name, voi in truth.get("reference_vois", {}).items():
        if "suv_bw" in voi:
            st = region_stats(values, sphere_mask(g, voi["centre_lps_mm"], voi["radius_mm"]), g, peak=False)
            print(f"{'ref ' + name:<22}{voi['radius_mm']:>6.1f}{voi['suv_bw']:>10.2f}{st['max']:>9.2f}{'':>9}"
                  f"{st['mean']:>9.2f}")
    sys.stdout.flush()
