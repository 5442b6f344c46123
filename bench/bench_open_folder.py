"""Benchmark: open a DICOM folder -> first fused image, as the user does it, against its floor.

What the user does: ``workstation view FOLDER --screenshot out.png`` in a new process (page cache
warm), on the 600-slice 512² CT + 300-slice 200² PET study of ``bench/bench_load.py`` (written
once into ``--keep DIR`` or a temp folder): one study, one frame of reference, the PET's field of
view (800 mm wide, 900 mm long) beyond the CT's (500 mm, 600 mm), so the views show the union of the
two, as for a whole-body PET/CT whose PET is wider than the CT's 50 cm field. Measured: wall time of the process and its peak RSS
(``wait4`` rusage of that child alone).

Reference, also a new process: the I/O floor of the same files (every byte of every file read)
plus a bare VTK render of the same three planes (axial, coronal, sagittal of the CT, cut from the
CT and PET volumes filled from the raw pixel bytes, drawn off screen in three viewports of a window of the same size and written as
PNG). Printed: both times and peak RSS, and the ratios, best of ``--repeat`` runs alternated.

With ``--baseline DIR`` (a checkout of another version's ``workstation`` package, e.g. from
``git archive``), that version is timed too, in the same alternating loop, so before/after
figures come from one run on one machine load.

**Reopen from the database**: the study imported once (``workstation import``, not timed), then what
the viewer does when it is opened from the study browser, in a new process: ``open_study`` (series
and files from the database, no folder scan) -> the same layout drawn and written as PNG. Goal 1.0 s.

Usage: python bench/bench_open_folder.py [--keep DIR] [--repeat R] [--size 1600x1000] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

REFERENCE = r'''
import os, sys
import numpy as np
root, out, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
ct_files = [p for p in files if os.path.basename(os.path.dirname(p)) == "CT"]
pet_files = [p for p in files if os.path.basename(os.path.dirname(p)) == "PET"]
vol = np.empty((len(ct_files), 512, 512), "<i2")  # what any viewer holds: the CT volume
pet = np.empty((len(pet_files), 200, 200), np.float32)  # and the PET volume
for k, p in enumerate(ct_files):  # the I/O floor: every byte of every file
    with open(p, "rb") as fh:
        data = fh.read()
    vol[k] = np.frombuffer(data, "<i2", count=512 * 512, offset=len(data) - 2 * 512 * 512).reshape(512, 512)
for k, p in enumerate(pet_files):
    with open(p, "rb") as fh:
        data = fh.read()
    pet[k] = np.frombuffer(data, "<i2", count=200 * 200, offset=len(data) - 2 * 200 * 200).reshape(200, 200)
planes = [vol[len(vol) // 2], vol[:, 256, :], vol[:, :, 256]]
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
import vtkmodules.vtkInteractionStyle  # noqa: F401
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkIOImage import vtkPNGWriter
from vtkmodules.vtkRenderingCore import vtkImageActor, vtkRenderWindow, vtkRenderer, vtkWindowToImageFilter
from vtkmodules.util.numpy_support import numpy_to_vtk
win = vtkRenderWindow()
win.SetOffScreenRendering(1)
win.SetSize(w, h)
for n, p in enumerate(planes):
    img = vtkImageData()
    img.SetDimensions(p.shape[1], p.shape[0], 1)
    img.GetPointData().SetScalars(numpy_to_vtk(np.ascontiguousarray(p).ravel(), deep=1))
    actor = vtkImageActor()
    actor.GetMapper().SetInputData(img)
    actor.GetProperty().SetColorWindow(400)
    actor.GetProperty().SetColorLevel(40)
    ren = vtkRenderer()
    ren.SetViewport(n / 3, 0, (n + 1) / 3, 1)
    ren.AddActor(actor)
    ren.ResetCamera()
    win.AddRenderer(ren)
win.Render()
grab = vtkWindowToImageFilter()
grab.SetInput(win)
grab.Update()
wr = vtkPNGWriter()
wr.SetFileName(out)
wr.SetInputConnection(grab.GetOutputPort())
wr.Write()
'''


# the viewer's path for a study of the database (ui/browser -> study_open.open_study), then the same picture
# as `view --screenshot`; imports as the CLI does them (inside the call)
REOPEN = r'''
import sys
from workstation.io.db import StudyDB
from workstation.analysis.reading.study_open import open_study
from workstation.render.scene import render_layout, save_png
out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with StudyDB() as db:
    study = db.studies()[0].study_uid
    session = open_study(db, study)
if session.pet is None or session.anatomical is None:  # the same fused picture as the folder's, or no figure
    raise SystemExit("the reopened study lacks its PET or its CT")
img, _ = render_layout(session, session.layout, w, h)
save_png(img, out)
'''


def run_child(cmd: list[str], env: dict) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS in MB, output, CPU seconds: user + system) of one new process, started in the user's (fresh) home:
    ``-m`` puts the working folder first on sys.path, which must not hold a ``workstation`` package."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=env["HOME"])
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])[:200]} ... failed ({proc.returncode}):\n{out}")
    return wall, usage.ru_maxrss / 1024.0, out, usage.ru_utime + usage.ru_stime


def _one_pet_ct_study(root: Path) -> bool:
    """``root`` holds the 600 CT and 300 PET files of one study in one frame of reference (a folder written
    by an older version of this bench held two studies in two frames: it is written again)."""
    import pydicom

    heads = []
    for name, n in (("CT", 600), ("PET", 300)):
        files = sorted((root / name).iterdir()) if (root / name).is_dir() else []
        if len(files) != n:
            return False
        heads.append(pydicom.dcmread(files[0], stop_before_pixels=True))
    return all(heads[0].get(k) == heads[1].get(k) for k in ("StudyInstanceUID", "FrameOfReferenceUID"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", metavar="DIR", help="generate into / reuse DIR instead of a temp folder")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", default="1600x1000")
    ap.add_argument("--baseline", metavar="DIR", help="also time the workstation package found in DIR")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_load import write_series

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_open_"))
    from pydicom.uid import generate_uid

    # one PET/CT study: both series share the study and the frame of reference (what the reopen opens)
    if not _one_pet_ct_study(root):
        study, frame = generate_uid(), generate_uid()
        for name, n, size, mod in (("CT", 600, 512, "CT"), ("PET", 300, 200, "PT")):
            d = root / name
            if d.exists():
                shutil.rmtree(d)
            write_series(d, n, size, mod, study_uid=study, frame_uid=frame)
    w, h = (int(v) for v in args.size.split("x"))
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow")
    home = tempfile.mkdtemp(prefix="bench_open_home_")  # a fresh user: no settings, no database
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = env["XDG_CACHE_HOME"] = home
    out_png = os.path.join(home, "shot.png")
    ref_png = os.path.join(home, "ref.png")
    exe = [sys.executable, "-m", "workstation.cli"]
    ours_cmd = exe + ["view", str(root), "--screenshot", out_png, "--size", args.size]
    ref_cmd = [sys.executable, "-c", REFERENCE, str(root), ref_png, str(w), str(h)]
    import compileall

    import workstation

    compileall.compile_dir(str(Path(workstation.__file__).parent), quiet=1)  # as installed: bytecode present
    base_env = None
    if args.baseline:
        compileall.compile_dir(str(Path(args.baseline) / "workstation"), quiet=1)
        base_env = dict(env, PYTHONPATH=os.pathsep.join([str(Path(args.baseline).resolve()),
                                                          env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    run_child(ref_cmd, env)  # warm the page cache and the shader caches
    run_child(exe + ["import", str(root)], env)  # into the fresh user's database, for the reopen figure
    reopen_cmd = [sys.executable, "-c", REOPEN, os.path.join(home, "reopen.png"), str(w), str(h)]
    ours, ref, base, reopen, cpu = [], [], [], [], []
    for _ in range(args.repeat):
        o, r, q = run_child(ours_cmd, env), run_child(ref_cmd, env), run_child(reopen_cmd, env)
        ours.append(o[:2])
        ref.append(r[:2])
        reopen.append(q[:2])
        cpu.append((o[3], r[3], q[3]))
        if base_env is not None:
            base.append(run_child(ours_cmd, base_env)[:2])
    to, mo = min(t for t, _ in ours), min(m for _, m in ours)
    tr, mr = min(t for t, _ in ref), min(m for _, m in ref)
    load = os.getloadavg()
    if base_env is not None:  # the two versions really ran: the baseline's package is the one imported
        probe = [sys.executable, "-c", "import workstation, sys; sys.stdout.write(workstation.__file__)"]
        print(f"ours: {run_child(probe, env)[2]}; baseline: {run_child(probe, base_env)[2]}")
    print(f"study: {root} (600 CT + 300 PET files), window {args.size}; load average {load[0]:.2f} {load[1]:.2f}")
    print(f"{'':<28} {'ours':>9} {'reference':>10} {'ratio':>7}")
    print(f"{'open folder -> image (s)':<28} {to:9.2f} {tr:10.2f} {to / tr:6.2f}x")
    print(f"{'peak RSS (MB)':<28} {mo:9.0f} {mr:10.0f} {mo / mr:6.2f}x")
    tq, mq = min(t for t, _ in reopen), min(m for _, m in reopen)
    print(f"{'reopen from database (s)':<28} {tq:9.2f} {tr:10.2f} {tq / tr:6.2f}x   (peak RSS {mq:.0f} MB)")
    co, cr, cq = (min(c[i] for c in cpu) for i in range(3))  # on a loaded machine: what each run cost
    print(f"{'CPU s: open folder':<28} {co:9.2f} {cr:10.2f} {co / cr:6.2f}x")
    print(f"{'CPU s: reopen from database':<28} {cq:9.2f} {cr:10.2f} {cq / cr:6.2f}x")
    if base:
        tb, mb = min(t for t, _ in base), min(m for _, m in base)
        print(f"{'baseline ' + Path(args.baseline).name + ' (s)':<28} {tb:9.2f} {tr:10.2f} {tb / tr:6.2f}x")
        print(f"{'baseline peak RSS (MB)':<28} {mb:9.0f} {mr:10.0f} {mb / mr:6.2f}x")
    print(f"goals: <= 1.5 s ({'met' if to <= 1.5 else 'NOT met'}), <= 1000 MB "
          f"({'met' if mo <= 1000 else 'NOT met'}), <= 2x reference ({'met' if to <= 2 * tr else 'NOT met'}); "
          f"reopen <= 1.0 s ({'met' if tq <= 1.0 else 'NOT met'})")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
