"""The PET is resampled for the planes shown only (analysis.reading.pet_view), the CT keeps its stored type,
and the MIP frames filled in the background are the synchronous ones (analysis.reading.mip).

References are independent of the code under test: a point-by-point scipy ``map_coordinates``
twin (world point -> transform -> PET index, written here) and SimpleITK's ResampleImageFilter."""

import math
import threading
import tracemalloc

import numpy as np
import pytest
from scipy import ndimage

from workstation.analysis.reading import session as fusion
from workstation.analysis.reading.display_grid import axis_aligned
from workstation.analysis.reading.mip import MipFrames
from workstation.analysis.reading.pet_view import PetOnView
from workstation.core.display import PLANE_SPECS, extract_plane
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume
from workstation.tasks.progress import Cancelled, Progress
from workstation.testing import synthetic_study as syn


def _rigid(deg=(7.0, -4.0, 11.0), shift=(6.5, -3.25, 4.0)):
    """A rotation about a point and a translation: display-frame world -> PET-frame world."""
    ax, ay, az = (math.radians(a) for a in deg)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    t = np.eye(4)
    t[:3, :3] = rz @ ry @ rx
    c = np.array([10.0, -5.0, 3.0])
    t[:3, 3] = c - t[:3, :3] @ c + np.asarray(shift)
    return t


def _noisy_pet():
    pet = syn.make_pet()
    rng = np.random.default_rng(3)
    arr = pet.array + rng.uniform(0, 2000, pet.array.shape).astype(np.float32)  # no two voxels alike
    return Volume(arr.astype(np.float32), pet.geometry, modality="PT", units="BQML",
                  frame_of_reference_uid=pet.frame_of_reference_uid)


def _twin_plane(pet: Volume, display: ImageGeometry, t, plane: str, index: int) -> np.ndarray:
    """The plane sampled point by point: display voxel centre -> world -> t -> PET index -> linear."""
    ax = {"axial": 0, "coronal": 1, "sagittal": 2}[plane]
    kji = np.argwhere(np.ones(display.shape, bool))
    kji = kji[kji[:, ax] == index]
    world = display.kji_to_world(kji.astype(float))
    q = world @ t[:3, :3].T + t[:3, 3]
    src = pet.geometry.world_to_kji(q)
    vals = ndimage.map_coordinates(pet.array.astype(np.float64), src.T, order=1, mode="nearest")
    outside = np.any((src < -0.5) | (src > np.asarray(pet.shape) - 0.5), axis=1)
    vals[outside] = 0.0
    # a point exactly on the half-voxel border may round either way: marked NaN, not compared
    edge = np.any((np.abs(src + 0.5) < 1e-4) | (np.abs(src - (np.asarray(pet.shape) - 0.5)) < 1e-4), axis=1)
    vals[edge] = np.nan
    shape = list(display.shape)
    shape[ax] = 1
    vol = np.zeros(shape)
    k2 = kji.copy()
    k2[:, ax] = 0
    vol[k2[:, 0], k2[:, 1], k2[:, 2]] = vals
    return extract_plane(vol, PLANE_SPECS[plane], 0)


