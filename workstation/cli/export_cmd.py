"""`workstation export seg|sr|rwvm|sc PET_SERIES_DIR --out FILE.dcm`: results as DICOM objects.

Lesions are found exactly as ``workstation lesions`` finds them (same method, seeds, minimum
volume, exclusions, SUV type and overrides; ``analysis.reading.measure``). ``seg``: one segment
per lesion (+ liver / blood-pool reference regions when their centres are given); ``sr``: TID 1500
measurement report (writes the SEG it refers to beside it, ``OUT-seg.dcm`` unless ``--seg``);
``rwvm``: the SUV factor as a Real World Value Mapping; ``sc``: secondary-capture key images
(``OUT-mip.dcm``, ``OUT-lesion-N.dcm``); ``all``: into the folder ``--out`` (created when missing),
SEG + RWVM + SR (its measurement groups reference the SEG segments and the RWVM) + key images +
the PDF report (``seg.dcm``, ``rwvm.dcm``, ``sr.dcm``, ``key-*.dcm``, ``report.pdf``). With
``--ct CT_DIR`` the lesion key images are the fused slice (CT grey + PET colour, as the viewer
shows it, with the outline). With ``--baseline BASELINE_DIR --baseline-liver X,Y,Z`` (and
``--liver`` of this study) the follow-up response is computed as `workstation response` does and
its PERCIST category written in the SR. Existing files are never replaced without ``--force``.
"""

from __future__ import annotations


def add_reading_arguments(p) -> None:
    """The lesion-finding options shared with `workstation report` (same meaning as in `lesions`)."""
    from workstation.cli.common import add_suv_arguments
    from workstation.cli.lesions_cmd import add_finding_options

    p.add_argument("pet_dir", metavar="PET_SERIES_DIR")
    p.add_argument("--seed", action="append", default=[], metavar="X,Y,Z",
                   help="world point (LPS mm) on a lesion: seeded segmentation, one lesion per seed; repeat "
                        "for several lesions (write --seed=-12,5,-345 when x is negative)")
    add_finding_options(p)
    p.add_argument("--blood-pool", metavar="X,Y,Z",
                   help="centre (LPS mm) of the blood-pool reference VOI (1 cm x 2 cm cylinder; Deauville with --liver)")
    p.add_argument("--series", metavar="UID", help="PET series instance UID when the folder holds several")
    p.add_argument("--ct", metavar="CT_DIR", help="folder with the CT (one series): key images are the fused slice")
    p.add_argument("--colormap", default="hot iron", choices=["hot iron", "rainbow", "grey", "inverted grey"],
                   help="PET colour map of the fused key images (default hot iron)")
    p.add_argument("--pet-window", default="0,5", metavar="LO,HI", help="PET window of the fused key images, SUV "
                                                                         "(default 0,5)")
    p.add_argument("--ct-window", default="400,40", metavar="W,L", help="CT window width,level (default 400,40)")
    add_suv_arguments(p)


