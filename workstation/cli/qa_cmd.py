"""`workstation qa`: physicist QA on PET phantom series.

* ``qa nema-iq SERIES_DIR [--ratio R | --sphere-kbqml S --background-kbqml B [--fill-time T]]``:
  NEMA NU 2 image quality of the IEC body phantom with EARL recovery coefficients;
* ``qa uniformity SERIES_DIR``: uniform cylinder, mean SUV in a central VOI within +-10 % of 1;
* ``qa trend``: stored results of a scanner over time.

Results are stored in the study database with the scanner's identity and the scan date unless
``--no-store``; ``--report FILE.pdf`` writes the QA report (refused if the file exists, unless
``--force``).
"""

from __future__ import annotations

import math
from pathlib import Path

from workstation.cli.common import UserError, print_json


def add_parser(sub):
    p = sub.add_parser("qa", help="physicist QA: NEMA IQ phantom, uniform cylinder, trends",
                       description="Physicist QA on PET phantom series: NEMA NU 2 image quality (IEC body phantom) "
                                   "with EARL recovery bands, the uniform-cylinder SUV check, and trends per scanner.")
    qsub = p.add_subparsers(dest="qa_command", metavar="QA_COMMAND")

    n = qsub.add_parser("nema-iq", help="NEMA IEC body phantom image quality with EARL bands")
    n.add_argument("series_dir", metavar="SERIES_DIR")
    fill = n.add_argument_group("known fill (a ratio, or both concentrations)")
    fill.add_argument("--ratio", type=float, help="sphere:background activity concentration ratio")
    fill.add_argument("--sphere-kbqml", type=float, metavar="S", help="sphere activity concentration, kBq/mL")
    fill.add_argument("--background-kbqml", type=float, metavar="B", help="background activity concentration, kBq/mL")
    fill.add_argument("--fill-time", metavar="YYYYMMDDHHMMSS", help="when the concentrations were measured "
                      "(default: at the scan start); they are decayed to the image's reference time")
    fill.add_argument("--half-life", type=float, metavar="S", default=None,
                      help="half-life in s for the decay (default: the series header's half-life or nuclide, "
                           "else F-18)")
    n.add_argument("--edition", choices=("auto", "2012", "2018"), default="auto",
                   help="NU 2 edition: 2012 (37 and 28 mm spheres cold), 2018 (all hot); default: from the image")
    n.add_argument("--sphere", action="append", default=[], metavar="D=X,Y,Z",
                   help="place the sphere of diameter D mm at world X,Y,Z mm (LPS) instead of the found centre")
    _common(n)
    n.add_argument("--report", type=Path, metavar="FILE.pdf", help="write the QA report (PDF)")
    n.set_defaults(func=run_nema)

    u = qsub.add_parser("uniformity", help="uniform cylinder: mean SUV within +-10 %% of 1.0")
    u.add_argument("series_dir", metavar="SERIES_DIR")
    _common(u)
    u.add_argument("--report", type=Path, metavar="FILE.pdf", help="write the QA report (PDF)")
    from workstation.cli.common import add_suv_arguments

    add_suv_arguments(u)
    u.set_defaults(func=run_uniformity)

    t = qsub.add_parser("trend", help="stored QA results over time")
    t.add_argument("--kind", choices=("nema-iq", "uniformity"), default=None)
    t.add_argument("--scanner", help="part of the scanner name (manufacturer / model / station / serial)")
    t.add_argument("--metric", help="one summary metric to list (e.g. background_cov, rc_a50_37, mean)")
    t.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    t.add_argument("--json", action="store_true")
    t.add_argument("--plot", type=Path, metavar="FILE.png", help="draw --metric over time, one line per scanner")
    t.add_argument("--force", action="store_true", help="overwrite an existing plot file")
    t.set_defaults(func=run_trend)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _common(p):
    p.add_argument("--series", metavar="UID", help="PET series instance UID when the folder holds several")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    p.add_argument("--no-store", action="store_true", help="do not store the result in the study database")
    p.add_argument("--force", action="store_true", help="overwrite an existing report file")


