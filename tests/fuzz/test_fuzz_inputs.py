"""Fuzzing the readers of hostile input with hypothesis: mutated DICOM bytes in, typed outcomes out.

Targets and their contracts:

* the header walker (``dicom_walk.walk``): returns, or raises ``WalkError``;
* the header scan (``scan.scan_paths``): never raises; each file is a record or skipped with a reason;
* the loader (``loader.load_series``): a Volume with finite values, or a ``DicomError``;
* the SUV reader (``pet_header.read_pet_acquisition`` + ``suv.compute_suv``): a finite positive
  factor, or a ``DicomError`` / ``SuvError``.

Inputs are a valid CT or PET slice (generated in code) with random byte edits: overwrite, flip,
insert, delete, truncate, and edits aimed at element lengths and values. ``make test`` runs a
short budget; ``make fuzz`` sets ``WORKSTATION_FUZZ_EXAMPLES`` for a long one. Every failure found
is replayed forever from ``REGRESSIONS`` (recipes applied to the same generated seeds).
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from malformed_corpus import base_dataset, save  # noqa: E402
from workstation.testing.pet_factory import pet_dataset  # noqa: E402

from workstation.io import dicom_walk  # noqa: E402
from workstation.io.errors import DicomError  # noqa: E402

BUDGET = int(os.environ.get("WORKSTATION_FUZZ_EXAMPLES", "0") or 0)
FAST = dict(deadline=None, derandomize=not BUDGET, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
EXECUTIONS: dict[str, int] = {}


def _budget(short: int) -> int:
    return BUDGET or short


@lru_cache(maxsize=None)
def seed(kind: str) -> bytes:
    """The valid file every mutation starts from (built in code, cached per session)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "seed.dcm"
        if kind == "ct":
            save(base_dataset(), path)
        else:
            ds = pet_dataset()
            img = base_dataset("PT")
            for elem in img:
                if elem.keyword not in ds:
                    ds[elem.tag] = elem
            ds.RescaleSlope = 0.75
            save(ds, path)
        return path.read_bytes()


def _element_offsets(data: bytes) -> list[int]:
    """Offsets of element headers in the seed (explicit VR LE), to aim edits at lengths and VRs."""
    out, pos = [], 132
    while pos + 8 <= len(data):
        vr = data[pos + 4:pos + 6]
        out.append(pos)
        if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT", b"OF"):
            (length,) = struct.unpack_from("<I", data, pos + 8)
            if length == 0xFFFFFFFF:
                break
            pos += 12 + length
        else:
            (length,) = struct.unpack_from("<H", data, pos + 6)
            pos += 8 + length
    return out


def apply(data: bytes, recipe) -> bytes:
    """Apply a list of (operation, position fraction, payload) edits to ``data``."""
    buf = bytearray(data)
    offsets = _element_offsets(data)
    for op, where, payload in recipe:
        if not buf:
            break
        pos = min(int(where * len(buf)), len(buf) - 1)
        if op == "overwrite":
            buf[pos:pos + len(payload)] = payload
        elif op == "flip":
            buf[pos] ^= payload[0] if payload else 0xFF
        elif op == "insert":
            buf[pos:pos] = payload
        elif op == "delete":
            del buf[pos:pos + max(1, len(payload))]
        elif op == "truncate":
            del buf[pos:]
        elif op in ("length", "vr", "value") and offsets:
            at = offsets[min(int(where * len(offsets)), len(offsets) - 1)]
            if at >= len(buf):
                continue
            if op == "length":
                buf[at + 6:at + 8] = (payload + b"\xff\xff")[:2]
            elif op == "vr":
                buf[at + 4:at + 6] = (payload + b"UN")[:2]
            else:
                buf[at + 8:at + 8 + len(payload)] = payload
    return bytes(buf)


edits = st.lists(st.tuples(
    st.sampled_from(["overwrite", "flip", "insert", "delete", "truncate", "length", "vr", "value"]),
    st.floats(0, 1, allow_nan=False),
    st.one_of(st.binary(min_size=1, max_size=8),
              st.sampled_from([b"NaN ", b"inf ", b"-0", b"1A", b"\x00\x00", b"\xff\xff\xff\xff", b"SQ", b"UN",
                               b"OB", b"DS", b"US", b"0", b"-1", b"1e309", b"\x1b$)A\xcd\xf5"]))),
    min_size=1, max_size=6)


