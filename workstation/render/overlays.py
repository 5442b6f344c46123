"""VOI outlines drawn over a view: the PET-grid mask cut by the displayed plane, traced along voxel edges.

Concept
-------
A VOI is a boolean mask on the PET grid (``analysis.lesions.voi``). A slice view shows a plane of the
display grid, so the outline is found in two steps, both plain NumPy:

1. :func:`plane_mask` samples the mask at the centres of the displayed pixels: display pixel
   (col, row) → display world point → PET-frame world point (through ``pet_from_anat``, the same
   transform the PET image is resampled with) → nearest PET voxel. The result is the set of
   pixels whose PET voxel belongs to the VOI, i.e. exactly what the statistics counted, drawn with
   the PET voxel's stair steps. For the MIP, :func:`mip_mask` projects the VOI's voxel centres
   along the MIP's rays (the footprint of the VOI in the projection).
2. :func:`outline_segments` returns the pixel edges between inside and outside pixels as line
   segments in image pixel coordinates (pixel centres at integers, edges at ±0.5).

:class:`VoiOutlines` is the drawing hook of one ``scene.CellRenderer`` (``cell.overlays``): on each
render it asks its source for the outline items and puts the segments into one VTK line actor
of that cell's view (VTK objects stay here). The source is duck-typed: ``source.geometry`` (the
PET grid) and ``source.outline_items()`` → ``(voi, selected)`` pairs, which
``analysis.voi.VoiModel`` provides (a VOI has ``id``, ``lo``, ``crop``, ``kind``); the colour of
each outline is ``colour_of(voi)``, chosen by the viewer (``ui.quant.voi_style``). The session is
duck-typed like in ``scene``.
"""

from __future__ import annotations

import numpy as np

from workstation.core.display import PLANE_SPECS
from workstation.core.protocols import OutlinedRegion, ReadingState, RegionSource

OUTLINE_Z = 0.45  # above the image (0), below the crosshair (0.5)
LABEL_FONT_PX = 13  # names of the study's structures beside their outlines
DEFAULT_RGB = (0.0, 1.0, 1.0)  # outline colour when the viewer gives no colour_of


def _default_colour(region: OutlinedRegion) -> tuple[float, float, float]:
    return DEFAULT_RGB


# ----------------------------------------------------------------------------- geometry (NumPy)
def _index_range(lo, crop_shape, mask_geometry, display_geometry, pet_from_anat):
    """Display-grid (i, j, k) index box (lower, upper) that holds the whole crop block of the mask."""
    a = np.asarray(lo, float) - 0.5
    b = a + np.asarray(crop_shape, float)
    corners_kji = np.array([[k, j, i] for k in (a[0], b[0]) for j in (a[1], b[1]) for i in (a[2], b[2])])
    pet_w = mask_geometry.kji_to_world(corners_kji)
    inv = np.linalg.inv(pet_from_anat)
    anat_w = pet_w @ inv[:3, :3].T + inv[:3, 3]
    ijk = display_geometry.world_to_ijk(anat_w)
    lo_ijk, hi_ijk = np.floor(ijk.min(axis=0)) - 1, np.ceil(ijk.max(axis=0)) + 1
    return lo_ijk, hi_ijk


