"""Layout and window choices remembered per user and restored when the next study opens.

Concept
-------
``ReadingPrefs`` listens to the reading session's display events (layout, anatomical window,
PET window, colour map, opacity) and stores the reader's choice with ``settings.viewer_prefs``.
When a study opens, :meth:`ReadingPrefs.apply` puts the remembered choices back on the new
session before its views are built, only where they fit that study:

* the layout is remembered separately for studies with and without CT/MR (a PET-only study
  never opens in a layout of empty CT panels);
* the anatomical window is remembered as a preset name per modality (CT presets in HU; an MR's
  presets are computed from its own voxels, so only the name travels);
* the PET window is restored only when the new PET is shown in the same units (SUVbw…).

A reading stored with the study (``reading_menu``) is restored after this and wins.
"""

from __future__ import annotations

from workstation.core.display import COLORMAPS, LAYOUTS
from workstation.settings import viewer_prefs


def _layout_key(session) -> str:
    return "layout.anatomy" if session.anatomical is not None else "layout.pet_only"


class ReadingPrefs:
    def __init__(self):
        self.session = None
        self._applying = False

    def apply(self, session) -> list[str]:
        """Put the remembered choices on ``session`` (before it is shown); returns what was restored."""
        prefs = viewer_prefs.load()
        done = []
        self._applying = True
        try:
            layout = prefs.get(_layout_key(session))
            if layout in LAYOUTS and (session.anatomical is not None or layout == "pet"):
                session.set_layout(layout)
                done.append("layout")
            if session.anatomical is not None:
                preset = prefs.get(f"window.{session.anat_label}")
                if preset in session.window_presets():
                    session.set_ct_preset(preset)
                    done.append("window")
            pw = prefs.get("pet_window")
            if (session.pet is not None and isinstance(pw, list) and len(pw) == 3 and pw[2] == session.pet_units
                    and all(isinstance(v, (int, float)) for v in pw[:2])):
                session.set_pet_window(pw[0], pw[1])
                done.append("pet_window")
            if prefs.get("colormap") in COLORMAPS:
                session.set_colormap(prefs["colormap"])
                done.append("colormap")
            op = prefs.get("opacity")
            if isinstance(op, (int, float)) and 0.0 <= op <= 1.0:
                session.set_opacity(op)
                done.append("opacity")
        finally:
            self._applying = False
        self.session = session
        return done

    def note(self, event: str, session) -> None:
        """A display event of the session shown: remember the reader's choice."""
        if self._applying or session is None or session is not self.session:
            return
        if event == "layout":
            viewer_prefs.remember(**{_layout_key(session): session.layout})
        elif event == "ct_window" and session.anatomical is not None:
            name = next((n for n, v in session.window_presets().items() if v == session.ct_window), None)
            if name is not None:
                viewer_prefs.remember(**{f"window.{session.anat_label}": name})
        elif event == "pet_window" and session.pet is not None:
            lo, hi = session.pet_window
            viewer_prefs.remember(pet_window=[float(lo), float(hi), session.pet_units])
        elif event == "colormap":
            viewer_prefs.remember(colormap=session.colormap)
        elif event == "opacity":
            viewer_prefs.remember(opacity=round(float(session.opacity), 3))
