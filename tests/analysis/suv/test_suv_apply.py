"""The one SUV road: display, cursor readout, MIP and VOI arrays all apply each slice's own factor.

The PET is the synthetic study's (28 slices); every slice is its own instance of a DecayCorrection
NONE series acquired one minute after the previous one, so every slice has a different factor,
worked out here by hand: factor_k = W / (D * 2^(-(t_k - t_inj)/T) * mean decay over the frame).
"""

import datetime as dt
import math

import numpy as np
import pytest

from workstation.testing import synthetic_study as syn

from workstation.testing.pet_factory import pet_dataset  # noqa: E402
from workstation.analysis.reading import session as fusion
from workstation.core import volume
from workstation.analysis.reading import mip as mip_mod
from workstation.analysis.registration.resample import resample_to_grid  # noqa: E402
from workstation.analysis.suv.factor import compute_suv  # noqa: E402
from workstation.analysis.suv.apply import slice_factors, suv_array, suv_value_at  # noqa: E402
from workstation.io.pet_header import read_pet_acquisition  # noqa: E402

HALF_LIFE = 6586.2
FRAME_S = 120.0


def _hand_factor(k: int) -> float:
    lam = math.log(2) / HALF_LIFE
    t = 3600.0 + 60.0 * k  # injection 09:00, slice k acquired at 10:00 + k min
    mean_decay = (1 - math.exp(-lam * FRAME_S)) / (lam * FRAME_S)
    return 80000.0 / (350e6 * 2 ** (-t / HALF_LIFE) * mean_decay)


def _per_instance_pet():
    pet = syn.make_pet()
    n = pet.shape[0]
    uids = [f"1.2.826.0.1.3680043.2.1125.77.{k + 1}" for k in range(n)]
    dss = []
    for k, uid in enumerate(uids):
        t = dt.datetime(2020, 12, 17, 10) + dt.timedelta(minutes=k)
        dss.append(pet_dataset(sop_uid=uid, decay_correction="NONE", corrected_image=("NORM", "ATTN", "SCAT"),
                               series_date="20201217", series_time="100000", acquisition_date="20201217",
                               acquisition_time=t.strftime("%H%M%S"), weight=80.0, dose=350e6,
                               half_life=HALF_LIFE, start_time="090000", frame_duration=FRAME_S * 1000))
    dss = dss[::-1]  # instance order in the headers is not slice order
    pet.pet = read_pet_acquisition(dss)
    pet.info["slice_sop_uids"] = uids
    return pet


@pytest.fixture(scope="module")
def pet():
    return _per_instance_pet()


@pytest.fixture(scope="module")
def session(pet):
    return fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)


def _hand_suv_volume(pet):
    f = np.array([_hand_factor(k) for k in range(pet.shape[0])], np.float32)
    return np.asarray(pet.array, np.float32) * f[:, None, None]


def test_slice_factors_follow_slice_order(pet):
    res = compute_suv(pet.pet, "bw")
    assert res.instance_factors is not None
    expected = [_hand_factor(k) for k in range(pet.shape[0])]
    assert slice_factors(pet, res) == pytest.approx(expected, rel=1e-9)
    assert np.allclose(suv_array(pet, res), _hand_suv_volume(pet), rtol=1e-6)


def test_missing_slice_instance_is_an_error_not_the_scalar(pet):
    res = compute_suv(pet.pet, "bw")
    broken = volume.Volume(pet.array, pet.geometry, modality="PT", units="BQML", pet=pet.pet,
                           info={"slice_sop_uids": ["x"] + pet.info["slice_sop_uids"][1:]})
    with pytest.raises(ValueError, match="no factor"):
        suv_array(broken, res)


def test_readout_uses_the_slice_factor(session, pet):
    session.set_crosshair(syn.LESION)
    q = session.crosshair
    k, j, i = pet.geometry.world_to_nearest_kji(q)
    expected = float(pet.array[k, j, i]) * _hand_factor(k)
    assert session.readout()["pet_value"] == pytest.approx(expected, rel=1e-6)
    assert suv_value_at(pet, session.suv.result, q) == pytest.approx(expected, rel=1e-6)
    assert session.pet_units == "SUVbw"


