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


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never touch the user's real study database from tests."""
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("wsdata")))
