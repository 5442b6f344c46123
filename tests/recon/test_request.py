"""The job request shared by `workstation recon` and the reconstruction panel: checked once against the manifest."""

import numpy as np
import pytest

from workstation.core.geometry import ImageGeometry
from workstation.recon.manifest import ParameterError
from workstation.recon.request import RequestError, prepare_request


class _CT:
    geometry = ImageGeometry((2, 3, 4), (1.0, 1.0, 1.0))
    array = np.array([-1000.0, 0.0, 1000.0] * 8, np.float32).reshape(2, 3, 4)


def test_prepare_checks_the_manifest(registry, tmp_path):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"x")
    req = prepare_request(registry, "toy", raw, {"iterations": "3"})
    assert req.input_files == {"raw": str(raw)}  # the plugin's file input
    assert req.parameters["iterations"] == 3  # resolved by the manifest (typed, defaults filled in)
    assert set(req.parameters) == {p.name for p in registry.get("toy").parameters}
    assert req.arrays() == {} and req.ct is None  # the toy plugin takes no attenuation map: the CT is not used
    assert prepare_request(registry, "toy", None, ct=_CT()).ct is None
    with pytest.raises(RequestError, match="not found"):
        prepare_request(registry, "toy", tmp_path / "missing.bin")
    with pytest.raises(RequestError, match="raw data file"):
        prepare_request(registry, "toy", None, require_raw=True)
    with pytest.raises(RequestError, match="attenuation map"):
        prepare_request(registry, "toy", raw, mu_map=(np.zeros((2, 2, 2)), None))
    with pytest.raises(ParameterError):
        prepare_request(registry, "toy", raw, {"iterations": 0})


def test_attenuation_map_from_the_ct_when_the_plugin_takes_one(registry):
    from workstation.recon.attenuation import hu_to_mu_511
    from workstation.recon.request import ReconRequest

    req = ReconRequest("any", ct=_CT())
    mu, geom = req.arrays()["mu_map"]
    np.testing.assert_array_equal(mu, hu_to_mu_511(_CT.array))
    assert geom is _CT.geometry
