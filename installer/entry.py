"""Entry point of the frozen (PyInstaller) build: the same sub-commands as the console script.

Only what a frozen build needs that an installed package does not is done here:
* numba's cache goes to the user's data folder (the bundle folder may be read-only);
* multiprocessing children started by the frozen executable run their work, not ``main``;
* the reconstruction plugin host already spawns ``<executable> recon-child`` when frozen.
"""

import multiprocessing
import os
import sys


def _prepare_frozen_environment() -> None:
    from workstation.settings.paths import data_dir

    os.environ.setdefault("NUMBA_CACHE_DIR", str(data_dir() / "numba-cache"))


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if getattr(sys, "frozen", False):
        _prepare_frozen_environment()
    from workstation.cli import main

    sys.exit(main())
