"""`workstation qa`: NEMA IQ and uniformity on DICOM series written from synthetic phantoms, trend, errors."""

import datetime as dt
import json
import math

import numpy as np
import pytest

from workstation.analysis.qa.phantom import iec_phantom_image
from workstation.cli import main
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.io.dicom_write import PetHeader, StudyInfo, write_series

SCAN = dt.datetime(2026, 5, 4, 10, 0, 0)
HALF = 6586.2


def run_cli(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def write_pet(folder, arr, geom, dose=370e6, injection=SCAN, weight=70.0, model="QA-Scanner"):
    study = StudyInfo(patient_weight_kg=weight, model_name=model, manufacturer="Acme").with_uids("qa-test")
    pet = PetHeader(injected_dose_bq=dose, injection_datetime=injection, series_datetime=SCAN)
    write_series(Volume(arr, geom, modality="PT", units="BQML"), folder, modality="PT", study=study, pet=pet)
    return folder


@pytest.fixture(scope="module")
def nema_dir(tmp_path_factory):
    geom = ImageGeometry(shape=(40, 112, 112), spacing=(3.0, 3.0, 2.0), origin=(-166.5, -166.5, -40.0))
    decay = 2 ** (-1800 / HALF)  # filled 30 min before the scan
    img, truth = iec_phantom_image(geom, 5300.0 * decay, 4.0)
    return write_pet(tmp_path_factory.mktemp("nema") / "pt", img, geom), truth


def test_nema_iq_json_with_decayed_fill(capsys, tmp_path, nema_dir):
    folder, truth = nema_dir
    db = tmp_path / "qa.db"
    fill_time = (SCAN - dt.timedelta(seconds=1800)).strftime("%Y%m%d%H%M%S")
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--sphere-kbqml", "21.2", "--background-kbqml", "5.3",
                           "--fill-time", fill_time, "--json", "--db", db)
    assert rc == 0, err
    d = json.loads(out)
    decay = 2 ** (-1800 / HALF)
    assert d["fill"]["true_background"] == pytest.approx(5300.0 * decay, rel=1e-9)
    assert d["background"]["calibration_ratio"] == pytest.approx(1.0, rel=2e-3)  # int16 quantisation of the file
    # the six spheres of the NEMA NU 2-2012 / IEC 61675-1 body phantom, inner diameters typed from the standard
    assert [s["diameter_mm"] for s in d["spheres"]] == [37.0, 28.0, 22.0, 17.0, 13.0, 10.0]
    for s, c in zip(d["spheres"], truth.sphere_centres_world):
        for key in ("diameter_mm", "centre_world", "max", "mean", "mean_a50", "peak", "rc_max", "rc_a50", "rc_peak",
                    "contrast_hot", "earl1", "earl2"):
            assert key in s
        assert np.linalg.norm(np.subtract(s["centre_world"], c)) < 1.0
        assert s["rc_max"] == pytest.approx(1.0, rel=2e-3)
        assert s["rc_a50"] == pytest.approx(1.0, rel=2e-3)
    for key in ("mean", "sd", "cov", "variability"):
        assert key in d["background"]
    assert set(d["background"]["variability"]) == {"37", "28", "22", "17", "13", "10"}
    assert d["lung"]["residual"] == pytest.approx(0.0, abs=1e-6)
    assert d["units"]["concentration"] == "BQML"
    assert d["series"]["scanner"]["model"] == "QA-Scanner"
    # stored with the scanner identity and the scan date; the trend lists it
    rc, out, _ = run_cli(capsys, "qa", "trend", "--db", db, "--scanner", "qa-scanner", "--metric", "rc_max_37",
                         "--json")
    rows = json.loads(out)["results"]
    assert len(rows) == 1 and rows[0]["acquired"] == SCAN.isoformat()
    assert rows[0]["value"] == pytest.approx(d["spheres"][0]["rc_max"])
    assert rows[0]["scanner"] == "Acme / QA-Scanner"


def test_nema_iq_text_and_errors(capsys, tmp_path, nema_dir):
    folder, _ = nema_dir
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--ratio", "4", "--no-store")
    assert rc == 0 and "NU 2-2018" in out and " 37 " in out
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--no-store")
    assert rc == 2 and "give the known fill" in err and "Traceback" not in err
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--ratio", "4", "--sphere-kbqml", "20", "--no-store")
    assert rc == 2 and "not both" in err
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--ratio", "4", "--sphere", "37=1,2", "--no-store")
    assert rc == 2 and "--sphere" in err
    existing = tmp_path / "r.pdf"
    existing.write_bytes(b"keep")
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--ratio", "4", "--report", existing, "--no-store")
    assert rc == 2 and "--force" in err and existing.read_bytes() == b"keep"
    rc, out, err = run_cli(capsys, "qa", "nema-iq", tmp_path, "--ratio", "4", "--no-store")
    assert rc == 2 and "no PET" in err


def test_uniformity_cli(capsys, tmp_path):
    geom = ImageGeometry(shape=(60, 80, 80), spacing=(3.0, 3.0, 3.0), origin=(-118.5, -118.5, -88.5))
    w = geom.kji_to_world(np.argwhere(np.ones(geom.shape, bool))).reshape(*geom.shape, 3)
    inside = (np.hypot(w[..., 0], w[..., 1]) <= 100) & (np.abs(w[..., 2]) <= 75)
    # SUVbw = C x weight[g] / dose (injection at the scan start: no decay); SUV 1.04 by hand
    dose, weight = 370e6, 70.0
    conc = 1.04 * dose / (weight * 1000.0)
    folder = write_pet(tmp_path / "cyl", inside * conc, geom, dose=dose, weight=weight)
    rc, out, err = run_cli(capsys, "qa", "uniformity", folder, "--json", "--db", tmp_path / "qa.db")
    assert rc == 0, err
    d = json.loads(out)
    assert d["mean"] == pytest.approx(1.04, rel=1e-3) and d["pass"] is True
    assert d["suv_factor"] == pytest.approx(weight * 1000.0 / dose, rel=1e-9)
    assert all(s["cov_percent"] < 0.1 for s in d["slices"])
    # the same cylinder with the weight given 15 % high: SUV 1.196, outside +-10 %
    rc, out, err = run_cli(capsys, "qa", "uniformity", folder, "--weight", str(weight * 1.15), "--no-store")
    assert rc == 0 and "FAIL" in out
    # a NEMA phantom analysis of a cylinder says what is wrong in one line
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--ratio", "4", "--no-store")
    assert rc == 2 and "lung insert" in err


def test_real_recon_cli(capsys, refdata, tmp_path):
    folder = refdata / "pynemaiqpet-nema-iq-recon" / "pet_recon_1"
    rc, out, err = run_cli(capsys, "qa", "nema-iq", folder, "--ratio", "10", "--json", "--db", tmp_path / "q.db")
    assert rc == 0, err
    d = json.loads(out)
    assert len(d["spheres"]) == 6 and d["units"]["concentration"] == "image units"
    assert all(math.isfinite(s["rc_a50"]) for s in d["spheres"])
