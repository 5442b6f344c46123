"""Series discovery: which files below a folder form which series (header-only scan).

The scan (:mod:`workstation.io.scan`) reads headers only; this module groups its instances by
Series Instance UID and answers the questions the commands ask ("the one PET series below this
folder"). It never reads pixel data; :mod:`workstation.io.loader` turns a series' files into a
Volume.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from workstation.io.errors import AmbiguousSeriesError, NoSeriesError

@dataclass
class SeriesInfo:
    series_uid: str
    study_uid: str
    modality: str
    files: list[str]
    description: str = ""
    series_number: int | None = None
    frame_of_reference_uid: str = ""
    is_image: bool = True

    def label(self) -> str:
        num = f"#{self.series_number} " if self.series_number is not None else ""
        return f"{self.modality} {num}'{self.description}' ({len(self.files)} files, UID {self.series_uid})"


# ---------------------------------------------------------------------- finding series
def find_series(paths, progress=None) -> list[SeriesInfo]:
    """Group the DICOM files below ``paths`` by series (header-only scan)."""
    from workstation.io.scan import scan_paths

    scan = scan_paths(paths, progress=progress)
    groups: dict[str, SeriesInfo] = {}
    for r in scan.instances:
        s = groups.get(r.series_uid)
        if s is None:
            s = groups[r.series_uid] = SeriesInfo(r.series_uid, r.study_uid, r.modality, [], r.series_description,
                                                  r.series_number, r.frame_of_reference_uid, r.is_image)
        s.files.append(r.path)
    out = sorted(groups.values(), key=lambda s: (s.study_uid, s.series_number or 0, s.series_uid))
    for s in out:
        s.files.sort()
    return out


def find_pet_series(path, series_uid: str | None = None, progress=None) -> SeriesInfo:
    """The one PET image series below ``path`` (or the one with ``series_uid``); typed errors otherwise."""
    if not os.path.exists(path):
        raise NoSeriesError(f"{path}: no such file or folder")
    series = [s for s in find_series([path], progress=progress) if s.is_image and s.modality in ("PT", "PET")]
    if series_uid:
        series = [s for s in series if s.series_uid == series_uid]
    if not series:
        raise NoSeriesError(f"{path}: no PET image series found" + (f" with UID {series_uid}" if series_uid else ""))
    if len(series) > 1:
        listing = "; ".join(s.label() for s in series)
        raise AmbiguousSeriesError(f"{path}: {len(series)} PET series found ({listing}); "
                                   "point to one series folder or pass --series UID")
    return series[0]
