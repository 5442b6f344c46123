"""Shared fixtures: a tiny ring scanner and a small simulated PETSIRD file of the demo phantom."""


import numpy as np
import pytest

from osem_fixtures import small_scanner  # the helpers live there: one `conftest` module name per pytest run


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WORKSTATION_RECON_CACHE", str(tmp_path_factory.getbasetemp() / "sens-cache"))


@pytest.fixture(scope="session")
def demo_listmode(tmp_path_factory):
    """(path, scanner, shapes, mu_map, mu_geometry) for a 0.3 s acquisition of the demo phantom."""
    from listmode_osem import petsird_io
    from listmode_osem import simulate as sim
    from workstation.core.geometry import ImageGeometry

    d = tmp_path_factory.mktemp("demo")
    s = small_scanner()
    shapes, info = sim.demo_phantom(10000.0)
    prompts, _, delayeds, _ = sim.simulate(s, shapes, 0.3, 0.1, seed=3)
    path = d / "demo.petsird"
    petsird_io.write_listmode(path, s, prompts.T, delayeds.T, duration_s=0.3)
    mg = ImageGeometry((20, 90, 90), (2.0, 2.0, 2.0), (-89.0, -89.0, -19.0))
    mu = sim.phantom_image(shapes, mg, 2, "mu").astype(np.float32)
    return path, s, shapes, mu, mg
