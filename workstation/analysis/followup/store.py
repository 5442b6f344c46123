"""The follow-up reading kept and sent: the accepted CT-to-CT registration (versions, undo), the
reader's lesion edits in the study database, reference VOIs found automatically, a reading opened
from two studies of the database, and the change table as a DICOM SR.
"""

from __future__ import annotations

import numpy as np

from workstation.analysis.followup.comparison import (FollowupError, FollowupReading, TimePoint, load_study_timepoint,
                                           read_followup)



# ============================================================================ stored in the database
#: method name stored with an accepted follow-up registration
METHOD_FOLLOWUP = "follow-up CT to baseline CT, rigid Mattes MI"


def pair_uids(reading: FollowupReading) -> tuple[str, str]:
    """(baseline PET series UID, follow-up PET series UID): the key of the reader's edits."""
    b, f = reading.baseline.pet.series_uid, reading.followup.pet.series_uid
    if not b or not f:
        raise FollowupError("the PET series of a time point has no Series Instance UID; nothing can be stored")
    return b, f


def registration_uids(reading: FollowupReading) -> tuple[str, str]:
    """(moving, fixed) of the stored registration: the follow-up CT onto the baseline CT. The stored
    matrix maps fixed (baseline) world points to moving (follow-up) ones: ``followup_from_baseline``."""
    b = reading.baseline.ct.series_uid if reading.baseline.ct is not None else ""
    f = reading.followup.ct.series_uid if reading.followup.ct is not None else ""
    if not b or not f:
        raise FollowupError("the follow-up registration is stored per CT pair; a time point has no CT series UID")
    return f, b


def stored_registration(db, reading: FollowupReading):
    """The accepted registration of the reading's CT pair (a ``RegistrationRow``), or None."""
    return db.get_registration(*registration_uids(reading))


def accept_registration(db, reading: FollowupReading):
    """Store the reading's current rigid map as a new version of the CT pair's registration."""
    moving, fixed = registration_uids(reading)
    return db.save_registration(moving, fixed, reading.followup_from_baseline, metric=reading.registration.get("metric"),
                                method=METHOD_FOLLOWUP)


def undo_registration(db, reading: FollowupReading, proposed) -> tuple[object, list[str]]:
    """Drop the newest stored version; the reading goes back to the version before, or (none left)
    to ``proposed`` (the registration computed for this reading, not stored). Returns (the
    ``RegistrationRow`` now stored or None, edits that no longer fit)."""
    row = db.undo_registration(*registration_uids(reading))
    if row is not None:
        skipped = reading.set_registration(row.matrix, {"method": row.method, "metric": row.metric,
                                                        "stored_version": row.version})
    else:
        skipped = reading.set_registration(proposed["followup_from_baseline"], dict(proposed))
    return row, skipped


def save_edits(db, reading: FollowupReading) -> None:
    db.save_followup_edits(*pair_uids(reading), reading.edits)


def stored_edits(db, baseline_pet_uid: str, followup_pet_uid: str) -> list:
    return db.followup_edits(baseline_pet_uid, followup_pet_uid)


# ============================================================================ from the study database
def find_references(tp: TimePoint) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Liver and blood-pool VOI centres found in a time point's SUVbw
    (:func:`workstation.analysis.references.find_liver` / ``find_blood_pool``), with notes. The
    blood pool is None (Deauville not scored) when none is found."""
    from workstation.analysis.errors import QuantError
    from workstation.analysis.lesions.references import find_blood_pool, find_liver, liver_reference

    try:
        liver = find_liver(tp.suv, tp.geometry)
    except QuantError as exc:
        raise FollowupError(f"{tp.label}: {exc}") from None
    notes = [f"liver VOI found automatically at {np.round(liver, 1).tolist()} mm"]
    try:
        bp = find_blood_pool(tp.suv, tp.geometry, liver, liver_reference(tp.suv, tp.geometry, liver).mean)
        notes.append(f"blood-pool VOI found automatically at {np.round(bp, 1).tolist()} mm")
    except QuantError:
        bp = None
        notes.append("no blood-pool VOI found automatically: Deauville not scored")
    return liver, bp, notes


def read_followup_studies(db, baseline_study_uid: str, followup_study_uid: str, *, liver_world=None,
                          blood_pool_world=None, deformable: bool = False, progress=None) -> FollowupReading:
    """The follow-up reading of two studies of the study database (what the viewer's "Compare with
    previous" computes off the UI thread).

    The accepted registration of the two CTs is used when one is stored; otherwise the rigid
    registration is computed and proposed (``registration["proposed"]``: shown, not stored until
    the reader accepts it). Reference VOIs are found automatically unless given (baseline world
    coordinates). The reader's stored link / unlink / rename are replayed.
    """
    def part(a, b):
        return None if progress is None else progress.sub(a, b)

    base = load_study_timepoint(db, baseline_study_uid, progress=part(0.0, 0.1))
    fu = load_study_timepoint(db, followup_study_uid, progress=part(0.1, 0.2))
    notes = []
    if liver_world is None:
        liver_world, found_bp, notes = find_references(base)
        blood_pool_world = blood_pool_world if blood_pool_world is not None else found_bp
    stored = None
    if base.ct is not None and fu.ct is not None and base.ct.series_uid and fu.ct.series_uid:
        stored = db.get_registration(fu.ct.series_uid, base.ct.series_uid)
    t = None
    if stored is not None:
        t = stored.matrix
    edits = []
    if base.pet.series_uid and fu.pet.series_uid:
        edits = db.followup_edits(base.pet.series_uid, fu.pet.series_uid)
    reading = read_followup(base, fu, liver_world, blood_pool_world=blood_pool_world, followup_from_baseline=t,
                            deformable=deformable, edits=edits, progress=part(0.2, 1.0))
    if stored is not None:
        reading.registration.update({"method": stored.method, "metric": stored.metric, "stored_version": stored.version,
                                     "summary": f"stored version {stored.version} ({stored.method}, {stored.created})"})
    else:
        reading.registration["proposed"] = True
    reading.registration["notes"] = notes
    return reading


# ============================================================================ DICOM SR of the change table
def write_sr(reading: FollowupReading, path, *, overwrite: bool = False):
    """The change table and the response as a DICOM SR (``io.export_sr.build_followup_sr``) whose
    evidence is the follow-up PET."""
    from workstation.io.export_common import source_headers_for
    from workstation.io.export_sr import FollowupLesion, write_followup_sr

    summary = reading.report_summary()
    lesions = [FollowupLesion(r["lesion"], r["status"], r["suvmax"], r["sulpeak"], r["mtv_ml"], r["percist"],
                              r["eortc"], r["deauville"]) for r in summary["rows"]]
    response = {"PERCIST": reading.response("percist").category, "EORTC": reading.response("eortc").category}
    if reading.fu.get("blood_pool") and reading.base.get("blood_pool"):
        response["Deauville"] = reading.response("deauville").category
    return write_followup_sr(path, source_headers_for(reading.followup.pet), lesions, response, overwrite=overwrite)
