"""A file whose header declares an element far longer than the file (4 GiB in a few hundred bytes):
refused with the element named, without reading or allocating the declared size; the folder's
other files still load."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workstation.testing.dicom_factory import write_series

REPO = Path(__file__).resolve().parents[2]
HUGE = 0xFFFFFFF0


def _series(folder):
    stored = np.arange(2 * 8 * 8, dtype=np.int16).reshape(2, 8, 8)
    return write_series(folder, stored, origin=(0, 0, 0), spacing_ijk=(1, 1, 2))


def _declare(path: Path, marker: bytes, header_len: int) -> None:
    """Overwrite the 32-bit length of the element whose header starts with ``marker``."""
    b = path.read_bytes()
    i = b.find(marker)
    assert i > 0, marker
    path.write_bytes(b[:i + header_len - 4] + struct.pack("<I", HUGE) + b[i + header_len:])


def _insert_private_ob(path: Path) -> None:
    """A private OB element declaring 4 GiB, placed before SeriesDescription (its group order kept)."""
    b = path.read_bytes()
    i = b.find(b"\x09\x00\x10\x00")  # private creator group 0009 does not exist: insert at the first 0010 group
    j = b.find(b"\x10\x00\x10\x00")  # (0010,0010) PatientName: after group 0008
    assert i < 0 < j
    path.write_bytes(b[:j] + b"\x09\x00\x10\x00OB\x00\x00" + struct.pack("<I", HUGE) + b[j:])


@pytest.mark.parametrize("where", ["pixel-data", "private-element"])
def test_declared_length_beyond_the_file_is_refused_naming_the_element(tmp_path, where):
    from workstation.io.errors import DicomError
    from workstation.io.loader import load_series
    from workstation.io.scan import scan_paths

    files = [Path(p) for p in _series(tmp_path / "s")]
    bad = files[0]
    if where == "pixel-data":
        _declare(bad, b"\xe0\x7f\x10\x00OW\x00\x00", 12)
        name = r"PixelData \(7FE0,0010\)"
    else:
        _insert_private_ob(bad)
        name = r"element \(0009,0010\)"
    res = scan_paths([str(tmp_path)])
    if where == "pixel-data":  # the header scan does not judge pixels: indexed, the loader refuses it
        assert not res.skipped and len(res.instances) == 2
    else:
        assert [p for p, _ in res.skipped] == [str(bad)]
        reason = res.skipped[0][1]
        assert re.match(name + r" declares 4,294,967,280 bytes but the file holds only \d+ more; the file is "
                        r"truncated", reason), reason
        assert len(res.instances) == 1  # the other file of the folder
    with pytest.raises(DicomError, match=rf"{bad}: {name} declares 4,294,967,280 bytes"):
        load_series([str(bad)])
    v = load_series([str(p) for p in files])  # the series loads from the good file, the bad one named
    assert v.shape == (1, 8, 8) and any(re.search(name, w) for w in v.warnings)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc for the child's peak memory")
def test_check_refuses_it_in_bounded_memory(tmp_path):
    files = [Path(p) for p in _series(tmp_path / "s")]
    _declare(files[0], b"\xe0\x7f\x10\x00OW\x00\x00", 12)
    # the child's own peak (VmHWM of its address space, new at exec); ru_maxrss would also count the pages
    # of the parent it was forked from, i.e. the whole pytest process
    code = ("import json, sys\nfrom workstation.cli import main\nrc = main(['check', sys.argv[1], '--json'])\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
            "sys.stderr.write('MAXRSS %s\\n' % hwm)\nsys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=REPO,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    [series] = out["series"]  # loaded from the good file; the bad one named in its warnings
    assert series["status"] == "loaded" and series["shape"] == [1, 8, 8]
    assert any(str(files[0]) in w and "PixelData (7FE0,0010) declares 4,294,967,280 bytes" in w
               for w in series["warnings"]), series["warnings"]
    rss_mib = int(r.stderr.split("MAXRSS ")[1].split()[0]) / 1024
    assert rss_mib < 1024, f"{rss_mib:.0f} MiB for a file that declares 4 GiB"
