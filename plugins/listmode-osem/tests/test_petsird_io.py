"""PETSIRD codec: our numba decoder against the petsird SDK reader, header geometry round trip."""

import numpy as np
import pytest

from osem_fixtures import small_scanner
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


def test_multibyte_bins_prompts_and_delayeds_against_sdk(tmp_path):
    """Bins above 127 and 16383 (2- and 3-byte varints), prompts and delayeds, both decoder paths."""
    import petsird

    s = small_scanner(n_per_ring=300, n_rings=60)  # 18000 crystals
    rng = np.random.default_rng(5)
    n, nd = 20000, 3000
    d1, d2 = rng.integers(0, s.n_detectors, n), rng.integers(0, s.n_detectors, n)
    t = rng.integers(0, s.n_tof_bins, n)
    path = tmp_path / "m.petsird"
    petsird_io.write_listmode(path, s, (d1, d2, t), (d2[:nd], d1[:nd], t[:nd]), duration_s=2.0, block_ms=50)
    (b1, b2, tof, tms), (e1, e2, etof, etms), dur = petsird_io.decode_all(path)
    ref = {"p": [], "d": []}
    with open(path, "rb") as f:
        r = petsird.BinaryPETSIRDReader(f)
        r.read_header()
        for tb in r.read_time_blocks():
            blk = tb.value
            for key, evs in (("p", blk.prompt_events[0][0]), ("d", blk.delayed_events[0][0])):
                ref[key] += [(ev.detection_bins[0], ev.detection_bins[1], ev.tof_idx, blk.time_interval.start)
                             for ev in evs]
    np.testing.assert_array_equal(np.stack([b1, b2, tof, tms], 1), np.array(ref["p"]))
    np.testing.assert_array_equal(np.stack([e1, e2, etof, etms], 1), np.array(ref["d"]))
    assert b1.max() > 16383 and dur == 2000 and e1.size == nd


def test_overlong_varint_is_an_error(tmp_path):
    s = small_scanner(n_per_ring=16, n_rings=2)
    path = tmp_path / "x.petsird"
    petsird_io.write_listmode(path, s, (np.arange(10) % 32, (np.arange(10) + 5) % 32, np.zeros(10, int)), duration_s=0.1)
    h = petsird_io.read_header(path)
    data = bytearray(path.read_bytes())
    # find the first event of the first block: after count(1) tag(0) start stop singles(0) rows(1) cols(1) nev
    ev = h.events_offset + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
    assert data[ev - 1] == 10  # nev of the first block
    bad = data[:ev] + b"\x80" * 12 + data[ev:] + b"\x00" * 400  # padding keeps the fast path in bounds
    p2 = tmp_path / "bad.petsird"
    p2.write_bytes(bytes(bad))
    with pytest.raises(petsird_io.PetsirdError, match="varint too long|malformed"):
        petsird_io.decode_all(p2, h)


def test_exam_facts_round_trip(tmp_path):
    import datetime as dt

    s = small_scanner(n_per_ring=16, n_rings=2)
    ev = (np.arange(10) % 32, (np.arange(10) + 5) % 32, np.zeros(10, int))
    path = tmp_path / "x.petsird"
    exam = petsird_io.make_exam(dt.datetime(2024, 3, 1, 10, 5, 0), dt.datetime(2024, 3, 1, 9, 0, 0), 3.5e8, 72.5)
    petsird_io.write_listmode(path, s, ev, exam=exam)
    facts = petsird_io.read_header(path).exam
    assert facts["acquisition_start"] == "2024-03-01T10:05:00"
    assert facts["injection_datetime"] == "2024-03-01T09:00:00"
    assert facts["injected_dose_bq"] == pytest.approx(3.5e8, rel=1e-7)  # float32 in the file
    assert facts["weight_kg"] == 72.5 and facts["height_m"] is None
    petsird_io.write_listmode(path, s, ev)  # no exam information: no facts
    assert petsird_io.read_header(path).exam == {}
