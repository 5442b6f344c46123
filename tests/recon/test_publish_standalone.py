"""`workstation recon` without --ct: a DICOM PET series of its own study, imported; relative --out;
and the reconstruction -> QA loop on a simulated NEMA IEC phantom."""

import json
import math

import numpy as np
import pydicom
import pytest

from workstation.cli import main
from workstation.recon.publish import decay_to_start_factor


def run_cli(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_toy_recon_without_ct_relative_out(tmp_path, capsys, monkeypatch):
    from workstation.io.db import StudyDB
    from workstation.io.loader import load_pet_folder

    monkeypatch.chdir(tmp_path)
    (tmp_path / "raw.bin").write_bytes(b"raw")
    rc, out, err = run_cli(capsys, "recon", "--plugin", "toy", "--input", "raw.bin", "--set", "iterations=2",
                           "--set", "value=4000", "--out", "rel/out", "--db", "s.db")
    assert rc == 0, err
    doc = json.loads(out)
    d = doc["dicom"]
    assert d["series_dir"] == str(tmp_path / "rel" / "out" / "dicom")
    assert any("without SUV headers" in n for n in d["notes"])
    vol = load_pet_folder(tmp_path / "rel" / "out" / "dicom")
    # the toy plugin reports a 600 s acquisition: values are the mean activity referred to its start
    f = decay_to_start_factor(600.0, 6586.2)
    assert d["decay_to_start_factor"] == pytest.approx(f, rel=1e-12)
    assert float(vol.array.max()) == pytest.approx(4000.0 * f, rel=1e-4)
    assert vol.units == "BQML"
    ds = pydicom.dcmread(sorted((tmp_path / "rel" / "out" / "dicom").iterdir())[0], stop_before_pixels=True)
    assert ds.DecayCorrection == "START" and "DECY" in ds.CorrectedImage
    item = ds.RadiopharmaceuticalInformationSequence[0]
    assert "RadionuclideTotalDose" not in item and "RadiopharmaceuticalStartDateTime" not in item
    with StudyDB(tmp_path / "s.db") as db:
        assert [s.series_uid for s in db.series()] == [d["series_uid"]]
    # SUV is refused downstream, naming the missing tag
    rc, out, err = run_cli(capsys, "suv-info", tmp_path / "rel" / "out" / "dicom", "--weight", "70")
    assert rc == 2 and "Dose" in err and len(err.strip().splitlines()) == 1


def test_toy_recon_without_ct_with_suv_facts(tmp_path, capsys):
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.loader import load_pet_folder

    (tmp_path / "raw.bin").write_bytes(b"raw")
    rc, out, err = run_cli(capsys, "recon", "--plugin", "toy", "--input", tmp_path / "raw.bin", "--set",
                           "iterations=2", "--set", "value=4000", "--out", tmp_path / "o", "--no-import",
                           "--dose-mbq", "200", "--injection-time", "20260504090000",
                           "--acquisition-start", "20260504100000", "--weight", "80")
    assert rc == 0, err
    vol = load_pet_folder(tmp_path / "o" / "dicom")
    suv = compute_suv(vol.pet, "bw")
    # SUVbw factor by hand: weight[g] / (dose decayed from 09:00 to the 10:00 start)
    assert suv.factor == pytest.approx(80000.0 / (200e6 * 2 ** (-3600 / 6586.2)), rel=1e-6)
    # an acquisition before the injection is refused in one line, the image is kept
    rc, out, err = run_cli(capsys, "recon", "--plugin", "toy", "--input", tmp_path / "raw.bin", "--out",
                           tmp_path / "o2", "--no-import", "--dose-mbq", "200", "--injection-time",
                           "20260504110000", "--acquisition-start", "20260504100000")
    assert rc == 2 and "before the injection" in err and (tmp_path / "o2" / "image.npy").is_file()


@pytest.mark.slow
def test_nema_simulation_reconstruction_qa_loop(tmp_path, capsys, monkeypatch, refdata):
    """Simulate the NEMA IEC phantom (4:1, 5.3 kBq/mL), reconstruct it to DICOM, analyse it.

    Asserted against the simulation truth, with the reasons of the plugin's own NEMA test
    (plugins/listmode-osem/tests/test_nema.py): background calibration within 5 %; the 37 mm
    sphere RCA50 in [0.85, 1.10] with the 6 mm filter; partial volume: the 10 mm sphere at least
    0.2 below; the spheres found within 3 mm of the simulated centres; lung residual low (the
    lung holds no activity; blur and noise only).
    """
    pytest.importorskip("listmode_osem")
    geometry = refdata / "nema-iec-body-phantom" / "geometry.json"
    if not geometry.is_file():
        pytest.skip(f"NEMA phantom geometry not present at {geometry}")
    monkeypatch.setenv("WORKSTATION_RECON_CACHE", str(tmp_path / "cache"))
    lm = tmp_path / "nema.petsird"
    rc, out, err = run_cli(capsys, "simulate-listmode", "--phantom", "nema", "--nema-geometry", geometry,
                           "--duration", "2", "--out", lm, "--seed", "3")
    assert rc == 0, err
    info = json.loads(out)["phantom_info"]
    rc, out, err = run_cli(capsys, "recon", "--plugin", "listmode-osem", "--input", lm, "--mu",
                           lm.with_suffix(".mu.npy"), "--out", tmp_path / "rec", "--db", tmp_path / "s.db",
                           "--set", "iterations=3", "--set", "subsets=6", "--set", "voxel_size=4", "--set",
                           "matrix=90", "--set", "post_filter_fwhm=6", "--set", "device=cpu")
    assert rc == 0, err
    dicom = json.loads(out)["dicom"]["series_dir"]
    kb = info["background_bqml"] / 1000.0
    rc, out, err = run_cli(capsys, "qa", "nema-iq", dicom, "--sphere-kbqml", 4 * kb, "--background-kbqml", kb,
                           "--json", "--db", tmp_path / "s.db", "--report", tmp_path / "qa.pdf")
    assert rc == 0, err
    d = json.loads(out)
    assert d["background"]["calibration_ratio"] == pytest.approx(1.0, abs=0.05)
    for s, c, dm in zip(d["spheres"], info["sphere_centres_mm"], info["sphere_diameters_mm"]):
        assert s["diameter_mm"] == dm
        assert math.dist(s["centre_world"], c) < 3.0, (dm, s["centre_world"], c)
    s37, s10 = d["spheres"][0], d["spheres"][-1]
    assert 0.85 <= s37["rc_a50"] <= 1.10 and s37["rc_max"] > s37["rc_a50"]
    assert s10["rc_a50"] <= s37["rc_a50"] - 0.2
    assert 60.0 <= s37["contrast_hot"] <= 105.0
    assert d["lung"]["residual"] < 20.0
    assert d["background"]["variability"]["37"]["n_percent"] < 15.0
    assert (tmp_path / "qa.pdf").read_bytes()[:5] == b"%PDF-"
    assert np.isfinite(d["spheres"][0]["rc_peak"])
