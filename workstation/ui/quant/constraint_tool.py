"""The constraint sphere of the Segment tool, drawn in the slice views and edited with the mouse,
and the outline of a region that leaked.

Concept
-------
A clicked lesion grows only inside a sphere around the click (``analysis.segmentation.Constraint``,
radius from the VOI panel's *Constraint radius* spin box). This object keeps that sphere (centre in
the PET frame, radius = the spin box's value: one value, so box and drawing cannot disagree) and:

* draws it in every slice view as the circle where it cuts the displayed plane
  (``render.constraint_overlay.ConstraintCircle``), while the Segment tool is chosen;
* lets the reader edit it with the Segment tool: pressing near the circle (within
  :data:`GRAB_PX` screen pixels of the rim) and dragging resizes it (the new radius is the distance
  from the centre to the mouse's world point, written into the spin box); pressing inside near the
  centre and dragging moves it; on release the lesion is segmented again with the new sphere
  (its seed stays the clicked point while it lies inside the sphere, else the sphere's centre);
* outlines a region that leaked (``SegmentationLeak.region``, kept as ``panel.last_leak``) in a
  warning colour in every view, with the panel's message saying what happened.
"""

from __future__ import annotations

import numpy as np

from workstation.analysis.lesions.segmentation import Constraint
from workstation.render.constraint_overlay import CIRCLE_RGB, ConstraintCircle, circle_pixels
from workstation.render.overlays import VoiOutlines

GRAB_PX = 8.0  # how close to the rim (screen pixels) a press grabs it for resizing
MIN_RADIUS_MM = 5.0


class _LeakRegion:
    """The leaked region as an outlined region (``core.protocols.OutlinedRegion``)."""

    id, kind = -1, "leak"

    def __init__(self, mask: np.ndarray):
        idx = np.argwhere(mask)
        lo, hi = idx.min(axis=0), idx.max(axis=0) + 1
        self.lo = tuple(int(v) for v in lo)
        self.crop = np.ascontiguousarray(mask[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]])


class LeakSource:
    """``render.overlays`` source that yields the leaked region of the newest click, if any."""

    def __init__(self, geometry):
        self.geometry = geometry
        self.region: _LeakRegion | None = None

    def set(self, mask) -> None:
        self.region = _LeakRegion(np.asarray(mask, bool)) if mask is not None and np.any(mask) else None

    def outline_items(self):
        return [] if self.region is None else [(self.region, False)]


