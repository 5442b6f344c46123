"""The recon command's CT loading path with damaged files: typed one-line errors naming the file and element;
a damaged slice among good ones is left out and named, the rest is used."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workstation.cli import main
from workstation.testing.dicom_factory import write_series


def _ct(folder, n=4):
    return [Path(p) for p in write_series(folder, np.full((n, 8, 8), -1000, np.int16), origin=(0, 0, 0),
                                          spacing_ijk=(4, 4, 4), modality="CT")]


def test_recon_with_only_damaged_ct_files_is_one_line_naming_them(tmp_path, capsys):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"raw")
    files = _ct(tmp_path / "ct", n=1)
    files[0].write_bytes(files[0].read_bytes()[:-20])
    rc = main(["recon", "--plugin", "toy", "--input", str(raw), "--ct", str(tmp_path / "ct"), "--out",
               str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert str(files[0]) in err and "PixelData (7FE0,0010) declares" in err and "truncated" in err
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert not (tmp_path / "out" / "jobs").exists()  # no job was started


def test_recon_ct_loader_skips_a_damaged_slice_and_names_it(tmp_path):
    from workstation.cli.recon_cmd import _load_ct

    files = _ct(tmp_path / "ct")
    (tmp_path / "ct" / "notes.txt").write_text("not DICOM")
    files[-1].write_bytes(files[-1].read_bytes()[:-20])
    vol = _load_ct(tmp_path / "ct")
    assert vol.shape == (3, 8, 8)
    assert any(str(files[-1]) in w and "PixelData (7FE0,0010)" in w for w in vol.warnings), vol.warnings
