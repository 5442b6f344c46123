"""Every text element decodes through one charset rule: names, descriptions and code strings alike."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from workstation.testing.dicom_factory import write_series

from workstation.io import dicom_text
from workstation.io.scan import read_record


def _file(tmp_path, charset):
    return write_series(tmp_path, np.zeros((1, 2, 2), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                        charset=charset)[0]


def _set_raw(path, **raw):
    ds = pydicom.dcmread(path)
    for keyword, value in raw.items():
        ds[keyword].value = value
    ds.save_as(path)


def test_iso2022_ir58_name_without_the_trailing_equals(tmp_path):
    p = _file(tmp_path, ["", "ISO 2022 IR 58"])
    # alphabetic = ideographic = (empty phonetic), as Chinese modalities write it
    _set_raw(p, PatientName=b"Wang^XiaoDong=\x1b$)A\xcd\xf5^\xd0\xa1\xb6\xab\x1b(B=")
    ds = pydicom.dcmread(p)
    assert dicom_text.person_name(ds) == "Wang^XiaoDong=王^小东"
    assert read_record(str(p)).patient_name == "Wang^XiaoDong=王^小东"


@pytest.mark.parametrize("charset,encoding", [("GB18030", "gb18030"), ("GBK", "gbk"), ("ISO_IR 192", "utf-8"),
                                              (["", "ISO 2022 IR 58"], "gb2312")])
def test_every_text_kind_decodes_with_the_declared_charset(tmp_path, charset, encoding):
    p = _file(tmp_path, charset)
    values = {"StudyDescription": "胸部 PET/CT", "SeriesDescription": "全身 衰减校正",
              "InstitutionName": "北京协和医院", "ImageComments": "注释文本"}

    def encoded(text):
        raw = text.encode(encoding)
        if encoding == "gb2312":
            raw = b"\x1b$)A" + raw
        return raw + b" " * (len(raw) % 2)

    ds = pydicom.dcmread(p)
    for keyword, text in values.items():
        ds.add_new(keyword, pydicom.datadict.dictionary_VR(keyword), encoded(text))
    ds.save_as(p)
    # PatientSex is CS: pydicom will not write non-ASCII there, so the bytes are put in place directly
    data = p.read_bytes()
    old = b"\x10\x00\x40\x00CS\x02\x00M "
    assert data.count(old) == 1
    sex = encoded("男")
    p.write_bytes(data.replace(old, b"\x10\x00\x40\x00CS" + len(sex).to_bytes(2, "little") + sex))
    values["PatientSex"] = "男"
    back = pydicom.dcmread(p)
    for keyword, text in values.items():
        assert dicom_text.text(back, keyword) == text, keyword
    rec = read_record(str(p))
    assert rec.patient_sex == "男" and rec.study_description == "胸部 PET/CT"


def test_unknown_charset_falls_back_without_crashing(tmp_path):
    p = _file(tmp_path, "ISO_IR 999")
    _set_raw(p, SeriesDescription="胸部".encode("utf-8"))
    assert dicom_text.text(pydicom.dcmread(p), "SeriesDescription") == "胸部"
