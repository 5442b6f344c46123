"""Rigid registration of a PET to the anatomical image (CT/MR), offered as a *proposal*.

Concept
-------
A rigid transform (3 rotations + 3 translations) maps a world point of the anatomical image to
the PET: ``pet_from_anat`` (4x4, LPS mm), the ITK convention, used by ``analysis.reading.session`` to
resample the PET for display. Identity is the scanner's own alignment.

Registration never replaces an alignment silently: :func:`propose_registration` returns a
:class:`RegistrationProposal` (before/after transforms, the metric over the same samples before
and after, how far the PET centre moves and by what angle, warnings) that the reader accepts or
rejects; storing it is the caller's business (``io.db`` keeps versions that can be undone).

Method: Mattes mutual information (it only asks that intensities be *predictable* from each
other, so it suits PET-CT and PET-MR), sampled at every PET voxel on the PET's own grid against
the anatomy smoothed to about the PET's resolution, only where the fields of view overlap at the
start (a cropped or partial field of view cannot pull the optimiser into empty space);
regular-step gradient descent on an Euler 3-D transform, multi-resolution.

* Same frame of reference: start at identity, small steps, two levels. A result that moves the
  PET more than :data:`SAME_FRAME_MAX_MM` or :data:`SAME_FRAME_MAX_DEG` needs explicit
  confirmation.
* Different frames: start from the image centres (or intensity moments), three levels.
* Both: a second optimisation from a start a few mm and a degree away must end at the same
  place (within :data:`CONSISTENCY_MM` at the PET centre and 50 mm around it), otherwise the metric has no
  clear optimum for this pair and no change is proposed.
* Same frame, a **confidence test**: the scanner placed both images, so a move is proposed only when it
  is larger than what the optimiser can determine on this field of view, and only when the metric says
  so on voxels the optimiser did not see. The overlap is cut into blocks of :data:`RESAMPLE_BLOCK_MM`
  (about twice a PET's resolution, so that blocks are roughly independent: neighbouring voxels are not)
  and :data:`RESAMPLE_RUNS` balanced random halves of the blocks are drawn (fixed seeds: the proposal is
  reproducible). The refinement on the whole overlap, from the scanner's alignment, is the estimate;
  each half is registered again from its own start (identity, then jolts of 3 mm / 1° in different
  directions), so the runs differ in start *and* in metric sample. Then

  1. **determinability**: the standard error of the estimate is the root mean square of the half-sample
     estimates' deviations from it (largest displacement at the PET centre and 50 mm around it: a
     delete-half jackknife over blocks, where the spread of half-sample estimates estimates the whole
     estimate's standard error); the move must exceed :data:`SIGNIFICANCE_FACTOR` standard errors;
  2. **held-out gain**: each half's end point is scored on the *other* half (every voxel, no sampling):
     Mattes MI at the current alignment minus MI at that end point. The mean of these held-out gains
     must exceed :data:`GAIN_Z` times their standard deviation (an optimum fitted to the noise or to
     one structure does not improve the voxels it was not fitted to);
  3. **full grid**: MI over the whole overlap (every voxel) must be lower at the estimate than at the
     current alignment.

  Otherwise: "no significant misalignment", no change. Both factors are three standard errors (the
  conventional bound; a same-frame move wrongly proposed costs more than a small one missed); the
  two-start consistency limit does not apply to a shared frame. On the cropped fields of view of the
  refdata pairs (5 cm around a sarcoma) Mattes MI has optima 8-15 mm from the scanner's alignment that
  are stable under resampling on some pairs (``bench/registration_shared_frame.py``): this test cannot
  tell such a metric bias from a real misalignment, it only refuses what the data do not determine.

Progress is reported per iteration and cancel is honoured between iterations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.core.volume import Volume
from workstation.tasks.progress import Cancelled


@dataclass
class RigidRegistration:
    pet_from_anat: np.ndarray  # 4x4, maps anatomical world points to PET world points
    metric: float
    iterations: int
    stop_condition: str

    @property
    def translation_mm(self) -> np.ndarray:
        return self.pet_from_anat[:3, 3].copy()

    @property
    def rotation_deg(self) -> float:
        """Angle of the rotation part, degrees."""
        r = self.pet_from_anat[:3, :3]
        c = np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0)
        return float(np.degrees(np.arccos(c)))

    def summary(self) -> str:
        t = self.translation_mm
        return (f"registered (MI {self.metric:.3f}, shift {t[0]:.1f},{t[1]:.1f},{t[2]:.1f} mm, "
                f"rotation {self.rotation_deg:.1f}°)")


def _euler_to_matrix(tx) -> np.ndarray:
    m = np.eye(4)
    r = np.asarray(tx.GetMatrix(), float).reshape(3, 3)
    c = np.asarray(tx.GetCenter(), float)
    t = np.asarray(tx.GetTranslation(), float)
    m[:3, :3] = r
    m[:3, 3] = c + t - r @ c  # p' = R (p - c) + c + t
    return m


def _euler_from_matrix(sitk, m: np.ndarray, center) -> "object":
    """An Euler 3-D transform about ``center`` equal to the rigid 4x4 ``m`` (p' = R p + t)."""
    m = np.asarray(m, float)
    tx = sitk.Euler3DTransform()
    tx.SetCenter(tuple(float(v) for v in center))
    tx.SetMatrix(tuple(m[:3, :3].reshape(-1)), 1e-5)
    c = np.asarray(tx.GetCenter())
    tx.SetTranslation(tuple(m[:3, 3] + m[:3, :3] @ c - c))
    return tx


def _images(fixed: Volume, moving: Volume):
    import SimpleITK as sitk

    from workstation.io.sitk_bridge import to_sitk

    f = sitk.Cast(to_sitk(np.asarray(fixed.array, np.float32), fixed.geometry), sitk.sitkFloat32)
    m = sitk.Cast(to_sitk(np.asarray(moving.array, np.float32), moving.geometry), sitk.sitkFloat32)
    return f, m


def overlap_mask(fixed: Volume, moving: Volume, moving_from_fixed: np.ndarray, margin_mm: float = 0.0) -> np.ndarray:
    """Boolean mask on the fixed grid: voxels whose world point, mapped through ``moving_from_fixed``,
    falls inside the moving image's field of view (so a cropped or partial field of view cannot
    pull the optimiser towards the empty space beyond its edge)."""
    g = fixed.geometry
    nz, ny, nx = g.shape
    k, j, i = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    pts = g.kji_to_world(np.stack([k.ravel(), j.ravel(), i.ravel()], axis=1).astype(float))
    t = np.asarray(moving_from_fixed, float)
    q = pts @ t[:3, :3].T + t[:3, 3]
    kji = moving.geometry.world_to_kji(q)
    m = margin_mm / np.asarray(moving.geometry.spacing, float)[::-1]  # in voxels, (k, j, i)
    inside = np.all((kji > -0.5 + m) & (kji < np.asarray(moving.geometry.shape) - 0.5 - m), axis=1)
    return inside.reshape(g.shape)


def _registration_method(sitk, sampling: float | None, seed: int, fixed_mask=None):
    reg = sitk.ImageRegistrationMethod()
    reg.SetMetricAsMattesMutualInformation(numberOfHistogramBins=32)
    if sampling is None or sampling >= 1.0:
        reg.SetMetricSamplingStrategy(reg.NONE)
    else:
        reg.SetMetricSamplingStrategy(reg.RANDOM)
        reg.SetMetricSamplingPercentage(float(sampling), seed)
    reg.SetInterpolator(sitk.sitkLinear)
    if fixed_mask is not None:
        reg.SetMetricFixedMask(fixed_mask)
    return reg


def metric_value(anatomical: Volume, pet: Volume, pet_from_anat: np.ndarray, *, mask: np.ndarray | None = None) -> float:
    """Mattes mutual information (SimpleITK sign: lower is better) of the pair through a transform,
    sampled at every PET voxel of ``mask`` (a boolean array on the PET grid; default: the PET voxels
    inside the anatomical field of view)."""
    import SimpleITK as sitk

    from workstation.io.sitk_bridge import to_sitk

    f, m = _pet_grid_images(anatomical, pet)
    anat_from_pet = np.linalg.inv(np.asarray(pet_from_anat, float))
    if mask is None:
        mask = overlap_mask(pet, anatomical, anat_from_pet)
    fm = sitk.Cast(to_sitk(mask.astype(np.uint8), pet.geometry), sitk.sitkUInt8)
    reg = _registration_method(sitk, None, 1, fm)
    reg.SetInitialTransform(_euler_from_matrix(sitk, anat_from_pet, pet.geometry.center_world()))
    return float(reg.MetricEvaluate(f, m))


def _pet_grid_images(anatomical: Volume, pet: Volume):
    """The PET on its own grid (fixed) and the anatomy smoothed to about the PET's resolution
    (moving): the metric is then sampled at every PET voxel, deterministically, and fine anatomical
    detail the PET cannot see does not make the metric rough."""
    import SimpleITK as sitk

    f, m = _images(pet, anatomical)
    ps, as_ = np.asarray(pet.geometry.spacing, float), np.asarray(anatomical.geometry.spacing, float)
    # a PET's resolution is about twice its in-plane voxel (FWHM); Gaussian sigma = FWHM / 2.355
    fwhm = 2.0 * float(max(ps[0], ps[1]))
    sigma = np.sqrt(np.maximum((fwhm / 2.355) ** 2 - (as_ / 2.355) ** 2, 0.0))
    m = sitk.SmoothingRecursiveGaussian(m, [float(max(x, 1e-3)) for x in sigma])
    # keep about two samples per PET voxel of the smoothed anatomy (it has no finer detail left)
    new_sp = np.maximum(as_, 0.5 * ps)
    if np.any(new_sp > as_ * 1.01):
        size = [max(1, int(np.ceil(n * a / b))) for n, a, b in zip(m.GetSize(), as_, new_sp)]
        centre_shift = 0.5 * (new_sp - as_)  # keep the box: first sample half a new voxel in
        d = np.asarray(anatomical.geometry.direction, float)
        origin = np.asarray(m.GetOrigin()) + d @ (centre_shift - 0.5 * (new_sp - as_))
        m = sitk.Resample(m, size, sitk.Transform(), sitk.sitkLinear, tuple(origin), tuple(float(v) for v in new_sp),
                          m.GetDirection(), 0.0, sitk.sitkFloat32)
    return f, m


def execute_with_progress(reg, fixed, moving, progress, iterations: int, *, levels: int = 1,
                          label: str = "registration") -> int:
    """Run a SimpleITK ImageRegistrationMethod with progress per optimiser iteration and level, stopping
    it when ``progress`` is cancelled (never raising inside SimpleITK's callback); raises ``Cancelled``
    before or after the run. Returns the number of optimiser iterations done over all levels."""
    import SimpleITK as sitk

    state = {"it": 0, "level": 0}

    def on_iteration():
        state["it"] += 1
        if progress is not None:
            if progress.cancelled:
                reg.StopRegistration()
                return
            frac = (state["level"] + min(1.0, reg.GetOptimizerIteration() / max(1, iterations))) / levels
            text = f"{label} level {state['level'] + 1}/{levels}" if levels > 1 else label
            progress.report(min(0.999, frac), text)

    def on_level():
        state["level"] = reg.GetCurrentLevel()

    reg.AddCommand(sitk.sitkIterationEvent, on_iteration)
    if levels > 1:
        reg.AddCommand(sitk.sitkMultiResolutionIterationEvent, on_level)
    if progress is not None and progress.cancelled:
        raise Cancelled(f"{label} cancelled")
    reg.Execute(fixed, moving)
    if progress is not None and progress.cancelled:
        raise Cancelled(f"{label} cancelled")
    return state["it"]


def register_rigid(fixed: Volume, moving: Volume, progress=None, initial: np.ndarray | None = None,
                   iterations: int = 200, sampling: float | None = None, seed: int = 1, *,
                   learning_rate: float = 2.0, shrink: tuple[int, ...] = (4, 2, 1),
                   smoothing: tuple[float, ...] = (2.0, 1.0, 0.0), mask_overlap: bool = True,
                   mask: np.ndarray | None = None) -> RigidRegistration:
    """Find ``pet_from_anat`` aligning ``moving`` (PET) to ``fixed`` (CT/MR) by Mattes mutual information.

    Starts from ``initial`` (a 4x4 ``pet_from_anat``), else from world identity. The metric is
    sampled on the PET's own grid (all voxels unless ``sampling`` < 1) against the anatomy smoothed
    to the PET's resolution; with ``mask_overlap`` only PET voxels inside the anatomical field of
    view at the start count (see :func:`overlap_mask`), so a cropped field of view cannot pull the
    optimiser away. ``mask`` (a boolean array on the PET grid) replaces that overlap mask: the metric is
    sampled only there (a subset of the overlap, for the resampling of :func:`propose_registration`).
    """
    import SimpleITK as sitk

    from workstation.io.sitk_bridge import to_sitk

    anatomical, pet = fixed, moving
    f, m = _pet_grid_images(anatomical, pet)
    start = np.eye(4) if initial is None else np.asarray(initial, float)
    anat_from_pet = np.linalg.inv(start)
    tx = _euler_from_matrix(sitk, anat_from_pet, pet.geometry.center_world())
    fm = None
    if mask is None and mask_overlap:
        mask = overlap_mask(pet, anatomical, anat_from_pet)
    if mask is not None:
        mask = np.asarray(mask, bool)
        if mask.shape != tuple(pet.geometry.shape):
            raise ValueError(f"mask shape {mask.shape} is not the PET grid's {tuple(pet.geometry.shape)}")
        if mask.any():
            fm = sitk.Cast(to_sitk(mask.astype(np.uint8), pet.geometry), sitk.sitkUInt8)
    reg = _registration_method(sitk, sampling, seed, fm)
    reg.SetOptimizerAsRegularStepGradientDescent(learningRate=float(learning_rate), minStep=1e-3,
                                                 numberOfIterations=int(iterations),
                                                 relaxationFactor=0.6, gradientMagnitudeTolerance=1e-6)
    reg.SetOptimizerScalesFromPhysicalShift()
    reg.SetShrinkFactorsPerLevel(list(shrink))
    reg.SetSmoothingSigmasPerLevel(list(smoothing))
    reg.SmoothingSigmasAreSpecifiedInPhysicalUnitsOff()
    reg.SetInitialTransform(tx, inPlace=True)
    iterations_done = execute_with_progress(reg, f, m, progress, iterations, levels=len(shrink))
    if progress is not None:
        progress.update(1.0, "registration done")
    return RigidRegistration(np.linalg.inv(_euler_to_matrix(tx)), float(reg.GetMetricValue()), iterations_done,
                             reg.GetOptimizerStopConditionDescription())


def register_translation(fixed: Volume, moving: Volume, progress=None, initial: np.ndarray | None = None,
                         iterations: int = 200, *, learning_rate: float = 2.0, shrink: tuple[int, ...] = (2, 1),
                         smoothing: tuple[float, ...] = (1.0, 0.0)) -> RigidRegistration:
    """Translation-only Mattes MI registration (3 parameters), same sampling and overlap mask as
    :func:`register_rigid`. ``initial``'s rotation is kept; only its translation is optimised.

    On a small (cropped) field of view the rotation is poorly determined (1° moves a point 25 mm away
    by 0.44 mm, a tenth of a PET voxel) while the translation has a sharp optimum, found from any start
    within its basin: this stage gives the rigid refinement a start that does not depend on how far
    apart the two images began."""
    import SimpleITK as sitk

    from workstation.io.sitk_bridge import to_sitk

    anatomical, pet = fixed, moving
    f, m = _pet_grid_images(anatomical, pet)
    start = np.eye(4) if initial is None else np.asarray(initial, float)
    anat_from_pet = np.linalg.inv(start)
    rot = np.eye(4)
    rot[:3, :3] = anat_from_pet[:3, :3]
    c = pet.geometry.center_world()
    rot_tx = _euler_from_matrix(sitk, rot, c)  # the fixed rotation part, about the PET centre
    rot_m = _euler_to_matrix(rot_tx)
    # SimpleITK maps a PET point x by the optimised transform first, then the moving initial one:
    # anat_from_pet = rot_m o T(offset), so T(offset) = rot_m^-1 o anat_from_pet
    offset = np.linalg.solve(rot_m, anat_from_pet)[:3, 3]
    tt = sitk.TranslationTransform(3, tuple(float(v) for v in offset))
    mask = overlap_mask(pet, anatomical, anat_from_pet)
    reg = _registration_method(sitk, None, 1, sitk.Cast(to_sitk(mask.astype(np.uint8), pet.geometry), sitk.sitkUInt8)
                               if mask.any() else None)
    reg.SetOptimizerAsRegularStepGradientDescent(learningRate=float(learning_rate), minStep=1e-3,
                                                 numberOfIterations=int(iterations),
                                                 relaxationFactor=0.6, gradientMagnitudeTolerance=1e-6)
    reg.SetShrinkFactorsPerLevel(list(shrink))
    reg.SetSmoothingSigmasPerLevel(list(smoothing))
    reg.SmoothingSigmasAreSpecifiedInPhysicalUnitsOff()
    reg.SetInitialTransform(tt, inPlace=True)
    if not np.allclose(rot_m[:3, :3], np.eye(3)):
        reg.SetMovingInitialTransform(rot_tx)
    iterations_done = execute_with_progress(reg, f, m, progress, iterations, label="translation")
    a = np.eye(4)
    a[:3, 3] = np.asarray(tt.GetOffset(), float)
    return RigidRegistration(np.linalg.inv(rot_m @ a), float(reg.GetMetricValue()), iterations_done,
                             reg.GetOptimizerStopConditionDescription())


# ----------------------------------------------------------------------------- proposals
#: a refinement of a pair that shares a frame of reference moving the PET more than this needs
#: explicit confirmation (the scanner's own alignment is usually right to within a few mm)
SAME_FRAME_MAX_MM = 3.0
SAME_FRAME_MAX_DEG = 2.0

#: two optimisations started a few mm and a degree apart must end this close (largest difference at
#: the PET centre and 50 mm from it along each axis) for a proposal to be made
CONSISTENCY_MM = 2.0
#: same frame: a move is proposed only when larger than this many standard errors of the estimate
#: (delete-half jackknife over blocks of the overlap, see the module docstring)
SIGNIFICANCE_FACTOR = 3.0
#: ... and when the mean held-out metric gain is this many times the gains' standard deviation
GAIN_Z = 3.0
#: block edge (mm) for the resampling of the overlap: about twice a PET's resolution (FWHM 5-10 mm)
RESAMPLE_BLOCK_MM = 25.0
#: number of balanced random halves of the blocks (each registered from its own start)
RESAMPLE_RUNS = 6

INIT_IDENTITY = "scanner alignment (identity)"
INIT_GEOMETRY = "image centres"
INIT_MOMENTS = "intensity moments"
INIT_CURRENT = "current alignment"


def _rotation_xyz_deg(ax: float, ay: float, az: float) -> np.ndarray:
    a, b, c = np.radians([ax, ay, az])
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


def rotation_angle_deg(m: np.ndarray) -> float:
    r = np.asarray(m, float)[:3, :3]
    return float(np.degrees(np.arccos(np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0))))


