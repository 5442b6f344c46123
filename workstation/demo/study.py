"""The demo study: a deterministic synthetic FDG PET/CT of a torso-and-head phantom.

Concept
-------
The phantom (``demo.phantom``: solids, organs with HU and SUVbw, lesions of known
centre, radius, SUV and HU, :func:`make_phantom`) is sampled on the demo's CT and PET grids.

:func:`write_demo_study` turns the phantom into a study as a scanner would: the CT gets
Gaussian noise; the PET activity (Bq/mL, decay-corrected to the series start) is blurred by
the Gaussian system PSF (``PSF_FWHM_MM``), sampled with Poisson counts at a clinical count
level, and the noise (not the signal) is smoothed a little so that it is spatially correlated
as in a reconstructed image; the mean image stays the blurred phantom. Both are written as DICOM
series (``CT/`` and ``PT/``) in one study and frame of reference, with ``truth.json`` holding
everything needed to check a reader or a quantification against the truth:

    activity [Bq/mL] = SUVbw * decay-corrected dose [Bq] / weight [g]
    decay-corrected dose = dose * 2 ** (-(series time - injection time) / half-life)

Everything is deterministic: the same seed gives byte-identical files.
"""

from __future__ import annotations

from workstation.core.strict_json import dumps as strict_dumps
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume
from workstation.core.vocabulary import F18_HALF_LIFE_S

from workstation.demo.phantom import (
    DEFAULT_LESIONS, LESION_LABEL_BASE, ORGANS, Lesion, center_recovery, make_phantom,
)

__all__ = [
    "CT_GEOMETRY",
    "PET_GEOMETRY",
    "PSF_FWHM_MM",
    "decay_corrected_dose_bq",
    "gaussian_blur",
    "write_demo_study",
]


# grids of the demo study
CT_GEOMETRY = ImageGeometry((300, 256, 256), (500 / 256, 500 / 256, 3.0),
                            (-(255 / 2) * 500 / 256, -(255 / 2) * 500 / 256, -895.5))
PET_GEOMETRY = ImageGeometry((224, 128, 128), (4.0, 4.0, 4.0), (-254.0, -254.0, -892.0))
PSF_FWHM_MM = 6.5  # system resolution of the reconstructed PET (Gaussian)
NOISE_FWHM_MM = 4.15  # correlation length of the noise (like a post-filter; mean-preserving)
LIVER_COUNTS_PER_VOXEL = 31.0  # Poisson level: liver voxel noise ~12 % after the post-filter
CT_NOISE_HU = 12.0

# header facts of the demo (FDG, 3.7 MBq/kg, ~60 min uptake)
WEIGHT_KG = 75.0
HEIGHT_M = 1.75
DOSE_BQ = 3.7e6 * WEIGHT_KG
HALF_LIFE_S = F18_HALF_LIFE_S
STUDY_DATETIME = datetime(2024, 3, 15, 9, 50, 0)
INJECTION_DATETIME = datetime(2024, 3, 15, 9, 0, 0)
CT_SERIES_DATETIME = datetime(2024, 3, 15, 9, 55, 0)
PET_SERIES_DATETIME = datetime(2024, 3, 15, 10, 0, 0)
FRAME_DURATION_S = 120.0
BED_STEP_MM = 160.0
BED_MOVE_S = 5.0
PATIENT = PatientInfo(name="演示^病人", patient_id="DEMO0001", birth_date="19600101", sex="M")
LIVER_VOI_CENTRE = (-60.0, -40.0, -560.0)  # normal right liver lobe, clear of the liver lesions
BLOOD_POOL_VOI_CENTRE = (20.0, 45.0, -450.0)  # descending thoracic aorta


# ---------------------------------------------------------------------------- study
def gaussian_blur(array: np.ndarray, fwhm_mm: float, spacing_ijk) -> np.ndarray:
    """Convolve with an isotropic Gaussian of ``fwhm_mm`` (sampled kernel, zero outside the grid).

    Keep the sigma at or above ~0.6 voxel where the width matters: a sampled kernel narrower than
    that has a smaller variance than the Gaussian it samples.
    """
    from scipy.ndimage import gaussian_filter

    sigma = fwhm_mm / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    di, dj, dk = spacing_ijk
    return gaussian_filter(np.asarray(array, dtype=np.float64), (sigma / dk, sigma / dj, sigma / di),
                           mode="constant", cval=0.0)


