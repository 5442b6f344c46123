"""Projectors between an image and a list of LORs (events).

:class:`JosephProjector` wraps the numba kernels of ``_kernels_proj`` (see there for the
model): ``forward(img, d1, d2, tof_bin) -> (n,)`` and ``back(values, d1, d2, tof_bin) -> img``,
exact adjoints of each other. Images are float32 ``[k, j, i]``; the recon grid is axis-aligned
in the scanner frame, which is taken to be the patient (LPS) frame.

:func:`siddon_forward` is an independent NumPy reference (exact radiological path through the
voxels, Siddon 1985) used to check the Joseph projector.
"""

from __future__ import annotations

import math
import os

import numpy as np

SIGMA_PER_FWHM = 1.0 / (2.0 * math.sqrt(2.0 * math.log(2.0)))


class JosephProjector:
    def __init__(self, shape, spacing, origin, face_centres, tof_edges=None, tof_fwhm_mm: float = 0.0,
                 nsig: float = 3.0):
        self.shape = tuple(int(s) for s in shape)  # (nk, nj, ni)
        self.spacing = np.asarray(spacing, np.float64)  # (di, dj, dk)
        self.origin = np.asarray(origin, np.float64)
        self.det = np.ascontiguousarray(face_centres, np.float64)
        self.edges = np.asarray(tof_edges if tof_edges is not None else [0.0, 0.0], np.float64)
        self.sigma = float(tof_fwhm_mm) * SIGMA_PER_FWHM
        self.nsig = float(nsig)

    def _ends(self, d1, d2):
        return self.det[np.asarray(d1)], self.det[np.asarray(d2)]

    def forward_points(self, img, p1, p2, tof_bin=None) -> np.ndarray:
        from . import _kernels_proj as k

        use_tof = tof_bin is not None
        tb = np.ascontiguousarray(tof_bin if use_tof else np.zeros(len(p1)), np.int32)
        out = np.zeros(len(p1), np.float64)
        k.forward(np.ascontiguousarray(img, np.float32), self.origin, self.spacing,
                  np.ascontiguousarray(p1, np.float64), np.ascontiguousarray(p2, np.float64), tb, self.edges,
                  max(self.sigma, 1e-6), self.nsig, use_tof, out)
        return out.astype(np.float32)

    def back_points(self, values, p1, p2, tof_bin=None) -> np.ndarray:
        from . import _kernels_proj as k

        use_tof = tof_bin is not None
        tb = np.ascontiguousarray(tof_bin if use_tof else np.zeros(len(p1)), np.int32)
        out = np.zeros(self.shape, np.float64)
        nchunks = max(1, min(int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1)), 64))
        k.back(out, self.origin, self.spacing, np.ascontiguousarray(p1, np.float64),
               np.ascontiguousarray(p2, np.float64), tb, self.edges, max(self.sigma, 1e-6), self.nsig, use_tof,
               np.ascontiguousarray(values, np.float64), nchunks)
        return out.astype(np.float32)

    def forward(self, img, d1, d2, tof_bin=None):
        p1, p2 = self._ends(d1, d2)
        return self.forward_points(img, p1, p2, tof_bin)

    def back(self, values, d1, d2, tof_bin=None):
        p1, p2 = self._ends(d1, d2)
        return self.back_points(values, p1, p2, tof_bin)


def siddon_forward(img, spacing, origin, p1, p2) -> np.ndarray:
    """Exact radiological path sum of each ray p1->p2 through the voxel grid (NumPy, slow)."""
    img = np.asarray(img, np.float64)
    nk, nj, ni = img.shape
    n_ijk = np.array([ni, nj, nk])
    sp = np.asarray(spacing, float)
    lo = np.asarray(origin, float) - 0.5 * sp  # grid boundary planes
    out = np.zeros(len(p1))
    for e in range(len(p1)):
        a, b = np.asarray(p1[e], float), np.asarray(p2[e], float)
        d = b - a
        L = np.linalg.norm(d)
        alphas = [np.array([0.0, 1.0])]
        for ax in range(3):
            if abs(d[ax]) > 1e-12:
                planes = lo[ax] + sp[ax] * np.arange(n_ijk[ax] + 1)
                al = (planes - a[ax]) / d[ax]
                alphas.append(al[(al > 0) & (al < 1)])
        al = np.unique(np.concatenate(alphas))
        mids = 0.5 * (al[1:] + al[:-1])
        seg = np.diff(al) * L
        pts = a[None, :] + mids[:, None] * d[None, :]
        idx = np.floor((pts - lo) / sp).astype(int)
        ok = np.all((idx >= 0) & (idx < n_ijk), axis=1)
        out[e] = np.sum(seg[ok] * img[idx[ok, 2], idx[ok, 1], idx[ok, 0]])
    return out
