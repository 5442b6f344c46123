"""Opening a study for reading: pairing PET with CT/MR, loading it, and the registrations kept with it.

Concept
-------
``choose_pair`` picks the PET and the anatomical series of a study; ``open_folder`` /
``open_study`` load them and build the ``analysis.fusion.ReadingSession``. A registration
(automatic or a manual nudge) is stored in the study database keyed by the (PET series,
anatomical series) pair and applied again when the same pair is opened.
"""

from __future__ import annotations

import numpy as np

from workstation.core.display import PLANE_SPECS, extract_plane
from workstation.core.protocols import ReadingState
from workstation.core.volume import Volume

from workstation.analysis.reading.pet_view import PetOnView
from workstation.analysis.reading.session import ReadingSession


def choose_pair(series: list, pet_uid: str | None = None, anat_uid: str | None = None):
    """Pick (pet, anatomical) series from a study's series rows (attributes ``modality``,
    ``series_uid``, ``frame_of_reference_uid``, and ``n_instances`` or ``files``).

    The PET is the largest PT series unless named (a SPECT stored as NM when the study has no PT);
    the anatomical series is the largest CT,
    else MR, sharing the PET's frame of reference, else the largest CT/MR (the caller then
    offers registration). Either may be None.
    """
    def count(s):
        n = getattr(s, "n_instances", None)
        return n if n is not None else len(getattr(s, "files", []) or [])

    pets = [s for s in series if (s.modality or "").upper() in ("PT", "PET")]
    if not pets or (pet_uid and not any(s.series_uid == pet_uid for s in pets)):  # a SPECT stored as NM
        pets += [s for s in series if (s.modality or "").upper() == "NM"]
    anats = [s for s in series if (s.modality or "").upper() in ("CT", "MR")]
    pet = next((s for s in pets if s.series_uid == pet_uid), None) if pet_uid else None
    if pet_uid and pet is None:
        raise NoImageSeries(f"no PET series with UID {pet_uid} (PET series: "
                            f"{', '.join(s.series_uid for s in pets) or 'none'})")
    if pet is None and pets:
        pet = max(pets, key=count)
    anat = next((s for s in anats if s.series_uid == anat_uid), None) if anat_uid else None
    if anat_uid and anat is None:
        raise NoImageSeries(f"no CT/MR series with UID {anat_uid} (CT/MR series: "
                            f"{', '.join(s.series_uid for s in anats) or 'none'})")
    if anat is None and anats:
        rank = {"CT": 0, "MR": 1}
        same = [s for s in anats if pet is not None and s.frame_of_reference_uid
                and s.frame_of_reference_uid == pet.frame_of_reference_uid]
        pool = same or anats
        anat = min(pool, key=lambda s: (rank.get(s.modality.upper(), 2), -count(s)))
    return pet, anat


# ----------------------------------------------------------------------------- stored registrations
METHOD_MI = "rigid MI"
METHOD_NUDGE = "manual nudge"


def pair_uids(pet: Volume | None, anatomical: Volume | None) -> tuple[str, str] | None:
    if pet is None or anatomical is None or not pet.series_uid or not anatomical.series_uid:
        return None
    return pet.series_uid, anatomical.series_uid


def stored_registration(db, pet: Volume | None, anatomical: Volume | None):
    """The registration stored for this (PET, anatomical) pair in a ``StudyDB``, or None."""
    uids = pair_uids(pet, anatomical)
    if db is None or uids is None:
        return None
    return db.get_registration(*uids)


def save_registration(db, session: ReadingState, method: str, metric: float | None = None):
    """Keep the session's current ``pet_from_anat`` with the study (returns the row, or None when the
    session has no PET/anatomical pair with series UIDs or there is no database)."""
    uids = pair_uids(session.pet, session.anatomical)
    if db is None or uids is None:
        return None
    return db.save_registration(*uids, session.pet_from_anat, metric=metric, method=method)


