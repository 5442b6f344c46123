"""Lossless transfer syntaxes for thin lines: which to offer when sending, and re-encoding a dataset to them.

Three choices, all lossless (the receiver decodes the same pixel values):

- ``jpeg-ls``: JPEG-LS Lossless (1.2.840.10008.1.2.4.80), pixel data only (pyjpegls);
- ``j2k``: JPEG 2000 Image Compression (Lossless Only) (1.2.840.10008.1.2.4.90), pixel data only
  (pylibjpeg-openjpeg);
- ``deflate``: Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99), the whole dataset deflated
  (zlib; any SOP class, pixel data stay native).

The pixel codecs apply to image storage classes with 8 or 16 bits allocated; deflate to any
uncompressed dataset. A dataset that cannot be encoded goes as stored (a warning, never a failure).
"""

from __future__ import annotations

from workstation.net.logs import net_logger

log = net_logger()

JPEG_LS, J2K, DEFLATE = "jpeg-ls", "j2k", "deflate"
COMPRESSIONS = (JPEG_LS, J2K, DEFLATE)

_UIDS = {JPEG_LS: "1.2.840.10008.1.2.4.80", J2K: "1.2.840.10008.1.2.4.90", DEFLATE: "1.2.840.10008.1.2.1.99"}
EXPLICIT_LE, IMPLICIT_LE = "1.2.840.10008.1.2.1", "1.2.840.10008.1.2"
UNCOMPRESSED = (EXPLICIT_LE, IMPLICIT_LE)

IMAGE_CLASSES = frozenset({
    "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.4",
    "1.2.840.10008.5.1.4.1.1.20", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.7.4"})


def check(name: str) -> str:
    """``name`` if it is '' or a known compression; ValueError naming the choices otherwise."""
    if name not in ("", *COMPRESSIONS):
        raise ValueError(f"compress={name!r}: expected one of {', '.join(COMPRESSIONS)} (or nothing)")
    return name


def target_uid(name: str) -> str:
    """The transfer syntax UID of a compression."""
    return _UIDS[check(name)]


def applies(name: str, sop_class: str, stored_ts: str) -> bool:
    """Is a dataset of this SOP class, stored in ``stored_ts``, re-encoded by ``name``?"""
    if not name or stored_ts not in UNCOMPRESSED:
        return False
    return name == DEFLATE or sop_class in IMAGE_CLASSES


def accepted(assoc, sop_class: str, ts: str) -> bool:
    """Did the peer accept ``ts`` for ``sop_class`` on this association?"""
    return any(cx.abstract_syntax == sop_class and cx.transfer_syntax[0] == ts for cx in assoc.accepted_contexts)


def encode(ds, name: str):
    """The dataset re-encoded losslessly by ``name`` (the same SOP instance); as is when it cannot be."""
    from pydicom.uid import UID

    uid = UID(target_uid(name))
    try:
        if name == DEFLATE:
            ds.file_meta.TransferSyntaxUID = uid  # pynetdicom deflates the encoded dataset on the wire
            return ds
        if int(ds.get("BitsAllocated", 0)) not in (8, 16) or "PixelData" not in ds:
            return ds
        ds.compress(uid, generate_instance_uid=False)  # lossless: the same instance
    except Exception as exc:  # noqa: BLE001 - sent as stored instead
        log.warning("%s encoding not possible (%s); sent as stored", name, type(exc).__name__)
    return ds


def fit(ds, assoc, what: str = "C-STORE"):
    """The dataset in a transfer syntax the peer accepted for its SOP class on ``assoc``: as stored when
    accepted, else decompressed (lossless: the same pixel values) when it accepted only uncompressed ones.
    (pynetdicom converts between the uncompressed syntaxes by itself.)"""
    sop, ts = str(ds.SOPClassUID), str(ds.file_meta.TransferSyntaxUID)
    tss = {str(cx.transfer_syntax[0]) for cx in assoc.accepted_contexts if cx.abstract_syntax == sop}
    if ts in tss or not tss or ts in UNCOMPRESSED:
        return ds
    try:
        if ds.file_meta.TransferSyntaxUID.is_deflated:
            from pydicom.uid import ExplicitVRLittleEndian

            ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian  # read inflated: only the label changes
        elif ds.file_meta.TransferSyntaxUID.is_compressed:
            ds.decompress(generate_instance_uid=False)  # the same instance, only re-encoded
    except Exception as exc:  # noqa: BLE001 - sent as stored; the peer's refusal is then counted as failed
        log.warning("%s: cannot decompress an instance for the peer (%s)", what, type(exc).__name__)
    return ds


def contexts_for(pairs, name: str = "", limit: int = 128) -> list:
    """Presentation contexts for (SOP class → stored transfer syntaxes): per class, one context with the
    compressed syntax alone when ``name`` applies, one with the stored syntaxes, and — when something is
    stored compressed — one with the uncompressed syntaxes, so that a peer refusing compression still gets
    every instance (decompressed by :func:`fit`). The peer's answer per context tells what it accepts."""
    from pynetdicom import build_context

    out = []
    for sop, tss in sorted(pairs.items()):
        tss = sorted(set(tss))
        if name and any(applies(name, sop, t) for t in tss):
            out.append(build_context(sop, [target_uid(name)]))
        # stored Implicit VR may also go Explicit (never the other way: Explicit keeps each element's VR)
        stored = tss + ([EXPLICIT_LE] if EXPLICIT_LE not in tss and set(tss) <= set(UNCOMPRESSED) else [])
        out.append(build_context(sop, stored))
        if not set(tss) <= set(UNCOMPRESSED):
            out.append(build_context(sop, list(UNCOMPRESSED)))
    if len(out) > limit:
        raise ValueError(f"{len(out)} presentation contexts needed (at most {limit}): send in parts")
    return out
