"""Validation of the brain FDG analysis on the synthetic cohort (workstation.testing.brain_cohort).

The database's normals, the test normals and the patients come from disjoint seeds. Measured:
  * normalisation landmark error (mm): the estimated MNI->PET mapping against the known one at the
    centroids of the CerebrA regions (grey matter), for every subject;
  * false-positive clusters per normal: leave-one-out over the database (as the database reports it)
    and on independent test normals;
  * patients (AD, bvFTD, left/right MTLE): voxel AUC of -z against the true deficit (grey-matter
    voxels of the affected regions) and Dice of z <= -2 against it; peak-location error (the largest
    cluster's peak to the nearest true deficit voxel); pattern-score sensitivity and the specificity
    on test normals; MTLE lateralisation accuracy from the mesial-temporal asymmetry index;
  * smallest effect detected against its extent: spherical grey-matter deficits (amplitude x radius)
    added to normals; detected when a cluster's peak lies within 10 mm of the sphere or inside it.

Usage: python bench/validate_brain.py [--normals 100] [--test-normals 20] [--patients 10] [--grid-mm 4]
       [--reference pons] [--out DIR]. Prints a summary and writes DIR/validate_brain.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from workstation.analysis.brain import stats
from workstation.analysis.brain.analysis import analyse
from workstation.analysis.brain.normals import NormalDatabase
from workstation.analysis.brain.pipeline import process
from workstation.testing.brain_cohort import MTL_REGIONS, make_subject, mni_truth


def landmarks():
    mt = mni_truth()
    pts = []
    for lab in np.unique(mt.atlas)[1:]:
        sel = (mt.atlas == lab) & (mt.gm >= 0.3)
        if sel.sum() < 20:
            continue
        k, j, i = np.nonzero(sel)
        pts.append([mt.geometry.origin[0] + 2 * i.mean(), mt.geometry.origin[1] + 2 * j.mean(),
                    mt.geometry.origin[2] + 2 * k.mean()])
    return np.array(pts)


def landmark_error(norm, truth, lms) -> float:
    return float(np.linalg.norm(norm.mni_to_pet(lms) - truth.mni_to_scanner(lms), axis=1).mean())


def truth_on_grid(deficit2mm: np.ndarray, space) -> np.ndarray:
    g = space.geometry
    kk, jj, ii = np.indices(g.shape)
    s = space.spacing_mm / 2.0
    f = ndimage.map_coordinates(deficit2mm.astype(np.float32), [kk * s, jj * s, ii * s], order=1)
    return f >= 0.5


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    npos, nneg = labels.sum(), (~labels).sum()
    return float((ranks[labels].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--normals", type=int, default=100)
    ap.add_argument("--test-normals", type=int, default=20)
    ap.add_argument("--patients", type=int, default=10, help="per kind (AD, bvFTD; MTLE split L/R)")
    ap.add_argument("--grid-mm", type=float, default=4.0)
    ap.add_argument("--voxel-mm", type=float, default=4.0, help="voxel size of the synthetic PETs")
    ap.add_argument("--sweep-amplitudes", default="0.05,0.10,0.15,0.20,0.30")
    ap.add_argument("--sweep-radii", default="6,10,15")
    ap.add_argument("--reference", default="pons")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--reuse-db", type=Path, help="a database folder of an earlier (interrupted) run: its normals are "
                    "used as they are (their landmark errors are not re-measured)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="validate-brain-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()}; output {out}", flush=True)
    t_start = time.time()
    lms = landmarks()
    lm_err = {"normal": [], "patient": []}
    times = []
    if args.reuse_db:
        db = NormalDatabase.open(args.reuse_db)
        db.meta["build"] = None
        n_done = len(db.meta["subjects"])
        print(f"reusing {n_done} normals of {args.reuse_db}", flush=True)
    else:
        db = NormalDatabase.create(out / "db", synthetic=True, grid_mm=args.grid_mm)
        n_done = 0
    space = db.space
    template = db.template()
    for i in range(n_done, args.normals):
        vol, tr = make_subject(10000 + i, "normal", voxel_mm=args.voxel_mm)
        t0 = time.time()
        m = process(vol.array, vol.geometry, space, template, native_fwhm_mm=tr.fwhm_mm,
                    target_fwhm_mm=db.meta["target_fwhm_mm"])
        times.append(time.time() - t0)
        lm_err["normal"].append(landmark_error(m.normalisation, tr, lms))
        db.add(m, subject_id=tr.subject_id, age=tr.age, sex=tr.sex, scanner="synthetic", native_fwhm_mm=tr.fwhm_mm)
        if i % 10 == 0:
            print(f"normal {i + 1}/{args.normals}: {times[-1]:.1f} s, landmark error {lm_err['normal'][-1]:.2f} mm",
                  flush=True)
    build = db.build()
    (out / "partial.json").write_text(json.dumps({"landmark_error_mm_normals": lm_err["normal"], "loo": build["loo"],
                                                  "registration_seconds": times}))
    print("database built", json.dumps(build["loo"][args.reference]), flush=True)

    ref = args.reference
    fp_test, fp_test_1ml, frac_test, pattern_normals = [], [], [], {k: [] for k in stats.PATTERNS}

    def clusters_1ml(r):  # the rule before calibration (z <= -2, >= 1 mL), on the same z-map
        return stats.clusters(r.z, space.analysis_mask, space.voxel_ml, threshold=-2.0, min_ml=1.0)

    for i in range(args.test_normals):
        vol, tr = make_subject(20000 + i, "normal", voxel_mm=args.voxel_mm)
        r = analyse(vol, db, ref, age=tr.age, native_fwhm_mm=tr.fwhm_mm)
        fp_test.append(len(r.clusters))
        fp_test_1ml.append(len(clusters_1ml(r)))
        zb = r.z[space.analysis_mask]
        frac_test.append(float(np.mean(zb <= -2)))
        for k, v in r.pattern_scores.items():
            pattern_normals[k].append(v["abnormal"])
    print(f"test normals: {np.mean(fp_test):.2f} clusters per normal (1 mL rule: {np.mean(fp_test_1ml):.2f})", flush=True)

    kinds = ["AD"] * args.patients + ["bvFTD"] * args.patients + \
        ["MTLE-L"] * (args.patients // 2) + ["MTLE-R"] * (args.patients - args.patients // 2)
    per = []
    for n, kind in enumerate(kinds):
        vol, tr = make_subject(30000 + n, kind, voxel_mm=args.voxel_mm)
        r = analyse(vol, db, ref, age=tr.age, native_fwhm_mm=tr.fwhm_mm)
        lm_err["patient"].append(landmark_error(r.normalisation, tr, lms))
        truth = truth_on_grid(tr.deficit, space)
        am = space.analysis_mask & np.isfinite(r.z)
        a = auc(-r.z[am], truth[am])
        pred = (r.z <= -2) & am
        dice = float(2 * (pred & truth).sum() / max(pred.sum() + (truth & am).sum(), 1))
        peak_err = None
        if r.clusters:
            c = r.clusters[0]["peak_mni_ras_mm"]
            lps = np.array([-c[0], -c[1], c[2]])
            tk = np.argwhere(truth)
            tw = np.array(space.geometry.origin) + space.spacing_mm * tk[:, ::-1]
            dist = np.linalg.norm(tw - lps, axis=1).min() if len(tw) else np.nan
            peak_err = float(dist)
        side = None
        if kind.startswith("MTLE"):
            aiz = [x["ai_z"] for x in r.regions if x["name"] in MTL_REGIONS and x["hemisphere"] == "L"]
            m = float(np.mean(aiz))
            side = "L" if m <= -2 else ("R" if m >= 2 else "none")
        c1 = clusters_1ml(r)
        tk = np.argwhere(truth)
        tw = np.array(space.geometry.origin) + space.spacing_mm * tk[:, ::-1]

        def peak_hit(cl):  # largest cluster's peak within 10 mm of a true deficit voxel
            if not cl or not len(tw):
                return False
            kji = cl[0]["peak_kji"] if "peak_kji" in cl[0] else None
            if kji is None:
                c = cl[0]["peak_mni_ras_mm"]
                p = np.array([-c[0], -c[1], c[2]])
            else:
                p = np.array(space.geometry.kji_to_world(kji))
            return bool(np.linalg.norm(tw - p, axis=1).min() <= 10.0)

        per.append({"kind": kind, "auc": a, "dice": dice, "peak_error_mm": peak_err, "n_clusters": len(r.clusters),
                    "n_clusters_1ml": len(c1), "detected": peak_hit(r.clusters), "detected_1ml": peak_hit(c1),
                    "patterns": {k: v["abnormal"] for k, v in r.pattern_scores.items()},
                    "scores": {k: v["t_sum_z_ml"] for k, v in r.pattern_scores.items()},
                    "lateralised": side, "true_side": kind[-1] if kind.startswith("MTLE") else None})
        print(f"{kind}: AUC {a:.3f} Dice {dice:.3f} peak error {peak_err} side {side}", flush=True)

    sweep = []
    if not args.no_sweep:
        centre = np.array([-38.0, 62.0, 38.0])  # LPS: RAS (38, -62, 38), right inferior parietal
        for amp in [float(v) for v in args.sweep_amplitudes.split(",")]:
            for radius in [float(v) for v in args.sweep_radii.split(",")]:
                vol, tr = make_subject(40000 + len(sweep), "normal", voxel_mm=args.voxel_mm,
                                       extra_deficit={"centre_mni": centre, "radius_mm": radius, "amplitude": amp})
                r = analyse(vol, db, ref, age=tr.age, native_fwhm_mm=tr.fwhm_mm)
                hit = False
                for c in r.clusters:
                    p = np.array([-c["peak_mni_ras_mm"][0], -c["peak_mni_ras_mm"][1], c["peak_mni_ras_mm"][2]])
                    if np.linalg.norm(p - centre) <= radius + 10.0:
                        hit = True
                hit1 = any(np.linalg.norm(np.array(space.geometry.kji_to_world(c["peak_kji"])) - centre) <= radius + 10.0
                           for c in clusters_1ml(r))
                sweep.append({"amplitude": amp, "radius_mm": radius, "detected": hit, "detected_1ml": hit1})
                print(f"sweep {amp:.2f} x {radius:.0f} mm: {'detected' if hit else 'missed'}", flush=True)

    def summ(kind_prefix, key):
        v = [p[key] for p in per if p["kind"].startswith(kind_prefix) and p[key] is not None]
        return {"mean": float(np.mean(v)) if v else None, "min": float(np.min(v)) if v else None,
                "max": float(np.max(v)) if v else None, "n": len(v)}

    mtle = [p for p in per if p["kind"].startswith("MTLE")]
    res = {
        "settings": vars(args) | {"out": str(out)},
        "registration_seconds_mean": float(np.mean(times)) if times else None,
        "landmark_error_mm_patients": {"mean": float(np.mean(lm_err["patient"])), "max": float(np.max(lm_err["patient"]))},
        "landmark_error_mm_normals": ({"mean": float(np.mean(lm_err["normal"])),
                                       "p95": float(np.percentile(lm_err["normal"], 95)),
                                       "max": float(np.max(lm_err["normal"])), "n": len(lm_err["normal"])}
                                      if lm_err["normal"] else None),
        "database_n": len(db.meta["subjects"]),
        "database_loo": build["loo"],
        "test_normals_false_positive_clusters_per_normal": float(np.mean(fp_test)),
        "test_normals_false_positive_clusters_per_normal_1ml_rule": float(np.mean(fp_test_1ml)),
        "cluster_rule": {r_: {k: v for k, v in build["loo"][r_].items() if k.startswith("cluster") or "false" in k}
                         for r_ in build["loo"]},
        "patients_detected_largest_cluster_peak_within_10mm": {
            "calibrated": {k: float(np.mean([p["detected"] for p in per if p["kind"].startswith(k)])) for k in ("AD", "bvFTD", "MTLE")},
            "1ml_rule": {k: float(np.mean([p["detected_1ml"] for p in per if p["kind"].startswith(k)])) for k in ("AD", "bvFTD", "MTLE")}},
        "patients_clusters_mean": {"calibrated": float(np.mean([p["n_clusters"] for p in per])),
                                   "1ml_rule": float(np.mean([p["n_clusters_1ml"] for p in per]))},
        "test_normals_voxel_fraction_z_le_-2": float(np.mean(frac_test)),
        "pattern_specificity_test_normals": {k: 1.0 - float(np.mean(v)) for k, v in pattern_normals.items()},
        "auc": {k: summ(k, "auc") for k in ("AD", "bvFTD", "MTLE")},
        "dice": {k: summ(k, "dice") for k in ("AD", "bvFTD", "MTLE")},
        "peak_error_mm": {k: summ(k, "peak_error_mm") for k in ("AD", "bvFTD", "MTLE")},
        "pattern_sensitivity": {"AD": float(np.mean([p["patterns"]["AD"] for p in per if p["kind"] == "AD"])),
                                "bvFTD": float(np.mean([p["patterns"]["bvFTD"] for p in per if p["kind"] == "bvFTD"]))},
        "lateralisation_accuracy": float(np.mean([p["lateralised"] == p["true_side"] for p in mtle])) if mtle else None,
        "sweep": sweep, "patients": per, "wall_seconds": time.time() - t_start,
    }
    (out / "validate_brain.json").write_text(json.dumps(res, indent=1, default=str))
    print(json.dumps({k: v for k, v in res.items() if k not in ("patients", "sweep")}, indent=1, default=str))
    print("sweep (amplitude x radius -> detected calibrated, detected 1 mL rule):",
          [(s["amplitude"], s["radius_mm"], s["detected"], s["detected_1ml"]) for s in sweep])
    return 0


if __name__ == "__main__":
    sys.exit(main())
