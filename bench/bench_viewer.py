"""Benchmark: slice-scroll frame time of the fused view vs a bare VTK single-image render.

Ours: one wheel step in the fused axial view = move the crosshair one slice, extract the CT and
PET-on-CT slices, window and colour them, blend, upload to VTK, render with overlays (letters,
crosshair, scale bar, colour bar) and read the pixels back.
Reference, same CT, same run, same window size: a bare VTK pipeline (vtkImageSliceMapper +
vtkImageSlice with window/level) that changes the slice number, renders and reads the pixels back.

    .venv/bin/python bench/bench_viewer.py [--demo DIR] [--frames 40] [--size 512]

The session build is timed too, and its PET resampling is compared with a per-slice
map_coordinates reference on the same grids.

Without --demo a synthetic CT of 512x512x120 and a PET of 192x192x80 are built in memory.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow")


def synthetic():
    from workstation.core.geometry import ImageGeometry
    from workstation.core.volume import Volume

    rng = np.random.default_rng(0)
    g = ImageGeometry((120, 512, 512), (0.98, 0.98, 3.0), (-250.0, -250.0, -180.0))
    z, y, x = np.ogrid[:120, :512, :512]
    body = ((x - 256) / 200.0) ** 2 + ((y - 256) / 150.0) ** 2 <= 1
    ct = np.where(body, 40.0, -1000.0) + rng.normal(0, 15, (1, 512, 512))
    ct = np.broadcast_to(ct, g.shape).astype(np.float32)
    pg = ImageGeometry((80, 192, 192), (2.7, 2.7, 4.5), (-258.0, -258.0, -182.0))
    zz, yy, xx = np.ogrid[:80, :192, :192]
    pet = np.where(((xx - 96) / 75.0) ** 2 + ((yy - 96) / 56.0) ** 2 <= 1, 5000.0, 0.0) + 0 * zz
    pet = np.broadcast_to(pet, pg.shape).astype(np.float32)
    return Volume(np.ascontiguousarray(ct), g, modality="CT"), Volume(np.ascontiguousarray(pet), pg, modality="PT",
                                                                      units="BQML")


def bench_ours(session, frames, size):
    from workstation.render.scene import CellRenderer

    cell = CellRenderer("fused", "axial", size, size)
    session.set_crosshair(session.display_geometry.center_world())
    session.scroll("axial", -frames // 2)
    cell.render(session)  # warm-up
    t0 = time.perf_counter()
    for _ in range(frames):
        session.scroll("axial", 1)
        cell.render(session)
    return (time.perf_counter() - t0) / frames


def bench_bare_vtk(session, frames, size):
    import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
    from vtkmodules.vtkRenderingCore import (vtkImageSlice, vtkImageSliceMapper, vtkRenderer, vtkRenderWindow,
                                             vtkWindowToImageFilter)

    from workstation.render.vtk_bridge import volume_to_vtk_image, vtk_image_to_rgb

    g = session.display_geometry
    img = volume_to_vtk_image(session.anat_display, g.spacing, g.origin)
    mapper = vtkImageSliceMapper()
    mapper.SetInputData(img)
    mapper.SetOrientationToZ()
    actor = vtkImageSlice()
    actor.SetMapper(mapper)
    actor.GetProperty().SetColorWindow(400.0)
    actor.GetProperty().SetColorLevel(40.0)
    actor.GetProperty().SetInterpolationTypeToNearest()
    ren = vtkRenderer()
    ren.AddViewProp(actor)
    win = vtkRenderWindow()
    win.SetOffScreenRendering(1)
    win.SetSize(size, size)
    win.AddRenderer(ren)
    ren.ResetCamera()
    ren.GetActiveCamera().ParallelProjectionOn()
    grab = vtkWindowToImageFilter()
    grab.SetInput(win)
    grab.ReadFrontBufferOff()
    # as in our view, the grab filter renders the window (one render per frame) and reads it back
    n = g.shape[0]
    k = max(0, n // 2 - frames // 2)
    mapper.SetSliceNumber(k)
    win.Render()
    t0 = time.perf_counter()
    for i in range(frames):
        mapper.SetSliceNumber(min(n - 1, k + 1 + i))
        grab.Modified()
        grab.Update()
        vtk_image_to_rgb(grab.GetOutput())
    return (time.perf_counter() - t0) / frames


def resample_per_slice_reference(array, source, target):
    """Reference for the session build: the PET sampled slice by slice with explicit coordinate
    arrays and ``map_coordinates`` (the first implementation), same points, same linear order."""
    from scipy import ndimage

    m = np.linalg.inv(source.affine) @ target.affine
    nk, nj, ni = target.shape
    jj, ii = np.meshgrid(np.arange(nj, dtype=float), np.arange(ni, dtype=float), indexing="ij")
    src = np.asarray(array, np.float32)
    n = np.asarray(source.size_ijk, float)
    out = np.empty(target.shape, np.float32)
    for k in range(nk):
        ijk = np.stack([ii.ravel(), jj.ravel(), np.full(ii.size, float(k))])
        q = m[:3, :3] @ ijk + m[:3, 3:4]
        inside = np.all((q > -0.5) & (q < n[:, None] - 0.5), axis=0)
        vals = ndimage.map_coordinates(src, q[::-1], order=1, mode="nearest")
        vals[~inside] = 0.0
        out[k] = vals.reshape(nj, ni)
    return out


def bench_resample(session):
    from workstation.analysis.fusion import resample_to_grid

    pet, g = session.pet, session.display_geometry
    t0 = time.perf_counter()
    ours = resample_to_grid(pet.array, pet.geometry, g)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = resample_per_slice_reference(pet.array, pet.geometry, g)
    t_ref = time.perf_counter() - t0
    err = float(np.max(np.abs(ours - ref)))
    scale = float(np.max(np.abs(ref))) or 1.0
    print(f"PET -> display grid {g.shape}: ours {t_ours:.2f} s, per-slice map_coordinates reference "
          f"{t_ref:.2f} s, ratio {t_ours / t_ref:.2f}x, max |diff| {err:.3g} ({err / scale:.1e} of max)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--demo", help="demo study folder (from `workstation demo --out DIR`)")
    ap.add_argument("--frames", type=int, default=40)
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args(argv)
    from workstation.analysis.fusion import ReadingSession

    t0 = time.perf_counter()
    if args.demo:
        from workstation.analysis.fusion import choose_pair, load_pair
        from workstation.io.loader import find_series

        pet_s, ct_s = choose_pair([s for s in find_series([args.demo]) if getattr(s, "is_image", True)])
        pet, ct = load_pair(pet_s.files, ct_s.files)
    else:
        ct, pet = synthetic()
    t1 = time.perf_counter()
    session = ReadingSession(ct, pet, mip_frames=4)
    print(f"session: CT {session.display_geometry.shape}, PET {session.pet.shape}; series read in {t1 - t0:.1f} s, "
          f"session built in {time.perf_counter() - t1:.2f} s; view {args.size}x{args.size}, {args.frames} frames")
    bench_resample(session)
    ref = bench_bare_vtk(session, args.frames, args.size)
    ours = bench_ours(session, args.frames, args.size)
    print(f"bare VTK single CT image (slice change + render + read-back): {ref * 1e3:7.2f} ms/frame")
    print(f"fused PET/CT view (slice + colour + blend + overlays + read-back): {ours * 1e3:7.2f} ms/frame")
    print(f"ratio ours/reference: {ours / ref:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
