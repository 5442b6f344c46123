"""read_pet_acquisition: header facts with sources, per-instance facts, private tags, errors."""

import datetime as dt
import json
from pathlib import Path

import pydicom
import pytest

from workstation.testing.pet_factory import pet_dataset, write_and_read
from workstation.io.errors import DicomError
from workstation.io.pet_header import PetHeaderError, read_pet_acquisition

REFDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "refdata"


def test_single_dataset_facts_and_sources():
    ds = pet_dataset(sop_uid="1.2.3.4", weight=67.5, size=1.72, sex="F", dose=3.7e8, half_life=6586.2,
                     start_time="083045.000000", start_datetime="20201217083045.000000", manufacturer="SIEMENS",
                     suv_type="BW", frame_reference_time=38513.36, frame_duration=74324, decay_factor=1.01)
    acq = read_pet_acquisition(ds)
    assert acq.n_instances == 1
    assert acq.units.value == "BQML" and acq.units.source == "Units (0054,1001)"
    assert acq.patient_weight_kg.value == 67.5 and acq.patient_weight_kg.source == "PatientWeight (0010,1030)"
    assert acq.patient_size_m.value == 1.72
    assert acq.patient_sex.value == "F"
    assert acq.radionuclide_total_dose.value == 3.7e8
    assert acq.radionuclide_total_dose.source == "RadionuclideTotalDose (0018,1074)"
    assert acq.radionuclide_half_life_s.value == 6586.2
    assert acq.radiopharmaceutical_start_time.value == dt.time(8, 30, 45)
    assert acq.radiopharmaceutical_start_datetime.value == dt.datetime(2020, 12, 17, 8, 30, 45)
    assert acq.radionuclide_code.value == ("C-111A1", "SRT", "^18^Fluorine")
    assert acq.suv_type.value == "BW" and acq.suv_type.tag == "(0054,1006)"
    assert acq.manufacturer.value == "SIEMENS"
    assert acq.corrected_image.value == ("NORM", "ATTN", "SCAT", "DECY")
    assert acq.series_datetime == dt.datetime(2020, 12, 17, 12, 0)
    inst = acq.instances["1.2.3.4"]
    assert inst.acquisition_datetime.value == dt.datetime(2020, 12, 17, 12, 0)
    assert inst.frame_reference_time_ms.value == 38513.36
    assert inst.actual_frame_duration_ms.value == 74324
    assert inst.decay_factor.value == 1.01
    assert inst.philips_suv_scale_factor is None
    json.dumps(acq.to_dict())  # JSON-serialisable


def test_missing_values_are_none():
    ds = pet_dataset(weight=None, size=None, dose=None, start_time=None, radionuclide_code=None, units=None)
    acq = read_pet_acquisition([ds])
    assert acq.patient_weight_kg is None and acq.units is None and acq.radionuclide_total_dose is None
    assert acq.radiopharmaceutical_start_time is None and acq.radionuclide_code is None


def test_per_instance_facts_keyed_by_uid():
    dss = [pet_dataset(sop_uid=f"1.9.{i}", acquisition_time=f"1{i}0000", frame_reference_time=1000.0 * i)
           for i in range(3)]
    acq = read_pet_acquisition(dss)
    assert acq.n_instances == 3 and set(acq.instances) == {"1.9.0", "1.9.1", "1.9.2"}
    assert acq.instances["1.9.2"].acquisition_datetime.value == dt.datetime(2020, 12, 17, 12, 0)
    assert acq.earliest_acquisition()[0] == "1.9.0"
    assert acq.instance_values("frame_reference_time_ms") == {"1.9.0": 0.0, "1.9.1": 1000.0, "1.9.2": 2000.0}


def test_series_level_disagreement_is_an_error_naming_the_tag():
    a = pet_dataset(weight=70.0)
    b = pet_dataset(weight=71.0)
    with pytest.raises(PetHeaderError, match=r"PatientWeight \(0010,1030\) differs") as ei:
        read_pet_acquisition([a, b])
    assert isinstance(ei.value, DicomError)
    assert "SECRET" not in str(ei.value)


