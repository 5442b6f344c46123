"""The reader's viewing habits, remembered per user: layout, window presets, PET window, colour map, opacity.

Stored as one small JSON file, ``viewer.json``, in the user's data folder (``settings.paths``:
platformdirs, or ``$WORKSTATION_DATA_DIR`` in tests and portable installs), written atomically.
Keys are plain names; what a key means is up to the viewer (``ui.reader.reading_prefs``):

* ``layout.anatomy`` / ``layout.pet_only``: the layout last chosen for a PET/CT(MR) or a PET-only study;
* ``window.CT`` / ``window.MR``: the anatomical window preset last chosen for that modality;
* ``pet_window``: ``[lower, upper, units]``; ``colormap``; ``opacity``.

A missing, unreadable or damaged file reads as "no preferences" (the defaults apply); it is never
an error that stops the viewer.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from workstation.settings.paths import data_dir

FILE_NAME = "viewer.json"
log = logging.getLogger(__name__)


def prefs_path() -> Path:
    return data_dir() / FILE_NAME


def load() -> dict:
    """The stored preferences ({} when there are none or the file cannot be read)."""
    p = prefs_path()
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("viewer preferences %s not read (%s); using the defaults", p.name, type(exc).__name__)
        return {}
    return value if isinstance(value, dict) else {}


def save(prefs: dict) -> None:
    """Write all preferences (atomically: a reader never sees half a file)."""
    p = prefs_path()
    tmp = p.with_name(f".{p.name}.{os.getpid()}.part")
    try:
        tmp.write_text(json.dumps(prefs, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:  # a read-only home must not stop reading
        log.warning("viewer preferences not saved (%s)", type(exc).__name__)
        try:
            tmp.unlink()
        except OSError:
            pass


def remember(**items) -> dict:
    """Update some preferences (``remember(colormap="hot iron")``; dotted keys via ``**{"layout.pet_only": ...}``)."""
    prefs = load()
    if all(prefs.get(k) == v for k, v in items.items()):
        return prefs
    prefs.update(items)
    save(prefs)
    return prefs