def move_at(before: np.ndarray, after: np.ndarray, pet_point) -> float:
    """How far (mm, anatomical frame) the PET voxel at ``pet_point`` (PET world) is displayed
    after the change from transform ``before`` to ``after`` (both ``pet_from_anat``)."""
    q = np.append(np.asarray(pet_point, float), 1.0)
    a = np.linalg.solve(np.asarray(before, float), q)[:3]
    b = np.linalg.solve(np.asarray(after, float), q)[:3]
    return float(np.linalg.norm(b - a))


@dataclass
class RegistrationProposal:
    """What an automatic registration *proposes*; nothing is applied or stored until accepted.

    ``before``/``after`` are ``pet_from_anat`` 4x4 matrices; ``metric_before``/``metric_after`` are
    Mattes mutual information values over the same overlap mask (lower is better);
    ``move_mm`` is how far the PET centre moves on screen, ``rotation_deg`` the angle of the
    relative rotation. ``after`` equals ``before`` when two optimisations from different starts did
    not agree (``determined`` False: the metric has no clear optimum). ``needs_confirmation`` is set
    when the pair shares a frame of reference and the move exceeds :data:`SAME_FRAME_MAX_MM` /
    :data:`SAME_FRAME_MAX_DEG`; ``to_apply()`` then keeps ``before`` unless confirmed. ``warnings``
    says why.
    """

    before: np.ndarray
    after: np.ndarray
    metric_before: float
    metric_after: float
    move_mm: float
    rotation_deg: float
    pet_centre: np.ndarray
    same_frame: bool
    initialisation: str
    metric_name: str = "Mattes mutual information"
    iterations: int = 0
    stop_condition: str = ""
    warnings: list = field(default_factory=list)
    determined: bool = True  # two starts agreed on the optimum
    spread_mm: float = 0.0
    spread_deg: float = 0.0
    significant: bool = True  # same frame: the move is larger than what the optimiser can determine
    candidate_move_mm: float = 0.0  # the largest displacement the optimiser's best end point would make
    candidate_rotation_deg: float = 0.0
    metric_spread: float = 0.0  # same frame: standard deviation of the held-out metric gains
    #: same frame: the confidence test's numbers (standard error of the move, held-out gains, whole-overlap gain)
    confidence: dict = field(default_factory=dict)
    candidate: np.ndarray | None = None  # same frame: the estimate the confidence test judged (pet_from_anat)

    @property
    def changes(self) -> bool:
        return not np.allclose(self.before, self.after)

    def to_apply(self, confirmed: bool = False) -> np.ndarray:
        """The transform that accepting applies: ``after``, except that a large move of a pair sharing
        a frame of reference needs ``confirmed`` (else ``before`` is kept)."""
        return self.after.copy() if (confirmed or not self.needs_confirmation) else self.before.copy()

    @property
    def needs_confirmation(self) -> bool:
        return self.same_frame and (self.move_mm > SAME_FRAME_MAX_MM or self.rotation_deg > SAME_FRAME_MAX_DEG)

    @property
    def improved(self) -> bool:
        return self.metric_after < self.metric_before

    @property
    def translation_mm(self) -> np.ndarray:
        return self.after[:3, 3].copy()

    def summary(self) -> str:
        return (f"proposed registration: PET centre moves {self.move_mm:.1f} mm, rotation {self.rotation_deg:.1f}°, "
                f"MI {self.metric_before:.4f} → {self.metric_after:.4f} (lower is better), "
                f"start: {self.initialisation}")

    def to_dict(self) -> dict:
        return {
            "pet_from_anat": np.asarray(self.after).round(6).tolist(),
            "applied_without_confirmation": np.asarray(self.to_apply()).round(6).tolist(),
            "start": np.asarray(self.before).round(6).tolist(),
            "translation_mm": self.translation_mm.round(3).tolist(),
            "rotation_deg": round(self.rotation_deg, 4),
            "move_at_pet_centre_mm": round(self.move_mm, 3),
            "pet_centre_world_mm": np.asarray(self.pet_centre).round(3).tolist(),
            "metric": self.metric_name,
            "metric_before": self.metric_before,
            "metric_after": self.metric_after,
            "same_frame_of_reference": self.same_frame,
            "initialisation": self.initialisation,
            "needs_confirmation": self.needs_confirmation,
            "iterations": self.iterations,
            "stop_condition": self.stop_condition,
            "optimum_determined": self.determined,
            "two_start_spread_mm": round(self.spread_mm, 3),
            "two_start_spread_deg": round(self.spread_deg, 3),
            "significant": self.significant,
            "candidate_move_mm": round(self.candidate_move_mm, 3),
            "candidate_rotation_deg": round(self.candidate_rotation_deg, 3),
            "metric_spread": self.metric_spread,
            "confidence": dict(self.confidence),
            "candidate_pet_from_anat": (None if self.candidate is None
                                        else np.asarray(self.candidate).round(6).tolist()),
            "warnings": list(self.warnings),
        }


