"""`workstation recon`: run a reconstruction plugin on raw data through the plugin host.

``workstation recon --plugin ID --input FILE [--ct CT_SERIES_DIR | --mu MU.npy] [--set name=value ...]
--out DIR`` runs the job in a child process (job directory under DIR/jobs), prints progress on
stderr, and writes the validated result as ``DIR/image.npy`` + ``DIR/image.json`` (geometry,
units, provenance). Without ``--ct`` the result is also written as a DICOM PET series of a new
study of its own (``DIR/dicom``, SUV headers when the raw data's header or the options give dose
and times, Bq/mL otherwise; ``--no-dicom`` skips it) and imported. With ``--ct`` the CT also gives
the study: the result is written as a DICOM PET series (``DIR/dicom``) in the CT's study and
frame of reference, with SUV headers from
``--dose-mbq/--injection-time/--weight/--acquisition-start``, the study's PET series
(``--study-pet DIR``), the CT header or the raw data's header (in that order of precedence), and
imported into the study database (``--db``, ``--no-import``). With ``--list`` it lists
installed plugins, their parameters and the broken ones with the reason. The hidden ``recon-child`` command is the child's entry point in frozen
builds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workstation.cli.common import UserError, print_json

#: SUV fact (``recon.publish.SuvFacts`` field) -> the option of this command that supplies it
FACT_OPTIONS = {
    "injected_dose_bq": "--dose-mbq",
    "injection_datetime": "--injection-time",
    "weight_kg": "--weight",
    "acquisition_start": "--acquisition-start",
    "half_life_s": "--half-life",
}


def _fact_hint(fields) -> str:
    opts = [FACT_OPTIONS[f] for f in fields if f in FACT_OPTIONS]
    return f" (command line: {', '.join(opts)}, or --study-pet DIR)" if opts else ""


def add_parser(subparsers):
    p = subparsers.add_parser("recon", help="reconstruct raw PET data with a plugin")
    p.add_argument("--plugin", help="plugin id (see --list)")
    p.add_argument("--input", type=Path, help="raw data file (e.g. PETSIRD list-mode)")
    p.add_argument("--ct", type=Path, help="CT series folder for attenuation correction")
    p.add_argument("--mu", type=Path, help="attenuation map (1/cm) .npy with a .json geometry beside it")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="plugin parameter")
    p.add_argument("--out", type=Path, help="output directory")
    p.add_argument("--list", action="store_true", help="list plugins and exit")
    p.add_argument("--timeout", type=float, default=None, help="cancel the job after this many seconds")
    g = p.add_argument_group("publishing as a DICOM PET series: in the CT's study with --ct, else in a new "
                             "study of its own (SUV headers when dose and times are known, Bq/mL otherwise)")
    g.add_argument("--study-pet", type=Path, metavar="DIR", help="the study's PET series: dose, injection time, "
                   "weight and acquisition start from its headers")
    g.add_argument("--dose-mbq", type=float, metavar="MBQ", help="injected dose in MBq")
    g.add_argument("--injection-time", metavar="YYYYMMDDHHMMSS", help="injection date-time")
    g.add_argument("--acquisition-start", metavar="YYYYMMDDHHMMSS", help="start of the list-mode acquisition")
    g.add_argument("--weight", type=float, metavar="KG", help="patient weight in kg")
    g.add_argument("--half-life", type=float, metavar="S", help="half-life in s (default: from the study PET, else F-18)")
    g.add_argument("--series-number", type=int, default=901, help="series number of the written PET (default 901)")
    g.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    g.add_argument("--no-import", action="store_true", help="write the DICOM series but do not import it")
    g.add_argument("--no-dicom", action="store_true", help="without --ct: keep only image.npy, write no DICOM")
    p.set_defaults(func=run)
    c = subparsers.add_parser("recon-child", help=None)  # internal: child entry point of frozen builds
    c.add_argument("child_args", nargs=argparse.REMAINDER)  # parsed by recon.child (imported only when run)
    c.set_defaults(func=_run_child)


def _run_child(args) -> int:
    from workstation.recon.child import build_arg_parser, run_job

    child = build_arg_parser(argparse.ArgumentParser(prog="workstation recon-child")).parse_args(args.child_args)
    return run_job(child.job_dir, child.channel_fd)


def _parse_sets(items):
    out = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"--set {item!r}: expected NAME=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _load_ct(ct_dir: Path):
    from workstation.io.loader import load_series

    if not ct_dir.is_dir():
        raise UserError(f"--ct {ct_dir}: not a folder")
    files = sorted(str(f) for f in ct_dir.rglob("*") if f.is_file())
    vol = load_series(files)
    if vol.modality and vol.modality != "CT":
        raise UserError(f"--ct {ct_dir}: series modality is {vol.modality}, not CT")
    return vol


def _publish(args, vol, ct_vol):
    from workstation.recon.publish import PublishError, SuvFacts, publish_result

    try:
        facts = SuvFacts.given("command line", injected_dose_bq=None if args.dose_mbq is None else args.dose_mbq * 1e6,
                               injection_datetime=args.injection_time, acquisition_start=args.acquisition_start,
                               weight_kg=args.weight, half_life_s=args.half_life)
        pub = publish_result(vol, args.out / "dicom", ct_vol, facts=facts, study_pet_dir=args.study_pet,
                             db=args.db, import_to_db=not args.no_import, series_number=args.series_number)
    except PublishError as exc:
        raise UserError(f"{exc}{_fact_hint(exc.fields)} (the result is kept in {args.out / 'image.npy'})") from None
    except FileExistsError as exc:
        raise UserError(f"{exc} (the result is kept in {args.out / 'image.npy'})") from None
    return pub.to_dict()


def _facts(args):
    from workstation.recon.publish import PublishError, SuvFacts, facts_from_pet_series

    try:
        facts = SuvFacts.given("command line", injected_dose_bq=None if args.dose_mbq is None else args.dose_mbq * 1e6,
                               injection_datetime=args.injection_time, acquisition_start=args.acquisition_start,
                               weight_kg=args.weight, half_life_s=args.half_life)
        if args.study_pet:
            facts = facts.merge(facts_from_pet_series(args.study_pet))
    except PublishError as exc:
        raise UserError(str(exc)) from None
    return facts


def _publish_standalone(args, vol):
    from workstation.recon.publish import PublishError, publish_standalone

    try:
        pub = publish_standalone(vol, args.out / "dicom", facts=_facts(args), db=args.db,
                                 import_to_db=not args.no_import, series_number=args.series_number,
                                 study_description=f"Reconstruction {args.plugin}")
    except (PublishError, FileExistsError) as exc:
        raise UserError(f"{exc} (the result is kept in {args.out / 'image.npy'})") from None
    return pub.to_dict()


def _mu_from_npy(path: Path):
    import numpy as np

    from workstation.core.geometry import ImageGeometry

    meta = path.with_suffix(".json")
    if not meta.is_file():
        raise UserError(f"--mu {path}: geometry file {meta.name} missing beside it")
    try:
        geom = ImageGeometry.from_dict(json.loads(meta.read_text())["geometry"])
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(f"--mu {path}: unreadable ({exc})") from None
    return arr, geom


def run(args) -> int:
    import numpy as np

    from workstation.recon.host import JobStatus, ReconHost, ReconJobError
    from workstation.recon.manifest import ParameterError, PluginNotFound, PluginRegistry
    from workstation.recon.request import RequestError, prepare_request, submit_request

    reg = PluginRegistry.discover()
    if args.list:
        print_json({"plugins": [m.to_dict() for m in reg.plugins.values()],
                    "broken": [{"name": b.name, "reason": b.reason} for b in reg.broken]})
        return 0
    if not (args.plugin and args.input and args.out):
        raise UserError("give --plugin, --input and --out (or --list)")
    # the job runs in a child process with its own working directory: hand it absolute paths
    args.out = args.out.expanduser().resolve()
    args.input = args.input.expanduser().resolve()
    for name in ("ct", "mu", "study_pet"):
        if getattr(args, name, None) is not None:
            setattr(args, name, getattr(args, name).expanduser().resolve())
    if not args.input.is_file():
        raise UserError(f"--input {args.input}: file not found")
    if args.ct and args.mu:
        raise UserError("give either --ct or --mu, not both")
    ct_vol = _load_ct(args.ct) if args.ct else None
    # without --ct the SUV options go into the standalone series (its own study)
    mu = _mu_from_npy(args.mu) if args.mu and ct_vol is None else None
    args.out.mkdir(parents=True, exist_ok=True)
    host = ReconHost(reg, jobs_root=args.out / "jobs")

    def listener(job, kind, data):
        if kind == "progress":
            print(f"\r{100 * data['fraction']:5.1f}% {data['message'][:60]:60s}", end="", file=sys.stderr)
        elif kind == "status":
            print(f"\n[{data['status']}] {data.get('reason', '')}", file=sys.stderr)

    try:
        request = prepare_request(reg, args.plugin, args.input, _parse_sets(args.set), ct=ct_vol, mu_map=mu,
                                  require_raw=True)
        job = submit_request(host, request, listener=listener)
    except (ParameterError, PluginNotFound, ReconJobError, RequestError) as exc:
        raise UserError(str(exc)) from None
    try:
        job.wait(args.timeout)
        if not job.done:
            print("\ntimeout: cancelling", file=sys.stderr)
            job.cancel()
            job.wait()
    except KeyboardInterrupt:
        job.cancel()
        job.wait()
        return 130
    if job.status != JobStatus.COMPLETED:
        print(f"workstation recon: {job.status.value}: {job.error or ''}", file=sys.stderr)
        return 1
    from workstation.core.strict_json import dumps as strict_dumps

    vol = job.result
    np.save(args.out / "image.npy", vol.array)
    (args.out / "image.json").write_text(strict_dumps({"geometry": vol.geometry.to_dict(), "units": vol.units,
                                                     "description": vol.description, "info": vol.info},
                                                    indent=2, default=str))
    if ct_vol is not None:
        published = _publish(args, vol, ct_vol)
    elif args.no_dicom:
        published = None
    else:
        published = _publish_standalone(args, vol)
    print_json({"status": job.status.value, "image": str(args.out / "image.npy"), "job_dir": str(job.job_dir),
                "shape": list(vol.array.shape), "units": vol.units, "max_bqml": float(vol.array.max()),
                "mean_bqml": float(vol.array.mean()),
                "dicom": published if published is not None else "not written (--no-dicom)"})
    return 0
