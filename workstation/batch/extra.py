"""The cohort extra: the cluster stack (Dask distributed, its dashboard, pyarrow) that only
``workstation batch`` needs.

A reading-room installation (and the reading-room bundle) leaves it out: a viewer PC reads one
study at a time and has no use for a scheduler, a dashboard or Parquet tables, which together
weigh about as much as the rest of the Python packages. ``pip install 'pet-workstation[cohort]'``
(or the cohort bundle) adds it. Every batch entry point calls :func:`require_cohort` first, so a
missing extra is one line that says what to install, never an ImportError deep in a run.
"""

from __future__ import annotations

import importlib.util

from workstation.batch.tasks import BatchError

#: the importable modules of the extra (pyproject.toml's ``cohort`` extra installs them)
COHORT_MODULES = ("dask", "distributed", "pyarrow")
INSTALL_HINT = "pip install 'pet-workstation[cohort]'"


def missing_cohort_modules() -> list[str]:
    """The modules of the cohort extra that cannot be imported here (empty: the extra is installed)."""
    missing = []
    for name in COHORT_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or blocked package counts as missing
            found = False
        if not found:
            missing.append(name)
    return missing


def require_cohort(what: str = "workstation batch") -> None:
    """Raise a one-line ``BatchError`` naming the missing modules and the fix when the extra is absent."""
    missing = missing_cohort_modules()
    if missing:
        raise BatchError(f"{what} needs the cohort extra (Dask distributed and pyarrow), which this installation "
                         f"does not have (missing: {', '.join(missing)}); install the cohort extra with "
                         f"{INSTALL_HINT}, or use the cohort bundle: the reading-room bundle leaves it out")
