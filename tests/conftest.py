import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFDATA = REPO.parent / "shared" / "refdata"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/dicom_factory.py

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


@pytest.fixture(scope="session")
def followup_demo(tmp_path_factory):
    """``workstation demo --followup`` written once per session: (folder, follow-up truth dict)."""
    from workstation.analysis.demo_study import write_followup_study

    out = tmp_path_factory.mktemp("followup-demo")
    truth = write_followup_study(out, seed=0)
    return out, truth