def plane_mask(lo, crop, mask_geometry, display_geometry, plane: str, index: int, pet_from_anat=None) -> np.ndarray:
    """Boolean image (rows, cols) of the displayed ``plane`` at slice ``index``: True where the
    nearest PET voxel of the pixel centre belongs to the mask (``crop`` at array offset ``lo``)."""
    spec = PLANE_SPECS[plane]
    t = np.eye(4) if pet_from_anat is None else np.asarray(pet_from_anat, float)
    n = display_geometry.size_ijk  # (x, y, z) sizes: the display grid is axis-aligned
    rows, cols = n[spec.v], n[spec.u]
    out = np.zeros((rows, cols), bool)
    crop = np.asarray(crop, bool)
    if crop.size == 0 or not crop.any():
        return out
    lo_ijk, hi_ijk = _index_range(lo, crop.shape, mask_geometry, display_geometry, t)
    if not (lo_ijk[spec.normal] <= index <= hi_ijk[spec.normal]):
        return out
    u0, u1 = int(max(lo_ijk[spec.u], 0)), int(min(hi_ijk[spec.u], n[spec.u] - 1))
    v0, v1 = int(max(lo_ijk[spec.v], 0)), int(min(hi_ijk[spec.v], n[spec.v] - 1))
    if u1 < u0 or v1 < v0:
        return out
    uu, vv = np.meshgrid(np.arange(u0, u1 + 1, dtype=float), np.arange(v0, v1 + 1, dtype=float), indexing="ij")
    ijk = np.empty(uu.shape + (3,))
    ijk[..., spec.u], ijk[..., spec.v], ijk[..., spec.normal] = uu, vv, float(index)
    world = display_geometry.ijk_to_world(ijk)
    pet = world @ t[:3, :3].T + t[:3, 3]
    kji = np.rint(mask_geometry.world_to_kji(pet)).astype(int) - np.asarray(lo)
    ok = np.all((kji >= 0) & (kji < np.asarray(crop.shape)), axis=-1)
    hit = np.zeros(uu.shape, bool)
    hit[ok] = crop[kji[ok][:, 0], kji[ok][:, 1], kji[ok][:, 2]]
    # hit is indexed [u - u0, v - v0]; place into (row, col) of the slice image
    cols_idx = np.arange(u0, u1 + 1) if spec.u_sign > 0 else n[spec.u] - 1 - np.arange(u0, u1 + 1)
    rows_idx = np.arange(v0, v1 + 1) if spec.v_sign > 0 else n[spec.v] - 1 - np.arange(v0, v1 + 1)
    out[np.ix_(rows_idx, cols_idx)] = hit.T
    return out


def mip_mask(lo, crop, mask_geometry, session: ReadingState, shape) -> np.ndarray:
    """Footprint (rows, cols) of the mask in the current MIP frame: its voxel centres projected
    along the rays, then closed over one pixel so that the PET voxels' footprint has no gaps."""
    out = np.zeros(shape, bool)
    kji = np.argwhere(np.asarray(crop, bool)) + np.asarray(lo)
    if kji.size == 0:
        return out
    inv = np.linalg.inv(np.asarray(session.pet_from_anat, float))
    w = mask_geometry.kji_to_world(kji.astype(float))
    w = w @ inv[:3, :3].T + inv[:3, 3]
    # world_to_mip_pixel is affine in the world point: recover it from four points, apply to all
    base = np.asarray(session.world_to_mip_pixel(np.zeros(3)), float)
    cols_rows = np.tile(base, (len(w), 1))
    for a in range(3):
        e = np.zeros(3)
        e[a] = 1.0
        cols_rows += np.outer(w[:, a], np.asarray(session.world_to_mip_pixel(e), float) - base)
    cr = np.rint(cols_rows).astype(int)
    ok = (cr[:, 0] >= 0) & (cr[:, 0] < shape[1]) & (cr[:, 1] >= 0) & (cr[:, 1] < shape[0])
    if not ok.any():
        return out
    c0, r0 = cr[ok].min(axis=0)
    c1, r1 = cr[ok].max(axis=0)
    block = np.zeros((r1 - r0 + 5, c1 - c0 + 5), bool)  # the footprint's box, padded by 2 for the closing
    block[cr[ok, 1] - r0 + 2, cr[ok, 0] - c0 + 2] = True
    from scipy import ndimage  # imported when an overlay is drawn: the first image needs no scipy

    block = ndimage.binary_closing(block, np.ones((3, 3), bool)) | block
    rr, cc = np.nonzero(block)
    rr, cc = rr + r0 - 2, cc + c0 - 2
    keep = (rr >= 0) & (rr < shape[0]) & (cc >= 0) & (cc < shape[1])
    out[rr[keep], cc[keep]] = True
    return out


