"""`workstation retrieve NODE STUDY_UID`: C-GET (default) or C-MOVE a study into the managed store."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("retrieve", help="retrieve a study from a DICOM node (C-GET or C-MOVE)",
                       description="Retrieve a study (or one series) into the managed store and index it. "
                                   "C-GET works without our node running; --move asks the peer to send to our "
                                   "running node (the peer must know our AE title, host and port).")
    p.add_argument("node")
    p.add_argument("study_uid")
    p.add_argument("--series-uid")
    p.add_argument("--move", action="store_true", help="use C-MOVE to our running node instead of C-GET")
    p.add_argument("--db", metavar="FILE")
    p.add_argument("--store", metavar="DIR")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from workstation.io.db import StudyDB
    from workstation.net import process, scu
    from workstation.io.store import ManagedStore
    from workstation.settings.nodes import load_nodes
    from workstation.tasks.progress import Progress

    from workstation.cli.common import UserError

    cfg = load_nodes()
    node = cfg.get(args.node)

    def show(frac, msg):
        print(f"\r{msg}   ", end="", file=sys.stderr, flush=True)

    progress = Progress(show)
    try:
        if args.move:
            st = process.status()
            if not st.get("running"):
                raise UserError("C-MOVE needs our node running (`workstation node start`), or drop --move for C-GET")
            res = scu.move(node, cfg.local.ae_title, args.study_uid, st["ae_title"], args.series_uid, progress)
        else:
            with StudyDB(args.db) as db:
                res = scu.get(node, cfg.local.ae_title, args.study_uid, ManagedStore(args.store, db),
                              args.series_uid, progress)
    except scu.DicomNetError as exc:
        raise UserError(str(exc)) from None
    print(file=sys.stderr)
    print(f"retrieved {res.completed} instances ({res.failed} failed, {res.warning} warnings) from {node.name}")
    return 0 if res.failed == 0 and not res.errors else 1
