"""Smoke tests of the frozen one-folder build (`make bundle` -> dist/workstation/workstation).

They run the built executable as a user would, in fresh processes with their own user data folder:
version, the demo study, a headless screenshot whose pixels are checked, the plugin list, and a short
reconstruction whose child process is the frozen executable itself. Skipped (with the reason) when no
bundle has been built; `make bundle-test` builds it and runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLE = os.environ.get("WORKSTATION_BUNDLE", "")  # set by `make bundle-test` to the built executable
EXE = Path(BUNDLE).resolve() if BUNDLE else Path("/nonexistent")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BUNDLE, reason="frozen build not requested: `make bundle-test` builds and tests it"),
]


def test_the_requested_bundle_exists():
    assert EXE.is_file(), f"WORKSTATION_BUNDLE={BUNDLE} is not a file"

HEADLESS = {"QT_QPA_PLATFORM": "offscreen", "VTK_DEFAULT_OPENGL_WINDOW": "vtkOSOpenGLRenderWindow"}


@pytest.fixture(scope="module")
def user_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("bundle_user")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "NUMBA_CACHE"))}
    env.update(HEADLESS, WORKSTATION_DATA_DIR=str(home / "data"), HOME=str(home),
               WORKSTATION_RECON_CACHE=str(home / "sens-cache"))
    return env


def run(env, *args, timeout=600):
    proc = subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=env["HOME"])
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def demo(user_env):
    out = Path(user_env["HOME"]) / "demo"
    run(user_env, "demo", "--out", str(out), "--with-listmode")
    return out, json.loads((out / "truth.json").read_text())


def test_version_is_the_package_version(user_env):
    from workstation import __version__

    assert run(user_env, "--version").strip() == f"workstation {__version__}"


def test_screenshot_of_the_demo_shows_the_lesion_in_pet_colours(demo, user_env):
    from vtkmodules.vtkIOImage import vtkPNGReader

    from workstation.render.scene import layout_rects
    from workstation.render.vtk_bridge import vtk_image_to_rgb

    out, truth = demo
    les = next(x for x in truth["lesions"] if x["name"] == "lung_left_upper")
    png = Path(user_env["HOME"]) / "grid.png"
    run(user_env, "view", str(out), "--layout", "grid", "--screenshot", str(png), "--size", "1600x1000",
        "--crosshair", ",".join(str(v) for v in les["centre_lps_mm"]), "--anonymise")
    reader = vtkPNGReader()
    reader.SetFileName(str(png))
    reader.Update()
    img = vtk_image_to_rgb(reader.GetOutput())[..., :3].astype(int)
    assert img.shape[:2] == (1000, 1600)
    tiles = layout_rects("grid", 1600, 1000)
    for key, (x, y, w, h) in tiles.items():
        tile = img[y:y + h, x:x + w]
        hot = (tile[..., 0] > 180) & (tile[..., 0] - tile[..., 2] > 100)
        if key.startswith(("pet", "fused")):
            assert hot.sum() > 3, key  # the lesion, in hot-iron colours, in every PET-bearing view
        elif key.startswith("ct"):
            grey = np.abs(tile[..., 0] - tile[..., 2]) < 8
            assert grey.mean() > 0.9, key  # CT tiles stay grey: no PET colour leaked into them


def test_numba_cache_lives_in_the_user_data_folder(demo, user_env):
    # the demo's SUV summary and the screenshot ran kernels: their compiled cache is in the data folder
    run(user_env, "lesions", str(demo[0] / "PT"), "--method", "fixed:2.5", "--json")
    cache = Path(user_env["WORKSTATION_DATA_DIR"]) / "numba-cache"
    assert any(cache.rglob("*.nbi")), f"no numba cache files under {cache}"


def test_plugins_are_found_through_entry_points_inside_the_bundle(user_env):
    listing = run(user_env, "recon", "--list")
    assert "listmode-osem" in listing


def test_reconstruction_runs_in_the_frozen_child_process(demo, user_env):
    out, truth = demo
    rec = Path(user_env["HOME"]) / "recon"
    run(user_env, "recon", "--plugin", "listmode-osem", "--input", str(out / "listmode" / "demo.petsird"),
        "--ct", str(out / "CT"), "--out", str(rec), "--no-import", "--set", "iterations=1", "--set", "subsets=2",
        "--set", "voxel_size=8", "--set", "matrix=48", "--set", "device=cpu")
    files = sorted(rec.rglob("*.dcm"))
    assert files, "the reconstruction wrote no DICOM"
    import pydicom

    ds = pydicom.dcmread(files[0], stop_before_pixels=True)
    assert ds.Modality == "PT" and ds.StudyInstanceUID == truth["study_uid"]
    # the job ran in a child process (a frozen build has no Python interpreter to start: the child is
    # the executable itself, `workstation recon-child`), and its audit trail says it completed
    status = [json.loads(p.read_text()) for p in rec.glob("jobs/*/status.json")]
    assert status, "no job directory under --out/jobs"
    assert "completed" in json.dumps(status[-1])


def test_reading_room_bundle_says_how_to_get_the_cohort_extra(user_env, tmp_path):
    """The reading-room bundle leaves out Dask and pyarrow (WORKSTATION_BUNDLE_EXTRAS=cohort builds them in):
    `workstation batch` then refuses in one line that names the extra, before touching anything."""
    if "cohort" in os.environ.get("WORKSTATION_BUNDLE_EXTRAS", ""):
        pytest.skip("a cohort bundle: the extra is inside")
    internal = EXE.parent / "_internal"
    assert not (internal / "pyarrow").exists() and not (internal / "distributed").exists()
    out = tmp_path / "r.parquet"
    proc = subprocess.run([str(EXE), "batch", "run", str(tmp_path), "--task", "suv", "--workers", "0", "--out", str(out)],
                          env=user_env, capture_output=True, text=True, timeout=300, cwd=user_env["HOME"])
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "cohort extra" in proc.stderr and "pet-workstation[cohort]" in proc.stderr, proc.stderr
    assert not out.exists()


def test_linux_install_script_registers_the_desktop_entry_and_dicomdir(user_env, tmp_path):
    home = tmp_path / "home"
    env = dict(user_env, HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_DATA_DIRS=f"{home / '.local' / 'share'}:/usr/share")
    script = EXE.parent / "install-linux.sh"
    assert script.exists(), "install-linux.sh is not in the bundle folder"
    proc = subprocess.run(["bash", str(script), str(EXE.parent)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    share = home / ".local" / "share"
    app = share / "pet-workstation" / "app" / "workstation"
    desktop = (share / "applications" / "pet-workstation.desktop").read_text()
    assert f"Exec={app} view %f" in desktop and "application/x-dicomdir" in desktop
    mime = (share / "mime" / "packages" / "pet-workstation-mime.xml").read_text()
    assert 'pattern="DICOMDIR"' in mime
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "pet-workstation.svg").exists()
    if shutil.which("gio") and shutil.which("update-mime-database"):  # the association is registered
        dicomdir = tmp_path / "cd" / "DICOMDIR"
        dicomdir.parent.mkdir()
        dicomdir.write_bytes(b"\0" * 128 + b"DICM" + b"\2\0\0\0UL\4\0" + b"\0" * 64)
        typed = subprocess.run(["gio", "info", "-a", "standard::content-type", str(dicomdir)], env=env,
                               capture_output=True, text=True).stdout
        assert "application/x-dicomdir" in typed, typed
        default = subprocess.run(["gio", "mime", "application/x-dicomdir"], env=env, capture_output=True,
                                 text=True).stdout
        assert "pet-workstation.desktop" in default, default
    launcher = home / ".local" / "bin" / "pet-workstation"
    out = subprocess.run([str(launcher), "--version"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.startswith("workstation ")
    gone = subprocess.run(["bash", str(script), "--uninstall"], env=env, capture_output=True, text=True)
    assert gone.returncode == 0 and not app.exists() and not launcher.exists()
