"""Fonts that can draw patient names in any script (Chinese above all).

VTK draws text with FreeType and a built-in Latin font; a name such as 张三 needs a font file
with CJK glyphs. ``unicode_font_file()`` finds one on this machine: the usual Windows, macOS and
Linux locations first, then fontconfig (``fc-match :lang=zh``). The answer is cached; None when
the machine has no such font (text is then drawn with the default font, and the README's system
packages include fonts-wqy-microhei for Debian).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

_CANDIDATES = (
    # Windows
    "{windir}/Fonts/msyh.ttc", "{windir}/Fonts/msyh.ttf", "{windir}/Fonts/simhei.ttf", "{windir}/Fonts/simsun.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    # Linux
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def needs_unicode_font(text: str) -> bool:
    return any(ord(c) > 0x24F for c in text)  # beyond Latin Extended-B


@functools.lru_cache(maxsize=1)
def unicode_font_file() -> str | None:
    override = os.environ.get("WORKSTATION_FONT_FILE")
    if override and Path(override).is_file():
        return override
    windir = os.environ.get("WINDIR", "C:/Windows")
    for c in _CANDIDATES:
        p = Path(c.format(windir=windir))
        if p.is_file():
            return str(p)
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True,
                                 timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and Path(out).is_file() and Path(out).suffix.lower() in (".ttf", ".ttc", ".otf"):
            return out
    return None
