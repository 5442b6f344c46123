"""`workstation brain PET_DIR`: brain FDG PET against a normal database; `workstation brain normals ...`
builds and lists the site's normal databases.

    workstation brain PET_DIR [--reference pons|cerebellum|global] [--db NAME] [--json]
                              [--report FILE.pdf --lang zh_CN] [--view [--screenshot FILE.png]]
    workstation brain normals add PET_DIR... --db NAME [--age Y --sex F|M --id ID]
    workstation brain normals build --db NAME [--pooled] [--no-age-regression]
    workstation brain normals list
    workstation brain normals demo --db NAME [--n 40]      (synthetic — demonstration only)
"""

from __future__ import annotations

import hashlib
import sys


def add_parser(sub):
    p = sub.add_parser(
        "brain", help="brain FDG PET: z-map, 3D-SSP and regional SUVR against a normal database",
        description="Read a brain FDG PET (the head is found in a whole-body PET too) against a normal database the "
                    "site builds: spatial normalisation to MNI152 (affine + demons, PET-only), voxel z-map, clusters, "
                    "3D-SSP (8 views), AD/bvFTD/DLB pattern scores and the regional SUVR / z / asymmetry table. "
                    "Every number names the reference region it is normalised to. `brain normals add|build|list|demo` "
                    "manage the databases.")
    p.add_argument("target", nargs="+", metavar="PET_DIR | normals ACTION [PET_DIR...]")
    p.add_argument("--db", metavar="NAME", help="normal database (a name under the data folder, or a folder)")
    p.add_argument("--reference", default="pons", choices=["pons", "cerebellum", "global"],
                   help="reference region for SUVR and z (default pons)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--report", metavar="FILE.pdf", help="write the brain report (PDF)")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="report language")
    p.add_argument("--force", action="store_true", help="overwrite an existing report/screenshot file")
    p.add_argument("--t1", metavar="DIR", help="T1-weighted MR of the same patient: MR-guided normalisation (PET -> T1 "
                   "rigid, T1 -> MNI152 T1 template)")
    p.add_argument("--age", type=float, help="age in years (default: PatientAge or birth date in the header)")
    p.add_argument("--sex", choices=["F", "M"], help="sex (normals add; default from the header)")
    p.add_argument("--id", dest="subject_id", help="subject id in the database (normals add; one PET only)")
    p.add_argument("--fwhm", type=float, default=None, help="the PET's own resolution, mm FWHM (default 6)")
    p.add_argument("--series", metavar="UID", help="PET series UID when the folder holds several")
    p.add_argument("--pooled", action="store_true", help="normals build: pooled (spatially averaged) variance")
    p.add_argument("--cluster-z", type=float, default=-2.0, help="normals build: cluster-forming threshold (default -2); "
                   "the minimum extent is calibrated on the leave-one-out normals to <= 0.5 false clusters per normal")
    p.add_argument("--no-age-regression", action="store_true", help="normals build: plain mean and SD")
    p.add_argument("--n", type=int, default=40, help="normals demo: number of synthetic normals (default 40)")
    p.add_argument("--grid-mm", type=float, default=4.0, help="analysis grid of a new database (default 4 mm)")
    p.add_argument("--zmap-dicom", metavar="DIR", help="write the z-map (MNI152 grid, its own frame of reference) as a "
                   "DICOM PET-image series that other viewers open")
    p.add_argument("--view", action="store_true", help="open the brain layout of the viewer")
    p.add_argument("--screenshot", metavar="FILE.png", help="with --view: render the layout to a PNG and exit")
    p.add_argument("--size", default="1500x950", help="screenshot size WxH")
    p.set_defaults(func=run)


def _errors():
    from workstation.analysis.brain.head import NoHeadFound
    from workstation.analysis.brain.normalize import NormalisationFailed
    from workstation.analysis.brain.normals import DatabaseError
    from workstation.analysis.brain.template import BrainDataMissing

    return (NoHeadFound, NormalisationFailed, DatabaseError, BrainDataMissing)


def run(args) -> int:
    from workstation.cli.common import UserError

    try:
        if args.target[0] == "normals":
            return _normals(args)
        if len(args.target) != 1:
            raise UserError("give one PET_DIR (or `normals add|build|list|demo`)")
        return _read(args)
    except _errors() as exc:
        raise UserError(str(exc)) from None


