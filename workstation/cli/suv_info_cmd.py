"""`workstation suv-info PET_SERIES_DIR`: the SUV factor and the trail of tags that produced it."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("suv-info", help="print the SUV factor of a PET series and its provenance",
                       description="Read the PET series below the folder (headers only) and print the SUV factor "
                                   "with, for each input, its value and the DICOM tag or override it came from.")
    p.add_argument("pet_dir", metavar="PET_SERIES_DIR")
    p.add_argument("--series", metavar="UID", help="series instance UID when the folder holds several PET series")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    from workstation.cli.common import add_suv_arguments

    add_suv_arguments(p)
    p.set_defaults(func=run)


def pet_headers(folder, series_uid=None):
    """Headers (no pixel data) of the one PET series below ``folder``."""
    import pydicom

    from workstation.io.series import find_pet_series

    return [pydicom.dcmread(f, stop_before_pixels=True) for f in find_pet_series(folder, series_uid).files]


def run(args) -> int:
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.pet_header import read_pet_acquisition

    from workstation.cli.common import overrides_from_args, print_json

    acq = read_pet_acquisition(pet_headers(args.pet_dir, args.series))
    res = compute_suv(acq, args.suv, overrides_from_args(args))
    if args.json:
        print_json({"suv_type": res.suv_type, "suv_factor": res.factor, "units": res.units,
                    "instance_factors": res.instance_factors, "provenance": res.provenance,
                    "warnings": res.warnings})
    else:
        print(f"SUV type {res.suv_type}: factor {res.factor:.9g} ({res.units} per stored unit)")
        print(res.to_text())
        for w in res.warnings:
            print(f"warning: {w}")
    return 0