def same_frame(pet: Volume, anatomical: Volume) -> bool:
    a, b = pet.frame_of_reference_uid, anatomical.frame_of_reference_uid
    return bool(a and b and a == b)


def initial_transform(anatomical: Volume, pet: Volume, how: str) -> np.ndarray:
    """A starting ``pet_from_anat``: identity, or the translation that puts the centres (of the
    image boxes, or of the intensity distributions) on each other."""
    t = np.eye(4)
    if how == INIT_IDENTITY:
        return t
    if how == INIT_GEOMETRY:
        ca, cp = anatomical.geometry.center_world(), pet.geometry.center_world()
    elif how == INIT_MOMENTS:
        ca, cp = _centroid(anatomical), _centroid(pet)
    else:
        raise ValueError(f"unknown initialisation {how!r}")
    t[:3, 3] = cp - ca
    return t


def _centroid(v: Volume) -> np.ndarray:
    a = np.asarray(v.array, float)
    w = a - np.percentile(a, 5)
    w[w < 0] = 0
    if w.sum() <= 0:
        return v.geometry.center_world()
    k, j, i = np.indices(a.shape)
    kji = np.array([(k * w).sum(), (j * w).sum(), (i * w).sum()]) / w.sum()
    return v.geometry.kji_to_world(kji)