def header_age(volume) -> float | None:
    """PatientAge (AS) of the first file, else the birth date against the study date; None if neither."""
    import re
    from datetime import date

    try:
        import pydicom

        ds = pydicom.dcmread(volume.source_files[0], stop_before_pixels=True, specific_tags=["PatientAge"])
        m = re.fullmatch(r"(\d{3})([DWMY])", str(ds.get("PatientAge", "") or ""))
        if m:
            return int(m.group(1)) / {"D": 365.25, "W": 52.18, "M": 12.0, "Y": 1.0}[m.group(2)]
    except Exception:  # noqa: BLE001 - no header age: fall back to the birth date
        pass
    b, s = volume.patient.birth_date, volume.info.get("StudyDate", "")
    if len(b) == 8 and len(s) == 8 and b.isdigit() and s.isdigit():
        db, ds_ = date(int(b[:4]), int(b[4:6]), int(b[6:])), date(int(s[:4]), int(s[4:6]), int(s[6:]))
        return (ds_ - db).days / 365.25
    return None


def _load(path, series=None):
    from workstation.io.loader import load_pet_folder

    from workstation.cli.common import UserError

    vol = load_pet_folder(path, series_uid=series)
    if not vol.is_pet:
        raise UserError(f"{path}: not a PET series (modality {vol.modality})")
    return vol


def _load_t1(path):
    """The one MR image series below ``path`` (the patient's T1) as a Volume; a one-line error otherwise."""
    import os

    from workstation.io.loader import load_series
    from workstation.io.series import find_series

    from workstation.cli.common import UserError

    if not os.path.exists(path):
        raise UserError(f"--t1 {path}: no such file or folder")
    series = [s for s in find_series([path]) if s.is_image and s.modality == "MR"]
    if not series:
        raise UserError(f"--t1 {path}: no MR image series found (the T1-weighted MR of the same patient is needed)")
    if len(series) > 1:
        raise UserError(f"--t1 {path}: {len(series)} MR series found ({'; '.join(s.label() for s in series)}); "
                        "point --t1 to the folder of the T1 series alone")
    vol = load_series(series[0].files)
    if min(vol.array.shape) < 16:
        raise UserError(f"--t1 {path}: the MR series has {min(vol.array.shape)} slices in one direction: a 3D T1 "
                        "volume of the whole head is needed")
    return vol


