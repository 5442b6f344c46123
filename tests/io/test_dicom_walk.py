"""The minimal header walker agrees with pydicom on the values it reads and on where pixels start."""

import io

import numpy as np
import pydicom
import pytest

from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset
from workstation.io import dicom_walk as dw

TAGS = {"ImagePositionPatient": 0x00200032, "ImageOrientationPatient": 0x00200037, "PixelSpacing": 0x00280030,
        "Rows": 0x00280010, "RescaleSlope": 0x00281053, "Modality": 0x00080060, "SOPInstanceUID": 0x00080018}


@pytest.mark.parametrize("implicit", [False, True])
def test_walker_matches_pydicom_across_sequences(tmp_path, implicit):
    ds_pet = pet_dataset()  # has a RadiopharmaceuticalInformationSequence with a nested code sequence
    extra = {k: ds_pet[k].value for k in ("RadiopharmaceuticalInformationSequence", "Units", "DecayCorrection")}
    p = write_series(tmp_path, (np.arange(2 * 5 * 6).reshape(2, 5, 6) - 7).astype(np.int16), origin=(1.5, -2, 3),
                     spacing_ijk=(0.7, 0.9, 2.5), modality="PT", slopes=[0.25, 0.5], extra=extra)[0]
    if implicit:
        ds = pydicom.dcmread(p)
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
        ds.save_as(p, implicit_vr=True, little_endian=True, enforce_file_format=True)
    data = p.read_bytes()
    ts, raw, poff, plen = dw.walk(data, set(TAGS.values()))
    ref = pydicom.dcmread(p)
    assert ts == str(ref.file_meta.TransferSyntaxUID)
    assert dw.as_floats(raw[TAGS["ImagePositionPatient"]]) == [float(v) for v in ref.ImagePositionPatient]
    assert dw.as_floats(raw[TAGS["ImageOrientationPatient"]]) == [float(v) for v in ref.ImageOrientationPatient]
    assert dw.as_floats(raw[TAGS["PixelSpacing"]]) == [float(v) for v in ref.PixelSpacing]
    assert dw.as_floats(raw[TAGS["RescaleSlope"]]) == [float(ref.RescaleSlope)]
    assert dw.as_int(raw[TAGS["Rows"]]) == ref.Rows
    assert dw.as_str(raw[TAGS["Modality"]]) == "PT" and dw.as_str(raw[TAGS["SOPInstanceUID"]]) == ref.SOPInstanceUID
    assert data[poff:poff + plen] == ref.PixelData


def test_walker_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(dw.WalkError):
        dw.walk(b"\x00" * 200, set())
    p = write_series(tmp_path, np.zeros((1, 64, 64), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1))[0]
    ds = pydicom.dcmread(p)
    ds.compress(pydicom.uid.RLELossless)
    buf = io.BytesIO()
    ds.save_as(buf)
    with pytest.raises(dw.WalkError):
        dw.walk(buf.getvalue(), set())
