"""A reading's state as JSON and back: windows, layout, crosshair, zoom/pan, registration and VOIs
(voxel for voxel, statistics recomputed from the image)."""

import json

import numpy as np
import pytest

from export_study import write_pet
from workstation.analysis.reading import session_state as SS
from workstation.analysis.reading.session import ReadingSession
from workstation.analysis.suv.apply import suv_array
from workstation.analysis.lesions.voi import VoiModel
from workstation.io.loader import load_pet_folder


@pytest.fixture(scope="module")
def pet(tmp_path_factory):
    root = tmp_path_factory.mktemp("session")
    write_pet(root / "pet")
    return load_pet_folder(str(root / "pet"))


def _open(pet):
    s = ReadingSession(None, pet, mip_frames=4)
    model = VoiModel(suv_array(pet, s.suv.result), pet.geometry, s.pet_units)
    return s, model


def test_round_trip_through_json(pet):
    s, vois = _open(pet)
    g = pet.geometry
    lesion_centre = g.kji_to_world(np.array([8.0, 10.0, 8.0]))
    sphere = vois.add_sphere(lesion_centre, 7.0, name="my sphere")
    box = vois.add_box(g.kji_to_world(np.array([2.0, 2.0, 2.0])), g.kji_to_world(np.array([5.0, 6.0, 9.0])))
    vois.set_liver_reference(g.kji_to_world(np.array([4.0, 26.0, 4.0])))
    s.set_ct_window(1500, -600)
    s.set_pet_window(0.5, 7.5)
    s.set_colormap("rainbow")
    s.set_opacity(0.3)
    s.set_layout("fused-mip")
    s.set_zoom("pet-axial", 2.5)
    s.set_pan("pet-axial", (4.0, -6.0))
    s.set_mip_angle_index(2)
    s.set_crosshair(lesion_centre)
    t = np.eye(4)
    t[:3, 3] = (3.0, -2.0, 1.0)
    s.set_pet_transform(t, note="manual nudge")
    state = json.loads(json.dumps(SS.capture(s, vois)))  # what the database holds

    s2, vois2 = _open(pet)
    assert SS.apply(s2, vois2, state) == []
    assert tuple(s2.ct_window) == (1500.0, -600.0)
    assert tuple(s2.pet_window) == (0.5, 7.5) and s2.colormap == "rainbow" and s2.opacity == pytest.approx(0.3)
    assert s2.layout == "fused-mip" and s2.mip_angle_index == 2
    assert s2.zoom["pet-axial"] == 2.5 and tuple(s2.pan["pet-axial"]) == (4.0, -6.0)
    assert np.allclose(s2.crosshair, s.crosshair)
    assert np.allclose(s2.pet_from_anat, t) and s2.registration_note == "manual nudge"
    by_name = {v.name: v for v in vois2.vois.values()}
    assert set(by_name) == {v.name for v in vois.vois.values()}
    for v in vois.vois.values():
        w = by_name[v.name]
        assert w.kind == v.kind and w.params == json.loads(json.dumps(SS._plain(v.params)))
        assert np.array_equal(w.mask(g.shape), v.mask(g.shape))
        assert w.stats.voxels == v.stats.voxels and w.stats.mean == pytest.approx(v.stats.mean)
    assert by_name["my sphere"].stats.max == pytest.approx(sphere.stats.max)
    assert box.kind == "box" and vois2.reference("liver") is not None


def test_voi_outside_grid_is_skipped_with_a_warning(pet):
    s, vois = _open(pet)
    vois.add_sphere(pet.geometry.kji_to_world(np.array([8.0, 10.0, 8.0])), 5.0, name="a")
    state = SS.capture(s, vois)
    state["vois"][0]["mask"]["lo"] = [500, 0, 0]
    s2, vois2 = _open(pet)
    warnings = SS.apply(s2, vois2, state)
    assert len(warnings) == 1 and "'a'" in warnings[0] and not vois2.vois


def test_registration_left_to_the_caller(pet):
    """apply(registration=False) restores all but the transform; registration_change names what to restore."""
    s, vois = _open(pet)
    t = np.eye(4)
    t[:3, 3] = (5.0, 0.0, -2.0)
    s.set_pet_transform(t, note="manual nudge")
    s.set_pet_window(0.5, 6.0)
    state = json.loads(json.dumps(SS.capture(s, vois)))
    s2, vois2 = _open(pet)
    assert SS.apply(s2, vois2, state, registration=False) == []
    assert tuple(s2.pet_window) == (0.5, 6.0) and np.allclose(s2.pet_from_anat, np.eye(4))
    m, note = SS.registration_change(s2, state)
    assert np.allclose(m, t) and note == "manual nudge"
    s2.set_pet_transform(m, note)
    assert SS.registration_change(s2, state) is None  # nothing left to restore
    s3, _ = _open(pet)
    assert SS.registration_change(s3, state) is not None
    assert SS.registration_change(s3, {"version": SS.VERSION + 1, "registration": state["registration"]}) is None
