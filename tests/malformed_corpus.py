"""A generated corpus of malformed DICOM files, one small series per case (test fixture).

Each case starts from one valid 1-slice image (4 x 5 pixels) with its own study and series UIDs
and breaks one thing, either through pydicom or by editing the written bytes (for values pydicom
refuses to write). ``CASES`` maps a case name to (builder, expectation): the expectation is
either ``"loads"`` or the fragments the refusal message must contain (the file name is always
required too). The patient name and ID are fixed marker strings so that tests can check that
they never reach stderr or the log.
"""

from __future__ import annotations

import struct
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, RLELossless, generate_uid

SECRET_NAME = "LEAKCHECK^ZEBULONA"  # even length (patched in place below)
SECRET_ID = "PIDLEAK9137"
SECRET_BIRTH = "19230405"
CT_SOP = "1.2.840.10008.5.1.4.1.1.2"
PET_SOP = "1.2.840.10008.5.1.4.1.1.128"
ENHANCED_CT_SOP = "1.2.840.10008.5.1.4.1.1.2.1"
ROWS, COLS = 4, 5


def base_dataset(modality: str = "CT", *, description: str = "case") -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = PET_SOP if modality == "PT" else CT_SOP
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.FrameOfReferenceUID = generate_uid()
    ds.Modality = modality
    ds.PatientName = SECRET_NAME
    ds.PatientID = SECRET_ID
    ds.PatientBirthDate = SECRET_BIRTH
    ds.SeriesDescription = description
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.ImagePositionPatient = [0.0, 0.0, 0.0]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.PixelSpacing = [1.0, 1.0]
    ds.SliceThickness = 2.0
    ds.Rows, ds.Columns = ROWS, COLS
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.RescaleSlope, ds.RescaleIntercept = 1.0, 0.0
    ds.PixelData = np.arange(ROWS * COLS, dtype="<i2").tobytes()
    return ds


def save(ds: Dataset, path: Path, *, ts=ExplicitVRLittleEndian) -> Path:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)
    return path


def _patch(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert data.count(old) == 1, (path, old)
    path.write_bytes(data.replace(old, new))


def _explicit(tag: int, vr: bytes, value: bytes) -> bytes:
    return struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr + struct.pack("<H", len(value)) + value


# ---------------------------------------------------------------------- the cases
def good(path):
    return save(base_dataset(description="good"), path)


def truncated_pixels(path):
    save(base_dataset(), path)
    data = path.read_bytes()
    path.write_bytes(data[:-12])
    return path


def truncated_header(path):
    save(base_dataset(), path)
    path.write_bytes(path.read_bytes()[:300])
    return path


def _without(keyword):
    def build(path):
        ds = base_dataset()
        delattr(ds, keyword)
        ds["PixelData"].VR = "OW"  # pydicom cannot infer OB/OW without BitsAllocated
        return save(ds, path)
    build.__name__ = f"missing_{keyword}"
    return build


def is_1a(path):
    ds = base_dataset()
    ds.NumberOfFrames = "11"
    save(ds, path)
    _patch(path, _explicit(0x00280008, b"IS", b"11"), _explicit(0x00280008, b"IS", b"1A"))
    return path


def empty_per_frame(path):
    ds = base_dataset()
    ds.SOPClassUID = ENHANCED_CT_SOP
    for k in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
        delattr(ds, k)
    ds.NumberOfFrames = 2
    ds.PerFrameFunctionalGroupsSequence = []
    shared = Dataset()
    po = Dataset()
    po.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    shared.PlaneOrientationSequence = [po]
    ds.SharedFunctionalGroupsSequence = [shared]
    ds.PixelData = np.zeros((2, ROWS, COLS), "<i2").tobytes()
    return save(ds, path)


def zero_length_pixels(path):
    ds = base_dataset()
    ds.PixelData = b""
    return save(ds, path)


def no_fragment_table(path):
    """RLE-encapsulated pixel data whose first item is a fragment, not the (empty) offset table."""

    ds = base_dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.compress(RLELossless, encoding_plugin="pydicom")
    fragments = list(pydicom.encaps.generate_fragments(ds.PixelData))  # [offset table, frame]
    # items without the leading Basic Offset Table item
    body = b"".join(struct.pack("<HHI", 0xFFFE, 0xE000, len(f)) + f for f in fragments[1:]) + \
        struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    ds.PixelData = body
    ds["PixelData"].is_undefined_length = True
    ds["PixelData"].VR = "OB"
    return save(ds, path, ts=RLELossless)


def _bad_ds(keyword, text):
    def build(path):
        ds = base_dataset()
        setattr(ds, keyword, "7.5")
        save(ds, path)
        tag = pydicom.datadict.tag_for_keyword(keyword)
        old = _explicit(tag, b"DS", b"7.5 ")
        value = text.encode() + (b" " if len(text) % 2 else b"")
        _patch(path, old, _explicit(tag, b"DS", value))
        return path
    build.__name__ = f"{keyword}_{text}"
    return build


def zero_rows(path):
    ds = base_dataset()
    ds.Rows = 0
    return save(ds, path)


def wrong_vr_rows(path):
    """Rows written with VR LO and a text value instead of US."""
    ds = base_dataset()
    save(ds, path)
    _patch(path, _explicit(0x00280010, b"US", struct.pack("<H", ROWS)), _explicit(0x00280010, b"LO", b"four"))
    return path


def wrong_vr_spacing(path):
    """PixelSpacing (DS) holding words."""
    ds = base_dataset()
    ds.PixelSpacing = [1.5, 1.5]
    save(ds, path)
    _patch(path, _explicit(0x00280030, b"DS", b"1.5\\1.5 "), _explicit(0x00280030, b"DS", b"abc\\def "))
    return path


def bad_charset(path):
    """A character set nobody knows, with a non-ASCII name: loads, the name decodes somehow."""
    ds = base_dataset(description="bad charset")
    ds.SpecificCharacterSet = "ISO_IR 999"
    save(ds, path)
    _patch(path, _explicit(0x00100010, b"PN", SECRET_NAME.encode()),
           _explicit(0x00100010, b"PN", SECRET_NAME.encode()[:-2] + b"\xe9\xe9"))
    return path


def no_preamble(path):
    """File meta and dataset, but no 128-byte preamble and no 'DICM' (written by old software)."""
    ds = base_dataset(description="no preamble")
    save(ds, path)
    data = path.read_bytes()
    path.write_bytes(data[132:])
    return path


def acr_nema(path):
    """No preamble, no file meta: a bare implicit-VR little-endian dataset (old ACR-NEMA style)."""
    ds = base_dataset(description="acr-nema")
    buf = BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=False, implicit_vr=True, little_endian=True)
    path.write_bytes(buf.getvalue())
    return path


