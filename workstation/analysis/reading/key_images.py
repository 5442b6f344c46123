"""Key images of a reading as RGB arrays (numpy + Pillow, no VTK): the MIP and one slice per lesion.

Used by the secondary-capture export and the PDF report. Orientation follows the viewer:
the volume is first turned onto the patient axes (LPS; axis-aligned series only), then

* the **MIP** is the anterior coronal projection (maximum over anterior-posterior), head at the
  top and the patient's left on the image's right (radiological convention);
* a **lesion slice** is the axial slice where the lesion is widest, anterior at the top,
  patient's left on the image's right.

The MIP is drawn as inverted grey (white background, dark uptake) from SUV 0 to ``suv_max``
(default 10). Lesion slices are drawn **as the viewer shows them** when a :class:`FusionStyle`
is given (the caller fills it with the viewer's colour tables, ``render.colormaps.lut``, and its
windows): the anatomical slice (CT/MR) in grey through its window, sampled at the same world
points through the PET→anatomy registration (trilinear), and the PET in the colour map through
the PET window, blended as the viewer blends them::

    out = (1 - a) * grey(CT) + a * colour(PET),   a = opacity where PET > the window's lower end

Without anatomy the slice is the PET in the colour map (the viewer's PET view); without a style,
inverted grey like the MIP. Each lesion's outline is drawn in its colour
(``export_seg.lesion_colour``) and, on the MIP, its number beside it. Pixels are resampled
(nearest for PET and masks) to ``mm_per_pixel`` so that millimetres are square; fused slices
use the finer of that and the anatomy's in-plane spacing (not below 0.5 mm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FusionStyle:
    """How the viewer draws a fused slice: its colour tables and windows (display units: SUV for PET)."""

    pet_lut: np.ndarray  # (256, 3) uint8, the PET colour map
    grey_lut: np.ndarray  # (256, 3) uint8, the anatomy's grey table
    pet_window: tuple[float, float] = (0.0, 5.0)  # lower, upper (SUV)
    ct_window: tuple[float, float] = (400.0, 40.0)  # width, level
    opacity: float = 0.5


@dataclass
class KeyImage:
    name: str  # "mip", "lesion-1", ...
    title: str
    rgb: np.ndarray  # (rows, cols, 3) uint8
    orientation: tuple[str, str]  # DICOM Patient Orientation (row direction, column direction)
    mm_per_pixel: float
    lesion_positions: dict  # lesion label -> (row, col) in pixels (MIP: where its number goes)
    outline: np.ndarray | None = None  # (rows, cols) bool: the lesion outlines drawn into ``rgb``
    #: the colour bar of the picture: ((256, 3) uint8 table, lower, upper, units), or None
    bar: tuple | None = None


def to_lps(arr: np.ndarray, geometry):
    """(array indexed [z, y, x] with increasing index = +world axis, spacing (dz, dy, dx), perm, flips)."""
    d = np.asarray(geometry.direction, float)
    axes_world = [int(np.argmax(np.abs(d[:, c]))) for c in (2, 1, 0)]  # world axis of array axes k, j, i
    if sorted(axes_world) != [0, 1, 2] or np.max(np.abs(np.abs(d).max(axis=0) - 1)) > 1e-3:
        raise ValueError("key images need an axis-aligned series (oblique slices are not supported)")
    signs = [np.sign(d[w, c]) for w, c in zip(axes_world, (2, 1, 0))]
    sp_kji = np.asarray(geometry.spacing, float)[::-1]
    # order array axes by world axis z, y, x
    perm = [axes_world.index(w) for w in (2, 1, 0)]
    out = np.transpose(arr, perm)
    flips = [signs[p] < 0 for p in perm]
    for ax, f in enumerate(flips):
        if f:
            out = np.flip(out, axis=ax)
    return out, sp_kji[perm], perm, flips


def _scale(img: np.ndarray, sp_rows: float, sp_cols: float, mm: float) -> np.ndarray:
    rows = max(int(round(img.shape[0] * sp_rows / mm)), 1)
    cols = max(int(round(img.shape[1] * sp_cols / mm)), 1)
    ri = np.minimum((np.arange(rows) + 0.5) * mm / sp_rows, img.shape[0] - 1e-6).astype(int)
    ci = np.minimum((np.arange(cols) + 0.5) * mm / sp_cols, img.shape[1] - 1e-6).astype(int)
    return img[ri][:, ci]


def _grey(img: np.ndarray, vmax: float) -> np.ndarray:
    g = 255 - np.clip(img / vmax, 0, 1) * 255
    return np.repeat(np.rint(g).astype(np.uint8)[..., None], 3, axis=2)


def _outline(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(bool)
    inner = m.copy()
    inner[1:] &= m[:-1]
    inner[:-1] &= m[1:]
    inner[:, 1:] &= m[:, :-1]
    inner[:, :-1] &= m[:, 1:]
    return m & ~inner


def _unit(img: np.ndarray, lower: float, upper: float) -> np.ndarray:
    span = max(float(upper) - float(lower), 1e-12)
    return np.clip((np.asarray(img, np.float32) - np.float32(lower)) / np.float32(span), 0.0, 1.0)


def _lookup(unit: np.ndarray, table: np.ndarray) -> np.ndarray:
    idx = (np.asarray(unit, np.float32) * np.float32(255.0) + np.float32(0.5)).astype(np.uint8)
    return np.asarray(table, np.uint8)[idx]


def _blend(base: np.ndarray, over: np.ndarray, over_unit: np.ndarray, opacity: float) -> np.ndarray:
    a = (np.float32(opacity) * (over_unit > 0))[..., None]
    return np.rint(base.astype(np.float32) * (1.0 - a) + over.astype(np.float32) * a).astype(np.uint8)


def lps_corner(geometry) -> np.ndarray:
    """World (x, y, z) of the voxel centre with the smallest coordinates (index 0 of ``to_lps``)."""
    g = geometry
    c = g.kji_to_world(np.array([[0, 0, 0], [g.shape[0] - 1, g.shape[1] - 1, g.shape[2] - 1]], float))
    return c.min(axis=0)


def anatomy_on_slice(anatomy, pet_geometry, z_index: int, sp, shape_px, mm: float, pet_from_anat=None,
                     outside: float = -1000.0) -> np.ndarray:
    """The anatomical volume sampled (trilinear) at the pixel centres of an axial key slice.

    ``z_index`` is the slice in the PET's LPS array (``to_lps``), ``sp`` its (dz, dy, dx) and
    ``shape_px`` the key image's (rows, cols) at ``mm`` per pixel; ``pet_from_anat`` maps anatomy
    world points to PET world points (the viewer's registration; identity when None).
    """
    from scipy import ndimage

    dz, dy, dx = sp
    lo = lps_corner(pet_geometry)
    rows, cols = shape_px
    y = lo[1] - dy / 2 + (np.arange(rows) + 0.5) * mm
    x = lo[0] - dx / 2 + (np.arange(cols) + 0.5) * mm
    yy, xx = np.meshgrid(y, x, indexing="ij")
    pts = np.stack([xx, yy, np.full_like(xx, lo[2] + z_index * dz), np.ones_like(xx)], -1)
    if pet_from_anat is not None:
        pts = pts @ np.linalg.inv(np.asarray(pet_from_anat, float)).T
    kji = anatomy.geometry.world_to_kji(pts[..., :3])
    arr = np.asarray(anatomy.array, np.float32)
    return ndimage.map_coordinates(arr, np.moveaxis(kji, -1, 0), order=1, mode="constant", cval=outside)


def key_images(reading, suv_max: float = 10.0, mm_per_pixel: float = 2.0, *, anatomy=None, pet_from_anat=None,
               style: FusionStyle | None = None) -> list[KeyImage]:
    from workstation.io.export_seg import lesion_colour

    suv, sp, perm, flips = to_lps(reading.suv_array, reading.pet.geometry)
    labels, _, _, _ = to_lps(reading.report.labels, reading.pet.geometry)
    dz, dy, dx = sp
    # MIP: max over y -> [z, x]; head at top: flip z (increasing z = superior)
    mip = suv.max(axis=1)[::-1]
    img = _grey(_scale(mip, dz, dx, mm_per_pixel), suv_max)
    positions = {}
    for les in reading.lesions:
        proj = (labels == les.label).any(axis=1)[::-1]
        proj = _scale(proj.astype(np.uint8), dz, dx, mm_per_pixel).astype(bool)
        img[_outline(proj)] = lesion_colour(les.label)
        rr, cc = np.nonzero(proj)
        if rr.size:
            positions[les.label] = (int(rr.min()), int(cc.max()) + 3)
    outlines = np.zeros(img.shape[:2], bool)
    for les in reading.lesions:
        proj = _scale(((labels == les.label).any(axis=1)[::-1]).astype(np.uint8), dz, dx, mm_per_pixel).astype(bool)
        outlines |= _outline(proj)
    grey_bar = (np.repeat(np.arange(255, -1, -1, dtype=np.uint8)[:, None], 3, axis=1), 0.0, float(suv_max),
                _suv_label(reading))
    images = [KeyImage("mip", "MIP (anterior)", _number(img, positions), ("L", "F"), mm_per_pixel, positions,
                       outlines, grey_bar)]
    slice_mm = mm_per_pixel
    if style is not None and anatomy is not None:
        in_plane = min(float(v) for v in anatomy.geometry.spacing[:2])
        slice_mm = max(min(mm_per_pixel, in_plane), 0.5)
    for les in reading.lesions:
        sel = labels == les.label
        if not sel.any():
            continue
        z = int(np.argmax(sel.sum(axis=(1, 2))))  # the slice where the lesion is widest
        pet = _scale(suv[z], dy, dx, slice_mm)
        if style is None:
            sl, title = _grey(pet, suv_max), f"Lesion {les.label} (axial)"
            bar = grey_bar
        else:
            bar = (np.asarray(style.pet_lut, np.uint8), float(style.pet_window[0]), float(style.pet_window[1]),
                   _suv_label(reading))
            pu = _unit(pet, *style.pet_window)
            sl = _lookup(pu, style.pet_lut)
            title = f"Lesion {les.label} (axial, PET)"
            if anatomy is not None:
                ct = anatomy_on_slice(anatomy, reading.pet.geometry, z, sp, pet.shape, slice_mm, pet_from_anat)
                w, lvl = style.ct_window
                grey = _lookup(_unit(ct, lvl - w / 2.0, lvl + w / 2.0), style.grey_lut)
                sl = _blend(grey, sl, pu, style.opacity)
                title = f"Lesion {les.label} (axial, fused)"
        m = _scale(sel[z].astype(np.uint8), dy, dx, slice_mm).astype(bool)
        sl = np.ascontiguousarray(sl)
        sl[_outline(m)] = lesion_colour(les.label)
        images.append(KeyImage(f"lesion-{les.label}", title, sl, ("L", "P"), slice_mm, {}, _outline(m), bar))
    return images


def _suv_label(reading) -> str:
    key = getattr(getattr(reading, "suv", None), "suv_type", "") or "bw"
    return f"SUV{key}"


#: the edge letter of each DICOM patient direction seen from the opposite edge (viewer letters: S/I for H/F)
_OPPOSITE = {"L": "R", "R": "L", "A": "P", "P": "A", "H": "I", "F": "S"}
_VIEWER = {"H": "S", "F": "I"}
#: the smallest longer side of a presented key image (px)
MIN_PRESENTED_PX = 512


def presented(image: KeyImage, scale: int = 1, min_px: int = MIN_PRESENTED_PX) -> np.ndarray:
    """The key image as a reader sees it in a report: enlarged (nearest, whole factors) until its longer
    side is at least ``min_px``, the lesion outlines thickened with a black rim so that they stand out on any
    colour map, orientation letters on the four edges, a scale bar, and the colour bar with its window and
    units in a margin on the right."""
    from PIL import Image, ImageDraw, ImageFont

    rgb = np.asarray(image.rgb, np.uint8)
    h, w = rgb.shape[:2]
    s = max(int(scale), -(-int(min_px) // max(h, w)), 1)
    big = np.repeat(np.repeat(rgb, s, axis=0), s, axis=1)
    if image.outline is not None and image.outline.shape == (h, w):
        from scipy import ndimage

        line = np.repeat(np.repeat(image.outline, s, axis=0), s, axis=1)
        colours = big.copy()
        thick = ndimage.binary_dilation(line, iterations=max(1, s // 3))
        rim = ndimage.binary_dilation(thick, iterations=max(1, s // 3)) & ~thick
        big[rim] = 0
        # the thickened line takes the colour of the nearest outline pixel
        idx = ndimage.distance_transform_edt(~line, return_distances=False, return_indices=True)
        big[thick] = colours[idx[0][thick], idx[1][thick]]
    margin = 96 if image.bar is not None else 0
    canvas = Image.new("RGB", (big.shape[1] + margin, big.shape[0]), (0, 0, 0))
    canvas.paste(Image.fromarray(big), (0, 0))
    draw = ImageDraw.Draw(canvas)
    fsize = max(14, big.shape[0] // 28)
    font = ImageFont.load_default(size=fsize)
    small = ImageFont.load_default(size=max(11, fsize * 3 // 4))
    yellow = (255, 210, 0)

    def text(xy, t, f=font, anchor="mm", fill=yellow):
        draw.text(xy, t, font=f, anchor=anchor, fill=fill, stroke_width=2, stroke_fill=(0, 0, 0))

    row_dir, col_dir = image.orientation
    H, W = big.shape[:2]
    text((fsize, H // 2), _VIEWER.get(_OPPOSITE[row_dir], _OPPOSITE[row_dir]))
    text((W - fsize, H // 2), _VIEWER.get(row_dir, row_dir))
    text((W // 2, fsize), _VIEWER.get(_OPPOSITE[col_dir], _OPPOSITE[col_dir]))
    text((W // 2, H - fsize), _VIEWER.get(col_dir, col_dir))
    # scale bar: 50 mm (20 mm on a small field of view), bottom left
    mm_px = s / float(image.mm_per_pixel)
    length_mm = 50 if 50 * mm_px <= 0.4 * W else 20 if 20 * mm_px <= 0.4 * W else 10
    x0, y0 = fsize // 2 + 4, H - fsize * 2
    draw.rectangle([x0, y0, x0 + int(round(length_mm * mm_px)), y0 + 3], fill=yellow, outline=(0, 0, 0))
    text((x0, y0 - 4), f"{length_mm} mm", f=small, anchor="ld")
    if image.bar is not None:
        table, lower, upper, units = image.bar
        table = np.asarray(table, np.uint8)
        bx, by, bw, bh = W + 14, fsize * 2, 18, H - fsize * 5
        ramp = table[np.linspace(len(table) - 1, 0, max(bh, 2)).round().astype(int)]
        canvas.paste(Image.fromarray(np.repeat(ramp[:, None, :], bw, axis=1)), (bx, by))
        draw.rectangle([bx - 1, by - 1, bx + bw, by + bh], outline=(200, 200, 200))

        def num(v):
            return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"

        text((bx + bw + 4, by), num(upper), f=small, anchor="lm", fill=(255, 255, 255))
        text((bx + bw + 4, by + bh), num(lower), f=small, anchor="lm", fill=(255, 255, 255))
        text((W + margin // 2, by - fsize), units, f=small, anchor="mm", fill=(255, 255, 255))
    return np.asarray(canvas)


def _number(img: np.ndarray, positions: dict) -> np.ndarray:
    """Write each lesion's number at its position (Pillow's built-in font)."""
    from PIL import Image, ImageDraw

    from workstation.io.export_seg import lesion_colour

    im = Image.fromarray(img)
    draw = ImageDraw.Draw(im)
    for lab, (r, c) in positions.items():
        c = min(c, img.shape[1] - 8)
        draw.text((c, max(r - 2, 0)), str(lab), fill=tuple(int(v * 0.7) for v in lesion_colour(lab)))
    return np.asarray(im)


def save_png(image: KeyImage, path, scale: int = 1) -> None:
    from PIL import Image

    im = Image.fromarray(image.rgb)
    if scale > 1:
        im = im.resize((im.width * scale, im.height * scale), Image.NEAREST)
    im.save(str(path))


def png_bytes(image: KeyImage, scale: int = 3) -> bytes:
    """The image as PNG, :func:`presented` (enlarged at least ``scale`` times and to 512 px, nearest, with
    orientation letters, scale bar, colour bar and outlined lesions), for the PDF report."""
    import io

    from PIL import Image

    im = Image.fromarray(presented(image, scale))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()
