"""Pictures of the dosimetry workspace drawn with matplotlib (Agg) into RGBA arrays: no Qt, no VTK here.

* :func:`slice_panels`: one axial slice (index k of the first time point's grid) of every time point
  resampled on that grid (so one crosshair is the same anatomy in all, once registered), the VOI outlines,
  and a last panel with the dose map over the first time point and isodose lines. Radiological convention:
  the patient's left on the image's right, letters on the edges.
* :func:`tac_figure`: a VOI's measured activities, the chosen model and its residuals.
* :func:`dvh_figure`: the cumulative DVH of every VOI.
"""

from __future__ import annotations

import math

import numpy as np

ISODOSE_FRACTIONS = (0.25, 0.5, 0.75, 0.9)


def _canvas(fig) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def slice_panels(result, k: int, cross=None, width_px: int = 1200, labels=None):
    """(RGBA image of slice ``k``, boxes): each time point, then the dose with isodose lines (see the module
    docstring); ``boxes`` are the panels' image extents (x0, y0, x1, y1) in pixels from the top left."""
    from matplotlib.figure import Figure

    tps = result.therapy.time_points
    maps = result.aligned_bqml or [tps[0].activity_bqml()]
    n = len(maps) + 1
    dpi = 100
    fig = Figure(figsize=(width_px / dpi, width_px / dpi / n * 1.12), dpi=dpi)
    top = max(float(np.percentile(m[k], 99.9)) if m[k].any() else 1.0 for m in maps) or 1.0
    dose = result.dose_map_gy
    dmax = float(dose.max()) if dose is not None and dose.size else 0.0
    titles = labels or [f"{tp.label}  {tp.time_h:.1f} h" for tp in tps]
    for i in range(n):
        ax = fig.add_axes([i / n + 0.005, 0.02, 1 / n - 0.01, 0.88])
        ax.set_xticks([]), ax.set_yticks([])
        base = maps[0] if i == n - 1 else maps[i]
        ax.imshow(base[k], cmap="gray_r" if i == n - 1 else "hot", vmin=0, vmax=top, interpolation="nearest")
        if i == n - 1:
            ax.set_title("dose (Gy), isodose lines", fontsize=9)
            if dmax > 0:
                d = dose[k]
                ax.imshow(np.ma.masked_less(d, 0.05 * dmax), cmap="jet", vmin=0, vmax=dmax, alpha=0.55,
                          interpolation="nearest")
                levels = [f * dmax for f in ISODOSE_FRACTIONS]
                if d.max() > levels[0]:
                    cs = ax.contour(d, levels=levels, colors=["#0044ff", "#00aa00", "#ff8800", "#ff0000"],
                                    linewidths=0.8)
                    ax.clabel(cs, fmt=lambda v: f"{v:.0f} Gy" if v >= 10 else f"{v:.1f} Gy", fontsize=6)
        else:
            ax.set_title(titles[i], fontsize=9)
        for c, (name, mask) in enumerate(result.voi_masks.items()):
            if mask[k].any():
                ax.contour(mask[k].astype(float), levels=[0.5], colors=[f"C{c % 10}"], linewidths=0.9)
        if cross is not None:
            j, ii = cross
            ax.axhline(j, color="#00ffff", lw=0.5), ax.axvline(ii, color="#00ffff", lw=0.5)
        ax.text(0.01, 0.5, "R", transform=ax.transAxes, color="w", fontsize=8, va="center",
                bbox={"fc": "k", "alpha": 0.4, "pad": 1})
        ax.text(0.99, 0.5, "L", transform=ax.transAxes, color="w", fontsize=8, va="center", ha="right",
                bbox={"fc": "k", "alpha": 0.4, "pad": 1})
    rgba = _canvas(fig)
    h = rgba.shape[0]
    boxes = []
    for ax in fig.axes[:n]:
        b = ax.get_window_extent()
        boxes.append((float(b.x0), float(h - b.y1), float(b.x1), float(h - b.y0)))
    return rgba, boxes


def tac_figure(result, voi_name: str, width_px: int = 560, height_px: int = 360) -> np.ndarray:
    """RGBA image: the VOI's TAC (points), the chosen model (line) and the residuals below."""
    from matplotlib.figure import Figure

    v = next(x for x in result.vois if x.name == voi_name)
    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    ax = fig.add_axes([0.14, 0.38, 0.82, 0.54])
    rx = fig.add_axes([0.14, 0.12, 0.82, 0.18], sharex=ax)
    t_last = max(v.times_h)
    hl = result.therapy.nuclide.half_life_s / 3600
    t = np.linspace(0, max(3 * t_last, 1.5 * hl), 300)
    lp = math.log(2) / hl
    ax.plot(v.times_h, v.activities_mbq, "o", color="C0")
    ax.plot(t, v.fit.curve(t, lambda_phys=lp), "-", color="C1")
    ax.set_title(f"{v.name}: {v.fit.model}, TIA {v.fit.tia_mbq_h:.0f} ± {v.fit.tia_sd_mbq_h:.0f} MBq·h", fontsize=9)
    ax.set_ylabel("activity (MBq)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    rx.axhline(0, color="k", lw=0.5)
    rx.plot(v.times_h, v.fit.residuals, "s", color="C2", ms=4)
    rx.set_ylabel("resid.", fontsize=8)
    rx.set_xlabel("time after injection (h)", fontsize=8)
    rx.tick_params(labelsize=7)
    return _canvas(fig)


def dvh_figure(result, width_px: int = 560, height_px: int = 300) -> np.ndarray:
    """RGBA image: cumulative DVH of every VOI (the chosen method)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    ax = fig.add_axes([0.12, 0.16, 0.84, 0.74])
    for c, v in enumerate(result.vois):
        if v.dvh["dose_gy"]:
            ax.plot(v.dvh["dose_gy"], v.dvh["volume_fraction"], color=f"C{c % 10}", label=v.name)
    ax.set_xlabel("dose (Gy)", fontsize=8)
    ax.set_ylabel("volume fraction", fontsize=8)
    ax.set_title(f"DVH ({result.options.method.upper()})", fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return _canvas(fig)
