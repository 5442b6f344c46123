"""Text that is safe to show: control characters from file headers never reach a terminal or a widget.

Header strings come from other people's software. A bell, backspace, carriage return, escape
sequence or line feed inside a patient name or a series description would ring, overwrite or
forge lines when printed. :func:`printable` replaces every control character (Unicode category
C*, which includes the C0/C1 controls, DEL and unassigned code points) with "?"; ordinary text,
including Chinese, is unchanged.
"""

from __future__ import annotations

import unicodedata


def printable(value, replacement: str = "?") -> str:
    """``str(value)`` with every control/format/unassigned character replaced."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else replacement for c in text)


def has_control_characters(value) -> bool:
    text = "" if value is None else str(value)
    return any(unicodedata.category(c).startswith("C") for c in text)
