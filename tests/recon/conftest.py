"""Fixtures of the recon tests: a fast host. The test plugins of broken_plugins/ are importable through
the ``pythonpath`` setting of pyproject.toml (pytest puts them on the path; no test edits sys.path)."""

import pytest


@pytest.fixture
def registry():
    from workstation.recon.manifest import PluginRegistry

    return PluginRegistry.discover()


@pytest.fixture
def host(registry, tmp_path):
    from workstation.recon.host import ReconHost

    return ReconHost(registry, jobs_root=tmp_path / "jobs", heartbeat_interval_s=0.2, heartbeat_timeout_s=4.0,
                     cancel_grace_s=1.0, terminate_grace_s=1.0, start_timeout_s=60)
