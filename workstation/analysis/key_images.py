"""Key images of a reading as RGB arrays (numpy + Pillow, no VTK): the MIP and one slice per lesion.

Used by the secondary-capture export and the PDF report. Orientation follows the viewer:
the volume is first turned onto the patient axes (LPS; axis-aligned series only), then

* the **MIP** is the anterior coronal projection (maximum over anterior-posterior), head at the
  top and the patient's left on the image's right (radiological convention);
* a **lesion slice** is the axial slice where the lesion is widest, anterior at the top,
  patient's left on the image's right.

PET is drawn as inverted grey (white background, dark uptake) from SUV 0 to ``suv_max``
(default 10); each lesion's outline is drawn in its colour (``export_seg.lesion_colour``) and,
on the MIP, its number beside it. Pixels are resampled (nearest) to ``mm_per_pixel`` so that
millimetres are square.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class KeyImage:
    name: str  # "mip", "lesion-1", ...
    title: str
    rgb: np.ndarray  # (rows, cols, 3) uint8
    orientation: tuple[str, str]  # DICOM Patient Orientation (row direction, column direction)
    mm_per_pixel: float
    lesion_positions: dict  # lesion label -> (row, col) in pixels (MIP: where its number goes)


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


def key_images(reading, suv_max: float = 10.0, mm_per_pixel: float = 2.0) -> list[KeyImage]:
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
    images = [KeyImage("mip", "MIP (anterior)", _number(img, positions), ("L", "F"), mm_per_pixel, positions)]
    for les in reading.lesions:
        sel = labels == les.label
        if not sel.any():
            continue
        z = int(np.argmax(sel.sum(axis=(1, 2))))  # the slice where the lesion is widest
        sl = _grey(_scale(suv[z], dy, dx, mm_per_pixel), suv_max)
        m = _scale(sel[z].astype(np.uint8), dy, dx, mm_per_pixel).astype(bool)
        sl[_outline(m)] = lesion_colour(les.label)
        images.append(KeyImage(f"lesion-{les.label}", f"Lesion {les.label} (axial)", sl, ("L", "P"), mm_per_pixel,
                               {}))
    return images


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
    """The image as PNG (enlarged ``scale`` times, nearest, so that outlines stay sharp in print)."""
    import io

    from PIL import Image

    im = Image.fromarray(image.rgb)
    if scale > 1:
        im = im.resize((im.width * scale, im.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()
