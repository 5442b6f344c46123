"""`workstation import PATH...`: index DICOM files into the study database (header-only)."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("import", help="index DICOM files below PATH into the study database",
                       description="Scan PATH (files or folders) header-only and index every DICOM instance in the "
                                   "study database. Source files are never written. Re-importing is idempotent.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    p.add_argument("--workers", type=int, default=None, help="parallel header readers (default: CPU count)")
    p.add_argument("--show-skipped", action="store_true", help="list every skipped file with the reason")
    p.set_defaults(func=run)


def run(args) -> int:
    from workstation.core.text import printable
    from workstation.io.db import StudyDB
    from workstation.tasks import Progress

    def report(frac, msg):
        if sys.stderr.isatty():
            print(f"\r{100 * frac:5.1f}% {msg}", end="", file=sys.stderr, flush=True)

    with StudyDB(args.db) as db:
        summary = db.import_paths(args.paths, progress=Progress(report), workers=args.workers)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"imported: {summary.text()}")
        touched = set(summary.series_uids or [])
        for row in db.series():
            if row.series_uid in touched:
                kind = "" if row.is_image else " (non-image, indexed only)"
                num = row.series_number if row.series_number is not None else "-"
                print(printable(f"  {row.modality:<4} #{num:<4} {row.n_instances:>5} instances  {row.description}{kind}"))
        if summary.skipped:
            shown = summary.skipped if args.show_skipped else summary.skipped[:5]
            for path, reason in shown:
                print(printable(f"  skipped {path}: {reason}"))
            if len(summary.skipped) > len(shown):
                print(f"  ... and {len(summary.skipped) - len(shown)} more (--show-skipped lists them)")
        print(f"database: {db.path}")
    return 0
