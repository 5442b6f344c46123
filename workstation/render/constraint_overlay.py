"""The constraint sphere of a seeded segmentation drawn over a slice view: the circle where it cuts the plane.

Concept
-------
A seeded segmentation grows only inside a sphere (``analysis.segmentation.Constraint``). The reader
must see it and be able to resize or move it, so every slice view draws the sphere's cut by the
displayed plane. The geometry is plain NumPy and written once here:

* :func:`sphere_cut` — the sphere (centre in display world mm, radius mm) against the plane of the
  displayed slice (the slice centre's coordinate along the plane's normal): the in-plane circle
  (centre, radius) or ``None`` when the plane misses the sphere.
* :func:`circle_pixels` — that circle as a closed polygon in the slice image's pixel coordinates
  (through the session's ``world_to_pixel``, so flips of the radiological display are the
  session's, never re-derived here).

:class:`ConstraintCircle` is the drawing hook of one ``scene.CellRenderer`` (``cell.overlays``,
like ``overlays.VoiOutlines``): on each render it asks ``source()`` for ``(centre_display_world,
radius_mm, rgb)`` or ``None`` and draws one closed VTK polyline. The MIP cell draws nothing.
"""

from __future__ import annotations

import numpy as np

from workstation.core.display import PLANE_SPECS
from workstation.core.protocols import ReadingState

CIRCLE_Z = 0.47  # above the image and the VOI outlines (0.45), below the crosshair (0.5)
CIRCLE_RGB = (1.0, 0.85, 0.0)  # amber: the limit a region may grow to
CIRCLE_POINTS = 96


def slice_normal_mm(s: ReadingState, plane: str) -> float:
    """World coordinate (mm) along the plane's normal of the displayed slice's centre."""
    spec = PLANE_SPECS[plane]
    g = s.display_geometry
    ijk = np.asarray(g.world_to_ijk(np.asarray(s.crosshair, float)), float)
    ijk[spec.normal] = float(s.plane_index(plane))
    return float(g.ijk_to_world(ijk)[spec.normal])


def sphere_cut(centre, radius_mm: float, normal_axis: int, plane_mm: float):
    """(in-plane centre (3,), circle radius) where the plane ``x[normal_axis] = plane_mm`` cuts the
    sphere, or ``None`` when it misses it (a tangent plane gives a circle of radius 0)."""
    c = np.asarray(centre, float)
    d = float(plane_mm) - c[normal_axis]
    r2 = float(radius_mm) ** 2 - d * d
    if r2 < 0:
        return None
    p = c.copy()
    p[normal_axis] = plane_mm
    return p, float(np.sqrt(r2))


def circle_pixels(s: ReadingState, plane: str, centre, radius_mm: float, n: int = CIRCLE_POINTS):
    """(n, 2) (col, row) pixel coordinates of the sphere's cut by the displayed slice of ``plane``
    (closed: the last point repeats the first), or ``None`` when the slice misses the sphere."""
    spec = PLANE_SPECS[plane]
    cut = sphere_cut(centre, radius_mm, spec.normal, slice_normal_mm(s, plane))
    if cut is None:
        return None
    p, rc = cut
    t = np.linspace(0.0, 2.0 * np.pi, n + 1)
    pts = np.repeat(p[None, :], n + 1, axis=0)
    pts[:, spec.u] += rc * np.cos(t)
    pts[:, spec.v] += rc * np.sin(t)
    return np.array([s.world_to_pixel(plane, q) for q in pts], float)


class ConstraintCircle:
    """Drawing hook of one cell: the constraint sphere's cut by the cell's plane (nothing on the MIP)."""

    def __init__(self, cell, source, line_width: float = 2.0):
        from vtkmodules.vtkCommonDataModel import vtkPolyData
        from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

        self.cell, self.source = cell, source
        self.poly = vtkPolyData()
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(self.poly)
        self.actor = vtkActor()
        self.actor.SetMapper(mapper)
        prop = self.actor.GetProperty()
        prop.SetLineWidth(line_width)
        prop.LightingOff()
        prop.SetColor(*CIRCLE_RGB)
        self.actor.VisibilityOff()
        self.actor.PickableOff()
        cell.view.renderer.AddActor(self.actor)
        self.last_pixels = None  # (n, 2) (col, row) of the last drawn circle, None when none was drawn

    def detach(self) -> None:
        self.cell.view.renderer.RemoveActor(self.actor)

    def hide(self) -> None:
        self.actor.VisibilityOff()
        self.last_pixels = None

    def update(self, cell, s: ReadingState) -> None:
        got = self.source() if self.source is not None else None
        if cell.kind == "mip" or got is None or s is None:
            self.hide()
            return
        centre, radius, rgb = got
        px = circle_pixels(s, cell.plane, centre, radius)
        if px is None:
            self.hide()
            return
        from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray

        view = cell.view
        sx, sy = view.spacing
        xyz = np.column_stack([px[:, 0] * sx, (view.rows - 1 - px[:, 1]) * sy, np.full(len(px), CIRCLE_Z)])
        points = vtkPoints()
        points.SetData(numpy_to_vtk(np.ascontiguousarray(xyz, np.float64), deep=True))
        lines = vtkCellArray()
        lines.SetData(numpy_to_vtkIdTypeArray(np.array([0, len(px)], np.int64), deep=True),
                      numpy_to_vtkIdTypeArray(np.arange(len(px), dtype=np.int64), deep=True))
        self.poly.SetPoints(points)
        self.poly.SetLines(lines)
        self.poly.Modified()
        self.actor.GetProperty().SetColor(*rgb)
        self.actor.VisibilityOn()
        self.last_pixels = px
