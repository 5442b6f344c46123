"""Reading sessions in the study database: saved / autosave slots, newest wins, durable across processes."""

import subprocess
import sys

import pytest

from workstation.io.sessions import SessionStore, SessionStoreError, reading_key


def test_save_load_latest_and_discard(tmp_path):
    key = reading_key("1.2.3", "4.5.6")
    with SessionStore(tmp_path / "s.sqlite") as st:
        assert st.latest("S", key) is None
        st.save("S", key, {"layout": "grid", "name": "张三的病灶"})
        assert st.latest("S", key).kind == "saved"
        st.save("S", key, {"layout": "fused-mip"}, kind="autosave")
        got = st.latest("S", key)
        assert got.kind == "autosave" and got.state == {"layout": "fused-mip"}
        assert st.load("S", key).state == {"layout": "grid", "name": "张三的病灶"}
        st.save("S", key, {"layout": "single"})  # Save drops the autosave
        assert st.load("S", key, "autosave") is None and st.latest("S", key).state == {"layout": "single"}
        assert st.latest("S", reading_key("1.2.3", "")) is None  # another series pair: its own session
        with pytest.raises(SessionStoreError):
            st.save("S", key, {}, kind="draft")


def test_autosave_survives_a_killed_process(tmp_path):
    db = tmp_path / "s.sqlite"
    code = ("import os, sys\nfrom workstation.io.sessions import SessionStore\n"
            f"st = SessionStore({str(db)!r})\nst.save('S', 'k', {{'crosshair': [1.5, 2.5, 3.5]}}, kind='autosave')\n"
            "print('saved', flush=True)\nos.kill(os.getpid(), 9)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "saved" in r.stdout and r.returncode == -9
    with SessionStore(db) as st:
        assert st.latest("S", "k").state == {"crosshair": [1.5, 2.5, 3.5]}
