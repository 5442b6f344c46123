"""C-FIND matching rules (PS3.4 C.2.2.2), worked by hand: universal, single value, wildcard, UID list, range,
multi-valued attributes; and the answer carries every key asked for."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from workstation.net.query_scp import key_matches, response_identifier


@pytest.mark.parametrize("vr,query,value,expected", [
    ("LO", "", "anything", True),                       # universal
    ("LO", "*", "anything", True),
    ("LO", "PET*", "PET WB", True),
    ("LO", "PET*", "CT WB", False),
    ("LO", "P?T", "PET", True),
    ("LO", "P?T", "PEET", False),
    ("LO", "pet", "PET", False),                        # case-sensitive outside person names
    ("PN", "wang*", "WANG^XIAOMING", True),             # person names: case-insensitive
    ("PN", "王*", "王^小明", True),
    ("PN", "LI^WEI", "li^wei", True),
    ("LO", "a[b]c", "a[b]c", True),                     # brackets are not wildcards in DICOM
    ("LO", "a[b]c", "abc", False),
    ("UI", "1.2.3\\1.2.4", "1.2.4", True),              # UID list
    ("UI", "1.2.3\\1.2.4", "1.2.40", False),
    ("UI", "1.2.3", "1.2.3.4", False),
    ("DA", "20240101-20240131", "20240115", True),      # date ranges
    ("DA", "20240101-20240131", "20240201", False),
    ("DA", "-20231231", "20240101", False),
    ("DA", "20240101-", "20240101", True),
    ("DA", "20240101", "20240102", False),
    ("DA", "20240101-", "", False),                     # a range never matches an unknown date
    ("TM", "0800-1000", "093000", True),                # time ranges: partial bounds
    ("TM", "0800-1000", "100059", True),                # a bound names a whole minute: 10:00 includes 10:00:59
    ("TM", "0800-1000", "100100", False),
    ("TM", "0800-1000", "075959", False),
    ("TM", "0800-1000", "10:00:00", True),
    ("CS", ["PT", "MR"], ["CT", "PT"], True),           # multi-valued: any value of each side
    ("CS", "MR", ["CT", "PT"], False),
])
def test_key_matches(vr, query, value, expected):
    assert key_matches("X", vr, query, value) is expected


def test_answer_has_every_key_asked_for():
    q = Dataset()
    q.QueryRetrieveLevel = "STUDY"
    q.StudyInstanceUID = ""
    q.PatientName = ""
    q.StudyID = ""  # not in the index: returned empty
    q.ModalitiesInStudy = ""
    q.RetrieveAETitle = ""
    row = {"StudyInstanceUID": "1.2.3", "PatientName": "王^小明", "ModalitiesInStudy": ["CT", "PT"]}
    ds = response_identifier(q, row, "STUDY", "HUB")
    assert ds.StudyInstanceUID == "1.2.3" and str(ds.PatientName) == "王^小明"
    assert ds.StudyID in (None, "") and list(ds.ModalitiesInStudy) == ["CT", "PT"]
    assert ds.RetrieveAETitle == "HUB" and ds.SpecificCharacterSet == "ISO_IR 192"
