"""Opening one DICOM file: Part-10 files, and the preamble-less (ACR-NEMA style) files old CDs carry.

A Part-10 file starts with a 128-byte preamble, "DICM" and the file meta group. Older modalities
and some CD writers omit the preamble (and sometimes the whole meta group): pydicom refuses those
unless forced. Forcing makes pydicom read almost any bytes as *something*, so a forced read is
accepted only when the result looks like a DICOM image dataset (it carries the identifying UIDs);
the transfer syntax pydicom guessed is then written into the in-memory file meta so pixel data
decodes. Everything else is refused with :class:`NotDicomError`. Files are opened read-only.
"""

from __future__ import annotations

from workstation.io.errors import NotDicomError

# at least two of these must be present for a forced (preamble-less) read to count as DICOM
_IDENTITY_TAGS = (0x00080016, 0x00080018, 0x0020000D, 0x0020000E, 0x00080060)


def _looks_like_dicom(ds) -> bool:
    try:
        keys = list(ds.keys())
    except Exception:  # noqa: BLE001
        return False
    if not keys:
        return False
    found = sum(1 for t in _IDENTITY_TAGS if t in ds)
    return found >= 2


def read_dataset(path, *, stop_before_pixels: bool = False, specific_tags=None):
    """The dataset in ``path``; preamble-less files are read when the dataset parses.

    Raises :class:`NotDicomError` for files that are not DICOM; other exceptions (a corrupt
    header) propagate for the caller to report.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    check_declared_lengths(path, include_pixels=not stop_before_pixels)
    try:
        return pydicom.dcmread(path, stop_before_pixels=stop_before_pixels, force=False,
                               specific_tags=specific_tags)
    except InvalidDicomError:
        pass
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=stop_before_pixels, force=True, specific_tags=specific_tags)
    except Exception as exc:  # noqa: BLE001 - forced reading of non-DICOM bytes fails in many ways
        raise NotDicomError(f"{path}: not a DICOM file (no DICOM header, and the bytes do not parse as a "
                            f"dataset: {type(exc).__name__})") from None
    if not _looks_like_dicom(ds):
        raise NotDicomError(f"{path}: not a DICOM file (no DICOM preamble and no identifying UIDs)")
    _fill_transfer_syntax(ds)
    return ds


def check_declared_lengths(path, include_pixels: bool = True) -> None:
    """Refuse a file whose header declares an element longer than the file (truncated or corrupt).

    pydicom would silently take the short remainder as the value; we name the element instead.
    """
    from workstation.io.dicom_walk import overrun

    try:
        found = overrun(path, include_pixels)
    except OSError:
        return  # unreadable: the reader reports it
    if found is None:
        return
    tag, declared, left = found
    from pydicom.datadict import keyword_for_tag

    from workstation.io.errors import HeaderError

    code = f"({tag >> 16:04X},{tag & 0xFFFF:04X})"
    name = f"{keyword_for_tag(tag)} {code}" if keyword_for_tag(tag) else f"element {code}"
    raise HeaderError(f"{path}: {name} declares {declared:,} bytes but the file "
                      f"holds only {max(left, 0):,} more; the file is truncated or its header is corrupt (copy or "
                      "send it again)")


def _fill_transfer_syntax(ds) -> None:
    """Record the encoding pydicom detected as the transfer syntax of a meta-less dataset."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    meta = getattr(ds, "file_meta", None)
    if meta is None:
        meta = ds.file_meta = FileMetaDataset()
    if meta.get("TransferSyntaxUID", None):
        return
    implicit, little = getattr(ds, "original_encoding", (True, True))
    if implicit is None:
        implicit = True
    meta.TransferSyntaxUID = (ImplicitVRLittleEndian if implicit else
                              ExplicitVRLittleEndian if little in (True, None) else ExplicitVRBigEndian)
