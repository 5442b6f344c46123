"""Undo/redo of VOI edits and registration changes (analysis.reading.undo): for every kind of edit, do it, undo
it, redo it, and compare the model's whole state (ids, names, masks, parameters and statistics
re-measured independently with regions.measure_crop) with snapshots taken before and after."""

import numpy as np
import pytest

from workstation.analysis.reading import undo as U
from workstation.analysis.lesions import voi as V
from workstation.analysis.reading.session import ReadingSession
from workstation.analysis.lesions.regions import measure_crop
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume


def _model():
    g = ImageGeometry((20, 24, 24), (4.0, 4.0, 3.0), (-48.0, -48.0, -30.0), np.eye(3))
    rng = np.random.default_rng(0)
    suv = (1.0 + 0.1 * rng.standard_normal(g.shape)).astype(np.float32)
    suv[8:12, 10:14, 10:14] = 8.0
    suv[9:11, 11:13, 11:13] = 12.0  # a hot core: 41 % of SUVmax takes the block, SUV 10 only the core
    suv[8:12, 2:6, 2:6] = 5.0
    return V.VoiModel(suv, g)


def state(model):
    """Everything a reader sees of the VOIs, with statistics measured again from the masks."""
    out = {}
    for vid, v in sorted(model.vois.items()):
        st = measure_crop(model.suv, model.geometry, v.lo, v.crop)
        assert v.stats.max == pytest.approx(st.max) and v.stats.voxels == st.voxels
        out[vid] = (v.kind, v.name, tuple(v.lo), v.crop.tobytes(), v.crop.shape, repr(sorted(v.params.items())),
                    st.voxels, round(float(st.mean), 6), round(float(st.max), 6))
    return out


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        self.t += 10.0  # far apart: no merging unless a test says so
        return self.t


@pytest.fixture()
def setup():
    model = _model()
    stack = U.UndoStack()
    hist = U.VoiHistory(model, stack, clock=Clock())
    return model, stack, hist


def _check_cycle(model, stack, edit, label):
    before = state(model)
    edit()
    after = state(model)
    assert after != before
    assert stack.undo_label == label
    assert stack.undo() and state(model) == before
    assert stack.redo_label == label
    assert stack.redo() and state(model) == after
    assert stack.undo() and state(model) == before
    assert stack.redo() and state(model) == after


def test_add_sphere(setup):
    model, stack, _ = setup
    _check_cycle(model, stack, lambda: model.add_sphere((-4.0, -4.0, 0.0), 6.0), U.ADD_VOI)


def test_delete(setup):
    model, stack, _ = setup
    v = model.add_box((-10, -10, -5), (5, 5, 5))
    _check_cycle(model, stack, lambda: model.delete(v.id), U.DELETE_VOI)
    assert v.id not in model.vois  # redone: deleted; undo once more brings it back with its id
    stack.undo()
    assert model.get(v.id).kind == "box"


def test_rename(setup):
    model, stack, _ = setup
    v = model.add_sphere((-4.0, -4.0, 0.0), 6.0, name="first")
    _check_cycle(model, stack, lambda: model.rename(v.id, "lesion liver"), U.RENAME_VOI)
    stack.undo()
    assert model.get(v.id).name == "first"


def test_change_radius(setup):
    model, stack, _ = setup
    v = model.add_sphere((-4.0, -4.0, 0.0), 6.0)
    _check_cycle(model, stack, lambda: model.set_radius(v.id, 12.0), U.CHANGE_VOI)
    stack.undo()
    assert model.get(v.id).params["radius_mm"] == 6.0


def test_change_threshold_and_method(setup):
    model, stack, _ = setup
    seed = model.geometry.kji_to_world(np.array([10.0, 12.0, 12.0]))  # in the core
    seg = V.segment_lesion(model.suv, model.geometry, seed, "pct:41")
    v = model.add_segmentation(seg)
    seg2 = V.segment_lesion(model.suv, model.geometry, seed, "fixed:10")  # other method: the core only
    _check_cycle(model, stack, lambda: model.update_segmentation(v.id, seg2), U.CHANGE_VOI)
    stack.undo()
    assert model.get(v.id).method == seg.method and model.get(v.id).threshold == pytest.approx(seg.threshold)


