"""`workstation echo NODE`: C-ECHO a configured peer."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("echo", help="C-ECHO a configured DICOM node", description="Verify a configured node (C-ECHO).")
    p.add_argument("node", help="name of a configured node (`workstation node list`)")
    p.set_defaults(func=run)


def run(args) -> int:
    from workstation.net.scu import DicomNetError, echo
    from workstation.settings.nodes import load_nodes

    from workstation.cli.common import UserError

    cfg = load_nodes()
    node = cfg.get(args.node)
    try:
        status = echo(node, cfg.local.ae_title)
    except DicomNetError as exc:
        raise UserError(str(exc)) from None
    if status != 0:
        raise UserError(f"node {node.name} answered C-ECHO with status 0x{status:04X}")
    print(f"node {node.name} ({node.ae_title}@{node.host}:{node.port}): C-ECHO ok")
    return 0