def not_dicom(path):
    path.write_bytes(b"this is a text file, not an image\n" * 8)
    return path


def deep_sequences(path, depth: int = 3000):
    """Undefined-length sequences nested far deeper than any real file (recursion), written as bytes."""
    save(base_dataset(), path)
    seq_open = struct.pack("<HH", 0x0040, 0xA730) + b"SQ\0\0" + struct.pack("<I", 0xFFFFFFFF) + \
        struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    seq_close = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    nested = seq_open * depth + seq_close * depth
    data = path.read_bytes()
    pixel_tag = struct.pack("<HH", 0x7FE0, 0x0010)
    at = data.rindex(pixel_tag)
    path.write_bytes(data[:at] + nested + data[at:])
    return path


def phi_in_uid(path):
    """A UID element holding the patient's ID and name: pydicom's VR warning would quote it."""
    ds = base_dataset(description="phi in uid")
    ds.FrameOfReferenceUID = "1.2.3"
    save(ds, path)
    bad = f"{SECRET_ID}^{SECRET_NAME}".encode()
    _patch(path, _explicit(0x00200052, b"UI", b"1.2.3\0"), _explicit(0x00200052, b"UI", bad))
    return path


def long_name(path):
    """A person name longer than PN allows (64 characters per group): pydicom warns with the value."""
    ds = base_dataset(description="long name")
    save(ds, path)
    long = (SECRET_NAME + "^" + "Q" * 80).encode()
    long += b" " * (len(long) % 2)
    _patch(path, _explicit(0x00100010, b"PN", SECRET_NAME.encode()), _explicit(0x00100010, b"PN", long))
    return path


def implicit_ok(path):
    return save(base_dataset(description="implicit"), path, ts=ImplicitVRLittleEndian)


# name -> (builder, "loads" | fragments the refusal must contain)
CASES = {
    "good": (good, "loads"),
    "implicit_ok": (implicit_ok, "loads"),
    "no_preamble": (no_preamble, "loads"),
    "acr_nema": (acr_nema, "loads"),
    "bad_charset": (bad_charset, "loads"),
    "phi_in_uid": (phi_in_uid, "loads"),
    "long_name": (long_name, "loads"),
    "truncated_pixels": (truncated_pixels, ["PixelData (7FE0,0010)", "truncated"]),
    "truncated_header": (truncated_header, ["PixelData (7FE0,0010)", "truncated"]),
    "missing_rows": (_without("Rows"), ["Rows (0028,0010)", "missing"]),
    "missing_columns": (_without("Columns"), ["Columns (0028,0011)", "missing"]),
    "missing_bits_allocated": (_without("BitsAllocated"), ["BitsAllocated (0028,0100)", "missing"]),
    "is_1a": (is_1a, ["NumberOfFrames (0028,0008)", "not an integer", "'1A'"]),
    "empty_per_frame": (empty_per_frame, ["PerFrameFunctionalGroupsSequence (5200,9230)", "0 item(s) for 2 frames"]),
    "zero_length_pixels": (zero_length_pixels, ["PixelData (7FE0,0010)", "empty"]),
    "no_fragment_table": (no_fragment_table, ["PixelData (7FE0,0010)", "could not be decoded"]),
    "nan_slope": (_bad_ds("RescaleSlope", "NaN"), ["RescaleSlope (0028,1053)", "nan", "refused"]),
    "inf_intercept": (_bad_ds("RescaleIntercept", "inf"), ["RescaleIntercept (0028,1052)", "inf", "refused"]),
    "zero_rows": (zero_rows, ["Rows (0028,0010)", "is 0"]),
    "wrong_vr_rows": (wrong_vr_rows, ["Rows (0028,0010)", "not an integer", "'four'"]),
    "wrong_vr_spacing": (wrong_vr_spacing, ["PixelSpacing (0028,0030)", "not numeric"]),
    "deep_sequences": (deep_sequences, ["nested too deeply"]),
}

# cases the header scan itself refuses (they never form a series)
NOT_INDEXED = {"not_dicom": "not a DICOM file", "deep_sequences": "unreadable DICOM header (RecursionError",
               "truncated_header": "unreadable DICOM header (ValueError: missing SOPInstanceUID"}


def build_corpus(root: Path) -> dict[str, Path]:
    """Write every case into its own sub-folder of ``root``; returns name -> file path."""
    root = Path(root)
    out = {}
    for name, (builder, _) in CASES.items():
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        out[name] = builder(d / "img.dcm")
    d = root / "not_dicom"
    d.mkdir(exist_ok=True)
    out["not_dicom"] = not_dicom(d / "img.dcm")
    return out
