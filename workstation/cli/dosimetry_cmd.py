"""`workstation dosimetry SCAN_DIR SCAN_DIR...`: time-activity curves, TIA and absorbed dose per VOI.

Each SCAN_DIR holds one quantitative SPECT (or PET) series in Bq/mL, or in counts: then the camera's
calibration factor kept in the settings for its camera and nuclide is used (``workstation dosimetry
calibration add|list|max-age``), or ``--calibration`` overrides it (named in the output); a CT series in
the folder makes it a SPECT/CT (CT-to-CT registration, CT density). Scans of several therapy cycles are
computed cycle by cycle and summed per VOI name (JSON ``cycles`` and ``cumulative``; ``--rtdose`` then
writes the dose summed over the cycles on the first cycle's grid, ``--report`` every cycle and the
cumulative table). The VOIs come from the RTSTRUCT files given with ``--rtstruct`` (or found below the
scan folders) and from ``--organ`` (thresholded from a seed) and ``--marrow`` (vertebral cylinders).
Later time points are registered to the first (rigid; ``--registration deformable`` adds a B-spline after it,
refused with a warning when it folds or moves too far); a VOI missing from a time point's RTSTRUCT is
carried there. Prints a table, or with ``--json`` one strict JSON object (no NaN): ``time_points`` (time_h,
registration), ``vois`` (name, mass_g, activity_mbq per time point, fit {model, params, aicc},
tia_mbq_h {value, sd}, dose_gy {value, sd}, dvh, ...) and ``warnings``. ``--rtdose`` writes the dose map
as DICOM RT Dose on the first scan's grid, ``--report`` a PDF (``--lang en|zh_CN``), ``--csv`` one row
per VOI, ``--screenshot`` a PNG of the dosimetry workspace; ``--view`` opens that workspace. Files are
never replaced without ``--force``.
"""

from __future__ import annotations

import math


def add_parser(sub):
    from workstation.core.vocabulary import FIT_CHOICES

    p = sub.add_parser("dosimetry", help="radionuclide therapy dosimetry across time points (TAC, TIA, dose)",
                       description="Time-activity curves, time-integrated activity and absorbed dose per VOI from "
                                   "quantitative SPECT/PET scans of one therapy cycle.")
    p.add_argument("scan_dirs", metavar="SCAN_DIR", nargs="+", help="one folder per time point")
    p.add_argument("--rtstruct", metavar="FILE", nargs="+", action="extend", default=None,
                   help="RTSTRUCT file(s) with the VOIs (default: the RTSTRUCTs below the scan folders)")
    p.add_argument("--fit", choices=FIT_CHOICES, default="auto", help="TAC model (default auto: AICc / rules)")
    p.add_argument("--method", choices=("led", "dvk"), default="led",
                   help="local energy deposition or dose-voxel-kernel convolution (default led)")
    p.add_argument("--decay", choices=("factor", "correction"), default="factor",
                   help="trust DecayFactor (default) or DecayCorrection when they disagree")
    p.add_argument("--density", type=float, default=1.04, metavar="G_PER_ML",
                   help="tissue density without a CT (default 1.04, soft tissue)")
    p.add_argument("--activity-sigma", type=float, default=0.10, metavar="FRACTION",
                   help="relative standard uncertainty of each VOI activity (default 0.10)")
    p.add_argument("--calibration", metavar="CPS_PER_MBQ", type=float,
                   help="camera calibration factor for a SPECT in counts (cps/MBq, this camera and nuclide)")
    p.add_argument("--calibration-date", metavar="YYYY-MM-DD", default="", help="when that factor was measured")
    p.add_argument("--acquisition-s", metavar="SECONDS", type=float,
                   help="total acquisition time of a counts SPECT when the header lacks it")
    p.add_argument("--no-register", action="store_true", help="use the scanner coordinates (no registration)")
    p.add_argument("--registration", choices=("rigid", "deformable"), default="rigid",
                   help="rigid (default), or deformable: a coarse B-spline (Mattes MI) after the rigid step, for VOIs "
                        "and voxel maps; a folding or too large deformation is refused and the rigid result kept")
    p.add_argument("--organ", metavar="NAME=X,Y,Z[,PERCENT]", action="append", default=[],
                   help="an organ VOI thresholded on the first scan: the region above PERCENT %% (default 40) of the "
                        "maximum within 120 mm of the seed X,Y,Z (LPS mm), connected to it (repeatable)")
    p.add_argument("--marrow", metavar="X,Y,Z", action="append", default=[],
                   help="the centre of a vertebral body (e.g. L2, L3, L4; repeatable): a 15 x 20 mm cylinder in each "
                        "makes the 'red marrow (L2-L4)' VOI")
    p.add_argument("--voxelwise", choices=("mono", "trapezoid"),
                   help="fit every voxel's curve (mono-exponential, or trapezoid with a fitted tail) instead of "
                        "rescaling the voxel map to the VOI fits")
    p.add_argument("--no-ct", action="store_true",
                   help="ignore the scans' CTs (SPECT-to-SPECT registration and a uniform density)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--report", metavar="FILE.pdf", help="write a PDF report")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en", help="report language")
    p.add_argument("--rtdose", metavar="FILE.dcm", help="write the dose map as DICOM RT Dose")
    p.add_argument("--csv", metavar="FILE.csv", help="write one row per VOI")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument("--view", action="store_true", help="open the dosimetry workspace on the result")
    p.add_argument("--screenshot", metavar="FILE.png", help="draw the dosimetry workspace off screen to this PNG")
    p.set_defaults(func=run)
    _add_calibration_parser(sub)


