"""Rigid registration of a PET (or any moving image) to the anatomical image, by mutual information.

Concept
-------
When the PET and the CT/MR do not share a frame of reference, their world coordinates do not
agree. A rigid transform (3 rotations + 3 translations) is found that maps a world point of
the anatomical (fixed) image to the PET (moving) image: ``pet_from_anat`` (4x4, LPS mm), the
ITK convention, used by ``analysis.fusion`` to resample the PET for display.

Method: SimpleITK, Mattes mutual information (works across modalities because it only asks that
intensities be *predictable* from each other), regular-step gradient descent on an Euler 3-D
transform initialised by aligning the image centres (or an initial transform), three
resolution levels (shrink 4/2/1 with smoothing). Progress is reported per iteration and cancel
is honoured between iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def register_rigid(fixed: Volume, moving: Volume, progress=None, initial: np.ndarray | None = None,
                   iterations: int = 200, sampling: float = 0.2, seed: int = 1) -> RigidRegistration:
    """Find ``pet_from_anat`` aligning ``moving`` (PET) to ``fixed`` (CT/MR) by mutual information."""
    import SimpleITK as sitk

    from workstation.io.sitk_bridge import to_sitk

    f = sitk.Cast(to_sitk(np.asarray(fixed.array, np.float32), fixed.geometry), sitk.sitkFloat32)
    m = sitk.Cast(to_sitk(np.asarray(moving.array, np.float32), moving.geometry), sitk.sitkFloat32)
    if initial is None:
        tx = sitk.CenteredTransformInitializer(f, m, sitk.Euler3DTransform(),
                                               sitk.CenteredTransformInitializerFilter.GEOMETRY)
        tx = sitk.Euler3DTransform(tx)
        tx.SetTranslation((0.0, 0.0, 0.0))  # scanners share the couch: start from world identity
    else:
        init = np.asarray(initial, float)
        tx = sitk.Euler3DTransform()
        tx.SetCenter(tuple(float(v) for v in fixed.geometry.center_world()))
        tx.SetMatrix(tuple(init[:3, :3].reshape(-1)))
        c = np.asarray(tx.GetCenter())
        tx.SetTranslation(tuple(init[:3, 3] + init[:3, :3] @ c - c))
    reg = sitk.ImageRegistrationMethod()
    reg.SetMetricAsMattesMutualInformation(numberOfHistogramBins=32)
    reg.SetMetricSamplingStrategy(reg.RANDOM)
    reg.SetMetricSamplingPercentage(float(sampling), seed)
    reg.SetInterpolator(sitk.sitkLinear)
    reg.SetOptimizerAsRegularStepGradientDescent(learningRate=2.0, minStep=1e-3, numberOfIterations=int(iterations),
                                                 relaxationFactor=0.6, gradientMagnitudeTolerance=1e-6)
    reg.SetOptimizerScalesFromPhysicalShift()
    reg.SetShrinkFactorsPerLevel([4, 2, 1])
    reg.SetSmoothingSigmasPerLevel([2.0, 1.0, 0.0])
    reg.SmoothingSigmasAreSpecifiedInPhysicalUnitsOff()
    reg.SetInitialTransform(tx, inPlace=True)
    state = {"it": 0, "level": 0}
    levels = 3

    def on_iteration():
        state["it"] += 1
        if progress is not None:
            if progress.cancelled:
                reg.StopRegistration()
                return
            frac = (state["level"] + min(1.0, reg.GetOptimizerIteration() / max(1, iterations))) / levels
            # report without raising inside SimpleITK's callback (cancel stops the registration above)
            progress.report(min(0.999, frac), f"registration level {state['level'] + 1}/{levels}")

    def on_level():
        state["level"] = reg.GetCurrentLevel()

    reg.AddCommand(sitk.sitkIterationEvent, on_iteration)
    reg.AddCommand(sitk.sitkMultiResolutionIterationEvent, on_level)
    reg.Execute(f, m)
    if progress is not None and progress.cancelled:
        raise Cancelled("registration cancelled")
    if progress is not None:
        progress.update(1.0, "registration done")
    return RigidRegistration(_euler_to_matrix(tx), float(reg.GetMetricValue()), state["it"],
                             reg.GetOptimizerStopConditionDescription())
