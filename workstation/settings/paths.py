"""Where the workstation keeps its per-user files.

The study database and caches live under the platform's user data directory (platformdirs), or
under ``$WORKSTATION_DATA_DIR`` when that is set (tests and portable installs use it).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "pet-workstation"


def data_dir(create: bool = True) -> Path:
    env = os.environ.get("WORKSTATION_DATA_DIR")
    if env:
        path = Path(env)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
