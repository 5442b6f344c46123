"""Exports name the functional image as what it is: a Lu-177 tomogram stored as PT exports "SPECT lesions",
"SPECT lesion measurements" and "SPECT key images"; an F-18 PET keeps "PET ..."."""

import numpy as np
import pydicom
import pytest

from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset

KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
        "AcquisitionTime", "PatientWeight", "RadiopharmaceuticalInformationSequence", "DecayFactor")


def _series(folder, **kw):
    a = np.full((8, 16, 16), 100, np.int16)
    a[3:5, 6:9, 6:9] = 20000
    ds = pet_dataset(**kw)
    write_series(folder, a, origin=(0, 0, 0), spacing_ijk=(4.0, 4.0, 4.0), modality="PT", slopes=[10.0] * 8,
                 extra={k: ds.get(k) for k in KEYS if k in ds})
    return folder


@pytest.mark.parametrize("nuclide,word", [("lu", "SPECT"), ("f18", "PET")])
def test_series_descriptions_follow_the_modality(tmp_path, nuclide, word):
    from workstation.analysis.lesions.findings import export, measure
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.loader import load_pet_folder

    kw = dict(units="BQML", weight=80.0, dose=7.2e9 if nuclide == "lu" else 3.7e8)
    if nuclide == "lu":
        kw.update(decay_correction="ADMIN", half_life=574300.8, radionuclide_code=("C-101ED", "99SDM", "177 Lutetium"),
                  decay_factor=1.0)
    pet = load_pet_folder(_series(tmp_path / "pt", **kw))
    assert pet.functional_modality == word
    res = compute_suv(pet.pet)
    thr = 0.5 * float(np.max(pet.array)) * res.factor
    reading = measure(pet, res, f"fixed:{thr:.4g}")
    assert reading.lesions
    seg = export(reading, "seg", tmp_path / "seg.dcm")[0]
    sr = export(reading, "sr", tmp_path / "sr.dcm")[0]
    sc = export(reading, "sc", tmp_path / "key.dcm")[0]
    assert pydicom.dcmread(seg, stop_before_pixels=True).SeriesDescription == f"{word} lesions"
    assert pydicom.dcmread(sr, stop_before_pixels=True).SeriesDescription == f"{word} lesion measurements"
    assert pydicom.dcmread(sc, stop_before_pixels=True).SeriesDescription == f"{word} key images"
