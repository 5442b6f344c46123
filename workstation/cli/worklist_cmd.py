"""`workstation worklist` and `workstation outbox`: the hub's reading worklist and its outgoing queue.

worklist list|sync|claim|release|sign|confirm|priority; outbox list|run|retry. Sign takes the reader's PDF
(`workstation report` or `export all` writes it), makes it a signed DICOM Encapsulated PDF of the
study (a new version referencing the previous one when the study was already reported) and, with
--send, queues it with the given attachments (SR, key images) towards the study's origin.
"""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("worklist", help="the reading worklist: studies received, their status and reader",
                       description=__doc__.split("\n\n", 1)[1])
    s = p.add_subparsers(dest="wl_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="the worklist (after adding what arrived)")
    ls.add_argument("--status", help="only this status (new, being read, reported, sent back, acknowledged)")
    ls.add_argument("--origin", help="only studies from this origin (AE title or host)")
    ls.add_argument("--json", action="store_true")
    s.add_parser("sync", help="add the studies that arrived since")
    for name, what in (("claim", "open a study for reporting (lock it as yours)"),
                       ("release", "give a study back without a report")):
        c = s.add_parser(name, help=what)
        c.add_argument("study_uid")
        c.add_argument("--reader", help="reader name (default: the operating-system user)")
        if name == "claim":
            c.add_argument("--take-over", action="store_true", help="break another reader's lock (audited)")
            c.add_argument("--stale-after", type=float, default=30.0, metavar="MINUTES",
                           help="a lock older than this whose process is gone is taken over, audited (default 30)")
    cf = s.add_parser("confirm", help="ask the origin whether it holds the returned report (then: acknowledged)")
    cf.add_argument("study_uid")
    pr = s.add_parser("priority", help="set a study's priority")
    pr.add_argument("study_uid")
    pr.add_argument("priority", choices=["stat", "urgent", "routine"])
    sg = s.add_parser("sign", help="sign the report PDF of a study you hold, optionally queue it back")
    sg.add_argument("study_uid")
    sg.add_argument("--pdf", required=True, help="the report PDF")
    sg.add_argument("--reader", help="reader name (default: the operating-system user)")
    sg.add_argument("--institution", default="", help="the reading hub's name")
    sg.add_argument("--send", action="store_true", help="queue the signed report back to the study's origin")
    sg.add_argument("--sr", metavar="FILE.dcm", help="the reading's structured report, versioned with the report "
                    "(an amendment's SR is a new instance referencing the previous one) and sent back with it")
    sg.add_argument("--attach", nargs="*", default=[], metavar="FILE.dcm", help="also send these (SR, key images)")
    sg.add_argument("--to", metavar="NODE", help="destination node (default: the study's origin)")
    sg.add_argument("--compress", choices=["jpeg-ls", "j2k", "deflate"],
                    help="send uncompressed datasets losslessly compressed: JPEG-LS or JPEG 2000 (images), deflate (any)")
    p.set_defaults(func=run)

    o = sub.add_parser("outbox", help="the outgoing queue (reports sent back): list, run, retry",
                       description="The persistent outgoing queue: jobs, their state and what was delivered.")
    os_ = o.add_subparsers(dest="ob_command", metavar="ACTION", required=True)
    ol = os_.add_parser("list", help="the jobs and their state")
    ol.add_argument("--json", action="store_true")
    orun = os_.add_parser("run", help="send what is due, until the queue is idle (or --timeout)")
    orun.add_argument("--timeout", type=float, default=120.0)
    rt = os_.add_parser("retry", help="try a waiting or failed job again now")
    rt.add_argument("job_id", type=int)
    o.set_defaults(func=run_outbox)


def _outbox(db=None):
    from workstation.net.outbox import Outbox
    from workstation.settings.nodes import load_nodes

    cfg = load_nodes()
    return Outbox(nodes={n.name: n for n in cfg.nodes}, calling_aet=cfg.local.ae_title, db=db)


def run(args) -> int:
    from dataclasses import asdict
    from pathlib import Path

    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.io.worklist import current_reader, sync_arrivals
    from workstation.report.sign_send import SignError, queue_return, sign_report

    from workstation.cli.common import UserError, print_json

    cmd = args.wl_command
    db = StudyDB()
    try:
        added = sync_arrivals(db)
        if cmd in ("list", "sync"):
            if cmd == "sync":
                print(f"{len(added)} study(ies) added to the worklist")
                return 0
            rows = db.worklist(status=args.status, origin=args.origin)
            if args.json:
                print_json([asdict(r) for r in rows])
                return 0
            for r in rows:
                lock = f" [{r.locked_by} since {r.locked_at[11:19]}]" if r.locked_by else ""
                print(f"{r.priority:<8} {r.status:<13} {r.arrived[:19]} {r.origin:<16} {r.modality:<6} "
                      f"{r.tracer[:20]:<20} {r.study_uid}{lock}")
            return 0
        reader = getattr(args, "reader", None) or current_reader()
        if cmd == "claim":
            if not args.stale_after > 0:
                raise UserError("--stale-after must be a positive number of minutes")
            r = db.worklist_claim(args.study_uid, reader, take_over=args.take_over,
                                  stale_after_s=args.stale_after * 60)
            print(f"study {r.study_uid}: {r.status}, held by {r.locked_by}")
        elif cmd == "release":
            r = db.worklist_release(args.study_uid, reader)
            print(f"study {r.study_uid}: {r.status}")
        elif cmd == "confirm":
            from workstation.report.sign_send import confirm_returned

            with _outbox(db) as ob:
                ok = confirm_returned(db, ob, args.study_uid)
            print(f"study {args.study_uid}: {db.worklist_entry(args.study_uid).status}"
                  + ("" if ok else " (the origin does not hold everything sent back yet)"))
            return 0 if ok else 1
        elif cmd == "priority":
            db.worklist_set_priority(args.study_uid, args.priority)
            print(f"study {args.study_uid}: priority {args.priority}")
        elif cmd == "sign":
            pdf = Path(args.pdf).read_bytes()
            store = ManagedStore(None, db)
            try:
                ds, path = sign_report(db, store, args.study_uid, reader, pdf, institution=args.institution,
                                       sr=args.sr)
            finally:
                store.close()
            print(f"signed report version {ds.InstanceNumber} ({ds.SOPInstanceUID}) by {reader}: {path}")
            if args.send:
                with _outbox(db) as ob:
                    job = queue_return(db, ob, args.study_uid, args.attach, destination=args.to,
                                       compress=args.compress or "")
                    print(ob.job(job).text)
        return 0
    except (SignError, ValueError, OSError) as exc:
        raise UserError(str(exc)) from None
    finally:
        db.close()


def run_outbox(args) -> int:
    from dataclasses import asdict

    from workstation.io.db import StudyDB
    from workstation.report.sign_send import reconcile_sent

    from workstation.cli.common import UserError, print_json

    db = StudyDB()
    try:
        with _outbox(db) as ob:
            if args.ob_command == "retry":
                ob.retry_now(args.job_id)
                print(ob.job(args.job_id).text)
                return 0
            if args.ob_command == "run":
                jobs = ob.run_until_idle(timeout=args.timeout)
                reconcile_sent(db, ob)
            else:
                jobs = ob.jobs()
            if getattr(args, "json", False):
                print_json([asdict(j) for j in jobs])
            else:
                for j in jobs:
                    print(j.text)
            return 0 if all(j.state == "sent" for j in jobs) or args.ob_command == "list" else 1
    except ValueError as exc:
        raise UserError(str(exc)) from None
    finally:
        db.close()
