"""Shared helpers of the CLI: one-line errors, JSON output."""

from __future__ import annotations

import sys


class UserError(Exception):
    """An error the user can act on; printed as one line, exit code 2."""


#: input field (the ``field`` of an analysis / vocabulary error) -> the option that supplies it.
#: The command line's words live here only; analysis and recon name the field.
FIELD_OPTIONS = {
    "weight_kg": "--weight KG",
    "height_m": "--height M",
    "dose_bq": "--dose MBQ",
    "injection_datetime": "--injection-time YYYYMMDDHHMMSS",
    "sex": "--sex M|F",
    "half_life_s": "--half-life S",
    "suv_type": "--suv TYPE",
    "liver_world": "--liver x,y,z",
    "seed_world": "--seed x,y,z",
    "method": "--method METHOD",
    "exclude": "--exclude",
    "min_volume_ml": "--min-volume ML",
    "constraint": "--constraint MM",
}


def option_for(field: str | None, options: dict | None = None) -> str | None:
    """The command-line option that supplies input ``field`` (None when there is none)."""
    return (options or FIELD_OPTIONS).get(field) if field else None


def with_option(message: str, field: str | None, options: dict | None = None) -> str:
    """``message`` of an error naming a missing input, with the option that supplies it appended."""
    opt = option_for(field, options)
    if opt and opt.split()[0] not in message:
        return f"{message} (command line: {opt})"
    return message


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exception types shown as one line instead of a traceback."""
    types: list[type[BaseException]] = [UserError, FileNotFoundError, NotADirectoryError, PermissionError]
    for mod, name in (
        ("workstation.io.errors", "DicomError"),
        ("workstation.io.atomic_write", "OutputError"),
        ("workstation.io.db", "StudyDBError"),
        ("workstation.analysis.errors", "SuvError"),
        ("workstation.analysis.errors", "QuantError"),
        ("workstation.core.vocabulary", "VocabularyError"),
        ("workstation.io.nifti", "NiftiError"),
        ("workstation.settings.nodes", "NodeConfigError"),
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
    except BrokenPipeError:
        # the reader went away (`workstation list | head`): stop quietly, like any Unix tool
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe
    except errors as exc:
        from workstation.core.text import printable

        msg = printable(str(exc).replace("\n", " ").strip()) or type(exc).__name__
        msg = with_option(msg, getattr(exc, "field", None))
        print(f"workstation {args.command}: error: {msg}", file=sys.stderr)
        return 2
    return int(rc or 0)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise BrokenPipeError again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def print_json(obj) -> None:
    """Strict JSON on stdout: NaN and Infinity are written as null (``core.strict_json``), never as NaN."""
    from workstation.core.strict_json import dump

    dump(obj, sys.stdout, indent=2, ensure_ascii=False)
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


# ---------------------------------------------------------------------- SUV overrides
def add_suv_arguments(parser, with_type: bool = True) -> None:
    """--suv TYPE and the audited overrides shared by every command that computes SUV."""
    if with_type:
        from workstation.core.vocabulary import SUV_TYPES

        parser.add_argument("--suv", default="bw", metavar="TYPE",
                            help=f"SUV type: {', '.join(SUV_TYPES)}; lbm-james = lbm-james128 (default bw)")
    g = parser.add_argument_group("SUV overrides (recorded in the provenance)")
    g.add_argument("--weight", type=float, metavar="KG", help="patient weight in kg")
    g.add_argument("--height", type=float, metavar="M", help="patient height in metres")
    g.add_argument("--dose", type=float, metavar="MBQ", help="injected dose in MBq (net, at injection time)")
    g.add_argument("--injection-time", metavar="YYYYMMDDHHMMSS", help="injection date and time "
                   "(YYYYMMDDHHMMSS or YYYY-MM-DDTHH:MM:SS)")
    g.add_argument("--sex", choices=["M", "F"], help="patient sex (for LBM and IBW)")
    g.add_argument("--half-life", type=float, metavar="S", help="radionuclide half-life in seconds")


def overrides_from_args(args):
    from workstation.analysis.suv.inputs import SuvOverrides

    inj = getattr(args, "injection_time", None)  # parsed (and checked) by SuvOverrides
    for name in ("weight", "height", "dose", "half_life"):
        v = getattr(args, name, None)
        if v is not None and not v > 0:
            raise UserError(f"--{name.replace('_', '-')} must be positive")
    return SuvOverrides(weight_kg=args.weight, height_m=args.height,
                        dose_bq=args.dose * 1e6 if args.dose is not None else None,
                        injection_datetime=inj, sex=args.sex, half_life_s=args.half_life)


class LazyChoices:
    """The ``choices`` of an argument, read from ``module.attribute`` only when an argument is
    checked or a command's help is shown: building the parser (``workstation --help``) then imports
    nothing heavy. Give the argument a ``metavar``: argparse would otherwise list the choices when
    the argument is added."""

    def __init__(self, module: str, attribute: str, *, sort: bool = False):
        self.module, self.attribute, self.sort = module, attribute, sort
        self._values: list | None = None

    def _get(self) -> list:
        if self._values is None:
            import importlib

            values = list(getattr(importlib.import_module(self.module), self.attribute))
            self._values = sorted(values) if self.sort else values
        return self._values

    def __contains__(self, value) -> bool:
        return value in self._get()

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

