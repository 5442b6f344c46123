"""The dosimetry chain: scan folders (+ RTSTRUCTs) -> time points -> VOIs -> TACs -> TIA -> absorbed dose.

:func:`run_dosimetry` takes loaded :class:`~.timepoints.TimePoint` objects of one therapy and the
RTSTRUCT files, and returns a :class:`DosimetryResult` that the CLI prints as JSON, the report lays
out, the RT Dose export writes and the viewer shows. Every choice (fit, method, kernel, density,
decay policy, the uncertainty assumed per activity) is in the result.

VOI activities are summed over each time point's own RTSTRUCT mask on its own grid when that time
point has one, otherwise over the mask propagated from the first time point that has it (registration
of :mod:`.align`). The voxel maps (TIA, dose) live on the first time point's grid: later time points are
sampled onto it through their registration; the voxel TIA is the trapezoid with a physical tail
(single time point: Hänscheid) per voxel, rescaled inside each VOI so that its sum equals the VOI's
fitted TIA. Both LED and DVK doses of a VOI are means over that map, so LED's mean equals the VOI's
hand formula k x TIA / m.

**Deformable registration** (``registration="deformable"``): after the rigid step, a B-spline
(:mod:`.deform`) per later time point; its VOIs and its activity map are carried through the composed map.
A folding or too large deformation is refused with a warning and the rigid result kept.

**Organ VOIs** (``extra_vois``: thresholded or drawn on the first time point, :mod:`.organs`) join the
RTSTRUCT VOIs and are carried to the later time points through the registration.

**SPECT/CT.** When every time point has a CT (same frame as its SPECT), the registration is CT to CT
(rigid) instead of SPECT to SPECT, and the first time point's CT gives the density map (bilinear HU ->
g/mL, :func:`.organs.hu_to_density`) on the first grid: VOI masses are the sums of the voxel masses, the
LED map divides each voxel's energy by its own mass, and the DVK dose, computed with the water kernel,
is divided by the voxel's density relative to water (the density-scaled kernel convolution of
Dieudonné et al., J Nucl Med 2013;54:236-243). Without a CT the density is ``density_g_ml`` (1.04 g/mL
soft tissue unless given) everywhere, stated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workstation.io.series import find_series
from workstation.io.loader import load_series

from workstation.analysis.dosimetry import dose as dosemod
from workstation.analysis.dosimetry.align import map_to_first, propagate_mask, register_ct_to_first, register_to_first
from workstation.analysis.dosimetry.deform import (REGISTRATIONS, DeformableParameters, map_to_first_through,
                                                   propagate_mask_through, register_deformable)
from workstation.analysis.dosimetry.organs import SOFT_TISSUE_DENSITY, HuDensityCalibration, OrganVoi, hu_to_density
from workstation.analysis.dosimetry.fits import DEFAULT_REL_SIGMA, FitResult, fit_tac, trapezoid_weights
from workstation.analysis.dosimetry.timepoints import DosimetryError, Therapy, TimePoint, group_by_therapy, time_point_from_volume
from workstation.analysis.dosimetry.vois import Voi, activity_mbq, rtstruct_masks
from workstation.analysis.registration.resample import resample_to_grid

__all__ = ["DosimetryOptions", "DosimetryResult", "VoiResult", "load_time_points", "find_rtstructs",
           "run_dosimetry", "run_cycles", "cumulative_doses", "cumulative_dose_map", "METHODS", "KIDNEY_WORDS"]

METHODS = ("led", "dvk")
KIDNEY_WORDS = ("kidney", "renal", "niere", "rein")


@dataclass
class DosimetryOptions:
    fit: str = "auto"
    method: str = "led"
    decay_policy: str = "factor"
    density_g_ml: float = SOFT_TISSUE_DENSITY
    rel_sigma: float = DEFAULT_REL_SIGMA
    register: bool = True
    registration: str = "rigid"  # or "deformable": a B-spline after the rigid step (:mod:`.deform`)
    deformable: DeformableParameters = field(default_factory=DeformableParameters)
    use_ct: bool = True  # CT-to-CT registration and CT density when every time point has a CT
    voxelwise: str = ""  # "" (VOI fits, voxel map rescaled per VOI), or a per-voxel model: "mono", "trapezoid"
    hu_calibration: HuDensityCalibration = field(default_factory=HuDensityCalibration)


@dataclass
class VoiResult:
    name: str
    volume_ml: float
    mass_g: float
    times_h: list
    activities_mbq: list
    mask_sources: list
    fit: FitResult
    dose_led_gy: float
    dose_dvk_gy: float | None
    dose_gy: float
    dose_sd_gy: float
    percentiles: dict
    dvh: dict
    gy_per_gbq: float | None
    bed_gy: float | None = None
    dose_sphere_gy: float | None = None  # sphere-model cross-check (electrons, same mass)
    warnings: list = field(default_factory=list)
    origin: str = "rtstruct"  # how the VOI was made (RTSTRUCT, threshold, drawn)
    density_g_ml: float | None = None  # mean density over the VOI (CT) or the one assumed

    def to_dict(self) -> dict:
        return {"name": self.name, "origin": self.origin, "volume_ml": self.volume_ml, "mass_g": self.mass_g,
                "density_g_ml": self.density_g_ml,
                "time_h": self.times_h, "activity_mbq": self.activities_mbq, "mask_source": self.mask_sources,
                "fit": {"model": self.fit.model, "params": self.fit.params, "aicc": self.fit.aicc,
                        "chosen_by": self.fit.chosen_by, "lambda_eff_per_h": self.fit.lambda_eff_per_h,
                        "residuals_mbq": self.fit.residuals, "candidates": self.fit.candidates},
                "tia_mbq_h": {"value": self.fit.tia_mbq_h, "sd": self.fit.tia_sd_mbq_h},
                "dose_gy": {"value": self.dose_gy, "sd": self.dose_sd_gy},
                "dose_led_gy": self.dose_led_gy, "dose_dvk_gy": self.dose_dvk_gy,
                "dose_sphere_gy": self.dose_sphere_gy,
                **{k: v for k, v in self.percentiles.items()},
                "gy_per_gbq": self.gy_per_gbq, "bed_gy": self.bed_gy, "dvh": self.dvh}


@dataclass
class DosimetryResult:
    therapy: Therapy
    options: DosimetryOptions
    vois: list[VoiResult]
    warnings: list[str]
    kernel: dosemod.DoseKernel | None = None
    dose_map_gy: np.ndarray | None = None  # on the first time point's grid, the chosen method
    tia_map_bq_s: np.ndarray | None = None
    voi_masks: dict = field(default_factory=dict)  # name -> mask on the first time point's grid
    aligned_bqml: list = field(default_factory=list)  # each time point's Bq/mL on the first grid (for viewing)
    density_map: np.ndarray | None = None  # g/mL on the first grid, from the CT (None: uniform density)
    organ_vois: list = field(default_factory=list)  # the OrganVoi objects given (to run again with one more)
    rtstructs: list = field(default_factory=list)  # the RTSTRUCT files used (to run again with one more VOI)

    @property
    def reference(self) -> TimePoint:
        return self.therapy.time_points[0]

    def to_dict(self) -> dict:
        nuc = self.therapy.nuclide
        admin = self.therapy.administered_bq
        return {
            "nuclide": {"name": nuc.name, "half_life_h": nuc.half_life_s / 3600.0,
                        "electron_energy_mev_per_decay": nuc.electron_energy_mev, "source": nuc.source},
            "injection": self.therapy.injection.isoformat(),
            "administered_mbq": None if admin is None else admin / 1e6,
            "fit": self.options.fit, "method": self.options.method, "decay_policy": self.options.decay_policy,
            "voxelwise": self.options.voxelwise or None,
            "registration": self.options.registration if self.options.register else "none",
            "density_g_ml": self.options.density_g_ml if self.density_map is None else None,
            "density": ("CT: " + self.options.hu_calibration.reference) if self.density_map is not None else
            f"uniform {self.options.density_g_ml:g} g/mL (no CT)",
            "activity_rel_sigma": self.options.rel_sigma,
            "led_constant_gy_g_per_mbq_h": dosemod.led_constant(nuc),
            "kernel": None if self.kernel is None else self.kernel.to_dict(),
            "time_points": [tp.to_dict() for tp in self.therapy.time_points],
            "vois": [v.to_dict() for v in self.vois],
            "warnings": list(self.warnings),
        }


# ------------------------------------------------------------------------------ loading
def load_time_points(scan_dirs, policy: str = "factor", progress=None, *, calibration: float | None = None,
                     calibration_date: str = "", acquisition_s: float | None = None) -> list[TimePoint]:
    """One time point per scan folder (its one SPECT/PET image series: PT, or NM reconstructed)."""
    from workstation.io.errors import AmbiguousSeriesError, NoSeriesError

    out = []
    for d in scan_dirs:
        if not Path(d).exists():
            raise DosimetryError(f"{d}: no such file or folder")
        found = find_series([str(d)])
        series = [s for s in found if s.is_image and str(s.modality).upper() in ("PT", "PET", "NM")]
        cts = [s for s in found if s.is_image and str(s.modality).upper() == "CT"]
        if not series:
            raise NoSeriesError(f"{d}: no SPECT/PET image series found (Modality PT or NM)")
        if len(series) > 1:
            raise AmbiguousSeriesError(f"{d}: {len(series)} SPECT/PET series found; give one folder per time point")
        vol = load_series(series[0].files)
        tp = time_point_from_volume(vol, Path(d).name or str(d), policy, calibration=calibration,
                                    calibration_date=calibration_date, acquisition_s=acquisition_s)
        if len(cts) == 1:
            ct = load_series(cts[0].files)
            if ct.frame_of_reference_uid == vol.frame_of_reference_uid:
                tp.ct = ct
            else:
                tp.warnings.append(f"{tp.label}: its CT has another frame of reference than the SPECT; left out")
        elif len(cts) > 1:
            tp.warnings.append(f"{tp.label}: {len(cts)} CT series in the folder; none used (give one per scan)")
        out.append(tp)
    return out


def find_rtstructs(scan_dirs) -> list[str]:
    """The RTSTRUCT files found below the scan folders."""
    files = []
    for s in find_series([str(d) for d in scan_dirs]):
        if str(s.modality).upper() == "RTSTRUCT":
            files.extend(s.files)
    return sorted(set(files))


def _assign_rtstructs(tps: list[TimePoint], files) -> tuple[dict[int, list[str]], list[str]]:
    """Each RTSTRUCT to the time point with its frame of reference (refused when none matches)."""
    from workstation.io.rtstruct import read_rtstruct

    out: dict[int, list[str]] = {}
    warns = []
    for f in files:
        rs = read_rtstruct(f)
        hits = [i for i, tp in enumerate(tps) if tp.volume.frame_of_reference_uid == rs.frame_of_reference_uid]
        if not hits:
            raise DosimetryError(f"{f}: its ReferencedFrameOfReferenceUID matches none of the scans; "
                                 "give the RTSTRUCT drawn on one of them")
        if len(hits) > 1:
            warns.append(f"{Path(f).name}: several scans share its frame of reference; used on the first of them")
        out.setdefault(hits[0], []).append(str(f))
    return out, warns


# ------------------------------------------------------------------------------ the chain
def run_dosimetry(time_points: list[TimePoint], rtstructs, options: DosimetryOptions | None = None,
                  progress=None, *, keep_maps: bool = False, extra_vois: list[OrganVoi] | None = None,
                  reuse_registration: bool = False) -> DosimetryResult:
    """Time points of one therapy + RTSTRUCT files -> :class:`DosimetryResult` (see the module docstring).

    ``keep_maps``: keep every time point's Bq/mL resampled on the first grid (``aligned_bqml``, for a viewer).
    ``extra_vois``: organ VOIs on the first time point's grid. ``reuse_registration``: keep the registrations
    the time points already carry (a second run with one more VOI)."""
    opt = options or DosimetryOptions()
    if opt.method not in METHODS:
        raise DosimetryError(f"--method {opt.method!r}: choose one of {', '.join(METHODS)}")
    if not opt.density_g_ml > 0:
        raise DosimetryError("--density must be a positive number of g/mL")
    if opt.registration not in REGISTRATIONS:
        raise DosimetryError(f"--registration {opt.registration!r}: choose one of {', '.join(REGISTRATIONS)}")
    if opt.registration == "deformable" and not opt.register:
        raise DosimetryError("--registration deformable needs the registration: leave out --no-register")
    therapies = group_by_therapy(time_points)
    if len(therapies) > 1:
        when = ", ".join(t.injection.isoformat(timespec="minutes") for t in therapies)
        raise DosimetryError(f"the scans belong to {len(therapies)} therapies (injections at {when}); "
                             "give the scans of one cycle (run_cycles sums several)")
    therapy = therapies[0]
    tps = therapy.time_points
    warnings = list(therapy.warnings)
    nuc = therapy.nuclide
    half_life_h = nuc.half_life_s / 3600.0

    def step(frac, text):
        if progress is not None:
            progress.update(frac, text)

    # -- registration of every later time point to the first
    with_ct = opt.use_ct and all(tp.ct is not None for tp in tps)
    if opt.use_ct and any(tp.ct is not None for tp in tps) and not with_ct:
        warnings.append("only some scans have a CT: SPECT-to-SPECT registration and a uniform density are used")
    tps[0].registration = {"reference": True, "type": "reference", "moving_from_fixed": np.eye(4).tolist()}
    tps[0].deformation = None
    for n, tp in enumerate(tps[1:], start=1):
        step(0.1 + 0.3 * n / len(tps), f"registering time point {n + 1} to the first")
        if reuse_registration and "moving_from_fixed" in tp.registration:
            if tp.deformation is not None:
                warnings.append(f"{tp.label}: deformable registration kept from the previous run")
            continue
        tp.deformation = None
        if opt.register:
            try:
                rigid = register_ct_to_first(tps[0], tp) if with_ct else register_to_first(tps[0], tp)
            except (RuntimeError, ValueError) as exc:  # SimpleITK's failures are RuntimeErrors
                raise DosimetryError(f"{tp.label}: registration to {tps[0].label} failed "
                                     f"({str(exc).splitlines()[0][:200]}); check the scans or use --no-register") from None
            tp.registration = {"type": "rigid", **rigid}
            if opt.registration == "deformable":
                step(0.1 + 0.3 * (n + 0.5) / len(tps), f"deformable registration of time point {n + 1}")
                try:
                    tp.registration, tp.deformation, w = register_deformable(tps[0], tp, rigid, use_ct=with_ct,
                                                                             params=opt.deformable)
                    warnings += w
                except (RuntimeError, ValueError) as exc:
                    warnings.append(f"{tp.label}: deformable registration failed, rigid kept "
                                    f"({str(exc).splitlines()[0][:200]})")
                    tp.registration = {**tp.registration, "requested": "deformable", "refused": "failed"}
        else:
            same = tp.volume.frame_of_reference_uid == tps[0].volume.frame_of_reference_uid
            tp.registration = {"type": "none", "method": "none (scanner coordinates)",
                               "moving_from_fixed": np.eye(4).tolist(), "same_frame_of_reference": same}
            if not same:
                warnings.append(f"{tp.label}: another frame of reference than the first scan and no registration: "
                                "VOIs propagated in scanner coordinates may miss the anatomy")
    mats = [np.asarray(tp.registration["moving_from_fixed"], float) for tp in tps]
    defs = [tp.deformation for tp in tps]

    def carry(mask, src, dst):  # a mask of time point src to time point dst's grid
        if defs[src] is None and defs[dst] is None:
            return propagate_mask(mask, tps[src].volume.geometry, tps[dst].volume.geometry,
                                  mats[dst] @ np.linalg.inv(mats[src]))
        return propagate_mask_through(mask, tps[src].volume.geometry, mats[src], defs[src],
                                      tps[dst].volume.geometry, mats[dst], defs[dst])

    # -- VOIs: own RTSTRUCT masks, else propagated
    step(0.45, "VOIs")
    per_tp, w = _assign_rtstructs(tps, list(rtstructs))
    warnings += w
    own: dict[int, dict[str, np.ndarray]] = {}
    for i, files in per_tp.items():
        for f in files:
            masks, ww = rtstruct_masks(f, tps[i].volume.geometry, tps[i].volume.frame_of_reference_uid)
            warnings += ww
            own.setdefault(i, {}).update(masks)
    names: list[str] = []
    for i in sorted(own):
        names += [nm for nm in own[i] if nm not in names]
    organs = list(extra_vois or [])
    for ov in organs:
        if ov.name in names:
            raise DosimetryError(f"organ VOI {ov.name!r}: an RTSTRUCT VOI has that name; choose another")
        if ov.mask.shape != tuple(tps[0].volume.geometry.shape):
            raise DosimetryError(f"organ VOI {ov.name!r}: its mask is not on the first scan's grid")
    if not names and not organs:
        raise DosimetryError("no VOI: give an RTSTRUCT (--rtstruct FILE) drawn on one of the scans, or an organ VOI")
    origin = {nm: "rtstruct" for nm in names}
    for ov in organs:
        origin[ov.name] = ov.how
    vois: list[Voi] = []
    organ_vois: list[Voi] = []
    g_first = tps[0].volume.geometry
    for ov in organs:  # on the first grid: carried to every later time point
        v = Voi(ov.name)
        v.masks[0], v.sources[0] = ov.mask, f"organ VOI on {tps[0].label} ({ov.how})"
        for i, tp in enumerate(tps[1:], start=1):
            v.masks[i] = carry(ov.mask, 0, i)
            v.sources[i] = f"propagated from {tps[0].label}"
        v.masks[-1] = ov.mask
        organ_vois.append(v)
    for name in names:
        v = Voi(name)
        src_i = min(i for i in own if name in own[i])
        for i, tp in enumerate(tps):
            if i in own and name in own[i]:
                v.masks[i], v.sources[i] = own[i][name], f"rtstruct ({tp.label})"
            else:
                v.masks[i] = carry(own[src_i][name], src_i, i)
                v.sources[i] = f"propagated from {tps[src_i].label}"
        ref_mask = v.masks[0] if 0 in own and name in own[0] else carry(own[src_i][name], src_i, 0)
        v.masks[-1] = ref_mask  # on the first time point's grid, for the maps
        for i, tp in enumerate(tps):
            if not v.masks[i].any():
                raise DosimetryError(f"VOI {name!r} covers no voxel of {tp.label} ({v.sources[i]}): it lies outside "
                                     "that scan's field of view; give that scan's own RTSTRUCT or leave the scan out")
        if not ref_mask.any():
            raise DosimetryError(f"VOI {name!r} covers no voxel of the first scan {tps[0].label}")
        vois.append(v)
    vois += organ_vois
    # -- density on the first grid (CT) and each VOI's mass and activities
    density = None
    if with_ct:
        ct0 = tps[0].ct
        rho_ct = hu_to_density(ct0.array, opt.hu_calibration)
        density = resample_to_grid(rho_ct, ct0.geometry, g_first, order=1, fill=np.nan)
        outside = ~np.isfinite(density)
        if outside.any():
            density[outside] = np.float32(opt.density_g_ml)
            warnings.append(f"the CT of {tps[0].label} does not cover the whole SPECT: {opt.density_g_ml:g} g/mL "
                            "assumed outside it")
        density = np.maximum(density, np.float32(opt.hu_calibration.air_density)).astype(np.float32)
    for v in vois:
        for i, tp in enumerate(tps):
            if not v.masks[i].any():
                raise DosimetryError(f"VOI {v.name!r} covers no voxel of {tp.label} ({v.sources[i]}): it lies outside "
                                     "that scan's field of view; draw it inside every scan or leave the scan out")
        ref_mask = v.masks[-1]
        v.volume_ml = float(ref_mask.sum() * g_first.voxel_volume_ml)
        v.mass_g = (v.volume_ml * opt.density_g_ml if density is None else
                    float(density[ref_mask].sum(dtype=np.float64) * g_first.voxel_volume_ml))
        v.activities_mbq = [activity_mbq(tp, v.masks[i]) for i, tp in enumerate(tps)]

    # -- voxel activity maps (Bq per voxel of the first grid) and the base TIA map
    step(0.55, "activity maps")
    g0 = tps[0].volume.geometry
    vvol0 = g0.voxel_volume_ml
    times = np.array([tp.time_h for tp in tps])
    lp = math.log(2.0) / half_life_h
    if len(tps) >= 2:
        weights_h = trapezoid_weights(times, lp)
    else:
        t1 = float(times[0])
        weights_h = np.array([min(2.0 * t1 / math.log(2.0), math.exp(lp * t1) / lp)])
    tia_map = np.zeros(g0.shape, np.float32)
    aligned = []
    for i, tp in enumerate(tps):
        a = tp.activity_bqml()
        if i > 0 and defs[i] is not None:
            a = map_to_first_through(a, tp.volume.geometry, g0, mats[i], defs[i])
        elif i > 0:
            a = map_to_first(a, tp.volume.geometry, g0, mats[i])
        tia_map += np.float32(weights_h[i] * 3600.0 * vvol0) * a  # Bq·s per voxel
        aligned.append(a if (keep_maps or opt.voxelwise) else None)
        del a
    if opt.voxelwise:
        from workstation.analysis.dosimetry.voxelwise import voxel_tia

        step(0.6, f"voxel-wise {opt.voxelwise} fits")
        tia_map = voxel_tia(np.stack(aligned), times, half_life_h, opt.voxelwise) * np.float32(3600.0 * vvol0)
        if not keep_maps:
            aligned = []

    # -- fits, per-VOI rescaling of the map
    results: list[VoiResult] = []
    fits = []
    for v in vois:
        fit = fit_tac(times, v.activities_mbq, half_life_h, opt.fit, opt.rel_sigma)
        fits.append(fit)
        base = float(tia_map[v.masks[-1]].sum(dtype=np.float64)) / 3.6e9  # MBq·h
        if base > 0 and not opt.voxelwise:
            tia_map[v.masks[-1]] *= np.float32(fit.tia_mbq_h / base)
    step(0.7, "absorbed dose")
    e_j = nuc.electron_energy_mev * dosemod.MEV_J
    if density is None:
        led_map = tia_map * np.float32(e_j / (vvol0 * opt.density_g_ml / 1000.0))
    else:
        led_map = tia_map * np.float32(e_j / (vvol0 / 1000.0)) / density
    kernel = None
    dvk_map = None
    if opt.method == "dvk":
        kernel = dosemod.dose_kernel(nuc, g0.spacing[::-1], opt.density_g_ml if density is None else 1.0)
        dvk_map = dosemod.dvk_dose_map(tia_map, kernel)
        if density is not None:  # water kernel, scaled by each voxel's density relative to water
            dvk_map = (dvk_map / density).astype(np.float32)
    dose_map = dvk_map if dvk_map is not None else led_map
    admin_gbq = None if therapy.administered_bq is None else therapy.administered_bq / 1e9
    for v, fit in zip(vois, fits):
        m = v.masks[-1]
        d_led = dosemod.led_dose_gy(fit.tia_mbq_h, v.mass_g, nuc)
        rho_v = v.mass_g / v.volume_ml
        d_dvk = float(dvk_map[m].mean(dtype=np.float64)) if dvk_map is not None else None
        d = d_dvk if d_dvk is not None else d_led
        if opt.voxelwise:  # the mean of the voxel-wise dose map (LED map without DVK)
            d = float(dose_map[m].mean(dtype=np.float64))
        vals = dose_map[m]
        rel = fit.tia_rel_sd if math.isfinite(fit.tia_rel_sd) else float("nan")
        vw = [f"{v.name}: {x}" for x in fit.warnings]
        bed_gy = None
        if any(word in v.name.lower() for word in KIDNEY_WORDS):
            bed_gy = dosemod.bed(d, fit.lambda_eff_per_h)
            if fit.model in ("trapezoid", "uptake-washout", "bi"):
                vw.append(f"{v.name}: BED with the effective decay constant of the tail ({fit.lambda_eff_per_h:.4f}/h) "
                          "as if the dose rate fell mono-exponentially from injection")
        results.append(VoiResult(
            v.name, v.volume_ml, v.mass_g, [float(t) for t in times], v.activities_mbq,
            [v.sources[i] for i in range(len(tps))], fit, d_led, d_dvk, d, d * rel,
            dosemod.dose_percentiles(vals), dosemod.dvh(vals), None if not admin_gbq else d / admin_gbq,
            bed_gy=bed_gy, warnings=vw,
            dose_sphere_gy=dosemod.sphere_dose_gy(fit.tia_mbq_h, v.mass_g, nuc, rho_v),
            origin=origin.get(v.name, "rtstruct"), density_g_ml=rho_v))
        warnings += vw
    step(1.0, "done")
    dens_text = (f"tissue density {opt.density_g_ml:g} g/mL (no CT)" if density is None else
                 f"tissue density from the CT of {tps[0].label} ({opt.hu_calibration.reference})")
    if opt.voxelwise:
        how = "deformable" if any(d is not None for d in defs) else "rigid"
        warnings.append(f"voxel-wise {opt.voxelwise} fits ({how} registration): the TIA map is not "
                        "rescaled to the VOI fits; each VOI's dose is the mean of the voxel dose map")
    warnings.append(f"dose from electrons only (photons left out); {dens_text}; activity uncertainty "
                    f"{opt.rel_sigma:.0%} per time point assumed")
    return DosimetryResult(therapy, opt, results, warnings, kernel, dose_map, tia_map,
                           {v.name: v.masks[-1] for v in vois}, aligned if keep_maps else [], density, organs,
                           [str(f) for f in rtstructs])


# ------------------------------------------------------------------------------ several cycles
def run_cycles(time_points: list[TimePoint], rtstructs, options: DosimetryOptions | None = None,
               progress=None) -> list[DosimetryResult]:
    """One :class:`DosimetryResult` per therapy cycle (each with the RTSTRUCTs drawn on its own scans)."""
    from workstation.io.rtstruct import read_rtstruct

    therapies = group_by_therapy(time_points)
    frames = {str(f): read_rtstruct(f).frame_of_reference_uid for f in rtstructs}
    out = []
    for therapy in therapies:
        mine = {tp.volume.frame_of_reference_uid for tp in therapy.time_points}
        files = [f for f, uid in frames.items() if uid in mine]
        out.append(run_dosimetry(therapy.time_points, files, options, progress))
    return out


def cumulative_doses(results: list[DosimetryResult]) -> list[dict]:
    """Per VOI name over the cycles: dose per cycle, the sum (Gy), its SD (cycles independent) and the
    summed BED (BEDs of separate cycles add). A VOI missing from a cycle is named in ``missing_in``."""
    names: list[str] = []
    for r in results:
        names += [v.name for v in r.vois if v.name not in names]
    out = []
    for name in names:
        per, sds, beds, missing = [], [], [], []
        for n, r in enumerate(results, start=1):
            v = next((x for x in r.vois if x.name == name), None)
            if v is None:
                missing.append(n)
                per.append(None)
                continue
            per.append(v.dose_gy)
            sds.append(v.dose_sd_gy)
            if v.bed_gy is not None:
                beds.append(v.bed_gy)
        given = [d for d in per if d is not None]
        out.append({"name": name, "dose_gy_per_cycle": per, "dose_gy": float(sum(given)),
                    "dose_sd_gy": float(math.sqrt(sum(s * s for s in sds))) if sds else None,
                    "bed_gy": float(sum(beds)) if beds and len(beds) == len(given) else None,
                    "missing_in": missing})
    return out


def cumulative_dose_map(results: list[DosimetryResult], progress=None) -> tuple[np.ndarray, list[dict]]:
    """(dose map summed over the cycles on the first cycle's first grid (Gy, float32), registrations).

    Cycles are weeks apart (new frames of reference): each cycle's first time point is registered rigidly
    to the first cycle's (CT to CT when both have a CT, else SPECT to SPECT), and its dose map is sampled
    there (linear) and added."""
    if not results:
        raise DosimetryError("no cycle to sum")
    ref = results[0].reference
    g0 = ref.volume.geometry
    total = np.array(results[0].dose_map_gy, np.float32, copy=True)
    regs = [{"reference": True, "moving_from_fixed": np.eye(4).tolist()}]
    for n, r in enumerate(results[1:], start=2):
        if progress is not None:
            progress.update((n - 1) / len(results), f"registering cycle {n} to the first")
        tp = r.reference
        if not r.options.register:
            reg = {"method": "none (scanner coordinates)", "moving_from_fixed": np.eye(4).tolist()}
            total += map_to_first(r.dose_map_gy, tp.volume.geometry, g0, np.eye(4))
            regs.append(reg)
            continue
        use_ct = r.options.use_ct and ref.ct is not None and tp.ct is not None
        try:
            reg = register_ct_to_first(ref, tp) if use_ct else register_to_first(ref, tp)
        except (RuntimeError, ValueError) as exc:
            raise DosimetryError(f"cycle {n}: registration of {tp.label} to {ref.label} failed "
                                 f"({str(exc).splitlines()[0][:200]})") from None
        total += map_to_first(r.dose_map_gy, tp.volume.geometry, g0, reg["moving_from_fixed"])
        regs.append(reg)
    return total, regs
