"""Helpers of the plugin's tests (a module of its own: the whole suite runs in one pytest session, where
`conftest` names the workstation's conftest as well)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
REFDATA = REPO.parent / "shared" / "refdata"


def small_scanner(**kw):
    from listmode_osem.scanner import cylindrical_scanner

    args = dict(radius=120.0, n_per_ring=96, n_rings=6, ring_pitch=6.0, tof_fwhm_mm=60.0, n_tof_bins=11)
    args.update(kw)
    return cylindrical_scanner(**args)
