"""Tables written as CSV: one header row, one row per record, numbers in full precision.

Blank cells for values that do not apply (None, NaN); booleans as yes/no. The file is written to
``NAME.part`` and renamed, so a reader never sees half a table; an existing file is never
overwritten unless asked. Nothing here knows what the columns mean.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return str(value)


def write_table_csv(path, columns, rows, *, overwrite: bool = False) -> Path:
    """Write ``rows`` (mappings) with ``columns`` in that order; FileExistsError for an existing file."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} already exists; choose another file name or confirm overwriting (--force)")
    if not p.parent.is_dir():
        raise FileNotFoundError(f"cannot write {p}: folder {p.parent} does not exist")
    tmp = p.with_name(p.name + ".part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(list(columns))
        for r in rows:
            w.writerow([cell(r.get(c)) for c in columns])
    os.replace(tmp, p)
    return p
