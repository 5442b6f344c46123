"""Sign and send: the reader's PDF becomes a signed DICOM Encapsulated PDF in the study, and goes back
to the hospital that sent the study, with the SR and key images, through the outgoing queue.

``sign_report`` needs the reader to hold the study's worklist lock (``StudyDB.worklist_claim``); it
writes version 1, or the next version referencing the previous one (an amendment), into the
managed store (so that the node's C-FIND / C-MOVE / C-GET find it with the study), records the
version and sets the study ``reported``. With ``sr`` (the reading's structured report), the SR is
versioned with it: version 1 as given, each amendment a new SOP instance in the same series whose
Predecessor Documents Sequence references the previous version's SR; no SR is ever overwritten.
``queue_return`` puts the latest version and the given
attachments in the outgoing queue towards the study's origin (the configured node whose AE title,
or DICOMweb host, the study came from). ``reconcile_sent`` moves studies whose return job is
delivered to ``sent back``.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from workstation.io.db_worklist import ACKNOWLEDGED, REPORTED, SENT_BACK, WorklistError
from workstation.io.export_pdf_dicom import build_encapsulated_pdf, predecessor_documents


class SignError(ValueError):
    """The report cannot be signed or sent back as asked; the message says why."""


def _study_header(db, study_uid: str):
    import pydicom

    for s in db.series(study_uid):
        if s.modality in ("PT", "NM", "CT", "MR"):
            files = db.series_files(s.series_uid)
            if files:
                return pydicom.dcmread(files[0], stop_before_pixels=True)
    raise SignError(f"study {study_uid}: no image of it in the study database to take the patient and study from")


def _versioned_sr(sr, version: int, previous_sr, study_uid: str, used_uids: set):
    """The SR dataset for report ``version``: a new SOP instance referencing ``previous_sr`` (an amendment)."""
    import pydicom
    from pydicom.dataset import Dataset
    from pydicom.uid import generate_uid

    try:
        ds = pydicom.dcmread(str(sr)) if not isinstance(sr, Dataset) else sr
    except Exception as exc:  # noqa: BLE001 - one line naming the file
        raise SignError(f"{sr}: not a readable DICOM file ({type(exc).__name__})") from None
    if not str(ds.get("SOPClassUID", "")).startswith("1.2.840.10008.5.1.4.1.1.88."):
        raise SignError(f"{sr}: not a structured report (SOP Class {ds.get('SOPClassUID', 'missing')})")
    if str(ds.get("StudyInstanceUID", "")) != study_uid:
        raise SignError(f"{sr}: the structured report belongs to another study")
    if previous_sr is None:
        return ds
    if str(ds.SOPInstanceUID) in used_uids:  # the same document edited: a new instance, never the old one
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.SeriesInstanceUID = str(previous_sr.SeriesInstanceUID)
    ds.InstanceNumber = version
    ds.PredecessorDocumentsSequence = predecessor_documents(previous_sr)
    return ds


def _store_dataset(store, ds, detail: str):
    fd, tmp = tempfile.mkstemp(suffix=".dcm")
    os.close(fd)
    try:
        ds.save_as(tmp, enforce_file_format=True)
        return store.store_file(tmp, audit=dict(event="report-signed", detail=detail))
    finally:
        os.unlink(tmp)


def sign_report(db, store, study_uid: str, reader: str, pdf: bytes, *, signed: datetime | None = None,
                institution: str = "", sr=None):
    """Sign ``pdf`` as ``reader``: the Encapsulated PDF dataset written (and indexed) in the store, and its path.
    ``sr`` (a path or dataset): the reading's structured report, stored as this version's SR."""
    import pydicom

    row = db.worklist_entry(study_uid)
    if row.locked_by != reader:
        raise SignError(f"study {study_uid}: {reader} does not hold it for reporting "
                        f"({'held by ' + row.locked_by if row.locked_by else 'open it for reporting first'})")
    versions = db.report_versions(study_uid)
    previous = pydicom.dcmread(versions[-1].pdf_path, stop_before_pixels=True) if versions else None
    signed = signed or datetime.now()
    version = len(versions) + 1
    sr_ds = None
    if sr is not None:
        last_sr = next((v for v in reversed(versions) if v.sr_path), None)
        previous_sr = pydicom.dcmread(last_sr.sr_path, stop_before_pixels=True) if last_sr else None
        sr_ds = _versioned_sr(sr, version, previous_sr, study_uid, {v.sr_uid for v in versions if v.sr_uid})
    ds = build_encapsulated_pdf(pdf, _study_header(db, study_uid), reader=reader, signed=signed,
                                version=version, previous=previous, institution=institution,
                                series_uid=versions[-1].series_uid if versions else None)
    stored = _store_dataset(store, ds, f"version {ds.InstanceNumber} signed by {reader}")
    stored_sr = _store_dataset(store, sr_ds, f"SR of version {version}") if sr_ds is not None else None
    db.record_signed_report(study_uid, reader, sop_instance_uid=str(ds.SOPInstanceUID),
                            series_uid=str(ds.SeriesInstanceUID), signed=signed.isoformat(timespec="seconds"),
                            pdf_path=stored.path, version=int(ds.InstanceNumber),
                            supersedes=str(previous.SOPInstanceUID) if previous is not None else "",
                            sr_uid=str(sr_ds.SOPInstanceUID) if sr_ds is not None else "",
                            sr_path=stored_sr.path if stored_sr is not None else "")
    return ds, Path(stored.path)


def split_sr(paths) -> tuple[str | None, list[str]]:
    """(the first structured report among ``paths``, the others): the SR that is versioned with the report."""
    import pydicom

    sr, rest = None, []
    for p in map(str, paths):
        if sr is None:
            try:
                sop = str(pydicom.dcmread(p, stop_before_pixels=True, specific_tags=["SOPClassUID"]).SOPClassUID)
            except Exception:  # noqa: BLE001 - not readable here: left as an attachment, refused when queued
                sop = ""
            if sop.startswith("1.2.840.10008.5.1.4.1.1.88."):
                sr = p
                continue
        rest.append(p)
    return sr, rest


def destination_for(origin: str, origin_kind: str, nodes) -> str:
    """The configured node's name for a worklist origin (an AE title, or a DICOMweb host)."""
    for n in nodes:
        if origin_kind == "dimse" and n.is_dimse and n.ae_title.strip() == origin.strip():
            return n.name
        if origin_kind == "dicomweb" and n.url and origin and origin in n.url:
            return n.name
    raise SignError(f"the study came from {origin!r}, which is no configured node: add it "
                    "(`workstation node add`) or choose the destination")


