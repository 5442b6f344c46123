"""Draw a reading session: one ``CellRenderer`` per view of a layout, and whole layouts.

Concept
-------
A cell is a (kind, plane) pair from ``analysis.fusion.LAYOUTS``: CT, PET or fused in an axial,
coronal or sagittal plane, or the PET MIP. ``CellRenderer`` turns the session's state into the
cell's colours (``render.colormaps``), hands them to a ``SliceView`` and maps screen pixels back
to world positions, so mouse handling in the UI never needs to know about VTK.
``render_layout`` draws every cell of a layout into one picture (used by the headless
screenshot); ``save_png`` writes such a picture.
"""

from __future__ import annotations

import numpy as np

from workstation.core.texts import tr
from workstation.core.display import LAYOUTS, PLANE_SPECS, Cell
from workstation.core.protocols import ReadingState

from workstation.render import colormaps as cm
from workstation.render.slice_view import SliceView

MIP_COLORMAP = "inverted grey"
TITLES = {"ct": "CT", "pet": "PET", "fused": "Fused"}


class CellRenderer:
    def __init__(self, kind: str, plane: str = "axial", width: int = 256, height: int = 256):
        self.kind, self.plane = kind, plane
        self.view = SliceView(width, height)
        self.overlays: list = []  # drawing hooks with update(cell, session) and hide(), e.g. overlays.VoiOutlines
        #: draw the crosshair into the picture; a widget that paints it itself turns this off, so that a
        #: crosshair move that leaves this view's slice unchanged needs no new picture
        self.draw_crosshair = True
        self.renders = 0  # pictures drawn so far (tests count them)
        self.has_image = False  # the last picture showed data (not "no data")

    @property
    def key(self) -> str:
        return "mip" if self.kind == "mip" else f"{self.kind}-{self.plane}"

    def title(self, s: ReadingState) -> str:
        """English title of the cell: the anatomical modality ("CT" or "MR") for anatomy views, "SPECT" for
        the functional views of a SPECT stored as NM."""
        if self.kind == "ct":
            return s.anat_label
        if self.kind == "pet":
            return s.functional_label
        return TITLES.get(self.kind, "MIP")

    def set_size(self, width: int, height: int) -> None:
        self.view.set_size(width, height)

    # ------------------------------------------------------------ colours
    def image(self, s: ReadingState) -> tuple[np.ndarray, tuple[float, float]] | None:
        """The cell's RGB image (top-down) and pixel spacing, or None when it has no data."""
        if self.kind == "mip":
            if s.pet is None:
                return None
            mip, spacing = s.mip_frame()
            return cm.colorize(cm.window_unit(mip, *s.pet_window), MIP_COLORMAP), spacing
        spacing = s.plane_pixel_spacing(self.plane)
        ct = s.slice_image("ct", self.plane) if self.kind in ("ct", "fused") else None
        pet = s.slice_image("pet", self.plane) if self.kind in ("pet", "fused") else None
        if self.kind == "ct":
            if ct is None:
                return None
            return cm.colorize(cm.ct_unit(ct, *s.ct_window), "grey"), spacing
        if pet is None:
            if ct is None:
                return None
            return cm.colorize(cm.ct_unit(ct, *s.ct_window), "grey"), spacing
        pu = cm.window_unit(pet, *s.pet_window)
        if self.kind == "pet" or ct is None:
            return cm.colorize(pu, s.colormap), spacing
        # = cm.fuse(grey CT, coloured PET, pu, opacity), in one table lookup per pixel
        return cm.fuse_units(cm.ct_unit(ct, *s.ct_window), pu, "grey", s.colormap, s.opacity), spacing

    # ------------------------------------------------------------ draw
    def shown_slice(self, s: ReadingState) -> int:
        """Which picture of its series the cell shows: the slice index of its plane (MIP: the frame)."""
        return s.mip_angle_index if self.kind == "mip" else s.plane_index(self.plane)

    def render(self, s: ReadingState) -> np.ndarray:
        v = self.view
        self.renders += 1
        got = self.image(s)
        self.has_image = got is not None
        if got is None:
            v.set_image(np.zeros((2, 2, 3), np.uint8))
            v.set_letters({})
            v.set_crosshair(None, None)
            v.set_colorbar(None)
            v.set_corner_text("top-right", f"{tr('render', self.title(s))}: {tr('render', 'no data')}")
            for ov in self.overlays:
                ov.hide()
            return v.render()
        rgb, spacing = got
        v.set_image(rgb, spacing)
        v.set_view(s.zoom[self.key], s.pan[self.key])
        if self.kind == "mip":
            v.set_letters({"left": "R", "right": "L", "top": "S", "bottom": "I"} if s.mip_angle_index == 0 else
                          {"top": "S", "bottom": "I"})
            col, row = s.world_to_mip_pixel(s.crosshair)
            v.set_crosshair(col, row) if self.draw_crosshair else v.set_crosshair(None, None)
            v.set_corner_text("top-right", f"MIP {s.mip_angle():.0f}°")
            v.set_corner_text("bottom-left", "")
        else:
            v.set_letters(PLANE_SPECS[self.plane].letters())
            col, row = s.world_to_pixel(self.plane, s.crosshair)
            v.set_crosshair(col, row) if self.draw_crosshair else v.set_crosshair(None, None)
            n = s.n_slices(self.plane)
            v.set_corner_text("top-right", f"{tr('render', self.title(s))} {tr('render', self.plane)}")
            text = f"{tr('render', self.plane[:3])} {s.plane_index(self.plane) + 1}/{n}"
            if self.kind == "ct" and s.anatomical is not None:
                text += "   W {:.0f} L {:.0f}".format(*s.ct_window)
            v.set_corner_text("bottom-left", text)
        show_identity = self.kind == "mip" or (self.kind == "fused" and self.plane == "axial") or (
            s.pet is None and self.kind == "ct" and self.plane == "axial")
        v.set_corner_text("top-left", "\n".join(s.overlay_lines()) if show_identity else "")
        if self.kind in ("pet", "fused", "mip") and s.pet is not None:
            table = cm.cached_lut(MIP_COLORMAP if self.kind == "mip" else s.colormap)
            v.set_colorbar(table, *s.pet_window, title=s.pet_units)
        else:
            v.set_colorbar(None)
        for ov in self.overlays:
            ov.update(self, s)
        return v.render()

    # ------------------------------------------------------------ mapping & interaction
    def world_to_display(self, s: ReadingState, xyz) -> tuple[float, float]:
        """World point -> screen pixel (x from the left, y from the top) of the last render."""
        if self.kind == "mip":
            col, row = s.world_to_mip_pixel(xyz)
        else:
            col, row = s.world_to_pixel(self.plane, xyz)
        return self.view.pixel_to_display(col, row)

    def crosshair_lines(self, s: ReadingState) -> tuple[tuple[float, float, float, float], ...]:
        """The crosshair as two screen segments (x0, y0, x1, y1) across the image of the last render
        (screen pixels, y from the top), for a widget that paints it itself; empty without data."""
        if not self.has_image:
            return ()
        v = self.view
        x, y = self.world_to_display(s, s.crosshair)
        left, top = v.pixel_to_display(-0.5, -0.5)
        right, bottom = v.pixel_to_display(v.cols - 0.5, v.rows - 0.5)
        return ((left, y, right, y), (x, top, x, bottom))

    def display_to_image(self, x: float, y: float) -> tuple[float, float]:
        return self.view.display_to_pixel(x, y)

    def click(self, s: ReadingState, x: float, y: float) -> None:
        """Left click: move the crosshair there (MIP: to the hottest voxel along the ray)."""
        col, row = self.view.display_to_pixel(x, y)
        if self.kind == "mip":
            s.jump_from_mip(col, row)
        else:
            s.set_crosshair(s.pixel_to_world(self.plane, col, row))

    def center_on(self, s: ReadingState, xyz) -> None:
        """Pan this view so that a world point is at its centre (zoom unchanged)."""
        if self.kind == "mip":
            col, row = s.world_to_mip_pixel(xyz)
        else:
            col, row = s.world_to_pixel(self.plane, xyz)
        got = self.image(s)
        if got is None:
            return
        rgb, (sx, sy) = got
        rows, cols = rgb.shape[:2]
        s.set_pan(self.key, (col * sx - (cols - 1) * sx / 2.0, (rows - 1 - row) * sy - (rows - 1) * sy / 2.0))

    def pan_by(self, s: ReadingState, dx_px: float, dy_px: float) -> None:
        mmpp = self.view.mm_per_pixel()
        px, py = s.pan[self.key]
        s.set_pan(self.key, (px - dx_px * mmpp, py + dy_px * mmpp))

    def zoom_by(self, s: ReadingState, factor: float) -> None:
        s.set_zoom(self.key, s.zoom[self.key] * factor)

    def window_by(self, s: ReadingState, dx_px: float, dy_px: float) -> None:
        """Mouse window/level: right/left changes width (contrast), up/down the level."""
        if self.kind == "ct" or s.pet is None:
            w, lv = s.ct_window
            s.set_ct_window(w * (1.0 + dx_px / 200.0), lv - dy_px * w / 400.0)
        else:
            lo, hi = s.pet_window
            span = hi - lo
            s.set_pet_window(lo, max(lo + 0.05, hi * (1.0 + dx_px / 200.0) - dy_px * span / 400.0))


