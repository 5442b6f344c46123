"""Listing a study's structures from headers only: RTSTRUCT ROIs and SEG segments with names, numbers and
colours, the structure series picked from a series list by modality and study, a broken file named, and one
structure filled on demand (the same mask as ``structures_on_grid``)."""

from types import SimpleNamespace

import numpy as np

from seg_factory import circle, write_rtstruct, write_seg
from workstation.analysis.lesions.structures import (list_structures, structure_mask, structures_on_grid,
                                             study_structure_files)
from workstation.testing import synthetic_study as syn


def test_study_structure_files_by_modality_and_study():
    series = [SimpleNamespace(modality="PT", study_uid="A", files=["pet1", "pet2"]),
              SimpleNamespace(modality="RTSTRUCT", study_uid="A", files=["rs_a"]),
              SimpleNamespace(modality="SEG", study_uid="A", files=["seg_a"]),
              SimpleNamespace(modality="RTSTRUCT", study_uid="B", files=["rs_b"])]
    assert study_structure_files(series, "A") == ["rs_a", "seg_a"]
    assert study_structure_files(series) == ["rs_a", "rs_b", "seg_a"]


def test_list_structures_reads_names_numbers_colours(tmp_path):
    rs = write_rtstruct(tmp_path / "rs.dcm", [(3, "GTV lesion", (255, 0, 0), [circle(40.0, -10.0, 9.0, 10.0)]),
                                              (7, "liver", (0, 0, 255), [circle(-30.0, 0.0, -21.0, 15.0)])])
    frame = np.zeros((4, 5), np.uint8)
    frame[1, 2] = 1
    seg = write_seg(tmp_path / "seg.dcm", [(1, (0.0, 0.0, 0.0), frame), (2, (0.0, 0.0, 4.0), frame)],
                    segments=[(1, "spleen"), (2, "kidney")])
    broken = tmp_path / "broken.dcm"
    broken.write_bytes(b"not a dicom file")
    entries, problems = list_structures([str(rs), str(seg), str(broken)])
    got = [(e.kind, e.number, e.name) for e in entries]
    assert got == [("RTSTRUCT", 3, "GTV lesion"), ("RTSTRUCT", 7, "liver"), ("SEG", 1, "spleen"), ("SEG", 2, "kidney")]
    assert entries[0].colour == (255, 0, 0) and entries[1].colour == (0, 0, 255)
    assert len(problems) == 1 and problems[0].startswith("broken.dcm")
    # on demand: the mask of one listed structure is the one structures_on_grid gives for it
    pet = syn.make_pet()
    m = structure_mask(entries[0], pet.geometry)
    ref = {st.number: mask for st, mask in structures_on_grid(str(rs), pet.geometry)}
    assert m.any() and np.array_equal(m, ref[3])
