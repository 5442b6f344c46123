"""Union of fields of view when PET and anatomy have different frames of reference: once a registration
places the PET, the display grid covers both (the anatomy's voxels unchanged, the PET beyond the CT shown
with the values interpolated here from the PET array); back at identity it is the CT's grid again; a wild
transform does not allocate a huge grid; a registration stored for the pair gives the same grid at opening;
the registration preview of a proposal on a larger grid matches the current display."""

import numpy as np
import pytest
from scipy import ndimage

from workstation.analysis.reading import session as fusion
from workstation.analysis.reading import study_open
from workstation.core.volume import needs_registration
from workstation.core import display as display_mod
from workstation.testing import synthetic_study as syn

SHIFT = np.array([90.0, 0.0, 0.0])  # pet_from_anat: a point of the CT frame is this far in the PET frame


def _pair():
    ct = syn.make_ct()  # x -94..94 mm
    pet = syn.make_pet(origin=(-99.0 + 150.0, -99.0, 81.0))  # its own frame: the body 150 mm to the left
    pet.frame_of_reference_uid = "9.9.9"
    pet.array = syn.sample(pet.geometry, lambda p: syn.pet_bqml(p - np.array([150.0, 0.0, 0.0])))
    return ct, pet


def _t(shift):
    t = np.eye(4)
    t[:3, 3] = shift
    return t


def _bounds(g):
    c = g.corners_world()
    return c.min(axis=0), c.max(axis=0)


def test_registered_pet_beyond_the_ct_is_shown():
    ct, pet = _pair()
    s = fusion.ReadingSession(ct, pet, mip_frames=4)
    assert needs_registration(pet, ct) and s.display_geometry.same_grid(ct.geometry)  # not placed yet
    s.set_pet_transform(_t(SHIFT), note="test registration")
    g = s.display_geometry
    lo, hi = _bounds(g)
    plo, phi = _bounds(pet.geometry)
    plo, phi = plo - SHIFT, phi - SHIFT  # the PET's box in the CT frame: x -39..159 mm, partly outside the CT
    clo, chi = _bounds(ct.geometry)
    assert phi[0] > chi[0] + 50  # the FoVs only partly overlap
    assert np.all(lo <= np.minimum(clo, plo) + 1e-6) and np.all(hi >= np.maximum(chi, phi) - 1e-6)  # covers both
    sp = np.asarray(ct.geometry.spacing)
    assert np.all(hi < np.maximum(chi, phi) + sp) and np.all(lo > np.minimum(clo, plo) - sp)  # by < 1 voxel
    assert g.spacing == ct.geometry.spacing
    # the CT voxels keep their values and places
    off = np.rint(-ct.geometry.world_to_kji(g.origin)).astype(int)
    nz, ny, nx = ct.shape
    assert np.array_equal(s.anat_display[off[0]:off[0] + nz, off[1]:off[1] + ny, off[2]:off[2] + nx], ct.array)
    assert s.pet_display.shape == s.anat_display.shape == g.shape
    # a display voxel beyond the CT (x ~ 130 mm) holds the PET value there: interpolated here from the array
    kji = np.rint(g.world_to_kji(np.array([130.0, 0.0, 10.0]))).astype(int)
    w = g.kji_to_world(kji.astype(float))
    assert w[0] > chi[0] + 20
    want = ndimage.map_coordinates(pet.array.astype(np.float64), pet.geometry.world_to_kji(w + SHIFT)[:, None],
                                   order=1)[0]
    assert want > 0 and s.pet_display[tuple(kji)] == pytest.approx(want, rel=1e-4)
    s.set_crosshair(w)
    r = s.readout()
    assert r["anat_value"] is None and r["pet_value"] is not None
    # back to the scanner placement: the CT's own grid
    s.set_pet_transform(np.eye(4), note="scanner alignment")
    assert s.display_geometry.same_grid(ct.geometry) and np.array_equal(s.anat_display, ct.array.astype(np.float32))


def test_stored_registration_gives_the_union_at_opening_and_wild_transforms_do_not():
    ct, pet = _pair()
    s1 = fusion.ReadingSession(ct, pet, mip_frames=4)
    s1.set_pet_transform(_t(SHIFT))
    s2 = fusion.ReadingSession(ct, pet, mip_frames=4, pet_from_anat=_t(SHIFT))
    assert s2.display_geometry.same_grid(s1.display_geometry)
    np.testing.assert_allclose(s2.pet_display, s1.pet_display, rtol=1e-6)
    s3 = fusion.ReadingSession(ct, pet, mip_frames=4)
    s3.set_pet_transform(_t([5000.0, 0.0, 0.0]))  # nowhere near: the display keeps the CT's field of view
    assert s3.display_geometry.same_grid(ct.geometry)


def test_registration_preview_of_a_proposal_on_a_larger_grid():
    ct, pet = _pair()
    s = fusion.ReadingSession(ct, pet, mip_frames=4)
    arrays = s.compute_pet_arrays(_t(SHIFT))
    assert arrays["display_geometry"].shape != s.display_geometry.shape
    prev = study_open.registration_preview(s, arrays)
    anat_slice = display_mod.extract_plane(s.anat_display, display_mod.PLANE_SPECS["axial"], s.plane_index("axial"))
    assert prev["after"].shape == prev["before"].shape == anat_slice.shape
    assert np.any(prev["blend_after"] != prev["blend_before"])


def test_a_shared_frame_pet_wider_than_the_ct_adds_no_padded_copy_of_the_ct():
    """One frame of reference, a PET field of view wider than the CT's (the usual whole body: 70 cm PET,
    50 cm CT): the display covers both, the CT is held once (its own bytes), and each CT plane shown is
    the plane of the padded CT written with NumPy (air outside the CT's field)."""
    ct = syn.make_ct()  # x -94..94 mm
    pet = syn.make_pet(origin=(-160.0, -99.0, 81.0))  # starts 66 mm to the right of the CT, same frame
    assert not needs_registration(pet, ct)
    s = fusion.ReadingSession(ct, pet, mip_frames=4)
    g = s.display_geometry
    assert g.shape[2] > ct.shape[2]  # wider than the CT
    assert s.anat_display.nbytes == ct.array.nbytes  # no padded copy held
    off = np.rint(-ct.geometry.world_to_kji(g.origin)).astype(int)
    nz, ny, nx = ct.shape
    padded = np.full(g.shape, ct.array.min(), ct.array.dtype)
    padded[off[0]:off[0] + nz, off[1]:off[1] + ny, off[2]:off[2] + nx] = ct.array
    for plane, spec in display_mod.PLANE_SPECS.items():
        got = s.slice_image("ct", plane)
        assert np.array_equal(got, display_mod.extract_plane(padded, spec, s.plane_index(plane))), plane
