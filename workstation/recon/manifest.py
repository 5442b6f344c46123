"""Plugin manifests and discovery, without importing any plugin code.

A reconstruction plugin is a distribution that declares an entry point in the group
``workstation.recon``, e.g. ``listmode-osem = "listmode_osem.plugin:run"``. Next to the entry
point's module, in its package directory, it ships ``manifest.json``: static data that lets the
UI list the plugin and build its parameter form even when the plugin's code is broken::

    {"id": "listmode-osem", "name": "...", "version": "0.1.0", "contract_version": "1.0",
     "description": "...",
     "inputs":  [{"name": "listmode", "kind": "petsird", "required": true}, ...],
     "outputs": [{"name": "image", "kind": "volume", "units": "BQML"}],
     "parameters": [{"name": "iterations", "type": "int", "default": 3, "min": 1, "max": 100,
                     "unit": "", "label": "Iterations", "description": "..."}, ...],
     "resources": {"gpu": "optional", "threads": 0, "memory_mb": 2000}}

The manifest file is located through ``importlib.util.find_spec`` of the *top-level* package,
which finds the package directory without executing it. A plugin whose manifest is missing or
invalid is listed in :attr:`PluginRegistry.broken` with the reason; it never stops start-up.
"""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENTRY_POINT_GROUP = "workstation.recon"
MANIFEST_NAME = "manifest.json"
SUPPORTED_CONTRACT_MAJOR = 1

PARAM_TYPES = ("int", "float", "bool", "choice", "str")
INPUT_KINDS = ("petsird", "ct-series", "array", "file")
GPU_HINTS = ("none", "optional", "required")


class ManifestError(ValueError):
    """The manifest of a plugin is missing or invalid (message names the file and the field)."""


class ParameterError(ValueError):
    """A parameter value given for a job is not allowed by the plugin's manifest."""


class PluginNotFound(LookupError):
    """No plugin with the requested id is installed (or it is broken)."""


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: str
    default: Any
    label: str = ""
    description: str = ""
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple = ()

    def coerce(self, value: Any) -> Any:
        """Convert ``value`` (possibly a command-line string) to this parameter's type and check it."""
        t = self.type
        try:
            if t == "bool":
                if isinstance(value, str):
                    low = value.strip().lower()
                    if low in ("1", "true", "yes", "on"):
                        v: Any = True
                    elif low in ("0", "false", "no", "off"):
                        v = False
                    else:
                        raise ValueError(value)
                elif isinstance(value, (bool, int)) and value in (0, 1):
                    v = bool(value)
                else:
                    raise ValueError(value)
            elif t == "int":
                if isinstance(value, bool):
                    raise ValueError(value)
                if isinstance(value, float):
                    if not value.is_integer():
                        raise ValueError(value)
                    value = int(value)
                v = int(value)
            elif t == "float":
                if isinstance(value, bool):
                    raise ValueError(value)
                v = float(value)
                if not math.isfinite(v):
                    raise ValueError(value)
            elif t == "choice":
                v = value if value in self.choices else str(value)
            else:
                v = str(value)
        except (TypeError, ValueError):
            raise ParameterError(f"parameter {self.name!r} needs a {t} value, got {value!r}") from None
        if t == "choice" and v not in self.choices:
            raise ParameterError(f"parameter {self.name!r} must be one of {list(self.choices)}, got {value!r}")
        if t in ("int", "float"):
            unit = f" {self.unit}" if self.unit else ""
            if self.min is not None and v < self.min:
                raise ParameterError(f"parameter {self.name!r} = {v}{unit} is below its minimum {self.min}{unit}")
            if self.max is not None and v > self.max:
                raise ParameterError(f"parameter {self.name!r} = {v}{unit} is above its maximum {self.max}{unit}")
        return v


@dataclass(frozen=True)
class InputSpec:
    name: str
    kind: str
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class OutputSpec:
    name: str
    kind: str = "volume"
    units: str = "BQML"