def _add_calibration_parser(sub):
    """`workstation dosimetry calibration add|list|max-age`: the camera calibration factors kept in the settings."""
    p = sub.add_parser("dosimetry-calibration", help="camera calibration factors (cps/MBq) per camera and nuclide "
                                                     "(also: workstation dosimetry calibration ...)",
                       description="Camera calibration factors for counts SPECT, kept per camera and nuclide with "
                                   "the date measured; the newest is used by `workstation dosimetry`.")
    cs = p.add_subparsers(dest="calibration_command", metavar="add|list|max-age", required=True)
    a = cs.add_parser("add", help="store a measured factor")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--camera", metavar="'MANUFACTURER / MODEL / SERIAL'",
                     help="the camera as its headers name it: Manufacturer / ManufacturerModelName / DeviceSerialNumber")
    who.add_argument("--from-scan", metavar="DICOM_FILE_OR_DIR", help="take the camera's name from this scan's header")
    a.add_argument("--nuclide", required=True, help="e.g. Lu-177")
    a.add_argument("--cps-per-mbq", type=float, required=True, metavar="CPS_PER_MBQ", help="the sensitivity measured")
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="when it was measured")
    a.add_argument("--who", default="", help="who measured it")
    a.add_argument("--note", default="", help="e.g. energy windows, collimator, phantom")
    a.set_defaults(func=run_calibration)
    ls = cs.add_parser("list", help="the stored factors, newest first")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(func=run_calibration)
    m = cs.add_parser("max-age", help="the age in days after which a factor is warned about")
    m.add_argument("days", type=int, nargs="?", help="set it (default: show it)")
    m.set_defaults(func=run_calibration)


def _camera_of_scan(path) -> str:
    from pathlib import Path

    import pydicom

    from workstation.analysis.dosimetry.timepoints import camera_of
    from workstation.cli.common import UserError

    p = Path(path)
    files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else []
    for f in files:
        try:
            ds = pydicom.dcmread(str(f), stop_before_pixels=True)
        except Exception:  # noqa: BLE001 - not DICOM: try the next file
            continue
        if str(ds.get("Modality", "")).upper() in ("NM", "PT"):
            return camera_of(ds)
    raise UserError(f"--from-scan {path}: no NM/PT DICOM file found there")


def run_calibration(args) -> int:
    import json
    import sys

    from workstation.cli.common import UserError
    from workstation.settings.camera_calibration import (CalibrationError, add_entry, calibration_path, entries,
                                                         max_age_days, set_max_age_days)

    try:
        if args.calibration_command == "add":
            camera = args.camera if args.camera else _camera_of_scan(args.from_scan)
            e = add_entry(camera, args.nuclide, args.cps_per_mbq, args.date, args.who, args.note)
            print(f"stored: {e.camera}  {e.nuclide}  {e.cps_per_mbq:g} cps/MBq  measured {e.measured}"
                  + (f"  by {e.who}" if e.who else "") + f"  ({calibration_path()})")
            return 0
        if args.calibration_command == "max-age":
            if args.days is not None:
                set_max_age_days(args.days)
            print(f"a calibration older than {max_age_days()} days at the scan is warned about")
            return 0
        rows = entries()
        if args.json:
            sys.stdout.write(json.dumps({"max_age_days": max_age_days(), "entries": [e.to_dict() for e in rows]},
                                        indent=2, ensure_ascii=False) + "\n")
            return 0
        if not rows:
            print("no camera calibration stored (add one: workstation dosimetry calibration add ...)")
            return 0
        print(f"{'camera':<44}{'nuclide':<9}{'cps/MBq':>10}  {'measured':<11} who")
        for e in rows:
            print(f"{e.camera[:43]:<44}{e.nuclide:<9}{e.cps_per_mbq:>10.4g}  {e.measured:<11} {e.who}")
        return 0
    except CalibrationError as exc:
        raise UserError(str(exc)) from None