def outline_segments(mask2d: np.ndarray) -> np.ndarray:
    """(n, 2, 2) segments [[col0, row0], [col1, row1]] along the pixel edges between inside and
    outside pixels of a boolean image (edges of pixel (c, r) lie at c ± 0.5, r ± 0.5)."""
    m = np.pad(np.asarray(mask2d, bool), 1)
    segs = []
    # horizontal edges: between rows r-1 and r (padded coordinates)
    dh = m[1:, :] != m[:-1, :]  # (rows+1, cols+2): edge above padded row r+1
    r, c = np.nonzero(dh)
    rr, cc = r - 0.5, c - 1.0  # unpadded: edge at row (r+1-1) - 0.5, column c-1
    segs.append(np.stack([np.stack([cc - 0.5, rr], -1), np.stack([cc + 0.5, rr], -1)], 1))
    dv = m[:, 1:] != m[:, :-1]
    r, c = np.nonzero(dv)
    rr, cc = r - 1.0, c - 0.5
    segs.append(np.stack([np.stack([cc, rr - 0.5], -1), np.stack([cc, rr + 0.5], -1)], 1))
    return np.concatenate(segs, 0) if segs else np.zeros((0, 2, 2))


def outline_pixels(mask2d: np.ndarray) -> np.ndarray:
    """Inside pixels that touch an outside pixel (4-neighbourhood): the NumPy twin of the drawn outline."""
    from scipy import ndimage

    m = np.asarray(mask2d, bool)
    return m & ~ndimage.binary_erosion(m, border_value=0)


