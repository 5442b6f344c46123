"""`workstation dosimetry calibration add|list|max-age`: the settings store from the command line."""

import json

import pydicom
import pytest

from workstation.cli import main


def test_add_list_and_refusals(capsys, tmp_path):
    assert main(["dosimetry", "calibration", "list"]) == 0
    assert "no camera calibration stored" in capsys.readouterr().out
    assert main(["dosimetry", "calibration", "add", "--camera", "ACME/Gamma 2/ 42", "--nuclide", "Lu-177",
                 "--cps-per-mbq", "9.25", "--date", "2025-03-01", "--who", "physicist A"]) == 0
    assert "ACME / Gamma 2 / 42" in capsys.readouterr().out
    # the camera's name from a scan's header
    ds = pydicom.Dataset()
    ds.Modality, ds.Manufacturer, ds.ManufacturerModelName, ds.DeviceSerialNumber = "NM", "GE", "Discovery", "77"
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.20"
    ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    (tmp_path / "scan").mkdir()
    pydicom.dcmwrite(str(tmp_path / "scan" / "a.dcm"), ds, enforce_file_format=True)
    assert main(["dosimetry", "calibration", "add", "--from-scan", str(tmp_path / "scan"), "--nuclide", "I-131",
                 "--cps-per-mbq", "3.1", "--date", "2024-12-01"]) == 0
    capsys.readouterr()
    assert main(["dosimetry", "calibration", "list", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["max_age_days"] == 365
    assert [(e["camera"], e["nuclide"], e["cps_per_mbq"], e["measured"]) for e in d["entries"]] == [
        ("ACME / Gamma 2 / 42", "Lu-177", 9.25, "2025-03-01"), ("GE / Discovery / 77", "I-131", 3.1, "2024-12-01")]
    assert main(["dosimetry", "calibration", "max-age", "200"]) == 0
    assert "200 days" in capsys.readouterr().out
    # bad input: one line, exit 2, nothing stored
    assert main(["dosimetry", "calibration", "add", "--camera", "A/B/C", "--nuclide", "Lu-177",
                 "--cps-per-mbq", "0", "--date", "2025-01-01"]) == 2
    assert "cps/MBq" in capsys.readouterr().err
    assert main(["dosimetry", "calibration", "add", "--camera", "A/B/C", "--nuclide", "Lu-177",
                 "--cps-per-mbq", "9", "--date", "1.1.2025"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: the camera is required
        main(["dosimetry", "calibration", "add", "--nuclide", "Lu-177", "--cps-per-mbq", "9", "--date", "2025-01-01"])
    capsys.readouterr()
    assert main(["dosimetry", "calibration", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["entries"]) == 2
