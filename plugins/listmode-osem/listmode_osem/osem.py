"""List-mode OSEM with multiplicative factors, an additive term and a cached sensitivity image.

Model of the expected counts of event e (LOR i, TOF bin b)::

    ybar_e = m_i * (A x)_e + r_e
    m_i    = T * calibration * eff_i1 * eff_i2 * g_i * exp(-integral(mu dl))     (see scanner.py)

``x`` is the activity concentration in Bq/mm^3. The list-mode EM update over subset S_l is::

    x <- x / (sens / n_subsets) * A_S^T ( m / (m * A_S x + r) )

with ``sens = sum over all LORs i of m_i * A_i^T 1`` (non-TOF: the TOF kernels of one LOR sum
to its non-TOF kernel). The sensitivity is computed over every crystal pair of the scanner,
not only the recorded events, and cached on disk under a key made of the scanner fingerprint,
the image grid and the attenuation map.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .projector import JosephProjector
from .scanner import Scanner


def all_lors(n_det: int, chunk: int = 2_000_000):
    """Yield (d1, d2) arrays covering every unordered crystal pair once."""
    i, j = np.triu_indices(n_det, k=1)
    for s in range(0, i.size, chunk):
        yield i[s:s + chunk].astype(np.int32), j[s:s + chunk].astype(np.int32)


def multiplicative_factors(scanner: Scanner, proj_mu: JosephProjector | None, mu_img, d1, d2, duration_s: float):
    m = (duration_s * scanner.calibration_factor) * scanner.efficiencies[d1] * scanner.efficiencies[d2]
    m = m * scanner.geometric_factor(d1, d2)
    if proj_mu is not None and mu_img is not None:
        m = m * np.exp(-proj_mu.forward(mu_img, d1, d2).astype(np.float64))
    return m


def cache_dir() -> Path:
    d = os.environ.get("WORKSTATION_RECON_CACHE")
    return Path(d) if d else Path.home() / ".cache" / "workstation" / "listmode-osem"


def sensitivity_image(scanner: Scanner, proj: JosephProjector, mu_img=None, progress=None,
                      use_cache: bool = True) -> np.ndarray:
    """sum_i g_i eff_i1 eff_i2 att_i A_i^T 1 (per second per unit calibration); cached."""
    h = hashlib.sha256()
    h.update(scanner.fingerprint().encode())
    h.update(repr((proj.shape, tuple(proj.spacing), tuple(proj.origin))).encode())
    if mu_img is not None:
        h.update(np.ascontiguousarray(mu_img, np.float32).tobytes())
    key = h.hexdigest()[:20]
    path = cache_dir() / f"sens_{key}.npy"
    if use_cache and path.is_file():
        try:
            s = np.load(path, allow_pickle=False)
            if s.shape == proj.shape:
                return s
        except (OSError, ValueError):
            pass
    sens = np.zeros(proj.shape, np.float64)
    n_pairs = scanner.n_detectors * (scanner.n_detectors - 1) // 2
    done = 0
    for d1, d2 in all_lors(scanner.n_detectors):
        m = multiplicative_factors(scanner, proj if mu_img is not None else None, mu_img, d1, d2, 1.0)
        sens += proj.back(m, d1, d2)
        done += d1.size
        if progress:
            progress(done / n_pairs)
    sens = sens.astype(np.float32)
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, sens, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass
    return sens


def randoms_per_event(scanner: Scanner, delayed_d1, delayed_d2, d1, d2, n_tof_bins_used: int) -> np.ndarray:
    """Expected randoms per event's LOR (and TOF bin) from the delayed coincidences' fan sums.

    r_ij = 2 N d_i d_j / (sum d)^2 with d_i the delayed count of crystal i and N the number of
    delayeds, spread uniformly over the TOF bins.
    """
    N = delayed_d1.size
    if N == 0:
        return np.zeros(d1.size)
    fan = np.bincount(delayed_d1, minlength=scanner.n_detectors) + np.bincount(delayed_d2, minlength=scanner.n_detectors)
    tot = fan.sum()
    return 2.0 * N * fan[d1] * fan[d2] / float(tot) ** 2 / max(1, n_tof_bins_used)


def gaussian_filter(img: np.ndarray, fwhm_mm: float, spacing) -> np.ndarray:
    """Separable Gaussian post-filter (FWHM in mm, spacing in (i, j, k) order); zero-padded edges."""
    if fwhm_mm <= 0:
        return img
    out = np.asarray(img, np.float64)
    for axis, sp in zip((2, 1, 0), spacing):
        sigma = fwhm_mm / sp / 2.3548200450309493
        r = int(np.ceil(3 * sigma))
        if r < 1:
            continue
        k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
        k /= k.sum()
        out = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), axis, out)
    return out.astype(np.float32)


def lm_osem(proj: JosephProjector, sens: np.ndarray, d1, d2, tof_bin, mult, add, iterations: int,
            subsets: int, progress=None, on_iteration=None, x0=None) -> np.ndarray:
    """List-mode OSEM. ``sens`` already includes duration and calibration. Returns x (Bq/mm^3)."""
    x = np.ones(proj.shape, np.float32) if x0 is None else np.array(x0, np.float32)
    mask = sens > 1e-6 * float(sens.max())
    x[~mask] = 0
    sub_sens = np.where(mask, sens / subsets, 1.0).astype(np.float32)
    n = d1.size
    total = iterations * subsets
    step = 0
    for it in range(1, iterations + 1):
        for s in range(subsets):
            sl = slice(s, n, subsets)
            tb = None if tof_bin is None else tof_bin[sl]
            ybar = mult[sl] * proj.forward(x, d1[sl], d2[sl], tb) + add[sl]
            ratio = np.where(ybar > 0, mult[sl] / np.maximum(ybar, 1e-30), 0.0)
            x = np.where(mask, x * proj.back(ratio, d1[sl], d2[sl], tb) / sub_sens, 0.0).astype(np.float32)
            step += 1
            if progress:
                progress(step / total, f"iteration {it}/{iterations}, subset {s + 1}/{subsets}")
        if on_iteration:
            on_iteration(it, x)
    return x
