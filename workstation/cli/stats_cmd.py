"""`workstation stats PET_SERIES_DIR --mask MASK`: SUV statistics over a mask, with the SUV trail."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("stats", help="SUV statistics of a PET series over a mask",
                       description="Load one PET series (all files below the folder) and a mask (NIfTI, DICOM "
                                   "SEG or RTSTRUCT, whose contours are filled on the PET grid; resampled onto the PET grid by nearest neighbour when the geometry "
                                   "differs) and report voxel count, volume, SUV min/max/mean/median/std, SUVpeak "
                                   "and TLG for each segment / ROI / label and their union, with the SUV factor and its "
                                   "provenance.")
    p.add_argument("pet_dir", metavar="PET_SERIES_DIR")
    p.add_argument("--mask", required=True, metavar="MASK", help="NIfTI label image, DICOM SEG or RTSTRUCT file")
    p.add_argument("--label", type=int, help="label value (NIfTI), segment number (SEG) or ROI number (RTSTRUCT); default: each one and their union")
    p.add_argument("--series", metavar="UID", help="PET series instance UID when the folder holds several")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--force-frame", action="store_true",
                   help="accept a SEG whose frame of reference differs from the PET's (you confirm it belongs)")
    from workstation.cli.common import add_suv_arguments

    add_suv_arguments(p)
    p.set_defaults(func=run)


def check_frame_of_reference(mask_path, pet, force: bool) -> None:
    """A SEG drawn in another frame of reference (another study, another scanner session) is refused
    unless the user confirms it with --force-frame; NIfTI files carry no frame of reference."""
    from workstation.io.masks import seg_frame_of_reference

    from workstation.cli.common import UserError

    seg_for = seg_frame_of_reference(mask_path)
    pet_for = pet.frame_of_reference_uid
    if seg_for and pet_for and seg_for != pet_for and not force:
        raise UserError(f"{mask_path}: the SEG's frame of reference ({seg_for}) is not the PET's ({pet_for}): it was "
                        "drawn on another study or session; pass --force-frame if you are sure it belongs")


def _stats_dict(suv, mask, geometry) -> dict:
    from workstation.analysis.lesions.regions import region_stats

    st = region_stats(suv, mask, geometry)
    out = {"voxels": int(st.voxels), "volume_ml": float(st.volume_ml), "min": float(st.min),
           "max": float(st.max), "mean": float(st.mean), "median": float(st.median), "std": float(st.std)}
    if st.suvpeak is not None:
        out["suvpeak"] = float(st.suvpeak)
        out["suvpeak_world_mm"] = list(st.peak_world)
    if st.tlg is not None:
        out["tlg"] = float(st.tlg)
    return out


def run(args) -> int:
    import numpy as np

    from workstation.analysis.lesions.regions import mask_on_grid
    from workstation.analysis.suv.factor import compute_suv
    from workstation.analysis.suv.apply import suv_array
    from workstation.io.loader import load_pet_folder
    from workstation.io.masks import read_structures

    from workstation.cli.common import UserError, overrides_from_args, print_json

    overrides = overrides_from_args(args)
    pet = load_pet_folder(args.pet_dir, series_uid=args.series)
    res = compute_suv(pet.pet, args.suv, overrides)
    structures = read_structures(args.mask, pet.geometry)
    check_frame_of_reference(args.mask, pet, getattr(args, "force_frame", False))
    if args.label is not None:
        chosen = [st for st in structures if st.number == args.label]
        if not chosen:
            raise UserError(f"{args.mask}: no label/segment/ROI number {args.label} (present: "
                            f"{', '.join(f'{st.number} {st.name!r}' for st in structures) or 'none'})")
        structures = chosen
    structures = [st for st in structures if st.mask.any()]
    if not structures:
        raise UserError(f"{args.mask}: the mask is empty" + (f" for label {args.label}" if args.label is not None
                                                            else ""))
    suv = suv_array(pet, res)
    rows, resampled, union = [], False, np.zeros(pet.geometry.shape, bool)
    for st in structures:
        m, r = mask_on_grid(st.mask, st.geometry, pet.geometry, f"{args.mask} ({st.name})")
        resampled |= r
        union |= m
        rows.append({"number": st.number, "name": st.name, "kind": st.kind,
                     "color": list(st.color) if st.color else None, **_stats_dict(suv, m, pet.geometry)})
    out = _stats_dict(suv, union, pet.geometry)
    out["structures"] = rows
    out["union"] = {k: v for k, v in out.items() if k != "structures"}
    out.update({"suv_type": res.suv_type, "suv_units": res.units, "suv_factor": res.factor,
                "mask_resampled_to_pet_grid": resampled, "provenance": res.provenance,
                "warnings": list(pet.warnings) + list(res.warnings)})
    if args.json:
        print_json(out)
        return 0
    print(f"mask {args.mask}: {out['voxels']} voxels, {out['volume_ml']:.3f} mL"
          + (" (resampled onto the PET grid, nearest neighbour)" if resampled else ""))
    u = res.units
    for key in ("min", "max", "mean", "median", "std", "suvpeak"):
        if key in out:
            label = "SUVpeak" if key == "suvpeak" else f"SUV{key}"
            print(f"  {label:<10} {out[key]:10.4f} {u}")
    if "tlg" in out:
        print(f"  {'TLG':<10} {out['tlg']:10.4f} {u}·mL")
    if len(rows) > 1 or structures[0].kind != "LABELS":
        print(f"{'no.':>4}  {'structure':<24} {'voxels':>8} {'mL':>10} {'SUVmean':>9} {'SUVmax':>9} "
              f"{'SUVpeak':>9} {'TLG':>10}")
        for r in rows + [dict(out, number="", name="(union)")]:
            peak = r.get("suvpeak")
            print(f"{r['number']!s:>4}  {r['name'][:24]:<24} {r['voxels']:>8d} {r['volume_ml']:>10.3f} "
                  f"{r['mean']:>9.4f} {r['max']:>9.4f} {'-' if peak is None else f'{peak:.4f}':>9} "
                  f"{r.get('tlg', float('nan')):>10.3f}")
    print(f"SUV type {res.suv_type}, factor {res.factor:.9g}")
    print(res.to_text())
    for w in out["warnings"]:
        print(f"warning: {w}")
    return 0