def _user_errors():
    from workstation.analysis.qa.nema_iq import NemaIqError
    from workstation.analysis.qa.uniformity import UniformityError

    return (NemaIqError, UniformityError)


def _check_report(args):
    if args.report is None:
        return
    if args.report.suffix.lower() != ".pdf":
        raise UserError(f"--report {args.report}: give a .pdf file name")
    if args.report.exists() and not args.force:
        raise UserError(f"--report {args.report}: the file exists; pass --force to overwrite it")
    if not args.report.parent.exists():
        raise UserError(f"--report {args.report}: folder {args.report.parent} does not exist")


def _parse_spheres(items):
    out = {}
    for item in items:
        try:
            d, xyz = item.split("=", 1)
            c = [float(v) for v in xyz.split(",")]
            if len(c) != 3 or not all(math.isfinite(v) for v in c):
                raise ValueError
            out[float(d)] = tuple(c)
        except ValueError:
            raise UserError(f"--sphere {item!r}: expected D=X,Y,Z in mm, e.g. 37=55.2,3.6,-5.5") from None
    return out


def _fill(args, header_half_life):
    from workstation.analysis.qa.nema_iq import Fill
    from workstation.recon.publish import PublishError, parse_datetime

    conc = (args.sphere_kbqml, args.background_kbqml)
    if args.ratio is not None and any(v is not None for v in conc):
        raise UserError("give either --ratio or --sphere-kbqml with --background-kbqml, not both")
    if args.ratio is None and None in conc:
        raise UserError("give the known fill: --ratio R, or --sphere-kbqml S and --background-kbqml B")
    if args.fill_time and args.ratio is not None:
        raise UserError("--fill-time goes with the concentrations (a ratio does not decay)")
    try:
        ref = parse_datetime(args.fill_time, "--fill-time") if args.fill_time else None
    except PublishError as exc:
        raise UserError(str(exc)) from None
    half = args.half_life or header_half_life
    return Fill(ratio=args.ratio, sphere_bqml=None if conc[0] is None else conc[0] * 1000.0,
                background_bqml=None if conc[1] is None else conc[1] * 1000.0, reference_datetime=ref,
                half_life_s=half)


def run_nema(args) -> int:
    from workstation.analysis.qa.nema_iq import analyse_nema_iq
    from workstation.analysis.qa.series import half_life, load_context, nema_summary, store

    _check_report(args)
    centres = _parse_spheres(args.sphere)
    try:
        vol, ctx = load_context(args.series_dir, args.series)
        fill = _fill(args, half_life(vol)[0])
        res = analyse_nema_iq(vol.array, vol.geometry, fill, units=ctx.units, scan_datetime=ctx.reference_datetime,
                              edition=args.edition, centres=centres)
    except _user_errors() as exc:
        raise UserError(f"{args.series_dir}: {exc}") from None
    res.warnings[:0] = ctx.warnings
    out = {"series": ctx.to_dict(), **res.to_dict()}
    if not args.no_store:
        out["stored_qa_id"] = store(args.db, "nema-iq", ctx, nema_summary(res), out, res.earl_pass("EARL1"))
    if args.report is not None:
        from workstation.report.qa import write_nema_report

        write_nema_report(args.report, res, ctx, overwrite=args.force)
        out["report"] = str(args.report)
    if args.json:
        print_json(out)
        return 0
    u = res.units or "image units"
    print(f"NEMA IQ ({'NU 2-' + res.edition}), {ctx.series_dir}; fill ratio {res.true_ratio:g}; {res.fill_note}")
    print(f"background {res.background_mean:.6g} {u} (CoV {res.background_cov:.2f} %), lung residual "
          f"{res.lung_residual_percent:.2f} %"
          + (f", calibration {res.calibration_ratio:.3f}" if res.calibration_ratio is not None else ""))
    print(f"{'mm':>4} {'RCmax':>7} {'RCA50':>7} {'RCpeak':>7} {'Q_H %':>7} {'Q_C %':>7} {'N %':>6}  EARL1 EARL2")
    for s in res.spheres:
        f = lambda v: f"{v:7.3f}" if v is not None else f"{'-':>7}"  # noqa: E731
        g = lambda v: f"{v:7.1f}" if v is not None else f"{'-':>7}"  # noqa: E731
        e1 = {True: "pass", False: "FAIL"}.get(s.earl.get("EARL1", {}).get("pass"), "-")
        e2 = {True: "pass", False: "FAIL"}.get(s.earl.get("EARL2", {}).get("pass"), "-")
        print(f"{s.diameter_mm:4g} {f(s.rc_max)} {f(s.rc_a50)} {f(s.rc_peak)} {g(s.contrast_hot)} "
              f"{g(s.contrast_cold)} {res.variability[s.diameter_mm]['n_percent']:6.2f}  {e1:5} {e2}")
    for w in res.warnings:
        print(f"warning: {w}")
    if "report" in out:
        print(f"report: {out['report']}")
    return 0


