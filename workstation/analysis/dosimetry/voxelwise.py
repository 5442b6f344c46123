"""Voxel-wise time-integrated activity: a fit per voxel of the registered time points.

The time points, registered and sampled on the first grid, give each voxel its own time-activity curve
A_i (Bq per voxel at t_i). Two per-voxel models (``voxel_tia``), both with the effective decay constant
never below the physical one (no voxel washes out slower than the nuclide decays):

* ``mono``: A(t) = A0 e^(-l t), l = max(lp, the log-linear least-squares slope of ln A_i over the points);
  A0 the least-squares amplitude at that l, sum A_i e^(-l t_i) / sum e^(-2 l t_i); TIA = A0 / l (from the
  injection on). With one time point the physical decay is used (l = lp).
* ``trapezoid``: the trapezoid from (0, 0) through the points, and after the last a mono-exponential tail
  with l = max(lp, ln(A_{n-1}/A_n)/(t_n - t_{n-1})) from the last two points: A_n / l.

A voxel with a non-positive value at any time point (outside the body, noise) gets the trapezoid with a
physical tail, so that no voxel is dropped and no negative TIA appears. No VOI rescaling is done (the
VOI-level fits stay in the table for comparison); the dose map is the DVK (or LED) of this TIA map.
The maps are those of the registration chosen (rigid, or rigid then deformable with ``--registration
deformable``, :mod:`.deform`).
"""

from __future__ import annotations

import math

import numpy as np

from workstation.analysis.dosimetry.fits import trapezoid_weights

__all__ = ["voxel_tia", "VOXEL_MODELS"]

VOXEL_MODELS = ("mono", "trapezoid")


def voxel_tia(stack: np.ndarray, times_h, half_life_h: float, model: str = "mono") -> np.ndarray:
    """TIA per voxel (same units as ``stack`` x hours) of a stack [n_times, k, j, i] (module docstring)."""
    if model not in VOXEL_MODELS:
        raise ValueError(f"voxel-wise model {model!r}: choose one of {', '.join(VOXEL_MODELS)}")
    a = np.asarray(stack, np.float64)
    t = np.asarray(times_h, float)
    n = len(t)
    lp = math.log(2.0) / half_life_h
    fallback = np.tensordot(trapezoid_weights(t, lp), a, axes=1)
    if n == 1:
        return (a[0] * math.exp(lp * t[0]) / lp).astype(np.float32)
    positive = np.all(a > 0, axis=0)
    la = np.log(np.where(positive, a, 1.0))
    if model == "mono":
        tc = t - t.mean()
        slope = np.tensordot(tc, la, axes=1) / float((tc ** 2).sum())
        lam = np.maximum(-slope, lp)
        e = np.exp(-np.multiply.outer(t, lam))
        a0 = (a * e).sum(axis=0) / (e * e).sum(axis=0)
        tia = a0 / lam
    else:
        lam = np.maximum((la[-2] - la[-1]) / (t[-1] - t[-2]), lp)
        trap = np.tensordot(trapezoid_weights(t, lp), a, axes=1) - a[-1] / lp  # without the physical tail
        tia = trap + a[-1] / lam
    return np.where(positive, tia, fallback).astype(np.float32)