def _write(tmpdir: Path, data: bytes) -> Path:
    path = tmpdir / "case.dcm"
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------- the contracts
def check_walk(data: bytes) -> None:
    want = {0x00280010, 0x00280011, 0x00281053, 0x00200032}
    try:
        dicom_walk.walk(data, want)
    except dicom_walk.WalkError:
        pass


def check_scan(path: Path) -> None:
    from workstation.io.scan import scan_paths

    res = scan_paths([path], workers=1)
    assert len(res.instances) + len(res.skipped) == 1
    for _, reason in res.skipped:
        assert reason and "\n" not in reason


def check_load(path: Path) -> None:
    from workstation.io.loader import load_series

    try:
        vol = load_series([path])
    except DicomError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert vol.array.ndim == 3 and vol.array.size > 0
    if vol.array.dtype.kind == "f":
        assert np.isfinite(vol.array).all()


def check_suv(path: Path) -> None:
    import pydicom

    from workstation.analysis.errors import SuvError
    from workstation.analysis.suv.factor import compute_suv
    from workstation.io.dicom_file import read_dataset
    from workstation.io.pet_header import read_pet_acquisition

    try:
        ds = read_dataset(path, stop_before_pixels=True)
    except Exception:  # noqa: BLE001 - unreadable headers are the scan's business, not the SUV reader's
        return
    assert isinstance(ds, pydicom.Dataset)
    try:
        res = compute_suv(read_pet_acquisition([ds]), "bw")
    except (DicomError, SuvError):
        return
    assert math.isfinite(res.factor) and res.factor > 0


TARGETS = {"walk": check_walk, "scan": check_scan, "load": check_load, "suv": check_suv}


def run_target(name: str, data: bytes, tmpdir: Path) -> None:
    EXECUTIONS[name] = EXECUTIONS.get(name, 0) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "walk":
            check_walk(data)
        else:
            TARGETS[name](_write(tmpdir, data))


# Failures found by fuzzing, replayed on every run: (target, seed, recipe).
REGRESSIONS: list[tuple[str, str, list]] = [
    # an unknown VR ('AU') on SeriesInstanceUID: pydicom raised NotImplementedError from load_series
    ("load", "ct", [("vr", 0.5, b"A")]),
    # a byte inside RadiopharmaceuticalInformationSequence: OSError from pydicom's lazy sequence parse
    ("suv", "pet", [("value", 0.921875, b"\x01")]),
    # an unknown VR on RadiopharmaceuticalInformationSequence: NotImplementedError from the SUV reader
    ("suv", "pet", [("vr", 0.921875, b"A")]),
]


def test_zero_pixel_spacing_is_a_geometry_error(tmp_path):
    """Found by `make fuzz` at 20,000 executions per target (issue 27): PixelSpacing 0 raised a plain ValueError."""
    from workstation.io.loader import load_series

    ds = base_dataset()
    ds.PixelSpacing = [0.0, 1.0]
    path = save(ds, tmp_path / "zero.dcm")
    with pytest.raises(DicomError, match="PixelSpacing"):
        load_series([path])
    check_load(path)


@pytest.mark.parametrize("target,kind,recipe", REGRESSIONS or [pytest.param(None, None, None, marks=pytest.mark.skip(
    reason="no fuzz failure recorded yet"))])
def test_regressions(tmp_path, target, kind, recipe):
    run_target(target, apply(seed(kind), recipe), tmp_path)


@pytest.mark.parametrize("target,kind,short", [("walk", "ct", 3000), ("scan", "ct", 200), ("load", "ct", 300),
                                               ("load", "pet", 200), ("suv", "pet", 300)])
def test_fuzz(target, kind, short, tmp_path):
    @settings(max_examples=_budget(short), **FAST)
    @given(recipe=edits)
    def run(recipe):
        run_target(target, apply(seed(kind), recipe), tmp_path)

    run()


def test_seeds_are_valid(tmp_path):
    """The fuzz seeds themselves load and give SUV: mutations start from a working file."""
    from workstation.io.loader import load_series

    for kind in ("ct", "pet"):
        vol = load_series([_write(tmp_path, seed(kind))])
        assert vol.shape == (1, 4, 5)
    check_suv(_write(tmp_path, seed("pet")))


def teardown_module(module):
    report = os.environ.get("WORKSTATION_FUZZ_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            for name, n in sorted(EXECUTIONS.items()):
                f.write(f"{name} {n}\n")