# ----------------------------------------------------------------------------- VTK layer
class VoiOutlines:
    """Drawing hook of one cell: outlines of every VOI of ``source`` on the cell's current plane."""

    def __init__(self, cell, source: RegionSource | None, line_width: float = 2.0, colour_of=None):
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
        from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

        self.cell, self.source = cell, source
        self.colour_of = colour_of if colour_of is not None else _default_colour
        self._vtk = (vtkPoints, vtkCellArray)
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
        self.last_masks: dict[int, np.ndarray] = {}  # id -> plane (or MIP) mask of the last render
        self.labels: list = []  # text actors naming the study's structures (a pool, reused)
        self.last_labels: dict[int, tuple[str, tuple[float, float]]] = {}  # id -> (name, image pixel col, row)
        self._cache_key, self._cache = None, {}  # cuts of the current slice: (id, lo, id(crop)) -> (crop, cut)

    def detach(self) -> None:
        self.cell.view.renderer.RemoveActor(self.actor)
        for t in self.labels:
            self.cell.view.renderer.RemoveViewProp(t)

    def hide(self) -> None:
        self.actor.VisibilityOff()
        self.last_masks = {}
        self._hide_labels()

    def _hide_labels(self) -> None:
        for t in self.labels:
            t.VisibilityOff()
        self.last_labels = {}

    def _label(self, i: int):
        """The i-th text actor of the pool (made on first use): plain text, never markup."""
        from vtkmodules.vtkRenderingCore import vtkTextActor

        while len(self.labels) <= i:
            t = vtkTextActor()
            p = t.GetTextProperty()
            p.SetFontSize(LABEL_FONT_PX)
            p.SetBold(True)
            p.ShadowOn()
            p.SetJustificationToLeft()
            p.SetVerticalJustificationToBottom()
            t.GetPositionCoordinate().SetCoordinateSystemToWorld()
            t.PickableOff()
            self.cell.view.renderer.AddViewProp(t)
            self.labels.append(t)
        return self.labels[i]

    def _update_labels(self, got: dict, view) -> None:
        """Name each structure of the study (kind "structure") above the top of its outline, in its colour."""
        from workstation.render.fonts import use_font_for

        self._hide_labels()
        if self.cell.kind == "mip" or self.source is None:
            return
        names = {v.id: v.name for v, _sel in self.source.outline_items() if v.kind == "structure"}
        sx, sy = view.spacing
        n = 0
        for vid, (m, rgb, _selected) in got.items():
            if vid not in names or not names[vid]:
                continue
            rows, cols = np.nonzero(m)
            r0 = int(rows.min())
            c0 = int(cols[rows == r0].min())
            t = self._label(n)
            n += 1
            text = str(names[vid])
            use_font_for(t.GetTextProperty(), text)
            t.SetInput(text)
            t.GetTextProperty().SetColor(*np.clip(np.asarray(rgb, float), 0, 1))
            # the pixel's top edge, half a pixel above its centre: the text sits on the outline's top
            t.GetPositionCoordinate().SetValue(c0 * sx, (view.rows - 1 - r0 + 0.5) * sy, OUTLINE_Z)
            t.VisibilityOn()
            self.last_labels[vid] = (text, (float(c0), float(r0)))

    def masks(self, s: ReadingState) -> dict[int, tuple[np.ndarray, tuple]]:
        """id -> (2-D mask in the cell's image pixels, rgb) for the session's current slice."""
        items = self.source.outline_items() if self.source is not None else []
        out = {}
        if not items or s is None or s.pet is None:
            return out
        g = self.source.geometry
        t = np.asarray(s.pet_from_anat, float)
        if self.cell.kind == "mip":
            shape = (self.cell.view.rows, self.cell.view.cols)
            where = ("mip", s.mip_angle_index, shape, t.tobytes())
        else:
            where = (self.cell.plane, s.plane_index(self.cell.plane), t.tobytes())
        if where != self._cache_key:  # another slice, angle or transform: forget the cached cuts
            self._cache_key, self._cache = where, {}
        for voi, selected in items:
            vid, lo, crop, rgb = voi.id, voi.lo, voi.crop, self.colour_of(voi)
            key = (vid, tuple(lo), id(crop))
            m = self._cache.get(key)
            if m is None or m[0] is not crop:
                if self.cell.kind == "mip":
                    cut = mip_mask(lo, crop, g, s, shape)
                else:
                    cut = plane_mask(lo, crop, g, s.display_geometry, self.cell.plane, where[1], t)
                m = self._cache[key] = (crop, cut if cut.any() else None)
            if m[1] is not None:
                out[vid] = (m[1], rgb, selected)
        return out

    def update(self, cell, s: ReadingState) -> None:
        """Recompute the outline polydata for the session's state (called by ``CellRenderer.render``)."""
        vtkPoints, vtkCellArray = self._vtk
        got = self.masks(s)
        self.last_masks = {k: v[0] for k, v in got.items()}
        self._update_labels(got, cell.view)
        all_segs, colours = [], []
        for m, rgb, selected in got.values():
            segs = outline_segments(m)
            if not len(segs):
                continue
            all_segs.append(segs)
            c = np.clip(np.asarray(rgb, float), 0, 1)
            if selected:  # the selected VOI is drawn brighter (towards white)
                c = 0.5 + 0.5 * c
            colours.append(np.tile(np.rint(c * 255).astype(np.uint8), (len(segs), 1)))
        if not all_segs:
            self.actor.VisibilityOff()
            return
        segs = np.concatenate(all_segs, 0)
        cols = np.concatenate(colours, 0)
        view = cell.view
        sx, sy = view.spacing
        pts = segs.reshape(-1, 2)
        xyz = np.column_stack([pts[:, 0] * sx, (view.rows - 1 - pts[:, 1]) * sy, np.full(len(pts), OUTLINE_Z)])
        from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray

        points = vtkPoints()
        points.SetData(numpy_to_vtk(np.ascontiguousarray(xyz, np.float64), deep=True))
        n = len(segs)
        lines = vtkCellArray()
        lines.SetData(numpy_to_vtkIdTypeArray(np.arange(0, 2 * n + 1, 2, dtype=np.int64), deep=True),
                      numpy_to_vtkIdTypeArray(np.arange(2 * n, dtype=np.int64), deep=True))
        scal = numpy_to_vtk(np.ascontiguousarray(cols), deep=True, array_type=None)
        scal.SetName("rgb")
        self.poly.SetPoints(points)
        self.poly.SetLines(lines)
        self.poly.GetCellData().SetScalars(scal)
        self.poly.Modified()
        self.actor.VisibilityOn()


