"""The demo study read back and compared with its truth: numbers worked out by hand, and the CLI printing them."""

import datetime as dt
import json

import numpy as np
import pytest

from workstation.demo.truth import compare_with_truth
from workstation.cli import main
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.io.dicom_write import PetHeader, StudyInfo, write_series

SCAN = dt.datetime(2026, 5, 4, 10, 0, 0)
DOSE, WEIGHT = 370e6, 70.0
BQ_PER_SUV = DOSE / (WEIGHT * 1000.0)  # injection at the scan start: no decay, SUVbw = C * weight[g] / dose


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    geom = ImageGeometry(shape=(30, 40, 40), spacing=(4.0, 4.0, 4.0), origin=(-78.0, -78.0, -58.0))
    w = geom.kji_to_world(np.argwhere(np.ones(geom.shape, bool))).reshape(*geom.shape, 3)
    arr = np.full(geom.shape, 1.5 * BQ_PER_SUV, np.float32)  # background SUV 1.5
    lesion = np.linalg.norm(w - np.array([10.0, -6.0, 2.0]), axis=-1) <= 15.0
    arr[lesion] = 8.0 * BQ_PER_SUV  # lesion SUV 8
    folder = tmp_path_factory.mktemp("demo")
    study = StudyInfo(patient_weight_kg=WEIGHT, model_name="Demo", manufacturer="Acme").with_uids("demo-truth")
    pet = PetHeader(injected_dose_bq=DOSE, injection_datetime=SCAN, series_datetime=SCAN)
    write_series(Volume(arr, geom, modality="PT", units="BQML"), folder / "pt", modality="PT", study=study, pet=pet)
    truth = {"lesions": [{"name": "lesion_a", "centre_lps_mm": [10.0, -6.0, 2.0], "radius_mm": 15.0, "suv_bw": 8.0}],
             "reference_vois": {"liver": {"centre_lps_mm": [-40.0, 30.0, -20.0], "radius_mm": 12.0, "suv_bw": 1.5},
                                "no_suv": {"centre_lps_mm": [0.0, 0.0, 0.0], "radius_mm": 5.0}}}
    (folder / "truth.json").write_text(json.dumps(truth))
    return folder, truth


def test_rows_by_hand(study):
    folder, truth = study
    c = compare_with_truth(folder, truth)
    assert c.shape_kji == (30, 40, 40) and c.spacing == (4.0, 4.0, 4.0) and c.units == "BQML"
    assert c.suv.factor == pytest.approx(1.0 / BQ_PER_SUV, rel=1e-6)
    lesion, liver = c.rows  # the reference VOI without a true SUV is left out
    assert (lesion.name, lesion.radius_mm, lesion.true_suv, lesion.reference) == ("lesion_a", 15.0, 8.0, False)
    # the VOI of the true radius holds only lesion voxels: max = mean = 8; the 1 mL peak sphere fits inside
    assert lesion.suv_max == pytest.approx(8.0, rel=1e-4) and lesion.suv_mean == pytest.approx(8.0, rel=1e-4)
    assert lesion.suv_peak == pytest.approx(8.0, rel=1e-4)
    assert liver.name == "ref liver" and liver.reference and liver.suv_peak is None
    assert liver.suv_mean == pytest.approx(1.5, rel=1e-4) and liver.suv_max == pytest.approx(1.5, rel=1e-4)


def test_demo_show_prints_the_rows(study, capsys):
    folder, _ = study
    assert main(["demo", "--out", str(folder), "--show"]) == 0
    out = capsys.readouterr().out
    line = next(s for s in out.splitlines() if s.startswith("lesion_a"))
    assert line.split() == ["lesion_a", "15.0", "8.00", "8.00", "8.00", "8.00"]
    line = next(s for s in out.splitlines() if s.startswith("ref liver"))
    assert line.split() == ["ref", "liver", "12.0", "1.50", "1.50", "1.50"]
    assert "PET: 40x40x30 voxels of 4.00 x 4.00 x 4.00 mm, units BQML" in out
