"""`workstation node`: our DICOM node (storage + verification SCP) and the configured peers."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("node", help="run our DICOM node (receive studies) and configure peers",
                       description="Start, stop or query our DICOM storage node (its own background process), "
                                   "and add, remove or list the configured peers.")
    s = p.add_subparsers(dest="node_command", metavar="ACTION", required=True)
    st = s.add_parser("start", help="start the node in the background (or --foreground)")
    st.add_argument("--port", type=int, help="port to listen on (default from the settings, 11112)")
    st.add_argument("--ae-title", help="our AE title (default from the settings, PETWS)")
    st.add_argument("--host", help="address to bind (default 127.0.0.1; 0.0.0.0 to receive from the network)")
    st.add_argument("--allow", action="append", default=[], metavar="AET@HOST",
                    help="also accept this caller (repeatable; HOST may be *); configured nodes are always allowed")
    st.add_argument("--max-associations", type=int, help="concurrent associations (default 64)")
    st.add_argument("--store", metavar="DIR", help="managed store folder (default: store/ in the data directory)")
    st.add_argument("--db", metavar="FILE", help="study database file")
    st.add_argument("--tls-cert", metavar="PEM", help="our TLS certificate: the node then accepts TLS only "
                    "(default from the settings)")
    st.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    st.add_argument("--tls-ca", metavar="PEM", help="CA file: callers must present a certificate it signed")
    st.add_argument("--max-instance-mb", type=int, metavar="MB",
                    help="refuse received instances larger than this (default from the settings, 2048)")
    st.add_argument("--foreground", action="store_true", help="serve in this process until SIGTERM/Ctrl-C")
    s.add_parser("stop", help="stop the background node")
    s.add_parser("status", help="is the node running, and on which port")
    a = s.add_parser("add", help="add or replace a configured peer")
    a.add_argument("name")
    a.add_argument("--ae-title", default="")
    a.add_argument("--host", default="")
    a.add_argument("--port", type=int, default=0)
    a.add_argument("--url", default="", help="DICOMweb base URL (for `workstation web`)")
    a.add_argument("--tls", action="store_true", help="call this peer over TLS")
    a.add_argument("--tls-ca", default="", metavar="PEM", help="CA file that signed the peer's certificate")
    a.add_argument("--tls-cert", default="", metavar="PEM", help="our client certificate for this peer")
    a.add_argument("--tls-key", default="", metavar="PEM", help="the private key of --tls-cert")
    r = s.add_parser("remove", help="remove a configured peer")
    r.add_argument("name")
    ls = s.add_parser("list", help="list the configured peers")
    ls.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _start_args(args):
    out = []
    for opt in ("port", "ae_title", "host", "max_associations", "store", "db", "tls_cert", "tls_key", "tls_ca",
                "max_instance_mb"):
        v = getattr(args, opt)
        if v is not None:
            out += [f"--{opt.replace('_', '-')}", str(v)]
    for a in args.allow:
        out += ["--allow", a]
    return out


def run(args) -> int:
    from workstation.net import process
    from workstation.settings.nodes import Node, load_nodes, parse_allow, save_nodes

    from workstation.cli.common import UserError, print_json

    cmd = args.node_command
    if cmd == "stop":
        print("node stopped" if process.stop() else "no node was running")
        return 0
    if cmd == "status":
        st = process.status()
        if not st["running"]:
            print("node: not running")
            return 1
        print(f"node: running, PID {st['pid']}, {st['ae_title']} on {st['host']}:{st['port']}"
              f"{'' if st['listening'] else ' (not answering on its port)'}, since {st['started']}")
        return 0
    cfg = load_nodes()
    if cmd in ("add", "remove", "list"):
        if cmd == "add":
            cfg.add(Node(args.name, args.ae_title, args.host, args.port, args.url, tls=args.tls, tls_ca=args.tls_ca,
                         tls_cert=args.tls_cert, tls_key=args.tls_key))
            print(f"node {args.name} saved in {save_nodes(cfg)}")
        elif cmd == "remove":
            cfg.get(args.name)
            cfg.nodes = [n for n in cfg.nodes if n.name != args.name]
            save_nodes(cfg)
            print(f"node {args.name} removed")
        else:
            rows = [vars(n) for n in cfg.nodes]
            if args.json:
                print_json({"local": vars(cfg.local), "nodes": rows})
            else:
                print(f"local: {cfg.local.ae_title} on {cfg.local.host}:{cfg.local.port}")
                for n in cfg.nodes:
                    print(f"  {n.name}: {n.ae_title}@{n.host}:{n.port} {n.url}".rstrip())
        return 0
    # start
    for a in args.allow:
        parse_allow(a)  # fail early, in the calling terminal
    if not args.foreground:
        try:
            st = process.start_background(_start_args(args))
        except process.NodeProcessError as exc:
            raise UserError(str(exc)) from None
        print(f"node {st['ae_title']} started in the background on {st['host']}:{st['port']} (PID {st['pid']}); "
              "`workstation node stop` stops it")
        return 0
    from workstation.io.db import StudyDB
    from workstation.net.query_scp import QueryNode
    from workstation.io.store import ManagedStore

    from dataclasses import replace

    from workstation.net.tls import TlsConfigError, server_context

    local = cfg.local
    tls = replace(local, tls_cert=args.tls_cert or local.tls_cert, tls_key=args.tls_key or local.tls_key,
                  tls_ca=args.tls_ca or local.tls_ca)
    try:
        ssl_context = server_context(tls)
    except TlsConfigError as exc:
        raise UserError(str(exc)) from None
    max_mb = args.max_instance_mb if args.max_instance_mb is not None else local.max_instance_mb
    allowed = cfg.allowed_peers() + [parse_allow(a) for a in args.allow]
    db = StudyDB(args.db, synchronous="NORMAL")  # files are fsynced; the index is rebuilt from them at start
    store = ManagedStore(args.store or local.store or None, db, group_commit=True)
    node = QueryNode(args.ae_title or local.ae_title, args.port or local.port, host=args.host or local.host,
                     allowed=allowed, store=store, db=db,
                     max_associations=args.max_associations or local.max_associations,
                     max_instance_bytes=max_mb * 1024 * 1024 if max_mb and max_mb > 0 else None,
                     ssl_context=ssl_context, destinations=cfg.nodes)
    from workstation.net.outbox import Outbox, OutboxWorker

    # the outgoing queue (reports going back to the sending hospitals) runs beside the node
    outbox = Outbox(nodes={n.name: n for n in cfg.nodes}, calling_aet=node.ae_title, db=db)
    sender = OutboxWorker(outbox, interval=2.0)
    sender.start()
    try:
        return process.run_foreground(node, store)
    except process.NodeProcessError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot listen on {node.host}:{node.port}: {exc.strerror or exc}") from None
    finally:
        sender.stop()
        outbox.close()
        store.close()
        db.close()
