"""The DICOM peers this workstation talks to, and its own node's identity.

Stored as JSON in ``nodes.json`` in the user data directory (``$WORKSTATION_DATA_DIR``). A *node*
is a remote application entity: a name the user picks, its AE title, host and port (DIMSE), or a
DICOMweb base URL. Only configured peers (plus explicit ``--allow AET@HOST`` entries) may send to
our storage SCP. The ``local`` block holds our own AE title, port and bind address.

Credentials for DICOMweb are not stored here: they come from the command line or the
environment (``WORKSTATION_WEB_USER`` / ``WORKSTATION_WEB_PASSWORD`` / ``WORKSTATION_WEB_TOKEN``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workstation.settings.paths import data_dir

_AET_RE = re.compile(r"^[\x20-\x5b\x5d-\x7e]{1,16}$")  # printable ASCII without backslash, 1..16


class NodeConfigError(ValueError):
    """A node definition or the nodes file is invalid; the message says which entry and what to fix."""


def check_ae_title(aet: str, what: str = "AE title") -> str:
    aet = (aet or "").strip()
    if not _AET_RE.match(aet):
        raise NodeConfigError(f"{what} {aet!r} is not valid: 1 to 16 printable ASCII characters, no backslash")
    return aet


@dataclass
class Node:
    """A remote peer: DIMSE (ae_title, host, port) and/or DICOMweb (url)."""

    name: str
    ae_title: str = ""
    host: str = ""
    port: int = 0
    url: str = ""
    tls: bool = False  # call this peer over TLS (DICOM TLS, PS3.15 Annex B)
    tls_ca: str = ""  # PEM CA file that signed the peer's certificate (empty: the system's CAs)
    tls_cert: str = ""  # our client certificate for this peer (PEM), with tls_key
    tls_key: str = ""
    tls_check_hostname: bool = False  # also require the certificate to name `host`

    def check(self) -> "Node":
        if not self.name:
            raise NodeConfigError("a node needs a name")
        if self.url:
            if not re.match(r"^https?://", self.url):
                raise NodeConfigError(f"node {self.name}: url must start with http:// or https://")
        if self.ae_title or self.host or self.port:
            check_ae_title(self.ae_title, f"node {self.name}: AE title")
            if not self.host:
                raise NodeConfigError(f"node {self.name}: host is missing")
            if not (0 < int(self.port) < 65536):
                raise NodeConfigError(f"node {self.name}: port {self.port} is not in 1..65535")
        if not (self.url or self.ae_title):
            raise NodeConfigError(f"node {self.name}: give an AE title, host and port, or a DICOMweb url")
        return self

    @property
    def is_dimse(self) -> bool:
        return bool(self.ae_title and self.host and self.port)


@dataclass
class LocalNode:
    """Our own storage SCP: AE title, listening port and address, extra allowed callers."""

    ae_title: str = "PETWS"
    port: int = 11112
    host: str = "127.0.0.1"  # bind address; set 0.0.0.0 to receive from the network
    allow: list[str] = field(default_factory=list)  # "AET@HOST" entries beyond the configured nodes
    max_associations: int = 64
    tls_cert: str = ""  # PEM certificate of our node: set it (and tls_key) to receive over TLS only
    tls_key: str = ""
    tls_ca: str = ""  # PEM CA file: when set, callers must present a certificate it signed
    max_instance_mb: int = 2048  # a received instance larger than this is refused (0xA700)
    store: str = ""  # managed store folder of received studies (empty: store/ in the data directory)


@dataclass
class NodeConfig:
    local: LocalNode = field(default_factory=LocalNode)
    nodes: list[Node] = field(default_factory=list)

    def get(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        known = ", ".join(n.name for n in self.nodes) or "none configured"
        raise NodeConfigError(f"unknown node {name!r} (known: {known}); add it with "
                              "`workstation node add NAME --ae-title AET --host HOST --port N`")

    def add(self, node: Node) -> None:
        node.check()
        self.nodes = [n for n in self.nodes if n.name != node.name] + [node]

    def allowed_peers(self) -> list[tuple[str, str]]:
        """(AE title, host) pairs allowed to send to our SCP: configured DIMSE nodes plus ``local.allow``."""
        out = [(n.ae_title, n.host) for n in self.nodes if n.is_dimse]
        out += [parse_allow(a) for a in self.local.allow]
        return out


def parse_allow(text: str) -> tuple[str, str]:
    """'AET@HOST' -> (AET, HOST); HOST may be '*' (any address)."""
    if "@" not in text:
        raise NodeConfigError(f"--allow {text!r}: expected AET@HOST (for example MODALITY@10.0.0.5 or PACS@*)")
    aet, host = text.rsplit("@", 1)
    return check_ae_title(aet, f"--allow {text!r}: AE title"), host.strip() or "*"


def nodes_path() -> Path:
    return data_dir() / "nodes.json"


def load_nodes(path: str | Path | None = None) -> NodeConfig:
    p = Path(path) if path else nodes_path()
    if not p.exists():
        return NodeConfig()
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
        local = LocalNode(**raw.get("local", {}))
        nodes = [Node(**n).check() for n in raw.get("nodes", [])]
    except (ValueError, TypeError) as exc:
        raise NodeConfigError(f"{p}: cannot read the node settings ({exc}); fix or delete the file") from None
    check_ae_title(local.ae_title, f"{p}: local AE title")
    return NodeConfig(local, nodes)


def save_nodes(cfg: NodeConfig, path: str | Path | None = None) -> Path:
    p = Path(path) if path else nodes_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"local": asdict(cfg.local), "nodes": [asdict(n) for n in cfg.nodes]}, indent=2),
                   encoding="utf-8")
    os.replace(tmp, p)
    return p
