"""Normal-database statistics: mean and SD (optionally age-regressed) from sufficient statistics,
leave-one-out by subtraction, clusters of a z-map, pattern scores and the asymmetry index.

A fit is kept as sums over subjects of 1, a, a², y, a·y, y² (a = age − reference age), so that a
leave-one-out fit is the same formula on the sums minus one subject. With ``regress`` the expected
value is the least-squares line in age and the SD is the residual SD with N−2 degrees of freedom;
otherwise the mean and the SD with N−1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_THRESHOLD = -2.0  # hypometabolism: z <= -2
MIN_CLUSTER_ML = 1.0  # the floor of the minimum extent (and the rule of a database built before calibration)
TARGET_FP_CLUSTERS_PER_NORMAL = 0.5  # the minimum extent is calibrated on leave-one-out normals to this rate

PATTERNS = {
    "AD": ("Posterior Cingulate", "Isthmus Cingulate", "Precuneus", "Inferior Parietal", "Supramarginal",
           "Inferior temporal", "Middle Temporal"),
    "bvFTD": ("Superior Frontal", "Rostral Middle Frontal", "Caudal Middle Frontal", "Medial Orbitofrontal",
              "Lateral Orbitofrontal", "Pars Opercularis", "Pars Triangularis", "Pars Orbitalis",
              "Rostral Anterior Cingulate", "Caudal Anterior Cingulate"),
    "DLB": ("Lateral Occipital", "Cuneus", "Lingual", "Pericalcarine", "Superior Parietal"),
}
PATTERN_NOTE = ("t-sum: sum of -z over the pattern's grey-matter voxels with z <= -2, times the voxel volume "
                "(z·mL); abnormal above the database's threshold, the 95th percentile of its normals' "
                "leave-one-out scores, fixed when the database was built")
NON_TISSUE = ("Third Ventricle", "Fourth Ventricle", "Lateral Ventricle", "Inferior Lateral Ventricle", "Optic Chiasm")


def sums(Y: np.ndarray, ages: np.ndarray, age0: float) -> dict:
    """Sufficient statistics over the first axis of Y (subjects)."""
    a = (np.asarray(ages, float) - age0).reshape((-1,) + (1,) * (Y.ndim - 1))
    Y = np.asarray(Y, dtype=np.float64)
    return {"n": float(Y.shape[0]), "sa": float(a.sum()), "saa": float((a * a).sum()), "sy": Y.sum(0),
            "say": (a * Y).sum(0), "syy": (Y * Y).sum(0)}


def minus(s: dict, y: np.ndarray, age: float, age0: float) -> dict:
    a = float(age) - age0
    y = np.asarray(y, dtype=np.float64)
    return {"n": s["n"] - 1, "sa": s["sa"] - a, "saa": s["saa"] - a * a, "sy": s["sy"] - y, "say": s["say"] - a * y,
            "syy": s["syy"] - y * y}


@dataclass
class Fit:
    mean0: np.ndarray  # expected value at the reference age
    slope: np.ndarray  # per year (0 without regression)
    sd: np.ndarray
    age0: float
    regress: bool

    def expected(self, age: float | None) -> np.ndarray:
        if not self.regress or age is None:
            return self.mean0
        return self.mean0 + self.slope * (float(age) - self.age0)

    def z(self, y, age: float | None) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.asarray(y, float) - self.expected(age)) / self.sd


def fit(s: dict, age0: float, regress: bool) -> Fit:
    n = s["n"]
    if regress:
        den = n * s["saa"] - s["sa"] ** 2
        b = (n * s["say"] - s["sa"] * s["sy"]) / den
        a0 = (s["sy"] - b * s["sa"]) / n
        rss = s["syy"] - a0 * s["sy"] - b * s["say"]
        dof = n - 2
    else:
        b = np.zeros_like(s["sy"])
        a0 = s["sy"] / n
        rss = s["syy"] - s["sy"] ** 2 / n
        dof = n - 1
    sd = np.sqrt(np.maximum(rss, 0.0) / max(dof, 1.0))
    return Fit(a0, b, sd, age0, regress)


def asymmetry(left, right) -> np.ndarray:
    """AI = 200 (L − R) / (L + R), in %."""
    left, right = np.asarray(left, float), np.asarray(right, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 200.0 * (left - right) / (left + right)


def clusters(z: np.ndarray, mask: np.ndarray, voxel_ml: float, *, threshold: float = Z_THRESHOLD,
             min_ml: float = MIN_CLUSTER_ML) -> list[dict]:
    """Connected (26-neighbour) regions of z <= threshold inside mask with volume >= min_ml, largest first.
    Each: volume_ml, peak_z, mean_z, peak_kji."""
    from scipy import ndimage

    sel = (z <= threshold) & mask & np.isfinite(z)
    lab, n = ndimage.label(sel, structure=np.ones((3, 3, 3), bool))
    if n == 0:
        return []
    idx = np.arange(1, n + 1)
    counts = ndimage.sum(np.ones_like(z), lab, idx)
    zz = np.where(sel, z, 0.0)
    mins = ndimage.minimum(zz, lab, idx)
    means = ndimage.mean(zz, lab, idx)
    pos = ndimage.minimum_position(zz, lab, idx)
    out = []
    for c, mn, me, p in zip(counts, mins, means, pos):
        if c * voxel_ml >= min_ml - 1e-9:
            out.append({"volume_ml": float(c * voxel_ml), "peak_z": float(mn), "mean_z": float(me),
                        "peak_kji": tuple(int(v) for v in p)})
    out.sort(key=lambda d: -d["volume_ml"])
    return out


def calibrate_min_extent(volumes_per_normal, voxel_ml: float, *, target: float = TARGET_FP_CLUSTERS_PER_NORMAL,
                         floor_ml: float = MIN_CLUSTER_ML) -> float:
    """The smallest cluster extent (mL, a whole number of voxels, >= ``floor_ml``) at which the normals'
    leave-one-out clusters number at most ``target`` per normal.

    ``volumes_per_normal``: for each normal, the volumes (mL) of all its clusters at the cluster-forming
    threshold (no extent rule). With n normals at most floor(target x n) clusters may remain, so the extent
    is one voxel above the (floor(target x n) + 1)-th largest cluster."""
    n = len(volumes_per_normal)
    if n == 0:
        raise ValueError("no normals to calibrate the cluster extent on")
    vols = np.sort(np.concatenate([np.asarray(v, float) for v in volumes_per_normal] + [np.zeros(0)]))[::-1]
    allowed = int(np.floor(target * n + 1e-9))
    if len(vols) <= allowed:
        return float(floor_ml)
    need = float(vols[allowed]) + voxel_ml
    need = np.ceil(need / voxel_ml - 1e-6) * voxel_ml
    return float(max(floor_ml, need))


def pattern_masks(atlas: np.ndarray, labels: dict, analysis_mask: np.ndarray) -> dict:
    out = {}
    for name, regions in PATTERNS.items():
        labs = [lab for lab, (n, _h) in labels.items() if n in regions]
        out[name] = np.isin(atlas, labs) & analysis_mask
    return out


def pattern_score(z: np.ndarray, mask: np.ndarray, voxel_ml: float, threshold: float = Z_THRESHOLD) -> float:
    zz = z[mask]
    zz = zz[np.isfinite(zz) & (zz <= threshold)]
    return float(-zz.sum() * voxel_ml) + 0.0  # never -0.0


def regions_of(labels: dict) -> list[tuple[str, int, int]]:
    """(name, left label, right label) of each bilateral atlas structure that is tissue, sorted by name."""
    by = {}
    for lab, (name, hemi) in labels.items():
        if name in NON_TISSUE:
            continue
        by.setdefault(name, {})[hemi] = lab
    return sorted((n, d["L"], d["R"]) for n, d in by.items() if "L" in d and "R" in d)


def regional_means(image: np.ndarray, atlas: np.ndarray, label_ids) -> np.ndarray:
    from scipy import ndimage

    with np.errstate(divide="ignore", invalid="ignore"):  # a label with no voxel on a coarse grid: NaN
        return np.asarray(ndimage.mean(image, atlas, index=list(label_ids)), dtype=float)
