"""`workstation find NODE`: C-FIND on a configured peer (patient, study or series level)."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("find", help="search a DICOM node (C-FIND)",
                       description="Query a configured node. Wildcards * and ? work in names; dates as "
                                   "YYYYMMDD or ranges YYYYMMDD-YYYYMMDD.")
    p.add_argument("node")
    p.add_argument("--level", default="STUDY", choices=["PATIENT", "STUDY", "SERIES", "patient", "study", "series"])
    p.add_argument("--patient-name")
    p.add_argument("--patient-id")
    p.add_argument("--study-date")
    p.add_argument("--study-uid", help="StudyInstanceUID (required for --level SERIES)")
    p.add_argument("--modality")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from workstation.io.dicom_text import display_name
    from workstation.net.scu import DicomNetError, find
    from workstation.settings.nodes import load_nodes

    from workstation.cli.common import UserError, print_json

    cfg = load_nodes()
    node = cfg.get(args.node)
    level = args.level.upper()
    keys = {"PatientName": args.patient_name, "PatientID": args.patient_id, "StudyDate": args.study_date,
            "StudyInstanceUID": args.study_uid}
    if level == "SERIES":
        if not args.study_uid:
            raise UserError("--level SERIES needs --study-uid")
        keys = {"StudyInstanceUID": args.study_uid, "Modality": args.modality}
    elif level == "PATIENT":
        keys = {"PatientName": args.patient_name, "PatientID": args.patient_id}
    elif args.modality:
        keys["ModalitiesInStudy"] = args.modality
    try:
        rows = find(node, cfg.local.ae_title, level, **keys)
    except DicomNetError as exc:
        raise UserError(str(exc)) from None
    from workstation.io.audit_events import audit_event

    # the query's keys may be a name or an ID: the trail keeps the level, the UID asked for, the count
    audit_event("query", peer_ae=node.ae_title, peer_host=node.host, study_uid=args.study_uid or "",
                detail=f"C-FIND {level}: {len(rows)} match(es)")
    if args.json:
        print_json(rows)
        return 0 if rows else 1
    for r in rows:
        if level == "SERIES":
            print(f"{r.get('Modality', ''):<4} #{r.get('SeriesNumber', '')}  {r.get('SeriesDescription', '')}  "
                  f"{r.get('SeriesInstanceUID', '')}")
        else:
            print(f"{display_name(str(r.get('PatientName', '')))} [{r.get('PatientID', '')}]  {r.get('StudyDate', '')}  "
                  f"{r.get('StudyDescription', '')}  {r.get('StudyInstanceUID', '')}")
    print(f"{len(rows)} {level.lower()} match(es)")
    return 0 if rows else 1  # nothing found is not a success (as grep): scripts can tell
