"""Synthetic brain FDG PET cohort with known truth, for validating the brain analysis.

Kept apart from the estimator (``workstation.analysis.brain``): it reads the same public data file
(``resources/brain/mni_2mm.npz``: ICBM152 grey/white maps and the CerebrA labels) with numpy and
builds its own images; it never calls the normalisation, database or z-map code it is used to test.

A subject is made in MNI space and then moved into a scanner frame:

* uptake = global scale x (3 x GM x F + 1 x WM): grey:white 3:1; ``F`` holds the regional effects:
  each cortical/deep region varies between subjects with a CV drawn once per region in 7-11 %
  (a part shared by both hemispheres and a part per side, sized so that the L/R asymmetry index
  AI = 200 (L-R)/(L+R) has an SD of about 3 %); a normal-ageing decline of 0.25 %/year in the frontal
  and cingulate cortex around age 65; patients add a known pattern: AD (posterior cingulate,
  precuneus, temporoparietal -10..-30 %), bvFTD (frontal -10..-30 %), or unilateral mesial-temporal
  epilepsy (hippocampus, amygdala, parahippocampal, entorhinal on one side -8..-20 %);
* a head (scalp, skull, neck) and, for a whole-body field of view, a torso with liver, heart and bladder;
* smoothing to the scanner resolution (FWHM ``fwhm_mm``);
* a random affine (rotations up to 10 degrees, scaling 0.92-1.08, small shear, translation) plus a smooth
  nonlinear displacement (coarse random grid, SD 2.5 mm, cubic interpolation) from scanner to MNI;
* noise: a spatially correlated multiplicative field (4 %) and Poisson counts, then a 3 mm post-filter.

The truth carries the deficit mask in MNI space (affected regions' voxels with grey-matter
probability >= 0.3), the regional factors, and the scanner<->MNI mapping for landmark errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy import ndimage

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import PatientInfo, Volume

RES = Path(__file__).resolve().parents[2] / "resources" / "brain"
SIGMA_PER_FWHM = 1.0 / 2.3548

AD_REGIONS = ("Posterior Cingulate", "Isthmus Cingulate", "Precuneus", "Inferior Parietal", "Supramarginal",
              "Inferior temporal", "Middle Temporal")
FTD_REGIONS = ("Superior Frontal", "Rostral Middle Frontal", "Caudal Middle Frontal", "Medial Orbitofrontal",
               "Lateral Orbitofrontal", "Pars Opercularis", "Pars Triangularis", "Pars Orbitalis",
               "Rostral Anterior Cingulate", "Caudal Anterior Cingulate")
MTL_REGIONS = ("Hippocampus", "Amygdala", "Parahippocampal", "Entorhinal")
AGEING_REGIONS = ("Superior Frontal", "Rostral Middle Frontal", "Caudal Middle Frontal", "Medial Orbitofrontal",
                  "Lateral Orbitofrontal", "Rostral Anterior Cingulate", "Caudal Anterior Cingulate", "Insula")
NON_TISSUE = ("Third Ventricle", "Fourth Ventricle", "Lateral Ventricle", "Inferior Lateral Ventricle", "Optic Chiasm")
KINDS = ("normal", "AD", "bvFTD", "MTLE-L", "MTLE-R")
AGE_SLOPE_PER_YEAR = -0.0025
AI_SD = 0.03  # target SD of the asymmetry index (fraction)
SUV_PER_UNIT = 2.7  # grey matter (3 units) -> SUV ~ 8
DOSE_BQ, WEIGHT_KG = 200e6, 70.0


@dataclass
class MniTruth:
    """The generator's own copy of the MNI arrays (2 mm, LPS, [k, j, i])."""

    geometry: ImageGeometry
    gm: np.ndarray
    wm: np.ndarray
    atlas: np.ndarray
    names: dict  # label -> (name, hemisphere)

    def labels_named(self, names, hemi=None) -> list[int]:
        return [lab for lab, (n, h) in self.names.items() if n in names and (hemi is None or h == hemi)]


_MNI: MniTruth | None = None


