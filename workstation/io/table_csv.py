"""Tables as CSV files: one header row, one row per record, never overwriting without being asked.

Numbers are written in full precision (``repr``), booleans as yes/no, and a value that does not
apply (None, NaN) as an empty cell. The file is written to ``NAME.part`` and renamed into place,
so a reader never sees half a table.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

#: The columns of the VOI table (``analysis.voi.VoiModel.rows``), in file order.
VOI_CSV_FIELDS = ("id", "name", "kind", "method", "threshold", "background", "units", "centre_x_mm", "centre_y_mm",
                  "centre_z_mm", "voxels", "volume_ml", "suv_min", "suv_max", "suv_mean", "suv_median", "suv_std",
                  "suv_peak", "tlg", "max_x_mm", "max_y_mm", "max_z_mm", "peak_x_mm", "peak_y_mm", "peak_z_mm",
                  "percist_threshold", "percist_measurable", "deauville")


def write_table_csv(path, rows, fields=VOI_CSV_FIELDS, overwrite: bool = False) -> Path:
    """Write ``rows`` (dicts holding at least ``fields``) to ``path``; returns the path written.

    Never overwrites an existing file unless ``overwrite=True`` (FileExistsError otherwise); a
    missing folder is a FileNotFoundError that says so. Write no patient identity into ``rows``.
    """
    from workstation.io.atomic_write import atomic_output

    p = Path(path)
    if os.path.lexists(p) and not overwrite:
        raise FileExistsError(f"{p} already exists; choose another file name or confirm overwriting")
    if not p.parent.is_dir():
        raise FileNotFoundError(f"cannot write {p}: folder {p.parent} does not exist")
    with atomic_output(p, overwrite) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(fields))
            w.writeheader()
            for r in rows:
                w.writerow({k: csv_value(r[k]) for k in fields})
    return p


def csv_value(v):
    """The cell text of a value: '' for None/NaN/inf, yes/no for booleans, repr for floats."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "" if not math.isfinite(v) else repr(v)
    return v