def _normals(args) -> int:
    from workstation.analysis.brain.normals import SYNTHETIC_LABEL, NormalDatabase, list_databases
    from workstation.analysis.brain.pipeline import DEFAULT_NATIVE_FWHM_MM, process

    from workstation.cli.common import UserError, print_json

    action = args.target[1] if len(args.target) > 1 else ""
    if action == "list":
        dbs = list_databases()
        if args.json:
            print_json(dbs)
            return 0
        if not dbs:
            print("no brain normal databases (create one with `workstation brain normals add PET_DIR... --db NAME`)")
        for d in dbs:
            ages = f"{d['age_range'][0]:.0f}-{d['age_range'][1]:.0f} y" if d["age_range"] else "ages unknown"
            lp = (d["loo"] or {}).get("pons", {})
            loo = lp.get("false_positive_clusters_per_normal")
            print(f"{d['name']}: N={d['n']} ({ages}), built={'yes' if d['built'] else 'no'}, scanners "
                  f"{', '.join(d['scanners']) or '?'}, {d['effective_fwhm_mm']} mm FWHM, grid {d['grid_mm']} mm"
                  + (f", LOO false-positive clusters/normal (pons) {loo:.2f}" if loo is not None else "")
                  + (f", cluster rule z <= {lp['cluster_z']:g}, >= {lp['cluster_min_ml']:g} mL" if "cluster_min_ml" in lp
                     else "")
                  + (f"  [{SYNTHETIC_LABEL}]" if d["synthetic"] else ""))
        return 0
    if not args.db:
        raise UserError("--db NAME is required")
    if action == "add":
        paths = args.target[2:]
        if not paths:
            raise UserError("normals add needs one or more PET_DIR")
        if len(paths) > 1 and (args.subject_id or args.age is not None):
            raise UserError("--id and --age apply to one PET at a time")
        db = NormalDatabase.open_or_create(args.db, grid_mm=args.grid_mm)
        if db.built:
            print(f"note: database {db.name!r} was built; run `normals build` again to include the new normals",
                  file=sys.stderr)
        for path in paths:
            vol = _load(path, args.series)
            age = args.age if args.age is not None else header_age(vol)
            sid = args.subject_id or "n" + hashlib.sha256(vol.series_uid.encode()).hexdigest()[:12]
            fwhm = args.fwhm or DEFAULT_NATIVE_FWHM_MM
            maps = process(vol.array, vol.geometry, db.space, db.template(), native_fwhm_mm=fwhm,
                           target_fwhm_mm=db.meta["target_fwhm_mm"])
            db.add(maps, subject_id=sid, age=age, sex=args.sex or vol.patient.sex,
                   scanner=vol.info.get("ManufacturerModelName", ""), native_fwhm_mm=fwhm,
                   reconstruction=getattr(vol.pet, "reconstruction_method", "") or "", source="dicom")
            print(f"added {sid} (age {'unknown' if age is None else f'{age:.0f}'}, correlation with the template "
                  f"{maps.info['normalisation']['correlation_with_template']:.3f}) to {db.name} "
                  f"(N={len(db.meta['subjects'])})")
        return 0
    if action == "build":
        db = NormalDatabase.open(args.db)
        b = db.build(pooled=args.pooled, regress=False if args.no_age_regression else None, cluster_z=args.cluster_z)
        if args.json:
            print_json(db.summary())
            return 0
        print(f"built {db.name}: N={b['n']}, age regression {'yes' if b['age_regressed'] else 'no'}, pooled variance "
              f"{'yes' if b['pooled'] else 'no'}" + (f"  [{SYNTHETIC_LABEL}]" if db.synthetic else ""))
        for ref, loo in b["loo"].items():
            print(f"  leave-one-out, {ref}: cluster rule z <= {loo['cluster_z']:g}, >= {loo['cluster_min_ml']:g} mL -> "
                  f"{loo['false_positive_clusters_per_normal']:.2f} false-positive clusters per normal (at 1 mL: "
                  f"{loo['false_positive_clusters_per_normal_at_1ml']:.2f}), "
                  f"{100 * loo['voxel_fraction_z_le_-2']:.1f} % of grey-matter voxels z <= -2")
        return 0
    if action == "demo":
        from workstation.testing.brain_cohort import make_subject

        db = NormalDatabase.create(args.db, synthetic=True, grid_mm=args.grid_mm)
        for i in range(args.n):
            vol, truth = make_subject(50000 + i, "normal")
            maps = process(vol.array, vol.geometry, db.space, db.template(), native_fwhm_mm=truth.fwhm_mm,
                           target_fwhm_mm=db.meta["target_fwhm_mm"])
            db.add(maps, subject_id=truth.subject_id, age=truth.age, sex=truth.sex, scanner="synthetic",
                   reconstruction="synthetic", native_fwhm_mm=truth.fwhm_mm, source="workstation.testing.brain_cohort")
            print(f"synthetic normal {i + 1}/{args.n}", file=sys.stderr)
        db.build(pooled=args.pooled)
        print(f"built demo database {db.name} at {db.path} (N={args.n})  [{SYNTHETIC_LABEL}]")
        return 0
    raise UserError("normals ACTION must be add, build, list or demo")


def _read(args) -> int:
    from pathlib import Path

    from workstation.analysis.brain.analysis import analyse
    from workstation.analysis.brain.normals import NormalDatabase
    from workstation.analysis.brain.pipeline import DEFAULT_NATIVE_FWHM_MM

    from workstation.cli.common import UserError, print_json

    if args.report and Path(args.report).exists() and not args.force:
        raise UserError(f"{args.report} exists; pass --force to overwrite it")
    vol = _load(args.target[0], args.series)
    db = NormalDatabase.open(args.db) if args.db else None
    age = args.age if args.age is not None else header_age(vol)
    t1 = _load_t1(args.t1) if args.t1 else None
    res = analyse(vol, db, args.reference, age=age, native_fwhm_mm=args.fwhm or DEFAULT_NATIVE_FWHM_MM,
                  grid_mm=args.grid_mm, t1=None if t1 is None else (t1.array, t1.geometry))
    if args.report:
        from workstation.report.brain_report import write_brain_pdf

        write_brain_pdf(args.report, content_from_result(res, vol), lang=args.lang, overwrite=args.force)
    if args.zmap_dicom:
        if res.z is None:
            raise UserError("--zmap-dicom needs a normal database (--db NAME): without it there is no z-map")
        paths = write_zmap_dicom(res, vol, args.zmap_dicom, overwrite=args.force)
        print(f"z-map written as {len(paths)} DICOM files in {args.zmap_dicom}", file=sys.stderr)
    if args.view:
        from workstation.ui.brain.window import show_brain

        rc = show_brain(res, screenshot=args.screenshot, size=args.size, overwrite=args.force)
        if rc:
            return rc
    if args.json:
        print_json(res.to_json())
        return 0
    _print_text(res)
    if args.report:
        print(f"report written to {args.report}")
    return 0


