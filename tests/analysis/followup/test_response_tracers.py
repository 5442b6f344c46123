"""`response` refuses tracers its criteria are not made for: PERCIST, EORTC and Deauville are FDG criteria."""

import numpy as np
import pytest

from workstation.analysis.followup.response import ResponseError, check_response_tracer
from workstation.core.vocabulary import NUCLIDES


@pytest.mark.parametrize("method", ["percist", "eortc", "deauville"])
@pytest.mark.parametrize("nuclide,text", [("Lu-177", "Lu-177 DOTATATE"), ("Ga-68", "PSMA-11"), ("F-18", "FLT"),
                                          ("F-18", "18F-PSMA-1007"), ("Tc-99m", "")])
def test_non_fdg_tracers_are_refused_with_one_line(method, nuclide, text):
    with pytest.raises(ResponseError) as ei:
        check_response_tracer(method, NUCLIDES[nuclide], text)
    msg = str(ei.value)
    assert "\n" not in msg and method.upper() in msg and "FDG" in msg


def test_fdg_is_accepted_and_an_unnamed_f18_tracer_is_assumed_fdg_with_a_note():
    assert check_response_tracer("percist", NUCLIDES["F-18"], "Fluorodeoxyglucose") == ""
    assert check_response_tracer("percist", NUCLIDES["F-18"], "FDG -- fluorodeoxyglucose") == ""
    assert "FDG was assumed" in check_response_tracer("eortc", NUCLIDES["F-18"], "")
    with pytest.raises(ResponseError, match="not named"):
        check_response_tracer("percist", None, "")


def test_response_cli_refuses_two_lu177_time_points(tmp_path, capsys):
    from workstation.cli import main
    from workstation.testing.dicom_factory import write_series
    from workstation.testing.pet_factory import pet_dataset

    keys = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
            "AcquisitionTime", "PatientWeight", "PatientSize", "PatientSex", "RadiopharmaceuticalInformationSequence")
    a = np.zeros((6, 8, 8), np.int16)
    a[2:4, 3:5, 3:5] = 1000
    for name, day in (("t1", "20181115"), ("t2", "20181116")):
        ds = pet_dataset(units="BQML", decay_correction="START", half_life=574300.8, series_date=day, size=1.75,
                         acquisition_date=day, series_time="130000", acquisition_time="130000",
                         start_time="092200", start_datetime="20181115092200",
                         radionuclide_code=("C-101ED", "99SDM", "177 Lutetium"))
        write_series(tmp_path / name, a, origin=(0, 0, 0), spacing_ijk=(4.0, 4.0, 4.0), modality="PT",
                     extra={k: ds.get(k) for k in keys if k in ds})
    rc = main(["response", str(tmp_path / "t1"), str(tmp_path / "t2"), "--no-register", "--liver", "8,8,8"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "PERCIST is made for FDG PET" in err and "Lu-177" in err and len(err.splitlines()) == 1
