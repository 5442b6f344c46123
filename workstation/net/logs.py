"""No PHI in logs: pynetdicom prints identifiers (patient name, ID) at INFO/DEBUG level.

``install_phi_filter()`` lowers pynetdicom's logger to WARNING and adds a filter to it that drops
its records below WARNING and scrubs any patient-identifying element from the rest. Our own log
lines in ``workstation.net`` carry UIDs, AE titles and statuses only.
"""

from __future__ import annotations

import logging
import re

# element lines as pydicom/pynetdicom print them: "(0010,0010) PN [..]" or "PatientName=..."
_PHI_RE = re.compile(r"(\(0010,[0-9A-Fa-f]{4}\)[^\n]*|(Patient(Name|ID|BirthDate|Address)|OtherPatient\w*)"
                     r"\s*[:=][^\n,;]*)")


def scrub(text: str) -> str:
    return _PHI_RE.sub("<PHI removed>", text)


class PhiFilter(logging.Filter):
    """Drops third-party records below WARNING and removes patient identifiers from the others."""

    def __init__(self, min_level: int = logging.WARNING):
        super().__init__()
        self.min_level = min_level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.min_level:
            return False
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is dropped rather than risk leaking
            return False
        clean = scrub(msg)
        if clean != msg:
            record.msg, record.args = clean, ()
        return True


_installed = False


def install_phi_filter() -> None:
    """Idempotent: attach the filter to pynetdicom's and dicomweb-client's loggers."""
    global _installed
    if _installed:
        return
    import dicomweb_client  # noqa: F401 - create their loggers first
    import pynetdicom  # noqa: F401

    flt = PhiFilter()
    # a logger's filters see only the records created on it, so every pynetdicom.* logger gets one
    names = [n for n in list(logging.root.manager.loggerDict)
             if n.split(".")[0] in ("pynetdicom", "dicomweb_client")]
    for name in {"pynetdicom", "dicomweb_client", *names}:
        lg = logging.getLogger(name)
        lg.setLevel(logging.WARNING)
        lg.addFilter(flt)
    _installed = True


def net_logger() -> logging.Logger:
    return logging.getLogger("workstation.net")
