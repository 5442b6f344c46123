"""PetAcquisition / Fact: values with their sources, per-instance facts, JSON form."""

import datetime as dt
import json
import subprocess
import sys

from workstation.core.pet import Fact, InstanceFacts, PetAcquisition, json_value


def _acq():
    inst = {
        "1.2.3.1": InstanceFacts("1.2.3.1", Fact(dt.datetime(2020, 1, 1, 10, 5), note="AcquisitionDate + Time"),
                                 Fact(1000.0, "FrameReferenceTime", "(0054,1300)", "ms")),
        "1.2.3.2": InstanceFacts("1.2.3.2", Fact(dt.datetime(2020, 1, 1, 10, 1), note="AcquisitionDate + Time")),
        "1.2.3.3": InstanceFacts("1.2.3.3", None),
    }
    return PetAcquisition(
        series_instance_uid="1.2.3",
        n_instances=3,
        units=Fact("BQML", "Units", "(0054,1001)"),
        series_date=Fact(dt.date(2020, 1, 1), "SeriesDate", "(0008,0021)"),
        series_time=Fact(dt.time(10, 0, 30), "SeriesTime", "(0008,0031)"),
        patient_weight_kg=Fact(70.5, "PatientWeight", "(0010,1030)", "kg"),
        corrected_image=Fact(("ATTN", "DECY"), "CorrectedImage", "(0028,0051)"),
        instances=inst,
    )


def test_fact_sources():
    assert Fact(70.0, "PatientWeight", "(0010,1030)", "kg").source == "PatientWeight (0010,1030)"
    assert Fact(1.0).source == "derived"
    assert Fact(1.0, note="from X").source == "derived (from X)"
    assert Fact(1.0).is_derived and not Fact(1.0, "Units", "(0054,1001)").is_derived
    assert Fact(0.5, "Philips SUVScaleFactor", "(7053,1000)").source == "Philips SUVScaleFactor (7053,1000)"


def test_series_datetime_and_earliest_acquisition():
    acq = _acq()
    assert acq.series_datetime == dt.datetime(2020, 1, 1, 10, 0, 30)
    assert acq.earliest_acquisition() == ("1.2.3.2", dt.datetime(2020, 1, 1, 10, 1))
    assert set(acq.acquisition_datetimes()) == {"1.2.3.1", "1.2.3.2"}
    assert acq.instance_values("frame_reference_time_ms") == {"1.2.3.1": 1000.0}
    assert acq.value("patient_size_m", "none") == "none"
    assert acq.value("patient_weight_kg") == 70.5
    empty = PetAcquisition()
    assert empty.series_datetime is None and empty.earliest_acquisition() is None


def test_to_dict_is_json_serialisable():
    d = _acq().to_dict()
    text = json.dumps(d)
    back = json.loads(text)
    assert back["series_date"] == {"value": "2020-01-01", "unit": "", "source": "SeriesDate (0008,0021)"}
    assert back["patient_weight_kg"]["value"] == 70.5
    assert back["corrected_image"]["value"] == ["ATTN", "DECY"]
    assert back["instances"]["1.2.3.1"]["acquisition_datetime"]["value"] == "2020-01-01T10:05:00"
    assert back["instances"]["1.2.3.3"]["acquisition_datetime"] is None
    assert json_value(dt.time(1, 2, 3)) == "01:02:03"


def test_core_pet_imports_stdlib_only():
    code = ("import sys, workstation.core.pet; "
            "bad = [m for m in ('pydicom', 'PySide6', 'vtk', 'numba', 'SimpleITK') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
