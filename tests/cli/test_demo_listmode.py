"""`workstation demo --with-listmode`: raw data of the demo phantom that reconstructs into the CT's study.

End to end through the CLI with small settings: a 1 s bed of the demo phantom on the small demo
ring (~70 k prompts), `workstation recon --plugin listmode-osem` with 2 iterations x 4 subsets of
8 mm voxels and attenuation from the demo CT, the DICOM PET series loaded back with
``load_pet_folder``. Checked against truth.json: the exam header facts, the study and frame of
reference of the result, and the large liver lesion brighter than the liver around it, with the
hottest voxel near the lesion's true world position (a flip or shift of an axis would move it
by >= 60 mm).
"""

import json
from datetime import datetime

import numpy as np
import pytest

from workstation.cli import main

listmode_osem = pytest.importorskip("listmode_osem", reason="the listmode-osem plugin is not installed")


def test_demo_without_flag_writes_no_listmode_and_seconds_need_the_flag(tmp_path):
    from workstation.cli import build_parser

    args = build_parser().parse_args(["demo", "--out", str(tmp_path / "d")])
    assert args.with_listmode is False and args.listmode_seconds is None
    assert main(["demo", "--out", str(tmp_path / "d"), "--listmode-seconds", "1"]) != 0  # a UserError: rc 2
    assert not (tmp_path / "d" / "listmode").exists()


@pytest.fixture(scope="module")
def demo_with_listmode(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "study"
    assert main(["demo", "--out", str(out), "--with-listmode", "--listmode-seconds", "1"]) == 0
    return out, json.loads((out / "truth.json").read_text(encoding="utf-8"))


def test_listmode_file_header_and_bed(demo_with_listmode):
    from listmode_osem import petsird_io

    out, truth = demo_with_listmode
    path = out / "listmode" / "demo.petsird"
    assert path.is_file() and truth["listmode"]["file"] == "listmode/demo.petsird"
    h = petsird_io.read_header(path)
    facts = h.exam  # the exam facts, read by petsird_io.exam_facts
    ph = truth["pet_header"]
    assert facts["injected_dose_bq"] == pytest.approx(ph["injected_dose_bq"], rel=1e-6)
    assert facts["weight_kg"] == pytest.approx(ph["weight_kg"], rel=1e-6)
    assert datetime.fromisoformat(facts["injection_datetime"]) == datetime.fromisoformat(ph["injection_datetime"])
    assert datetime.fromisoformat(facts["acquisition_start"]) == datetime.fromisoformat(ph["series_datetime"])
    lesion = next(x for x in truth["lesions"] if x["name"] == truth["listmode"]["centred_on_lesion"])
    z = h.scanner.face_centres[:, 2]
    # the crystals sit at the bed position in patient coordinates, around the lesion
    assert 0.5 * (z.min() + z.max()) == pytest.approx(lesion["centre_lps_mm"][2], abs=0.01)
    assert z.min() < lesion["centre_lps_mm"][2] - lesion["radius_mm"] + 5 and \
        z.max() > lesion["centre_lps_mm"][2] + lesion["radius_mm"] - 5
    (b1, _, _, _), _, duration_ms = petsird_io.decode_all(path, h)
    assert b1.size == truth["listmode"]["prompts"] > 30_000
    assert duration_ms == pytest.approx(1000.0, abs=1)


def test_listmode_reconstructs_into_the_ct_study_with_the_lesion_in_place(demo_with_listmode, tmp_path, monkeypatch):
    import pydicom

    from workstation.io.loader import load_pet_folder

    monkeypatch.setenv("WORKSTATION_RECON_CACHE", str(tmp_path / "sens-cache"))
    out, truth = demo_with_listmode
    rec = tmp_path / "recon"
    rc = main(["recon", "--plugin", "listmode-osem", "--input", str(out / "listmode" / "demo.petsird"),
               "--ct", str(out / "CT"), "--out", str(rec), "--no-import", "--set", "iterations=2", "--set",
               "subsets=4", "--set", "voxel_size=8", "--set", "matrix=48", "--set", "device=cpu"])
    assert rc == 0
    pet = load_pet_folder(rec)
    assert pet.units == "BQML"
    ds = pydicom.dcmread(next(iter(sorted(rec.rglob("*.dcm")))), stop_before_pixels=True)
    assert ds.Modality == "PT"
    assert ds.StudyInstanceUID == truth["study_uid"]
    assert ds.FrameOfReferenceUID == truth["frame_of_reference_uid"]

    lesion = next(x for x in truth["lesions"] if x["name"] == truth["listmode"]["centred_on_lesion"])
    g, img = pet.geometry, np.asarray(pet.array, np.float64)
    c = np.asarray(lesion["centre_lps_mm"], float)

    def value_at(world):
        i, j, k = np.rint(g.world_to_ijk(np.asarray(world, float)[None, :])[0]).astype(int)
        return img[k, j, i]

    centre = value_at(c)
    # the liver around it: 35 mm from the centre in the transverse plane (lesion radius 15 mm), inside the liver
    ring = [value_at(c + 35.0 * np.array([np.cos(a), np.sin(a), 0.0])) for a in np.linspace(0, 2 * np.pi, 8, False)]
    print(f"lesion centre {centre:.0f} Bq/mL (truth {lesion['activity_bqml']:.0f}), liver ring {np.mean(ring):.0f} "
          f"(truth {lesion['host_activity_bqml']:.0f})")
    assert centre > 1.8 * np.mean(ring)
    # the liver itself is there and calibrated (attenuation from the CT, Bq/mL from the scanner): measured -7 %,
    # so 10 % (a 30 % tolerance let a calibration error of 25 % through)
    assert np.mean(ring) == pytest.approx(lesion["host_activity_bqml"], rel=0.10)
    # the hottest voxel of the bed (the bladder and the brain are outside it) is at the lesion
    kk, jj, ii = np.unravel_index(np.argmax(img), img.shape)
    hot = g.ijk_to_world(np.array([[ii, jj, kk]], float))[0]
    assert np.linalg.norm(hot - c) < 16.0, hot
