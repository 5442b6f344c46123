"""A minimal DICOM header walker for the loader's hot path.

Reading a 600-slice CT, a full pydicom parse of every header costs more than reading the pixel
bytes. The loader only needs a dozen top-level attributes (geometry, rescale, pixel format) and
where the pixel data starts, so this walks the elements of a little-endian file (explicit or
implicit VR) and keeps the raw bytes of the wanted tags, skipping everything else by its length
(sequences of undefined length are skipped through their delimiters).

Anything unusual (no preamble, big endian, deflated or compressed data, a malformed length)
raises :class:`WalkError`; the caller then falls back to pydicom. It never interprets text.
"""

from __future__ import annotations

import struct

EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"
PIXEL_DATA = 0x7FE00010
_LONG_VRS = {b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"SQ", b"UT", b"UN", b"UC", b"UR", b"SV", b"UV"}
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
_u16 = struct.Struct("<H").unpack_from
_u32 = struct.Struct("<I").unpack_from
_tag = struct.Struct("<HH").unpack_from


class WalkError(ValueError):
    """The file needs a full DICOM parser."""


def _element(data: bytes, pos: int, explicit: bool) -> tuple[int, int, int]:
    """(tag, value offset, value length) of the element at ``pos``."""
    if pos + 8 > len(data):
        raise WalkError("truncated element header")
    g, e = _tag(data, pos)
    tag = (g << 16) | e
    if g == 0xFFFE:  # item / delimiters: always 4-byte length, no VR
        return tag, pos + 8, _u32(data, pos + 4)[0]
    if explicit:
        vr = data[pos + 4:pos + 6]
        if vr in _LONG_VRS:
            if pos + 12 > len(data):
                raise WalkError("truncated element header")
            return tag, pos + 12, _u32(data, pos + 8)[0]
        return tag, pos + 8, _u16(data, pos + 6)[0]
    return tag, pos + 8, _u32(data, pos + 4)[0]


def _skip_undefined(data: bytes, pos: int, explicit: bool) -> int:
    """Position after the sequence delimiter of an undefined-length sequence starting at ``pos``."""
    while True:
        tag, vpos, length = _element(data, pos, explicit)
        if tag == _SEQ_END:
            return vpos
        if tag != _ITEM:
            raise WalkError("unexpected element inside a sequence")
        if length != _UNDEFINED:
            pos = vpos + length
            continue
        pos = vpos  # item of undefined length: its elements up to the item delimiter
        while True:
            tag, vpos, length = _element(data, pos, explicit)
            if tag == _ITEM_END:
                pos = vpos
                break
            pos = _skip_undefined(data, vpos, explicit) if length == _UNDEFINED else vpos + length


def walk(data: bytes, wanted: set[int]) -> tuple[str, dict[int, bytes], int | None, int | None]:
    """Walk a Part-10 file's bytes (possibly only its beginning).

    Returns (transfer syntax UID, {tag: raw value bytes} for the wanted top-level tags, pixel
    value offset, pixel value length); the pixel entries are None when the pixel data element
    lies beyond ``data``.
    """
    if len(data) < 132 or data[128:132] != b"DICM":
        raise WalkError("no DICOM preamble")
    pos = 132
    ts = ""
    while pos + 8 <= len(data) and _u16(data, pos)[0] == 0x0002:  # file meta: explicit VR LE
        tag, vpos, length = _element(data, pos, True)
        if tag == 0x00020010:
            ts = data[vpos:vpos + length].rstrip(b" \x00").decode("ascii", "replace")
        pos = vpos + length
    if ts not in (EXPLICIT_LE, IMPLICIT_LE):
        raise WalkError(f"transfer syntax {ts or 'missing'} needs the full parser")
    explicit = ts == EXPLICIT_LE
    found: dict[int, bytes] = {}
    n = len(data)
    while pos + 8 <= n:
        tag, vpos, length = _element(data, pos, explicit)
        if tag == PIXEL_DATA:
            if length == _UNDEFINED:
                raise WalkError("encapsulated (compressed) pixel data")
            return ts, found, vpos, length
        if length == _UNDEFINED:
            pos = _skip_undefined(data, vpos, explicit)
            continue
        if tag in wanted:
            if vpos + length > n:
                raise WalkError("truncated value")
            found[tag] = data[vpos:vpos + length]
        pos = vpos + length
    return ts, found, None, None


