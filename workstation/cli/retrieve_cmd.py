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
    p.add_argument("--retries", type=int, default=2, help="new requests after a break (default 2)")
    p.add_argument("--deadline", type=float, default=3600.0, metavar="SECONDS",
                   help="overall time budget, retries included (default 3600); every wait is bounded by what is left")
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
    if args.retries < 0 or args.retries > 20:
        raise UserError("--retries must be between 0 and 20")
    if not args.deadline > 0:
        raise UserError("--deadline must be a positive number of seconds")
    deadline = scu.Deadline(args.deadline)
    try:
        if args.move:
            st = process.status()
            if not st.get("running"):
                raise UserError("C-MOVE needs our node running (`workstation node start`), or drop --move for C-GET")
            res = scu.retrieve_with_retries(
                lambda d: scu.move(node, cfg.local.ae_title, args.study_uid, st["ae_title"], args.series_uid,
                                   progress, d), retries=args.retries, deadline=deadline)
        else:
            with StudyDB(args.db) as db:
                store = ManagedStore(args.store, db)
                res = scu.retrieve_with_retries(
                    lambda d: scu.get(node, cfg.local.ae_title, args.study_uid, store, args.series_uid, progress, d),
                    retries=args.retries, deadline=deadline)
    except scu.TransferIncomplete as exc:
        r = exc.result
        print(file=sys.stderr)
        left = f"{max(0, r.total - r.completed)}" if r.total else "an unknown number of"
        print(f"retrieved {r.completed}, not retrieved {left} instances from {node.name}")
        raise UserError(str(exc)) from None
    except scu.DicomNetError as exc:
        raise UserError(str(exc)) from None
    print(file=sys.stderr)
    print(f"retrieved {res.completed} instances ({res.failed} failed, {res.warning} warnings) from {node.name}")
    return 0 if res.failed == 0 and not res.errors else 1
