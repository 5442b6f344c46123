"""`workstation demo --out DIR`: write the deterministic synthetic FDG PET/CT demo study.

With ``--with-listmode`` it also writes raw data to reconstruct, ``DIR/listmode/demo.petsird``:
PETSIRD list-mode of one bed position of the same phantom (the demo study's solids and lesions,
their FDG activity in Bq/mL and their 511 keV attenuation from the organ CT numbers) on a small
ring scanner centred on the large liver lesion, simulated by the ``listmode-osem`` plugin's
photon-tracing simulator, with the PET header facts (dose, injection time, acquisition start =
the PET series time, weight) in the PETSIRD exam header. ``workstation recon --plugin
listmode-osem --input DIR/listmode/demo.petsird --ct DIR/CT --out OUT`` reconstructs it into a
PET series in the CT's study.
"""

from __future__ import annotations

from workstation.core.strict_json import dumps as strict_dumps
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
    p.add_argument("--followup", action="store_true",
                   help="write two time points of the demo patient: DIR/baseline (the demo study) and DIR/followup "
                        "(the patient moved a few mm and rotated slightly, lesions changed by known amounts, one "
                        "gone, one new), with the expected matches and response categories in "
                        "DIR/followup/truth.json")
    p.add_argument("--import", dest="do_import", action="store_true", help="also import it into the study database")
    p.add_argument("--summary", action="store_true", help="print the study summary and SUV stats of each lesion")
    p.add_argument("--show", action="store_true",
                   help="do not write: print the summary of the demo study already in --out")
    p.add_argument("--with-listmode", action="store_true",
                   help="also write listmode/demo.petsird: simulated PETSIRD raw data of one bed position "
                        "(needs the listmode-osem plugin)")
    p.add_argument("--listmode-seconds", type=float, default=None, metavar="S",
                   help="simulated acquisition time of the list-mode bed (default 3 s: ~0.2 M prompts)")
    p.set_defaults(func=run)