def _probe_points(pet: Volume, reach_mm: float = 50.0) -> np.ndarray:
    """The PET centre and six points ``reach_mm`` from it along the axes (less where the PET box is smaller)."""
    c = pet.geometry.center_world()
    half = 0.5 * (pet.geometry.corners_world().max(axis=0) - pet.geometry.corners_world().min(axis=0))
    pts = [c]
    for a in range(3):
        for sgn in (-1.0, 1.0):
            q = c.copy()
            q[a] += sgn * min(reach_mm, half[a])
            pts.append(q)
    return np.array(pts)


def propose_registration(anatomical: Volume, pet: Volume, progress=None, *, current: np.ndarray | None = None,
                         initialisation: str | None = None, iterations: int = 100,
                         sampling: float | None = None, seed: int = 1, dof: str = "rigid") -> RegistrationProposal:
    """Refine the alignment of ``pet`` on ``anatomical`` and return it as a proposal.

    Shared frame of reference: start at identity (the scanner's alignment), small steps, two
    resolution levels. Different frames: start from the image centres (``initialisation`` may ask
    for identity or intensity moments), three levels (shrink 4/2/1). Always Mattes MI sampled over
    the overlap of the fields of view at the start. ``current`` (the transform shown now) is what
    the proposal is compared with; the metric is evaluated before and after on the same mask.

    Different frames: a translation-only stage (:func:`register_translation`, two starts 5 mm apart)
    first, then the rigid refinement from its result. When the rigid refinement has no clear optimum
    (two starts disagree) but the translation has one, the translation is proposed, with a warning that
    the rotation is not determined on this field of view. ``dof="translation"`` proposes the
    translation stage alone.
    """
    if dof not in ("rigid", "translation"):
        raise ValueError(f"dof must be 'rigid' or 'translation', got {dof!r}")
    shared = same_frame(pet, anatomical)
    if initialisation is None:
        initialisation = INIT_IDENTITY if shared else INIT_GEOMETRY
    before = np.eye(4) if current is None else np.asarray(current, float)
    start = initial_transform(anatomical, pet, initialisation)
    kw = dict(iterations=iterations, sampling=sampling, seed=seed)
    if shared:
        kw.update(learning_rate=1.0, shrink=(2, 1), smoothing=(1.0, 0.0))
    sub = (lambda a, b: progress.sub(a, b)) if progress is not None else (lambda a, b: None)
    c = pet.geometry.center_world()
    warnings = []
    translation = None  # (result, two-start spread mm) of the translation stage (different frames)
    if not shared or dof == "translation":
        shift = np.eye(4)
        shift[:3, 3] = (3.0, -3.0, 3.0)
        t1 = register_translation(anatomical, pet, progress=sub(0.0, 0.15), initial=start, iterations=iterations)
        t2 = register_translation(anatomical, pet, progress=sub(0.15, 0.3), initial=shift @ start, iterations=iterations)
        translation = (t1, max(move_at(t1.pet_from_anat, t2.pet_from_anat, q) for q in _probe_points(pet)))
        start = t1.pet_from_anat
    significance = None
    if dof == "translation":
        reg, reg2 = t1, t2
    elif shared:
        # the estimate: the whole overlap from the scanner's alignment; its confidence from resampled halves
        full = overlap_mask(pet, anatomical, np.linalg.inv(start))
        reg = register_rigid(anatomical, pet, progress=sub(0.0, 0.3), initial=start, mask=full, **kw)
        significance = _resampled_confidence(anatomical, pet, before, start, reg, kw, sub, full)
        reg2 = significance["ends"][0]
        spread_mm, spread_deg = significance["se_mm"], significance["se_deg"]
    else:
        reg = register_rigid(anatomical, pet, progress=sub(0.3, 0.65), initial=start, **kw)
        # a second start, displaced by a few mm and a degree: if the two end points disagree, the metric
        # has no clear optimum here (small or featureless overlap) and nothing is proposed
        jolt = _jolt(c, (1.0, -1.0, 1.0))
        reg2 = register_rigid(anatomical, pet, progress=sub(0.65, 1.0), initial=jolt @ start, **kw)
        spread_mm = max(move_at(reg.pet_from_anat, reg2.pet_from_anat, q) for q in _probe_points(pet))
        spread_deg = rotation_angle_deg(np.linalg.solve(reg.pet_from_anat, reg2.pet_from_anat))
    undetermined = spread_mm > CONSISTENCY_MM and significance is None  # same frame: the significance test decides
    if undetermined and dof == "rigid" and translation is not None and translation[1] <= CONSISTENCY_MM:
        warnings.append(f"the rotation is not determined on this field of view (two rigid starts ended "
                        f"{spread_mm:.1f} mm apart): the translation alone is proposed")
        reg, spread_mm, spread_deg, undetermined = translation[0], translation[1], 0.0, False
    insignificant = significance is not None and not undetermined and not significance["significant"]
    after = before.copy() if (undetermined or insignificant) else reg.pet_from_anat
    if insignificant:
        warnings.append(f"no significant misalignment: the refinement would move the PET by "
                        f"{significance['move_mm']:.1f} mm / {significance['rotation_deg']:.1f}° against a standard "
                        f"error of {significance['se_mm']:.1f} mm on this field of view (needs {SIGNIFICANCE_FACTOR:g} x), "
                        f"with a held-out metric gain of {significance['gain']:.4f} ± {significance['metric_spread']:.4f} "
                        f"(needs {GAIN_Z:g} x its spread) and a whole-overlap gain of {significance['full_gain']:.4f} "
                        "(needs > 0); the scanner's alignment is kept")
    mask = (overlap_mask(pet, anatomical, np.linalg.inv(before))
            & overlap_mask(pet, anatomical, np.linalg.inv(after)))
    if undetermined:
        warnings.append(f"the metric has no clear optimum: two starts ended {spread_mm:.1f} mm / {spread_deg:.1f}° "
                        "apart, so no change is proposed; keep the current alignment or align by hand")
    if not mask.any():
        warnings.append("the proposed alignment leaves no overlap between the PET and the anatomical image")
        mb = ma = float("nan")
    else:
        mb = metric_value(anatomical, pet, before, mask=mask)
        ma = metric_value(anatomical, pet, after, mask=mask)
    centre = pet.geometry.center_world()
    prop = RegistrationProposal(before=before, after=after, metric_before=mb, metric_after=ma,
                                move_mm=move_at(before, after, centre),
                                rotation_deg=rotation_angle_deg(np.linalg.solve(before, after)),
                                pet_centre=centre, same_frame=shared, initialisation=initialisation,
                                iterations=reg.iterations + reg2.iterations
                                + (0 if translation is None or dof == "translation" else translation[0].iterations),
                                stop_condition=reg.stop_condition,
                                warnings=warnings, determined=not undetermined, spread_mm=spread_mm,
                                spread_deg=spread_deg, significant=not insignificant)
    if significance is not None:
        prop.candidate_move_mm = significance["move_mm"]
        prop.candidate_rotation_deg = significance["rotation_deg"]
        prop.metric_spread = significance["metric_spread"]
        prop.candidate = np.asarray(significance["best"].pet_from_anat, float).copy()
        prop.confidence = {k: significance[k] for k in ("se_mm", "se_deg", "gain", "metric_spread", "full_gain",
                                                        "heldout_gains", "deviations_mm", "significant")}
        prop.confidence.update(significance_factor=SIGNIFICANCE_FACTOR, gain_z=GAIN_Z, block_mm=RESAMPLE_BLOCK_MM,
                               runs=len(significance["deviations_mm"]))
    if prop.needs_confirmation:
        prop.warnings.append(
            f"PET and {anatomical.modality or 'anatomical image'} share a frame of reference, yet the refinement "
            f"moves the PET by {prop.move_mm:.1f} mm / {prop.rotation_deg:.1f}° (more than {SAME_FRAME_MAX_MM:g} mm "
            f"or {SAME_FRAME_MAX_DEG:g}°): the scanner's alignment is usually right; accept only if the images "
            "show a real misalignment")
    if not undetermined and not (ma < mb):
        prop.warnings.append("the metric did not improve; keep the current alignment")
    return prop