def run_uniformity(args) -> int:
    from workstation.analysis.qa.series import store, uniformity_series, uniformity_summary

    from workstation.cli.common import overrides_from_args

    _check_report(args)
    try:
        res, ctx, suv = uniformity_series(args.series_dir, args.suv, overrides_from_args(args), args.series)
    except _user_errors() as exc:
        raise UserError(f"{args.series_dir}: {exc}") from None
    out = {"series": ctx.to_dict(), **res.to_dict(), "suv_type": suv.suv_type, "suv_factor": suv.factor,
           "provenance": suv.provenance}
    if not args.no_store:
        out["stored_qa_id"] = store(args.db, "uniformity", ctx, uniformity_summary(res), out, res.passed)
    if args.report is not None:
        from workstation.report.qa import write_uniformity_report

        write_uniformity_report(args.report, res, ctx, overwrite=args.force)
        out["report"] = str(args.report)
    if args.json:
        print_json(out)
        return 0
    print(f"uniform cylinder, {ctx.series_dir}: mean {res.mean:.4f} {res.units} in {res.volume_ml:.0f} mL "
          f"({res.deviation_percent:+.2f} %): {'PASS' if res.passed else 'FAIL'} (tolerance +-10 %)")
    print(f"slices {len(res.slice_mean)}: max deviation from the mean {res.max_slice_deviation_percent:.2f} %, "
          f"CoV {min(res.slice_cov):.2f}-{max(res.slice_cov):.2f} %")
    for w in res.warnings:
        print(f"warning: {w}")
    return 0


def run_trend(args) -> int:
    from workstation.io.db import StudyDB

    with StudyDB(args.db) as db:
        rows = db.qa_results(args.kind, args.scanner)
    if args.plot is not None:
        if not args.metric:
            raise UserError("--plot needs --metric (e.g. rc_a50_37, background_cov, mean)")
        if args.plot.exists() and not args.force:
            raise UserError(f"--plot {args.plot}: the file exists; pass --force to overwrite it")
        from workstation.report.qa import ReportError, write_trend_plot

        try:
            write_trend_plot(args.plot, rows, args.metric, overwrite=args.force)
        except ReportError as exc:
            raise UserError(str(exc)) from None
    items = [{"qa_id": r.qa_id, "kind": r.kind, "scanner": r.scanner, "acquired": r.acquired, "passed": r.passed,
              **({"value": r.summary.get(args.metric)} if args.metric else {"summary": r.summary})} for r in rows]
    if args.json:
        print_json({"metric": args.metric, "results": items})
        return 0
    if not items:
        print("no QA results stored" + (f" for scanner matching {args.scanner!r}" if args.scanner else ""))
        return 0
    for it in items:
        verdict = {True: "pass", False: "FAIL", None: "-"}[it["passed"]]
        val = f" {args.metric}={it['value']}" if args.metric else ""
        print(f"{it['acquired'] or '?':19} {it['kind']:10} {verdict:4} {it['scanner']}{val}")
    return 0
