"""Read one brain FDG PET against a normal database: voxel z-map, clusters, 3D-SSP, pattern scores and
the regional table, each number with the reference region it was normalised to.

z = (patient − expected) / SD, so hypometabolism is negative; the 3D-SSP z panels and the cluster
table show the decrease. Without a database (``db=None``) only SUVR and the asymmetry index are given,
against the pseudo-FDG template, and every z is None with a warning saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workstation.analysis.brain import ssp, stats
from workstation.analysis.brain.normals import SYNTHETIC_LABEL, NormalDatabase
from workstation.analysis.brain.pipeline import DEFAULT_NATIVE_FWHM_MM, DEFAULT_TARGET_FWHM_MM, REFERENCE_TEXT, REFERENCES, label_ids, process
from workstation.analysis.brain.template import load_mni, pseudo_fdg, template_description

DEFAULT_REFERENCE = "pons"


@dataclass
class BrainResult:
    space: object
    reference: str
    reference_value: float
    suvr: np.ndarray  # MNI grid
    z: np.ndarray | None  # MNI grid (NaN outside the brain); None without a database
    clusters: list
    regions: list
    ssp_suvr: dict
    ssp_z: dict | None
    pattern_scores: dict
    template: dict
    database: dict | None
    info: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    age: float | None = None

    def to_json(self) -> dict:
        """Strict JSON (no NaN/inf: such values become null)."""
        return _finite({
            "reference": {"name": self.reference, "description": REFERENCE_TEXT[self.reference],
                          "value_in_file_units": self.reference_value},
            "normalisation": (self.info.get("normalisation") or {}).get("mode", "PET-only"),
            "template": self.template, "database": self.database, "age_used": self.age,
            "regions": self.regions, "clusters": self.clusters, "pattern_scores": self.pattern_scores,
            "method": self.info, "warnings": self.warnings})


def _finite(o):
    if isinstance(o, dict):
        return {str(k): _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, (np.floating, float)):
        return float(o) if math.isfinite(float(o)) else None
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, np.bool_):
        return bool(o)
    return o


def _percentile(z):
    if z is None or not math.isfinite(z):
        return None
    return 50.0 * (1.0 + math.erf(z / math.sqrt(2.0)))


def mni_ras(space, kji) -> list:
    xyz = space.geometry.kji_to_world(kji)
    return [round(-float(xyz[0]), 1), round(-float(xyz[1]), 1), round(float(xyz[2]), 1)]


def region_at(space, kji, radius_vox: int = 2) -> str:
    k, j, i = kji
    lab = int(space.atlas[k, j, i])
    if lab == 0:
        sl = tuple(slice(max(0, c - radius_vox), c + radius_vox + 1) for c in kji)
        vals = space.atlas[sl]
        vals = vals[vals > 0]
        if vals.size:
            lab = int(np.bincount(vals).argmax())
    if lab == 0:
        return "white matter / unlabelled"
    name, hemi = space.labels[lab]
    return f"{name} {hemi}"


def analyse(volume, db: NormalDatabase | None, reference: str = DEFAULT_REFERENCE, *, age: float | None = None,
            native_fwhm_mm: float = DEFAULT_NATIVE_FWHM_MM, grid_mm: float = 4.0, t1=None, progress=None) -> BrainResult:
    """``t1``: the patient's T1 as (array, geometry) for the MR-guided normalisation; None: PET-only."""
    if reference not in REFERENCES:
        raise ValueError(f"--reference must be one of {', '.join(REFERENCES)}")
    warnings = []
    if db is not None:
        space = db.space
        template, tinfo = db.template(), db.template_info()
        target = db.meta["target_fwhm_mm"]
    else:
        space = load_mni(grid_mm)
        target = DEFAULT_TARGET_FWHM_MM
        template, tinfo = pseudo_fdg(space, target), template_description(target)
        warnings.append("no normal database: SUVR and asymmetry only, no z-scores")
    maps = process(volume.array, volume.geometry, space, template, native_fwhm_mm=native_fwhm_mm,
                   target_fwhm_mm=target, t1=t1, progress=progress.sub(0.0, 0.85) if progress is not None else None)
    if t1 is not None:
        tinfo = dict(tinfo)
        tinfo["registration"] = ("MR-guided: PET -> the patient's T1 (rigid, Mattes MI), T1 -> MNI152 T1 template "
                                 "(ICBM152 2009a, affine + demons); the PET template above is the analysis reference")
    ref_value = maps.refs[reference]
    suvr = maps.warped / ref_value
    brain = space.brain
    ids = label_ids(space)
    regions_def = stats.regions_of(space.labels)
    reg = maps.regional / ref_value
    model = db.model(reference) if db is not None else None
    if model is not None and model.voxel.regress and age is None:
        warnings.append(f"the patient's age is not known: compared with the normals at their mean age "
                        f"({model.voxel.age0:.0f} years)")
    use_age = age if (model is not None and model.voxel.regress) else None
    z = None
    clusters, ssp_z, pattern = [], None, {}
    if model is not None:
        zb = model.voxel.z(suvr[brain], use_age if use_age is not None else model.voxel.age0)
        z = np.full(space.geometry.shape, np.nan, np.float32)
        z[brain] = zb
        if not model.cluster_calibrated:
            warnings.append(f"database {db.name!r} was built before cluster calibration: clusters use z <= "
                            f"{model.cluster_z:g} and >= {model.cluster_min_ml:g} mL, which gives several false "
                            "clusters per normal; rebuild it (`workstation brain normals build`)")
        for c in stats.clusters(z, space.analysis_mask, space.voxel_ml, threshold=model.cluster_z,
                                min_ml=model.cluster_min_ml):
            clusters.append({"volume_ml": round(c["volume_ml"], 2), "peak_z": round(c["peak_z"], 2),
                             "mean_z": round(c["mean_z"], 2), "peak_mni_ras_mm": mni_ras(space, c["peak_kji"]),
                             "region": region_at(space, c["peak_kji"]), "reference": reference})
        pm = stats.pattern_masks(space.atlas, space.labels, space.analysis_mask)
        for k, m in pm.items():
            sc = stats.pattern_score(z, m, space.voxel_ml)
            thr = model.pattern_thresholds[k]
            pattern[k] = {"t_sum_z_ml": round(sc, 2), "threshold": round(thr, 2), "abnormal": bool(sc > thr),
                          "reference": reference}
        sz = model.ssp.z(maps.ssp / ref_value, use_age if use_age is not None else model.ssp.age0)
        ssp_z = ssp.unstack(sz, ssp.surface_for(space.spacing_mm))
    ssp_suvr = ssp.unstack(maps.ssp / ref_value, ssp.surface_for(space.spacing_mm))
    # regional table
    ai = stats.asymmetry(reg[[ids.index(lft) for _n, lft, _r in regions_def]],
                         reg[[ids.index(rgt) for _n, _l, rgt in regions_def]])
    zreg = model.regional.z(reg, use_age if use_age is not None else model.regional.age0) if model else None
    zai = model.ai.z(ai, use_age if use_age is not None else model.ai.age0) if model else None
    regions = []
    for n_i, (name, lft, rgt) in enumerate(regions_def):
        for hemi, lab in (("L", lft), ("R", rgt)):
            j = ids.index(lab)
            zz = float(zreg[j]) if zreg is not None else None
            regions.append({"name": name, "hemisphere": hemi, "suvr": round(float(reg[j]), 4),
                            "z": None if zz is None else round(zz, 2), "percentile": _percentile(zz),
                            "ai": round(float(ai[n_i]), 2),
                            "ai_z": None if zai is None else round(float(zai[n_i]), 2), "reference": reference})
    dbinfo = None
    if db is not None:
        s = db.summary()
        dbinfo = {"name": s["name"], "n": s["n_built"], "age_range": s["age_range"], "synthetic": s["synthetic"],
                  "label": s["label"], "scanners": s["scanners"], "effective_fwhm_mm": s["effective_fwhm_mm"],
                  "grid_mm": s["grid_mm"], "age_regressed": s["age_regressed"], "pooled_variance": s["pooled_variance"],
                  "loo_false_positive_clusters_per_normal":
                      (s["loo"] or {}).get(reference, {}).get("false_positive_clusters_per_normal"),
                  "cluster_z": model.cluster_z, "cluster_min_ml": model.cluster_min_ml}
        if db.synthetic:
            warnings.append(f"database {db.name!r} is {SYNTHETIC_LABEL}")
    info = dict(maps.info)
    info["z_definition"] = "z = (patient SUVR - normal mean SUVR at the patient's age) / normal SD; negative = lower"
    if model is not None:
        info["clusters"] = model.loo.get("cluster_rule") or (f"z <= {model.cluster_z:g}, >= {model.cluster_min_ml:g} mL, "
                                                             "26-connected, grey matter")
        info["cluster_rule"] = {"z": model.cluster_z, "min_ml": model.cluster_min_ml,
                                "calibrated": model.cluster_calibrated,
                                "loo_false_positive_clusters_per_normal": model.loo.get("false_positive_clusters_per_normal")}
    info["pattern_scores"] = stats.PATTERN_NOTE
    info["ssp"] = f"3D-SSP, maximum within {ssp.DEPTH_MM} mm inward along the surface normal (Minoshima 1995)"
    info["atlas"] = "CerebrA (ICBM152 2009c)"
    info["percentile"] = "regional percentile from z assuming normally distributed normals"
    if progress is not None:
        progress.update(1.0, "brain analysis done")
    res = BrainResult(space, reference, ref_value, suvr, z, clusters, regions, ssp_suvr, ssp_z, pattern, tinfo,
                      dbinfo, info, warnings, use_age)
    res.normalisation = maps.normalisation
    res.maps = maps
    res.t1_on_mni = getattr(maps, "t1_on_mni", None)  # the patient's T1 on the MNI grid (MR-guided), else None
    return res