def test_replacing_a_reference_is_one_step():
    model = _model()
    stack = U.UndoStack()
    pending = []
    hist = U.VoiHistory(model, stack, schedule=pending.append, clock=Clock())
    model.set_liver_reference((-4.0, -4.0, 0.0))
    pending.pop()()
    before = state(model)
    model.set_liver_reference((20.0, 20.0, 0.0))  # adds the new one and deletes the old one
    assert len(pending) == 1  # one commit scheduled for both events
    pending.pop()()
    after = state(model)
    assert len(stack.done) == 2 and stack.undo_label == U.EDIT_VOIS
    stack.undo()
    assert state(model) == before
    stack.redo()
    assert state(model) == after
    hist.detach()


def test_slider_drag_merges_and_new_edit_drops_redo():
    model = _model()
    stack = U.UndoStack()
    t = [0.0]
    U.VoiHistory(model, stack, clock=lambda: t[0])
    v = model.add_sphere((-4.0, -4.0, 0.0), 6.0)
    t[0] = 5.0
    start = state(model)
    for i, r in enumerate((7.0, 8.0, 9.0)):  # 0.3 s apart: one step
        t[0] = 5.0 + 0.3 * i
        model.set_radius(v.id, r)
    assert len(stack.done) == 2
    stack.undo()
    assert state(model) == start
    t[0] = 20.0
    model.rename(v.id, "x")
    assert not stack.can_redo and stack.undo_label == U.RENAME_VOI


def test_undo_restores_statistics_on_the_current_suv(setup):
    model, stack, _ = setup
    v = model.add_sphere((-4.0, -4.0, 0.0), 6.0)
    model.delete(v.id)
    model.set_suv(model.suv * 2.0)  # e.g. the SUV type changed meanwhile
    stack.undo()
    back = model.get(v.id)
    st = measure_crop(model.suv, model.geometry, back.lo, back.crop)
    assert back.stats.mean == pytest.approx(st.mean)
    assert not stack.can_undo or stack.undo_label == U.ADD_VOI


def _session():
    g = ImageGeometry((12, 16, 16), (4.0, 4.0, 4.0), (-30.0, -30.0, -20.0), np.eye(3))
    ct = Volume(np.zeros(g.shape, np.float32), g, modality="CT", frame_of_reference_uid="1.2")
    pet_arr = np.zeros(g.shape, np.float32)
    pet_arr[6, 8, 8] = 10.0
    pet = Volume(pet_arr, g, modality="PT", units="SUV", frame_of_reference_uid="1.2")
    return ReadingSession(ct, pet, mip_frames=2)


def test_registration_nudge_accept_reset():
    s = _session()
    stack = U.UndoStack()
    U.RegistrationHistory(s, stack)

    def snap():
        return s.pet_from_anat.copy(), s.registration_note, s.pet_display.copy()

    def same(a, b):
        return np.array_equal(a[0], b[0]) and a[1] == b[1] and np.array_equal(a[2], b[2])

    states = [snap()]
    s.nudge(4.0, 0.0, 0.0)
    states.append(snap())
    assert stack.undo_label == U.NUDGE_PET
    t = np.eye(4)
    t[:3, 3] = [0.0, 4.0, 0.0]
    s.set_pet_transform(t, "registered (MI 0.1→0.2, moved 4.0 mm / 0.0°)")
    states.append(snap())
    assert stack.undo_label == U.ACCEPT_REGISTRATION
    s.set_pet_transform(np.eye(4), "scanner alignment")
    states.append(snap())
    assert stack.undo_label == U.RESET_ALIGNMENT
    # the PET really moved each time
    assert not same(states[0], states[1]) and not same(states[1], states[2])
    for i in (2, 1, 0):
        assert stack.undo()
        assert same(snap(), states[i])
    assert not stack.can_undo
    for i in (1, 2, 3):
        assert stack.redo()
        assert same(snap(), states[i])
    assert len(stack.done) == 3  # applying undo/redo recorded nothing new


def test_registration_applied_later_is_not_recorded_twice():
    s = _session()
    stack = U.UndoStack()
    queued = []
    U.RegistrationHistory(s, stack, apply=lambda t, note: queued.append((t, note)))
    s.nudge(0.0, 0.0, 8.0)
    after = s.pet_from_anat.copy()
    stack.undo()
    assert np.array_equal(s.pet_from_anat, after)  # nothing yet: the apply runs later (worker)
    t, note = queued.pop()
    s.set_pet_transform(t, note)  # the worker's result arrives
    assert np.array_equal(s.pet_from_anat, np.eye(4))
    assert not stack.can_undo and stack.can_redo and len(stack.done) == 0