def strict(obj):
    """``obj`` with every non-finite float replaced by None (strict JSON)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(v) for v in obj]
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return strict(obj.item())
    except ImportError:  # pragma: no cover
        pass
    return obj


def _fmt(v, nd=2) -> str:
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{nd}f}"


def _print_table(res) -> None:
    d = res.to_dict()
    nuc = d["nuclide"]
    admin = d["administered_mbq"]
    print(f"{nuc['name']}  T1/2 {nuc['half_life_h']:.2f} h  electrons {nuc['electron_energy_mev_per_decay']} MeV/decay"
          f"  administered {_fmt(admin, 1)} MBq  injection {d['injection']}")
    print(f"fit {d['fit']}  method {d['method']}  decay policy {d['decay_policy']}  density {d['density']}"
          f"  LED k = {d['led_constant_gy_g_per_mbq_h']:.5f} Gy·g/(MBq·h)")
    for tp in d["time_points"]:
        reg = tp["registration"]
        what = "reference" if reg.get("reference") else (
            f"shift {', '.join(f'{v:.1f}' for v in reg['translation_mm'])} mm, rot {reg['rotation_deg']:.2f}°"
            if "translation_mm" in reg else reg.get("method", ""))
        print(f"  {tp['label']:<12} {tp['time_h']:8.2f} h  {what}")
        if reg.get("requested") == "deformable":
            print(f"  {'':<12} deformable: " + (f"refused ({reg['refused']})" if reg.get("refused") else
                  f"max {reg['max_displacement_mm']:.1f} mm, Mattes MI {reg['metric_before']:.4f} -> "
                  f"{reg['metric_after']:.4f}"))
        cal = tp.get("calibration")
        if cal:
            print(f"  {'':<12} calibration {cal['cps_per_mbq']:g} cps/MBq of {cal['camera']} ({cal['nuclide']}), "
                  f"measured {cal['measured'] or '?'}, from {cal['source']}")
    print(f"{'VOI':<26}{'mass g':>9}  {'activity MBq per time point':<28}{'fit':<16}{'TIA MBq·h':>18}"
          f"{'LED Gy':>9}{'DVK Gy':>9}{'Gy/GBq':>8}")
    for v in res.vois:
        acts = " ".join(f"{a:.2f}" for a in v.activities_mbq)
        print(f"{v.name[:25]:<26}{v.mass_g:9.1f}  {acts:<28}{v.fit.model:<16}"
              f"{_fmt(v.fit.tia_mbq_h, 0):>10} ± {_fmt(v.fit.tia_sd_mbq_h, 0):<6}"
              f"{_fmt(v.dose_led_gy):>9}{_fmt(v.dose_dvk_gy):>9}{_fmt(v.gy_per_gbq):>8}")
        extra = f"sphere model {_fmt(v.dose_sphere_gy)} Gy"
        if v.bed_gy is not None:
            extra += f"; BED {v.bed_gy:.2f} Gy (a/b 2.6 Gy, T_rep 2.8 h)"
        print(f"{'':<26}{extra}")
    for w in d["warnings"]:
        print(f"warning: {w}")


def _write_csv(path, res, force: bool) -> None:
    import csv
    import os

    from workstation.io.export_common import check_target

    p = check_target(path, force)
    tmp = p.with_name(f".{p.name}.partial-{os.getpid()}")
    n = len(res.therapy.time_points)
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["voi", "volume_ml", "mass_g", *[f"activity_mbq_t{i + 1}" for i in range(n)], "fit", "tia_mbq_h",
                    "tia_sd_mbq_h", "dose_led_gy", "dose_dvk_gy", "dose_gy", "dose_sd_gy", "D2", "D50", "D90", "D98",
                    "gy_per_gbq", "bed_gy"])
        for v in res.vois:
            p_ = v.percentiles
            w.writerow([v.name, f"{v.volume_ml:.3f}", f"{v.mass_g:.3f}", *[f"{a:.4f}" for a in v.activities_mbq],
                        v.fit.model, f"{v.fit.tia_mbq_h:.3f}", f"{v.fit.tia_sd_mbq_h:.3f}", f"{v.dose_led_gy:.4f}",
                        "" if v.dose_dvk_gy is None else f"{v.dose_dvk_gy:.4f}", f"{v.dose_gy:.4f}",
                        f"{v.dose_sd_gy:.4f}", *[f"{p_[k]:.4f}" for k in ("D2", "D50", "D90", "D98")],
                        "" if v.gy_per_gbq is None else f"{v.gy_per_gbq:.4f}",
                        "" if v.bed_gy is None else f"{v.bed_gy:.4f}"])
    os.replace(tmp, p)


def _run_cycles(args, tps, rts, opts) -> int:
    """Several therapy cycles: each computed on its own, then the doses summed per VOI name."""
    import json
    import sys

    from workstation.analysis.dosimetry.pipeline import cumulative_doses, run_cycles

    from workstation.cli.common import UserError

    if args.organ or args.marrow:
        raise UserError("--organ and --marrow are drawn on one cycle's first scan; give one cycle's scans for them")
    results = run_cycles(tps, rts, opts)
    total = cumulative_doses(results)
    outputs = {}
    if args.rtdose:
        from workstation.analysis.dosimetry.pipeline import cumulative_dose_map
        from workstation.io.export_rtdose import write_rtdose

        dose, regs = cumulative_dose_map(results)
        ref = results[0].reference
        comment = (f"{results[0].therapy.nuclide.name} dose summed over {len(results)} cycles, "
                   f"{args.method.upper()}, fit {args.fit}")
        outputs["rtdose"] = str(write_rtdose(dose, ref.volume.geometry, ref.volume.source_files[0], args.rtdose,
                                             frame_of_reference_uid=ref.volume.frame_of_reference_uid,
                                             comment=comment, overwrite=args.force))
        outputs["rtdose_cycle_registrations"] = regs
    if args.csv:
        _write_cycles_csv(args.csv, total, args.force)
        outputs["csv"] = str(args.csv)
    if args.report:
        from workstation.report.dosimetry_report import write_dosimetry_report

        outputs["report"] = str(write_dosimetry_report(args.report, results[0], lang=args.lang, overwrite=args.force,
                                                       cycles=results, cumulative=total))
    if args.screenshot:
        from workstation.ui.dosimetry.workspace import workspace_screenshot

        outputs["screenshot"] = workspace_screenshot(results[0], args.screenshot, cycles=results, cumulative=total)
    if args.json:
        d = {"cycles": [r.to_dict() for r in results], "cumulative": total,
             "warnings": [w for r in results for w in r.warnings], "outputs": outputs}
        sys.stdout.write(json.dumps(strict(d), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    else:
        _print_cycles(results, total)
        for k, v in outputs.items():
            if k != "rtdose_cycle_registrations":
                print(f"wrote {k}: {v}")
    if args.view:
        from workstation.ui.dosimetry.workspace import show_workspace

        return show_workspace(results[0], cycles=results, cumulative=total)
    return 0


def _write_cycles_csv(path, total, force: bool) -> None:
    """One row per VOI: dose per cycle, the sum, its SD and the summed BED."""
    import csv
    import os

    from workstation.io.export_common import check_target

    p = check_target(path, force)
    tmp = p.with_name(f".{p.name}.partial-{os.getpid()}")
    n = max((len(c["dose_gy_per_cycle"]) for c in total), default=0)
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["voi", *[f"dose_gy_cycle{i + 1}" for i in range(n)], "dose_gy_sum", "dose_sd_gy", "bed_gy_sum",
                    "missing_in_cycles"])
        for c in total:
            w.writerow([c["name"], *["" if x is None else f"{x:.4f}" for x in c["dose_gy_per_cycle"]],
                        f"{c['dose_gy']:.4f}", "" if c["dose_sd_gy"] is None else f"{c['dose_sd_gy']:.4f}",
                        "" if c["bed_gy"] is None else f"{c['bed_gy']:.4f}", " ".join(map(str, c["missing_in"]))])
    os.replace(tmp, p)


def _print_cycles(results, total) -> None:
    for n, r in enumerate(results, start=1):
        print(f"=== cycle {n}")
        _print_table(r)
    print("=== cumulative over the cycles")
    for c in total:
        per = " + ".join(_fmt(x) for x in c["dose_gy_per_cycle"])
        bed = f"  BED {_fmt(c['bed_gy'])} Gy" if c["bed_gy"] is not None else ""
        print(f"{c['name'][:25]:<26}{per} = {_fmt(c['dose_gy'])} ± {_fmt(c['dose_sd_gy'])} Gy{bed}"
              + (f"  (missing in cycle {', '.join(map(str, c['missing_in']))})" if c["missing_in"] else ""))
    return 0


def _point(text: str, what: str):
    from workstation.cli.common import UserError

    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        vals = []
    if len(vals) != 3:
        raise UserError(f"{what} {text!r}: give X,Y,Z in mm (LPS)")
    return vals


def _organ_vois(args, first_tp) -> list:
    """The organ VOIs of --organ and --marrow on the first time point."""
    from workstation.analysis.dosimetry.organs import marrow_voi, threshold_voi
    from workstation.cli.common import UserError

    out = []
    g = first_tp.volume.geometry
    for spec in args.organ:
        name, sep, rest = spec.partition("=")
        parts = rest.split(",")
        if not sep or not name.strip() or len(parts) not in (3, 4):
            raise UserError(f"--organ {spec!r}: write NAME=X,Y,Z or NAME=X,Y,Z,PERCENT")
        seed = _point(",".join(parts[:3]), "--organ")
        try:
            pct = float(parts[3]) if len(parts) == 4 else 40.0
        except ValueError:
            raise UserError(f"--organ {spec!r}: PERCENT must be a number") from None
        out.append(threshold_voi(name.strip(), first_tp.activity_bqml(), g, seed, pct))
    if args.marrow:
        out.append(marrow_voi(g, [_point(t, "--marrow") for t in args.marrow]))
    return out


def run(args) -> int:
    import json
    import sys

    from workstation.analysis.dosimetry.fits import TacError
    from workstation.analysis.dosimetry.pipeline import (DosimetryOptions, find_rtstructs, load_time_points,
                                                         run_dosimetry)
    from workstation.analysis.dosimetry.timepoints import DosimetryError, group_by_therapy
    from workstation.io.export_common import check_target

    from workstation.cli.common import UserError

    if args.calibration is not None and not args.calibration > 0:
        raise UserError("--calibration must be a positive number of cps/MBq")
    if args.acquisition_s is not None and not args.acquisition_s > 0:
        raise UserError("--acquisition-s must be a positive number of seconds")
    if args.registration == "deformable" and args.no_register:
        raise UserError("--registration deformable and --no-register exclude each other")
    if not 0 < args.activity_sigma < 1:
        raise UserError("--activity-sigma must be a fraction between 0 and 1 (e.g. 0.1)")
    for out in (args.report, args.rtdose, args.csv, args.screenshot):
        if out:
            check_target(out, args.force)  # refuse before minutes of work
    try:
        tps = load_time_points(args.scan_dirs, args.decay, calibration=args.calibration,
                               calibration_date=args.calibration_date, acquisition_s=args.acquisition_s)
        rts = args.rtstruct if args.rtstruct else find_rtstructs(args.scan_dirs)
        opts = DosimetryOptions(fit=args.fit, method=args.method, decay_policy=args.decay, density_g_ml=args.density,
                                rel_sigma=args.activity_sigma, register=not args.no_register, use_ct=not args.no_ct,
                                voxelwise=args.voxelwise or "", registration=args.registration)
        therapies = group_by_therapy(tps)
        if len(therapies) > 1:
            return _run_cycles(args, tps, rts, opts)
        organs = _organ_vois(args, therapies[0].time_points[0])
        res = run_dosimetry(tps, rts, opts, keep_maps=bool(args.view or args.screenshot), extra_vois=organs)
    except (DosimetryError, TacError) as exc:
        raise UserError(str(exc)) from None
    outputs = {}
    if args.rtdose:
        from workstation.io.export_rtdose import write_rtdose

        ref = res.reference
        comment = f"{res.therapy.nuclide.name} dose, {args.method.upper()}, fit {args.fit}"
        outputs["rtdose"] = str(write_rtdose(res.dose_map_gy, ref.volume.geometry, ref.volume.source_files[0],
                                             args.rtdose, frame_of_reference_uid=ref.volume.frame_of_reference_uid,
                                             comment=comment, overwrite=args.force))
    if args.csv:
        _write_csv(args.csv, res, args.force)
        outputs["csv"] = str(args.csv)
    if args.report:
        from workstation.report.dosimetry_report import write_dosimetry_report

        outputs["report"] = str(write_dosimetry_report(args.report, res, lang=args.lang, overwrite=args.force))
    if args.screenshot:
        from workstation.ui.dosimetry.workspace import workspace_screenshot

        outputs["screenshot"] = workspace_screenshot(res, args.screenshot)
    if args.json:
        d = res.to_dict()
        d["outputs"] = outputs
        sys.stdout.write(json.dumps(strict(d), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    else:
        _print_table(res)
        for k, v in outputs.items():
            print(f"wrote {k}: {v}")
    if args.view:
        from workstation.ui.dosimetry.workspace import show_workspace

        return show_workspace(res)
    return 0
