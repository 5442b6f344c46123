"""Spatial normalisation of a brain PET to MNI space (PET-only): affine, then a B-spline warp.

SimpleITK registration with the template as the fixed image and the PET (the head crop) as the
moving one, so the resulting transform maps an MNI point to the PET's world point; the PET is then
resampled onto the MNI grid with it. Metric: normalised cross-correlation (the scale of the PET,
Bq/mL or SUV, does not matter), restricted to a dilated brain mask of the template.

Stages: centre of mass → rigid (6) → affine (12) → B-spline (control points every ~``bspline_mm``),
each multi-resolution. Deterministic (fixed sampling seed). The method and its parameters are
recorded in :attr:`Normalisation.method`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.io.sitk_bridge import from_sitk, to_sitk


MIN_CORRELATION = 0.8  # synthetic brains reach 0.97; a thigh crop forced onto the template reached 0.53


class NormalisationFailed(ValueError):
    """The registration did not converge to a plausible solution."""


@dataclass
class Normalisation:
    transform: object  # SimpleITK transform: MNI world point -> PET world point
    warped: np.ndarray  # the PET on the MNI grid
    geometry: ImageGeometry  # the MNI grid
    affine_matrix: np.ndarray  # 4x4 of the affine stage (MNI -> PET)
    correlation: float  # normalised cross-correlation with the template inside the brain
    method: dict = field(default_factory=dict)

    def mni_to_pet(self, points) -> np.ndarray:
        pts = np.atleast_2d(np.asarray(points, float))
        return np.array([self.transform.TransformPoint(tuple(map(float, p))) for p in pts])


def _ncc(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    x, y = a[mask].astype(float), b[mask].astype(float)
    x -= x.mean()
    y -= y.mean()
    den = np.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / den) if den > 0 else 0.0


def normalise(array: np.ndarray, geometry: ImageGeometry, template: np.ndarray, template_geometry: ImageGeometry,
              brain_mask: np.ndarray, *, nonlinear="demons", demons_iterations: int = 60,
              demons_sigma_mm: float = 6.0, bspline_mm: float = 40.0, iterations: int = 60,
              min_correlation: float = MIN_CORRELATION, what: str = "brain FDG PET",
              progress=None) -> Normalisation:
    import SimpleITK as sitk
    from scipy import ndimage

    fixed = to_sitk(template.astype(np.float32), template_geometry)
    moving = to_sitk(np.asarray(array, dtype=np.float32), geometry)
    mask = ndimage.binary_dilation(brain_mask, iterations=max(1, int(round(8.0 / template_geometry.spacing[0]))))
    fmask = to_sitk(mask.astype(np.uint8), template_geometry)

    def reg(initial, shrink, sigmas, iters, moving_initial=None, optimiser="gd"):
        r = sitk.ImageRegistrationMethod()
        r.SetMetricAsCorrelation()
        r.SetMetricFixedMask(fmask)
        r.SetMetricSamplingStrategy(r.RANDOM)
        r.SetMetricSamplingPercentage(0.25, 20231238)
        r.SetInterpolator(sitk.sitkLinear)
        if optimiser == "lbfgsb":
            r.SetOptimizerAsLBFGSB(gradientConvergenceTolerance=1e-5, numberOfIterations=iters,
                                   maximumNumberOfCorrections=5, maximumNumberOfFunctionEvaluations=4 * iters)
        else:
            r.SetOptimizerAsRegularStepGradientDescent(learningRate=1.0, minStep=1e-4, numberOfIterations=iters,
                                                       relaxationFactor=0.6, gradientMagnitudeTolerance=1e-8)
            r.SetOptimizerScalesFromPhysicalShift()
        r.SetShrinkFactorsPerLevel(shrink)
        r.SetSmoothingSigmasPerLevel(sigmas)
        r.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
        if moving_initial is not None:
            r.SetMovingInitialTransform(moving_initial)
        r.SetInitialTransform(initial, inPlace=True)
        if progress is not None and hasattr(progress, "cancelled"):
            r.AddCommand(sitk.sitkIterationEvent, lambda: progress.cancelled and r.StopRegistration() if hasattr(r, "StopRegistration") else None)
        r.Execute(fixed, moving)
        return initial

    sp = template_geometry.spacing[0]
    s1 = max(1, int(round(8.0 / sp)))
    s2 = max(1, int(round(4.0 / sp)))
    init = sitk.CenteredTransformInitializer(fixed, moving, sitk.Euler3DTransform(),
                                             sitk.CenteredTransformInitializerFilter.MOMENTS)
    rigid = sitk.Euler3DTransform(init)
    if progress is not None:
        progress.update(0.05, "rigid registration to MNI")
    reg(rigid, [s1, s2], [6.0, 3.0], iterations)
    affine = sitk.AffineTransform(3)
    affine.SetMatrix(rigid.GetMatrix())
    affine.SetTranslation(rigid.GetTranslation())
    affine.SetCenter(rigid.GetCenter())
    if progress is not None:
        progress.update(0.25, "affine registration to MNI")
    reg(affine, [s1, s2], [6.0, 3.0], iterations)
    composite = sitk.CompositeTransform(3)
    composite.AddTransform(affine)
    method = {"mode": "PET-only", "software": f"SimpleITK {sitk.Version.VersionString()}",
              "metric": "normalised cross-correlation",
              "stages": ["centre of mass", "rigid", "affine"], "mask": "template brain dilated 8 mm"}
    if nonlinear == "demons":
        if progress is not None:
            progress.update(0.5, "nonlinear (demons) registration to MNI")
        field_tf = _demons(fixed, moving, affine, brain_mask, mask, template_geometry, demons_iterations, demons_sigma_mm)
        composite.AddTransform(field_tf)
        method["stages"].append(f"symmetric-forces demons ({demons_iterations} iterations, field smoothed "
                                f"{demons_sigma_mm:.0f} mm sigma) on the affinely resampled PET")
    elif nonlinear:
        if progress is not None:
            progress.update(0.5, "nonlinear (B-spline) registration to MNI")
        extent = np.array(template_geometry.size_ijk) * np.array(template_geometry.spacing)
        mesh = [max(2, int(round(e / bspline_mm))) for e in extent]
        bs = sitk.BSplineTransformInitializer(fixed, mesh, order=3)
        reg(bs, [s2, 1], [3.0, 1.0], iterations, moving_initial=affine, optimiser="lbfgsb")
        composite.AddTransform(bs)
        method["stages"].append(f"B-spline (mesh {mesh}, ~{bspline_mm:.0f} mm control points, L-BFGS-B)")
    warped_img = sitk.Resample(moving, fixed, composite, sitk.sitkLinear, 0.0, sitk.sitkFloat32)
    warped, _ = from_sitk(warped_img)
    m4 = np.eye(4)
    m = np.array(affine.GetMatrix()).reshape(3, 3)
    c = np.array(affine.GetCenter())
    t = np.array(affine.GetTranslation())
    m4[:3, :3] = m
    m4[:3, 3] = t + c - m @ c
    cc = _ncc(warped, template, brain_mask)
    if progress is not None:
        progress.update(1.0, "normalised")
    if cc < min_correlation:
        raise NormalisationFailed(f"spatial normalisation failed: correlation with the template {cc:.2f} (< "
                                  f"{min_correlation}); is this a {what}?")
    return Normalisation(composite, warped, template_geometry, m4, cc, method)


MIN_T1_CORRELATION = 0.7  # T1 against the MNI T1 template inside the brain after normalisation


def rigid_pet_to_t1(pet: np.ndarray, pet_geometry: ImageGeometry, t1: np.ndarray, t1_geometry: ImageGeometry, *,
                    iterations: int = 100):
    """Rigid (6 parameters) registration of the PET to the same patient's T1 by Mattes mutual information
    (the T1 fixed, the PET moving). Returns (transform: T1 world point -> PET world point, final metric value)."""
    import SimpleITK as sitk

    fixed = to_sitk(np.asarray(t1, np.float32), t1_geometry)
    moving = to_sitk(np.asarray(pet, np.float32), pet_geometry)
    init = sitk.CenteredTransformInitializer(fixed, moving, sitk.Euler3DTransform(),
                                             sitk.CenteredTransformInitializerFilter.MOMENTS)
    rigid = sitk.Euler3DTransform(init)
    r = sitk.ImageRegistrationMethod()
    r.SetMetricAsMattesMutualInformation(numberOfHistogramBins=32)
    r.SetMetricSamplingStrategy(r.RANDOM)
    r.SetMetricSamplingPercentage(0.2, 20240614)
    r.SetInterpolator(sitk.sitkLinear)
    r.SetOptimizerAsRegularStepGradientDescent(learningRate=2.0, minStep=1e-4, numberOfIterations=iterations,
                                               relaxationFactor=0.6, gradientMagnitudeTolerance=1e-8)
    r.SetOptimizerScalesFromPhysicalShift()
    sp = max(t1_geometry.spacing)
    r.SetShrinkFactorsPerLevel([max(1, int(round(8.0 / sp))), max(1, int(round(4.0 / sp)))])
    r.SetSmoothingSigmasPerLevel([4.0, 2.0])
    r.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
    r.SetInitialTransform(rigid, inPlace=True)
    r.Execute(fixed, moving)
    return rigid, float(r.GetMetricValue())


def normalise_mr_guided(pet: np.ndarray, pet_geometry: ImageGeometry, t1: np.ndarray, t1_geometry: ImageGeometry,
                        t1_space, pet_template: np.ndarray, template_geometry: ImageGeometry,
                        brain_mask: np.ndarray, *, progress=None) -> Normalisation:
    """MR-guided normalisation: PET -> T1 rigid (Mattes MI), T1 -> MNI152 T1 template (affine + demons, on the
    template's finest grid ``t1_space``, an MniSpace: the T1's detail is what makes this path worth having),
    the composed transform (MNI -> T1 -> PET) applied to the PET on the analysis grid ``template_geometry``.
    ``warped`` is the PET on that grid; ``t1_on_mni`` the T1 on it (the viewer's and report's background)."""
    import SimpleITK as sitk

    t1n = np.asarray(t1, np.float32)
    hi = float(np.percentile(t1n[t1n > 0], 99.5)) if np.any(t1n > 0) else 0.0
    if not hi > 0:
        raise NormalisationFailed("the T1 is empty (no positive values)")
    t1n = t1n / hi
    if progress is not None:
        progress.update(0.02, "PET to T1 (rigid, mutual information)")
    rigid, mi = rigid_pet_to_t1(pet, pet_geometry, t1n, t1_geometry)
    t1norm = normalise(t1n, t1_geometry, t1_space.t1, t1_space.geometry, t1_space.brain,
                       min_correlation=MIN_T1_CORRELATION,
                       what="T1-weighted MR of the head",
                       progress=progress.sub(0.2, 0.9) if progress is not None else None)
    composite = sitk.CompositeTransform(3)
    composite.AddTransform(rigid)  # applied last: T1 world -> PET world
    inner = t1norm.transform
    for n in range(inner.GetNumberOfTransforms()):
        composite.AddTransform(inner.GetNthTransform(n))
    fixed = to_sitk(np.asarray(pet_template, np.float32), template_geometry)
    moving = to_sitk(np.asarray(pet, np.float32), pet_geometry)
    warped, _ = from_sitk(sitk.Resample(moving, fixed, composite, sitk.sitkLinear, 0.0, sitk.sitkFloat32))
    cc = _ncc(warped, pet_template, brain_mask)
    if progress is not None:
        progress.update(1.0, "normalised (MR-guided)")
    if cc < MIN_CORRELATION:
        raise NormalisationFailed(f"MR-guided normalisation failed: the PET carried to MNI through its T1 correlates "
                                  f"{cc:.2f} with the PET template (< {MIN_CORRELATION}); is the T1 of the same "
                                  "patient and session, and does it cover the whole head?")
    stages = ["PET to its T1: rigid (6 parameters), Mattes mutual information",
              "T1 to the MNI152 T1 template: " + ", ".join(t1norm.method["stages"]),
              "composed transform applied to the PET"]
    method = {"mode": "MR-guided", "software": t1norm.method["software"], "stages": stages,
              "metric": "Mattes mutual information (PET-T1); normalised cross-correlation (T1-template)",
              "pet_t1_mutual_information": round(-mi, 4),
              "t1_correlation_with_t1_template": round(t1norm.correlation, 4),
              "t1_template": "MNI152 T1 template (ICBM152 2009a), MR-guided"}
    nm = Normalisation(composite, warped, template_geometry, t1norm.affine_matrix, cc, method)
    t1_img = to_sitk(t1n, t1_geometry)
    nm.t1_on_mni = from_sitk(sitk.Resample(t1_img, fixed, t1norm.transform, sitk.sitkLinear, 0.0, sitk.sitkFloat32))[0]
    nm.pet_to_t1 = rigid
    return nm


def _demons(fixed, moving, affine, brain_mask, mask, grid: ImageGeometry, iterations: int, sigma_mm: float):
    """Demons on the PET resampled by the affine stage, its intensities matched to the template inside the
    brain (least squares); returns the displacement-field transform (MNI point -> MNI point)."""
    import SimpleITK as sitk

    warped = sitk.Resample(moving, fixed, affine, sitk.sitkLinear, 0.0, sitk.sitkFloat32)
    w = sitk.GetArrayFromImage(warped)
    f = sitk.GetArrayFromImage(fixed)
    x, y = w[brain_mask].astype(float), f[brain_mask].astype(float)
    a = float((x * y).sum() / max((x * x).sum(), 1e-12))
    w = np.where(mask, w * a, 0.0).astype(np.float32)
    f = np.where(mask, f, 0.0).astype(np.float32)
    wi = to_sitk(w, grid)
    fi = to_sitk(f, grid)
    d = sitk.FastSymmetricForcesDemonsRegistrationFilter()
    d.SetNumberOfIterations(iterations)
    d.SetStandardDeviations(sigma_mm / grid.spacing[0])
    d.SetSmoothDisplacementField(True)
    d.SetSmoothUpdateField(False)
    d.SetMaximumUpdateStepLength(0.5 * grid.spacing[0])
    fields = d.Execute(fi, wi)
    return sitk.DisplacementFieldTransform(sitk.Cast(fields, sitk.sitkVectorFloat64))
