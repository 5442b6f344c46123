"""Optional TLS for our DICOM node (server side) and for associations we open (client side).

DICOM over TLS (PS3.15 Annex B) is plain TLS around the same protocol. The node uses TLS when the
local settings name a certificate and its private key (``tls_cert``, ``tls_key``, PEM files); when
they also name a CA file (``tls_ca``) every caller must present a certificate signed by it (mutual
authentication, as the BCP 195 profiles ask). A peer marked ``tls`` is called over TLS; its
certificate is verified against the peer's ``tls_ca`` (or the system's CAs when empty) and the
peer's host name is checked only when ``tls_check_hostname`` is set (hospital PACS certificates often
name no host). The peer's ``tls_cert``/``tls_key`` are our client certificate for that peer.

Every problem with the files is a :class:`TlsConfigError` naming the file and what to fix, raised
before any socket is opened.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class TlsConfigError(ValueError):
    """A TLS certificate, key or CA file is missing or unusable; the message names it."""


def _file(path: str, what: str) -> str:
    p = Path(path).expanduser()
    if not p.is_file():
        raise TlsConfigError(f"TLS {what} {p} does not exist; give a PEM file (settings or --tls-* options)")
    return str(p)


def _load_chain(ctx: ssl.SSLContext, cert: str, key: str, owner: str) -> None:
    if bool(cert) != bool(key):
        raise TlsConfigError(f"{owner}: TLS needs both a certificate and its private key (one is missing)")
    if not cert:
        return
    cert, key = _file(cert, "certificate"), _file(key, "private key")
    try:
        ctx.load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError) as exc:
        raise TlsConfigError(f"{owner}: cannot use the TLS certificate {cert} with the key {key} "
                             f"({getattr(exc, 'reason', None) or exc}); check that both are PEM and belong together") \
            from None


def _load_ca(ctx: ssl.SSLContext, ca: str, owner: str) -> None:
    ca = _file(ca, "CA file")
    try:
        ctx.load_verify_locations(cafile=ca)
    except (ssl.SSLError, ValueError) as exc:
        raise TlsConfigError(f"{owner}: cannot read the TLS CA file {ca} ({getattr(exc, 'reason', None) or exc})") \
            from None


def server_context(local) -> ssl.SSLContext | None:
    """The SSL context of our SCP from the local settings, or None when TLS is not configured."""
    if not (local.tls_cert or local.tls_key or local.tls_ca):
        return None
    if not local.tls_cert:
        raise TlsConfigError("our node: a TLS CA file is set but no certificate and key (tls_cert, tls_key)")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_chain(ctx, local.tls_cert, local.tls_key, "our node")
    if local.tls_ca:
        _load_ca(ctx, local.tls_ca, "our node")
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def client_context(node) -> ssl.SSLContext | None:
    """The SSL context for calling ``node``, or None when the node is not marked ``tls``."""
    if not getattr(node, "tls", False):
        return None
    owner = f"node {node.name}"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = bool(getattr(node, "tls_check_hostname", False))
    if node.tls_ca:
        _load_ca(ctx, node.tls_ca, owner)
    else:
        ctx.load_default_certs()
    _load_chain(ctx, node.tls_cert, node.tls_key, owner)
    return ctx
