"""The plugin host: contract suite on the toy plugin, containment of deliberately broken plugins."""

import json
import time

import numpy as np
import pytest

from workstation.testing.recon_contract import PluginContract
from workstation.recon.host import JobStatus, ReconJobError, _ALLOWED, _parse_line
from workstation.recon.manifest import ParameterError, PluginNotFound


class TestToyPluginContract(PluginContract):
    plugin_id = "toy"
    fast_parameters = {"iterations": 3, "seconds_per_iteration": 0.0}
    slow_parameters = {"iterations": 400, "seconds_per_iteration": 0.05}


def test_toy_values_partials_and_stray_print(host):
    job = host.run("toy", timeout=60, parameters={"iterations": "4", "value": "2500"})
    assert job.status == JobStatus.COMPLETED, job.error
    a = job.result.array
    assert a.max() == pytest.approx(2500.0) and a.min() == 0.0
    assert [p.iteration for p in job.partials] == [1, 2, 3, 4]
    assert job.partials[1].load().max() == pytest.approx(1250.0)
    assert job.fractions == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert "iteration 4 done" in job.plugin_log[-1]
    assert "stray print" in job.log_tail()  # stray prints go to the log, not the channel
    req = json.loads((job.job_dir / "request.json").read_text())
    assert req["parameters"]["iterations"] == 4 and req["parameters"]["value"] == 2500.0
    assert job.result.info["provenance"] == {"iterations": 4, "duration_s": 600.0, "attenuation": True}


def test_bad_parameters_rejected_before_start(host):
    with pytest.raises(ParameterError, match="iterations"):
        host.submit("toy", parameters={"iterations": 0})
    with pytest.raises(ParameterError, match="no parameter"):
        host.submit("toy", parameters={"itterations": 2})
    with pytest.raises(PluginNotFound, match="no reconstruction plugin"):
        host.submit("does-not-exist")
    with pytest.raises(PluginNotFound, match="broken"):
        host.submit("badmanifest")
    with pytest.raises(ReconJobError, match="does not exist"):
        host.submit("toy", input_files={"raw": "/nonexistent/file.bin"})


@pytest.mark.parametrize("plugin, expect", [
    ("segv", "crashed (SIGSEGV)"),
    ("abort", "crashed (SIGABRT)"),
    ("raises", "ZeroDivisionError: the plugin divided by zero"),
    ("nan", "non-finite voxel"),
    ("wrongunits", "units 'CNTS'"),
    ("garbage", "garbage on the message channel"),
])
def test_broken_plugin_contained(host, plugin, expect):
    t0 = time.monotonic()
    job = host.run(plugin, timeout=60)
    assert job.status == JobStatus.FAILED
    assert expect in job.error
    assert job.result is None
    assert time.monotonic() - t0 < 30
    status = json.loads((job.job_dir / "status.json").read_text())
    assert status["status"] == "failed"


def test_crash_message_has_log_tail(host):
    job = host.run("raises", timeout=60)
    assert "Traceback" in job.error and "ZeroDivisionError" in job.error


def test_frozen_process_fails_on_missed_heartbeat(host):
    job = host.run("stopped", timeout=60)
    assert job.status == JobStatus.FAILED
    assert "no heartbeat" in job.error
    assert job.returncode is not None  # the child was killed and reaped


def test_hang_ignoring_cancel_and_sigterm_is_killed(host):
    job = host.submit("hang")
    t0 = time.monotonic()
    while job.fraction < 0.1 and time.monotonic() - t0 < 30:
        time.sleep(0.02)
    job.cancel()
    assert job.wait(30) == JobStatus.CANCELLED
    assert any("terminated" in w for w in job.warnings)
    assert any("killed" in w for w in job.warnings)
    assert job.returncode == -9
    statuses = [s for _, s in job.history]
    assert statuses == ["scheduled", "running", "cancelling", "cancelled"]


def test_discovery_lists_broken_plugins_without_importing_them(registry):
    import sys

    assert {"toy", "segv", "hang", "nan"} <= set(registry.plugins)
    reasons = {b.name: b.reason for b in registry.broken}
    assert "badmanifest" in reasons and "default is invalid" in reasons["badmanifest"]
    assert "nomanifest" in reasons and "manifest file not found" in reasons["nomanifest"]
    assert "broken_badmanifest.plugin" not in sys.modules
    assert "broken_segv.plugin" not in sys.modules
    assert "toy_recon.plugin" not in sys.modules


def test_status_machine_transitions():
    S = JobStatus
    assert _ALLOWED[S.SCHEDULED] == {S.RUNNING, S.CANCELLING, S.FAILED}
    assert S.COMPLETED not in _ALLOWED[S.RUNNING]  # always through completing
    assert S.CANCELLED not in _ALLOWED[S.RUNNING]  # always through cancelling
    for final in (S.COMPLETED, S.CANCELLED, S.FAILED):
        assert final.final and not _ALLOWED[final]


def test_parse_line():
    assert _parse_line(b'{"type": "progress", "fraction": 0.5}\n')["fraction"] == 0.5
    assert "not JSON" in _parse_line(b"hello world\n")
    assert "unknown message" in _parse_line(b'{"type": "launch_missiles"}\n')
    assert "unknown message" in _parse_line(b"[1, 2]\n")


def test_listener_sees_events_and_errors_in_listener_do_not_kill_job(host):
    kinds = []

    def listener(job, kind, data):
        kinds.append(kind)
        raise RuntimeError("bad listener")

    job = host.submit("toy", parameters={"iterations": 2, "seconds_per_iteration": 0}, listener=listener)
    assert job.wait(60) == JobStatus.COMPLETED
    assert {"hello", "status", "progress", "partial", "log"} <= set(kinds)
    assert any("listener error" in w for w in job.warnings)
    assert np.isfinite(job.result.array).all()
