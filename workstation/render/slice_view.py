"""One 2-D view drawn with VTK off screen: an RGB image plus the overlays a reader expects.

Concept
-------
A ``SliceView`` shows a pre-coloured image (``render.colormaps`` made it from the session)
in a parallel-projection camera, with orientation letters on the four sides, a crosshair,
a scale bar, text in the corners and an optional colour bar. It renders into an off-screen
window and returns the pixels as a NumPy array, so no VTK object leaves ``render`` and the
same code serves the Qt widgets, the headless screenshot and the tests.

Screen mapping (written once here): the image pixel (col, row) has its centre at image-plane
millimetres ``X = col*sx``, ``Y = (rows-1-row)*sy``; the camera shows ``2*scale`` mm vertically
around the focal point ``(fx, fy)``, with ``scale`` chosen to fit the whole image at zoom 1.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import vtkmodules.vtkInteractionStyle  # noqa: F401  (registers factories)
import vtkmodules.vtkRenderingFreeType  # noqa: F401
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
from vtkmodules.vtkCommonCore import vtkPoints, vtkUnsignedCharArray
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkCommonCore import vtkLookupTable
from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkImageActor,
    vtkPolyDataMapper,
    vtkRenderer,
    vtkRenderWindow,
    vtkTextActor,
    vtkTextRenderer,
)

from workstation.render.fonts import use_font_for
from workstation.render.vtk_bridge import pixels_to_rgb, rgb_to_vtk_image

CROSSHAIR_RGB = (0.2, 0.9, 0.3)
OVERLAY_BOX_RGB = (0.0, 0.0, 0.0)  # behind overlay text, colour bar and scale bar
OVERLAY_BOX_OPACITY = 0.55
MIN_CLEAR_TILE_PX = (240, 200)  # narrower / lower tiles have no margin to give: their texts stay over the image
MIN_CLEAR_FRACTION = 0.6  # below this share of the full-tile size the identity text is hidden, not the image shrunk


#: corner texts keep this many pixels from the view's sides (their anchor is 4 px in, plus the text box)
CORNER_MARGIN_PX = 6
_TEXT_RENDERER = vtkTextRenderer()
#: what ends a corner line cut to the view's width (ASCII: the view font has no ellipsis glyph for every script)
ELLIPSIS = "..."


def _nice_length(mm: float) -> float:
    """Largest 1/2/5 x 10^n not above ``mm``."""
    if mm <= 0:
        return 0.0
    e = 10 ** math.floor(math.log10(mm))
    for m in (5, 2, 1):
        if m * e <= mm:
            return m * e
    return e


#: the camera sits 1000 mm above the image plane; the props (image at z = 0, outlines, lines, crosshair
#: at z <= 0.6) are drawn between 1000 -/+ this depth from it
CLIP_HALF_DEPTH_MM = 100.0

_shared = threading.local()


def _shared_window() -> vtkRenderWindow:
    """The off-screen render window that every ``SliceView`` of this thread draws into, one view at
    a time (``SliceView.render``). Each window has its own OpenGL context and compiles its own
    shaders; with software OpenGL that cost about 0.1-0.3 s per window, so ten views in ten windows
    spent most of a first screenshot compiling the same shaders ten times."""
    win = getattr(_shared, "window", None)
    if win is None:
        win = _shared.window = vtkRenderWindow()
        win.SetOffScreenRendering(1)
        win.SwapBuffersOff()  # the picture is read back from the buffer it was drawn into (as vtkWindowToImageFilter does)
        win.SetSize(8, 8)
    return win


class SliceView:
    def __init__(self, width: int = 256, height: int = 256):
        self.width, self.height = int(width), int(height)
        self.renderer = vtkRenderer()
        self.renderer.SetBackground(0.0, 0.0, 0.0)
        self._image = rgb_to_vtk_image(np.zeros((2, 2, 3), np.uint8))
        self.actor = vtkImageActor()
        self.actor.GetMapper().SetInputData(self._image)
        self.actor.InterpolateOff()
        # the picture is opaque even when it arrives as RGBA (alpha 255, the fast copy of vtk_bridge): drawn in
        # the opaque pass, exactly as an RGB picture
        self.actor.ForceOpaqueOn()
        self.renderer.AddActor(self.actor)
        self.rows, self.cols, self.spacing = 2, 2, (1.0, 1.0)
        self.zoom, self.pan = 1.0, (0.0, 0.0)
        self.keep_image_clear = True  # at zoom 1 the image fits between the texts and bars (render.overlays)
        self._fit_ppm: float | None = None
        self._pixels = vtkUnsignedCharArray()  # the read-back buffer, reused
        # crosshair
        self._cross_pts = vtkPoints()
        self._cross_pts.SetNumberOfPoints(4)
        for i in range(4):  # defined before the first crosshair is placed
            self._cross_pts.SetPoint(i, 0.0, 0.0, 0.5)
        lines = vtkCellArray()
        for a, b in ((0, 1), (2, 3)):
            lines.InsertNextCell(2)
            lines.InsertCellPoint(a)
            lines.InsertCellPoint(b)
        self._cross_poly = vtkPolyData()
        self._cross_poly.SetPoints(self._cross_pts)
        self._cross_poly.SetLines(lines)
        m = vtkPolyDataMapper()
        m.SetInputData(self._cross_poly)
        self.cross_actor = vtkActor()
        self.cross_actor.SetMapper(m)
        self.cross_actor.GetProperty().SetColor(*CROSSHAIR_RGB)
        self.cross_actor.GetProperty().SetOpacity(0.6)
        self.cross_actor.VisibilityOff()
        self.renderer.AddActor(self.cross_actor)
        # scale bar (image-plane line) + label
        self._bar_pts = vtkPoints()
        self._bar_pts.SetNumberOfPoints(2)
        for i in range(2):  # defined before the first camera update places the bar
            self._bar_pts.SetPoint(i, 0.0, 0.0, 0.6)
        bl = vtkCellArray()
        bl.InsertNextCell(2)
        bl.InsertCellPoint(0)
        bl.InsertCellPoint(1)
        self._bar_poly = vtkPolyData()
        self._bar_poly.SetPoints(self._bar_pts)
        self._bar_poly.SetLines(bl)
        bm = vtkPolyDataMapper()
        bm.SetInputData(self._bar_poly)
        # a dark outline under the light bar keeps it visible on white (inverted-grey) images too
        self.bar_outline = vtkActor()
        self.bar_outline.SetMapper(bm)
        self.bar_outline.GetProperty().SetColor(*OVERLAY_BOX_RGB)
        self.bar_outline.GetProperty().SetLineWidth(6)
        self.bar_outline.SetPosition(0.0, 0.0, -0.05)
        self.renderer.AddActor(self.bar_outline)
        self.bar_actor = vtkActor()
        self.bar_actor.SetMapper(bm)
        self.bar_actor.GetProperty().SetColor(1.0, 1.0, 0.6)
        self.bar_actor.GetProperty().SetLineWidth(2)
        self.renderer.AddActor(self.bar_actor)
        self.bar_text = self._text(12, (1.0, 1.0, 0.6))
        self.show_scale_bar = True
        # letters and corner texts
        self.letters = {side: self._text(15, (1.0, 0.85, 0.2), bold=True) for side in ("left", "right", "top", "bottom")}
        self.corner = {c: self._text(11, (0.9, 0.9, 0.9)) for c in ("top-left", "top-right", "bottom-left", "bottom-right")}
        self._corner_text: dict[str, str] = {}  # as given (before wrapping to the view's width)
        # colour bar
        self._lut = vtkLookupTable()
        self.colorbar = vtkScalarBarActor()
        self.colorbar.SetLookupTable(self._lut)
        self.colorbar.SetNumberOfLabels(3)
        self.colorbar.SetMaximumWidthInPixels(60)
        self.colorbar.SetBarRatio(0.25)
        self.colorbar.SetPosition(0.86, 0.58)
        self.colorbar.SetWidth(0.13)
        self.colorbar.SetHeight(0.34)
        self.colorbar.SetLabelFormat("%.3g")
        for prop in (self.colorbar.GetLabelTextProperty(), self.colorbar.GetTitleTextProperty()):
            prop.SetFontSize(10)
            prop.ShadowOn()
            prop.ItalicOff()
        self.colorbar.UnconstrainedFontSizeOn()
        self.colorbar.DrawBackgroundOn()  # a dark box behind bar and labels: readable on any image
        self.colorbar.GetBackgroundProperty().SetColor(*OVERLAY_BOX_RGB)
        self.colorbar.GetBackgroundProperty().SetOpacity(OVERLAY_BOX_OPACITY)
        self.colorbar.SetVerticalTitleSeparation(8)  # the title clear of the top label
        self.colorbar.GetTitleTextProperty().SetBackgroundColor(*OVERLAY_BOX_RGB)
        self.colorbar.GetTitleTextProperty().SetBackgroundOpacity(OVERLAY_BOX_OPACITY)
        self.colorbar.VisibilityOff()
        self.renderer.AddViewProp(self.colorbar)
        self._colorbar_key = None
        self._place_letters()

    # ------------------------------------------------------------ building blocks
    def _text(self, size, color, bold=False) -> vtkTextActor:
        t = vtkTextActor()
        p = t.GetTextProperty()
        p.SetFontSize(size)
        p.SetColor(*color)
        p.SetBold(bold)
        p.ShadowOn()
        p.SetBackgroundColor(*OVERLAY_BOX_RGB)  # a dark box behind the text: readable on white images too
        p.SetBackgroundOpacity(OVERLAY_BOX_OPACITY)
        self.renderer.AddViewProp(t)
        return t

    def _place_letters(self) -> None:
        w, h = self.width, self.height
        specs = {"left": (4, h / 2, 0, 1), "right": (w - 4, h / 2, 2, 1),
                 "top": (w / 2, h - 4, 1, 2), "bottom": (w / 2, 4, 1, 0)}
        for side, (x, y, hj, vj) in specs.items():
            t = self.letters[side]
            t.SetPosition(x, y)
            t.GetTextProperty().SetJustification(hj)
            t.GetTextProperty().SetVerticalJustification(vj)
        corners = {"top-left": (4, h - 4, 0, 2), "top-right": (w - 4, h - 4, 2, 2),
                   "bottom-left": (4, 4, 0, 0), "bottom-right": (w - 4, 22, 2, 0)}
        for c, (x, y, hj, vj) in corners.items():
            t = self.corner[c]
            t.SetPosition(x, y)
            t.GetTextProperty().SetJustification(hj)
            t.GetTextProperty().SetVerticalJustification(vj)

    # ------------------------------------------------------------ public API
    def set_size(self, width: int, height: int) -> None:
        width, height = max(8, int(width)), max(8, int(height))
        if (width, height) != (self.width, self.height):
            rewrap = width != self.width
            self.width, self.height = width, height
            self._place_letters()
            if rewrap:
                for corner, text in self._corner_text.items():
                    self.set_corner_text(corner, text)

    def set_image(self, rgb: np.ndarray, spacing=(1.0, 1.0)) -> None:
        """Show a top-down RGB uint8 image whose pixels are ``spacing`` (col, row) mm."""
        self.rows, self.cols = rgb.shape[:2]
        self.spacing = (float(spacing[0]), float(spacing[1]))
        rgb_to_vtk_image(rgb, self.spacing, self._image)
        self.actor.SetDisplayExtent(0, self.cols - 1, 0, self.rows - 1, 0, 0)

    def set_letters(self, letters: dict[str, str]) -> None:
        for side, t in self.letters.items():
            t.SetInput(letters.get(side, ""))

    def set_corner_text(self, corner: str, text: str) -> None:
        """Show ``text`` in a corner; a line wider than the view is cut to fit it (:meth:`fit_lines`), and
        shown again in full when the view widens."""
        self._corner_text[corner] = text
        actor = self.corner[corner]
        use_font_for(actor.GetTextProperty(), text)
        actor.SetInput(self.fit_lines(actor.GetTextProperty(), text))

    def text_width(self, prop, line: str) -> int:
        """Rendered width in pixels of one line of text with the text property ``prop`` (72 dpi, as drawn)."""
        bb = [0, 0, 0, 0]
        if not line or not _TEXT_RENDERER.GetBoundingBox(prop, line, bb, 72):
            return 0
        return int(bb[1] - bb[0] + 1)

    def fit_lines(self, prop, text: str) -> str:
        """``text`` with each line wider than the view less a margin (:data:`CORNER_MARGIN_PX` each side)
        cut to the longest start that fits followed by "..." (the line keeps its height, so the image's
        fit between the texts does not change; the full text is in the SUV trail and the message line)."""
        room = max(self.width - 2 * CORNER_MARGIN_PX, 20)
        out = []
        for line in text.split("\n"):
            if self.text_width(prop, line) <= room:
                out.append(line)
                continue
            lo, hi = 0, len(line)  # the longest prefix p with width(p + "...") <= room
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.text_width(prop, line[:mid].rstrip() + ELLIPSIS) <= room:
                    lo = mid
                else:
                    hi = mid - 1
            out.append(line[:lo].rstrip() + ELLIPSIS)
        return "\n".join(out)

    def set_view(self, zoom: float = 1.0, pan_mm=(0.0, 0.0)) -> None:
        self.zoom, self.pan = float(zoom), (float(pan_mm[0]), float(pan_mm[1]))

    def set_crosshair(self, col: float | None, row: float | None) -> None:
        """Crosshair through image pixel (col, row); None hides it."""
        if col is None or row is None:
            self.cross_actor.VisibilityOff()
            return
        x, y = self.pixel_to_plane(col, row)
        sx, sy = self.spacing
        x0, x1 = -0.5 * sx, (self.cols - 0.5) * sx
        y0, y1 = -0.5 * sy, (self.rows - 0.5) * sy
        for i, p in enumerate(((x0, y, 0.5), (x1, y, 0.5), (x, y0, 0.5), (x, y1, 0.5))):
            self._cross_pts.SetPoint(i, *p)
        self._cross_pts.Modified()
        self._cross_poly.Modified()
        self.cross_actor.VisibilityOn()

    def set_colorbar(self, table: np.ndarray | None, lower: float = 0.0, upper: float = 1.0, title: str = "") -> None:
        """Colour bar from a (256, 3) uint8 table spanning [lower, upper]; None hides it."""
        if table is None:
            self.colorbar.VisibilityOff()
            return
        key = (table.tobytes(), float(lower), float(upper), title)
        if key == self._colorbar_key:
            self.colorbar.VisibilityOn()
            return
        self._colorbar_key = key
        self._lut.SetNumberOfTableValues(len(table))
        for i, c in enumerate(table):
            self._lut.SetTableValue(i, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, 1.0)
        self._lut.SetRange(float(lower), float(upper))
        self._lut.Build()
        self.colorbar.SetTitle(title)
        # plain numbers (2310, not 2.31e+03) for activity concentrations; 3 significant digits below 100
        span = max(abs(float(lower)), abs(float(upper)))
        self.colorbar.SetLabelFormat("%.0f" if span >= 100 else "%.3g")
        self.colorbar.VisibilityOn()

    # ------------------------------------------------------------ mapping
    def _camera_params(self):
        sx, sy = self.spacing
        w_mm, h_mm = self.cols * sx, self.rows * sy
        aspect = self.width / self.height
        scale = max(h_mm / 2.0, w_mm / (2.0 * aspect))
        if self._fit_ppm:  # smaller, so that no text or bar covers the image (set at each render)
            scale = max(scale, self.height / (2.0 * self._fit_ppm))
        scale /= self.zoom
        fx = (self.cols - 1) * sx / 2.0 + self.pan[0]
        fy = (self.rows - 1) * sy / 2.0 + self.pan[1]
        return fx, fy, scale

    def mm_per_pixel(self) -> float:
        return 2.0 * self._camera_params()[2] / self.height

    def pixel_to_plane(self, col: float, row: float) -> tuple[float, float]:
        return col * self.spacing[0], (self.rows - 1 - row) * self.spacing[1]

    def pixel_to_display(self, col: float, row: float) -> tuple[float, float]:
        """Image pixel -> screen pixel (x from the left, y from the top)."""
        fx, fy, scale = self._camera_params()
        x, y = self.pixel_to_plane(col, row)
        ppm = self.height / (2.0 * scale)
        return self.width / 2.0 + (x - fx) * ppm, self.height / 2.0 - (y - fy) * ppm

    def display_to_pixel(self, x: float, y: float) -> tuple[float, float]:
        fx, fy, scale = self._camera_params()
        ppm = self.height / (2.0 * scale)
        px = fx + (x - self.width / 2.0) / ppm
        py = fy - (y - self.height / 2.0) / ppm
        return px / self.spacing[0], (self.rows - 1) - py / self.spacing[1]

    # ------------------------------------------------------------ draw
    def _update_camera(self) -> None:
        from workstation.render.overlays import fit_scale_avoiding, overlay_boxes

        sx, sy = self.spacing
        self._fit_ppm = None
        identity = self.corner["top-left"]
        identity.VisibilityOn()
        if self.keep_image_clear and self.width >= MIN_CLEAR_TILE_PX[0] and self.height >= MIN_CLEAR_TILE_PX[1]:
            # the image stays centred (pan and zoom keep their meaning), only smaller
            size = (self.width, self.height, self.cols * sx, self.rows * sy)
            ppm = fit_scale_avoiding(overlay_boxes(self), *size)
            if ppm < MIN_CLEAR_FRACTION * min(size[0] / size[2], size[1] / size[3]) and identity.GetInput():
                identity.VisibilityOff()  # a tile too small for the patient/study block: that text steps aside
                ppm = fit_scale_avoiding(overlay_boxes(self), *size)
            self._fit_ppm = max(ppm, 0.05 * min(size[0] / size[2], size[1] / size[3]))
        fx, fy, scale = self._camera_params()
        cam = self.renderer.GetActiveCamera()
        cam.ParallelProjectionOn()
        cam.SetFocalPoint(fx, fy, 0.0)
        cam.SetPosition(fx, fy, 1000.0)
        cam.SetViewUp(0.0, 1.0, 0.0)
        cam.SetParallelScale(scale)
        # every prop of a view lies within a millimetre of the image plane (z = 0): a fixed range, not one
        # computed from the props' bounds (computed before the scale bar's points were set, a new view's
        # uninitialised points made that range clip the image, crosshair and bar away now and then)
        cam.SetClippingRange(1000.0 - CLIP_HALF_DEPTH_MM, 1000.0 + CLIP_HALF_DEPTH_MM)
        # scale bar: about a quarter of the visible width, bottom right
        mmpp = 2.0 * scale / self.height
        length = _nice_length(0.25 * self.width * mmpp)
        if self.show_scale_bar and length > 0:
            x1 = fx + (self.width / 2.0 - 12) * mmpp
            y = fy - (self.height / 2.0 - 14) * mmpp
            self._bar_pts.SetPoint(0, x1 - length, y, 0.6)
            self._bar_pts.SetPoint(1, x1, y, 0.6)
            self._bar_pts.Modified()
            self._bar_poly.Modified()
            self.bar_text.SetInput(f"{length:g} mm")
            self.bar_text.SetPosition(self.width - 12 - 0.5 * length / mmpp, 18)
            self.bar_text.GetTextProperty().SetJustification(1)
            self.bar_actor.VisibilityOn()
            self.bar_outline.VisibilityOn()
            self.bar_text.VisibilityOn()
        else:
            self.bar_actor.VisibilityOff()
            self.bar_outline.VisibilityOff()
            self.bar_text.VisibilityOff()

    def render(self) -> np.ndarray:
        """Draw and return the view as a top-down (height, width, 3) uint8 array."""
        window = _shared_window()
        renderers = window.GetRenderers()
        if renderers.GetNumberOfItems() != 1 or renderers.GetFirstRenderer() is not self.renderer:
            for r in [renderers.GetItemAsObject(i) for i in range(renderers.GetNumberOfItems())]:
                window.RemoveRenderer(r)
            window.AddRenderer(self.renderer)
        # A view a little smaller than the window is drawn in its lower-left corner (the renderer's
        # viewport) and exactly that rectangle is read back: the views of a grid differ by a pixel or
        # two, and resizing the window for each (new frame buffers) cost more than drawing the view. A
        # much smaller view resizes it (every frame of a large window costs more to draw).
        ww, wh = window.GetSize()
        if self.width > ww or self.height > wh or self.width * self.height < 0.8 * ww * wh:
            ww, wh = (self.width, self.height) if self.width * self.height < 0.8 * ww * wh else \
                (max(ww, self.width), max(wh, self.height))
            window.SetSize(ww, wh)
        self.renderer.SetViewport(0.0, 0.0, self.width / ww, self.height / wh)
        self._update_camera()
        window.Render()
        pixels = self._pixels
        window.GetPixelData(0, 0, self.width - 1, self.height - 1, 0, pixels, 0)  # the back buffer just drawn
        return pixels_to_rgb(pixels, self.width, self.height)
