"""Fixtures of the GUI tests: the demo study written once per test session."""

import json

import pytest


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory):
    from workstation.analysis.demo_study import write_demo_study

    out = tmp_path_factory.mktemp("demo")
    truth = write_demo_study(out, seed=0)
    assert json.loads((out / "truth.json").read_text())["lesions"] == truth["lesions"]
    return out, truth
