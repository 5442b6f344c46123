import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]  # tests/testing runs foreign suites with our pytest plugin

REPO = Path(__file__).resolve().parents[1]
REFDATA = REPO.parent / "shared" / "refdata"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow")


@pytest.fixture
def refdata():
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not present at {REFDATA}")
    return REFDATA


def pytest_configure(config):
    """Fixtures of module or session scope are built before the per-test data folder below is set:
    give the whole run its own data folder too, so that no test ever writes the user's real one."""
    import tempfile

    os.environ["WORKSTATION_DATA_DIR"] = tempfile.mkdtemp(prefix="ws-test-data-")
    # The whole suite (GUI, plugins) runs in one process: garbage is collected on the main thread only,
    # between tests, as the application does (workstation.tasks.collector), never on a worker thread.
    import gc

    gc.disable()
    config.pluginmanager.register(_MainThreadGarbage(), "workstation-main-thread-gc")


class _MainThreadGarbage:
    """After every test (ours and the plugins'), collect what the automatic collector would have."""

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item, nextitem):
        from workstation.tasks.collector import collect_if_due

        collect_if_due()


@pytest.fixture(autouse=True)
def _fresh_phi_registry():
    """The log's registry of patient names is process-wide: each test starts without the names of the tests
    that ran before it in the same process (one pytest process runs the whole suite)."""
    from workstation.settings.logs import forget_phi

    forget_phi()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never touch the user's real study database from tests."""
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("wsdata")))


@pytest.fixture(scope="session")
def followup_demo(tmp_path_factory):
    """``workstation demo --followup`` written once per session: (folder, follow-up truth dict)."""
    from workstation.demo.study import write_followup_study

    out = tmp_path_factory.mktemp("followup-demo")
    truth = write_followup_study(out, seed=0)
    return out, truth


@pytest.fixture(scope="session")
def followup_reading(followup_demo):
    """The follow-up demo read once per session: (FollowupReading, follow-up truth, baseline truth)."""
    import json

    from workstation.analysis.followup import comparison as F

    out, truth = followup_demo
    bt = json.loads((out / "baseline" / "truth.json").read_text(encoding="utf-8"))
    base, fu = F.load_timepoint(out / "baseline"), F.load_timepoint(out / "followup")
    rd = F.read_followup(base, fu, bt["reference_vois"]["liver"]["centre_lps_mm"],
                         blood_pool_world=bt["reference_vois"]["blood_pool"]["centre_lps_mm"])
    return rd, truth, bt
