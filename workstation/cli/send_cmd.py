"""`workstation send NODE PATH|UID`: C-STORE files, or a study/series from the database, to a peer."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("send", help="send files or a study/series to a DICOM node (C-STORE)",
                       description="Send DICOM files (a file or folder), or a study or series by its UID from "
                                   "the study database, to a configured node, in their own transfer syntax.")
    p.add_argument("node")
    p.add_argument("what", nargs="+", metavar="PATH|UID")
    p.add_argument("--retries", type=int, default=2, help="new associations for what was not acknowledged")
    p.add_argument("--db", metavar="FILE")
    p.set_defaults(func=run)


def resolve(what, db) -> list[str]:
    import re
    from pathlib import Path

    from workstation.io.scan import iter_files

    from workstation.cli.common import UserError

    files: list[str] = []
    for w in what:
        if Path(w).exists():
            found = iter_files([w])
            check_sendable(found)
            files += found
        elif re.match(r"^[0-9.]+$", w):
            series = [s.series_uid for s in db.series(w)] or ([w] if db.series_files(w) else [])
            if not series:
                raise UserError(f"{w}: neither a file nor a study/series UID in the study database")
            for s in series:
                files += db.series_files(s)
        else:
            raise UserError(f"{w}: no such file or folder")
    return files


def check_sendable(files) -> None:
    """Every file is a DICOM instance with its UIDs, checked before anything is sent (a folder with one
    stray file would otherwise fail after minutes of sending)."""
    from workstation.core.text import printable
    from workstation.io.scan import read_record

    from workstation.cli.common import UserError

    bad = []
    for f in files:
        try:
            read_record(f)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is named, nothing is sent
            bad.append((f, type(exc).__name__))
    if bad:
        f, why = bad[0]
        raise UserError(printable(f"{len(bad)} of {len(files)} file(s) are not DICOM instances that can be sent "
                                  f"(first: {f}, {why}); nothing was sent"))


def run(args) -> int:
    import sys
    import time

    from workstation.io.db import StudyDB
    from workstation.net.scu import DicomNetError, store_files
    from workstation.settings.nodes import load_nodes
    from workstation.tasks.progress import Progress

    from workstation.cli.common import UserError

    cfg = load_nodes()
    node = cfg.get(args.node)
    with StudyDB(args.db) as db:
        files = resolve(args.what, db)
        pending = list(files)
        done, last = 0, None
        for attempt in range(max(0, args.retries) + 1):
            try:
                res = store_files(node, cfg.local.ae_title, pending,
                                  Progress(lambda f, m: print(f"\r{m}   ", end="", file=sys.stderr, flush=True)), db)
            except DicomNetError as exc:
                last = str(exc)
                time.sleep(min(5.0, 0.5 * 2 ** attempt))
                continue
            done += res.completed
            last = "; ".join(res.errors[:3]) or None
            acked = set(res.acknowledged)
            import pydicom

            pending = [p for p in pending
                       if str(pydicom.dcmread(p, stop_before_pixels=True, specific_tags=["SOPInstanceUID"])
                              .SOPInstanceUID) not in acked]
            if not pending:
                break
    print(file=sys.stderr)
    print(f"sent {done} of {len(files)} instances to {node.name}")
    if pending:
        raise UserError(f"{len(pending)} instances not acknowledged by {node.name}" + (f": {last}" if last else ""))
    return 0