def add_parser(sub):
    p = sub.add_parser("export", help="write lesions as DICOM SEG, SR (TID 1500), RWVM or key images",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("kind", choices=["seg", "sr", "rwvm", "sc", "all"], help="what to write (all: everything, "
                                                                              "into the folder --out)")
    add_reading_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.dcm", help="output file (all: output folder)")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="all: language of the PDF report")
    p.add_argument("--baseline", metavar="BASELINE_DIR",
                   help="baseline study (PET and its CT): the SR carries the PERCIST response of this follow-up")
    p.add_argument("--baseline-liver", metavar="X,Y,Z", help="with --baseline: liver centre in the baseline (LPS mm)")
    p.add_argument("--no-register", action="store_true",
                   help="with --baseline: the two studies' world coordinates already agree (no CT registration)")
    p.add_argument("--seg", metavar="FILE.dcm", help="sr: where to write the SEG it refers to (default OUT-seg.dcm)")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.set_defaults(func=run)


def reading_from_args(args):
    """Load, SUV-convert and segment as `workstation lesions` does; returns an analysis.reading.Reading."""
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.findings import measure

    from workstation.cli.common import UserError, with_option
    from workstation.cli.lesions_cmd import checked_pet_and_suv, finding_from_args, parse_point

    kw = finding_from_args(args)
    seeds = [parse_point(s, "--seed") for s in args.seed]
    liver = parse_point(args.liver, "--liver") if args.liver else None
    bp = parse_point(args.blood_pool, "--blood-pool") if args.blood_pool else None
    pet, res = checked_pet_and_suv(args)
    try:
        return measure(pet, res, args.method, seeds=seeds, liver_world=liver, blood_pool_world=bp,
                       min_volume_ml=args.min_volume, **kw)
    except QuantError as exc:
        raise UserError(with_option(str(exc), exc.field)) from None


def print_finding(reading) -> None:
    """What `export` and `report` say about the lesions found: count, method, exclusions, warnings."""
    rep = reading.report
    print(f"{len(reading.lesions)} lesion(s), method {rep.method}, SUV type {reading.suv.suv_type}")
    for e in rep.excluded:
        print(f"excluded as {e['organ']}: {e['volume_ml']:.1f} mL, SUVmax {e['suvmax']:.2f}")
    for w in rep.warnings:
        print(f"warning: {w}")


def _pair(text: str, option: str) -> tuple[float, float]:
    from workstation.cli.common import UserError

    try:
        a, b = (float(v) for v in str(text).split(","))
    except ValueError:
        raise UserError(f"{option} {text}: give two numbers separated by a comma") from None
    return a, b


def key_images_from_args(args, reading) -> list:
    """Key images of ``reading``: the fused slice when --ct is given, else the PET in the colour map."""
    from workstation.analysis.reading.key_images import FusionStyle, key_images
    from workstation.render.colormaps import lut

    from workstation.cli.common import UserError

    lo, hi = _pair(args.pet_window, "--pet-window")
    width, level = _pair(args.ct_window, "--ct-window")
    if not hi > lo or not width > 0:
        raise UserError("--pet-window needs LO < HI and --ct-window a positive width")
    suv_max = 10.0
    if getattr(reading.pet, "functional_modality", "PET") == "SPECT" and args.pet_window == "0,5":
        # a SPECT (therapy scan) without a window asked for: its hot spots (99.9th percentile of the positive
        # voxels, as the viewer's automatic SPECT window), not SUV 0-5, which saturates kidneys and lesions
        import numpy as np

        v = np.asarray(reading.suv_array)
        pos = v[v > 0]
        if pos.size:
            hi = suv_max = float(np.percentile(pos, 99.9))
            lo = 0.0
    style = FusionStyle(lut(args.colormap), lut("grey"), (lo, hi), (width, level))
    ct = load_ct(args.ct) if getattr(args, "ct", None) else None
    try:
        return key_images(reading, anatomy=ct, style=style, suv_max=suv_max)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def load_ct(folder):
    """The one CT series below ``folder``."""
    from workstation.io.series import find_series
    from workstation.io.loader import load_series

    from workstation.cli.common import UserError

    cts = [s for s in find_series([folder]) if s.is_image and s.modality == "CT"]
    if len(cts) != 1:
        raise UserError(f"--ct {folder}: {len(cts)} CT series found; point to a folder with exactly one CT series")
    return load_series(cts[0].files)


def response_from_args(args, reading):
    """Attach the PERCIST response of --baseline to ``reading`` (this study is the follow-up)."""
    import numpy as np

    from workstation.analysis.followup.comparison import load_timepoint, read_followup
    from workstation.analysis.lesions.findings import attach_response

    from workstation.cli.common import UserError, overrides_from_args
    from workstation.cli.lesions_cmd import parse_point

    if not args.baseline:
        if args.baseline_liver:
            raise UserError("--baseline-liver needs --baseline BASELINE_DIR")
        return reading
    if not args.baseline_liver or not args.liver:
        raise UserError("--baseline needs --baseline-liver X,Y,Z (baseline) and --liver X,Y,Z (this study): "
                        "PERCIST is measured against the liver of each study")
    ov = overrides_from_args(args)  # SUL (PERCIST) needs height and sex: the same overrides for both studies
    base = load_timepoint(args.baseline, with_ct=not args.no_register, overrides=ov)
    fu = load_timepoint(args.pet_dir, series_uid=args.series, with_ct=not args.no_register, overrides=ov)
    fr = read_followup(base, fu, parse_point(args.baseline_liver, "--baseline-liver"),
                       followup_liver_world=parse_point(args.liver, "--liver"),
                       followup_from_baseline=np.eye(4) if args.no_register else None, min_volume_ml=args.min_volume)
    return attach_response(reading, fr)


def _all_targets(args) -> list:
    """Every file `export all` writes (checked before any work), the folder made when missing."""
    from pathlib import Path

    from workstation.cli.common import UserError

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: export all writes into a folder; give a folder name")
    targets = [out / n for n in ("seg.dcm", "rwvm.dcm", "sr.dcm", "report.pdf")] + sorted(out.glob("key-*.dcm"))
    import os

    from workstation.io.atomic_write import check_output

    existing = [t for t in targets if os.path.lexists(t)]
    for t in existing:  # a device, FIFO, folder or link there is never replaced, even with --force
        if not t.is_file() or t.is_symlink():
            check_output(t, overwrite=True)
    if existing and not args.force:
        raise UserError(f"{existing[0]}: already exists; choose another folder or pass --force to replace "
                        f"({len(existing)} file(s) would be replaced)")
    return targets


def run(args) -> int:
    from pathlib import Path

    from workstation.analysis.errors import QuantError
    from workstation.analysis.followup.comparison import FollowupError
    from workstation.analysis.lesions.findings import export, export_all
    from workstation.analysis.followup.response import ResponseError
    from workstation.io.export_common import ExportError, check_target

    from workstation.cli.common import UserError

    try:
        if args.kind == "all":
            _all_targets(args)  # fail before the (long) segmentation
        else:
            check_target(args.out, args.force)
        reading = reading_from_args(args)
        response_from_args(args, reading)
        if args.kind == "all":
            out = Path(args.out)
            images = key_images_from_args(args, reading)
            out.mkdir(parents=True, exist_ok=True)
            paths = export_all(reading, out, overwrite=args.force, images=images)
            paths.append(_write_report(reading, images, out / "report.pdf", args))
        else:
            images = key_images_from_args(args, reading) if args.kind == "sc" else None
            paths = export(reading, args.kind, args.out, overwrite=args.force, seg_out=args.seg, images=images)
    except (QuantError, ExportError, FollowupError, ResponseError) as exc:
        raise UserError(str(exc)) from None
    print_finding(reading)
    if reading.response is not None:
        print(f"PERCIST: {reading.response.category}")
    from workstation.io.audit_events import audit_event

    audit_event("export", volume=reading.pet, detail=f"{args.kind}: {len(paths)} file(s), "
                f"{len(reading.lesions)} lesion(s)")
    for p in paths:
        print(f"wrote {p}")
    return 0


def _write_report(reading, images, path, args):
    from workstation.analysis.reading.key_images import png_bytes
    from workstation.report.reading_report import ReportError, content_from_reading, write_pdf

    from workstation.cli.common import UserError

    content = content_from_reading(reading, images=[(im.title, png_bytes(im, scale=key_png_scale(im)))
                                                    for im in images])
    try:
        write_pdf(path, content, lang=args.lang, overwrite=args.force)
    except ReportError as exc:
        raise UserError(str(exc)) from None
    return path


def key_png_scale(image) -> int:
    """Enlargement (nearest) of a key image in the PDF: 3 for 2 mm pixels, about 1.5 px per mm, at least 1."""
    return max(1, int(round(1.5 * float(image.mm_per_pixel))))
