"""DICOMDIR media (CDs and DVDs from other hospitals): read the directory, copy the files into the store.

A DICOMDIR lists the media's files by ReferencedFileID (path components relative to the DICOMDIR,
upper-case on ISO 9660 discs, while the mounted file system may show them in lower case). The
medium is read-only and is taken away after reading, so the referenced instances are copied into
the managed store (:mod:`workstation.io.store`) and indexed there; nothing is written to the medium.
A record whose file is missing is reported, never fatal.
"""

from __future__ import annotations

import os
from pathlib import Path

from workstation.io.errors import DicomError


class DicomdirError(DicomError):
    """The DICOMDIR cannot be read."""


def is_dicomdir(path) -> bool:
    p = Path(path)
    return p.is_file() and p.name.upper() == "DICOMDIR"


def find_dicomdir(path) -> Path | None:
    """``path`` itself when it is a DICOMDIR, or the DICOMDIR at the root of folder ``path``."""
    p = Path(path)
    if is_dicomdir(p):
        return p
    if p.is_dir():
        for name in os.listdir(p):
            if name.upper() == "DICOMDIR" and (p / name).is_file():
                return p / name
    return None


def _resolve(root: Path, parts: list[str]) -> Path | None:
    """The file named by ReferencedFileID components, matching each component case-insensitively."""
    cur = root
    for part in parts:
        direct = cur / part
        if direct.exists():
            cur = direct
            continue
        try:
            match = next((cur / n for n in os.listdir(cur) if n.upper() == part.upper()
                          or n.upper().rstrip(".") == part.upper() or n.upper() == part.upper() + ";1"), None)
        except OSError:
            return None
        if match is None:
            return None
        cur = match
    return cur if cur.is_file() else None


def referenced_files(dicomdir) -> tuple[list[Path], list[tuple[str, str]]]:
    """(files referenced by the DICOMDIR's records, [(file id, reason)] for records that cannot be found)."""
    from workstation.io.dicom_file import read_dataset

    dicomdir = Path(dicomdir)
    try:
        ds = read_dataset(dicomdir)
    except Exception as exc:  # noqa: BLE001
        raise DicomdirError(f"{dicomdir}: not a readable DICOMDIR ({type(exc).__name__})") from None
    records = ds.get("DirectoryRecordSequence", None)
    if records is None:
        raise DicomdirError(f"{dicomdir}: DirectoryRecordSequence (0004,1220) is missing; not a DICOMDIR")
    root = dicomdir.parent
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    seen = set()
    for rec in records:
        ref = rec.get("ReferencedFileID", None)
        if ref is None:
            continue
        parts = [ref] if isinstance(ref, str) else [str(p) for p in ref]
        file_id = "\\".join(parts)
        if file_id in seen:
            continue
        seen.add(file_id)
        path = _resolve(root, parts)
        if path is None:
            missing.append((file_id, "referenced by the DICOMDIR but not on the medium"))
        else:
            files.append(path)
    return files, missing
