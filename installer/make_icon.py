"""Draw the application icon (the motif of resources/pet-workstation.svg) and write it as
PNG and Windows ICO (PNG-compressed entries), with numpy and the standard library only.

    python installer/make_icon.py OUT_DIR      -> OUT_DIR/workstation.png, OUT_DIR/workstation.ico
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import numpy as np


def draw(size: int = 256) -> np.ndarray:
    """RGBA uint8 image of the icon."""
    y, x = np.mgrid[0:size, 0:size].astype(float) * (256.0 / size)
    img = np.zeros((size, size, 4), float)

    def fill(mask, rgb, alpha=1.0):
        for c in range(3):
            img[..., c] = np.where(mask, img[..., c] * (1 - alpha) + rgb[c] * alpha, img[..., c])
        img[..., 3] = np.where(mask, np.maximum(img[..., 3], 255 * alpha), img[..., 3])

    r = 36.0  # rounded square
    cx = np.clip(x, 8 + r, 248 - r)
    cy = np.clip(y, 8 + r, 248 - r)
    fill((x - cx) ** 2 + (y - cy) ** 2 <= r * r, (0x1B, 0x23, 0x30))
    fill(((x - 128) / 92) ** 2 + ((y - 132) / 74) ** 2 <= 1, (0x8A, 0x8F, 0x98))
    fill(((x - 128) / 78) ** 2 + ((y - 132) / 60) ** 2 <= 1, (0x3D, 0x42, 0x4A))
    fill(((x - 96) / 24) ** 2 + ((y - 128) / 32) ** 2 <= 1, (0x15, 0x18, 0x1D))
    fill(((x - 162) / 24) ** 2 + ((y - 128) / 32) ** 2 <= 1, (0x15, 0x18, 0x1D))
    d = np.clip(np.hypot(x - 166, y - 118) / 30.0, 0, 1)
    stops = np.array([0.0, 0.45, 1.0])
    colours = np.array([(255, 255, 176), (255, 154, 0), (192, 0, 0)], float)
    alpha = (1 - d)[..., None]
    hot = np.stack([np.interp(d, stops, colours[:, c]) for c in range(3)], axis=-1)
    img[..., :3] = img[..., :3] * (1 - alpha) + hot * alpha
    fill((x >= 124) & (x < 132) & (y >= 58) & (y < 206), (0x36, 0xD3, 0x99), 0.8)
    fill((y >= 128) & (y < 136) & (x >= 54) & (x < 202), (0x36, 0xD3, 0x99), 0.8)
    return np.clip(img, 0, 255).astype(np.uint8)


def png_bytes(rgba: np.ndarray) -> bytes:
    h, w = rgba.shape[:2]
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico_bytes(images: list[np.ndarray]) -> bytes:
    pngs = [png_bytes(im) for im in images]
    out = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    for im, data in zip(images, pngs):
        side = im.shape[0]
        out += struct.pack("<BBBBHHII", side % 256, side % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(pngs)


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "workstation.png").write_bytes(png_bytes(draw(256)))
    (out / "workstation.ico").write_bytes(ico_bytes([draw(s) for s in (16, 32, 48, 256)]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/icon")