class ConstraintTool:
    def __init__(self, panel):
        self.panel = panel
        self.centre_pet: np.ndarray | None = None  # sphere centre, PET-frame world mm
        self.seed_pet: np.ndarray | None = None  # the clicked point the lesion is grown from
        self.target_id: int | None = None  # the VOI the sphere belongs to (None: the last click leaked)
        self.leak = LeakSource(None)
        self.hooks: dict[int, tuple] = {}  # id(view) -> (circle hook, leak hook)
        self._drag = None  # ("resize" | "move", view)
        panel.constraint.valueChanged.connect(lambda _v: self.panel._redraw_views())

    # ------------------------------------------------------------ state
    @property
    def radius(self) -> float:
        return float(self.panel.constraint.value())

    @property
    def visible(self) -> bool:
        return self.centre_pet is not None and self.panel.tool == "segment" and self.panel.model is not None

    def reset(self) -> None:
        self.centre_pet = self.seed_pet = self.target_id = None
        self.leak.set(None)
        self._drag = None

    def constraint(self, seed_pet) -> Constraint:
        """The sphere a new segmentation from ``seed_pet`` grows in: around the seed for a fresh click,
        the edited sphere for a re-segmentation after a drag."""
        centre = self.centre_pet if self.centre_pet is not None else np.asarray(seed_pet, float)
        return Constraint(tuple(float(v) for v in centre), self.radius)

    def centre_display(self):
        return None if self.centre_pet is None else self.panel.to_display(self.centre_pet)

    def _circle(self):
        if not self.visible:
            return None
        return self.centre_display(), self.radius, CIRCLE_RGB

    # ------------------------------------------------------------ views
    def attach(self, view) -> None:
        if id(view) in self.hooks:
            return
        circle = ConstraintCircle(view.cell, self._circle)
        leak = VoiOutlines(view.cell, self.leak, line_width=3.0, colour_of=lambda _r: self.leak_rgb())
        leak.actor.SetPosition(0.0, 0.0, 0.04)  # over the circle: a leak that reached the sphere shows on it
        view.cell.overlays.extend([circle, leak])
        self.hooks[id(view)] = (circle, leak)

    def leak_rgb(self) -> tuple[float, float, float]:
        """The leak's outline colour: one that no structure, lesion, reference region or the circle uses."""
        from workstation.ui.quant.voi_style import LESION_COLOURS, REFERENCE_COLOURS, leak_colour, voi_colour

        used = [CIRCLE_RGB, *LESION_COLOURS, *REFERENCE_COLOURS.values()]
        model = getattr(self.panel, "model", None)
        if model is not None:
            used += [voi_colour(v) for v in model.vois.values()]
        return leak_colour(used)

    def set_geometry(self, geometry) -> None:
        self.leak.geometry = geometry
        self.reset()

    # ------------------------------------------------------------ segmentation results
    def started(self, seed_pet, target_id, centre_pet) -> None:
        self.seed_pet = np.asarray(seed_pet, float)
        self.centre_pet = np.asarray(centre_pet, float)
        self.target_id = target_id

    def finished(self, voi_id, leak) -> None:
        """A segmentation ended: the VOI it made or updated (``None`` when it leaked), the leak if any."""
        if voi_id is not None:
            self.target_id = voi_id
        self.leak.set(None if leak is None else leak.region)

    # ------------------------------------------------------------ mouse (called by the panel's event filter)
    def _screen_circle(self, view):
        """(centre (x, y), radius) of the drawn circle in the view's screen pixels, or None."""
        if not self.visible or view.kind == "mip":
            return None
        px = circle_pixels(view.session, view.plane, self.centre_display(), self.radius)
        if px is None:
            return None
        view.cell.set_size(view.width(), view.height())
        pts = np.array([view.cell.view.pixel_to_display(c, r) for c, r in px[:-1]])
        centre = pts.mean(axis=0)
        return centre, float(np.mean(np.linalg.norm(pts - centre, axis=1)))

    def press(self, view, x: float, y: float) -> bool:
        """A left press with the Segment tool: True when it grabbed the sphere (rim: resize, centre: move)."""
        got = self._screen_circle(view)
        if got is None:
            return False
        centre, r = got
        d = float(np.hypot(x - centre[0], y - centre[1]))
        if abs(d - r) <= GRAB_PX:
            self._drag = ("resize", view)
        elif d <= max(GRAB_PX, 0.35 * r):
            self._drag = ("move", view, np.array([x, y], float), self.centre_pet.copy())
        else:
            return False
        return True

    def _world(self, view, x, y):
        col, row = view.cell.display_to_image(x, y)
        return self.panel.to_pet(view.session.pixel_to_world(view.plane, col, row))

    def move(self, view, x: float, y: float) -> bool:
        if self._drag is None:
            return False
        if self._drag[0] == "resize":
            r = float(np.linalg.norm(self._world(view, x, y) - self.centre_pet))
            self.panel.constraint.setValue(max(MIN_RADIUS_MM, r))  # the spin box redraws the views
        else:
            _mode, v, start_xy, start_centre = self._drag
            a = self._world(v, *start_xy)
            b = self._world(v, x, y)
            self.centre_pet = start_centre + (b - a)
            self.panel._redraw_views()
        return True

    def release(self, view, x: float, y: float) -> bool:
        if self._drag is None:
            return False
        self.move(view, x, y)
        self._drag = None
        self.resegment()
        return True

    @property
    def dragging(self) -> bool:
        return self._drag is not None

    def resegment(self):
        """Segment the sphere's lesion again inside the edited sphere (a VOI that still exists is updated)."""
        if self.seed_pet is None or self.centre_pet is None:
            return None
        seed = self.seed_pet
        if np.linalg.norm(seed - self.centre_pet) > self.radius:
            seed = self.centre_pet  # the click is no longer inside the sphere: grow from its centre
        model = self.panel.model
        target = self.target_id if model is not None and self.target_id in model.vois else None
        v = model.vois.get(target) if target is not None else None
        method = v.method if v is not None and v.kind == "lesion" else None
        return self.panel.segment_pet(seed, method, target_id=target, centre_pet=self.centre_pet)
