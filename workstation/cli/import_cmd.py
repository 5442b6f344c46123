"""`workstation import PATH...`: index DICOM files into the study database (header-only)."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("import", help="index DICOM files below PATH into the study database",
                       description="Scan PATH (files or folders) header-only and index every DICOM instance in the "
                                   "study database. Source files are never written. Re-importing is idempotent. "
                                   "A DICOMDIR (or a folder with one at its root, e.g. a CD) is read and the files "
                                   "it references are copied into the managed store before indexing.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    p.add_argument("--workers", type=int, default=None, help="parallel header readers (default: CPU count)")
    p.add_argument("--show-skipped", action="store_true", help="list every skipped file with the reason")
    p.set_defaults(func=run)


def _merge(a, b):
    """One summary of several imports (numbers added, lists joined)."""
    a.files_seen += b.files_seen
    a.instances += b.instances
    a.new_instances += b.new_instances
    a.patients += b.patients
    a.studies += b.studies
    a.series += b.series
    a.copied += b.copied
    a.special_files += b.special_files
    a.skipped = (a.skipped or []) + (b.skipped or [])
    a.series_uids = sorted(set(a.series_uids or []) | set(b.series_uids or []))
    a.conflicts = (a.conflicts or []) + (b.conflicts or [])
    return a


def run(args) -> int:
    import sqlite3

    from workstation.cli.common import UserError

    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be 1 or more")
    try:
        return _run(args)
    except sqlite3.Error as exc:  # a full disk, a database locked or damaged meanwhile
        from workstation.io.db import default_db_path, disk_full_hint

        hint = disk_full_hint(args.db or default_db_path())
        raise UserError(f"the study database could not be written ({exc}{hint}); nothing of this import was "
                        "indexed") from None


def _run(args) -> int:
    from workstation.core.text import printable
    from workstation.io.db import StudyDB
    from workstation.tasks.progress import Progress

    def report(frac, msg):
        if sys.stderr.isatty():
            print(f"\r{100 * frac:5.1f}% {msg}", end="", file=sys.stderr, flush=True)

    with StudyDB(args.db) as db:
        from workstation.io.dicomdir import find_dicomdir
        from workstation.io.store import import_dicomdir

        media = [(p, find_dicomdir(p)) for p in args.paths]
        plain = [p for p, d in media if d is None]
        summary = None
        for _, dicomdir in media:
            if dicomdir is not None:  # a CD/DVD: copied into the managed store, the medium is only read
                s = import_dicomdir(db, dicomdir, progress=Progress(report))
                print(f"DICOMDIR {dicomdir}: {s.copied} file(s) copied into the store")
                summary = s if summary is None else _merge(summary, s)
        if plain or summary is None:
            s = db.import_paths(plain, progress=Progress(report), workers=args.workers)
            summary = s if summary is None else _merge(summary, s)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"imported: {summary.text()}")
        touched = set(summary.series_uids or [])
        rows = [row for row in db.series() if row.series_uid in touched]
        db.audit_many([dict(event="import", study_uid=row.study_uid, series_uid=row.series_uid,
                            detail=f"{row.n_instances} instances indexed") for row in rows]
                      or [dict(event="import", detail=f"{summary.files_seen} files, nothing indexed")])
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
        for c in summary.conflicts or []:
            print(printable(f"  CONFLICT {c.text()}: {c.path}" + (f" (indexed: {c.other_path})" if c.other_path else "")))
        print(f"database: {db.path}")
    return 0
