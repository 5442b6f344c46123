"""`workstation lesions PET_SERIES_DIR --method ...`: segment lesions and list SUVmax/mean/peak, MTV, TLG.

Whole-body by default (connected components above the method's threshold, at least
``--min-volume`` mL); with ``--seed x,y,z`` one lesion grown from that world point. The rules of
every method are those of :mod:`workstation.analysis.lesions.segmentation`. Coordinates are DICOM patient
coordinates (LPS, mm), the ones the viewer shows.
"""

from __future__ import annotations


def add_parser(sub):

    p = sub.add_parser("lesions", help="segment lesions (whole-body or seeded) and list SUVmax/mean/peak, MTV, TLG",
                       description="Load one PET series, convert it to SUV and segment lesions: whole-body "
                                   "(26-connected components above the threshold, at least --min-volume mL) or, "
                                   "with --seed, the one lesion grown from that point. Lists each lesion's centre, "
                                   "SUVmax, SUVmean, SUVpeak (1 cm3 sphere), MTV and TLG, and whole-body totals.")
    p.add_argument("pet_dir", metavar="PET_SERIES_DIR")
    p.add_argument("--seed", metavar="X,Y,Z", help="world point (LPS mm) on the lesion: seeded segmentation (write --seed=-12,5,-345 when x is negative)")
    add_finding_options(p)
    p.add_argument("--series", metavar="UID", help="PET series instance UID when the folder holds several")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    from workstation.cli.common import add_suv_arguments

    add_suv_arguments(p)
    p.set_defaults(func=run)


def add_finding_options(p) -> None:
    """The lesion-finding options of `lesions`, `export` and `report` (one definition: the same
    names, defaults and meaning in all three; the viewer uses the same defaults from
    ``analysis.lesions.segmentation``). ``--seed`` is added by each command (one or several)."""
    from workstation.core.vocabulary import DEFAULT_CONSTRAINT_MM, DEFAULT_EXCLUDE, ORGANS
    from workstation.core.vocabulary import METHODS_HELP

    p.add_argument("--method", default="fixed:2.5", metavar="METHOD", help=f"{METHODS_HELP}; default fixed:2.5")
    p.add_argument("--liver", metavar="X,Y,Z", help="centre (LPS mm) of the 3 cm liver reference VOI, needed by percist (--liver=-60,-40,-560)")
    p.add_argument("--min-volume", type=float, default=0.5, metavar="ML",
                   help="whole-body: smallest lesion kept, in mL (default 0.5)")
    p.add_argument("--exclude", action="append", choices=list(ORGANS), default=None,
                   help="whole-body: leave out only these organs (repeatable); default: "
                        f"{' and '.join(DEFAULT_EXCLUDE)}. An organ is a mask found from the image; a lesion "
                        "touching it is cut at its boundary and kept")
    p.add_argument("--no-exclude", action="store_true", help="whole-body: keep the brain and bladder")
    p.add_argument("--constraint", type=float, default=None, metavar="MM",
                   help=f"seeded: radius of the sphere around the seed the region may grow in (default: "
                        f"{DEFAULT_CONSTRAINT_MM:g} mm, enlarged in steps while the lesion reaches it)")


def finding_from_args(args) -> dict:
    """``exclude`` and ``constraint`` keyword arguments of the finder from the shared options."""
    from workstation.core.vocabulary import DEFAULT_EXCLUDE

    from workstation.cli.common import UserError

    if args.no_exclude and args.exclude:
        raise UserError("--no-exclude and --exclude contradict each other; give one")
    exclude = () if args.no_exclude else (tuple(args.exclude) if args.exclude else DEFAULT_EXCLUDE)
    if args.constraint is not None and not 0 < args.constraint < float("inf"):
        raise UserError("--constraint must be a finite radius in mm above 0")
    return {"exclude": exclude, "constraint": args.constraint}


def parse_point(text: str, option: str) -> tuple[float, float, float]:
    """'x,y,z' (mm) -> tuple; UserError naming the option otherwise."""
    import math

    from workstation.cli.common import UserError

    parts = [s for s in str(text).replace(";", ",").split(",") if s.strip()]
    try:
        xyz = tuple(float(s) for s in parts)
    except ValueError:
        xyz = ()
    if len(xyz) != 3 or not all(math.isfinite(v) for v in xyz):
        raise UserError(f"{option} {text!r}: give three world coordinates in mm as x,y,z (e.g. {option} 12.5,-80,310)")
    return xyz  # type: ignore[return-value]


