"""Manifest parsing and parameter coercion."""

import json

import pytest

from workstation.recon.manifest import (ManifestError, ParameterError, PluginRegistry, parse_manifest,
                                        read_manifest_file)

BASE = {"id": "x", "name": "X", "version": "1", "contract_version": "1.0"}


def test_minimal_manifest():
    m = parse_manifest(BASE, "mod:run")
    assert m.id == "x" and m.outputs[0].units == "BQML" and m.parameters == ()


@pytest.mark.parametrize("change, msg", [
    ({"id": ""}, "non-empty"),
    ({"contract_version": "2.0"}, "contract 2.0"),
    ({"contract_version": "one"}, "MAJOR.MINOR"),
    ({"outputs": [{"name": "img", "units": "CNTS"}]}, "BQML"),
    ({"parameters": [{"name": "n", "type": "int"}]}, "no default"),
    ({"parameters": [{"name": "n", "type": "complex", "default": 1}]}, "type 'complex'"),
    ({"parameters": [{"name": "n", "type": "int", "default": 5, "min": 6}]}, "default is invalid"),
    ({"parameters": [{"name": "n", "type": "int", "default": 5, "min": 9, "max": 2}]}, "min 9 > max 2"),
    ({"parameters": [{"name": "c", "type": "choice", "default": "a"}]}, "no choices"),
    ({"parameters": [{"name": "n", "type": "int", "default": 1}, {"name": "n", "type": "int", "default": 1}]},
     "duplicate"),
    ({"resources": {"gpu": "maybe"}}, "resources.gpu"),
    ({"inputs": [{"name": "a", "kind": "tape"}]}, "kind 'tape'"),
])
def test_invalid_manifests(change, msg):
    with pytest.raises(ManifestError, match=msg):
        parse_manifest({**BASE, **change}, source="here.json")


def test_missing_field_names_it():
    d = dict(BASE)
    del d["version"]
    with pytest.raises(ManifestError, match="here.json: missing required field 'version'"):
        parse_manifest(d, source="here.json")


def test_parameter_coercion():
    m = parse_manifest({**BASE, "parameters": [
        {"name": "it", "type": "int", "default": 3, "min": 1, "max": 50},
        {"name": "fwhm", "type": "float", "default": 0.0, "min": 0, "unit": "mm"},
        {"name": "tof", "type": "bool", "default": True},
        {"name": "mode", "type": "choice", "default": "a", "choices": ["a", "b"]}]})
    assert m.resolve_parameters({"it": "7", "fwhm": "4.5", "tof": "off", "mode": "b"}) == \
        {"it": 7, "fwhm": 4.5, "tof": False, "mode": "b"}
    assert m.resolve_parameters({"it": 7.0})["it"] == 7
    for bad, msg in (({"it": "2.5"}, "int"), ({"it": 51}, "above its maximum 50"), ({"fwhm": -1}, "below"),
                     ({"fwhm": "nan"}, "float"), ({"tof": "maybe"}, "bool"), ({"mode": "c"}, "one of"),
                     ({"it": True}, "int")):
        with pytest.raises(ParameterError, match=msg):
            m.resolve_parameters(bad)


def test_register_and_broken_file(tmp_path):
    reg = PluginRegistry()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(BASE))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert reg.register(good, "m:run", sys_path=(tmp_path,)).sys_path == (str(tmp_path),)
    assert reg.register(bad, "m:run") is None
    assert "not readable JSON" in reg.broken[0].reason
    with pytest.raises(ManifestError, match="not found"):
        read_manifest_file(tmp_path / "none.json")
