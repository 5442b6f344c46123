"""`workstation view PATH --screenshot`: headless rendering and one-line errors."""

import struct

import pytest

from workstation.cli import main

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from workstation.demo.study import write_demo_study

    out = tmp_path_factory.mktemp("demo_cli")
    return out, write_demo_study(out)


def test_screenshot_both_layouts(demo, tmp_path, capsys):
    out, truth = demo
    les = next(l for l in truth["lesions"] if l["name"] == "lung_left_upper")
    xyz = ",".join(str(v) for v in les["centre_lps_mm"])
    for layout, size in (("grid", (1600, 1000)), ("fused-mip", (700, 400))):
        png = tmp_path / f"{layout}.png"
        rc = main(["view", str(out), "--layout", layout, "--screenshot", str(png), "--size", f"{size[0]}x{size[1]}",
                   "--crosshair", xyz, "--anonymise"])
        assert rc == 0
        assert _png_size(png) == size
    from vtkmodules.vtkIOImage import vtkPNGReader

    from workstation.render.vtk_bridge import vtk_image_to_rgb

    from workstation.render.scene import layout_rects

    def read(name):
        r = vtkPNGReader()
        r.SetFileName(str(tmp_path / name))
        r.Update()
        return vtk_image_to_rgb(r.GetOutput())[..., :3].astype(int)

    grid = read("grid.png")
    for key, (x, y, w, h) in layout_rects("grid", 1600, 1000).items():  # every PET-bearing tile shows the lesion
        if key.startswith(("pet", "fused")):
            tile = grid[y:y + h, x:x + w]
            hot = (tile[..., 0] > 180) & (tile[..., 0] - tile[..., 2] > 100)
            assert hot.sum() > 3, key
    img = read("fused-mip.png")
    # hot-iron lesion pixels (orange/yellow, not grey) exist in the fused view (left part of the picture)
    hot = (img[..., 0] > 180) & (img[..., 0] - img[..., 2] > 100)
    assert hot[:, : int(700 * 1.6 / 2.6)].sum() > 5
    assert "wrote" in capsys.readouterr().out
    from workstation.io.db import StudyDB

    with StudyDB() as db:  # the audit trail records each rendering by study UID
        trail = db.audit_rows(event="study-opened")
    assert len(trail) == 2 and all(r["detail"].endswith("; screenshot") for r in trail)
    assert {r["study_uid"] for r in trail} == {truth["study_uid"]}


@pytest.mark.parametrize("args,msg", [
    (["--size", "10x10"], "--size"),
    (["--crosshair", "1,2"], "--crosshair"),
    (["--pet-window", "5,1"], "--pet-window"),
    (["--pet-window", "nan,nan"], "not a finite number"),
    (["--pet-window", "0,inf"], "not a finite number"),
    (["--crosshair", "1,nan,2"], "not a finite number"),
])
def test_bad_options_are_one_line_errors(demo, tmp_path, capsys, args, msg):
    out, _ = demo
    rc = main(["view", str(out), "--screenshot", str(tmp_path / "x.png"), *args])
    assert rc == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def _unwritable_targets(tmp_path):
    (tmp_path / "afile").write_text("x")
    targets = [(tmp_path / "no" / "such" / "x.png", "does not exist"), (tmp_path / "afile" / "x.png", "not a folder"),
               (tmp_path, "is a folder")]
    if __import__("os").path.exists("/dev/full"):  # a device is never written over (issue 27; the full disk
        targets.append(("/dev/full", "is a character device"))  # itself: tests/io/test_atomic_output.py)
    return targets


def test_screenshot_to_an_unwritable_place_fails_in_one_line(demo, tmp_path, capsys):
    out, _ = demo
    for target, words in _unwritable_targets(tmp_path):
        rc = main(["view", str(out), "--screenshot", str(target), "--size", "200x150"])
        cap = capsys.readouterr()
        assert rc == 2, target
        assert words in cap.err and "Traceback" not in cap.err and len(cap.err.strip().splitlines()) == 1
        assert "wrote" not in cap.out


def test_missing_folder(tmp_path, capsys):
    rc = main(["view", str(tmp_path / "nope"), "--screenshot", str(tmp_path / "x.png")])
    assert rc == 2 and "no such file" in capsys.readouterr().err


def test_folder_without_images(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    rc = main(["view", str(tmp_path / "empty"), "--screenshot", str(tmp_path / "x.png")])
    assert rc == 2 and "no PET, CT or MR" in capsys.readouterr().err


def test_named_series_are_read_and_unknown_ones_refused(demo, tmp_path, capsys):
    out, truth = demo
    shot = tmp_path / "s.png"
    rc = main(["view", str(out), "--screenshot", str(shot), "--size", "200x150",
               "--pet-series", truth["pet"]["series_uid"]])
    capsys.readouterr()
    assert rc == 0 and shot.exists()
    rc = main(["view", str(out), "--screenshot", str(shot), "--pet-series", "1.2.3.4"])
    err = capsys.readouterr().err
    assert rc == 2 and "no PET series with UID 1.2.3.4" in err and err.count("\n") == 1


def test_window_screenshot_in_chinese_and_unknown_language(demo, tmp_path, capsys):
    out, _ = demo
    png = tmp_path / "window.png"
    try:
        rc = main(["view", str(out), "--screenshot", str(png), "--window", "--lang", "zh_CN", "--size", "900x600"])
    finally:  # the rest of the session reads English
        from PySide6.QtCore import QCoreApplication

        from workstation.ui import i18n

        i18n.install(QCoreApplication.instance(), "en")
    assert rc == 0 and _png_size(png) == (900, 600)
    assert "main window" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # argparse refuses a language that has no catalogue
        main(["view", str(out), "--screenshot", str(tmp_path / "y.png"), "--lang", "fr"])
