"""PETSIRD codec: our numba decoder against the petsird SDK reader, header geometry round trip."""

import numpy as np
import pytest

from conftest import small_scanner
from listmode_osem import petsird_io


def test_roundtrip_against_sdk(tmp_path):
    s = small_scanner(n_per_ring=40, n_rings=3)
    rng = np.random.default_rng(0)
    n = 5000
    d1, d2 = rng.integers(0, s.n_detectors, n), rng.integers(0, s.n_detectors, n)
    t = rng.integers(0, s.n_tof_bins, n)
    path = tmp_path / "x.petsird"
    petsird_io.write_listmode(path, s, (d1, d2, t), (d2[:77], d1[:77], t[:77]), duration_s=1.25, block_ms=100)
    h = petsird_io.read_header(path)
    np.testing.assert_allclose(h.scanner.face_centres, s.face_centres, atol=1e-4)
    np.testing.assert_allclose(h.scanner.normals, s.normals, atol=1e-6)
    np.testing.assert_allclose(h.scanner.areas, s.areas, rtol=1e-6)
    np.testing.assert_allclose(h.scanner.tof_edges, s.tof_edges, rtol=1e-6)
    b1, b2, tof, tms, dur = petsird_io.decode_events(path, h)
    r1, r2, rt, rtms = petsird_io.sdk_read_events(path)
    for ours, sdk in ((b1, r1), (b2, r2), (tof, rt), (tms, rtms)):
        np.testing.assert_array_equal(ours, sdk)
    assert dur == 1250 and b1.size == n
    # ordering rule bin1 >= bin2, TOF mirrored when swapped
    assert np.all(b1 >= b2)
    swapped = d1 < d2
    np.testing.assert_array_equal(np.where(swapped, s.n_tof_bins - 1 - t, t), tof)
    assert petsird_io.decode_events(path, h, delayed=True)[0].size == 77


def test_truncated_and_foreign_files(tmp_path):
    s = small_scanner(n_per_ring=16, n_rings=2)
    path = tmp_path / "x.petsird"
    petsird_io.write_listmode(path, s, (np.arange(10) % 32, (np.arange(10) + 5) % 32, np.zeros(10, int)))
    data = path.read_bytes()
    cut = tmp_path / "cut.petsird"
    cut.write_bytes(data[:-12])
    with pytest.raises(petsird_io.PetsirdError, match="cut.petsird: malformed event stream"):
        petsird_io.decode_events(cut)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a petsird file at all" * 10)
    with pytest.raises(petsird_io.PetsirdError, match="junk.bin"):
        petsird_io.read_header(junk)
