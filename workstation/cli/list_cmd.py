"""`workstation list`: the studies and series in the study database."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("list", help="list studies and series in the study database",
                       description="List the patients' studies and their series from the study database.")
    p.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    p.add_argument("--anonymize", action="store_true", help="hide patient name, ID and birth date")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from workstation.io.db import StudyDB
    from workstation.core.text import printable
    from workstation.io.dicom_text import display_name

    from workstation.cli.common import print_json

    with StudyDB(args.db) as db:
        studies = db.studies()
        out = []
        for st in studies:
            series = db.series(st.study_uid)
            out.append({
                "patient_name": "" if args.anonymize else st.patient_name,
                "patient_id": "" if args.anonymize else st.patient_id,
                "study_uid": st.study_uid, "study_date": st.study_date, "description": st.description,
                "modalities": list(st.modalities),
                "series": [{"series_uid": s.series_uid, "modality": s.modality, "number": s.series_number,
                            "description": s.description, "instances": s.n_instances, "is_image": s.is_image,
                            "frame_of_reference_uid": s.frame_of_reference_uid} for s in series],
            })
    if args.json:
        print_json(out)
        return 0
    if not out:
        print("the study database is empty: `workstation import PATH` adds studies")
        return 0
    for st in out:  # header text is printed only after control characters are replaced
        who = "<hidden>" if args.anonymize else f"{display_name(st['patient_name'])} [{st['patient_id']}]"
        print(printable(f"{who}  {st['study_date']}  {st['description']}  ({'/'.join(st['modalities'])})  "
                        f"{st['study_uid']}"))
        for s in st["series"]:
            kind = "" if s["is_image"] else " (non-image)"
            print(printable(f"    {s['modality']:<4} #{s['number'] if s['number'] is not None else '-':<4} "
                            f"{s['instances']:>5} inst  {s['description']}{kind}  {s['series_uid']}"))
    return 0