def queue_return(db, outbox, study_uid: str, attachments=(), destination: str | None = None,
                 compress: str = "") -> int:
    """Queue the latest signed version (+ SR, key images...) towards the study's origin; the job id."""
    versions = db.report_versions(study_uid)
    if not versions:
        raise SignError(f"study {study_uid}: no signed report to send")
    row = db.worklist_entry(study_uid)
    if row.status not in (REPORTED, SENT_BACK):
        raise SignError(f"study {study_uid} is {row.status}; only a reported study goes back")
    dest = destination or destination_for(row.origin, row.origin_kind, outbox.nodes.values())
    files = [versions[-1].pdf_path, *([versions[-1].sr_path] if versions[-1].sr_path else []),
             *[str(a) for a in attachments]]
    return outbox.enqueue(dest, files, study_uid=study_uid, label=f"report v{versions[-1].version}", compress=compress)


def reconcile_sent(db, outbox) -> list[str]:
    """Studies whose return jobs are all sent: ``reported`` → ``sent back``. The Study UIDs moved."""
    by_study: dict[str, list] = {}
    for j in outbox.jobs():
        if j.study_uid:
            by_study.setdefault(j.study_uid, []).append(j)
    moved = []
    for uid, jobs in by_study.items():
        try:
            row = db.worklist_entry(uid)
        except WorklistError:
            continue
        if row.status == REPORTED and all(j.state == "sent" for j in jobs):
            db.worklist_mark(uid, SENT_BACK, detail="; ".join(f"job {j.job_id} delivered to {j.destination}"
                                                                for j in jobs))
            moved.append(uid)
    return moved


def confirm_returned(db, outbox, study_uid: str) -> bool:
    """Ask the origin whether it holds everything sent back for the study; ``sent back`` → ``acknowledged``
    when it does. False (and the status unchanged) when something is missing there."""
    jobs = [j for j in outbox.jobs() if j.study_uid == study_uid and j.state == "sent"]
    if not jobs:
        return False
    missing = []
    for j in jobs:
        missing += outbox.confirm(j.job_id)[1]
    if missing:
        return False
    if db.worklist_entry(study_uid).status == SENT_BACK:
        db.worklist_mark(study_uid, ACKNOWLEDGED, detail=f"origin holds the {len(jobs)} returned job(s)")
    return True
