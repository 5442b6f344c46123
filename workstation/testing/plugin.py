"""The workstation's pytest plugin (entry point ``pytest11``): shared fixtures for our tests and a plugin's.

Registered by installing the package, so a third-party reconstruction plugin's tests get it
without a ``conftest.py`` of ours. It turns on pytest's assertion rewriting for
``workstation.testing`` (the contract suite's failures then show the values) and provides:

* ``recon_registry``: the installed reconstruction plugins (``PluginRegistry.discover()``);
* ``recon_host``: a :class:`~workstation.recon.host.ReconHost` with its jobs under ``tmp_path``;
* ``synthetic_pet_ct``: the tiny in-memory PET/CT study of :mod:`workstation.testing.synthetic_study`.

A plugin runs the shared contract with::

    from workstation.testing.recon_contract import PluginContract

    class TestContract(PluginContract):
        plugin_id = "my-plugin"
        fast_parameters = {"iterations": 1}
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("workstation.testing.recon_contract")


@pytest.fixture
def recon_registry():
    from workstation.recon.manifest import PluginRegistry

    return PluginRegistry.discover()


@pytest.fixture
def recon_host(recon_registry, tmp_path):
    from workstation.recon.host import ReconHost

    return ReconHost(recon_registry, jobs_root=tmp_path / "jobs")


@pytest.fixture
def synthetic_pet_ct():
    """(ct, pet) Volumes of the synthetic study (asymmetric markers, one hot sphere)."""
    from workstation.testing import synthetic_study as syn

    return syn.make_ct(), syn.make_pet()
