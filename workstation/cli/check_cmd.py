"""`workstation check PATH [--json]`: load every series below PATH as the viewer would; say what failed.

Physicists vet a CD or an export with it before reading. Each image series is reported as
loaded (modality, shape, spacing, and for PET whether body-weight SUV can be computed) or refused
(the one-line reason). The exit status is 0 only when every image series loaded and no DICOM
file was unreadable; 1 otherwise.
"""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("check", help="load every series below PATH and report loaded/refused",
                       description="Scan PATH, load every image series the way the viewer would (pixels, geometry, "
                                   "SUV facts for PET) without opening a window, and report each series as loaded "
                                   "or refused with the reason. Exit status 0 when all loaded, 1 otherwise.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _suv_facts(item, vol) -> None:
    """For PET: the body-weight SUV factor, or why it cannot be computed."""
    if vol.modality not in ("PT", "PET") or vol.pet is None:
        return
    from workstation.analysis.suv.factor import compute_suv

    try:
        res = compute_suv(vol.pet, "bw")
    except Exception as exc:  # noqa: BLE001 - SUV problems are reported, the series still loaded
        item.pet = {"suv_bw": None, "reason": str(exc).replace("\n", " ")}
        return
    item.pet = {"suv_bw": True, "factor": float(res.factor), "units": res.units, "warnings": list(res.warnings)}


def run(args) -> int:
    from workstation.core.text import printable
    from workstation.io.check import check_paths
    from workstation.tasks.progress import Progress

    from workstation.cli.common import print_json

    def report(frac, msg):
        if sys.stderr.isatty():
            print(f"\r{100 * frac:5.1f}% {msg}", end="", file=sys.stderr, flush=True)

    rep = check_paths(args.paths, progress=Progress(report), on_loaded=_suv_facts)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print_json(rep.to_dict())
        return 0 if rep.all_loaded else 1
    n_loaded = sum(s.status == "loaded" for s in rep.series)
    n_refused = sum(s.status == "refused" for s in rep.series)
    for s in rep.series:
        num = f"#{s.series_number}" if s.series_number is not None else "#-"
        head = f"{s.modality or '?':<4} {num:<5} '{s.description}' ({s.n_files} files) {s.series_uid}"
        if s.status == "loaded":
            shape = "x".join(str(x) for x in s.shape)
            spacing = " x ".join(f"{x:g}" for x in s.spacing_mm)
            print(f"loaded   {head}: {shape} voxels, spacing {spacing} mm" + (f", {s.units}" if s.units else ""))
            if s.pet is not None:
                if s.pet.get("suv_bw"):
                    print(f"         SUVbw factor {s.pet['factor']:.6g} ({s.pet['units']})")
                else:
                    print(f"         SUV cannot be computed: {printable(s.pet['reason'])}")
            for w in s.warnings:
                print(f"         warning: {w}")
        elif s.status == "refused":
            print(f"REFUSED  {head}: {s.reason}")
        else:
            print(f"indexed  {head}: not an image (SR, SEG, RT, ...), not loaded")
    for path, reason in rep.skipped_files:
        print(f"skipped  {printable(path)}: {printable(reason)}")
    print(f"{n_loaded} series loaded, {n_refused} refused, {len(rep.skipped_files)} file(s) skipped "
          f"of {rep.files_seen} file(s)"
          + (f"; {rep.special_files} special file(s) (FIFO, socket, device) skipped" if rep.special_files else ""))
    return 0 if rep.all_loaded else 1
