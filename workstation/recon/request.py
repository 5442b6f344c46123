"""A reconstruction job prepared once, for the command line and the reconstruction panel alike.

:func:`prepare_request` checks what a user asked for against the plugin's manifest (parameters
resolved with their defaults and ranges, the raw-data file on the plugin's file input, whether the
plugin takes an attenuation map) and returns a :class:`ReconRequest`; :func:`submit_request` turns
the CT into the attenuation map when the plugin takes one (long work: it takes a progress object)
and hands the job to the :class:`~workstation.recon.host.ReconHost`. The command and the panel only
gather the inputs and show the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workstation.core.geometry import ImageGeometry


class RequestError(ValueError):
    """The job cannot be prepared (no raw file, a plugin that does not take it, ...); the message says why."""


@dataclass(frozen=True)
class ReconRequest:
    """A checked job: plugin, input files, resolved parameters and where its attenuation map comes from."""

    plugin_id: str
    input_files: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    ct: Any = None  # a CT Volume whose HU become the attenuation map (when the plugin takes one)
    mu_map: tuple[np.ndarray, ImageGeometry | None] | None = None  # a ready attenuation map (1/cm)

    def arrays(self, progress=None) -> dict:
        """The array inputs of the job (the attenuation map from the CT is computed here)."""
        if self.mu_map is not None:
            return {"mu_map": self.mu_map}
        if self.ct is not None:
            from workstation.recon.attenuation import hu_to_mu_511

            if progress is not None:
                progress.update(0.0, "attenuation map from the CT")
            return {"mu_map": (hu_to_mu_511(self.ct.array), self.ct.geometry)}
        return {}


def prepare_request(registry, plugin_id: str, raw_file=None, parameters: dict | None = None, *, ct=None,
                    mu_map=None, require_raw: bool = False) -> ReconRequest:
    """Check a job against the plugin's manifest; raises RequestError, ParameterError or PluginNotFound.

    ``ct``: the study's CT; its attenuation map is used when the plugin takes one (and ignored
    otherwise). ``mu_map``: an attenuation map given directly; an error when the plugin takes none.
    """
    manifest = registry.get(plugin_id)
    params = manifest.resolve_parameters(parameters or {})
    file_inputs = [i.name for i in manifest.inputs if i.kind != "array"]
    takes_mu = "mu_map" in {i.name for i in manifest.inputs}
    inputs = {}
    if raw_file:
        if not file_inputs:
            raise RequestError(f"plugin {plugin_id!r} takes no raw data file")
        if not Path(raw_file).is_file():
            raise RequestError(f"raw data file not found: {raw_file}")
        inputs[file_inputs[0]] = str(raw_file)
    elif require_raw:
        raise RequestError(f"plugin {plugin_id!r} needs a raw data file" if file_inputs else
                           f"plugin {plugin_id!r} takes no input file")
    if mu_map is not None and ct is not None:
        raise RequestError("give either a CT or an attenuation map, not both")
    if mu_map is not None and not takes_mu:
        raise RequestError(f"plugin {plugin_id!r} does not take an attenuation map")
    return ReconRequest(plugin_id, inputs, params, ct if takes_mu else None, mu_map)


def submit_request(host, request: ReconRequest, *, progress=None, listener=None, job_dir: Path | None = None):
    """Compute the array inputs and submit the job to ``host``; returns the :class:`ReconJob`."""
    return host.submit(request.plugin_id, input_files=request.input_files, arrays=request.arrays(progress),
                       parameters=request.parameters, listener=listener, job_dir=job_dir)
