"""`workstation send NODE PATH|UID`: C-STORE files, or a study/series from the database, to a peer."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("send", help="send files or a study/series to a DICOM node (C-STORE)",
                       description="Send DICOM files (a file or folder), or a study or series by its UID from "
                                   "the study database, to a configured node, in their own transfer syntax.")
    p.add_argument("node")
    p.add_argument("what", nargs="+", metavar="PATH|UID")
    p.add_argument("--retries", type=int, default=2, help="new associations for what was not acknowledged "
                   "(default 2)")
    p.add_argument("--deadline", type=float, default=3600.0, metavar="SECONDS",
                   help="overall time budget of the send, retries included (default 3600); every wait is "
                        "bounded by what is left")
    p.add_argument("--compress", choices=["jpeg-ls", "j2k", "deflate"],
                   help="send uncompressed datasets losslessly compressed when the node accepts it: JPEG-LS or "
                        "JPEG 2000 lossless (images), deflate (any)")
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

    from workstation.io.db import StudyDB
    from workstation.net.scu import Deadline, send_with_retries
    from workstation.settings.nodes import load_nodes
    from workstation.tasks.progress import Progress

    from workstation.cli.common import UserError

    if args.retries < 0 or args.retries > 20:
        raise UserError("--retries must be between 0 and 20")
    if not args.deadline > 0:
        raise UserError("--deadline must be a positive number of seconds")
    cfg = load_nodes()
    node = cfg.get(args.node)
    with StudyDB(args.db) as db:
        files = resolve(args.what, db)
        res = send_with_retries(node, cfg.local.ae_title, files, retries=args.retries,
                                deadline=Deadline(args.deadline), compress=args.compress or "", db=db,
                                progress=Progress(lambda f, m: print(f"\r{m}   ", end="", file=sys.stderr,
                                                                     flush=True)))
    print(file=sys.stderr)
    if res.failed:
        print(f"sent {res.completed}, not sent {res.failed} of {len(files)} instances to {node.name}")
    else:
        print(f"sent {res.completed} of {len(files)} instances to {node.name}")
    if res.failed:
        last = res.errors[-1] if res.errors else "not acknowledged"
        raise UserError(f"{res.failed} instances not sent to {node.name}: {last}")
    return 0
