"""Shared helpers of the CLI: one-line errors, JSON output."""

from __future__ import annotations

import json
import sys


class UserError(Exception):
    """An error the user can act on; printed as one line, exit code 2."""


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exception types shown as one line instead of a traceback."""
    types: list[type[BaseException]] = [UserError, FileNotFoundError, NotADirectoryError, PermissionError]
    for mod, name in (
        ("workstation.io.errors", "DicomError"),
        ("workstation.analysis.suv", "SuvError"),
        ("workstation.io.nifti", "NiftiError"),
    ):
        try:
            module = __import__(mod, fromlist=[name])
            types.append(getattr(module, name))
        except (ImportError, AttributeError):
            pass
    return tuple(types)


def run_command(args) -> int:
    errors = user_error_types()
    try:
        rc = args.func(args)
    except KeyboardInterrupt:
        print("workstation: interrupted", file=sys.stderr)
        return 130
    except errors as exc:
        msg = str(exc).replace("\n", " ").strip() or type(exc).__name__
        print(f"workstation {args.command}: error: {msg}", file=sys.stderr)
        return 2
    return int(rc or 0)


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=_json_default)
    sys.stdout.write("\n")


def _json_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)
