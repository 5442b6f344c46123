"""Publishing a reconstruction as a DICOM PET series in the CT's study, and the CLI path to it."""

import datetime as dt
import json
import math

import numpy as np
import pytest

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume
from workstation.recon.publish import (PublishError, SuvFacts, decay_to_start_factor, facts_from_pet_series,
                                       publish_result, study_from_ct)

PATIENT = PatientInfo("Recon^Test", "RT-001", "19600101", "F")
INJ = dt.datetime(2024, 3, 1, 9, 0, 0)
ACQ = dt.datetime(2024, 3, 1, 10, 5, 30)
T_HALF = 6586.2


def write_ct(folder, weight=None):
    from workstation.io.dicom_write import StudyInfo, write_series
    from workstation.io.loader import load_series

    g = ImageGeometry((6, 10, 12), (4.0, 4.0, 5.0), (-22.0, -18.0, -12.5))
    hu = np.full(g.shape, -1000.0, np.float32)
    hu[:, 2:8, 3:9] = 0.0
    study = StudyInfo(patient=PATIENT, patient_weight_kg=weight, study_datetime=dt.datetime(2024, 3, 1, 8, 50),
                      accession_number="ACC1", study_description="recon test").with_uids("recon-publish-test")
    write_series(Volume(hu, g, modality="CT", units="HU", patient=PATIENT), folder, modality="CT", study=study,
                 series_number=2, uid_seed="recon-publish-test")
    return load_series(sorted(folder.glob("*.dcm")))


def result_volume(duration_s=600.0, exam=None):
    # an oblique-free but asymmetric grid unlike the CT's, values spanning a wide range
    g = ImageGeometry((5, 7, 9), (3.0, 3.0, 4.0), (-12.0, -9.0, -8.0))
    rng = np.random.default_rng(3)
    a = (rng.random(g.shape) * 20000.0).astype(np.float32)
    a[0, 0, 0] = 0.0
    a[2, 3, 4] = 123456.0
    prov = {"duration_s": duration_s, "attenuation": True}
    if exam:
        prov["exam"] = exam
    return Volume(a, g, modality="PT", units="BQML", description="LM-OSEM 3i8s",
                  info={"provenance": prov, "recon_plugin": "test"})


def test_decay_to_start_factor_matches_numeric_mean():
    lam = math.log(2) / T_HALF
    t = np.linspace(0.0, 600.0, 200001)
    mean_decay = np.trapezoid(np.exp(-lam * t), t) / 600.0  # mean of A(t)/A(0) over the frame
    assert decay_to_start_factor(600.0, T_HALF) == pytest.approx(1.0 / mean_decay, rel=1e-9)
    assert decay_to_start_factor(0.0, T_HALF) == 1.0


def test_published_series_loads_back_with_values_geometry_suv_and_db(tmp_path):
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.db import StudyDB
    from workstation.io.loader import load_pet_folder

    ct = write_ct(tmp_path / "CT", weight=81.0)
    vol = result_volume()
    facts = SuvFacts.given("test", injected_dose_bq=3.5e8, injection_datetime=INJ, acquisition_start=ACQ,
                           weight_kg=72.5)
    pub = publish_result(vol, tmp_path / "dicom", ct, facts=facts, db=tmp_path / "db.sqlite")
    pet = load_pet_folder(tmp_path / "dicom")

    f = decay_to_start_factor(600.0, T_HALF)
    expected = vol.array.astype(np.float64) * f
    assert pet.array.shape == expected.shape
    # per-slice int16 quantisation: slope = max|slice| / 32767, error at most half a step
    step = np.abs(expected).max(axis=(1, 2)) / 32767.0
    err = np.abs(pet.array - expected).max(axis=(1, 2))
    assert np.all(err <= 0.5 * step * 1.001 + 1e-6), (err, step)
    assert np.allclose(pet.geometry.spacing, vol.geometry.spacing)
    assert np.allclose(pet.geometry.origin, vol.geometry.origin, atol=1e-4)
    assert np.allclose(pet.geometry.direction, vol.geometry.direction)
    assert pet.units == "BQML"

    # same study, frame of reference and patient as the CT
    assert pet.study_uid == ct.study_uid and pet.frame_of_reference_uid == ct.frame_of_reference_uid
    assert pet.patient == ct.patient
    assert pub.series_uid == pet.series_uid

    # SUV bw by hand: weight (g) / (dose decayed from injection to the acquisition start); explicit weight wins
    res = compute_suv(pet.pet, "bw")
    hand = 72.5e3 / (3.5e8 * 2.0 ** (-(ACQ - INJ).total_seconds() / T_HALF))
    assert res.factor == pytest.approx(hand, rel=1e-6)
    assert pet.pet.value("decay_correction") == "START"

    with StudyDB(tmp_path / "db.sqlite") as db:
        rows = {r.series_uid: r for r in db.series(ct.study_uid)}
    assert pub.series_uid in rows and rows[pub.series_uid].modality == "PT"
    assert rows[pub.series_uid].frame_of_reference_uid == ct.frame_of_reference_uid
    assert rows[pub.series_uid].n_instances == vol.array.shape[0]