def _jolt(centre, signs, mm: float = 3.0, deg: float = 1.0) -> np.ndarray:
    """A start ``mm`` along and ``deg`` about each axis, the signs given, about ``centre``."""
    j = np.eye(4)
    j[:3, :3] = _rotation_xyz_deg(*(deg * np.asarray(signs, float)))
    j[:3, 3] = mm * np.asarray(signs, float)
    j[:3, 3] += np.asarray(centre, float) - j[:3, :3] @ np.asarray(centre, float)
    return j


#: the starts of the resampled runs (signs of a 3 mm / 1° jolt along and about x, y, z); the first is none
_JOLT_SIGNS = ((0.0, 0.0, 0.0), (1.0, -1.0, 1.0), (-1.0, 1.0, -1.0), (1.0, 1.0, -1.0), (-1.0, -1.0, 1.0),
               (1.0, -1.0, -1.0), (-1.0, 1.0, 1.0), (1.0, 1.0, 1.0))


def block_halves(pet: Volume, mask: np.ndarray, runs: int = RESAMPLE_RUNS, block_mm: float = RESAMPLE_BLOCK_MM,
                 seed: int = 21) -> list[tuple[np.ndarray, np.ndarray]]:
    """``runs`` balanced random halves of ``mask`` (a boolean array on the PET grid) by blocks of ``block_mm``:
    [(half, other half)], each half holding half of the blocks that meet the mask (fixed ``seed``)."""
    g = pet.geometry
    k, j, i = np.indices(g.shape)
    sp = np.asarray(g.spacing, float)
    blocks = ((np.floor(i * sp[0] / block_mm).astype(np.int64) * 4096
               + np.floor(j * sp[1] / block_mm).astype(np.int64)) * 4096 + np.floor(k * sp[2] / block_mm).astype(np.int64))
    present = np.unique(blocks[mask])
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(runs):
        chosen = rng.permutation(present)[: len(present) // 2]
        half = mask & np.isin(blocks, chosen)
        out.append((half, mask & ~half))
    return out


def _resampled_confidence(anatomical: Volume, pet: Volume, before: np.ndarray, start: np.ndarray, reg, kw: dict,
                          sub, full: np.ndarray) -> dict:
    """The confidence test of a same-frame refinement (module docstring): the estimate ``reg`` against
    :data:`RESAMPLE_RUNS` registrations on balanced halves of the overlap's blocks, each from its own start;
    held-out gains scored on the other halves; the whole-overlap gain. Returns the numbers and the verdict."""
    pts = _probe_points(pet)
    c = pet.geometry.center_world()
    halves = block_halves(pet, full) if full.any() else []
    ends, gains = [], []
    n = max(1, len(halves))
    for r, (half, other) in enumerate(halves):
        lo = 0.3 + 0.65 * r / n
        end = register_rigid(anatomical, pet, progress=sub(lo, lo + 0.65 / n), initial=_jolt(c, _JOLT_SIGNS[r % 8]) @ start,
                             mask=half, **kw)
        ends.append(end)
        held = other & overlap_mask(pet, anatomical, np.linalg.inv(before)) \
            & overlap_mask(pet, anatomical, np.linalg.inv(end.pet_from_anat))
        if held.any():
            gains.append(metric_value(anatomical, pet, before, mask=held)
                         - metric_value(anatomical, pet, end.pet_from_anat, mask=held))
    move = max(move_at(before, reg.pet_from_anat, q) for q in pts)
    devs = [max(move_at(reg.pet_from_anat, e.pet_from_anat, q) for q in pts) for e in ends]
    rots = [rotation_angle_deg(np.linalg.solve(reg.pet_from_anat, e.pet_from_anat)) for e in ends]
    se_mm = float(np.sqrt(np.mean(np.square(devs)))) if devs else float("inf")
    se_deg = float(np.sqrt(np.mean(np.square(rots)))) if rots else float("inf")
    g = np.asarray(gains, float)
    gain = float(g.mean()) if g.size else float("nan")
    gain_sd = float(g.std(ddof=1)) if g.size > 1 else float("inf")
    both = full & overlap_mask(pet, anatomical, np.linalg.inv(before)) \
        & overlap_mask(pet, anatomical, np.linalg.inv(reg.pet_from_anat))
    full_gain = (metric_value(anatomical, pet, before, mask=both) - metric_value(anatomical, pet, reg.pet_from_anat, mask=both)
                 if both.any() else float("nan"))
    significant = (move > SIGNIFICANCE_FACTOR * se_mm and g.size > 1 and gain > GAIN_Z * gain_sd
                   and full_gain > 0.0)
    return {"best": reg, "ends": ends or [reg], "significant": bool(significant), "move_mm": float(move),
            "rotation_deg": rotation_angle_deg(np.linalg.solve(before, reg.pet_from_anat)), "gain": gain,
            "metric_spread": gain_sd, "se_mm": se_mm, "se_deg": se_deg, "full_gain": float(full_gain),
            "heldout_gains": [float(x) for x in g], "deviations_mm": [float(x) for x in devs]}


def checkerboard(a: np.ndarray, b: np.ndarray, squares: int = 8) -> np.ndarray:
    """Interleave two equally shaped 2-D images in a ``squares`` x ``squares`` checkerboard
    (``a`` in the top-left square); edges of anatomy that run straight across the squares show
    that the two images agree."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"checkerboard needs two 2-D images of one shape, got {a.shape} and {b.shape}")
    rows = (np.arange(a.shape[0]) * squares // max(1, a.shape[0]))[:, None]
    cols = (np.arange(a.shape[1]) * squares // max(1, a.shape[1]))[None, :]
    return np.where((rows + cols) % 2 == 0, a, b)
