"""`workstation web find|get|put URL`: DICOMweb (QIDO-RS, WADO-RS, STOW-RS)."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("web", help="DICOMweb: search (QIDO-RS), retrieve (WADO-RS), upload (STOW-RS)",
                       description="Talk to a DICOMweb server. URL is the service root (for Orthanc: "
                                   "http://host:8042/dicom-web) or the name of a configured node with a url. "
                                   "Credentials: --user/--password or --token, or the environment variables "
                                   "WORKSTATION_WEB_USER, WORKSTATION_WEB_PASSWORD, WORKSTATION_WEB_TOKEN.")
    s = p.add_subparsers(dest="web_command", metavar="ACTION", required=True)

    def common(q):
        q.add_argument("url", help="DICOMweb root URL, or a configured node name")
        q.add_argument("--user")
        q.add_argument("--password")
        q.add_argument("--token", help="bearer token")
        q.add_argument("--cert", metavar="PEM", help="client certificate for an https server that verifies its "
                                                      "clients (with --key)")
        q.add_argument("--key", metavar="PEM", help="the client certificate's private key")
        q.add_argument("--ca", metavar="PEM", help="CA (or the server's own certificate) to verify the https "
                                                    "server against (default: the system's CAs)")

    f = s.add_parser("find", help="QIDO-RS search")
    common(f)
    f.add_argument("--level", default="STUDY", choices=["STUDY", "SERIES", "INSTANCE"])
    f.add_argument("--study-uid")
    f.add_argument("--patient-name")
    f.add_argument("--patient-id")
    f.add_argument("--study-date")
    f.add_argument("--json", action="store_true")
    g = s.add_parser("get", help="WADO-RS retrieve a study (or series) into the managed store")
    common(g)
    g.add_argument("study_uid")
    g.add_argument("--series-uid")
    g.add_argument("--db", metavar="FILE")
    g.add_argument("--store", metavar="DIR")
    u = s.add_parser("put", help="STOW-RS upload files or a study/series from the database")
    common(u)
    u.add_argument("what", nargs="+", metavar="PATH|UID")
    u.add_argument("--db", metavar="FILE")
    p.set_defaults(func=run)


def web_auth(args, url: str | None = None) -> dict:
    """Credentials and TLS files for ``url`` (default: the command's ``args.url``)."""
    import os

    url = args.url if url is None else url
    tls = {k: getattr(args, k) for k in ("cert", "key", "ca") if getattr(args, k, None)}
    if not tls and not url.startswith(("http://", "https://")):
        from workstation.net.web import node_tls
        from workstation.settings.nodes import load_nodes

        tls = node_tls(load_nodes().get(url))  # a configured node's own TLS files
    token = args.token or os.environ.get("WORKSTATION_WEB_TOKEN")
    if token:
        return {"token": token, **tls}
    user = args.user or os.environ.get("WORKSTATION_WEB_USER")
    if user:
        return {"user": user, "password": args.password or os.environ.get("WORKSTATION_WEB_PASSWORD", ""), **tls}
    return tls


def web_url(text: str) -> str:
    if text.startswith(("http://", "https://")):
        from workstation.net.web import WebError, check_url

        from workstation.cli.common import UserError

        try:
            return check_url(text)
        except WebError as exc:
            raise UserError(str(exc)) from None
    from workstation.settings.nodes import load_nodes

    node = load_nodes().get(text)
    if not node.url:
        from workstation.cli.common import UserError

        raise UserError(f"node {node.name} has no DICOMweb url; `workstation node add {node.name} --url URL ...`")
    return node.url


def run(args) -> int:
    import sys

    from workstation.io.db import StudyDB
    from workstation.net import web
    from workstation.io.store import ManagedStore
    from workstation.tasks.progress import Progress

    from workstation.cli.common import UserError, print_json

    url, auth = web_url(args.url), web_auth(args)

    def show(frac, msg):
        print(f"\r{msg}   ", end="", file=sys.stderr, flush=True)

    try:
        if args.web_command == "find":
            rows = web.find(url, args.level, study_uid=args.study_uid, auth=auth, PatientName=args.patient_name,
                            PatientID=args.patient_id, StudyDate=args.study_date)
            from urllib.parse import urlsplit

            from workstation.io.audit_events import audit_event

            audit_event("query", peer_host=urlsplit(url).netloc.rsplit("@", 1)[-1], study_uid=args.study_uid or "",
                        detail=f"QIDO-RS {args.level}: {len(rows)} match(es)")
            if args.json:
                print_json(rows)
            else:
                for r in rows:
                    print("  ".join(str(r.get(k, "")) for k in ("PatientName", "PatientID", "StudyDate",
                                                                "StudyDescription", "SeriesInstanceUID" if
                                                                args.level != "STUDY" else "StudyInstanceUID")))
                print(f"{len(rows)} match(es)")
            return 0 if rows else 1  # nothing found is not a success (as grep): scripts can tell
        if args.web_command == "get":
            with StudyDB(args.db) as db:
                res = web.get(url, args.study_uid, ManagedStore(args.store, db), args.series_uid, auth, Progress(show))
            print(file=sys.stderr)
            print(f"retrieved {res.completed} instances ({res.failed} failed"
                  + (f", {res.not_attempted} not attempted: {res.stopped}" if res.not_attempted else "") + ")")
            for e in res.errors[:5]:
                print(f"  {e}")
            return 0 if res.failed == 0 and not res.not_attempted else 1
        from workstation.cli.send_cmd import resolve

        with StudyDB(args.db) as db:
            files = resolve(args.what, db)
            res = web.put(url, files, auth, Progress(show), db=db)
        print(file=sys.stderr)
        print(f"stored {res.completed} of {len(files)} instances")
        return 0 if res.failed == 0 else 1
    except web.WebError as exc:
        raise UserError(str(exc)) from None
