"""`workstation simulate-listmode`: write simulated PETSIRD list-mode of a phantom.

Uses the simulator of the built-in ``listmode-osem`` plugin (an emission/photon-tracing model
independent of the reconstructor). Also writes the phantom's attenuation map (1/cm) as
``<out>.mu.npy`` + ``<out>.mu.json`` (geometry) for ``workstation recon --mu`` and the true
activity as ``<out>.truth.npy`` + ``.json``.
"""

from __future__ import annotations

from workstation.core.strict_json import dumps as strict_dumps
from pathlib import Path

from workstation.cli.common import UserError, print_json

NEMA_GEOMETRY = Path(__file__).resolve().parents[2].parent / "shared" / "refdata" / "nema-iec-body-phantom" / "geometry.json"


def add_parser(subparsers):
    p = subparsers.add_parser("simulate-listmode", help="simulate PETSIRD list-mode data of a phantom")
    p.add_argument("--phantom", choices=("demo", "nema"), default="demo")
    p.add_argument("--nema-geometry", type=Path, default=NEMA_GEOMETRY,
                   help="geometry.json of the NEMA IEC body phantom (refdata)")
    p.add_argument("--out", type=Path, required=True, help="output .petsird file")
    p.add_argument("--duration", type=float, default=0.5, help="acquisition time in s (default 0.5)")
    p.add_argument("--activity", type=float, default=None, help="background activity in Bq/mL")
    p.add_argument("--ratio", type=float, default=4.0, help="sphere:background ratio (nema)")
    p.add_argument("--randoms-fraction", type=float, default=0.1)
    p.add_argument("--radius", type=float, default=None, help="detector ring radius in mm")
    p.add_argument("--crystals-per-ring", type=int, default=None)
    p.add_argument("--rings", type=int, default=None)
    p.add_argument("--ring-pitch", type=float, default=6.0)
    p.add_argument("--tof-fwhm", type=float, default=60.0, help="coincidence timing resolution as FWHM in mm")
    p.add_argument("--tof-bins", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    g = p.add_argument_group("exam information written into the PETSIRD header (SUV facts for `workstation recon`)")
    g.add_argument("--dose-mbq", type=float, metavar="MBQ", help="injected dose in MBq")
    g.add_argument("--injection-time", metavar="YYYYMMDDHHMMSS", help="injection date-time")
    g.add_argument("--acquisition-start", metavar="YYYYMMDDHHMMSS", help="start of the acquisition")
    g.add_argument("--weight", type=float, metavar="KG", help="patient weight in kg")
    p.set_defaults(func=run)


def scanner_for(phantom: str, args):
    from listmode_osem import cylindrical_scanner

    radius = args.radius or (180.0 if phantom == "nema" else 120.0)
    n = args.crystals_per_ring or (180 if phantom == "nema" else 96)
    rings = args.rings or (12 if phantom == "nema" else 6)
    return cylindrical_scanner(radius=radius, n_per_ring=n, n_rings=rings, ring_pitch=args.ring_pitch,
                               tof_fwhm_mm=args.tof_fwhm, n_tof_bins=args.tof_bins)


def _exam(args, make_exam):
    """The PETSIRD exam information from the SUV options (None when none is given)."""
    from workstation.recon.publish import PublishError, SuvFacts

    if all(v is None for v in (args.dose_mbq, args.injection_time, args.acquisition_start, args.weight)):
        return None
    try:
        f = SuvFacts.given("simulate-listmode", injected_dose_bq=None if args.dose_mbq is None else args.dose_mbq * 1e6,
                           injection_datetime=args.injection_time, acquisition_start=args.acquisition_start,
                           weight_kg=args.weight)
    except PublishError as exc:
        raise UserError(str(exc)) from None
    return make_exam(f.acquisition_start, f.injection_datetime, f.injected_dose_bq, f.weight_kg)


def run(args) -> int:
    try:
        import listmode_osem as lm
    except ImportError as exc:
        raise UserError(f"the listmode-osem plugin is not installed ({exc}); "
                        "pip install -e plugins/listmode-osem") from None
    import numpy as np

    from workstation.core.geometry import ImageGeometry

    if args.duration <= 0:
        raise UserError("--duration must be positive")
    if args.phantom == "nema":
        if not args.nema_geometry.is_file():
            raise UserError(f"{args.nema_geometry}: NEMA phantom geometry not found; pass --nema-geometry")
        shapes, info = lm.nema_phantom(args.nema_geometry, args.activity or 5300.0, args.ratio)
    else:
        shapes, info = lm.demo_phantom(args.activity or 10000.0)
    scanner = scanner_for(args.phantom, args)
    prompts, is_true, delayeds, stats = lm.simulate_listmode(scanner, shapes, args.duration, args.randoms_fraction,
                                                     seed=args.seed)
    exam = _exam(args, lm.make_exam)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lm.write_listmode(args.out, scanner, prompts.T, delayeds.T, duration_s=args.duration, exam=exam)
    r = scanner.radius
    half = scanner.n_rings * args.ring_pitch / 2
    mg = ImageGeometry((int(2 * half / 2) + 1, int(2 * r / 2), int(2 * r / 2)), (2.0, 2.0, 2.0),
                       (-(int(2 * r / 2) - 1), -(int(2 * r / 2) - 1), -int(2 * half / 2)))
    mu = lm.phantom_image(shapes, mg, 2, "mu").astype(np.float32)
    truth = lm.phantom_image(shapes, mg, 2, "activity").astype(np.float32)
    for suffix, arr in ((".mu", mu), (".truth", truth)):
        np.save(args.out.with_suffix(suffix + ".npy"), arr)
        args.out.with_suffix(suffix + ".json").write_text(strict_dumps({"geometry": mg.to_dict()}))
    print_json({"file": str(args.out), "phantom": args.phantom, "scanner": {
        "radius_mm": r, "crystals_per_ring": scanner.n_per_ring, "rings": scanner.n_rings,
        "tof_bins": scanner.n_tof_bins, "tof_fwhm_mm": scanner.tof_fwhm_mm}, **stats,
        "prompts": int(len(prompts)), "mu_map": str(args.out.with_suffix(".mu.npy")), "phantom_info": info})
    return 0