def layout_rects(name: str, width: int, height: int, gap: int = 2) -> dict[str, tuple[int, int, int, int]]:
    """Screen rectangles (x, y, w, h) of each cell of a layout, keyed by cell key."""
    lay = LAYOUTS[name]
    cw = np.asarray(lay.col_weights or (1,) * lay.cols, float)
    xs = np.concatenate([[0], np.cumsum(cw / cw.sum() * width)]).round().astype(int)
    ys = np.round(np.linspace(0, height, lay.rows + 1)).astype(int)
    out = {}
    for c in lay.cells:
        x0, x1 = xs[c.col], xs[c.col + c.colspan]
        y0, y1 = ys[c.row], ys[c.row + c.rowspan]
        out[c.key] = (int(x0), int(y0), int(x1 - x0 - gap), int(y1 - y0 - gap))
    return out


def render_layout(s: ReadingState, name: str, width: int, height: int,
                  renderers: dict[str, CellRenderer] | None = None) -> tuple[np.ndarray, dict[str, CellRenderer]]:
    """Draw all cells of a layout into one (height, width, 3) picture; returns it and the renderers."""
    rects = layout_rects(name, width, height)
    renderers = {} if renderers is None else renderers
    out = np.full((height, width, 3), 40, np.uint8)
    for cell in LAYOUTS[name].cells:
        x, y, w, h = rects[cell.key]
        r = renderers.get(cell.key)
        if r is None:
            r = renderers[cell.key] = CellRenderer(cell.kind, cell.plane, w, h)
        r.set_size(w, h)
        out[y:y + h, x:x + w] = r.render(s)
    return out, renderers


def save_png(rgb: np.ndarray, path) -> None:
    """Write a top-down RGB uint8 picture as PNG."""
    from vtkmodules.vtkIOImage import vtkPNGWriter

    from workstation.render.vtk_bridge import rgb_to_vtk_image

    w = vtkPNGWriter()
    w.WriteToMemoryOn()  # VTK reports no write errors: the bytes are written here, where OSError is raised
    w.SetInputData(rgb_to_vtk_image(np.ascontiguousarray(rgb, np.uint8)))
    w.Write()
    from vtkmodules.util.numpy_support import vtk_to_numpy

    data = vtk_to_numpy(w.GetResult()).tobytes()
    if not data:
        raise OSError(f"{path}: the PNG encoder produced no data")
    from workstation.io.atomic_write import write_bytes_atomic

    write_bytes_atomic(path, data, overwrite=True)  # never a truncated PNG: a temporary file, then renamed


__all__ = ["CellRenderer", "Cell", "layout_rects", "render_layout", "save_png", "MIP_COLORMAP"]
