"""Colour maps and fusion of a grey anatomical image with a coloured PET image (NumPy only).

Concept
-------
Display values are first *windowed* to the unit interval: CT by width/level
(``lo = level - width/2``), PET by a lower/upper value in SUV. A 256-entry lookup table turns
the unit value into RGB. The fused image is an alpha blend, pixel by pixel::

    out = (1 - a) * grey(CT) + a * colour(PET),   a = opacity where PET > lower, else 0

so the anatomy stays untouched where there is no PET signal above the window's lower end.
The tables are written down here once (hot iron, rainbow, grey, inverted grey) and also
used for the SUV colour bar.
"""

from __future__ import annotations

import numpy as np


def _ramp(x, a, b):
    return np.clip((x - a) / (b - a), 0.0, 1.0)


def _hsv_to_rgb(h, s, v):
    i = np.floor(h * 6.0).astype(int) % 6
    f = h * 6.0 - np.floor(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], -1)


def lut(name: str) -> np.ndarray:
    """(256, 3) uint8 table of a colour map."""
    x = np.linspace(0.0, 1.0, 256)
    if name == "hot iron":  # black -> red -> orange -> yellow -> white
        rgb = np.stack([_ramp(x, 0.0, 0.5), _ramp(x, 0.4, 0.85), _ramp(x, 0.75, 1.0)], -1)
    elif name == "rainbow":  # blue (low) -> cyan -> green -> yellow -> red (high), black at 0
        rgb = _hsv_to_rgb((2.0 / 3.0) * (1.0 - x), np.ones_like(x), np.ones_like(x))
        rgb[0] = 0.0
    elif name == "grey":
        rgb = np.stack([x, x, x], -1)
    elif name == "inverted grey":
        rgb = np.stack([1 - x, 1 - x, 1 - x], -1)
    else:
        raise KeyError(f"unknown colour map {name!r}")
    return np.rint(rgb * 255.0).astype(np.uint8)


_LUTS: dict[str, np.ndarray] = {}


def cached_lut(name: str) -> np.ndarray:
    if name not in _LUTS:
        _LUTS[name] = lut(name)
    return _LUTS[name]


def window_unit(img: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Map values to [0, 1]: ``lower`` -> 0, ``upper`` -> 1, clipped."""
    span = max(float(upper) - float(lower), 1e-12)
    return np.clip((np.asarray(img, np.float32) - np.float32(lower)) / np.float32(span), 0.0, 1.0)


def ct_unit(img: np.ndarray, width: float, level: float) -> np.ndarray:
    return window_unit(img, level - width / 2.0, level + width / 2.0)


_PACKED: dict[str, np.ndarray] = {}


def colorize(unit: np.ndarray, name: str) -> np.ndarray:
    """Unit values (H, W) -> RGB uint8 (H, W, 3) through a colour map (nearest table entry)."""
    if name not in _PACKED:  # RGBX packed in one uint32 per entry: one gather per pixel
        t4 = np.full((256, 4), 255, np.uint8)  # X = 255: the 4-byte pixels are opaque RGBA (vtk_bridge)
        t4[:, :3] = cached_lut(name)
        _PACKED[name] = t4.view(np.uint32).reshape(256)
    idx = (np.asarray(unit, np.float32) * np.float32(255.0) + np.float32(0.5)).astype(np.uint8)
    out = _PACKED[name][idx]
    return out.view(np.uint8).reshape(*idx.shape, 4)[..., :3]


_BLEND: dict[float, np.ndarray] = {}


def _blend_table(opacity: float) -> np.ndarray:
    """All 256 x 256 blends ``rint((1 - a) * base + a * overlay)`` of uint8 channels at one opacity,
    computed with the float32 arithmetic of the pixel formula (so a lookup equals computing it)."""
    a = np.float32(opacity)
    t = _BLEND.get(float(a))
    if t is None:
        v = np.arange(256, dtype=np.float32)
        t = np.rint(v[:, None] * (np.float32(1.0) - a) + v[None, :] * a).astype(np.uint8)
        if len(_BLEND) > 64:
            _BLEND.clear()
        _BLEND[float(a)] = t
    return t


def fuse(base_rgb: np.ndarray, overlay_rgb: np.ndarray, overlay_unit: np.ndarray, opacity: float) -> np.ndarray:
    """Alpha-blend the overlay where its unit value is above 0 (see module docstring): one table
    lookup per channel of the pixels with PET above the window, the anatomy copied elsewhere."""
    base = np.asarray(base_rgb, np.uint8)
    m = np.asarray(overlay_unit) > 0
    if not m.any():
        return base.copy()
    pair = (base.astype(np.uint16) << 8) | np.asarray(overlay_rgb, np.uint8)
    blended = _blend_table(opacity).ravel().take(pair)
    return np.where(m[..., None], blended, base)


def _unit_index(unit: np.ndarray) -> np.ndarray:
    """The colour-table entry (0..255) of unit values: the nearest entry, as ``colorize`` picks it."""
    return (np.asarray(unit, np.float32) * np.float32(255.0) + np.float32(0.5)).astype(np.uint8)


_FUSED: dict[tuple[str, str, float], np.ndarray] = {}


def _fused_table(base_map: str, overlay_map: str, opacity: float) -> np.ndarray:
    """Packed RGBX (uint32) of every (base entry, overlay entry) pair, 256 x 257: column 0 is the base
    colour alone (no overlay above the window), column 1 + j the blend with overlay entry j, made with
    ``_blend_table`` so that it equals ``fuse`` of the two colourised images exactly."""
    key = (base_map, overlay_map, float(np.float32(opacity)))
    t = _FUSED.get(key)
    if t is None:
        base, over = cached_lut(base_map), cached_lut(overlay_map)
        blend = _blend_table(opacity)
        t4 = np.full((256, 257, 4), 255, np.uint8)  # X = 255 as in colorize
        t4[:, 0, :3] = base
        for c in range(3):
            t4[:, 1:, c] = blend[base[:, c][:, None], over[:, c][None, :]]
        if len(_FUSED) > 32:
            _FUSED.clear()
        t = _FUSED[key] = t4.view(np.uint32).reshape(256 * 257)
    return t


def fuse_units(base_unit: np.ndarray, overlay_unit: np.ndarray, base_map: str, overlay_map: str,
               opacity: float) -> np.ndarray:
    """``fuse(colorize(base_unit, base_map), colorize(overlay_unit, overlay_map), overlay_unit, opacity)``
    in one table lookup per pixel (the viewer's fused cell, drawn at every scroll step)."""
    over = np.asarray(overlay_unit, np.float32)
    idx = _unit_index(base_unit).astype(np.uint32) * np.uint32(257)
    idx += np.where(over > 0, _unit_index(over).astype(np.uint32) + np.uint32(1), np.uint32(0))
    out = _fused_table(base_map, overlay_map, opacity)[idx]
    return out.view(np.uint8).reshape(*idx.shape, 4)[..., :3]
