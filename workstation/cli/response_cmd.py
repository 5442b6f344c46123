"""`workstation response BASELINE FOLLOWUP`: match lesions of two time points and name the response.

Each argument is a folder holding one PET series and, for the registration, one CT series of the
same study (e.g. the two folders written by ``workstation demo --followup``). The CTs are
registered rigidly, lesions are segmented at the PERCIST threshold in both PETs, matched through
the registration, measured (SUVmax, SULpeak, MTV, TLG) and the response is named by PERCIST 1.0,
EORTC 1999 or Deauville (see :mod:`workstation.analysis.followup.response` for every rule). Coordinates are
DICOM patient coordinates (LPS, mm) of the BASELINE study; they are carried to the follow-up
through the registration unless given for it.
"""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("response", help="follow-up reading: match lesions of two studies, change table, PERCIST / "
                                        "EORTC / Deauville response",
                       description="Register the follow-up CT to the baseline CT, segment lesions at the PERCIST "
                                   "threshold in both PETs, match them, print the change table and the response.")
    p.add_argument("baseline", metavar="BASELINE_PET", help="folder with the baseline PET (and its CT)")
    p.add_argument("followup", metavar="FOLLOWUP_PET", help="folder with the follow-up PET (and its CT)")
    p.add_argument("--method", default="percist", choices=["percist", "eortc", "deauville"],
                   help="response criteria (default percist)")
    p.add_argument("--liver", metavar="X,Y,Z",
                   help="centre (baseline LPS mm) of the 3 cm liver reference sphere in the normal right lobe "
                        "(write --liver=-60,-40,-560 when x is negative); default: found automatically (a "
                        "homogeneous region on the patient's right), and then the blood pool too")
    p.add_argument("--blood-pool", metavar="X,Y,Z",
                   help="centre (baseline LPS mm) of the blood-pool cylinder in the descending aorta (Deauville)")
    p.add_argument("--followup-liver", metavar="X,Y,Z", help="liver centre in the follow-up (default: carried)")
    p.add_argument("--followup-blood-pool", metavar="X,Y,Z", help="blood-pool centre in the follow-up (default: carried)")
    p.add_argument("--no-register", action="store_true",
                   help="do not register: the two studies' world coordinates already agree")
    p.add_argument("--after-one-cycle", action="store_true", help="EORTC: PMR from a 15 %% decrease (after one cycle)")
    p.add_argument("--min-volume", type=float, default=0.5, metavar="ML", help="smallest lesion kept (default 0.5 mL)")
    p.add_argument("--gate", type=float, default=15.0, metavar="MM",
                   help="lesions that do not overlap match when their centres lie within this distance (default 15)")
    p.add_argument("--csv", metavar="FILE", help="write the change table as CSV (never overwritten without --force)")
    p.add_argument("--pdf", metavar="FILE", help="write a PDF report with the change table and the response "
                                                 "(never overwritten without --force)")
    p.add_argument("--sr", metavar="FILE", help="write the change table and the response as a DICOM SR "
                                               "(never overwritten without --force)")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="language of the PDF report (default en)")
    p.add_argument("--deformable", action="store_true",
                   help="also register the CTs with a B-spline after the rigid registration and match lesions "
                        "through it (the views stay linked rigidly)")
    p.add_argument("--force", action="store_true", help="overwrite the --csv, --pdf or --screenshot file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--view", action="store_true", help="open the side-by-side follow-up window")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="render the side-by-side window headless to this PNG (never overwritten without --force)")
    p.add_argument("--size", default="1600x1000", metavar="WxH", help="screenshot size (default 1600x1000)")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from workstation.analysis.followup.comparison import CHANGE_COLUMNS, FollowupError, load_timepoint, read_followup
    from workstation.analysis.followup.response import ResponseError

    from workstation.cli.common import UserError, print_json
    from workstation.cli.lesions_cmd import parse_point

    liver = parse_point(args.liver, "--liver") if args.liver else None
    bp = parse_point(args.blood_pool, "--blood-pool") if args.blood_pool else None
    fl = parse_point(args.followup_liver, "--followup-liver") if args.followup_liver else None
    fbp = parse_point(args.followup_blood_pool, "--followup-blood-pool") if args.followup_blood_pool else None
    if args.deformable and args.no_register:
        raise UserError("--deformable starts from the rigid registration; it cannot be used with --no-register")
    if args.method == "deauville" and bp is None and liver is not None:
        raise UserError("--method deauville needs --blood-pool x,y,z (descending thoracic aorta, baseline LPS mm)")
    if not args.min_volume >= 0 or not args.gate > 0:
        raise UserError("--min-volume must be >= 0 mL and --gate > 0 mm")
    from pathlib import Path

    for opt, path in (("--csv", args.csv), ("--screenshot", args.screenshot), ("--pdf", args.pdf), ("--sr", args.sr)):
        if path and Path(path).exists() and not args.force:
            raise UserError(f"{path} already exists; choose another file or pass --force ({opt})")
    size = None
    if args.screenshot:
        try:
            size = tuple(int(v) for v in args.size.lower().split("x"))
        except ValueError:
            size = ()
        if len(size) != 2 or not all(64 <= v <= 8000 for v in size):
            raise UserError(f"--size {args.size}: give WIDTHxHEIGHT, each 64..8000 pixels")
    if Path(args.baseline).resolve() == Path(args.followup).resolve():
        raise UserError(f"{args.baseline}: the baseline and the follow-up are the same folder; a response needs "
                        "two time points")
    try:
        base = load_timepoint(args.baseline, with_ct=not args.no_register)
        fu = load_timepoint(args.followup, with_ct=not args.no_register)
        b_uid, f_uid = (getattr(t.pet, "series_uid", None) or None for t in (base, fu))
        if b_uid and b_uid == f_uid:
            raise UserError(f"the baseline and the follow-up are the same PET series ({b_uid}); a response needs "
                            "two time points")
        notes, tracer_notes = [], []
        from workstation.analysis.followup.response import check_response_tracer

        for tp in (base, fu):  # PERCIST / EORTC / Deauville are FDG criteria: refuse other tracers
            acq = tp.pet.pet
            note = check_response_tracer(args.method, tp.pet.nuclide,
                                         None if acq is None else acq.value("radiopharmaceutical"))
            if note and note not in tracer_notes:
                tracer_notes.append(note)
        if liver is None:
            from workstation.analysis.followup.store import find_references

            liver, found_bp, notes = find_references(base)
            bp = bp if bp is not None else found_bp
            if args.method == "deauville" and bp is None:
                raise UserError("--method deauville: no blood pool was found automatically; give --blood-pool x,y,z")
        reading = read_followup(base, fu, liver, blood_pool_world=bp, followup_liver_world=fl,
                                followup_blood_pool_world=fbp,
                                followup_from_baseline=np.eye(4) if args.no_register else None,
                                min_volume_ml=args.min_volume, gate_mm=args.gate, after_one_cycle=args.after_one_cycle,
                                deformable=args.deformable)
        result = reading.response(args.method)
        out = reading.to_dict(args.method)
    except (FollowupError, ResponseError) as exc:
        raise UserError(str(exc)) from None
    if args.csv:
        from workstation.io.table_csv import write_table_csv

        write_table_csv(args.csv, reading.table(), CHANGE_COLUMNS, overwrite=args.force)
    if args.sr:
        from workstation.analysis.followup.store import write_sr
        from workstation.io.export_common import ExportError

        try:
            write_sr(reading, args.sr, overwrite=args.force)
        except ExportError as exc:
            raise UserError(str(exc)) from None
    if args.pdf:
        from workstation.report.reading_report import ReportError, content_from_followup, write_pdf

        try:
            write_pdf(args.pdf, content_from_followup(reading), lang=args.lang, overwrite=args.force)
        except ReportError as exc:
            raise UserError(str(exc)) from None
    warnings = tracer_notes + base.warnings + fu.warnings
    if notes:
        out["references_found"] = notes
    if args.json:
        out["warnings"] = warnings
        print_json(out)
        return 0
    for n in notes:
        print(n)
    print(format_reading(reading, result))
    if args.csv:
        print(f"change table written to {args.csv}")
    if args.pdf:
        print(f"report written to {args.pdf}")
    if args.sr:
        print(f"structured report written to {args.sr}")
    for w in warnings:
        print(f"warning: {w}")
    if args.screenshot or args.view:
        return _show(reading, args.screenshot, size)
    return 0


