"""The header scan's fast road (``io.scan._fast_record``: the header bytes walked, no pydicom) gives
the same record as pydicom's parse (``_read_record_pydicom``, the independent reference) for every
file it accepts, and hands every other file to pydicom."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from workstation.io import scan
from workstation.testing.dicom_factory import write_series


def _both(path):
    fast = scan._fast_record(str(path))
    slow = scan._read_record_pydicom(str(path))
    return fast, slow


def _series(tmp_path, name="s", **kw):
    stored = np.arange(3 * 4 * 5, dtype=np.int16).reshape(3, 4, 5)
    return write_series(tmp_path / name, stored, origin=(-10.0, 5.5, 100.25), spacing_ijk=(1.5, 2.0, 3.0), **kw)


def test_plain_series_gives_the_pydicom_record(tmp_path):
    files = _series(tmp_path, patient_name="DOE^JANE^^DR=", patient_id="ID 42", description="CT  abdomen",
                    series_number=7)
    for p in files:
        fast, slow = _both(p)
        assert fast == slow
    assert fast.patient_name == "DOE^JANE^^DR" and fast.series_number == 7 and fast.image_position[2] >= 100.25
    assert scan.read_record(str(files[0])) == scan._read_record_pydicom(str(files[0]))


def test_utf8_names_are_decoded_like_pydicom(tmp_path):
    files = _series(tmp_path, patient_name="WANG^XIAODONG=王^小东=", charset="ISO_IR 192", description="胸部 PET")
    fast, slow = _both(files[0])
    assert fast == slow and "王" in fast.patient_name and fast.series_description == "胸部 PET"


def test_other_character_sets_go_to_pydicom(tmp_path):
    files = _series(tmp_path, patient_name="MÜLLER^JÖRG", charset="ISO_IR 100")
    with pytest.raises(scan._NotFast):
        scan._fast_record(str(files[0]))
    assert scan.read_record(str(files[0])).patient_name == "MÜLLER^JÖRG"
    files = _series(tmp_path, "gb", patient_name="张^三", charset=["", "ISO 2022 IR 58"])
    with pytest.raises(scan._NotFast):
        scan._fast_record(str(files[0]))
    assert scan.read_record(str(files[0])).patient_name == "张^三"


def test_implicit_vr_and_odd_numbers(tmp_path):
    files = _series(tmp_path, extra={"InstanceNumber": "+12"})
    ds = pydicom.dcmread(files[0])
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    out = tmp_path / "implicit.dcm"
    ds.save_as(out, enforce_file_format=True, implicit_vr=True)
    fast, slow = _both(out)
    assert fast == slow and fast.instance_number == 12 and fast.transfer_syntax_uid == pydicom.uid.ImplicitVRLittleEndian


@pytest.mark.parametrize("change", ["no_position", "multiframe", "no_pixels", "float_instance"])
def test_files_the_walker_cannot_judge_go_to_pydicom(tmp_path, change):
    p = _series(tmp_path)[0]
    ds = pydicom.dcmread(p)
    if change == "no_position":
        del ds.ImagePositionPatient
    elif change == "multiframe":
        ds.NumberOfFrames = 2
    elif change == "no_pixels":
        del ds.PixelData
    else:
        ds["InstanceNumber"].value = "3.0"
    ds.save_as(p, enforce_file_format=True)
    with pytest.raises(scan._NotFast):
        scan._fast_record(str(p))
    scan.read_record(str(p))  # pydicom's road reads it (or names the problem) as before


def test_truncated_header_is_named_as_before(tmp_path):
    p = _series(tmp_path)[0]
    data = p.read_bytes()
    p.write_bytes(data[:400])  # cut inside the header
    with pytest.raises(scan._NotFast):
        scan._fast_record(str(p))
    with pytest.raises(Exception) as fast_road:
        scan.read_record(str(p))
    with pytest.raises(Exception) as pydicom_road:
        scan._read_record_pydicom(str(p))
    assert str(fast_road.value) == str(pydicom_road.value)


def test_reference_data_records_agree(refdata):
    files = scan.iter_files([refdata])
    fast = 0
    for p in files:
        try:
            rec = scan._fast_record(p)
        except scan._NotFast:
            continue
        fast += 1
        assert rec == scan._read_record_pydicom(p), p
    assert fast > 0