def _session_with_stored_registration(db, anat, pet, progress, session_kw) -> ReadingState:
    row = None if "pet_from_anat" in session_kw else stored_registration(db, pet, anat)
    if row is not None:
        session_kw = dict(session_kw, pet_from_anat=row.matrix)

    session = ReadingSession(anat, pet, progress=progress.sub(0.8, 1.0) if progress else None, **session_kw)
    if row is not None:
        session.registration_stored = row
        session.registration_note = f"stored {row.method} of {row.created}"
    return session


def registration_preview(session: ReadingState, arrays_after: dict, plane: str = "axial",
                         squares: int = 8) -> dict:
    """Before/after pictures of a registration proposal on one plane through the crosshair: the
    anatomical slice (CT/MR window) and the PET slice (PET window), both scaled to 0..1, shown as a
    checkerboard (``before``/``after``) and as a 50 % blend (``blend_before``/``blend_after``)."""
    from workstation.analysis.registration.rigid import checkerboard

    spec = PLANE_SPECS[plane]
    idx = session.plane_index(plane)
    width, level = session.ct_window
    anat = np.clip((extract_plane(session.anat_display, spec, idx).astype(np.float32) - (level - width / 2.0))
                   / max(width, 1e-6), 0, 1)
    lo, hi = session.pet_window
    scale = np.float32(session.pet_scale)

    def pet_norm(view):  # the PET of that plane only, resampled on demand (analysis.reading.pet_view)
        return np.clip((view.plane(plane, idx) * scale - lo) / max(hi - lo, 1e-6), 0, 1)

    view_after = arrays_after["pet_view"]
    if view_after.display != session.display_geometry:  # a registration across frames may come on a larger grid
        view_after = PetOnView(view_after.source, view_after.pet_geometry, session.display_geometry,
                               view_after.transform, fill=view_after.fill)
    before, after = pet_norm(session.pet_view), pet_norm(view_after)
    return {"before": checkerboard(anat, before, squares), "after": checkerboard(anat, after, squares),
            "blend_before": 0.5 * (anat + before), "blend_after": 0.5 * (anat + after)}


# ----------------------------------------------------------------------------- opening
class NoImageSeries(ValueError):
    """The folder or study holds no PET, CT or MR image series to read."""


def load_pair(pet_files, anat_files, progress=None) -> tuple[Volume | None, Volume | None]:
    """Load the PET and anatomical series (either list may be empty)."""
    from workstation.io.loader import load_series

    pet = load_series(pet_files, progress=progress.sub(0.0, 0.4) if progress else None) if pet_files else None
    anat = load_series(anat_files, progress=progress.sub(0.4, 0.8) if progress else None) if anat_files else None
    return pet, anat


def open_folder(path, pet_uid: str | None = None, anat_uid: str | None = None, progress=None, db=None,
                **session_kw) -> ReadingState:
    """Find the series below ``path``, pair PET with CT/MR and build the reading session.

    With a study database ``db``, a registration stored for the pair is applied."""
    from workstation.io.series import find_series

    series = [s for s in find_series([str(path)]) if getattr(s, "is_image", True)]
    pet_s, anat_s = choose_pair(series, pet_uid, anat_uid)
    if pet_s is None and anat_s is None:
        raise NoImageSeries(f"{path}: no PET, CT or MR image series found; point to a folder with DICOM images")
    pet, anat = load_pair(pet_s.files if pet_s else [], anat_s.files if anat_s else [], progress)
    return _session_with_stored_registration(db, anat, pet, progress, session_kw)


def open_study(db, study_uid: str, pet_uid: str | None = None, anat_uid: str | None = None, progress=None,
               **session_kw) -> ReadingState:
    """Build the reading session of a study of the study database (``StudyDB``); a registration
    stored for the chosen pair is applied."""
    series = [s for s in db.series(study_uid) if getattr(s, "is_image", True)]
    pet_s, anat_s = choose_pair(series, pet_uid, anat_uid)
    if pet_s is None and anat_s is None:
        raise NoImageSeries(f"study {study_uid}: no PET, CT or MR image series in the database")
    pet, anat = load_pair(db.series_files(pet_s.series_uid) if pet_s else [],
                          db.series_files(anat_s.series_uid) if anat_s else [], progress)
    return _session_with_stored_registration(db, anat, pet, progress, session_kw)
