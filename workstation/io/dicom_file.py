"""Opening one DICOM file: Part-10 files, and the preamble-less (ACR-NEMA style) files old CDs carry.

A Part-10 file starts with a 128-byte preamble, "DICM" and the file meta group. Older modalities
and some CD writers omit the preamble (and sometimes the whole meta group): pydicom refuses those
unless forced. Forcing makes pydicom read almost any bytes as *something*, so a forced read is
accepted only when the result looks like a DICOM image dataset (it carries the identifying UIDs);
the transfer syntax pydicom guessed is then written into the in-memory file meta so pixel data
decodes. Everything else is refused with :class:`NotDicomError`. Files are opened read-only.
"""

from __future__ import annotations

from .errors import NotDicomError

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
