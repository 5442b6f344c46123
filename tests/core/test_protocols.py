"""The protocols render draws through are satisfied by the models that implement them (analysis)."""

import numpy as np

from workstation.analysis.reading.session import ReadingSession
from workstation.analysis.lesions.voi import VoiModel
from workstation.core.protocols import OutlinedRegion, ReadingState, RegionSource
from workstation.testing import synthetic_study as syn


def test_reading_session_is_a_reading_state():
    s = ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)
    assert isinstance(s, ReadingState)
    missing = [n for n in ReadingState.__protocol_attrs__ if not hasattr(s, n)] \
        if hasattr(ReadingState, "__protocol_attrs__") else []
    assert not missing


def test_voi_model_is_a_region_source_of_outlined_regions():
    pet = syn.make_pet()
    m = VoiModel(np.asarray(pet.array, np.float32), pet.geometry)
    v = m.add_sphere(syn.LESION, 12.0)
    assert isinstance(m, RegionSource)
    (region, selected), = m.outline_items()
    assert region is v and isinstance(region, OutlinedRegion) and selected is False


def test_a_model_without_the_drawn_attributes_is_not_a_reading_state():
    class Partial:
        pet = None

    assert not isinstance(Partial(), ReadingState)
