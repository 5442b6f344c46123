"""Text from DICOM headers, decoded exactly as the file says (or, failing that, as it plainly is).

pydicom decodes person names and other text with the file's Specific Character Set (0008,0005),
including GB18030, GBK and ISO 2022 IR 58 (GB2312). Some files carry non-ASCII bytes without
declaring a character set; for those we try UTF-8 then GB18030 — both strict — before falling back to
Latin-1, so a Chinese name shows as characters, never as escape bytes. Text is returned as plain
``str``: callers show it as plain text and never log patient identity.
"""

from __future__ import annotations

import re
import warnings

_FALLBACK_ENCODINGS = ("utf-8", "gb18030")
# ISO 2022 escape sequences (code extension): designations of G0/G1 sets
_ISO2022_ESCAPES = re.compile(rb"\x1b(?:\$\)A|\$A|\(B|\(J|-A|\$\)C|\$B|\$\(D)")


def _raw_bytes(ds, keyword: str) -> bytes | None:
    try:
        elem = ds.get_item(keyword)
    except (KeyError, AttributeError):
        return None
    if elem is None:
        return None
    value = getattr(elem, "value", None)
    if isinstance(value, (bytes, bytearray)):
        return value
    original = getattr(value, "original_string", None)  # a PersonName pydicom has already decoded (its own way)
    return original if isinstance(original, (bytes, bytearray)) else None


def decode_iso2022_ir58(raw: bytes) -> str:
    """GB2312 under ISO 2022 code extension: drop the escape sequences, decode the EUC-CN bytes.

    Files are written both with and without the ESC $ ) A designations; either way the high-bit
    bytes are GB2312 (a subset of GB18030) and the rest is ASCII.
    """
    return _ISO2022_ESCAPES.sub(b"", bytes(raw)).decode("gb18030", errors="replace").strip(" \x00")


# elements whose values identify the patient: registered with the log's PHI filter when decoded
PHI_KEYWORDS = frozenset({"PatientName", "PatientID", "PatientBirthDate", "OtherPatientIDs", "OtherPatientNames",
                          "PatientMotherBirthName", "PatientAddress", "PatientTelephoneNumbers",
                          "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "AccessionNumber",
                          "IssuerOfPatientID", "PatientBirthName", "MedicalRecordLocator"})


def text(ds, keyword: str, default: str = "") -> str:
    """A header text value as a clean ``str`` ('' when absent)."""
    value = _text(ds, keyword, default)
    if keyword in PHI_KEYWORDS and value:
        from workstation.settings.logs import register_phi

        register_phi(value)
    return value


def _charsets(ds) -> list[str]:
    cs = ds.get("SpecificCharacterSet", None)
    values = [cs] if isinstance(cs, str) else list(cs or [])
    return [str(v).strip() for v in values]


def decode(raw: bytes, ds) -> str:
    """Bytes of a text element decoded by the one rule used for every element (PN, LO, SH, ST, LT, UT, CS...).

    ISO 2022 IR 58 (with or without its escape sequences) is decoded as GB2312; another declared
    character set through pydicom's code-extension decoder; undeclared non-ASCII bytes as strict
    UTF-8, then GB18030, then Latin-1.
    """
    raw = bytes(raw)
    if not any(b > 0x7F or b == 0x1B for b in raw):
        return raw.decode("ascii", errors="replace").strip(" \x00")
    charsets = _charsets(ds)
    if any("IR 58" in c for c in charsets):
        return decode_iso2022_ir58(raw)
    from pydicom.charset import python_encoding

    if any(charsets) and all(c in python_encoding or c == "" for c in charsets):  # unknown ones: the plain rule
        from pydicom.charset import convert_encodings, decode_bytes

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return decode_bytes(raw, convert_encodings(charsets), {"^", "="}).strip(" \x00")
            except Exception:  # noqa: BLE001 - an unknown or lying charset: fall back to the plain rule
                pass
    for enc in _FALLBACK_ENCODINGS:
        try:
            return raw.decode(enc).strip(" \x00")
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1").strip(" \x00")


def _text(ds, keyword: str, default: str = "") -> str:
    raw = _raw_bytes(ds, keyword)
    if raw is not None:
        return decode(raw, ds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = ds.get(keyword, None)
        except Exception:  # undecodable value in a corrupt header
            return default
    if value is None:
        return default
    if isinstance(value, (bytes, bytearray)):
        return decode(value, ds)
    if type(value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in value).strip(" \x00")
    return str(value).strip(" \x00")


def person_name(ds, keyword: str = "PatientName") -> str:
    """A person name for display: components joined as in DICOM ('^'), groups kept ('=').

    Empty trailing groups and components ("WANG^XIAODONG=王^小东=") are dropped.
    """
    return text(ds, keyword).rstrip("=^ ")


def display_name(name: str) -> str:
    """'FAMILY^GIVEN' -> 'FAMILY, GIVEN'; ideographic/phonetic groups kept after the alphabetic one."""
    if not name:
        return ""
    groups = [g for g in name.split("=")]
    shown = []
    for g in groups:
        parts = [p for p in g.split("^") if p]
        if parts:
            shown.append(", ".join(parts[:2]) + (" " + " ".join(parts[2:]) if len(parts) > 2 else ""))
    return " = ".join(shown)