@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
@pytest.mark.parametrize("moved", [False, True])
def test_plane_on_demand_equals_pointwise_twin(plane, moved):
    pet = _noisy_pet()
    t = _rigid() if moved else np.eye(4)
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4, pet_from_anat=t)
    n = s.n_slices(plane)
    for index in (0, n // 3, n // 2, n - 1):  # the outer planes of the union grid hold fill only
        got = s.pet_view.plane(plane, index)
        want = _twin_plane(pet, s.display_geometry, t, plane, index)
        assert got.shape == want.shape
        ok = ~np.isnan(want)
        assert np.allclose(got[ok], want[ok], rtol=1e-5, atol=1e-2)
        if index in (n // 3, n // 2):
            assert ok.mean() > 0.8 and np.count_nonzero(want[ok]) > 100  # a plane through the PET, not only fill


@pytest.mark.parametrize("moved", [False, True])
def test_planes_equal_simpleitk_whole_volume_resampling(moved):
    sitk = pytest.importorskip("SimpleITK")
    pet = _noisy_pet()
    t = _rigid() if moved else np.eye(4)
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4, pet_from_anat=t)
    g, pg = s.display_geometry, pet.geometry
    img = sitk.GetImageFromArray(pet.array.astype(np.float64))
    img.SetSpacing(pg.spacing)
    img.SetOrigin(pg.origin)
    img.SetDirection(tuple(np.asarray(pg.direction, float).ravel()))
    ref = sitk.Image(int(g.shape[2]), int(g.shape[1]), int(g.shape[0]), sitk.sitkFloat64)
    ref.SetSpacing(g.spacing)
    ref.SetOrigin(g.origin)
    ref.SetDirection(tuple(np.asarray(g.direction, float).ravel()))
    tr = sitk.AffineTransform(3)  # maps output (display) points to input (PET) points, like pet_from_anat
    tr.SetMatrix(tuple(t[:3, :3].ravel()))
    tr.SetTranslation(tuple(t[:3, 3]))
    whole = sitk.GetArrayFromImage(sitk.Resample(img, ref, tr, sitk.sitkLinear, 0.0))
    # SimpleITK gives the default value beyond the outer voxel centres, where we take the edge value
    # up to half a voxel: compare where the PET point is inside the centres' box
    kji = np.argwhere(np.ones(g.shape, bool))
    src = pg.world_to_kji(g.kji_to_world(kji.astype(float)) @ t[:3, :3].T + t[:3, 3])
    inside = np.all((src >= 0) & (src <= np.asarray(pg.shape) - 1), axis=1).reshape(g.shape)
    assert inside.sum() > 1000
    for plane in ("axial", "coronal", "sagittal"):
        for index in range(0, s.n_slices(plane), 5):
            spec = PLANE_SPECS[plane]
            got = s.pet_view.plane(plane, index)
            m = extract_plane(inside, spec, index)
            assert np.allclose(got[m], extract_plane(whole, spec, index)[m], rtol=1e-5, atol=1e-2)


def test_session_slice_is_the_plane_in_display_units_and_cached():
    s = fusion.ReadingSession(syn.make_ct(), _noisy_pet(), mip_frames=4)
    s.set_crosshair(syn.LESION)
    before = s.pet_view.computed
    a = s.slice_image("pet", "coronal")
    assert s.pet_view.computed == before + 1
    b = s.slice_image("pet", "coronal")  # the cache answers
    assert s.pet_view.computed == before + 1
    assert np.array_equal(a, b)
    assert np.array_equal(a, s.pet_view.plane("coronal", s.plane_index("coronal")) * np.float32(s.pet_scale))


def test_cache_is_bounded_in_bytes():
    pet = _noisy_pet()
    ct = syn.make_ct()
    g = axis_aligned(ct.array, ct.geometry)[1]
    one = g.shape[1] * g.shape[2] * 4
    v = PetOnView(pet.array, pet.geometry, g, cache_bytes=3 * one)
    for k in range(g.shape[0]):
        v.plane("axial", k)
    assert v.cached_bytes() <= 3 * one
    assert v.computed == g.shape[0]
    with pytest.raises(IndexError):
        v.plane("axial", g.shape[0])


def test_transform_change_resamples_through_the_new_transform():
    pet = _noisy_pet()
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)
    t = _rigid()
    s.set_pet_transform(t, "test")
    s.set_crosshair(syn.LESION)
    z = s.plane_index("axial")
    want = _twin_plane(pet, s.display_geometry, t, "axial", z)
    ok = ~np.isnan(want)
    assert np.allclose(s.slice_image("pet", "axial")[ok], want[ok], rtol=1e-5, atol=1e-2)


