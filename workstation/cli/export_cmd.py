"""`workstation export seg|sr|rwvm|sc PET_SERIES_DIR --out FILE.dcm`: results as DICOM objects.

Lesions are found exactly as ``workstation lesions`` finds them (same method, seeds, minimum
volume, exclusions, SUV type and overrides; ``analysis.reading.measure``). ``seg``: one segment
per lesion (+ liver / blood-pool reference regions when their centres are given); ``sr``: TID 1500
measurement report (writes the SEG it refers to beside it, ``OUT-seg.dcm`` unless ``--seg``);
``rwvm``: the SUV factor as a Real World Value Mapping; ``sc``: secondary-capture key images
(``OUT-mip.dcm``, ``OUT-lesion-N.dcm``). Existing files are never replaced without ``--force``.
"""

from __future__ import annotations


def add_reading_arguments(p) -> None:
    """The lesion-finding options shared with `workstation report` (same meaning as in `lesions`)."""
    from workstation.core.vocabulary import METHODS_HELP

    from .common import add_suv_arguments

    p.add_argument("pet_dir", metavar="PET_SERIES_DIR")
    p.add_argument("--method", default="fixed:2.5", metavar="METHOD", help=f"{METHODS_HELP}; default fixed:2.5")
    p.add_argument("--seed", action="append", default=[], metavar="X,Y,Z",
                   help="world point (LPS mm) on a lesion: seeded segmentation, one lesion per seed; repeat "
                        "for several lesions (write --seed=-12,5,-345 when x is negative)")
    p.add_argument("--liver", metavar="X,Y,Z", help="centre (LPS mm) of the 3 cm liver reference VOI (percist, Deauville)")
    p.add_argument("--blood-pool", metavar="X,Y,Z",
                   help="centre (LPS mm) of the blood-pool reference VOI (1 cm x 2 cm cylinder; Deauville with --liver)")
    p.add_argument("--min-volume", type=float, default=0.5, metavar="ML", help="whole-body: smallest lesion kept (mL)")
    p.add_argument("--exclude", action="append", choices=["brain", "bladder"], default=[],
                   help="whole-body: leave out the brain / bladder (repeatable)")
    p.add_argument("--series", metavar="UID", help="PET series instance UID when the folder holds several")
    add_suv_arguments(p)


def add_parser(sub):
    p = sub.add_parser("export", help="write lesions as DICOM SEG, SR (TID 1500), RWVM or key images",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("kind", choices=["seg", "sr", "rwvm", "sc"], help="what to write")
    add_reading_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.dcm", help="output file")
    p.add_argument("--seg", metavar="FILE.dcm", help="sr: where to write the SEG it refers to (default OUT-seg.dcm)")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.set_defaults(func=run)


def reading_from_args(args):
    """Load, SUV-convert and segment as `workstation lesions` does; returns an analysis.reading.Reading."""
    from workstation.analysis.errors import QuantError
    from workstation.analysis.reading import measure

    from .common import UserError, with_option
    from .lesions_cmd import checked_pet_and_suv, parse_point

    seeds = [parse_point(s, "--seed") for s in args.seed]
    liver = parse_point(args.liver, "--liver") if args.liver else None
    bp = parse_point(args.blood_pool, "--blood-pool") if args.blood_pool else None
    pet, res = checked_pet_and_suv(args)
    try:
        return measure(pet, res, args.method, seeds=seeds, liver_world=liver, blood_pool_world=bp,
                       min_volume_ml=args.min_volume, exclude=tuple(args.exclude))
    except QuantError as exc:
        raise UserError(with_option(str(exc), exc.field)) from None


def run(args) -> int:
    from workstation.analysis.errors import QuantError
    from workstation.analysis.reading import export
    from workstation.io.export_common import ExportError, check_target

    from .common import UserError

    try:
        check_target(args.out, args.force)  # fail before the (long) segmentation
        reading = reading_from_args(args)
        paths = export(reading, args.kind, args.out, overwrite=args.force, seg_out=args.seg)
    except (QuantError, ExportError) as exc:
        raise UserError(str(exc)) from None
    print(f"{len(reading.lesions)} lesion(s), method {reading.report.method}, SUV type {reading.suv.suv_type}")
    for p in paths:
        print(f"wrote {p}")
    return 0
