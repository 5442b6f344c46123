"""MR-guided against PET-only normalisation on the synthetic cohort: landmark error (mm) at the CerebrA
grey-matter centroids, the estimated MNI -> PET mapping against the known one, for the same subjects.

Each subject: a synthetic brain PET (workstation.testing.brain_cohort.make_subject, known affine + nonlinear
warp) and its T1 (make_t1: same anatomy and warp, its own scanner frame at a known rigid offset from the
PET's). PET-only: the PET against the pseudo-FDG template; MR-guided: PET -> T1 rigid (Mattes MI), T1 -> MNI152
T1 template, composed. Also the PET -> T1 rigid error alone.

Usage: python bench/validate_brain_mr.py [--subjects 4] [--grid-mm 4] [--voxel-mm 4] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_brain import landmark_error, landmarks  # noqa: E402

from workstation.analysis.brain.pipeline import process  # noqa: E402
from workstation.analysis.brain.template import load_mni, pseudo_fdg  # noqa: E402
from workstation.testing.brain_cohort import make_subject, make_t1  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=4)
    ap.add_argument("--grid-mm", type=float, default=4.0)
    ap.add_argument("--voxel-mm", type=float, default=4.0)
    ap.add_argument("--t1-voxel-mm", type=float, default=2.0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()}", flush=True)
    space = load_mni(args.grid_mm)
    tpl = pseudo_fdg(space, 10.0)
    lms = landmarks()
    rows = []
    for n in range(args.subjects):
        seed = 60000 + n
        vol, tr = make_subject(seed, "normal", voxel_mm=args.voxel_mm)
        t1, t1t = make_t1(tr, seed, voxel_mm=args.t1_voxel_mm)
        t0 = time.time()
        a = process(vol.array, vol.geometry, space, tpl, native_fwhm_mm=tr.fwhm_mm, target_fwhm_mm=10.0)
        t_pet = time.time() - t0
        t0 = time.time()
        b = process(vol.array, vol.geometry, space, tpl, native_fwhm_mm=tr.fwhm_mm, target_fwhm_mm=10.0,
                    t1=(t1.array, t1.geometry))
        t_mr = time.time() - t0
        p_pet = tr.mni_to_scanner(lms)
        inv = np.linalg.inv(t1t.t1_to_pet)
        p_t1 = p_pet @ inv[:3, :3].T + inv[:3, 3]
        rig = b.normalisation.pet_to_t1
        est = np.array([rig.TransformPoint(tuple(map(float, q))) for q in p_t1])
        row = {"seed": seed, "pet_t1_offset_deg": t1t.rotation_deg, "pet_t1_offset_mm": t1t.translation_mm,
               "pet_only_mm": landmark_error(a.normalisation, tr, lms),
               "mr_guided_mm": landmark_error(b.normalisation, tr, lms),
               "pet_to_t1_rigid_mm": float(np.linalg.norm(est - p_pet, axis=1).mean()),
               "seconds_pet_only": t_pet, "seconds_mr_guided": t_mr}
        rows.append(row)
        print(json.dumps(row), flush=True)
    summ = {k: {"mean": float(np.mean([r[k] for r in rows])), "max": float(np.max([r[k] for r in rows]))}
            for k in ("pet_only_mm", "mr_guided_mm", "pet_to_t1_rigid_mm", "seconds_pet_only", "seconds_mr_guided")}
    out = {"settings": {k: str(v) for k, v in vars(args).items()}, "summary": summ, "subjects": rows,
           "load_average_end": os.getloadavg()}
    print(json.dumps(summ, indent=1))
    if args.out:
        args.out.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
