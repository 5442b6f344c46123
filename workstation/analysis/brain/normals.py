"""The site's normal database: normals added one by one (each through the same pipeline as a patient),
then built into voxel, regional, asymmetry and 3D-SSP statistics for each reference region, with a
leave-one-out calibration of the false-positive rate and of the pattern-score thresholds.

On disk (``<data dir>/brain_db/<name>/`` or any folder): ``database.json`` (name, the synthetic flag,
grid, resolution, template, subjects with age, sex, scanner, reconstruction, resolution, and the build
summary), ``subjects/<id>.npz`` (the normal on the MNI grid, reference values, regional means, SSP) and
``model.npz`` (the statistics). Nothing identifies a subject beyond the id the user gives (default: a
hash of the series UID).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workstation.analysis.brain import stats
from workstation.analysis.brain.pipeline import DEFAULT_TARGET_FWHM_MM, REFERENCES, SubjectMaps, label_ids
from workstation.analysis.brain.template import load_mni, pseudo_fdg, smooth, template_description

SYNTHETIC_LABEL = "synthetic — demonstration only"
DEFAULT_GRID_MM = 4.0
MIN_N = 5
REGRESS_MIN_N, REGRESS_MIN_AGE_SD = 20, 5.0
POOLED_FWHM_MM = 12.0


class DatabaseError(ValueError):
    """A database that does not exist, is not built, or cannot give what is asked."""


def db_root() -> Path:
    from workstation.settings.paths import data_dir

    return data_dir() / "brain_db"


def resolve(name_or_path) -> Path:
    p = Path(str(name_or_path)).expanduser()
    if p.is_dir() or "/" in str(name_or_path) or "\\" in str(name_or_path):
        return p
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", str(name_or_path)):
        raise DatabaseError(f"database name {name_or_path!r}: use letters, digits, '.', '_' or '-'")
    return db_root() / str(name_or_path)


@dataclass
class Model:
    """The built statistics of one reference region."""

    reference: str
    voxel: stats.Fit  # over brain voxels (flattened by the brain mask)
    regional: stats.Fit
    ai: stats.Fit
    ssp: stats.Fit
    pattern_thresholds: dict
    loo: dict
    cluster_z: float = stats.Z_THRESHOLD  # cluster-forming threshold
    cluster_min_ml: float = stats.MIN_CLUSTER_ML  # minimum extent, calibrated at build time
    cluster_calibrated: bool = False  # False: a database built before the calibration existed (1 mL rule)


class NormalDatabase:
    def __init__(self, path: Path, meta: dict):
        self.path = Path(path)
        self.meta = meta
        self._model_npz = None

    # ------------------------------------------------------------------ creation and opening
    @classmethod
    def create(cls, name_or_path, *, synthetic: bool = False, grid_mm: float = DEFAULT_GRID_MM,
               target_fwhm_mm: float = DEFAULT_TARGET_FWHM_MM) -> "NormalDatabase":
        path = resolve(name_or_path)
        if (path / "database.json").exists():
            raise DatabaseError(f"{path}: a database already exists there")
        (path / "subjects").mkdir(parents=True, exist_ok=True)
        meta = {"format": 1, "name": path.name, "synthetic": bool(synthetic), "grid_mm": float(grid_mm),
                "target_fwhm_mm": float(target_fwhm_mm), "subjects": [], "build": None,
                "created": _dt.datetime.now().isoformat(timespec="seconds")}
        db = cls(path, meta)
        db.save()
        return db

    @classmethod
    def open(cls, name_or_path) -> "NormalDatabase":
        path = resolve(name_or_path)
        f = path / "database.json"
        if not f.exists():
            raise DatabaseError(f"no brain normal database at {path} (create one with "
                                "`workstation brain normals add PET_DIR... --db NAME`)")
        return cls(path, json.loads(f.read_text()))

    @classmethod
    def open_or_create(cls, name_or_path, **kw) -> "NormalDatabase":
        path = resolve(name_or_path)
        return cls.open(path) if (path / "database.json").exists() else cls.create(path, **kw)

    def save(self) -> None:
        tmp = self.path / "database.json.tmp"
        tmp.write_text(json.dumps(self.meta, indent=1))
        tmp.replace(self.path / "database.json")

    # ------------------------------------------------------------------ facts
    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic"))

    @property
    def space(self):
        return load_mni(self.meta["grid_mm"])

    @property
    def built(self) -> bool:
        return bool(self.meta.get("build")) and (self.path / "model.npz").exists()

    def summary(self) -> dict:
        subs = self.meta["subjects"]
        ages = [s["age"] for s in subs if s.get("age") is not None]
        b = self.meta.get("build") or {}
        return {"name": self.name, "n": len(subs), "n_built": b.get("n"),
                "age_range": [min(ages), max(ages)] if ages else None,
                "sex": {k: sum(1 for s in subs if s.get("sex") == k) for k in ("F", "M", "")},
                "scanners": sorted({s.get("scanner") or "" for s in subs}),
                "reconstructions": sorted({s.get("reconstruction") or "" for s in subs}),
                "effective_fwhm_mm": self.meta["target_fwhm_mm"], "grid_mm": self.meta["grid_mm"],
                "synthetic": self.synthetic, "label": SYNTHETIC_LABEL if self.synthetic else "",
                "built": self.built, "age_regressed": b.get("age_regressed"), "pooled_variance": b.get("pooled"),
                "loo": b.get("loo"), "template": self.template_info()}

    # ------------------------------------------------------------------ the template
    def template(self) -> np.ndarray:
        """Registration target: the mean of the built normals (global-normalised), else pseudo-FDG."""
        if self.built:
            return self._npz()["template"]
        return pseudo_fdg(self.space, self.meta["target_fwhm_mm"])

    def template_info(self) -> dict:
        if self.built:
            return {"name": f"mean of the {self.meta['build']['n']} normals of database {self.name!r}",
                    "kind": "database-mean", "fwhm_mm": self.meta["target_fwhm_mm"]}
        return template_description(self.meta["target_fwhm_mm"])

    # ------------------------------------------------------------------ adding
    def add(self, maps: SubjectMaps, *, subject_id: str, age=None, sex: str = "", scanner: str = "",
            reconstruction: str = "", native_fwhm_mm=None, source: str = "") -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", subject_id):
            raise DatabaseError(f"subject id {subject_id!r}: use letters, digits, '.', '_' or '-'")
        if any(s["id"] == subject_id for s in self.meta["subjects"]):
            raise DatabaseError(f"{subject_id} is already in database {self.name!r}")
        if maps.warped.shape != self.space.geometry.shape:
            raise DatabaseError("the normal was processed on another grid than the database's")
        np.savez_compressed(self.path / "subjects" / f"{subject_id}.npz", warped=maps.warped.astype(np.float32),
                            regional=maps.regional, ssp=maps.ssp.astype(np.float32),
                            refs=np.array([maps.refs[r] for r in REFERENCES]))
        self.meta["subjects"].append({"id": subject_id, "age": None if age is None else float(age), "sex": sex or "",
                                      "scanner": scanner, "reconstruction": reconstruction,
                                      "native_fwhm_mm": native_fwhm_mm, "source": source, "info": maps.info,
                                      "added": _dt.datetime.now().isoformat(timespec="seconds")})
        self.save()

    def _load_subjects(self):
        space = self.space
        brain = space.brain
        Y, R, S, refs = [], [], [], []
        for s in self.meta["subjects"]:
            d = np.load(self.path / "subjects" / f"{s['id']}.npz")
            Y.append(d["warped"][brain])
            R.append(d["regional"])
            S.append(d["ssp"])
            refs.append(d["refs"])
        return np.array(Y), np.array(R), np.array(S), np.array(refs)

    # ------------------------------------------------------------------ building
    def build(self, *, pooled: bool = False, regress: bool | None = None, cluster_z: float = stats.Z_THRESHOLD,
              target_fp: float = stats.TARGET_FP_CLUSTERS_PER_NORMAL, progress=None) -> dict:
        """Build the statistics. The cluster rule (z <= ``cluster_z``, extent >= a minimum) is fixed here: the
        minimum extent is the smallest at which the leave-one-out normals have at most ``target_fp`` clusters
        per normal (see :func:`stats.calibrate_min_extent`); it is stored and used for every patient."""
        if not cluster_z < 0:
            raise DatabaseError("the cluster-forming threshold must be a negative z (hypometabolism), e.g. -2")
        subs = self.meta["subjects"]
        n = len(subs)
        if n < MIN_N:
            raise DatabaseError(f"database {self.name!r} has {n} normals; at least {MIN_N} are needed to build it")
        space = self.space
        brain = space.brain
        ages = np.array([np.nan if s.get("age") is None else s["age"] for s in subs], float)
        can_regress = bool(np.all(np.isfinite(ages)) and n >= REGRESS_MIN_N and np.std(ages) >= REGRESS_MIN_AGE_SD)
        if regress is None:
            regress = can_regress
        elif regress and not can_regress:
            raise DatabaseError(f"age regression needs ages of every normal, N >= {REGRESS_MIN_N} and an age SD >= "
                                f"{REGRESS_MIN_AGE_SD} years")
        age0 = float(np.nanmean(ages)) if np.any(np.isfinite(ages)) else 0.0
        ages_f = np.where(np.isfinite(ages), ages, age0)
        Yraw, Rraw, Sraw, refs = self._load_subjects()
        ids = label_ids(space)
        regions = stats.regions_of(space.labels)
        li = [ids.index(left) for _n, left, _r in regions]
        ri = [ids.index(right) for _n, _l, right in regions]
        amask = space.analysis_mask[brain]
        pmasks = {k: m[brain] for k, m in stats.pattern_masks(space.atlas, space.labels, space.analysis_mask).items()}
        out_arrays = {}
        loo_all = {}
        # the registration template for later: the mean global-normalised normal over the whole grid (not
        # cut at the brain mask: a hard edge there misregisters the cortex next to it)
        tpl = np.zeros(space.geometry.shape, np.float64)
        for s_i, s in enumerate(subs):
            tpl += np.load(self.path / "subjects" / f"{s['id']}.npz")["warped"] / refs[s_i, 2]
        out_arrays["template"] = (tpl / n).astype(np.float32)
        for r_i, ref in enumerate(REFERENCES):
            if progress is not None:
                progress.update(r_i / len(REFERENCES), f"building the {ref} statistics")
            scale = refs[:, r_i]
            Y = Yraw / scale[:, None]
            Rg = Rraw / scale[:, None]
            AI = stats.asymmetry(Rg[:, li], Rg[:, ri])
            Sp = Sraw / scale[:, None]
            fits, sm = {}, {}
            for key, arr in (("voxel", Y), ("regional", Rg), ("ai", AI), ("ssp", Sp)):
                sm[key] = stats.sums(arr, ages_f, age0)
                fits[key] = stats.fit(sm[key], age0, regress)
            if pooled:
                fits["voxel"].sd = self._pool(fits["voxel"].sd, brain)
            # leave-one-out: each normal against the others
            volumes, frac, scores = [], [], {k: [] for k in stats.PATTERNS}
            for i in range(n):
                f = stats.fit(stats.minus(sm["voxel"], Y[i], ages_f[i], age0), age0, regress)
                if pooled:
                    f.sd = self._pool(f.sd, brain)
                z = f.z(Y[i], ages_f[i] if regress else None)
                zfull = np.full(space.geometry.shape, np.nan, np.float32)
                zfull[brain] = z
                cl = stats.clusters(zfull, space.analysis_mask, space.voxel_ml, threshold=cluster_z, min_ml=0.0)
                volumes.append([c["volume_ml"] for c in cl])
                frac.append(float(np.mean(z[amask] <= stats.Z_THRESHOLD)))
                for k, pm in pmasks.items():
                    scores[k].append(stats.pattern_score(z, pm, space.voxel_ml))
            thresholds = {k: float(np.percentile(v, 95)) for k, v in scores.items()}
            min_ml = stats.calibrate_min_extent(volumes, space.voxel_ml, target=target_fp)
            n_clusters = np.array([sum(1 for v in vs if v >= min_ml - 1e-9) for vs in volumes])
            n_1ml = np.array([sum(1 for v in vs if v >= stats.MIN_CLUSTER_ML - 1e-9) for vs in volumes])
            loo = {"false_positive_clusters_per_normal": float(np.mean(n_clusters)),
                   "normals_with_any_cluster": float(np.mean(n_clusters > 0)),
                   "false_positive_clusters_per_normal_at_1ml": float(np.mean(n_1ml)),
                   "voxel_fraction_z_le_-2": float(np.mean(frac)), "expected_fraction_gaussian": 0.0228,
                   "cluster_z": float(cluster_z), "cluster_min_ml": float(min_ml), "target_fp_per_normal": target_fp,
                   "cluster_rule": f"z <= {cluster_z:g}, >= {min_ml:g} mL, 26-connected, grey matter (extent calibrated "
                                   f"on the leave-one-out normals to <= {target_fp:g} false-positive clusters per normal)"}
            loo_all[ref] = loo
            for key, f in fits.items():
                out_arrays[f"{ref}_{key}_mean0"] = f.mean0.astype(np.float32)
                out_arrays[f"{ref}_{key}_slope"] = f.slope.astype(np.float32)
                out_arrays[f"{ref}_{key}_sd"] = f.sd.astype(np.float32)
            out_arrays[f"{ref}_pattern_thresholds"] = np.array([thresholds[k] for k in stats.PATTERNS])
        np.savez_compressed(self.path / "model.npz", **out_arrays)
        self._model_npz = None
        self.meta["build"] = {"n": n, "age0": age0, "age_regressed": regress, "pooled": pooled,
                              "pooled_fwhm_mm": POOLED_FWHM_MM if pooled else None, "loo": loo_all,
                              "pattern_thresholds": {ref: dict(zip(stats.PATTERNS, map(float, out_arrays[f"{ref}_pattern_thresholds"])))
                                                     for ref in REFERENCES},
                              "built": _dt.datetime.now().isoformat(timespec="seconds")}
        self.save()
        if progress is not None:
            progress.update(1.0, "database built")
        return self.meta["build"]

    def _pool(self, sd: np.ndarray, brain: np.ndarray) -> np.ndarray:
        """Pooled variance: the voxel variance averaged over a 12 mm FWHM neighbourhood inside the brain."""
        space = self.space
        v = np.zeros(space.geometry.shape, np.float32)
        v[brain] = sd.astype(np.float32) ** 2
        num = smooth(v, POOLED_FWHM_MM, space.spacing_mm)
        den = smooth(brain.astype(np.float32), POOLED_FWHM_MM, space.spacing_mm)
        return np.sqrt(num[brain] / np.maximum(den[brain], 1e-6))

    # ------------------------------------------------------------------ the model
    def _npz(self):
        if self._model_npz is None:
            if not self.built:
                raise DatabaseError(f"database {self.name!r} is not built yet: run `workstation brain normals build "
                                    f"--db {self.name}`")
            self._model_npz = dict(np.load(self.path / "model.npz"))
        return self._model_npz

    def model(self, reference: str) -> Model:
        if reference not in REFERENCES:
            raise DatabaseError(f"reference must be one of {', '.join(REFERENCES)}")
        d = self._npz()
        b = self.meta["build"]

        def f(key):
            return stats.Fit(d[f"{reference}_{key}_mean0"].astype(float), d[f"{reference}_{key}_slope"].astype(float),
                             d[f"{reference}_{key}_sd"].astype(float), b["age0"], b["age_regressed"])

        loo = b["loo"][reference]
        calibrated = "cluster_min_ml" in loo
        return Model(reference, f("voxel"), f("regional"), f("ai"), f("ssp"), b["pattern_thresholds"][reference], loo,
                     float(loo.get("cluster_z", stats.Z_THRESHOLD)), float(loo.get("cluster_min_ml", stats.MIN_CLUSTER_ML)),
                     calibrated)


def list_databases() -> list[dict]:
    root = db_root()
    out = []
    if root.is_dir():
        for p in sorted(root.iterdir()):
            if (p / "database.json").exists():
                out.append(NormalDatabase.open(p).summary())
    return out
