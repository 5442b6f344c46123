"""`workstation report PET_SERIES_DIR --out FILE.pdf [--lang zh_CN|en]`: the PDF reading report.

Lesions are found as `workstation lesions` / `workstation export` find them (same options). The
report holds the patient/study header, technique, SUV provenance, the MIP with numbered lesions,
one key image per lesion (the fused slice with ``--ct CT_DIR``), the lesion table, reference regions, the impression (typed with
--impression or read from --impression-file) and a signature line.
"""

from __future__ import annotations


def add_parser(sub):
    from workstation.cli.export_cmd import add_reading_arguments

    p = sub.add_parser("report", help="write the PDF reading report (English or Chinese, A4 or Letter)",
                       description=__doc__.split("\n\n", 1)[1])
    add_reading_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="output PDF")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="report language (default en)")
    p.add_argument("--page", default="A4", choices=["A4", "Letter", "a4", "letter"], help="page size (default A4)")
    p.add_argument("--impression", default="", metavar="TEXT", help="the physician's impression")
    p.add_argument("--impression-file", metavar="FILE", help="read the impression from a UTF-8 text file")
    p.add_argument("--physician", default="", metavar="NAME", help="reading physician's name")
    p.add_argument("--glucose", default="", metavar="VALUE", help="blood glucose with its unit, e.g. '5.4 mmol/L'")
    p.add_argument("--force", action="store_true", help="replace an existing PDF")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from workstation.analysis.reading.key_images import png_bytes
    from workstation.report.reading_report import ReportError, content_from_reading, write_pdf

    from workstation.cli.common import UserError
    from workstation.cli.export_cmd import key_images_from_args, key_png_scale, print_finding, reading_from_args

    from workstation.io.atomic_write import check_output

    out = check_output(args.out, args.force)  # before any work: only an earlier regular file is replaced
    impression = args.impression
    if args.impression_file:
        try:
            impression = Path(args.impression_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"--impression-file {args.impression_file}: cannot read it as UTF-8 text "
                            f"({type(exc).__name__})") from None
    reading = reading_from_args(args)
    images = [(im.title, png_bytes(im, scale=key_png_scale(im))) for im in key_images_from_args(args, reading)]
    content = content_from_reading(reading, images=images, impression=impression, physician=args.physician,
                                   glucose=args.glucose, anatomy="CT" if getattr(args, "ct", None) else "")
    try:
        write_pdf(out, content, lang=args.lang, page=args.page, overwrite=args.force)
    except ReportError as exc:
        raise UserError(str(exc)) from None
    print_finding(reading)
    from workstation.io.audit_events import audit_event

    audit_event("report", volume=reading.pet, detail=f"PDF reading report, {len(reading.lesions)} lesion(s)")
    print(f"wrote {out}")
    return 0
