"""`workstation view [PATH]`: open the fused PET/CT reading viewer, or render it headless.

With ``--screenshot FILE.png`` the study below PATH is drawn off screen in the chosen layout
(``grid``: CT/PET/fused in three planes plus the MIP; ``fused-mip``: a large fused view beside
the MIP) and written as PNG; no window opens and no display is needed.
"""

from __future__ import annotations

import math
import os
import sys

from workstation.core.text import printable


def add_parser(sub):
    from workstation.cli.common import LazyChoices

    display = "workstation.core.display"
    p = sub.add_parser("view", help="open the PET/CT reading viewer (default command)",
                       description="Open the viewer on the study database, or on the DICOM folder PATH. "
                                   "With --screenshot, render PATH headless to a PNG and exit.")
    p.add_argument("path", nargs="?", help="DICOM folder holding a PET and its CT/MR")
    p.add_argument("--layout", choices=LazyChoices(display, "LAYOUTS", sort=True), metavar="LAYOUT",
                   help="hanging protocol layout: %(choices)s (default: grid, or pet when there is no CT/MR)")
    p.add_argument("--screenshot", metavar="FILE.png", help="render headless to this PNG and exit")
    p.add_argument("--size", default="1600x1000", metavar="WxH", help="screenshot size in pixels")
    p.add_argument("--crosshair", metavar="X,Y,Z", help="crosshair position, world LPS mm (default: centre)")
    p.add_argument("--colormap", choices=LazyChoices(display, "COLORMAPS"), default="hot iron", metavar="NAME",
                   help="PET colour map: %(choices)s (default: %(default)s)")
    p.add_argument("--ct-preset", choices=LazyChoices(__name__, "_ANATOMY_PRESETS"), metavar="PRESET",
                   help="anatomy window: %(choices)s (default: soft tissue for CT, MR auto for MR)")
    p.add_argument("--pet-window", metavar="LO,HI", help="PET window in SUV (default 0,5)")
    p.add_argument("--anonymise", action="store_true", help="hide patient name and ID in the overlay")
    p.add_argument("--pet-series", metavar="UID", help="PET series to read when PATH holds several")
    p.add_argument("--anat-series", metavar="UID", help="CT/MR series to read when PATH holds several")
    p.add_argument("--lang", choices=("en", "zh_CN"),
                   help="language of the viewer (default: the saved choice, else the system's)")
    p.add_argument("--window", action="store_true",
                   help="with --screenshot: capture the whole main window (tool bar, panels), not only the views")
    p.set_defaults(func=run)


def __getattr__(name: str):
    if name == "_ANATOMY_PRESETS":  # the --ct-preset choices, made when first asked for (LazyChoices)
        from workstation.core.display import CT_PRESETS, MR_PRESETS

        return sorted({*CT_PRESETS, *MR_PRESETS})
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _pair(text: str, n: int, what: str) -> list[float]:
    from workstation.cli.common import UserError

    try:
        vals = [float(v) for v in text.replace("x", ",").split(",")]
    except ValueError:
        vals = []
    if len(vals) != n:
        raise UserError(f"{what}: expected {n} numbers, got {printable(text)!r}")
    if not all(math.isfinite(v) for v in vals):
        raise UserError(f"{what}: {printable(text)!r} holds a value that is not a finite number")
    return vals


def _check_writable(path: str) -> None:
    """Fail before rendering when the screenshot cannot be written there."""
    from workstation.cli.common import UserError

    parent = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.exists(parent):
        raise UserError(f"--screenshot {path}: the folder {parent} does not exist")
    if not os.path.isdir(parent):
        raise UserError(f"--screenshot {path}: {parent} is not a folder")
    if os.path.isdir(path):
        raise UserError(f"--screenshot {path}: is a folder; give a file name ending in .png")
    if not os.access(parent, os.W_OK):
        raise UserError(f"--screenshot {path}: the folder {parent} is not writable")
    from workstation.io.atomic_write import OutputError, check_output

    try:
        check_output(path, overwrite=True)  # an earlier PNG is replaced; a device, FIFO or link never
    except OutputError as exc:
        raise UserError(f"--screenshot {exc}") from None