def mni_truth() -> MniTruth:
    global _MNI
    if _MNI is None:
        d = np.load(RES / "mni_2mm.npz")
        rows = json.loads((RES / "cerebra_labels.json").read_text())
        geom = ImageGeometry(d["gm"].shape, tuple(d["spacing"]), tuple(d["origin"]))
        _MNI = MniTruth(geom, d["gm"].astype(np.float32) / 255, d["wm"].astype(np.float32) / 255, d["atlas"],
                        {int(r["label"]): (r["name"], r["hemisphere"]) for r in rows})
    return _MNI


def _region_cv(mni: MniTruth) -> dict:
    """Between-subject CV of each bilateral region, fixed for the cohort (7-11 %)."""
    names = sorted({n for n, _ in mni.names.values() if n not in NON_TISSUE})
    rng = np.random.default_rng(20231238)
    return {n: float(rng.uniform(0.07, 0.11)) for n in names}


@dataclass
class SubjectTruth:
    subject_id: str
    kind: str
    age: float
    sex: str
    global_scale: float  # template unit -> SUV
    region_factor: dict  # label -> multiplicative factor (normal variation x ageing x pattern)
    pattern_factor: dict  # label -> factor of the disease pattern alone (1 = unaffected)
    deficit: np.ndarray  # bool, MNI 2 mm grid
    linear: np.ndarray  # 4x4, scanner (LPS mm) -> MNI (LPS mm), before the displacement
    disp_grid: np.ndarray  # (3, n, n, n) displacement (mm, MNI) on a coarse grid over the head
    disp_box: tuple  # (lo xyz, hi xyz) scanner mm of that grid
    fov: str = "brain"
    fwhm_mm: float = 6.0
    extra: dict = field(default_factory=dict)

    def displacement(self, s: np.ndarray) -> np.ndarray:
        """Displacement (mm) at scanner points s (N, 3)."""
        lo, hi = (np.asarray(v, float) for v in self.disp_box)
        n = self.disp_grid.shape[1]
        idx = (np.asarray(s, float) - lo) / (hi - lo) * (n - 1)
        return np.stack([ndimage.map_coordinates(self.disp_grid[c], idx.T[::-1], order=3, mode="nearest")
                         for c in range(3)], axis=1)

    def scanner_to_mni(self, s) -> np.ndarray:
        s = np.atleast_2d(np.asarray(s, float))
        return s @ self.linear[:3, :3].T + self.linear[:3, 3] + self.displacement(s)

    def mni_to_scanner(self, m, iterations: int = 30) -> np.ndarray:
        m = np.atleast_2d(np.asarray(m, float))
        inv = np.linalg.inv(self.linear)
        s = (m - 0) @ inv[:3, :3].T + inv[:3, 3]
        for _ in range(iterations):
            s = (m - self.displacement(s)) @ inv[:3, :3].T + inv[:3, 3]
        return s


def _rotation(ax, ay, az) -> np.ndarray:
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def _factors(mni: MniTruth, rng, kind: str, age: float, amplitude=None):
    cv = _region_cv(mni)
    factor, pattern = {}, {}
    shared = {n: rng.normal() for n in cv}
    for lab, (name, hemi) in mni.names.items():
        if name in NON_TISSUE:
            continue
        c = cv[name]
        ind = AI_SD / np.sqrt(2.0)
        sh = np.sqrt(max(c * c - ind * ind, 0.0))
        f = 1.0 + sh * shared[name] + ind * rng.normal()
        if name in AGEING_REGIONS:
            f *= 1.0 + AGE_SLOPE_PER_YEAR * (age - 65.0)
        p = 1.0
        lo, hi = {"AD": (0.10, 0.30), "bvFTD": (0.10, 0.30)}.get(kind, (0.08, 0.20))
        if amplitude is not None:
            lo = hi = amplitude
        if (kind == "AD" and name in AD_REGIONS) or (kind == "bvFTD" and name in FTD_REGIONS) or \
                (kind.startswith("MTLE") and name in MTL_REGIONS and hemi == kind[-1]):
            p = 1.0 - rng.uniform(lo, hi)
        factor[lab] = max(f, 0.3) * p
        pattern[lab] = p
    return factor, pattern