def decay_corrected_dose_bq() -> float:
    dt = (PET_SERIES_DATETIME - INJECTION_DATETIME).total_seconds()
    return DOSE_BQ * 2.0 ** (-dt / HALF_LIFE_S)


@dataclass(frozen=True)
class Visit:
    """Header facts of one time point (one PET/CT study) of the demo patient."""

    weight_kg: float = WEIGHT_KG
    dose_bq: float = DOSE_BQ
    study_datetime: datetime = STUDY_DATETIME
    injection_datetime: datetime = INJECTION_DATETIME
    ct_series_datetime: datetime = CT_SERIES_DATETIME
    pet_series_datetime: datetime = PET_SERIES_DATETIME
    accession_number: str = "DEMO0001A"
    uid_suffix: str = ""  # "" for the baseline study (its UIDs stay those of the plain demo)
    rng_key: tuple[int, ...] = (2024,)

    def decay_corrected_dose_bq(self) -> float:
        dt = (self.pet_series_datetime - self.injection_datetime).total_seconds()
        return self.dose_bq * 2.0 ** (-dt / HALF_LIFE_S)

    def bqml_per_suv(self) -> float:
        return self.decay_corrected_dose_bq() / (self.weight_kg * 1000.0)


BASELINE_VISIT = Visit()


def moved_geometry(geometry: ImageGeometry, followup_from_baseline: np.ndarray) -> ImageGeometry:
    """The grid whose voxel centres are ``T^-1`` of those of ``geometry`` (T = ``followup_from_baseline``).

    Painting the baseline-frame phantom on it gives the moved patient sampled on ``geometry``.
    """
    t = np.asarray(followup_from_baseline, float)
    rt = t[:3, :3].T
    origin = rt @ (np.asarray(geometry.origin, float) - t[:3, 3])
    return ImageGeometry(geometry.shape, geometry.spacing, tuple(origin), rt @ np.asarray(geometry.direction, float))


def write_demo_study(out_dir, *, seed: int = 0, overwrite: bool = False, progress=None) -> dict:
    """Write the demo PET/CT study (``out_dir/CT``, ``out_dir/PT``, ``out_dir/truth.json``).

    Returns the truth dict (also written as JSON). Raises :class:`FileExistsError` before any
    work if ``out_dir`` already holds a demo study and ``overwrite`` is False.
    """
    return write_visit(out_dir, seed=seed, overwrite=overwrite, progress=progress)


