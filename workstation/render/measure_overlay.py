"""Measurement lines drawn over a slice view: distances and line-profile segments with their labels.

Concept
-------
A measurement is a segment between two world points (display frame, LPS mm) drawn in one plane
(``analysis.reading.measure``). :class:`MeasureLines` is the drawing hook of one ``scene.CellRenderer``
(``cell.overlays``, like ``overlays.VoiOutlines``): on each render it asks its source for the
segments and draws those of the cell's plane that lie on the slice shown (within half a voxel
along the plane's normal), in every view of that plane (CT, PET and fused show the same line).
The source is duck-typed: ``source.items()`` → objects with ``plane``, ``start``, ``end`` (world
mm), ``text`` (the label, e.g. "23.4 mm") and ``rgb``. VTK objects stay in this module.
"""

from __future__ import annotations

import numpy as np

from workstation.core.display import PLANE_SPECS
from workstation.core.protocols import ReadingState

LINE_Z = 0.48  # above the VOI outlines (0.45), below the crosshair (0.5)


def on_slice(s: ReadingState, plane: str, start, end) -> bool:
    """Both ends on the slice of ``plane`` the session shows (half a voxel along the normal)."""
    n = PLANE_SPECS[plane].normal
    half = 0.5 * float(s.display_geometry.spacing[n])
    c = float(np.asarray(s.crosshair, float)[n])
    return abs(float(start[n]) - c) <= half and abs(float(end[n]) - c) <= half


class MeasureLines:
    """Drawing hook of one cell: the measurement segments of ``source`` on the cell's current slice."""

    def __init__(self, cell, source, line_width: float = 2.0):
        from vtkmodules.vtkCommonDataModel import vtkPolyData
        from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

        self.cell, self.source = cell, source
        self.poly = vtkPolyData()
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(self.poly)
        mapper.SetScalarModeToUseCellData()
        mapper.SetColorModeToDirectScalars()
        self.actor = vtkActor()
        self.actor.SetMapper(mapper)
        prop = self.actor.GetProperty()
        prop.SetLineWidth(line_width)
        prop.LightingOff()
        self.actor.VisibilityOff()
        self.actor.PickableOff()
        cell.view.renderer.AddActor(self.actor)
        self.labels: list = []  # vtkTextActors, reused
        self.shown: list = []  # the items drawn at the last render (tests, hit checks)

    def detach(self) -> None:
        self.cell.view.renderer.RemoveActor(self.actor)
        for t in self.labels:
            self.cell.view.renderer.RemoveViewProp(t)

    def hide(self) -> None:
        self.actor.VisibilityOff()
        for t in self.labels:
            t.VisibilityOff()
        self.shown = []

    def _label(self, i: int):
        from vtkmodules.vtkRenderingCore import vtkTextActor

        while len(self.labels) <= i:
            t = vtkTextActor()
            p = t.GetTextProperty()
            p.SetFontSize(13)
            p.SetBold(True)
            p.ShadowOn()
            p.SetBackgroundColor(0.0, 0.0, 0.0)
            p.SetBackgroundOpacity(0.55)
            self.cell.view.renderer.AddViewProp(t)
            self.labels.append(t)
        return self.labels[i]

    def update(self, cell, s: ReadingState) -> None:
        self.hide()
        if cell.kind == "mip" or self.source is None:
            return
        items = [it for it in self.source.items() if it.plane == cell.plane and on_slice(s, it.plane, it.start, it.end)]
        if not items:
            return
        from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray

        view = cell.view
        sx, sy = view.spacing
        pts, colours = [], []
        for i, it in enumerate(items):
            (c0, r0), (c1, r1) = s.world_to_pixel(cell.plane, it.start), s.world_to_pixel(cell.plane, it.end)
            pts += [(c0 * sx, (view.rows - 1 - r0) * sy, LINE_Z), (c1 * sx, (view.rows - 1 - r1) * sy, LINE_Z)]
            colours.append(np.rint(np.clip(np.asarray(it.rgb, float), 0, 1) * 255).astype(np.uint8))
            if it.text:
                x, y = view.pixel_to_display(c1, r1)
                t = self._label(i)
                t.SetInput(it.text)
                t.GetTextProperty().SetColor(*it.rgb)
                t.SetDisplayPosition(int(round(x + 6)), int(round(view.height - y + 6)))
                t.VisibilityOn()
        n = len(items)
        points = vtkPoints()
        points.SetData(numpy_to_vtk(np.ascontiguousarray(pts, np.float64), deep=True))
        lines = vtkCellArray()
        lines.SetData(numpy_to_vtkIdTypeArray(np.arange(0, 2 * n + 1, 2, dtype=np.int64), deep=True),
                      numpy_to_vtkIdTypeArray(np.arange(2 * n, dtype=np.int64), deep=True))
        scal = numpy_to_vtk(np.ascontiguousarray(np.array(colours)), deep=True)
        scal.SetName("rgb")
        self.poly.SetPoints(points)
        self.poly.SetLines(lines)
        self.poly.GetCellData().SetScalars(scal)
        self.poly.Modified()
        self.actor.VisibilityOn()
        self.shown = items