def _show(reading, screenshot, size) -> int:
    import os
    import sys

    if screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
            and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow")
    from workstation.ui.followup.window import show_followup

    rc = show_followup(reading, screenshot=screenshot, size=size)
    if screenshot:
        print(f"wrote {screenshot} ({size[0]}x{size[1]})")
    return rc


def format_reading(reading, result) -> str:
    reg = reading.registration
    lines = [f"registration: {reg.get('summary', reg.get('method', ''))}"]
    for name, tp in (("baseline", reading.base), ("follow-up", reading.fu)):
        liv = tp["liver"]
        text = (f"{name}: liver SULmean {liv['sul_mean']:.3f} SD {liv['sul_sd']:.3f} (SUVbw {liv['suv_mean']:.3f}), "
                f"PERCIST threshold SUVbw {tp['threshold_suv']:.3f}, {len(tp['lesions'])} lesion(s)")
        if tp.get("blood_pool"):
            text += f", blood pool SUVbw {tp['blood_pool']['suv_mean']:.3f}"
        lines.append(text)
    head = (f"{'lesion':<7}{'status':<12}{'SUVmax':>15}{'chg %':>8}{'SULpeak':>15}{'chg %':>8}{'MTV mL':>15}"
            f"{'TLG':>17}{'PERCIST':>9}{'EORTC':>7}  QIBA")
    lines.append(head)
    for r in reading.rows():
        c = r.changes()

        def pair(w, fmt="6.2f"):
            return f"{c[w]['baseline']:{fmt}}->{c[w]['followup']:{fmt}}"

        lines.append(f"{r.name:<7}{r.status:<12}{pair('suvmax'):>15}{c['suvmax']['percent']:8.1f}"
                     f"{pair('sulpeak'):>15}{c['sulpeak']['percent']:8.1f}{pair('mtv_ml'):>15}"
                     f"{pair('tlg', '7.1f'):>17}{r.percist:>9}{r.eortc:>7}  "
                     f"{'within' if r.qiba_within_repeatability else 'beyond'}")
    lines.append(f"response ({result.method}): {result.category} - {result.name}; " + "; ".join(result.reasons))
    return "\n".join(lines)