def write_visit(out_dir, *, seed: int = 0, overwrite: bool = False, progress=None, visit: Visit = BASELINE_VISIT,
                lesions: Sequence[Lesion] = DEFAULT_LESIONS, followup_from_baseline=None) -> dict:
    """Write one time point: the phantom with ``lesions`` (baseline-frame positions), the patient
    moved by the rigid ``followup_from_baseline`` (4x4, LPS mm; None: not moved), headers of ``visit``.

    Returns the truth dict (also written as ``truth.json``); lesion centres and reference VOIs in it
    are in this study's own coordinates.
    """
    from workstation.io.dicom_write import PetHeader, StudyInfo, write_series

    out_dir = Path(out_dir)
    truth_path = out_dir / "truth.json"
    if not overwrite:
        taken = [p for p in (truth_path,) if p.exists()]
        for sub in ("CT", "PT"):
            if (out_dir / sub).is_dir():
                taken += sorted((out_dir / sub).glob("*.dcm"))[:1]
        if taken:
            raise FileExistsError(f"{taken[0]} already exists; choose an empty folder or pass overwrite=True")

    def part(a, b):
        return None if progress is None else progress.sub(a, b)

    lesions = tuple(lesions)
    moved = followup_from_baseline is not None
    ct_grid = moved_geometry(CT_GEOMETRY, followup_from_baseline) if moved else CT_GEOMETRY
    pet_grid = moved_geometry(PET_GEOMETRY, followup_from_baseline) if moved else PET_GEOMETRY
    seed = int(seed)
    rng = np.random.default_rng([seed, *visit.rng_key])
    uid_seed = f"workstation-demo-{seed}{visit.uid_suffix}"
    bq_per_suv = visit.bqml_per_suv()

    # --- CT: phantom HU + Gaussian noise
    ct_ph = make_phantom(ct_grid, supersample=1, lesions=lesions, brain=False, progress=part(0.0, 0.25))  # HU only
    ct_hu = ct_ph.hu + rng.normal(0.0, CT_NOISE_HU, ct_ph.hu.shape).astype(np.float32)
    ct_hu = np.clip(np.rint(ct_hu), -1024, 3071)
    del ct_ph

    # --- PET: true activity -> recon blur -> Poisson counts -> post-filter
    pet_ph = make_phantom(pet_grid, supersample=2, lesions=lesions, progress=part(0.25, 0.5))
    true_act = pet_ph.activity_bqml(bq_per_suv).astype(np.float64)
    blurred = gaussian_blur(true_act, PSF_FWHM_MM, PET_GEOMETRY.spacing)
    counts_per_bqml = LIVER_COUNTS_PER_VOXEL / (ORGANS["liver"].suv * bq_per_suv)
    noise = rng.poisson(blurred * counts_per_bqml) / counts_per_bqml - blurred
    pet_act = np.maximum(blurred + gaussian_blur(noise, NOISE_FWHM_MM, PET_GEOMETRY.spacing), 0.0).astype(np.float32)
    if progress is not None:
        progress.update(0.6, "PET noise")

    # --- headers
    study = StudyInfo(patient=PATIENT, patient_weight_kg=visit.weight_kg, patient_size_m=HEIGHT_M, patient_age="064Y",
                      study_datetime=visit.study_datetime, study_id="DEMO", accession_number=visit.accession_number,
                      study_description="PET/CT FDG whole body (synthetic demo)", institution_name="Demo",
                      manufacturer="workstation", model_name="synthetic demo").with_uids(uid_seed)
    # beds from the pelvis upwards; every slice carries the start of its bed's frame
    z = PET_GEOMETRY.kji_to_world(np.stack([np.arange(PET_GEOMETRY.shape[0]), np.zeros(PET_GEOMETRY.shape[0]),
                                            np.zeros(PET_GEOMETRY.shape[0])], axis=1))[:, 2]
    bed = np.floor((z - z.min()) / BED_STEP_MM).astype(int)
    offsets = bed * (FRAME_DURATION_S + BED_MOVE_S)
    pet_header = PetHeader(injected_dose_bq=visit.dose_bq, injection_datetime=visit.injection_datetime,
                           series_datetime=visit.pet_series_datetime, half_life_s=HALF_LIFE_S,
                           frame_duration_s=FRAME_DURATION_S, frame_start_offsets_s=offsets.tolist())

    ct_vol = Volume(ct_hu.astype(np.float32), CT_GEOMETRY, modality="CT", units="HU", patient=PATIENT)
    pet_vol = Volume(pet_act, PET_GEOMETRY, modality="PT", units="BQML", patient=PATIENT)
    write_series(ct_vol, out_dir / "CT", modality="CT", series_number=2, description="CT 3.0 mm (demo)",
                 study=study, series_datetime=visit.ct_series_datetime, uid_seed=uid_seed, overwrite=overwrite,
                 ct_rescale=(1.0, -1024.0), progress=part(0.6, 0.85))
    write_series(pet_vol, out_dir / "PT", modality="PT", series_number=3, description="PET AC (demo)",
                 study=study, pet=pet_header, uid_seed=uid_seed, overwrite=overwrite, progress=part(0.85, 1.0))
    import pydicom  # only to report the UIDs exactly as written

    ct_uid = pydicom.dcmread(next(iter(sorted((out_dir / "CT").glob("*.dcm")))), stop_before_pixels=True).SeriesInstanceUID
    pt_uid = pydicom.dcmread(next(iter(sorted((out_dir / "PT").glob("*.dcm")))), stop_before_pixels=True).SeriesInstanceUID

    truth = _truth(seed, study, str(ct_uid), str(pt_uid), bq_per_suv, counts_per_bqml, offsets, visit=visit,
                   lesions=lesions, followup_from_baseline=followup_from_baseline)
    from workstation.demo.brain import brain_truth

    truth["brain"] = brain_truth()
    m = np.asarray(truth["brain"]["mni_lps_to_demo_lps"], float)
    if moved:
        m = np.asarray(followup_from_baseline, float) @ m
    truth["brain"]["mni_lps_to_study_lps"] = m.tolist()
    truth_path.write_text(strict_dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if progress is not None:
        progress.update(1.0, "demo study written")
    return truth


def _moved_point(p, followup_from_baseline) -> list[float]:
    if followup_from_baseline is None:
        return list(p)
    t = np.asarray(followup_from_baseline, float)
    return [float(v) for v in t[:3, :3] @ np.asarray(p, float) + t[:3, 3]]


def _truth(seed, study, ct_uid, pt_uid, bq_per_suv, counts_per_bqml, offsets, *, visit: Visit = BASELINE_VISIT,
           lesions: Sequence[Lesion] = DEFAULT_LESIONS, followup_from_baseline=None) -> dict:
    psf_sigma = PSF_FWHM_MM / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    out_lesions = []
    for n, les in enumerate(lesions):
        centre = _moved_point(les.center, followup_from_baseline)
        out_lesions.append({
            "name": les.name,
            "label": LESION_LABEL_BASE + n,
            "host_organ": les.host,
            "side": "left" if centre[0] > 0 else ("right" if centre[0] < 0 else "midline"),
            "centre_lps_mm": centre,
            "radius_mm": les.radius_mm,
            "volume_ml": les.volume_ml,
            "suv_bw": les.suv,
            "activity_bqml": les.suv * bq_per_suv,
            "host_activity_bqml": ORGANS[les.host].suv * bq_per_suv,
            "hu": les.hu,
            "psf_center_recovery": center_recovery(les.radius_mm, psf_sigma),
        })
    return {
        "generator": "workstation.demo.study",
        "seed": seed,
        "coordinates": "DICOM patient LPS, mm: +x patient left, +y posterior, +z superior (head)",
        "patient": {"name": PATIENT.name, "patient_id": PATIENT.patient_id, "sex": PATIENT.sex,
                    "birth_date": PATIENT.birth_date, "weight_kg": visit.weight_kg, "height_m": HEIGHT_M},
        "study_uid": study.study_uid,
        "frame_of_reference_uid": study.frame_of_reference_uid,
        "suv": {
            "formula": "SUVbw = activity[Bq/mL] * weight[g] / (dose[Bq] * 2**(-(series_time - injection_time)[s] / half_life[s])) (1 g/mL)",
            "decay_corrected_dose_bq": visit.decay_corrected_dose_bq(),
            "bqml_per_suv": bq_per_suv,
            "suv_factor_bw": 1.0 / bq_per_suv,
        },
        "pet_header": {
            "units": "BQML",
            "decay_correction": "START",
            "radionuclide": "F-18",
            "radiopharmaceutical": "Fluorodeoxyglucose",
            "injected_dose_bq": visit.dose_bq,
            "injection_datetime": visit.injection_datetime.isoformat(),
            "series_datetime": visit.pet_series_datetime.isoformat(),
            "half_life_s": HALF_LIFE_S,
            "frame_duration_s": FRAME_DURATION_S,
            "bed_frame_start_offsets_s": sorted({float(o) for o in offsets}),
            "weight_kg": visit.weight_kg,
            "height_m": HEIGHT_M,
            "sex": PATIENT.sex,
        },
        "organs": {o.name: {"label": o.label, "hu": o.hu, "suv_bw": o.suv, "activity_bqml": o.suv * bq_per_suv}
                   for o in ORGANS.values()},
        "lesions": out_lesions,
        "reference_vois": {
            "liver": {"centre_lps_mm": _moved_point(LIVER_VOI_CENTRE, followup_from_baseline), "radius_mm": 25.0,
                      "suv_bw": ORGANS["liver"].suv},
            "lung_right": {"centre_lps_mm": _moved_point([-100.0, 0.0, -400.0], followup_from_baseline),
                           "radius_mm": 20.0, "hu": ORGANS["lung"].hu},
            "lung_left": {"centre_lps_mm": _moved_point([95.0, 20.0, -430.0], followup_from_baseline),
                          "radius_mm": 15.0, "hu": ORGANS["lung"].hu},
            "blood_pool": {"centre_lps_mm": _moved_point(BLOOD_POOL_VOI_CENTRE, followup_from_baseline),
                           "diameter_mm": 10.0, "length_mm": 20.0, "suv_bw": ORGANS["blood_pool"].suv,
                           "where": "descending thoracic aorta"},
        },
        "pet": {
            "dir": "PT", "series_uid": pt_uid, "series_number": 3,
            "geometry": PET_GEOMETRY.to_dict(),
            "psf_fwhm_mm": PSF_FWHM_MM,
            "noise": f"Poisson counts drawn on the PSF-blurred image at {counts_per_bqml:.6g} counts per Bq/mL "
                     f"({LIVER_COUNTS_PER_VOXEL} in a liver voxel); the noise (counts - mean) is then correlated by a "
                     f"Gaussian of FWHM {NOISE_FWHM_MM} mm, so the mean image is exactly the blurred phantom",
            "center_recovery_formula": "erf(R/(sqrt(2)s)) - sqrt(2/pi)(R/s)exp(-R^2/(2s^2)), s = psf_fwhm_mm/2.3548",
        },
        "ct": {"dir": "CT", "series_uid": ct_uid, "series_number": 2, "geometry": CT_GEOMETRY.to_dict(),
               "noise_hu": CT_NOISE_HU, "rescale": {"slope": 1.0, "intercept": -1024.0}},
    }


# ---------------------------------------------------------------------------- follow-up
FOLLOWUP_VISIT = Visit(weight_kg=72.0, dose_bq=3.7e6 * 72.0, study_datetime=datetime(2024, 6, 14, 9, 50, 0),
                       injection_datetime=datetime(2024, 6, 14, 9, 0, 0),
                       ct_series_datetime=datetime(2024, 6, 14, 9, 55, 0),
                       pet_series_datetime=datetime(2024, 6, 14, 10, 0, 0), accession_number="DEMO0001B",
                       uid_suffix="-followup", rng_key=(2024, 2))
# the patient lies a little differently: rotated about the world z (2 deg) and x (1.5 deg) axes
# through FOLLOWUP_CENTRE, then shifted by FOLLOWUP_SHIFT_MM
FOLLOWUP_ROTATION_DEG = (1.5, 0.0, 2.0)  # about x, y, z
FOLLOWUP_CENTRE = (0.0, 0.0, -500.0)
FOLLOWUP_SHIFT_MM = (4.0, -3.0, 6.0)
# what happens to each baseline lesion: new SUVbw, or None when it is gone
FOLLOWUP_CHANGES: dict[str, float | None] = {
    "lung_left_upper": 4.8,  # -40 %
    "lung_right_lower_small": 6.0,
    "liver_large": 15.0,  # +50 %
    "liver_small": 5.0,
    "mediastinal_node": None,  # gone
    "spine_lumbar": 11.0,  # -8.3 %
    "neck_node_left": 4.0,
}
FOLLOWUP_NEW_LESIONS: tuple[Lesion, ...] = (
    Lesion("lung_right_new", (-80.0, 0.0, -380.0), 8.0, 9.0, 30.0, "lung"),
)
# a lesion is expected to be found by a PERCIST-threshold segmentation when its blurred centre value
# (host + recovery x contrast) is at least this factor above the nominal threshold 1.5 x liver + 2 SD,
# and expected not to be found below DETECT_LOW; in between it is borderline (no expectation)
DETECT_HIGH = 1.2
DETECT_LOW = 0.9
NOMINAL_LIVER_SD_FRACTION = 0.12  # liver voxel noise of the demo (see LIVER_COUNTS_PER_VOXEL)


def followup_transform() -> np.ndarray:
    """4x4 rigid ``followup_from_baseline`` (LPS mm) of the demo follow-up."""
    ax, ay, az = (math.radians(a) for a in FOLLOWUP_ROTATION_DEG)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    r = rz @ ry @ rx
    c = np.asarray(FOLLOWUP_CENTRE, float)
    t = np.eye(4)
    t[:3, :3] = r
    t[:3, 3] = c + np.asarray(FOLLOWUP_SHIFT_MM, float) - r @ c
    return t


def followup_lesions() -> tuple[Lesion, ...]:
    """The follow-up's lesions in the baseline frame: changed SUVs, the gone ones left out, the new added."""
    out = []
    for les in DEFAULT_LESIONS:
        suv = FOLLOWUP_CHANGES[les.name]
        if suv is not None:
            out.append(Lesion(les.name, les.center, les.radius_mm, suv, les.hu, les.host))
    return tuple(out) + FOLLOWUP_NEW_LESIONS


def _lbm_janma(weight_kg: float) -> float:
    bmi = weight_kg / HEIGHT_M ** 2
    return 9270.0 * weight_kg / (6680.0 + 216.0 * bmi)  # male (the demo patient)


def _expected_detection(les: Lesion) -> str:
    psf_sigma = PSF_FWHM_MM / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    host = ORGANS[les.host].suv
    centre = host + center_recovery(les.radius_mm, psf_sigma) * (les.suv - host)
    liver = ORGANS["liver"].suv
    thr = 1.5 * liver + 2.0 * NOMINAL_LIVER_SD_FRACTION * liver
    return "yes" if centre >= DETECT_HIGH * thr else ("no" if centre < DETECT_LOW * thr else "borderline")


def followup_truth() -> dict:
    """What a follow-up reading of the demo must find: matches, true changes and categories.

    True values are the phantom's uptake (SUVbw; SUL = SUVbw x LBM / weight with the Janmahasatian
    LBM of each visit); a gone lesion reads its host organ at follow-up, a new one its host organ
    at baseline. Categories are the rules of :mod:`workstation.analysis.followup.response` applied to them.
    """
    from workstation.analysis.followup import response as R

    t = followup_transform()
    sul_b = _lbm_janma(BASELINE_VISIT.weight_kg) / BASELINE_VISIT.weight_kg
    sul_f = _lbm_janma(FOLLOWUP_VISIT.weight_kg) / FOLLOWUP_VISIT.weight_kg
    liver = ORGANS["liver"].suv
    rows = []
    base = {les.name: les for les in DEFAULT_LESIONS}
    fu = {les.name: les for les in followup_lesions()}
    for name in list(base) + [les.name for les in FOLLOWUP_NEW_LESIONS]:
        b, f = base.get(name), fu.get(name)
        status = "matched" if b and f else ("disappeared" if b else "new")
        suv_b = b.suv if b else ORGANS[f.host].suv
        suv_f = f.suv if f else ORGANS[b.host].suv
        les = b or f
        row = {
            "name": name, "status": status, "radius_mm": les.radius_mm, "host_organ": les.host,
            "baseline_centre_lps_mm": list(les.center) if b else None,
            "followup_centre_lps_mm": _moved_point(les.center, t) if f else None,
            "detectable_baseline": _expected_detection(b) if b else "no",
            "detectable_followup": _expected_detection(f) if f else "no",
            "suvmax_bw": R.change(suv_b, suv_f).to_dict(),
            "sul": R.change(suv_b * sul_b, suv_f * sul_f).to_dict(),
        }
        if status == "new":
            row["percist"] = row["eortc"] = R.PMD
        else:
            row["percist"] = R.percist_category(suv_b * sul_b, suv_f * sul_f,
                                                followup_liver_mean=liver * sul_f).category
            row["eortc"] = R.eortc_category(suv_b, suv_f, resolved=status == "disappeared").category
        row["qiba_within_repeatability"] = R.qiba_within_repeatability(suv_b, suv_f)
        rows.append(row)
    return {
        "followup_from_baseline": t.tolist(),
        "rotation_deg_xyz": list(FOLLOWUP_ROTATION_DEG), "rotation_centre_lps_mm": list(FOLLOWUP_CENTRE),
        "shift_mm": list(FOLLOWUP_SHIFT_MM),
        "sul_factor_over_suvbw": {"baseline": sul_b, "followup": sul_f},
        "liver_sul": {"baseline": liver * sul_b, "followup": liver * sul_f},
        "detection_rule": f"expected found by a PERCIST-threshold segmentation when host + RC x (SUV - host) >= "
                          f"{DETECT_HIGH} x (1.5 x liver + 2 x {NOMINAL_LIVER_SD_FRACTION} x liver), not found below "
                          f"{DETECT_LOW} x that, borderline in between",
        "lesions": rows,
        "patient": {"percist": R.PMD, "eortc": R.PMD, "deauville_baseline": "5", "deauville_followup": "5",
                    "new_lesions": len(FOLLOWUP_NEW_LESIONS), "liver_stable": True,
                    "why": "a new lesion is progression under PERCIST and EORTC and scores 5 under Deauville; the "
                           "hottest baseline lesion (SUV 15) is above 2 x liver, so the baseline also scores 5"},
    }


def write_followup_study(out_dir, *, seed: int = 0, overwrite: bool = False, progress=None) -> dict:
    """Write ``out_dir/baseline`` (the demo study) and ``out_dir/followup`` (the second time point).

    ``out_dir/followup/truth.json`` holds the follow-up study's own truth plus, under
    ``"followup"``, :func:`followup_truth` (matches, true changes, categories). Returns that dict.
    """
    out_dir = Path(out_dir)

    def part(a, b):
        return None if progress is None else progress.sub(a, b)

    write_visit(out_dir / "baseline", seed=seed, overwrite=overwrite, progress=part(0.0, 0.5))
    truth = write_visit(out_dir / "followup", seed=seed, overwrite=overwrite, progress=part(0.5, 1.0),
                        visit=FOLLOWUP_VISIT, lesions=followup_lesions(), followup_from_baseline=followup_transform())
    truth["followup"] = followup_truth()
    truth["followup"]["baseline_dir"] = "../baseline"
    (out_dir / "followup" / "truth.json").write_text(strict_dumps(truth, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
    return truth