def header_elements(data: bytes, wanted: set[int], groups: tuple[int, ...] = ()) -> tuple[bool, dict, int]:
    """The wanted top-level elements of a Part-10 file's header bytes, with their VR.

    Returns (explicit VR?, {tag: (VR bytes or None when implicit, raw value bytes, undefined
    length?)}, pixel value offset) for the tags in ``wanted`` and every tag of the ``groups``;
    a sequence of undefined length is kept as its bytes up to and including its delimiter.
    Raises :class:`WalkError` when the header (up to the pixel data) is not within ``data``.
    """
    ts, _found, poff, _plen = walk(data, set())
    if poff is None:
        raise WalkError("no pixel data within the bytes given")
    explicit = ts == EXPLICIT_LE
    pos = 132
    while _u16(data, pos)[0] == 0x0002:  # the file meta group
        _tag, vpos, length = _element(data, pos, True)
        pos = vpos + length
    found: dict[int, tuple] = {}
    while pos < poff:
        tag, vpos, length = _element(data, pos, explicit)
        undefined = length == _UNDEFINED
        end = _skip_undefined(data, vpos, explicit) if undefined else vpos + length
        if tag in wanted or (tag >> 16) in groups:
            found[tag] = (data[pos + 4:pos + 6] if explicit else None, data[vpos:end], undefined)
        pos = end
    return explicit, found, poff


def as_int(raw: bytes | None) -> int | None:
    """US value (little endian)."""
    return None if raw is None or len(raw) < 2 else _u16(raw, 0)[0]


def as_floats(raw: bytes | None) -> list[float] | None:
    """DS/IS value(s) as floats (None when absent, empty or not numeric)."""
    if raw is None:
        return None
    text = raw.rstrip(b" \x00")
    if not text.strip():
        return None
    try:
        return [float(part) for part in text.split(b"\\")]
    except ValueError:
        return None


def as_str(raw: bytes | None) -> str:
    """CS/UI value as ASCII text ('' when absent)."""
    return "" if raw is None else raw.rstrip(b" \x00").decode("ascii", "replace").strip()


def overrun(path, include_pixels: bool = True) -> tuple[int, int, int] | None:
    """The first top-level data-set element whose declared length runs past the end of the file.

    The file meta group is left to the full parser; with ``include_pixels`` False the walk stops at
    the pixel data (a header-only read does not judge the pixels).

    Returns (tag, declared length, bytes left in the file after its header) or None when every
    length fits (or the file is not one the walker reads: then the full parser judges it). The file
    is memory-mapped, so a header that declares gigabytes costs nothing to check.
    """
    import mmap

    with open(path, "rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file
            return None
    try:
        if len(data) < 132 or data[128:132] != b"DICM":
            return None
        n, pos, ts = len(data), 132, ""
        while pos + 8 <= n and _u16(data, pos)[0] == 0x0002:
            tag, vpos, length = _element(data, pos, True)
            if length == _UNDEFINED or vpos + length > n:
                return None  # a damaged meta group: the full parser reports it
            if tag == 0x00020010:
                ts = bytes(data[vpos:vpos + length]).rstrip(b" \x00").decode("ascii", "replace")
            pos = vpos + length
        if ts not in (EXPLICIT_LE, IMPLICIT_LE) and not ts.startswith("1.2.840.10008.1.2.4"):
            return None  # big endian, deflated: the full parser decides
        explicit = ts != IMPLICIT_LE
        while pos + 8 <= n:
            tag, vpos, length = _element(data, pos, explicit)
            if tag == PIXEL_DATA and not include_pixels:
                return None
            if length == _UNDEFINED:
                if tag == PIXEL_DATA:
                    return None  # encapsulated fragments: the decoder checks them
                pos = _skip_undefined(data, vpos, explicit)
                continue
            if vpos + length > n:
                return tag, length, n - vpos
            pos = vpos + length
        return None
    except (WalkError, struct.error, RecursionError):
        return None
    finally:
        data.close()