def test_display_and_mip_use_the_slice_factors(session, pet):
    truth = _hand_suv_volume(pet)
    disp = resample_to_grid(truth, pet.geometry, session.display_geometry, session.pet_from_anat, order=1, fill=0.0)
    session.set_crosshair(syn.LESION)
    z = session.plane_index("axial")
    img = session.slice_image("pet", "axial")
    assert np.allclose(img, disp[z], rtol=1e-5, atol=1e-6)
    mgeo = session.mip_geometry
    mvol = resample_to_grid(truth, pet.geometry, mgeo, session.pet_from_anat, order=1, fill=0.0)
    mip, _ = session.mip_frame(0)
    expected = mip_mod.mip_projection(mvol, mgeo, session.mip_angle(0), session._mip_rays)
    assert np.allclose(mip, expected, rtol=1e-5, atol=1e-6)


def test_changing_the_suv_type_keeps_the_slice_factors(pet):
    s = fusion.ReadingSession(syn.make_ct(), pet, mip_frames=4)
    s.set_crosshair(syn.LESION)
    bw = s.readout()["pet_value"]
    from workstation.analysis.suv.inputs import SuvOverrides

    s.set_suv("ibw", SuvOverrides(height_m=1.70, sex="M"))
    ibw = 48.0 + 1.06 * (170 - 152)  # 67.08 kg by hand
    assert s.readout()["pet_value"] == pytest.approx(bw * ibw / 80.0, rel=1e-6)
    assert s.pet_units == "SUVibw"


@pytest.mark.parametrize("patient", ["STS_002", "STS_005"])
def test_refdata_ge_pet_suvmax_equals_header_summary(refdata, patient):
    """GE PETs stored as SUV (Units GML, SUVType BW, ADMIN, a rescale slope per slice): the SUVmax
    through the session (display road) and through suv_array (VOI/CLI road) is the summary's value."""
    import json

    from workstation.io.loader import load_pet_folder

    folder = refdata / "ibsi-sts-petctmr" / patient
    summary = json.loads((folder / "header_summary.json").read_text())["series"]["PET"]
    expected = summary["PET_SUVmax_whole_stored_volume"]["max"]
    pet = load_pet_folder(folder / "PET" / "image")
    res = compute_suv(pet.pet, "bw")
    assert res.factor == 1.0
    values = suv_array(pet, res)
    assert float(values.max()) == pytest.approx(expected, rel=1e-5)
    s = fusion.ReadingSession(None, pet, mip_frames=4)
    assert s.pet_units == "SUVbw"
    k, j, i = np.unravel_index(int(np.argmax(values)), values.shape)
    s.set_crosshair(pet.geometry.kji_to_world(np.array([k, j, i], float)))
    assert s.readout()["pet_value"] == pytest.approx(expected, rel=1e-5)
    assert float(s.mip_frame(0)[0].max()) == pytest.approx(expected, rel=1e-5)


def test_philips_cnts_uses_each_instances_own_suv_scale_factor():
    """Philips CNTS: (7053,1000) is written per instance; each slice's SUV is its own stored value times its own
    header factor (the header values themselves are the reference), never the first instance's for all."""
    pet = syn.make_pet()
    n = pet.shape[0]
    uids = [f"1.2.826.0.1.3680043.2.1125.78.{k + 1}" for k in range(n)]
    header = {uid: 0.0004 + 1e-5 * k for k, uid in enumerate(uids)}  # a different factor in every slice
    dss = [pet_dataset(sop_uid=uid, units="CNTS", philips_suv=f"{header[uid]:.8f}", weight=80.0, dose=350e6,
                       series_time="100000", acquisition_time="100000", start_time="090000") for uid in uids][::-1]
    pet.pet = read_pet_acquisition(dss)
    pet.info["slice_sop_uids"] = uids
    res = compute_suv(pet.pet, "bw")
    assert res.instance_factors == pytest.approx({u: float(f"{header[u]:.8f}") for u in uids}, rel=1e-12)
    want = np.asarray(pet.array, np.float64) * np.array([float(f"{header[u]:.8f}") for u in uids])[:, None, None]
    assert np.allclose(suv_array(pet, res), want, rtol=1e-6)
    assert slice_factors(pet, res)[-1] == pytest.approx(header[uids[-1]], rel=1e-6)
    assert slice_factors(pet, res)[-1] != pytest.approx(header[uids[0]], rel=1e-3)