def test_fact_precedence_and_sources(tmp_path):
    ct = write_ct(tmp_path / "CT", weight=81.0)
    exam = {"injected_dose_bq": 2.0e8, "injection_datetime": "2024-03-01T09:10:00",
            "acquisition_start": "2024-03-01T10:00:00", "weight_kg": 60.0}
    pub = publish_result(result_volume(exam=exam), tmp_path / "d1", ct,
                         facts=SuvFacts.given("command line", injected_dose_bq=3.0e8), import_to_db=False)
    f = pub.facts
    assert f.injected_dose_bq == 3.0e8 and f.sources["injected_dose_bq"] == "command line"
    assert f.weight_kg == 81.0 and f.sources["weight_kg"] == "CT header"  # CT header before PETSIRD
    assert f.injection_datetime == dt.datetime(2024, 3, 1, 9, 10)
    assert f.sources["acquisition_start"] == "PETSIRD exam information"
    assert f.sources["half_life_s"].startswith("default")


def test_facts_from_study_pet_series(tmp_path):
    from workstation.io.dicom_write import PetHeader, write_series

    ct = write_ct(tmp_path / "CT")
    study, _ = study_from_ct(ct)
    hdr = PetHeader(injected_dose_bq=2.9e8, injection_datetime=INJ, series_datetime=ACQ, half_life_s=T_HALF)
    g = ImageGeometry((3, 4, 4), (4.0, 4.0, 4.0))
    write_series(Volume(np.ones(g.shape, np.float32) * 1000, g, modality="PT", units="BQML"), tmp_path / "PT",
                 modality="PT", study=study.__class__(**{**study.__dict__, "patient_weight_kg": 66.0}), pet=hdr)
    f = facts_from_pet_series(tmp_path / "PT")
    assert f.injected_dose_bq == pytest.approx(2.9e8)
    assert f.injection_datetime == INJ and f.acquisition_start == ACQ
    assert f.weight_kg == 66.0 and f.half_life_s == pytest.approx(T_HALF)
    assert all(s.startswith("study PET series") for s in f.sources.values())


def test_missing_facts_and_bad_order_are_typed_errors(tmp_path):
    ct = write_ct(tmp_path / "CT")
    with pytest.raises(PublishError, match="injected dose") as e:
        publish_result(result_volume(), tmp_path / "d", ct, facts=SuvFacts.given("t", injection_datetime=INJ,
                                                                                  acquisition_start=ACQ),
                       import_to_db=False)
    assert "Recon^Test" not in str(e.value) and "RT-001" not in str(e.value)
    assert e.value.fields == ("injected_dose_bq",)  # the CLI turns it into --dose-mbq, the panel into its form field
    with pytest.raises(PublishError, match="before the injection"):
        publish_result(result_volume(), tmp_path / "d", ct,
                       facts=SuvFacts.given("t", injected_dose_bq=1e8, injection_datetime=ACQ, acquisition_start=INJ),
                       import_to_db=False)
    with pytest.raises(PublishError, match="positive"):
        SuvFacts.given("t", injected_dose_bq=-3)
    with pytest.raises(PublishError, match="not a date-time"):
        SuvFacts.given("t", injection_datetime="yesterday")
    with pytest.raises(PublishError, match="duration"):
        publish_result(result_volume(duration_s=None), tmp_path / "d", ct,
                       facts=SuvFacts.given("t", injected_dose_bq=1e8, injection_datetime=INJ, acquisition_start=ACQ),
                       import_to_db=False)


def test_recon_cli_publishes_into_ct_study(tmp_path, capsys):
    from workstation.cli import main
    from workstation.io.db import StudyDB
    from workstation.io.loader import load_pet_folder

    ct = write_ct(tmp_path / "CT", weight=70.0)
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"raw")
    rc = main(["recon", "--plugin", "toy", "--input", str(raw), "--set", "iterations=2", "--set", "value=4000",
               "--ct", str(tmp_path / "CT"), "--dose-mbq", "350", "--injection-time", "20240301090000",
               "--acquisition-start", "2024-03-01T10:05:30", "--db", str(tmp_path / "db.sqlite"),
               "--out", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert rc == 0, out.err
    doc = json.loads(out.out)
    assert doc["dicom"]["study_uid"] == ct.study_uid
    pet = load_pet_folder(tmp_path / "out" / "dicom")
    assert pet.array.max() == pytest.approx(4000.0 * decay_to_start_factor(600.0, T_HALF), rel=1e-4)
    with StudyDB(tmp_path / "db.sqlite") as db:
        assert {r.modality for r in db.series(ct.study_uid)} == {"PT"}
    # without the dose: a one-line error, the image is kept
    rc = main(["recon", "--plugin", "toy", "--input", str(raw), "--ct", str(tmp_path / "CT"),
               "--injection-time", "20240301090000", "--acquisition-start", "20240301100530",
               "--no-import", "--out", str(tmp_path / "out2")])
    err = capsys.readouterr().err
    assert rc == 2 and "--dose-mbq" in err and (tmp_path / "out2" / "image.npy").is_file()
