"""The CJK font of the PDF reports: the machine's Chinese TrueType font registered once with reportlab."""

from __future__ import annotations

#: the reportlab font name under which the CJK font is registered (embedded as a subset)
CJK_FONT = "WorkstationCJK"


def register_cjk() -> bool:
    """Register the machine's CJK TrueType font with reportlab (once); False if there is none usable."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from workstation.settings.fonts import unicode_font_file

    if CJK_FONT in pdfmetrics.getRegisteredFontNames():
        return True
    path = unicode_font_file()
    if not path:
        return False
    try:
        kw = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        pdfmetrics.registerFont(TTFont(CJK_FONT, path, **kw))
    except Exception:  # noqa: BLE001 - an unusable font file is the same as none
        return False
    return True
