"""Words that the compute and drawing layers put in front of the user, made translatable.

``render`` draws view titles ("PET coronal", "no data") and ``analysis`` writes the identity lines of
the overlay ("(patient hidden)", "Study ..."); neither may import Qt. They call :func:`tr` with a
context and the English source text; the ui installs Qt's translator here once (``set_translator``)
so that the same ``.qm`` catalogue translates them. Without one, the English text is returned.
Numbers, units, modality codes and DICOM tag names are never passed through it.
"""

from __future__ import annotations

from typing import Callable

_translator: Callable[[str, str], str] | None = None


def set_translator(fn: Callable[[str, str], str] | None) -> None:
    """Install ``fn(context, text) -> translated text`` (None: back to English)."""
    global _translator
    _translator = fn


def tr(context: str, text: str) -> str:
    """The translation of ``text`` in ``context``, or ``text`` itself."""
    if _translator is None:
        return text
    out = _translator(context, text)
    return out or text