def checked_pet_and_suv(args):
    """Check ``--min-volume`` and ``--method``, then load the PET series and its SUV (with the
    overrides of the command line): the common start of ``lesions`` and ``export``."""
    from workstation.analysis.suv.factor import compute_suv
    from workstation.core.vocabulary import VocabularyError, parse_method
    from workstation.io.loader import load_pet_folder

    from workstation.cli.common import UserError, overrides_from_args

    if args.min_volume is None or not args.min_volume >= 0:
        raise UserError("--min-volume must be 0 or more (mL)")
    try:
        parse_method(args.method)
    except VocabularyError as exc:
        raise UserError(f"--method: {exc}") from None
    pet = load_pet_folder(args.pet_dir, series_uid=args.series)
    return pet, compute_suv(pet.pet, args.suv, overrides_from_args(args))


def run(args) -> int:
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.segmentation import find_lesions
    from workstation.analysis.suv.apply import suv_array

    from workstation.cli.common import UserError, print_json, with_option

    seed = parse_point(args.seed, "--seed") if args.seed else None
    liver = parse_point(args.liver, "--liver") if args.liver else None
    pet, res = checked_pet_and_suv(args)
    suv = suv_array(pet, res)
    kw = finding_from_args(args)
    try:
        rep = find_lesions(suv, pet.geometry, args.method, seed_world=seed, liver_world=liver,
                           min_volume_ml=args.min_volume, **kw)
    except QuantError as exc:
        raise UserError(with_option(str(exc), exc.field)) from None
    if seed is None:  # whole body: FDG's method
        from workstation.analysis.lesions.findings import whole_body_tracer_warning

        caveat = whole_body_tracer_warning(pet)
        if caveat:
            rep.warnings.append(caveat)
    warnings = list(pet.warnings) + list(res.warnings) + list(rep.warnings)
    if args.json:
        out = rep.to_dict()
        out.update({"suv_type": res.suv_type, "suv_units": res.units, "suv_factor": res.factor,
                    "provenance": res.provenance, "warnings": warnings})
        print_json(out)
        return 0
    print(format_report(rep, res.units))
    print(f"SUV type {res.suv_type}, factor {res.factor:.9g} ({res.units}); `workstation suv-info` shows the trail")
    for w in warnings:
        print(f"warning: {w}")
    return 0


def format_report(rep, units: str = "g/ml") -> str:
    """The lesion table as text."""
    kind = "seeded" if rep.seeded else f"whole-body, min volume {rep.min_volume_ml:g} mL"
    thr = f"threshold SUV {rep.threshold:.3f}" if rep.threshold is not None else "per-lesion thresholds"
    lines = [f"method {rep.method} ({kind}), {thr}"]
    if rep.reference and "liver" in rep.reference:
        liv = rep.reference["liver"]
        lines.append(f"liver VOI at {_xyz(liv['centre_world'])}: SUVmean {liv['mean']:.3f}, SD {liv['std']:.3f}, "
                     f"{liv['voxels']} voxels")
    if not rep.seeded:
        lines.append("excluding: " + (", ".join(rep.exclude_rules) + f" ({len(rep.excluded)} component(s) removed)"
                                      if rep.exclude_rules else "nothing (--no-exclude)"))
    if rep.seeded and rep.constraint:
        c = rep.constraint
        shape = (f"sphere of radius {c['radius_mm']:g} mm" if c["shape"] == "sphere"
                 else "box " + " x ".join(f"{2 * h:g}" for h in c["half_size_mm"]) + " mm")
        grown = (f" (enlarged from {c['enlarged_from_mm']:g} mm: the lesion reached the smaller ones)"
                 if c.get("enlarged_from_mm") else "")
        lines.append(f"constraint: {shape} around {_xyz(c['centre_world'])}{grown}")
    for e in rep.excluded:
        cut = e.get("kept_outside_ml", 0.0)
        lines.append(f"excluded as {e['organ']}: {e['volume_ml']:.1f} mL at {_xyz(e['centre_world'])}, "
                     f"SUVmax {e['suvmax']:.2f}" + (f" (cut from a {e['component_ml']:.1f} mL region; "
                                                    f"{cut:.1f} mL outside the {e['organ']} kept)" if cut > 0 else ""))
    head = f"{'#':>3}  {'centre x,y,z (mm)':<26} {'SUVmax':>8} {'SUVmean':>8} {'SUVpeak':>8} {'MTV mL':>9} {'TLG':>10}  {'thr':>6}"
    lines.append(head)
    for les in rep.lesions:
        lines.append(f"{les.label:>3}  {_xyz(les.centre_world):<26} {les.suvmax:8.3f} {les.suvmean:8.3f} "
                     f"{les.suvpeak:8.3f} {les.mtv_ml:9.3f} {les.tlg:10.3f}  {les.threshold:6.3f}")
    lines.append(f"total: {rep.count} lesion(s), MTV {rep.total_mtv_ml:.3f} mL, TLG {rep.total_tlg:.3f} "
                 f"({units}·mL)")
    return "\n".join(lines)


def _xyz(p) -> str:
    return ",".join(f"{float(v):.1f}" for v in p)
