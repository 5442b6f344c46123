"""Damaged files met while opening a study in the viewer: the rest opens and the message names the file;
when nothing can be read, the error names the file and the element (typed errors of io/errors.py)."""

from __future__ import annotations

import pydicom
import pytest

from export_study import SHAPE, write_pet

pytestmark = pytest.mark.gui


def _truncate_pixels(path):
    data = path.read_bytes()
    path.write_bytes(data[:-40])  # the pixel block ends early: PixelData is truncated


def _window(qtbot):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    return w


def test_a_damaged_slice_is_named_and_the_rest_opens(qtbot, tmp_path):
    from pathlib import Path

    paths = [Path(p) for p in write_pet(tmp_path / "pet")[0]]
    top = max(paths, key=lambda p: float(pydicom.dcmread(p, stop_before_pixels=True).ImagePositionPatient[2]))
    _truncate_pixels(top)
    w = _window(qtbot)
    job = w.load_folder(str(tmp_path / "pet"))
    qtbot.waitUntil(lambda: job.is_settled() and w.session is not None, timeout=120_000)
    assert not job.error
    assert w.session.pet.shape == (SHAPE[0] - 1, *SHAPE[1:])  # every other slice is shown
    text = w.message_label.text()
    assert text.startswith("Not all files could be read: skipped 1 file(s): ")
    assert str(top) in text and "PixelData (7FE0,0010) declares 1,920 bytes" in text and "truncated" in text
    assert str(top) in w.message_label.toolTip()


def test_nothing_readable_is_an_error_naming_the_file_and_element(qtbot, tmp_path):
    from pathlib import Path

    paths = [Path(p) for p in write_pet(tmp_path / "pet")[0]]
    for p in paths[1:]:
        p.unlink()
    _truncate_pixels(paths[0])
    w = _window(qtbot)
    job = w.load_folder(str(tmp_path / "pet"))
    qtbot.waitUntil(lambda: job.is_settled() and bool(w.last_error), timeout=120_000)
    assert w.session is None, w.message_label.text()
    assert w.last_error.startswith("Loading study: ")
    assert "none of the 1 files holds a loadable image" in w.last_error
    assert str(paths[0]) in w.last_error and "PixelData (7FE0,0010) declares" in w.last_error and "truncated" in w.last_error
    assert "Traceback" not in w.last_error and "\n" not in w.last_error
