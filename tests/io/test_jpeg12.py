"""12-bit JPEG Extended (processes 2/4) decodes through the loader; checked against DCMTK's decoder.

The image is compressed with DCMTK's ``dcmcjpeg +ee`` and decompressed by ``dcmdjpeg`` as the
independent reference. Two lossy JPEG decoders may differ by one grey level (IDCT rounding), so
the comparison allows 1.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest
from malformed_corpus import base_dataset, save

from workstation.io.loader import load_series

pytestmark = pytest.mark.skipif(not (shutil.which("dcmcjpeg") and shutil.which("dcmdjpeg")),
                                reason="DCMTK (dcmcjpeg/dcmdjpeg) not installed")


def test_12bit_jpeg_extended_matches_dcmtk(tmp_path):
    ds = base_dataset()
    ds.Rows, ds.Columns = 64, 64
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0
    ds.RescaleIntercept = -1024.0
    yy, xx = np.mgrid[0:64, 0:64]
    ds.PixelData = ((xx * 40 + yy * 23) % 4096).astype("<u2").tobytes()
    save(ds, tmp_path / "raw.dcm")
    (tmp_path / "jpeg").mkdir()
    subprocess.run(["dcmcjpeg", "+ee", str(tmp_path / "raw.dcm"), str(tmp_path / "jpeg" / "j.dcm")], check=True)
    assert str(pydicom.dcmread(tmp_path / "jpeg" / "j.dcm").file_meta.TransferSyntaxUID) == "1.2.840.10008.1.2.4.51"
    subprocess.run(["dcmdjpeg", str(tmp_path / "jpeg" / "j.dcm"), str(tmp_path / "ref.dcm")], check=True)
    reference = pydicom.dcmread(tmp_path / "ref.dcm").pixel_array.astype(int) - 1024
    vol = load_series([tmp_path / "jpeg" / "j.dcm"])
    assert vol.shape == (1, 64, 64)
    assert np.abs(vol.array[0].astype(int) - reference).max() <= 1
