"""Issue 27 items 5 and 7: outputs are written beside the target and renamed; only regular files are
replaced (``--force`` never replaces a device or a FIFO); a full disk is one line and leaves no
partial file (on a small tmpfs, when this test may mount one)."""

from __future__ import annotations

import os
import stat

import pytest
from tmpfs_mount import fill, small_tmpfs

from export_study import write_pet
from workstation.cli import main


@pytest.fixture(scope="module")
def pet(tmp_path_factory):
    root = tmp_path_factory.mktemp("atomic")
    write_pet(root / "pet")
    return root / "pet"


def _fifo(path):
    os.mkfifo(path)
    return path


def _assert_one_line(err: str, *words):
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], lines[0]


def test_helper_refuses_what_is_not_a_regular_file(tmp_path):
    from workstation.io.atomic_write import OutputError, write_bytes_atomic

    fifo = _fifo(tmp_path / "pipe")
    (tmp_path / "real").write_bytes(b"old")
    os.symlink(tmp_path / "real", tmp_path / "link")
    (tmp_path / "dir").mkdir()
    for target in (fifo, tmp_path / "link", tmp_path / "dir"):
        with pytest.raises(OutputError, match="not a regular file"):
            write_bytes_atomic(target, b"new", overwrite=True)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.path.islink(tmp_path / "link")
    assert (tmp_path / "real").read_bytes() == b"old"
    with pytest.raises(OutputError, match="already exists"):
        write_bytes_atomic(tmp_path / "real", b"new")
    write_bytes_atomic(tmp_path / "real", b"new", overwrite=True)
    assert (tmp_path / "real").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "link", "pipe", "real"]  # no temporary left


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    from workstation.io.atomic_write import OutputError, atomic_output

    (tmp_path / "out.pdf").write_bytes(b"earlier")
    with pytest.raises(OutputError, match="nothing was written"):
        with atomic_output(tmp_path / "out.pdf", overwrite=True) as tmp:
            tmp.write_bytes(b"half")
            raise OSError(28, "No space left on device")
    assert (tmp_path / "out.pdf").read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


@pytest.mark.parametrize("cmd", [["report"], ["export", "seg"]])
def test_force_never_replaces_a_fifo(pet, tmp_path, capsys, cmd):
    target = _fifo(tmp_path / "out")
    rc = main([*cmd, str(pet), "--out", str(target), "--force"])
    err = capsys.readouterr().err
    assert rc == 2
    _assert_one_line(err, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(target).st_mode), "the FIFO was replaced"


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node (a copy of /dev/full) needs root")
def test_report_force_never_replaces_a_device(pet, tmp_path, capsys):
    dev = tmp_path / "full"
    os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # the /dev/full device, in our own folder
    assert main(["report", str(pet), "--out", str(dev), "--force"]) == 2
    _assert_one_line(capsys.readouterr().err, "character device")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


@pytest.fixture
def full_disk(tmp_path):
    """A 256 KiB tmpfs filled to the last byte; skipped (with the reason) where mounting is not allowed."""
    with small_tmpfs(tmp_path / "tiny", "256k") as mnt:
        fill(mnt)
        yield mnt


def _left(mnt):
    return sorted(p.name for p in mnt.iterdir() if p.name != "filler")


def test_full_disk_report_export_demo_are_one_line_and_leave_nothing(pet, full_disk, capsys):
    for cmd in (["report", str(pet), "--out", str(full_disk / "r.pdf")],
                ["export", "seg", str(pet), "--out", str(full_disk / "seg.dcm")],
                ["demo", "--out", str(full_disk / "demo")]):
        rc = main(cmd)
        err = capsys.readouterr().err
        assert rc == 2, (cmd, err)
        _assert_one_line(err, "No space left on device")
        assert _left(full_disk) == [], (cmd, _left(full_disk))


def test_full_disk_screenshot_leaves_no_truncated_png(pet, full_disk, capsys):
    rc = main(["view", str(pet), "--screenshot", str(full_disk / "shot.png"), "--size", "200x150"])
    err = capsys.readouterr().err
    assert rc == 2, err
    _assert_one_line(err, "No space left on device")
    assert _left(full_disk) == []
