"""Fonts of the text drawn in the views: a CJK font file for text whose glyphs the default font lacks."""

from __future__ import annotations

_FONT_FILE_FAMILY = 4  # VTK_FONT_FILE


def use_font_for(prop, text: str) -> None:
    """Draw ``text`` with a font that has its glyphs (a CJK font file for Chinese names)."""
    from workstation.settings.fonts import needs_unicode_font, unicode_font_file

    path = unicode_font_file() if needs_unicode_font(text) else None
    if path:
        prop.SetFontFamily(_FONT_FILE_FAMILY)
        prop.SetFontFile(path)
    elif prop.GetFontFamily() == _FONT_FILE_FAMILY:
        prop.SetFontFamilyToArial()
