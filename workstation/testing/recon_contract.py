"""The shared contract test suite every reconstruction plugin's tests inherit.

A plugin's test module subclasses :class:`PluginContract` (the class name must start with
``Test`` to be collected) and sets:

* ``plugin_id``: the id in its manifest;
* ``fast_parameters``: parameters that make a job finish in seconds;
* ``make_inputs(tmp_path)``: returns ``(input_files, arrays)`` for a small valid job;
* ``slow_parameters`` (optional): parameters for a job long enough to be cancelled mid-way.

The suite runs each job through the real host (child process, channel, job directory) and
checks: the manifest is valid, the defaults are valid, the result is finite with declared
units (Bq/mL) and a geometry matching its array, progress is monotone and ends at 1,
a cancel is honoured cooperatively (no terminate or kill needed), and the job directory holds
the audit trail (request, log, status, result). Crash containment is a host property, tested
with the deliberately broken plugins in ``broken_plugins/``.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from workstation.recon.host import JobStatus, ReconHost
from workstation.recon.manifest import PluginRegistry


class PluginContract:
    plugin_id: str = ""
    fast_parameters: dict = {}
    slow_parameters: dict | None = None
    job_timeout_s: float = 300.0

    def make_inputs(self, tmp_path):
        return {}, {}

    # ------------------------------------------------------------------ fixtures
    @pytest.fixture
    def contract_registry(self):
        return PluginRegistry.discover()

    @pytest.fixture
    def contract_host(self, contract_registry, tmp_path):
        return ReconHost(contract_registry, jobs_root=tmp_path / "jobs", heartbeat_interval_s=0.5,
                         heartbeat_timeout_s=60.0, cancel_grace_s=20.0, terminate_grace_s=2.0)

    def _run(self, host, tmp_path, params, **kw):
        files, arrays = self.make_inputs(tmp_path)
        job = host.submit(self.plugin_id, input_files=files, arrays=arrays, parameters=params, **kw)
        status = job.wait(self.job_timeout_s)
        if not job.done:
            job.cancel()
            job.wait(30)
            pytest.fail(f"job did not finish within {self.job_timeout_s} s")
        return job, status

    # ------------------------------------------------------------------ the contract
    def test_manifest_is_valid(self, contract_registry):
        assert self.plugin_id in contract_registry.plugins, [b.reason for b in contract_registry.broken]
        m = contract_registry.plugins[self.plugin_id]
        assert m.contract_version.split(".")[0] == "1"
        assert m.outputs and all(o.units == "BQML" for o in m.outputs)
        assert m.entry_point and ":" in m.entry_point

    def test_defaults_are_valid(self, contract_registry):
        m = contract_registry.plugins[self.plugin_id]
        resolved = m.resolve_parameters({})
        assert resolved == m.defaults()
        for p in m.parameters:
            assert p.coerce(p.default) == p.default
            if p.type in ("int", "float") and p.min is not None:
                assert p.default >= p.min
            if p.type in ("int", "float") and p.max is not None:
                assert p.default <= p.max

    def test_fast_parameters_are_valid(self, contract_registry):
        contract_registry.plugins[self.plugin_id].resolve_parameters(self.fast_parameters)

    def test_result_finite_units_geometry_progress(self, contract_host, tmp_path):
        job, status = self._run(contract_host, tmp_path, self.fast_parameters)
        assert status == JobStatus.COMPLETED, job.error
        vol = job.result
        assert vol.units == "BQML" and vol.modality == "PT"
        assert vol.array.shape == vol.geometry.shape
        assert np.all(np.isfinite(vol.array))
        # progress monotone, ends complete
        assert job.fractions, "plugin reported no progress"
        assert all(b >= a - 1e-9 for a, b in zip(job.fractions, job.fractions[1:])), job.fractions
        assert job.fraction == pytest.approx(1.0)
        assert not [w for w in job.warnings if "progress" in w]
        # audit trail
        for name in ("request.json", "status.json", "child.log", "outputs/image.npy", "outputs/result.json"):
            assert (job.job_dir / name).is_file(), name
        statuses = [s for _, s in json.loads((job.job_dir / "status.json").read_text())["history"]]
        assert statuses == ["scheduled", "running", "completing", "completed"]
        for part in job.partials:
            assert part.load().shape == part.geometry.shape
        assert job.returncode == 0

    def test_cancel_is_honoured(self, contract_host, tmp_path):
        params = self.slow_parameters if self.slow_parameters is not None else self.fast_parameters
        seen = []
        files, arrays = self.make_inputs(tmp_path)
        job = contract_host.submit(self.plugin_id, input_files=files, arrays=arrays, parameters=params,
                                   listener=lambda j, kind, d: seen.append(kind))
        t0 = time.monotonic()
        while "progress" not in seen and not job.done and time.monotonic() - t0 < self.job_timeout_s:
            time.sleep(0.02)
        job.cancel()
        status = job.wait(self.job_timeout_s)
        if status == JobStatus.COMPLETED:
            pytest.skip("the job finished before the cancel arrived; give slow_parameters")
        assert status == JobStatus.CANCELLED, job.error
        assert not [w for w in job.warnings if "terminated" in w or "killed" in w], job.warnings
        assert job.returncode == 0
