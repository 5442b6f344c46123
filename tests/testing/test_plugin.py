"""workstation.testing as a pytest plugin: declared as a pytest11 entry point, and a foreign test suite
(a plugin's tests, in another folder, without our conftest) gets its fixtures and the contract suite."""

import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_declared_as_pytest11_entry_point():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    eps = meta["project"]["entry-points"]["pytest11"]
    assert eps == {"workstation.testing.plugin": "workstation.testing.plugin"}


def test_a_foreign_suite_gets_the_fixtures_and_the_contract(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # this checkout's workstation, wherever the suite runs
    pytester.makepyfile(test_foreign='''
        import numpy as np
        from workstation.testing.recon_contract import PluginContract
        from workstation.testing.pet_factory import pet_dataset

        def test_fixtures(synthetic_pet_ct, recon_registry, recon_host, tmp_path):
            ct, pet = synthetic_pet_ct
            assert ct.geometry.shape != pet.geometry.shape and np.isfinite(pet.array).all()
            assert recon_host.jobs_root == tmp_path / "jobs"
            assert hasattr(recon_registry, "plugins")
            assert pet_dataset().Modality == "PT"

        def test_contract_is_importable():
            assert PluginContract.plugin_id == ""
    ''')
    result = pytester.runpytest_subprocess("-p", "workstation.testing.plugin", "-p", "no:cacheprovider",
                                           "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=2)


def test_no_test_edits_sys_path():
    offenders = []
    for root in (REPO / "tests", REPO / "plugins"):
        for path in root.rglob("*.py"):
            if path.name == "test_plugin.py" and path.parent.name == "testing":
                continue
            text = path.read_text(encoding="utf-8")
            if "sys.path.insert" in text or "sys.path.append" in text:
                if "tests" in path.parts:
                    offenders.append(str(path.relative_to(REPO)))
    assert not offenders, offenders
    assert sys.version_info >= (3, 11)  # tomllib
