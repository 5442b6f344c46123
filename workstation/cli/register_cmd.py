"""`workstation register PET_DIR ANAT_DIR`: propose a rigid PET→CT/MR registration; store it only with --save.

Prints the proposed ``pet_from_anat`` transform (4x4, maps an anatomical world point to the PET,
LPS mm), how far the PET centre moves, the rotation angle and the metric (Mattes mutual
information, lower is better) before and after, with the warnings of the proposal. Nothing is
written unless ``--save``; a large move of a pair that shares a frame of reference is refused
then unless ``--confirm-large-move``.
"""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("register", help="propose a rigid PET→CT/MR registration (stores nothing unless --save)",
                       description="Register the PET series below PET_DIR onto the CT or MR series below ANAT_DIR "
                                   "and print the proposal: transform, move at the PET centre, metric before/after.")
    p.add_argument("pet_dir", metavar="PET_DIR")
    p.add_argument("anat_dir", metavar="ANAT_DIR")
    p.add_argument("--pet-series", metavar="UID", help="PET series UID when PET_DIR holds several")
    p.add_argument("--anat-series", metavar="UID", help="CT/MR series UID when ANAT_DIR holds several")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--save", action="store_true",
                   help="keep the proposal in the study database as a new version of the pair's registration")
    p.add_argument("--confirm-large-move", action="store_true",
                   help="with --save: accept a move larger than a few mm/degrees of a pair sharing a frame of reference")
    p.add_argument("--db", metavar="PATH", help="study database (default: the user's)")
    p.set_defaults(func=run)


def _anatomical_series(path, uid=None):
    import os

    from workstation.io.series import find_series

    from workstation.cli.common import UserError

    if not os.path.exists(path):
        raise UserError(f"{path}: no such file or folder")
    series = [s for s in find_series([path]) if s.is_image and (s.modality or "").upper() in ("CT", "MR")]
    if uid:
        series = [s for s in series if s.series_uid == uid]
    if not series:
        raise UserError(f"{path}: no CT or MR image series found" + (f" with UID {uid}" if uid else ""))
    if len(series) > 1:
        raise UserError(f"{path}: {len(series)} CT/MR series found ({'; '.join(s.label() for s in series)}); "
                        "point to one series folder or pass --anat-series UID")
    return series[0]


def run(args) -> int:
    import numpy as np

    from workstation.analysis.registration.rigid import propose_registration
    from workstation.io.series import find_pet_series
    from workstation.io.loader import load_series

    from workstation.cli.common import UserError, print_json

    pet_s = find_pet_series(args.pet_dir, args.pet_series)
    anat_s = _anatomical_series(args.anat_dir, args.anat_series)
    pet, anat = load_series(pet_s.files), load_series(anat_s.files)
    prop = propose_registration(anat, pet)
    saved = None
    if args.save:
        if prop.needs_confirmation and not args.confirm_large_move:
            raise UserError(f"not saved: the PET and {anat.modality} share a frame of reference and the proposal moves "
                            f"the PET by {prop.move_mm:.1f} mm / {prop.rotation_deg:.1f}°; check the images and pass "
                            "--confirm-large-move to save it anyway")
        from workstation.io.db import StudyDB

        with StudyDB(args.db) as db:
            row = db.save_registration(pet.series_uid, anat.series_uid, prop.to_apply(confirmed=True),
                                       metric=prop.metric_after, method="rigid MI (register command)")
        saved = {"database": str(db.path), "version": row.version}
    if args.json:
        out = prop.to_dict()
        out.update(pet_series_uid=pet.series_uid, anatomical_series_uid=anat.series_uid,
                   anatomical_modality=anat.modality, saved=saved)
        print_json(out)
        return 0
    print(f"PET {pet_s.label()}")
    print(f"onto {anat_s.label()}")
    print(f"start: {prop.initialisation}; {'shared' if prop.same_frame else 'different'} frame of reference")
    print("proposed pet_from_anat (anatomical world mm → PET world mm):")
    for row in np.asarray(prop.after):
        print("  " + " ".join(f"{v:10.5f}" for v in row))
    t = prop.translation_mm
    print(f"translation {t[0]:.2f}, {t[1]:.2f}, {t[2]:.2f} mm; rotation {prop.rotation_deg:.2f}°")
    print(f"move at the PET centre ({', '.join(f'{v:.1f}' for v in prop.pet_centre)} mm): {prop.move_mm:.2f} mm")
    print(f"{prop.metric_name} before {prop.metric_before:.5f}, after {prop.metric_after:.5f} (lower is better)")
    for w in prop.warnings:
        print(f"warning: {w}")
    if saved:
        print(f"saved as version {saved['version']} of the pair's registration in {saved['database']}")
    else:
        print("nothing stored (use --save to keep it)")
    return 0
