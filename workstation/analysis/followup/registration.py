"""Registration of two time points of one patient: the rigid CT-to-CT map and, for lesion matching
only, a B-spline deformable map started from it (SimpleITK). Works on CT volumes; the follow-up
reading (``analysis.followup.comparison``) calls it with its time points' CTs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

REGISTRATION_VOXEL_MM = 8.0
DEFORMABLE_VOXEL_MM = 6.0
DEFORMABLE_MESH_MM = 60.0


def subsampled(vol: Volume, voxel_mm: float) -> Volume:
    step = [max(1, int(round(voxel_mm / s))) for s in vol.geometry.spacing]  # i, j, k
    arr = np.ascontiguousarray(np.asarray(vol.array)[::step[2], ::step[1], ::step[0]], np.float32)
    g = vol.geometry
    geom = ImageGeometry(arr.shape, tuple(s * n for s, n in zip(g.spacing, step)), g.origin, g.direction)
    return Volume(arr, geom, modality=vol.modality, units=vol.units)


def register_ct_pair(baseline_ct: Volume, followup_ct: Volume, progress=None) -> dict:
    """Rigid Mattes-MI registration of the follow-up CT to the baseline CT, both subsampled to about
    :data:`REGISTRATION_VOXEL_MM`: ``followup_from_baseline`` (4x4) and a summary."""
    from workstation.analysis.registration.rigid import register_rigid

    reg = register_rigid(subsampled(baseline_ct, REGISTRATION_VOXEL_MM),
                         subsampled(followup_ct, REGISTRATION_VOXEL_MM), progress=progress, iterations=100)
    return {"followup_from_baseline": reg.pet_from_anat, "summary": reg.summary(), "metric": reg.metric,
            "method": f"rigid, Mattes MI, CT to CT subsampled to ~{REGISTRATION_VOXEL_MM:g} mm"}


def apply(t: np.ndarray, points) -> np.ndarray:
    p = np.asarray(points, float)
    return p @ np.asarray(t, float)[:3, :3].T + np.asarray(t, float)[:3, 3]


# ============================================================================ deformable
@dataclass
class DeformableMap:
    """Baseline world point → follow-up world point through the rigid map, then a B-spline.

    ``transform`` is a SimpleITK composite (B-spline applied first, then the rigid map it started
    from), found by :func:`register_deformable`. It serves lesion matching only: the views stay
    linked through the rigid registration, which the reader accepted or undid.
    """

    transform: object
    metric: float
    iterations: int
    mesh: tuple
    stop_condition: str = ""

    def carry(self, points) -> np.ndarray:
        p = np.asarray(points, float)
        flat = p.reshape(-1, 3)
        out = np.array([self.transform.TransformPoint(tuple(float(v) for v in q)) for q in flat], float)
        return out.reshape(p.shape)

    def summary(self) -> str:
        return (f"B-spline after the rigid map (control mesh {'x'.join(str(m) for m in self.mesh)}, "
                f"Mattes MI {self.metric:.3f}, {self.iterations} iterations)")


def register_deformable(baseline_ct: Volume, followup_ct: Volume, followup_from_baseline, *,
                        mesh_mm: float = DEFORMABLE_MESH_MM, iterations: int = 30, sampling: float = 0.1,
                        progress=None) -> DeformableMap:
    """B-spline (SimpleITK ``BSplineTransform``) registration of the follow-up CT to the baseline CT,
    started from the rigid ``followup_from_baseline``: smooth body deformations (breathing, arms,
    a different couch) that a rigid map cannot follow. Mattes MI on a random ``sampling`` fraction
    of the voxels (fixed seed), L-BFGS-B, two resolutions; the control-point spacing is about
    ``mesh_mm`` over the baseline CT."""
    import SimpleITK as sitk

    from workstation.io.sitk_bridge import to_sitk
    from workstation.analysis.registration.rigid import execute_with_progress

    fixed, moving = (sitk.Cast(to_sitk(np.asarray(v.array, np.float32), v.geometry), sitk.sitkFloat32)
                     for v in (baseline_ct, followup_ct))
    m = np.asarray(followup_from_baseline, float)
    rigid = sitk.AffineTransform(3)  # p -> R p + t, kept fixed while the B-spline is optimised
    rigid.SetMatrix(tuple(float(v) for v in m[:3, :3].ravel()))
    rigid.SetTranslation(tuple(float(v) for v in m[:3, 3]))
    extent = [n * s for n, s in zip(fixed.GetSize(), fixed.GetSpacing())]
    mesh = tuple(max(1, int(round(e / float(mesh_mm)))) for e in extent)
    bspline = sitk.BSplineTransformInitializer(fixed, list(mesh))
    reg = sitk.ImageRegistrationMethod()
    reg.SetMetricAsMattesMutualInformation(numberOfHistogramBins=32)
    reg.SetMetricSamplingStrategy(reg.RANDOM)  # a fixed seed: the same map every time
    reg.SetMetricSamplingPercentage(float(sampling), 1)
    reg.SetInterpolator(sitk.sitkLinear)
    reg.SetOptimizerAsLBFGSB(gradientConvergenceTolerance=1e-5, numberOfIterations=int(iterations),
                             maximumNumberOfCorrections=5, maximumNumberOfFunctionEvaluations=4 * int(iterations),
                             costFunctionConvergenceFactor=1e7)
    reg.SetShrinkFactorsPerLevel([2, 1])
    reg.SetSmoothingSigmasPerLevel([1.0, 0.0])
    reg.SmoothingSigmasAreSpecifiedInPhysicalUnitsOff()
    reg.SetMovingInitialTransform(rigid)
    reg.SetInitialTransform(bspline, inPlace=True)
    iterations_done = execute_with_progress(reg, fixed, moving, progress, iterations, levels=2,
                                            label="deformable registration")
    composite = sitk.CompositeTransform(rigid)
    composite.AddTransform(bspline)  # applied first: p -> rigid(bspline(p))
    if progress is not None:
        progress.update(1.0, "deformable registration done")
    return DeformableMap(composite, float(reg.GetMetricValue()), iterations_done, mesh,
                         reg.GetOptimizerStopConditionDescription())