def write_zmap_dicom(res, vol, out_dir, *, overwrite: bool = False):
    """The z-map (outside the brain 0) as a PT series on the MNI grid: Units NONE, no dose, its own frame of
    reference (MNI152, not the patient's scanner frame), the patient's identity and study, so that it files with
    the study in PACS; the description names the reference region and the database."""
    from datetime import datetime

    import numpy as np

    from workstation.core.volume import Volume
    from workstation.io.dicom_write import PetHeader, StudyInfo, make_uid, write_series

    z = np.nan_to_num(res.z, nan=0.0).astype(np.float32)
    db = res.database or {}
    desc = f"z-map MNI152 ref {res.reference} db {db.get('name', '')}" + (" SYNTHETIC" if db.get("synthetic") else "")
    zvol = Volume(array=z, geometry=res.space.geometry, modality="PT", units="NONE", patient=vol.patient,
                  description=desc[:64])
    now = datetime.now().replace(microsecond=0)
    pet = PetHeader(injected_dose_bq=None, injection_datetime=None, series_datetime=now, units="NONE",
                    decay_correction="NONE", series_type=("STATIC", "IMAGE"), corrected_image=())
    study = StudyInfo(patient=vol.patient, study_uid=vol.study_uid or None,
                      frame_of_reference_uid=make_uid("mni152-2009-frame"), study_datetime=now,
                      model_name="workstation brain z-map", study_description=vol.description)
    seed = f"zmap-{vol.series_uid}-{res.reference}-{db.get('name', '')}"
    return write_series(zvol, out_dir, modality="PT", pet=pet, study=study, uid_seed=seed, series_number=901,
                        description=desc[:64], overwrite=overwrite)


def content_from_result(res, vol) -> dict:
    """The report's content: the JSON result plus the arrays its figures need (plain data)."""
    c = res.to_json()
    c["ssp_suvr"] = res.ssp_suvr
    c["ssp_z"] = res.ssp_z
    c["suvr"] = res.suvr
    c["z"] = res.z
    c["t1"] = res.t1_on_mni if getattr(res, "t1_on_mni", None) is not None else res.space.t1
    c["background"] = "patient T1" if getattr(res, "t1_on_mni", None) is not None else "template T1"
    c["study"] = {"description": vol.description, "date": vol.info.get("StudyDate", ""),
                  "scanner": vol.info.get("ManufacturerModelName", ""), "patient_id": vol.patient.patient_id,
                  "sex": vol.patient.sex}
    return c


def _print_text(res) -> None:
    j = res.to_json()
    ref = j["reference"]
    print(f"reference: {ref['description']} (all SUVR and z below are relative to it)")
    print(f"template: {j['template']['name']}")
    print(f"normalisation: {j['normalisation']}" + (f" ({j['template']['registration']})" if j["template"].get("registration")
                                                     else ""))
    if j["database"]:
        d = j["database"]
        print(f"database: {d['name']}, N={d['n']}, ages {d['age_range']}" + (f"  [{d['label']}]" if d["synthetic"] else ""))
    for w in j["warnings"]:
        print(f"warning: {w}")
    if j["clusters"]:
        rule = j["database"] or {}
        print(f"clusters (z <= {rule.get('cluster_z', -2):g}, >= {rule.get('cluster_min_ml', 1):g} mL; "
              f"reference {res.reference}):")
        for c in j["clusters"][:15]:
            print(f"  {c['volume_ml']:7.1f} mL  peak z {c['peak_z']:6.2f}  MNI {c['peak_mni_ras_mm']}  {c['region']}")
    for k, v in j["pattern_scores"].items():
        print(f"pattern {k}: t-sum {v['t_sum_z_ml']:.1f} z·mL (threshold {v['threshold']:.1f}) "
              f"{'ABNORMAL' if v['abnormal'] else 'within normal'} [reference {res.reference}]")
    print(f"regions (SUVR / z vs {res.reference}; AI = 200(L-R)/(L+R) %):")
    by = {}
    for r in j["regions"]:
        by.setdefault(r["name"], {})[r["hemisphere"]] = r
    for name, d in by.items():
        L, R = d["L"], d["R"]
        zf = (lambda v: "  n/a" if v is None else f"{v:5.2f}")
        print(f"  {name:28s} L {L['suvr']:6.3f} z {zf(L['z'])}   R {R['suvr']:6.3f} z {zf(R['z'])}   AI {L['ai']:6.2f} "
              f"(z {zf(L['ai_z'])})")
