"""Fixtures of the recon tests: the test plugins directory on sys.path, a fast host."""

import sys
from pathlib import Path

import pytest

BROKEN_DIR = Path(__file__).resolve().parent / "broken_plugins"
if str(BROKEN_DIR) not in sys.path:
    sys.path.insert(0, str(BROKEN_DIR))


@pytest.fixture
def registry():
    from workstation.recon.manifest import PluginRegistry

    return PluginRegistry.discover()


@pytest.fixture
def host(registry, tmp_path):
    from workstation.recon.host import ReconHost

    return ReconHost(registry, jobs_root=tmp_path / "jobs", heartbeat_interval_s=0.2, heartbeat_timeout_s=4.0,
                     cancel_grace_s=1.0, terminate_grace_s=1.0, start_timeout_s=60)
