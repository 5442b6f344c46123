"""`workstation check`: every series loaded or refused with its reason; exit status says which."""

from __future__ import annotations

import json

import pytest
from malformed_corpus import CASES, NOT_INDEXED, base_dataset, build_corpus, save
from workstation.testing.pet_factory import pet_dataset

from workstation.cli import main


def _pet_image(path, **pet_kwargs):
    ds = pet_dataset(**pet_kwargs)
    img = base_dataset("PT")
    for elem in img:
        if elem.keyword not in ds and elem.keyword not in ("SOPClassUID", "SOPInstanceUID", "SeriesInstanceUID"):
            ds[elem.tag] = elem
    ds.StudyInstanceUID = img.StudyInstanceUID
    return save(ds, path)


def test_check_all_loaded_json_with_suv_facts(tmp_path, capsys):
    save(base_dataset(description="ct ok"), tmp_path / "ct.dcm")
    _pet_image(tmp_path / "pet.dcm")
    rc = main(["check", str(tmp_path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["all_loaded"] is True
    by_mod = {s["modality"]: s for s in out["series"]}
    assert by_mod["CT"]["status"] == "loaded" and by_mod["CT"]["shape"] == [1, 4, 5]
    pet = by_mod["PT"]
    assert pet["status"] == "loaded" and pet["units"] == "BQML"
    # body weight 70 kg, 370 MBq at 11:00 decayed to the 12:00 series time with T1/2 6586.2 s
    expected = 70000.0 / (370e6 * 2 ** (-3600 / 6586.2))
    assert pet["pet"]["factor"] == pytest.approx(expected, rel=1e-9)


def test_check_reports_each_refusal_and_fails(tmp_path, capsys):
    files = build_corpus(tmp_path)
    rc = main(["check", str(tmp_path)])
    text = capsys.readouterr().out
    assert rc == 1
    lines = text.splitlines()
    refused = [ln for ln in lines if ln.startswith("REFUSED")]
    expected_refused = [n for n, (_, e) in CASES.items() if e != "loads" and n not in NOT_INDEXED]
    assert len(refused) == len(expected_refused)
    for name in expected_refused:
        line = next(ln for ln in refused if str(files[name]) in ln)
        for fragment in CASES[name][1]:
            assert fragment in line
    assert sum(ln.startswith("loaded") for ln in lines) == sum(e == "loads" for _, e in CASES.values())
    n_loads = sum(e == "loads" for _, e in CASES.values())
    assert lines[-1] == (f"{n_loads} series loaded, {len(expected_refused)} refused, {len(NOT_INDEXED)} file(s) "
                         f"skipped of {len(files)} file(s)")


def test_check_json_exit_status_on_refusal(tmp_path, capsys):
    files = build_corpus(tmp_path)
    rc = main(["check", str(files["nan_slope"].parent), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["all_loaded"] is False
    assert "RescaleSlope (0028,1053)" in out["series"][0]["reason"]


def test_stats_on_a_nan_slope_pet_is_one_line(tmp_path, capsys):
    d = tmp_path / "pet"
    d.mkdir()
    _pet_image(d / "pet.dcm")
    data = (d / "pet.dcm").read_bytes()
    (d / "pet.dcm").write_bytes(data.replace(b"\x28\x00\x53\x10DS\x04\x001.0 ", b"\x28\x00\x53\x10DS\x04\x00NaN "))
    rc = main(["stats", str(d), "--mask", str(tmp_path / "none.nii.gz")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and "RescaleSlope (0028,1053) is nan" in err and "Traceback" not in err
