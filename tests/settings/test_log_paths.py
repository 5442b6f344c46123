"""PHI in file paths: folders named after patients never reach the log (paths shortened and scrubbed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from workstation.settings import logs
from workstation.testing.dicom_factory import write_series

REPO = Path(__file__).resolve().parents[2]


def test_paths_are_shortened_and_name_spellings_masked():
    logs.register_phi("QIANLONG^DAWEI", "QD-884422")
    logs.register_phi("孙^丽")
    text = logs.scrub("skipped /cases/Qianlong_Dawei_QD-884422/CT/IM0001: not a DICOM file")
    assert text == "skipped .../CT/IM0001: not a DICOM file"
    text = logs.scrub("skipped /cases/ward 3/qianlong dawei/IM0001: bad")  # another spelling, the parent folder
    assert "qianlong" not in text.lower() and "dawei" not in text.lower() and text.endswith("IM0001: bad")
    assert logs.scrub("cannot read /media/cdrom/孙丽/IM1") == "cannot read .../<redacted>/IM1"
    assert logs.scrub("copied to QIANLONGDAWEI.zip") == "copied to <redacted>.zip"
    assert logs.shown_path(r"D:\Studies\QIANLONG-DAWEI\PET\IM7") == ".../PET/IM7"
    # ordinary text with slashes, and two-character non-Chinese values, are left alone
    assert logs.scrub("ratio 1/2, SUV 3.1/2.2") == "ratio 1/2, SUV 3.1/2.2"
    logs.register_phi("LI^NA")
    assert logs.scrub("LINA and NA") == "<redacted> and NA"


def test_import_of_patient_named_folders_leaks_no_name_into_the_log(tmp_path):
    root = tmp_path / "cases"
    zhang = root / "Zhang_San_P12345"
    write_series(zhang / "CT", np.zeros((3, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                 patient_name="ZHANG^SAN", patient_id="P12345")
    (zhang / "CT" / "broken.dcm").write_bytes(b"\0" * 128 + b"DICM" + b"garbage")
    write_series(root / "张伟" / "PT", np.ones((2, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                 patient_name="张^伟", patient_id="ZW-7731", modality="PT")
    (root / "张伟" / "notes.txt").write_text("not an image")
    env = dict(os.environ, WORKSTATION_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    p = subprocess.run([sys.executable, "-m", "workstation.cli", "import", str(root), "--db",
                        str(tmp_path / "db.sqlite")], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "broken.dcm" in p.stdout  # the user's own terminal shows the full path of what was skipped
    log = (tmp_path / "data" / "logs" / "workstation.log").read_text(encoding="utf-8")
    assert "skipped .../CT/broken.dcm" in log and "skipped .../<redacted>/notes.txt" in log
    for secret in ("zhang", "san_", "p12345", "张伟", "zw-7731", str(root)):
        assert secret.lower() not in log.lower(), secret
        assert secret.lower() not in p.stderr.lower(), secret