@dataclass(frozen=True)
class Manifest:
    id: str
    name: str
    version: str
    contract_version: str
    entry_point: str  # "module:attr", from the distribution's entry point
    description: str = ""
    inputs: tuple[InputSpec, ...] = ()
    outputs: tuple[OutputSpec, ...] = ()
    parameters: tuple[ParameterSpec, ...] = ()
    resources: dict = field(default_factory=dict)
    source: str = ""  # where the manifest was read from
    sys_path: tuple[str, ...] = ()  # extra import paths the child needs (test/registered plugins)

    def parameter(self, name: str) -> ParameterSpec:
        for p in self.parameters:
            if p.name == name:
                return p
        raise ParameterError(
            f"plugin {self.id!r} has no parameter {name!r}; known: {[p.name for p in self.parameters]}"
        )

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    def resolve_parameters(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with ``given`` (strings allowed), every value checked against its spec."""
        values = self.defaults()
        for name, value in (given or {}).items():
            values[name] = self.parameter(name).coerce(value)
        return {name: self.parameter(name).coerce(v) for name, v in values.items()}

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "version": self.version,
            "contract_version": self.contract_version, "entry_point": self.entry_point,
            "description": self.description,
            "inputs": [dict(i.__dict__) for i in self.inputs],
            "outputs": [o.__dict__ for o in self.outputs],
            "parameters": [{**p.__dict__, "choices": list(p.choices)} for p in self.parameters],
            "resources": dict(self.resources), "source": self.source,
        }


def _req(d: dict, key: str, typ, where: str):
    if key not in d:
        raise ManifestError(f"{where}: missing required field {key!r}")
    v = d[key]
    if not isinstance(v, typ) or isinstance(v, bool) and typ is not bool:
        raise ManifestError(f"{where}: field {key!r} must be {getattr(typ, '__name__', typ)}, got {v!r}")
    return v


def parse_manifest(data: Any, entry_point: str = "", source: str = "<memory>") -> Manifest:
    """Validate manifest data (a dict from JSON) and build a :class:`Manifest`; raises ManifestError."""
    where = source
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: manifest must be a JSON object")
    pid = _req(data, "id", str, where)
    if not pid or any(c.isspace() for c in pid):
        raise ManifestError(f"{where}: 'id' must be a non-empty word without spaces, got {pid!r}")
    name = _req(data, "name", str, where)
    version = _req(data, "version", str, where)
    contract = _req(data, "contract_version", str, where)
    try:
        major = int(contract.split(".")[0])
    except ValueError:
        raise ManifestError(f"{where}: contract_version {contract!r} is not 'MAJOR.MINOR'") from None
    if major != SUPPORTED_CONTRACT_MAJOR:
        raise ManifestError(
            f"{where}: plugin built for contract {contract}, this workstation speaks "
            f"{SUPPORTED_CONTRACT_MAJOR}.x; install a matching plugin version"
        )
    inputs = []
    for n, item in enumerate(data.get("inputs", [])):
        w = f"{where}: inputs[{n}]"
        if not isinstance(item, dict):
            raise ManifestError(f"{w} must be an object")
        kind = _req(item, "kind", str, w)
        if kind not in INPUT_KINDS:
            raise ManifestError(f"{w}: kind {kind!r} not one of {INPUT_KINDS}")
        inputs.append(InputSpec(_req(item, "name", str, w), kind, bool(item.get("required", True)),
                                str(item.get("description", ""))))
    outputs = []
    for n, item in enumerate(data.get("outputs", [{"name": "image"}])):
        w = f"{where}: outputs[{n}]"
        if not isinstance(item, dict):
            raise ManifestError(f"{w} must be an object")
        units = item.get("units", "BQML")
        if units != "BQML":
            raise ManifestError(f"{w}: units {units!r} not supported; reconstructions must be in 'BQML' (Bq/mL)")
        outputs.append(OutputSpec(_req(item, "name", str, w), str(item.get("kind", "volume")), units))
    params = []
    seen = set()
    for n, item in enumerate(data.get("parameters", [])):
        w = f"{where}: parameters[{n}]"
        if not isinstance(item, dict):
            raise ManifestError(f"{w} must be an object")
        pname = _req(item, "name", str, w)
        if pname in seen:
            raise ManifestError(f"{w}: duplicate parameter {pname!r}")
        seen.add(pname)
        ptype = _req(item, "type", str, w)
        if ptype not in PARAM_TYPES:
            raise ManifestError(f"{w}: type {ptype!r} not one of {PARAM_TYPES}")
        if "default" not in item:
            raise ManifestError(f"{w}: parameter {pname!r} has no default")
        lo, hi = item.get("min"), item.get("max")
        for bound, label in ((lo, "min"), (hi, "max")):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
                raise ManifestError(f"{w}: {label} of {pname!r} must be a number")
        if lo is not None and hi is not None and lo > hi:
            raise ManifestError(f"{w}: min {lo} > max {hi} for {pname!r}")
        choices = tuple(item.get("choices", ()))
        if ptype == "choice" and not choices:
            raise ManifestError(f"{w}: choice parameter {pname!r} lists no choices")
        spec = ParameterSpec(pname, ptype, item["default"], str(item.get("label", pname)),
                             str(item.get("description", "")), str(item.get("unit", "")), lo, hi, choices)
        try:
            spec = ParameterSpec(pname, ptype, spec.coerce(item["default"]), spec.label, spec.description,
                                 spec.unit, lo, hi, choices)
        except ParameterError as exc:
            raise ManifestError(f"{w}: default is invalid: {exc}") from None
        params.append(spec)
    resources = data.get("resources", {})
    if not isinstance(resources, dict):
        raise ManifestError(f"{where}: 'resources' must be an object")
    gpu = resources.get("gpu", "none")
    if gpu not in GPU_HINTS:
        raise ManifestError(f"{where}: resources.gpu {gpu!r} not one of {GPU_HINTS}")
    return Manifest(pid, name, version, contract, entry_point, str(data.get("description", "")),
                    tuple(inputs), tuple(outputs), tuple(params), dict(resources), source)


def manifest_path_for_entry_point(value: str) -> Path:
    """Path of ``manifest.json`` beside the module an entry point names, found without importing it."""
    module = value.split(":", 1)[0].strip()
    parts = module.split(".")
    spec = importlib.util.find_spec(parts[0])  # top-level: locates, does not execute
    if spec is None:
        raise ManifestError(f"entry point {value!r}: package {parts[0]!r} is not importable (not installed?)")
    if spec.submodule_search_locations:
        base = Path(list(spec.submodule_search_locations)[0])
        pkg_parts = parts[1:-1] if len(parts) > 1 else []
        # 'pkg.mod' -> pkg/manifest.json ; 'pkg.sub.mod' -> pkg/sub/manifest.json ; 'pkg' -> pkg/
        if len(parts) > 1 and (base.joinpath(*parts[1:]) / "__init__.py").exists():
            pkg_parts = parts[1:]
        return base.joinpath(*pkg_parts) / MANIFEST_NAME
    if spec.origin:
        return Path(spec.origin).parent / MANIFEST_NAME
    raise ManifestError(f"entry point {value!r}: cannot locate package {parts[0]!r} on disk")


def read_manifest_file(path: Path, entry_point: str = "", sys_path: tuple[str, ...] = ()) -> Manifest:
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: manifest file not found; a plugin must ship {MANIFEST_NAME} in its package")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: not readable JSON ({exc})") from None
    m = parse_manifest(data, entry_point, str(path))
    if sys_path:
        m = Manifest(**{**m.__dict__, "sys_path": tuple(sys_path)})
    return m


@dataclass
class BrokenPlugin:
    name: str  # entry point name or path
    reason: str


class PluginRegistry:
    """Installed plugins by id (``plugins``), and those that could not be read (``broken``)."""

    def __init__(self):
        self.plugins: dict[str, Manifest] = {}
        self.broken: list[BrokenPlugin] = []

    @classmethod
    def discover(cls, group: str = ENTRY_POINT_GROUP) -> "PluginRegistry":
        reg = cls()
        try:
            eps = md.entry_points(group=group)
        except Exception as exc:  # a corrupt dist-info must not stop start-up
            reg.broken.append(BrokenPlugin("<entry points>", f"cannot list entry points: {exc}"))
            return reg
        for ep in eps:
            try:
                path = manifest_path_for_entry_point(ep.value)
                # the directory holding the top-level package, for the child's sys.path
                root = path.parents[len(ep.value.split(":")[0].split(".")) - 1]
                if not (root / ep.value.split(".")[0].split(":")[0]).exists():
                    root = path.parent.parent
                reg.add(read_manifest_file(path, ep.value, (str(root),)))
            except ManifestError as exc:
                reg.broken.append(BrokenPlugin(ep.name, str(exc)))
            except Exception as exc:  # noqa: BLE001 - any failure lists the plugin as broken
                reg.broken.append(BrokenPlugin(ep.name, f"{type(exc).__name__}: {exc}"))
        return reg

    def add(self, manifest: Manifest) -> None:
        if manifest.id in self.plugins and self.plugins[manifest.id].source != manifest.source:
            self.broken.append(BrokenPlugin(manifest.id, f"duplicate plugin id {manifest.id!r} in "
                                                         f"{manifest.source} (kept {self.plugins[manifest.id].source})"))
            return
        self.plugins[manifest.id] = manifest

    def register(self, manifest_path: Path, entry_point: str, sys_path: tuple[str, ...] = ()) -> Manifest | None:
        """Register a plugin that is not installed (tests, development); broken ones go to ``broken``."""
        try:
            m = read_manifest_file(Path(manifest_path), entry_point, tuple(str(p) for p in sys_path))
        except ManifestError as exc:
            self.broken.append(BrokenPlugin(str(manifest_path), str(exc)))
            return None
        self.add(m)
        return m

    def get(self, plugin_id: str) -> Manifest:
        if plugin_id in self.plugins:
            return self.plugins[plugin_id]
        for b in self.broken:
            if b.name == plugin_id:
                raise PluginNotFound(f"plugin {plugin_id!r} is installed but broken: {b.reason}")
        raise PluginNotFound(
            f"no reconstruction plugin {plugin_id!r}; installed: {sorted(self.plugins) or 'none'}"
        )