def test_two_series_and_empty_input_rejected():
    with pytest.raises(PetHeaderError, match="different series"):
        read_pet_acquisition([pet_dataset(series_uid="1.1"), pet_dataset(series_uid="1.2")])
    with pytest.raises(PetHeaderError, match="no DICOM headers"):
        read_pet_acquisition([])


@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_bad_time_names_tag_and_no_identity():
    with pytest.raises(PetHeaderError, match=r"SeriesTime \(0008,0031\)") as ei:
        read_pet_acquisition(pet_dataset(series_time="25xx"))
    assert "SECRET" not in str(ei.value) and "19010101" not in str(ei.value)
    with pytest.raises(PetHeaderError, match=r"PatientWeight \(0010,1030\)"):
        ds = pet_dataset()
        ds["PatientWeight"] = pydicom.DataElement(0x00101030, "LO", "seventy")
        read_pet_acquisition(ds)


def test_private_tags_survive_a_file_round_trip(tmp_path):
    ds = pet_dataset(units="CNTS", philips_suv="0.000551", philips_acf="1.602563",
                     ge_scan_datetime="20201217093000.000000")
    back = write_and_read(ds, tmp_path / "p.dcm")
    acq = read_pet_acquisition([back])
    inst = next(iter(acq.instances.values()))
    assert inst.philips_suv_scale_factor.value == pytest.approx(0.000551, rel=1e-12)
    assert inst.philips_suv_scale_factor.source == "Philips SUVScaleFactor (7053,1000)"
    assert inst.philips_activity_concentration_scale_factor.value == pytest.approx(1.602563, rel=1e-12)
    assert acq.ge_scan_datetime.value == dt.datetime(2020, 12, 17, 9, 30)
    assert acq.ge_scan_datetime.tag == "(0009,100D)"


def test_private_tags_stored_as_unknown_bytes():
    ds = pet_dataset(units="CNTS")
    ds.add_new(0x70530010, "LO", "Philips PET Private Group")
    ds.add_new(0x70531000, "UN", b"0.003515736 ")
    acq = read_pet_acquisition(ds)
    assert next(iter(acq.instances.values())).philips_suv_scale_factor.value == pytest.approx(0.003515736)


def test_private_tag_of_another_creator_is_ignored():
    ds = pet_dataset(units="CNTS")
    ds.add_new(0x70530010, "LO", "SOME OTHER VENDOR")
    ds.add_new(0x70531000, "DS", "0.5")
    acq = read_pet_acquisition(ds)
    assert next(iter(acq.instances.values())).philips_suv_scale_factor is None


@pytest.mark.parametrize("name", ["acrin_flt_breast_1.dcm", "acrin_flt_breast_2.dcm"])
def test_real_siemens_slices(name):
    folder = REFDATA / "acrin-flt-breast-pet-slices"
    if not folder.is_dir():
        pytest.skip(f"reference data not present at {folder}")
    summary = json.loads((folder / "header_summary.json").read_text())[name]
    ds = pydicom.dcmread(folder / name, stop_before_pixels=True)
    acq = read_pet_acquisition(ds)
    assert acq.units.value == summary["Units"]
    assert acq.decay_correction.value == summary["DecayCorrection"]
    assert acq.patient_weight_kg.value == float(summary["PatientWeight"])
    assert acq.radionuclide_total_dose.value == float(summary["RadionuclideTotalDose"])
    assert acq.radionuclide_half_life_s.value == float(summary["RadionuclideHalfLife"])
    assert acq.radiopharmaceutical_start_time.value.strftime("%H%M%S.%f") == summary["RadiopharmaceuticalStartTime"]
    assert acq.radiopharmaceutical_start_datetime is None
    assert acq.radionuclide_code.value[0] == "C-111A1"
    inst = next(iter(acq.instances.values()))
    assert inst.decay_factor.value == float(summary["DecayFactor"])
    assert inst.frame_reference_time_ms.value == float(summary["FrameReferenceTime"])
    assert inst.acquisition_datetime.value.strftime("%Y%m%d%H%M%S.%f") == (
        summary["AcquisitionDate"] + summary["AcquisitionTime"])
