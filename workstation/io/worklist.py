"""The reading worklist of a hub: which studies are waiting, from whom, how urgent; filled from what arrived.

The rows live in the study database (:mod:`workstation.io.db_worklist`). This module adds what the
files say: the modalities of the study, the tracer (Radiopharmaceutical, else the radionuclide's
code meaning, of the first PET/NM series) and the priority the sender asked for (Requested Procedure
Priority (0040,1003), top level or in the Request Attributes Sequence: STAT → ``stat``, HIGH →
``urgent``, anything else → ``routine``). ``sync_arrivals`` puts every study that the node received
(or that a C-GET / DICOMweb retrieval brought) on the worklist, with its origin and first arrival time
taken from the audit trail; a study imported from a CD is added with ``add_study(..., "media")``.
"""

from __future__ import annotations

import getpass

from workstation.io.db_worklist import (ACKNOWLEDGED, BEING_READ, NEW, PRIORITIES, REPORTED, SENT_BACK,  # noqa: F401
                          STATUSES, StudyLocked, WorklistError, WorklistRow)

_PRIORITY = {"STAT": "stat", "HIGH": "urgent"}


def _first_header(db, study_uid: str, modalities=("PT", "NM")):
    import pydicom

    for s in db.series(study_uid):
        if s.modality in modalities:
            files = db.series_files(s.series_uid)
            if files:
                try:
                    return pydicom.dcmread(files[0], stop_before_pixels=True)
                except Exception:  # noqa: BLE001 - an unreadable header leaves the fact empty
                    return None
    return None


def tracer_of(ds) -> str:
    """The tracer named by a PET/NM header ('' when it names none)."""
    if ds is None:
        return ""
    seq = ds.get("RadiopharmaceuticalInformationSequence")
    if seq:
        item = seq[0]
        name = str(item.get("Radiopharmaceutical", "") or "").strip()
        if name:
            return name
        for key in ("RadiopharmaceuticalCodeSequence", "RadionuclideCodeSequence"):
            code = item.get(key)
            if code and str(code[0].get("CodeMeaning", "")).strip():
                return str(code[0].CodeMeaning).strip()
    return ""


def priority_of(ds) -> str:
    if ds is None:
        return "routine"
    values = [ds.get("RequestedProcedurePriority")]
    for item in ds.get("RequestAttributesSequence") or []:
        values.append(item.get("RequestedProcedurePriority"))
    for v in values:
        p = _PRIORITY.get(str(v or "").strip().upper())
        if p:
            return p
    return "routine"


def study_facts(db, study_uid: str) -> dict:
    """Modality (``PT/CT``), tracer and priority of a study in the database, read from its headers."""
    mods = sorted({s.modality for s in db.series(study_uid) if s.modality})
    pet = _first_header(db, study_uid)
    any_ds = pet or _first_header(db, study_uid, tuple(mods))
    return {"modality": "/".join(mods), "tracer": tracer_of(pet), "priority": priority_of(any_ds)}


def add_study(db, study_uid: str, origin: str, origin_kind: str = "media", origin_host: str = "",
              arrived: str | None = None) -> bool:
    """Put one study of the database on the worklist with the facts its headers give."""
    facts = study_facts(db, study_uid)
    return db.worklist_add(study_uid, origin, origin_kind, origin_host=origin_host, arrived=arrived, **facts)


def sync_arrivals(db) -> list[str]:
    """Add every received study the worklist lacks; the Study UIDs added, oldest arrival first."""
    added = []
    arrivals, last, grown = db.worklist_arrivals()
    for a in sorted(arrivals, key=lambda a: a["arrived"]):
        if add_study(db, a["study_uid"], a["origin"], a["origin_kind"], a["origin_host"], a["arrived"]):
            added.append(a["study_uid"])
    for uid in grown:  # later series of a study already listed: its modality and tracer again
        if uid not in added:
            db.worklist_update_facts(uid, **study_facts(db, uid))
    db.worklist_seen(last)  # only after every arrival is on the list: a crash before re-reads them
    return added


def current_reader() -> str:
    """The operating-system user, the reader's name by default."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"
