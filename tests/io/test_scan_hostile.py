"""Issue 27 items 4 and 6: scanners on hostile folders.

* A FIFO, a socket or a device in a scanned folder is skipped and counted (it would block a reader
  forever); one given directly is a clear one-line error.
* The parallel scan's worker processes carry the same PHI filter as the main process: importing
  2,000+ files of the malformed corpus puts no patient name, ID or birth date on stderr.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import malformed_corpus as mc
from workstation.cli import main

REPO = Path(__file__).resolve().parents[2]


def _run_cli(args, timeout=120, **env):
    return subprocess.run([sys.executable, "-m", "workstation.cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(REPO), **env})


@pytest.fixture
def special_folder(tmp_path):
    """One valid image, a FIFO, a UNIX socket and (as root) a character device in one folder."""
    d = tmp_path / "study"
    d.mkdir()
    mc.good(d / "img.dcm")
    os.mkfifo(d / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(d / "sock"))
    n = 2
    if os.geteuid() == 0:
        os.mknod(d / "zero", 0o020666, os.makedev(1, 5))  # a copy of /dev/zero: reading it never ends
        n += 1
    yield d, n
    sock.close()


class _Hung(BaseException):  # not an Exception: the scan skips files on any Exception
    pass


def _within(seconds, fn, *args, **kw):
    """``fn(*args)``, failing the test when it blocks (opening a FIFO blocks until a writer comes)."""
    import signal

    def _alarm(signum, frame):
        raise _Hung

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        return fn(*args, **kw)
    except _Hung:
        pytest.fail(f"{getattr(fn, '__name__', fn)} blocked for {seconds} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_scan_skips_special_files_with_a_count(special_folder):
    from workstation.io.scan import scan_paths

    d, n_special = special_folder
    res = _within(20, scan_paths, [d], workers=1)
    assert len(res.instances) == 1
    assert res.special_files == n_special


@pytest.mark.parametrize("cmd", [["import"], ["check"]])
def test_import_and_check_of_a_folder_with_a_fifo_end(special_folder, tmp_path, cmd):
    d, n_special = special_folder
    extra = ["--db", str(tmp_path / "s.sqlite")] if cmd == ["import"] else []
    try:
        r = _run_cli([*cmd, str(d), *extra], timeout=60, WORKSTATION_DATA_DIR=str(tmp_path))
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{cmd[0]}` of a folder holding a FIFO did not end within 60 s")
    assert "Traceback" not in r.stderr, r.stderr
    if cmd == ["import"]:
        assert r.returncode == 0, r.stderr
        assert f"{n_special} special file" in r.stdout, r.stdout


def test_a_fifo_given_directly_is_a_clear_error(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert _within(20, main, ["import", str(fifo), "--db", str(tmp_path / "s.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "FIFO" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


@pytest.fixture(scope="module")
def many_malformed(tmp_path_factory):
    """The malformed corpus copied to 2,000+ files: the parallel path starts there (scan._PARALLEL_MIN_FILES)."""
    from workstation.io import scan

    tmp = tmp_path_factory.mktemp("many")
    files = list(mc.build_corpus(tmp / "corpus").values())
    root = tmp / "many"
    n = 0
    copies = -(-scan._PARALLEL_MIN_FILES // len(files)) + 1
    for i in range(copies):
        for f in files:
            dst = root / f"c{i:03d}" / f.parent.name
            dst.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dst / f.name)
            n += 1
    assert n >= 2000
    return root, n


@pytest.mark.slow
def test_parallel_import_of_2000_malformed_files_puts_no_phi_on_stderr(many_malformed, tmp_path):
    root, n = many_malformed
    r = _run_cli(["import", str(root), "--db", str(tmp_path / "s.sqlite"), "--workers", "2"], timeout=600,
                 WORKSTATION_DATA_DIR=str(tmp_path / "data"))
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"{n} files" in r.stdout, r.stdout[:500]
    secrets = [mc.SECRET_ID, mc.SECRET_BIRTH, *mc.SECRET_NAME.split("^")]
    leaks = [ln for ln in r.stderr.splitlines() if any(s.lower() in ln.lower() for s in secrets)]
    assert not leaks, f"{len(leaks)} stderr line(s) with PHI, e.g. {leaks[:3]}"
    assert "Traceback" not in r.stderr


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _alive(pid: int) -> bool:
    try:
        st = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return st[st.rindex(")") + 2] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the worker processes")
def test_killing_an_import_leaves_no_worker_behind(many_malformed, tmp_path):
    import signal
    import time

    root, _ = many_malformed
    # test hooks: each file takes 50 ms in the workers (a chunk lasts seconds) and a worker SIGKILLs the import
    # after its 10th file, so the import dies mid-batch with every worker mid-chunk. (Before, the test killed
    # the import while the spawned workers were still starting, where their parent check ends them anyway,
    # so the test passed without PR_SET_PDEATHSIG too.)
    proc = subprocess.Popen([sys.executable, "-m", "workstation.cli", "import", str(root), "--db",
                             str(tmp_path / "s.sqlite"), "--workers", "2"], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO), "WORKSTATION_DATA_DIR": str(tmp_path),
                                 "WORKSTATION_TEST_SCAN_DELAY_S": "0.05", "WORKSTATION_TEST_KILL_IMPORT_AFTER": "10"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid) or workers  # the scan's workers and multiprocessing's resource tracker
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    assert proc.returncode == -9, "the import was not killed by its worker (test hook)"
    assert len(workers) >= 2, workers
    deadline = time.monotonic() + 2  # with PR_SET_PDEATHSIG they end at once, not after their chunk
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"{len(left)} worker process(es) outlived the killed import"
