"""Fixtures of the GUI tests: the demo study written once per test session."""

import json

import pytest


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory):
    from workstation.demo.study import write_demo_study

    out = tmp_path_factory.mktemp("demo")
    truth = write_demo_study(out, seed=0)
    assert json.loads((out / "truth.json").read_text())["lesions"] == truth["lesions"]
    return out, truth


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_the_main_thread():
    """Windows of a finished test that sit in reference cycles are freed here, on the main thread. Left to
    the cyclic garbage collector, they can be freed on whichever thread allocates next, e.g. a later
    test's worker thread scanning a folder; Qt widgets deleted off the main thread crash the process
    (seen once in a clean-clone run of test_patient_names.py)."""
    import gc

    yield
    gc.collect()
