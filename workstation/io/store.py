"""The managed store: copies of DICOM files the workstation owns (from removable media, from the network).

Files are stored as ``store/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`` under
the user data folder. Each copy is written to a temporary name in the target folder, flushed to
disk and then renamed, so a crash never leaves a half-written file under a real name. A file that
is already in the store with the same content is not copied again; sources are only read.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_SAFE = re.compile(r"[^0-9A-Za-z.\-]")


def store_dir(create: bool = True) -> Path:
    from workstation.settings import data_dir

    path = data_dir() / "store"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def _name(uid: str) -> str:
    return _SAFE.sub("_", uid)[:128] or "unknown"


def copy_into_store(records, store: Path | None = None, progress=None) -> dict[str, str]:
    """Copy the files of the scan ``records`` into the store; returns {source path: stored path}."""
    import filecmp

    store = Path(store) if store is not None else store_dir()
    out: dict[str, str] = {}
    n = len(records)
    for i, r in enumerate(records):
        folder = store / _name(r.study_uid) / _name(r.series_uid)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{_name(r.sop_instance_uid)}.dcm"
        if target.exists() and filecmp.cmp(r.path, target, shallow=False):
            out[r.path] = str(target)
            continue
        if target.exists():  # the same UID with other content: keep both, the newcomer under a suffix
            k = 1
            while (folder / f"{_name(r.sop_instance_uid)}.{k}.dcm").exists():
                k += 1
            target = folder / f"{_name(r.sop_instance_uid)}.{k}.dcm"
        tmp = folder / f".{target.name}.part"
        with open(r.path, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
        out[r.path] = str(target)
        if progress is not None and (i % 16 == 0 or i == n - 1):
            progress.update((i + 1) / n, f"copied {i + 1}/{n} files")
    return out
