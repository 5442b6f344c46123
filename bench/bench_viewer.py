"""Benchmark of the viewer on a whole-body-sized study: first fused image, peak memory, grid scroll.

Each figure is ours against a bare-VTK reference on the same data, in the same run:

* **first image**: from the loaded volumes to the first fused axial picture read back. Ours builds
  the ``ReadingSession`` (display grid, SUV, lazy PET) and draws the fused cell of the 10-view grid
  (CT slice, PET resampled for that slice, window, colour, blend, overlays). The reference wraps the
  same arrays in vtkImageData, reslices the PET onto the CT's axial slice with vtkImageReslice
  (linear), and shows CT (window/level) under PET (hot lookup table, 50 % opacity) with two
  vtkImageActors, rendered and read back at the same size.
* **peak memory**: each side runs in its own process; ``ru_maxrss`` of that process (data included)
  and, for ours, the tracemalloc peak of what the session allocates beyond the loaded data.
* **grid scroll**: the 10-view grid (3 rows CT/PET/fused x axial/coronal/sagittal, plus the MIP) at
  1600x1000, one axial step per frame. Ours: the Qt widgets of the viewer, all repainted each frame;
  only the views whose picture changed are drawn again (the axial ones), the others repaint their
  crosshair. Reference: the three axial views redrawn with vtkImageReslice/vtkImageActor (slice
  change + render + read-back), the other seven left alone.

    .venv/bin/python bench/bench_viewer.py [--slices 600] [--pet-slices 300] [--frames 20]

Wall-clock and CPU (process) times are both printed: on a shared machine the wall clock includes
the time spent waiting for a CPU. The data are built in code: an int16 CT of ``slices`` x 512 x 512 (0.98 x 0.98 x 1.5 mm) and a PET
of ``pet-slices`` x 256 x 256 (1.94 x 1.94 x 2.99 mm, stored in SUV) inside the CT's field of view.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's workstation

if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GRID_SIZE = (1600, 1000)


def synthetic(slices: int = 600, pet_slices: int = 300):
    """An int16 CT (body ellipse, noise, a spine) and a float32 PET in SUV (body 1, lesions 8)."""
    from workstation.core.geometry import ImageGeometry
    from workstation.core.volume import Volume

    rng = np.random.default_rng(0)
    g = ImageGeometry((slices, 512, 512), (0.9765625, 0.9765625, 1.5), (-250.0, -250.0, -0.75 * slices))
    y, x = np.mgrid[:512, :512]
    body = ((x - 256) / 200.0) ** 2 + ((y - 256) / 150.0) ** 2 <= 1
    spine = ((x - 256) / 18.0) ** 2 + ((y - 330) / 18.0) ** 2 <= 1
    base = np.where(body, 40, -1000) + np.where(spine, 600, 0)
    ct = np.empty(g.shape, np.int16)
    for k in range(slices):  # slice by slice: no float copy of the whole CT
        ct[k] = base + rng.integers(-15, 16, (512, 512)) + (k % 7)
    pz = (slices * 1.5 - 3.0) / pet_slices  # 2.99 mm for 600 CT / 300 PET slices: inside the CT's z range
    pg = ImageGeometry((pet_slices, 256, 256), (1.94, 1.94, pz), (-247.0, -247.0, -0.75 * slices + 1.5))
    yy, xx = np.mgrid[:256, :256]
    pbody = ((xx - 128) / 100.0) ** 2 + ((yy - 128) / 75.0) ** 2 <= 1
    pet = np.empty(pg.shape, np.float32)
    zz = np.arange(pet_slices)
    for k in zz:
        pet[k] = np.where(pbody, 1.0, 0.0) + rng.normal(0, 0.05, (256, 256)).astype(np.float32)
    for (cz, cy, cx) in ((pet_slices // 3, 110, 90), (pet_slices // 2, 140, 170), (2 * pet_slices // 3, 128, 128)):
        kz = slice(max(0, cz - 4), cz + 5)
        ball = ((xx - cx) ** 2 + (yy - cy) ** 2) <= 25
        pet[kz] = np.where(ball, 8.0, pet[kz])
    np.maximum(pet, 0.0, out=pet)
    return (Volume(ct, g, modality="CT", units="HU", frame_of_reference_uid="1.2.3"),
            Volume(pet, pg, modality="PT", units="SUV", frame_of_reference_uid="1.2.3"))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _cell_size(key: str) -> tuple[int, int]:
    from workstation.render.scene import layout_rects

    _x, _y, w, h = layout_rects("grid", *GRID_SIZE)[key]
    return w, h


# ----------------------------------------------------------------------------- ours
def part_first_ours(ct, pet) -> dict:
    import tracemalloc

    from workstation.analysis.reading.session import ReadingSession
    from workstation.render.scene import CellRenderer

    w, h = _cell_size("fused-axial")
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    session = ReadingSession(ct, pet, mip_frames=36)
    t_session = time.perf_counter() - t0
    cell = CellRenderer("fused", "axial", w, h)
    img = cell.render(session)
    t_first, c_first = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    session.mip_frame(0)
    t_mip = time.perf_counter() - t1
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert img.shape[:2] == (h, w) and np.ptp(img) > 50
    return {"first_s": t_first, "first_cpu_s": c_first, "session_s": t_session, "mip_first_frame_s": t_mip,
            "traced_peak_mb": peak / 2**20, "maxrss_mb": _maxrss_mb()}


def part_grid_ours(ct, pet, frames: int) -> dict:
    from PySide6.QtWidgets import QApplication, QWidget

    from workstation.core.display import LAYOUTS
    from workstation.analysis.reading.session import ReadingSession
    from workstation.render.scene import layout_rects
    from workstation.ui.reader.view_widget import ViewWidget

    app = QApplication.instance() or QApplication([])
    session = ReadingSession(ct, pet, mip_frames=36)
    host = QWidget()
    host.resize(*GRID_SIZE)
    rects = layout_rects("grid", *GRID_SIZE)
    views = []
    for cell in LAYOUTS["grid"].cells:
        v = ViewWidget(session, cell.kind, cell.plane, host)
        v.setGeometry(*rects[cell.key])
        views.append(v)
    host.show()
    app.processEvents()
    host.repaint()
    session.scroll("axial", -frames // 2)
    host.repaint()
    counts = [v.render_count for v in views]
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(frames):
        session.scroll("axial", 1)
        host.repaint()  # every view is painted; only the changed pictures are drawn
    dt, dc = (time.perf_counter() - t0) / frames, (time.process_time() - c0) / frames
    drawn = {v.key: v.render_count - c for v, c in zip(views, counts)}
    for v in views:
        v.detach()
    host.close()
    return {"frame_s": dt, "frame_cpu_s": dc, "views": len(views), "drawn_per_frame": sum(drawn.values()) / frames,
            "drawn": drawn, "maxrss_mb": _maxrss_mb()}


# ----------------------------------------------------------------------------- bare VTK reference
class _BareVtkView:
    """CT and/or PET of one axial slice with vtkImageReslice + vtkImageActor, rendered off screen."""

    def __init__(self, ct_img, pet_img, ct_geo, kind: str, w: int, h: int):
        import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
        from vtkmodules.vtkCommonCore import vtkLookupTable
        from vtkmodules.vtkImagingCore import vtkImageMapToColors, vtkImageReslice
        from vtkmodules.vtkRenderingCore import vtkImageActor, vtkRenderer, vtkRenderWindow, vtkWindowToImageFilter

        self.geo = ct_geo
        self.ren = vtkRenderer()
        self.ct_actor = self.reslice = None
        if kind in ("ct", "fused"):
            self.ct_actor = vtkImageActor()
            self.ct_actor.GetMapper().SetInputData(ct_img)
            self.ct_actor.GetProperty().SetColorWindow(400.0)
            self.ct_actor.GetProperty().SetColorLevel(40.0)
            self.ct_actor.InterpolateOff()
            self.ren.AddActor(self.ct_actor)
        if kind in ("pet", "fused"):
            self.reslice = vtkImageReslice()
            self.reslice.SetInputData(pet_img)
            self.reslice.SetInterpolationModeToLinear()
            self.reslice.SetOutputSpacing(*ct_geo.spacing)
            self.reslice.SetOutputOrigin(*ct_geo.origin)
            lut = vtkLookupTable()
            lut.SetRange(0.0, 5.0)
            lut.SetHueRange(0.0, 0.15)
            lut.SetValueRange(0.2, 1.0)
            lut.Build()
            colours = vtkImageMapToColors()
            colours.SetLookupTable(lut)
            colours.SetInputConnection(self.reslice.GetOutputPort())
            self.pet_actor = vtkImageActor()
            self.pet_actor.GetMapper().SetInputConnection(colours.GetOutputPort())
            self.pet_actor.SetOpacity(0.5 if kind == "fused" else 1.0)
            self.ren.AddActor(self.pet_actor)
        self.win = vtkRenderWindow()
        self.win.SetOffScreenRendering(1)
        self.win.SetSize(w, h)
        self.win.AddRenderer(self.ren)
        self.grab = vtkWindowToImageFilter()
        self.grab.SetInput(self.win)
        self.grab.ReadFrontBufferOff()
        self._camera = False

    def show(self, k: int):
        from workstation.render.vtk_bridge import vtk_image_to_rgb

        nz, ny, nx = self.geo.shape
        if self.ct_actor is not None:
            self.ct_actor.SetDisplayExtent(0, nx - 1, 0, ny - 1, k, k)
        if self.reslice is not None:
            self.reslice.SetOutputExtent(0, nx - 1, 0, ny - 1, k, k)
        if not self._camera:
            self.ren.ResetCamera()
            self.ren.GetActiveCamera().ParallelProjectionOn()
            self._camera = True
        self.grab.Modified()
        self.grab.Update()
        return vtk_image_to_rgb(self.grab.GetOutput())


def _vtk_image(vol):
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData

    g = vol.geometry
    img = vtkImageData()
    img.SetDimensions(g.shape[2], g.shape[1], g.shape[0])
    img.SetSpacing(*g.spacing)
    img.SetOrigin(*g.origin)
    img.GetPointData().SetScalars(numpy_to_vtk(vol.array.reshape(-1), deep=False))  # no copy, as ours
    return img


def part_first_ref(ct, pet) -> dict:
    w, h = _cell_size("fused-axial")
    t0, c0 = time.perf_counter(), time.process_time()
    view = _BareVtkView(_vtk_image(ct), _vtk_image(pet), ct.geometry, "fused", w, h)
    img = view.show(ct.geometry.shape[0] // 2)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    assert img.shape[:2] == (h, w)
    return {"first_s": dt, "first_cpu_s": dc, "maxrss_mb": _maxrss_mb()}


def part_grid_ref(ct, pet, frames: int) -> dict:
    ci, pi = _vtk_image(ct), _vtk_image(pet)
    views = [_BareVtkView(ci, pi, ct.geometry, kind, *_cell_size(f"{kind}-axial")) for kind in ("ct", "pet", "fused")]
    k0 = ct.geometry.shape[0] // 2 - frames // 2
    for v in views:
        v.show(k0)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(frames):
        for v in views:
            v.show(k0 + 1 + i)
    return {"frame_s": (time.perf_counter() - t0) / frames, "frame_cpu_s": (time.process_time() - c0) / frames,
            "views": 3, "maxrss_mb": _maxrss_mb()}


# ----------------------------------------------------------------------------- driver
def _run_part(part: str, args) -> dict:
    cmd = [sys.executable, __file__, "--part", part, "--slices", str(args.slices),
           "--pet-slices", str(args.pet_slices), "--frames", str(args.frames)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("{")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"part {part} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(line)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slices", type=int, default=600)
    ap.add_argument("--pet-slices", type=int, default=300)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--part", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.part:
        t0 = time.perf_counter()
        ct, pet = synthetic(args.slices, args.pet_slices)
        build = time.perf_counter() - t0
        base = _maxrss_mb()
        res = {"first-ours": lambda: part_first_ours(ct, pet), "first-ref": lambda: part_first_ref(ct, pet),
               "grid-ours": lambda: part_grid_ours(ct, pet, args.frames),
               "grid-ref": lambda: part_grid_ref(ct, pet, args.frames)}[args.part]()
        res.update(data_mb=(ct.array.nbytes + pet.array.nbytes) / 2**20, data_build_s=build, maxrss_after_data_mb=base)
        print(json.dumps(res))
        return 0
    parts = {p: _run_part(p, args) for p in ("first-ours", "first-ref", "grid-ours", "grid-ref")}
    fo, fr, go, gr = parts["first-ours"], parts["first-ref"], parts["grid-ours"], parts["grid-ref"]
    print(f"data: CT {args.slices}x512x512 int16 + PET {args.pet_slices}x256x256 float32 = {fo['data_mb']:.0f} MB "
          f"(built in code); fused cell {_cell_size('fused-axial')}, grid {GRID_SIZE[0]}x{GRID_SIZE[1]}")
    print(f"first fused image: ours {fo['first_s']:.2f} s (session {fo['session_s']:.2f} s), bare VTK "
          f"{fr['first_s']:.2f} s, ratio {fo['first_s'] / fr['first_s']:.2f}x; CPU time ours "
          f"{fo['first_cpu_s']:.2f} s, bare VTK {fr['first_cpu_s']:.2f} s; first MIP frame "
          f"{fo['mip_first_frame_s']:.2f} s (the other 35 in the background)")
    print(f"peak memory (process maxrss, data included): ours {fo['maxrss_mb']:.0f} MB, bare VTK "
          f"{fr['maxrss_mb']:.0f} MB, ratio {fo['maxrss_mb'] / fr['maxrss_mb']:.2f}x; after the data alone "
          f"{fo['maxrss_after_data_mb']:.0f} MB; tracemalloc peak of the session + first image "
          f"{fo['traced_peak_mb']:.0f} MB")
    print(f"grid scroll (10 views): ours {go['frame_s'] * 1e3:.1f} ms/frame = {1 / go['frame_s']:.1f} fps, "
          f"{go['drawn_per_frame']:.1f} pictures drawn per frame; bare VTK (3 axial views) "
          f"{gr['frame_s'] * 1e3:.1f} ms/frame = {1 / gr['frame_s']:.1f} fps; ratio {go['frame_s'] / gr['frame_s']:.2f}x; "
          f"CPU time per frame ours {go['frame_cpu_s'] * 1e3:.1f} ms, bare VTK {gr['frame_cpu_s'] * 1e3:.1f} ms; "
          f"maxrss ours {go['maxrss_mb']:.0f} MB, bare VTK {gr['maxrss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
