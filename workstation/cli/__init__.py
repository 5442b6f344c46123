"""The `workstation` console script: one module per sub-command.

Each command module defines ``add_parser(subparsers)`` (registering its parser, with
``set_defaults(func=run)``) and ``run(args) -> int``. Errors the user can act on are raised as
:class:`workstation.cli.common.UserError` (or any exception listed in ``USER_ERRORS``) and are
printed as one line with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command modules, in the order shown by --help
COMMANDS = (
    "import_cmd",
    "list_cmd",
    "check_cmd",
    "demo_cmd",
    "suv_info_cmd",
    "stats_cmd",
    "view_cmd",
    "lesions_cmd",
    "response_cmd",
    "dosimetry_cmd",
    "recon_cmd",
    "simulate_listmode_cmd",
    "register_cmd",
    "export_cmd",
    "report_cmd",
    "node_cmd",
    "echo_cmd",
    "find_cmd",
    "retrieve_cmd",
    "send_cmd",
    "web_cmd",
    "worklist_cmd",
    "qa_cmd",
    "batch_cmd",
    "brain_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    from workstation import __version__

    parser = argparse.ArgumentParser(
        prog="workstation",
        description="PET/CT reading and quantification workstation. Without a sub-command, opens the viewer.",
    )
    parser.add_argument("--version", action="version", version=f"workstation {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"workstation.cli.{name}")
        module.add_parser(sub)
    return parser


#: two-word commands that are parsers of their own (the first word's parser takes folders as positionals)
COMMAND_ALIASES = {("dosimetry", "calibration"): "dosimetry-calibration"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if tuple(argv[:2]) in COMMAND_ALIASES:
        argv = [COMMAND_ALIASES[tuple(argv[:2])], *argv[2:]]
    parser = build_parser()
    args = parser.parse_args(argv)  # --help and usage errors end here: no logging set up, nothing heavy imported
    if not getattr(args, "func", None):
        if "view_cmd" in COMMANDS:  # the viewer is the default command once it exists
            args = parser.parse_args(["view", *argv])
        else:
            parser.print_help()
            return 0
    from workstation.settings.logs import setup_logging

    from workstation.cli.common import run_command

    setup_logging()
    return run_command(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