# ----------------------------------------------------------------------------- margins: text never over the image
MARGIN_PAD_PX = 3.0  # space kept between the image and any text or bar


def _text_box(actor, renderer):
    """Screen box (x0, y0, x1, y1), y up, of a visible, non-empty text actor; None otherwise."""
    if not actor.GetVisibility() or not (actor.GetInput() or "").strip():
        return None
    bb = [0.0, 0.0, 0.0, 0.0]
    actor.GetBoundingBox(renderer, bb)  # x0, x1, y0, y1 in display pixels, relative to the actor's anchor
    if bb[1] <= bb[0] or bb[3] <= bb[2]:
        return None
    px, py = actor.GetPosition()
    return bb[0] + px, bb[2] + py, bb[1] + px, bb[3] + py


def overlay_boxes(view) -> list[tuple[float, float, float, float]]:
    """Screen boxes (x0, y0, x1, y1; display pixels, y up) of the texts and bars a ``SliceView`` keeps
    off its image: corner texts, the colour bar (with its labels and title) and the scale bar with
    its label. The orientation letters are not among them: one letter at the middle of each edge
    sits on the image border, as in every reader (keeping them off too would shrink every image
    by their width on both sides)."""
    w, h = view.width, view.height
    boxes = []
    for actor in view.corner.values():
        b = _text_box(actor, view.renderer)
        if b is not None:
            boxes.append(b)
    if view.colorbar.GetVisibility():
        x0, y0 = view.colorbar.GetPositionCoordinate().GetValue()[:2]
        bw, bh = view.colorbar.GetPosition2Coordinate().GetValue()[:2]
        width = min(bw * w, float(view.colorbar.GetMaximumWidthInPixels()))
        # the title sits above the bar: the box reaches the top of the tile
        boxes.append((x0 * w, y0 * h, max(x0 * w + width, w), h))
    if view.show_scale_bar:
        boxes.append((0.75 * w - 16, 0.0, w, 34.0))  # the bar is at most a quarter of the width, label above it
    return boxes


def _scale_at(boxes, cx, cy, width, height, image_w, image_h, pad) -> float:
    """Largest screen pixels per image unit for the image centred at (cx, cy): inside the view and
    clear of every box (a box is missed when the image stays on one side of it, horizontally or
    vertically, so each box bounds the scale by the larger of the two)."""
    s = 2.0 * min(cx, width - cx) / image_w
    s = min(s, 2.0 * min(cy, height - cy) / image_h)
    for x0, y0, x1, y1 in boxes:
        dx = max(x0 - cx, cx - x1, 0.0)  # distance from the centre to the box, per axis (0: the box spans it)
        dy = max(y0 - cy, cy - y1, 0.0)
        s = min(s, max(2.0 * max(dx - pad, 0.0) / image_w, 2.0 * max(dy - pad, 0.0) / image_h))
    return s


def fit_scale_avoiding(boxes, width: int, height: int, image_w: float, image_h: float,
                       pad: float = MARGIN_PAD_PX) -> float:
    """Screen pixels per image unit of the image centred in the view, clear of ``boxes``."""
    if image_w <= 0 or image_h <= 0:
        return 1.0
    return _scale_at(boxes, width / 2.0, height / 2.0, width, height, image_w, image_h, pad)