def test_ct_kept_in_its_stored_type_without_copy_and_pet_never_whole():
    """An int16 CT is shown from its own array; opening and showing three planes never allocates the
    PET on the whole display grid (tracemalloc sees numpy's allocations). The PET is in SUV: without
    SUV the automatic window holds the positive PET values of the grid for a moment."""
    geo = ImageGeometry((80, 160, 160), (2.0, 2.0, 2.5), (-160.0, -160.0, -100.0))
    hu = syn.sample(geo, syn.body_hu).astype(np.int16)
    ct = Volume(hu, geo, modality="CT", units="HU", frame_of_reference_uid="1.2.3")
    pg = ImageGeometry((40, 40, 40), (8.0, 8.0, 5.0), (-156.0, -156.0, -98.0))
    pet = Volume(syn.sample(pg, syn.pet_bqml) / 5000.0, pg, modality="PT", units="SUV", frame_of_reference_uid="1.2.3")
    whole_float = int(np.prod(geo.shape)) * 4
    tracemalloc.start()
    try:
        s = fusion.ReadingSession(ct, pet, mip_frames=4, union_fov=False)
        for plane in ("axial", "coronal", "sagittal"):
            s.slice_image("ct", plane)
            s.slice_image("pet", plane)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert s.anat_display.dtype == np.int16 and np.shares_memory(s.anat_display, ct.array)
    assert s.slice_image("ct", "axial").dtype == np.int16
    assert peak < 0.25 * whole_float, (peak, whole_float)


def test_oblique_grid_keeps_a_voxel_budget():
    th = math.radians(30)
    d = np.array([[math.cos(th), -math.sin(th), 0], [math.sin(th), math.cos(th), 0], [0, 0, 1]])
    geo = ImageGeometry((3, 64, 64), (0.25, 0.25, 4.0), (0.0, 0.0, 0.0), d)  # a fine oblique slab
    arr = np.ones(geo.shape, np.float32)
    unbounded = axis_aligned(arr, geo, max_voxels=10**9)[1]
    out, g2 = axis_aligned(arr, geo, max_voxels=20_000)
    assert np.prod(unbounded.shape) > 20_000
    assert np.prod(g2.shape) <= 20_000 and out.shape == g2.shape
    corners = geo.corners_world()
    hi = np.asarray(g2.origin) + (np.asarray(g2.shape[::-1]) - 1) * np.asarray(g2.spacing)
    assert np.all(np.asarray(g2.origin) <= corners.min(axis=0) + 1e-6)
    assert np.all(hi >= corners.max(axis=0) - max(g2.spacing))  # covers the volume within a voxel


def test_background_mip_frames_equal_synchronous_and_cancel():
    pet = _noisy_pet()
    vol, geo = axis_aligned(pet.array, pet.geometry)
    sync = MipFrames(vol, geo, 12)
    want = [sync.frame(i).copy() for i in range(12)]
    bg = MipFrames(vol, geo, 12)
    first = bg.frame(3)  # the frame shown at opening, computed at once
    assert bg.computed() == [3]
    worker = threading.Thread(target=bg.fill, kwargs={"start": 3})
    worker.start()
    worker.join(60)
    assert bg.computed() == list(range(12))
    assert bg.frame(3) is first  # not computed twice
    for i in range(12):
        assert np.array_equal(bg.frame(i), want[i])
    # cancel: the worker stops at the next frame and leaves the rest to be computed on demand
    p = Progress()
    p.cancel()
    lazy = MipFrames(vol, geo, 12)
    with pytest.raises(Cancelled):
        lazy.fill(p)
    assert len(lazy.computed()) <= 1
    assert np.array_equal(lazy.frame(7), want[7])


def test_session_precompute_fills_from_the_frame_shown():
    s = fusion.ReadingSession(syn.make_ct(), _noisy_pet(), mip_frames=6)
    s.set_mip_angle_index(2)
    img, _ = s.mip_frame()
    assert s.mip.computed() == [2]
    s.precompute_mip()
    assert s.mip.computed() == list(range(6))
    assert np.array_equal(s.mip_frame(2)[0], img)