def run(args) -> int:
    from workstation.cli.common import UserError

    if args.path and os.path.isfile(args.path):  # a DICOMDIR or one image (the desktop's "open with"): its folder
        args.path = os.path.dirname(os.path.abspath(args.path))
    if args.screenshot:
        if not args.path:
            raise UserError("--screenshot needs a PATH to a DICOM folder")
        return _screenshot(args)
    if args.path and not os.path.exists(args.path):
        raise UserError(f"{args.path}: no such file or folder")
    from workstation.ui import i18n
    from workstation.ui.app import run_viewer

    try:
        return run_viewer(path=args.path, layout=args.layout, anonymise=args.anonymise,
                          pet_uid=args.pet_series, anat_uid=args.anat_series, lang=args.lang)
    except i18n.LanguageError as exc:
        raise UserError(str(exc)) from None


def apply_options(session, args) -> None:
    """Apply the command-line display options to a session (shared with the UI)."""
    from workstation.cli.common import UserError

    if args.layout:
        session.set_layout(args.layout)
    session.set_colormap(args.colormap)
    if args.ct_preset and session.anatomical is not None:
        try:
            session.set_ct_preset(args.ct_preset)
        except KeyError as exc:
            raise UserError(f"--ct-preset: {exc.args[0]}") from None
    session.set_anonymise(args.anonymise)
    if getattr(args, "pet_window", None):
        lo, hi = _pair(args.pet_window, 2, "--pet-window")
        if hi <= lo:
            raise UserError(f"--pet-window: upper {hi:g} must be above lower {lo:g}")
        session.set_pet_window(lo, hi)
    if getattr(args, "crosshair", None):
        session.set_crosshair(_pair(args.crosshair, 3, "--crosshair"))


def _audit(session) -> None:
    """The audit trail: this user rendered this study (by UID), now."""
    import logging

    from workstation.io.db import StudyDB

    try:
        with StudyDB() as db:
            db.audit_open([session.pet, session.anatomical], "screenshot")
    except Exception:  # noqa: BLE001 - an unwritable database must not stop the command
        logging.getLogger(__name__).warning("could not write the audit trail", exc_info=True)


def _screenshot(args) -> int:
    from workstation.cli.common import UserError

    w, h = (int(v) for v in _pair(args.size, 2, "--size"))
    if not (64 <= w <= 8000 and 64 <= h <= 8000):
        raise UserError(f"--size {args.size}: width and height must be 64..8000 pixels")
    if not os.path.exists(args.path):
        raise UserError(f"{args.path}: no such file or folder")
    _check_writable(args.screenshot)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith("linux"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow")
    if args.window:
        return _window_screenshot(args, w, h)
    from workstation.analysis.reading.study_open import NoImageSeries, open_folder
    from workstation.render.scene import render_layout, save_png

    if args.lang and args.lang != "en":  # words drawn in the views, through the Qt catalogue
        from workstation.ui import i18n

        try:
            i18n.install_headless(args.lang)
        except i18n.LanguageError as exc:
            raise UserError(str(exc)) from None

    try:
        session = open_folder(args.path, pet_uid=args.pet_series, anat_uid=args.anat_series)
    except (NoImageSeries, ValueError) as exc:
        raise UserError(str(exc)) from None
    apply_options(session, args)
    _audit(session)
    img, _ = render_layout(session, session.layout, w, h)
    try:
        save_png(img, args.screenshot)
    except OSError as exc:  # OutputError: one line, the temporary file removed, no truncated PNG left
        raise UserError(f"--screenshot {exc}") from None
    print(f"wrote {args.screenshot} ({w}x{h}, layout {session.layout})")
    return 0


def _window_screenshot(args, w: int, h: int) -> int:
    """Open the main window off screen on PATH, wait for the study, and save the whole window."""
    from workstation.ui.app import window_screenshot

    from workstation.cli.common import UserError

    try:
        iw, ih, layout = window_screenshot(args.path, args.screenshot, w, h, configure=lambda s: apply_options(s, args),
                                           layout=args.layout, anonymise=args.anonymise, pet_uid=args.pet_series,
                                           anat_uid=args.anat_series, lang=args.lang)
    except ValueError as exc:  # LanguageError, unreadable study, unwritable file
        raise UserError(str(exc)) from None
    print(f"wrote {args.screenshot} ({iw}x{ih}, main window, layout {layout})")
    return 0
