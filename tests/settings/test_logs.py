"""The application log: PHI never reaches stderr or the log file, third-party warnings included."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from malformed_corpus import SECRET_BIRTH, SECRET_ID, SECRET_NAME, build_corpus

from workstation.settings import logs

REPO = Path(__file__).resolve().parents[2]
SECRETS = [SECRET_ID, SECRET_NAME, *SECRET_NAME.split("^"), SECRET_BIRTH]


def test_registered_values_and_their_components_are_scrubbed():
    logs.register_phi("WANGXIAO^MINGHUA", "ID7755331", "M")
    text = logs.scrub("opened WANGXIAO, MINGHUA (ID7755331) sex M")
    assert "WANGXIAO" not in text and "MINGHUA" not in text and "ID7755331" not in text
    assert text.endswith("sex M")  # values shorter than 3 characters are not registered


def test_third_party_quoted_values_are_removed_ours_kept():
    f = logs.PhiFilter()
    rec = logging.LogRecord("pydicom", logging.WARNING, __file__, 1, "Invalid value for VR UI: %r", ("ANY^THING",),
                            None)
    f.filter(rec)
    assert rec.getMessage() == "Invalid value for VR UI: '<redacted>'"
    ours = logging.LogRecord("workstation.io", logging.WARNING, __file__, 1, "series 'CT abdomen' loaded", None, None)
    f.filter(ours)
    assert ours.getMessage() == "series 'CT abdomen' loaded"


def test_setup_writes_a_rotating_file_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    logs.setup_logging()
    try:
        logging.getLogger("workstation.test").warning("hello %s", "log")
        for h in logging.getLogger().handlers:
            h.flush()
        path = tmp_path / "logs" / "workstation.log"
        assert "WARNING workstation.test: hello log" in path.read_text()
        assert "hello log" in logs.diagnostics_text()
    finally:
        for h in list(logs._installed):
            logging.getLogger().removeHandler(h)
            h.close()
        logs._installed.clear()
        logging.captureWarnings(False)


def test_importing_and_checking_the_malformed_corpus_leaks_no_phi(tmp_path):
    corpus = tmp_path / "corpus"
    build_corpus(corpus)
    env = dict(os.environ, WORKSTATION_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    outputs = []
    for argv in (["import", str(corpus)], ["check", str(corpus)]):
        p = subprocess.run([sys.executable, "-m", "workstation.cli", *argv], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=300)
        assert "Traceback" not in p.stderr
        outputs.append(p.stderr)
    log = (tmp_path / "data" / "logs" / "workstation.log").read_text()
    # the warnings that quote raw values did happen, and went through the filter
    assert "Invalid value for VR UI: '<redacted>'" in log
    assert "Invalid value for VR UI: '<redacted>'" in outputs[1]
    for text in (*outputs, log):
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), secret
