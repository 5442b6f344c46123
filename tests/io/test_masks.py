import numpy as np
import pytest

from workstation.core import ImageGeometry
from workstation.io.errors import DicomError
from workstation.io.masks import read_mask
from workstation.io.nifti import write_nifti


def test_dcmqi_seg_volume_matches_reference(refdata):
    """The dcmqi example SEG: its TID1500 SR says the segment is 33.5824 mL (sum of voxel volumes)."""
    import json

    ref = json.loads((refdata / "dcmqi-qin-headneck-sr-example" / "expected_values.json").read_text())
    mtv = next(m["value"] for m in ref["measurements"] if m["name"] == "Volume")
    mask, g = read_mask(refdata / "dcmqi-qin-headneck-sr-example" / "seg.dcm")
    assert g.shape[1:] == (128, 128)
    assert np.allclose(g.spacing[:2], ref["seg"]["pixel_spacing_mm"], atol=1e-5)
    assert mask.sum() * g.voxel_volume_ml == pytest.approx(mtv, rel=2e-4)


def test_nifti_labels(tmp_path):
    g = ImageGeometry((4, 5, 6), (1, 1, 2))
    lab = np.zeros(g.shape, np.uint8)
    lab[1, 1:3, 1:3] = 1
    lab[3, 4, 5] = 2
    write_nifti(tmp_path / "l.nii.gz", lab, g)
    m, g2 = read_mask(tmp_path / "l.nii.gz")
    assert m.sum() == 5 and g2 == g
    m2, _ = read_mask(tmp_path / "l.nii.gz", label=2)
    assert m2.sum() == 1 and m2[3, 4, 5]
    with pytest.raises(DicomError, match="empty"):
        read_mask(tmp_path / "l.nii.gz", label=7)


def test_not_a_seg(tmp_path, refdata):
    with pytest.raises(DicomError, match="not a DICOM Segmentation"):
        read_mask(refdata / "dcmqi-qin-headneck-sr-example" / "sr.dcm")
