"""Structures of a study (DICOM SEG segments, RTSTRUCT ROIs, NIfTI labels) on a PET grid.

:func:`structures_on_grid` reads every structure of a file (``io.masks.read_structures``; an
RTSTRUCT's contours are filled directly on the PET grid) and puts each mask on the PET grid
(``regions.mask_on_grid``: nearest neighbour through world coordinates when the file has its own
grid).  A structure that lies outside the PET is a ``QuantError`` naming it: it belongs to another
geometry.

When a study opens, the viewer lists its structures without drawing them: :func:`study_structure_files`
picks the RTSTRUCT and SEG series of the study from a series list (a folder scan or the database),
:func:`list_structures` reads only their headers (names, numbers, colours; no masks, no pixel data),
and :func:`structure_mask` fills one structure on the PET grid when the reader asks for its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workstation.core.geometry import ImageGeometry

from workstation.analysis.lesions.regions import mask_on_grid

__all__ = ["StructureEntry", "list_structures", "structure_mask", "structures_on_grid", "study_structure_files"]

STRUCTURE_MODALITIES = ("RTSTRUCT", "SEG")


def structures_on_grid(path, geometry: ImageGeometry):
    """[(Structure, mask on ``geometry``)] for every non-empty structure of the file at ``path``."""
    from workstation.io.masks import read_structures

    out = []
    for st in read_structures(path, geometry):
        if not st.mask.any():
            continue
        m, _ = mask_on_grid(st.mask, st.geometry, geometry, f"{path} ({st.name})")
        out.append((st, m))
    return out


@dataclass(frozen=True)
class StructureEntry:
    """One structure of a study as listed (header only): file, kind ("RTSTRUCT"/"SEG"), number, name, colour."""

    path: str
    kind: str
    number: int
    name: str
    colour: tuple[int, int, int] | None = None
    series_description: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.path, self.number)


def study_structure_files(series, study_uid: str | None = None, frame_of_reference_uid: str | None = None) -> list[str]:
    """Files of the RTSTRUCT and SEG series in ``series`` (``SeriesInfo``/``SeriesRow``-like objects with
    ``modality``, ``study_uid``, ``files``), restricted to ``study_uid`` when given; sorted."""
    out = []
    for s in series:
        if str(getattr(s, "modality", "")).upper() not in STRUCTURE_MODALITIES:
            continue
        if study_uid and getattr(s, "study_uid", None) and s.study_uid != study_uid:
            continue
        out.extend(str(f) for f in (getattr(s, "files", None) or []))
    return sorted(set(out))


def list_structures(paths, progress=None) -> tuple[list[StructureEntry], list[str]]:
    """(entries, problems): every ROI / segment of the RTSTRUCT and SEG files, from their headers only.

    A file that cannot be read is not an error of the study: it is named in ``problems`` (one line each)."""
    import pydicom

    from workstation.io.rtstruct import is_rtstruct, read_rtstruct

    entries, problems = [], []
    paths = list(paths)
    for n, p in enumerate(paths):
        if progress is not None:
            progress.update(n / max(len(paths), 1), f"structures: {Path(p).name}")
        try:
            ds = pydicom.dcmread(str(p), stop_before_pixels=True)
            desc = str(ds.get("SeriesDescription", "") or "")
            if is_rtstruct(ds):
                for r in read_rtstruct(p, ds).rois:
                    if r.contours:
                        entries.append(StructureEntry(str(p), "RTSTRUCT", r.number, r.name, r.color, desc))
            elif str(ds.get("Modality", "")).upper() == "SEG":
                from workstation.io.masks import lab_to_rgb

                for item in ds.get("SegmentSequence", []) or []:
                    num = int(item.get("SegmentNumber", 0) or 0)
                    name = str(item.get("SegmentLabel", "") or f"segment {num}").strip()
                    lab = item.get("RecommendedDisplayCIELabValue", None)
                    entries.append(StructureEntry(str(p), "SEG", num, name,
                                                  lab_to_rgb(lab) if lab is not None else None, desc))
        except Exception as exc:  # noqa: BLE001 - a broken structure file must not stop the study
            problems.append(f"{Path(p).name}: {type(exc).__name__}: {exc}")
    if progress is not None:
        progress.update(1.0, f"{len(entries)} structure(s)")
    return entries, problems


def structure_mask(entry: StructureEntry, geometry: ImageGeometry):
    """The mask of one listed structure on the PET grid ``geometry`` (``QuantError`` when it misses it)."""
    from workstation.io.masks import read_structures

    for st in read_structures(entry.path, geometry):
        if st.number == entry.number:
            m, _ = mask_on_grid(st.mask, st.geometry, geometry, f"{entry.path} ({st.name})")
            return m
    from workstation.io.errors import DicomError

    raise DicomError(f"{entry.path}: no structure number {entry.number} ({entry.name!r}) any more")