def mni_uptake(mni: MniTruth, factor: dict) -> np.ndarray:
    """Uptake in template units on the MNI 2 mm grid (before any smoothing)."""
    lut = np.ones(int(mni.atlas.max()) + 1, np.float32)
    for lab, f in factor.items():
        lut[lab] = f
    fmap = ndimage.gaussian_filter(lut[mni.atlas], 1.0)
    return 3.0 * mni.gm * fmap + mni.wm


def make_subject(seed: int, kind: str = "normal", *, fov: str = "brain", voxel_mm: float = 2.5,
                 fwhm_mm: float = 6.0, noise: bool = True, warp: bool = True, age: float | None = None,
                 amplitude: float | None = None, extra_deficit: dict | None = None):
    """One synthetic subject: (Volume in Bq/mL, SubjectTruth). ``fov`` "brain" or "whole-body".

    ``extra_deficit`` {"centre_mni": (x, y, z) LPS mm, "radius_mm": r, "amplitude": a} adds a spherical
    grey-matter deficit (for the smallest-effect sweep)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    mni = mni_truth()
    rng = np.random.default_rng(seed)
    age = float(rng.uniform(45, 85)) if age is None else float(age)
    sex = "F" if rng.random() < 0.5 else "M"
    scale = SUV_PER_UNIT * float(np.exp(rng.normal(0, 0.2)))
    factor, pattern = _factors(mni, rng, kind, age, amplitude)
    uptake = mni_uptake(mni, factor)
    affected = [lab for lab, p in pattern.items() if p < 1.0]
    deficit = np.isin(mni.atlas, affected) & (mni.gm >= 0.3) if affected else np.zeros(mni.gm.shape, bool)
    if extra_deficit:
        g = mni.geometry
        kk, jj, ii = np.indices(g.shape)
        x = g.origin[0] + 2 * ii - extra_deficit["centre_mni"][0]
        y = g.origin[1] + 2 * jj - extra_deficit["centre_mni"][1]
        z = g.origin[2] + 2 * kk - extra_deficit["centre_mni"][2]
        ball = (x * x + y * y + z * z <= extra_deficit["radius_mm"] ** 2) & (mni.gm >= 0.3)
        uptake = uptake - 3.0 * mni.gm * extra_deficit["amplitude"] * ball
        deficit = deficit | ball
    uptake = ndimage.gaussian_filter(uptake, fwhm_mm * SIGMA_PER_FWHM / 2.0)

    # scanner frame: the head centre at a random place; whole body puts the head on top of a torso
    if warp:
        rot = _rotation(*np.deg2rad(rng.uniform(-10, 10, 3)))
        scl = np.diag(rng.uniform(0.92, 1.08, 3))
        shear = np.eye(3) + np.triu(rng.uniform(-0.03, 0.03, (3, 3)), 1)
        lin = rot @ scl @ shear
    else:
        lin = np.eye(3)
    head_c_scanner = np.array([rng.uniform(-20, 20), rng.uniform(-20, 20), 0.0]) if warp else np.zeros(3)
    head_c_mni = np.array([0.0, 17.0, 15.0])  # LPS: RAS (0, -17, 15)
    linear = np.eye(4)
    linear[:3, :3] = lin
    linear[:3, 3] = head_c_mni - lin @ head_c_scanner
    half = np.array([110.0, 130.0, 130.0])
    box = (head_c_scanner - half, head_c_scanner + half)
    disp = rng.normal(0, 2.5, (3, 5, 5, 5)) if warp else np.zeros((3, 5, 5, 5))
    truth = SubjectTruth(f"syn{seed:05d}", kind, age, sex, scale, factor, pattern, deficit, linear, disp, box, fov,
                         fwhm_mm)

    # the scanner grid
    if fov == "brain":
        n_xy, n_z = int(round(256 / voxel_mm)), int(round(220 / voxel_mm))
        origin = np.array([head_c_scanner[0] - 128, head_c_scanner[1] - 128, -110.0]) + voxel_mm / 2
    elif fov == "whole-body":
        n_xy, n_z = int(round(560 / voxel_mm)), int(round(900 / voxel_mm))
        origin = np.array([-280.0, -280.0, 130.0 - 900.0]) + voxel_mm / 2
    else:
        raise ValueError("fov must be 'brain' or 'whole-body'")
    geom = ImageGeometry((n_z, n_xy, n_xy), (voxel_mm,) * 3, tuple(origin))
    kk, jj, ii = np.indices(geom.shape, dtype=np.float32)
    s = np.stack([origin[0] + voxel_mm * ii, origin[1] + voxel_mm * jj, origin[2] + voxel_mm * kk], axis=-1)
    inhead = np.all(np.abs(s - head_c_scanner) < half, axis=-1)
    img = np.zeros(geom.shape, np.float32)
    pts = s[inhead]
    m = truth.scanner_to_mni(pts)
    idx = (m - np.array(mni.geometry.origin)) / 2.0  # (i, j, k) on the 2 mm MNI grid
    brain = ndimage.map_coordinates(uptake, idx[:, ::-1].T, order=1, mode="constant", cval=0.0)
    # head: ellipsoid scalp shell + low interior, neck below (in MNI coordinates, LPS)
    rel = (m - np.array([0.0, 17.0, 12.0])) / np.array([78.0, 100.0, 92.0])
    r = np.sqrt((rel ** 2).sum(axis=1))
    head = np.where(r < 1.0, np.where(r > 0.9, 0.45, 0.08), 0.0)
    neck = ((m[:, 0] / 55.0) ** 2 + ((m[:, 1] - 10.0) / 60.0) ** 2 < 1.0) & (m[:, 2] < -30)
    head = np.maximum(head, np.where(neck, 0.35, 0.0))
    img[inhead] = np.maximum(brain, head)
    if fov == "whole-body":
        below = s[..., 2] < (head_c_scanner[2] - 100)
        x, y, z = s[..., 0], s[..., 1], s[..., 2]
        neck_s = ((x - head_c_scanner[0]) ** 2 + (y - head_c_scanner[1] - 10) ** 2 < 55 ** 2) & \
            (z > head_c_scanner[2] - 190) & (z < head_c_scanner[2] - 60)
        torso = ((x / 170.0) ** 2 + ((y - 10) / 110.0) ** 2 < 1.0) & (z <= head_c_scanner[2] - 190)
        body = np.where(torso | neck_s, 0.3, 0.0)
        liver = (((x + 70) / 80) ** 2 + ((y - 0) / 70) ** 2 + ((z - (-420)) / 70) ** 2) < 1
        heart = (((x - 20) / 45) ** 2 + ((y + 20) / 45) ** 2 + ((z - (-330)) / 45) ** 2) < 1
        bladder = (((x) / 35) ** 2 + ((y - 20) / 30) ** 2 + ((z - (-720)) / 30) ** 2) < 1
        body = np.where(liver, 0.8, body)
        body = np.where(heart, 1.5, body)
        body = np.where(bladder, 7.5, body)
        body = ndimage.gaussian_filter(body.astype(np.float32), fwhm_mm * SIGMA_PER_FWHM / voxel_mm)
        img = np.where(below & (img == 0), body, np.maximum(img, body * below))
    img *= scale  # SUV
    if noise:
        g = ndimage.gaussian_filter(rng.normal(0, 1, geom.shape).astype(np.float32), 8.0 * SIGMA_PER_FWHM / voxel_mm)
        g /= max(float(g.std()), 1e-6)
        img *= np.clip(1.0 + 0.04 * g, 0.5, 1.5)
        k = 20.0 * (voxel_mm / 2.5) ** 3  # counts per SUV per voxel
        img = rng.poisson(np.clip(img, 0, None) * k).astype(np.float32) / k
        img = ndimage.gaussian_filter(img, 3.0 * SIGMA_PER_FWHM / voxel_mm)
    bqml = img * (DOSE_BQ / (WEIGHT_KG * 1000.0))
    vol = Volume(array=bqml.astype(np.float32), geometry=geom, modality="PT", units="BQML",
                 series_uid=f"2.25.{seed}", description=f"synthetic brain FDG ({kind})",
                 patient=PatientInfo("", truth.subject_id, "", sex),
                 info={"synthetic": True, "age": age, "ManufacturerModelName": "synthetic"})
    return vol, truth


def write_dicom(volume: Volume, truth: SubjectTruth, out_dir, *, overwrite: bool = False):
    """Write the subject as a PET DICOM series (Bq/mL, dose, weight, age, sex) into ``out_dir``."""
    from workstation.io.dicom_write import PetHeader, StudyInfo, write_series

    t0 = datetime(2024, 3, 1, 9, 0, 0)
    pet = PetHeader(injected_dose_bq=DOSE_BQ, injection_datetime=t0, series_datetime=datetime(2024, 3, 1, 9, 45, 0),
                    decay_correction="ADMIN", series_type=("STATIC", "IMAGE"), frame_duration_s=600.0)
    study = StudyInfo(patient=PatientInfo("SYNTHETIC^BRAIN", truth.subject_id, "", truth.sex),
                      patient_weight_kg=WEIGHT_KG, patient_age=f"{int(truth.age):03d}Y",
                      study_datetime=t0, model_name="synthetic brain", study_description="synthetic brain FDG")
    return write_series(volume, out_dir, modality="PT", pet=pet, study=study, uid_seed=truth.subject_id,
                        description=f"synthetic brain FDG {truth.kind}", overwrite=overwrite)


# ---------------------------------------------------------------------- a matching T1-weighted MR
T1_GM, T1_WM, T1_CSF = 0.45, 0.85, 0.12  # T1-weighted contrast: white > grey > CSF (fraction of full scale)


@dataclass
class T1Truth:
    t1_to_pet: np.ndarray  # 4x4: T1 scanner point (LPS mm) -> PET scanner point: the known PET<->T1 rigid offset
    rotation_deg: tuple
    translation_mm: tuple

    def t1_to_mni(self, subject: SubjectTruth, t) -> np.ndarray:
        t = np.atleast_2d(np.asarray(t, float))
        return subject.scanner_to_mni(t @ self.t1_to_pet[:3, :3].T + self.t1_to_pet[:3, 3])


def _t1_mni_map(mni: MniTruth) -> np.ndarray:
    """T1 intensity from the same tissue maps on the MNI 2 mm grid: GM, WM and CSF (intracranial, not tissue)."""
    tissue = mni.gm + mni.wm
    icv = ndimage.binary_dilation(ndimage.binary_fill_holes(tissue > 0.3), iterations=3)
    csf = np.clip(ndimage.gaussian_filter(icv.astype(np.float32), 1.0) - tissue, 0.0, 1.0)
    return (T1_GM * mni.gm + T1_WM * mni.wm + T1_CSF * csf).astype(np.float32)


def make_t1(subject: SubjectTruth, seed: int, *, voxel_mm: float = 2.0, max_rotation_deg: float = 8.0,
            max_translation_mm: float = 15.0, noise: bool = True):
    """The subject's T1-weighted MR: the same brain (same tissue maps, same affine + nonlinear warp to MNI as the
    PET) in its own scanner frame, which differs from the PET's by a known rigid offset (rotation up to
    ``max_rotation_deg`` about each axis, translation up to ``max_translation_mm``). Scalp bright, skull dark.
    Returns (Volume modality MR, T1Truth)."""
    mni = mni_truth()
    rng = np.random.default_rng(seed + 7777)
    rot_deg = rng.uniform(-max_rotation_deg, max_rotation_deg, 3)
    trans = rng.uniform(-max_translation_mm, max_translation_mm, 3)
    t2p = np.eye(4)
    t2p[:3, :3] = _rotation(*np.deg2rad(rot_deg))
    t2p[:3, 3] = trans
    truth = T1Truth(t2p, tuple(float(v) for v in rot_deg), tuple(float(v) for v in trans))
    centre_pet = subject.mni_to_scanner(np.array([[0.0, 17.0, 10.0]]))[0]
    p2t = np.linalg.inv(t2p)
    centre_t1 = p2t[:3, :3] @ centre_pet + p2t[:3, 3]
    size = np.array([220.0, 250.0, 240.0])
    n = np.round(size / voxel_mm).astype(int)
    origin = centre_t1 - size / 2 + voxel_mm / 2
    geom = ImageGeometry((n[2], n[1], n[0]), (voxel_mm,) * 3, tuple(origin))
    kk, jj, ii = np.indices(geom.shape, dtype=np.float32)
    t = np.stack([origin[0] + voxel_mm * ii, origin[1] + voxel_mm * jj, origin[2] + voxel_mm * kk], axis=-1).reshape(-1, 3)
    m = truth.t1_to_mni(subject, t)
    idx = (m - np.array(mni.geometry.origin)) / 2.0
    brain = ndimage.map_coordinates(_t1_mni_map(mni), idx[:, ::-1].T, order=1, mode="constant", cval=0.0)
    rel = (m - np.array([0.0, 17.0, 12.0])) / np.array([78.0, 100.0, 92.0])
    r = np.sqrt((rel ** 2).sum(axis=1))
    head = np.select([r < 0.86, r < 0.93, r < 1.0], [T1_CSF * 0.6, 0.04, 0.75], 0.0)  # inside / skull / scalp
    neck = ((m[:, 0] / 55.0) ** 2 + ((m[:, 1] - 10.0) / 60.0) ** 2 < 1.0) & (m[:, 2] < -30)
    head = np.where(neck & (r >= 0.86), 0.5, head)
    img = np.where(brain > 0.05, brain, head).reshape(geom.shape).astype(np.float32)
    img = ndimage.gaussian_filter(img, 0.6)
    if noise:
        bias = ndimage.gaussian_filter(rng.normal(0, 1, geom.shape).astype(np.float32), 40.0 / voxel_mm)
        bias /= max(float(bias.std()), 1e-6)
        img *= np.clip(1.0 + 0.06 * bias, 0.8, 1.2)
        img = np.abs(img + rng.normal(0, 0.02, geom.shape).astype(np.float32))
    vol = Volume(array=np.round(img * 1000.0).astype(np.float32), geometry=geom, modality="MR", units="",
                 series_uid=f"2.25.{seed}7", description="synthetic T1",
                 patient=PatientInfo("", subject.subject_id, "", subject.sex), info={"synthetic": True})
    return vol, truth


def write_t1_dicom(volume: Volume, subject: SubjectTruth, out_dir, *, overwrite: bool = False):
    """Write the synthetic T1 as an MR image series (MR Image Storage) into ``out_dir``. The project's writer
    makes CT and PT only, so the slices are written as CT (integer intensities, slope 1, intercept 0) and
    relabelled MR (Modality, SOP class) here: test data only."""
    import pydicom

    from workstation.io.dicom_write import StudyInfo, write_series

    t0 = datetime(2024, 3, 1, 8, 0, 0)
    study = StudyInfo(patient=PatientInfo("SYNTHETIC^BRAIN", subject.subject_id, "", subject.sex), study_datetime=t0,
                      model_name="synthetic MR", study_description="synthetic brain MR")
    paths = write_series(volume, out_dir, modality="CT", study=study, uid_seed=subject.subject_id + "-t1",
                         description="synthetic T1", ct_rescale=(1.0, 0.0), ct_window=None, overwrite=overwrite,
                         series_number=3)
    mr = "1.2.840.10008.5.1.4.1.1.4"
    for p in paths:
        ds = pydicom.dcmread(p)
        ds.Modality = "MR"
        ds.SOPClassUID = mr
        ds.file_meta.MediaStorageSOPClassUID = mr
        for kw in ("RescaleType", "KVP", "WindowCenter", "WindowWidth"):
            if kw in ds:
                delattr(ds, kw)
        ds.save_as(p)
    return paths