def run(args) -> int:
    from workstation.demo.study import write_demo_study

    from workstation.cli.common import UserError

    out = Path(args.out)
    if args.show:
        truth_path = out / "truth.json"
        if not truth_path.exists():
            raise UserError(f"{out} holds no demo study (no truth.json); run without --show to write one")
        print_summary(out, json.loads(truth_path.read_text()))
        return 0
    from workstation.io.atomic_write import OutputError, atomic_output_dir, check_output_dir

    try:
        check_output_dir(out)
    except OutputError as exc:
        raise UserError(str(exc)) from None
    t0 = time.perf_counter()
    if args.listmode_seconds is not None and not args.with_listmode:
        raise UserError("--listmode-seconds needs --with-listmode")
    seconds = LISTMODE_SECONDS if args.listmode_seconds is None else args.listmode_seconds
    if args.with_listmode and not seconds > 0:
        raise UserError("--listmode-seconds must be positive")
    if args.with_listmode:
        try:
            import listmode_osem  # noqa: F401
        except ImportError as exc:
            raise UserError(f"--with-listmode needs the listmode-osem plugin ({exc}); "
                            "pip install -e plugins/listmode-osem") from None
    if args.followup:
        if args.with_listmode or args.do_import or args.summary:
            raise UserError("--followup cannot be combined with --with-listmode, --import or --summary")
        from workstation.demo.study import write_followup_study

        try:  # the whole folder or nothing (a full disk leaves no partial study)
            with atomic_output_dir(out) as tmp:
                truth = write_followup_study(tmp, seed=args.seed)
        except OutputError as exc:
            raise UserError(str(exc)) from None
        print(f"baseline and follow-up written to {out / 'baseline'} and {out / 'followup'} in "
              f"{time.perf_counter() - t0:.1f} s; expected reading in {out / 'followup' / 'truth.json'}")
        for row in truth["followup"]["lesions"]:
            print(f"  {row['name']:<24} {row['status']:<12} SUVbw {row['suvmax_bw']['baseline']:5.1f} -> "
                  f"{row['suvmax_bw']['followup']:5.1f}  PERCIST {row['percist']}  EORTC {row['eortc']}")
        return 0
    info = None
    try:  # the whole folder or nothing (a full disk leaves no partial study)
        with atomic_output_dir(out) as tmp:
            truth = write_demo_study(tmp, seed=args.seed)
            t_study = time.perf_counter() - t0
            if args.with_listmode:
                t0 = time.perf_counter()
                info = write_demo_listmode(tmp / "listmode" / "demo.petsird", truth, seed=args.seed,
                                           duration_s=seconds)
                truth["listmode"] = info
                (tmp / "truth.json").write_text(strict_dumps(truth, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")
    except OutputError as exc:
        raise UserError(str(exc)) from None
    print(f"demo study written to {out} in {t_study:.1f} s")
    if info is not None:
        print(f"list-mode written to {info['file']} ({info['prompts']} prompts, {info['duration_s']:g} s, bed centred "
              f"at z = {info['bed_centre_z_mm']:g} mm) in {time.perf_counter() - t0:.1f} s")
    if args.do_import:
        from workstation.io.db import StudyDB

        with StudyDB() as db:
            print(f"imported: {db.import_paths([out]).text()}")
    if args.summary:
        print_summary(out, truth)
    return 0


def print_summary(out: Path, truth: dict) -> None:
    """Print the demo PET read back through the normal data path, each lesion against its truth."""
    from workstation.demo.truth import compare_with_truth

    c = compare_with_truth(out, truth)
    (nk, nj, ni), sp = c.shape_kji, c.spacing
    print(f"PET: {ni}x{nj}x{nk} voxels of {' x '.join(f'{s:.2f}' for s in sp)} mm, "
          f"units {c.units}; truth: {out / 'truth.json'}")
    print(c.suv.to_text())
    print(f"\n{'lesion':<22}{'r mm':>6}{'true SUV':>10}{'SUVmax':>9}{'SUVpeak':>9}{'SUVmean':>9}  (sphere VOI of the true radius)")
    for r in c.rows:
        peak = "" if r.reference else f"{(r.suv_peak if r.suv_peak is not None else float('nan')):.2f}"
        print(f"{r.name:<22}{r.radius_mm:>6.1f}{r.true_suv:>10.2f}{r.suv_max:>9.2f}{peak:>9}{r.suv_mean:>9.2f}")
    b = truth.get("brain")
    if b:
        d = b["deficit"]
        print(f"\nbrain: MNI152 grey/white brain with an {d['pattern']} deficit of {100 * d['amplitude']:.0f} % in "
              f"{', '.join(d['regions'])} (both sides, {d['grey_matter_ml']:.0f} mL of grey matter); read it with "
              f"`workstation brain {out} --db NAME`")
    sys.stdout.flush()


# one bed position of the demo phantom on a small ring scanner (big enough for the trunk)
LISTMODE_SCANNER = dict(radius=230.0, n_per_ring=144, n_rings=8, ring_pitch=6.0, tof_fwhm_mm=60.0, n_tof_bins=13)
LISTMODE_LESION = "liver_large"  # the bed is centred on this lesion
LISTMODE_SECONDS = 3.0
LISTMODE_RANDOMS_FRACTION = 0.05


def demo_phantom_shapes(truth: dict, z_shift: float = 0.0) -> list:
    """The demo study's solids as shapes of the list-mode simulator (see listmode_osem.simulate):
    ``(kind, params, activity Bq/mL, mu 1/cm)``, painted in the same order, moved by ``z_shift``."""
    from workstation.demo import phantom as phantom_mod
    from workstation.recon.attenuation import hu_to_mu_511

    bq_per_suv = float(truth["suv"]["bqml_per_suv"])
    shapes = []
    for organ, solid in phantom_mod.PHANTOM_LAYERS:
        o = phantom_mod.ORGANS[organ]
        act, mu = o.suv * bq_per_suv, float(hu_to_mu_511(o.hu))
        if isinstance(solid, phantom_mod.CylinderZ):
            (cx, cy), (a, b) = solid.center_xy, solid.semi_xy
            shapes.append((5, (cx, cy, a, b, solid.z0 + z_shift, solid.z1 + z_shift, 0, 0), act, mu))
        elif isinstance(solid, phantom_mod.Ellipsoid):
            (cx, cy, cz), (a, b, c) = solid.center, solid.semi
            shapes.append((4, (cx, cy, cz + z_shift, a, b, c, 0, 0), act, mu))
        else:
            raise TypeError(f"demo solid {solid!r} has no list-mode simulator shape")
    for les in truth["lesions"]:
        x, y, z = les["centre_lps_mm"]
        shapes.append((0, (x, y, z + z_shift, les["radius_mm"], 0, 0, 0, 0), les["activity_bqml"],
                       float(hu_to_mu_511(les["hu"]))))
    return shapes


def write_demo_listmode(path: Path, truth: dict, seed: int = 0, duration_s: float = LISTMODE_SECONDS) -> dict:
    """Simulate and write PETSIRD list-mode of one bed of the demo phantom; returns facts for truth.json."""
    from datetime import datetime

    import listmode_osem as lm

    les = next(x for x in truth["lesions"] if x["name"] == LISTMODE_LESION)
    zc = float(les["centre_lps_mm"][2])
    scanner = lm.cylindrical_scanner(**LISTMODE_SCANNER, model_name="WS-DEMO-RING")
    # the simulator works in the scanner frame (axial centre z = 0): move the phantom by -zc there,
    # and place the scanner's crystals at the bed position (zc) in the file, i.e. in patient coordinates
    prompts, _, delayeds, stats = lm.simulate_listmode(scanner, demo_phantom_shapes(truth, -zc), duration_s,
                                               LISTMODE_RANDOMS_FRACTION, seed=int(seed))
    scanner.axial_offset = zc  # type: ignore[attr-defined]
    h = truth["pet_header"]
    exam = lm.make_exam(datetime.fromisoformat(h["series_datetime"]),
                                datetime.fromisoformat(h["injection_datetime"]), float(h["injected_dose_bq"]),
                                float(h["weight_kg"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    lm.write_listmode(path, scanner, prompts.T, delayeds.T, duration_s=duration_s, exam=exam)
    half = LISTMODE_SCANNER["n_rings"] * LISTMODE_SCANNER["ring_pitch"] / 2
    return {"file": str(Path("listmode") / path.name), "bed_centre_z_mm": zc,
            "axial_fov_z_mm": [zc - half, zc + half], "centred_on_lesion": LISTMODE_LESION,
            "duration_s": duration_s, "scanner": dict(LISTMODE_SCANNER), "seed": int(seed),
            "prompts": int(len(prompts)), **{k: int(v) for k, v in stats.items()},
            "simulator": "listmode_osem.simulate (photon tracing of the analytic phantom, activity confined to the "
                         "axial field of view)"}
