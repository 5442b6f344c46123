"""The physicist QA report (PDF): NEMA IQ with EARL bands, or the uniform-cylinder check.

Written with reportlab; the plots are drawn with matplotlib's object API on the Agg canvas (no
pyplot, no GUI backend) and embedded as PNG:

* NEMA IQ: the sphere-plane slice with the found spheres, the lung ROI and the 12 background ROI
  centres drawn on it (so the physicist sees what was measured), RCmax and RCA50 against sphere
  diameter with the EARL1 and EARL2 bands shaded, background variability per sphere size, and the
  table of numbers and verdicts;
* uniformity: the axial profile with the +-10 % band, the per-slice coefficient of variation, the
  verdict.

The report takes result objects (duck-typed: ``NemaIqResult`` / ``UniformityResult`` and the
``QaContext`` of :mod:`workstation.analysis.qa`) and imports nothing of the analysis layer. An
existing file is never overwritten unless ``overwrite=True``; the PDF is written to a temporary
file beside the target and moved into place.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
from pathlib import Path

# EARL bands as (low, high) per sphere diameter; the report draws the bands it is given by the
# result's per-sphere verdicts, so the numbers live in one place (analysis.qa.phantom).


class ReportError(ValueError):
    """The report cannot be written (the message says why)."""


def _fig_png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    return buf.getvalue()


def _image(png: bytes, width_mm: float):
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return Image(io.BytesIO(png), width=width_mm * mm, height=width_mm * mm * h / w)


def _rc_plot(res) -> bytes:
    from matplotlib.figure import Figure

    hot = [s for s in res.spheres if s.hot]
    fig = Figure(figsize=(7.0, 3.0))
    for n, (key, title) in enumerate((("rc_max", "RCmax"), ("rc_a50", "RCA50"))):
        ax = fig.add_subplot(1, 2, n + 1)
        for std, colour in (("EARL1", "tab:blue"), ("EARL2", "tab:orange")):
            pts = sorted((s.diameter_mm, *s.earl[std][key]["band"]) for s in hot if std in s.earl)
            if pts:
                ax.fill_between([p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts], color=colour,
                                alpha=0.25, label=f"{std} band")
        xs = [s.diameter_mm for s in hot]
        ax.plot(xs, [getattr(s, key) for s in hot], "ko-", label=title)
        if key == "rc_max":
            ax.plot(xs, [s.rc_peak for s in hot], "s--", color="0.4", label="RCpeak (no band)")
        ax.set_xlabel("sphere diameter (mm)")
        ax.set_ylabel("recovery coefficient")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return _fig_png(fig)


def _bv_plot(res) -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 2.6))
    ax = fig.add_subplot(1, 2, 1)
    ds = [s.diameter_mm for s in res.spheres]
    ax.bar([f"{d:g}" for d in ds], [res.variability[d]["n_percent"] for d in ds], color="tab:green")
    ax.set_xlabel("ROI diameter (mm)")
    ax.set_ylabel("background variability N (%)")
    ax.grid(axis="y", alpha=0.3)
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.bar([f"{o:+g}" for o in _slice_offsets(res)], res.lung_residual_per_slice, color="tab:purple")
    ax2.set_xlabel("background slice (mm from sphere plane)")
    ax2.set_ylabel("lung residual (%)")
    ax2.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _fig_png(fig)


def _slice_offsets(res):
    # the offsets of the background slices, from the plane image's slice spacing is unknown here: use z
    zs = res.background_slice_z if getattr(res, "background_slice_z", None) else None
    if zs:
        return [round(z - res.sphere_plane_z) for z in zs]
    return list(range(len(res.lung_residual_per_slice)))


def _plane_plot(res) -> bytes | None:
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    if res.plane_image is None or res.plane_extent is None:
        return None
    x0, x1, y0, y1 = res.plane_extent
    fig = Figure(figsize=(4.2, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(res.plane_image, cmap="gray_r", extent=(x0, x1, y1, y0), origin="upper",
              vmin=0, vmax=float(4.0 * res.background_mean))
    for s in res.spheres:
        ax.add_patch(Circle(s.centre_world[:2], s.diameter_mm / 2, fill=False, color="red" if s.hot else "blue", lw=1))
        ax.annotate(f"{s.diameter_mm:g}", s.centre_world[:2], color="red", fontsize=6, ha="center", va="center")
    for cx, cy in res.background_roi_centres:
        ax.add_patch(Circle((cx, cy), 18.5, fill=False, color="tab:green", lw=0.8))
    ax.add_patch(Circle(res.lung_axis_world, 15.0, fill=False, color="tab:purple", lw=1))
    ax.set_xlabel("x (mm, patient left +)")
    ax.set_ylabel("y (mm, posterior +)")
    ax.set_title("sphere plane: spheres, lung ROI, 37 mm background ROIs", fontsize=8)
    fig.tight_layout()
    return _fig_png(fig)


def _profile_plot(res) -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 2.8))
    ax = fig.add_subplot(1, 2, 1)
    ax.axhspan(0.9, 1.1, color="tab:green", alpha=0.15, label="1.0 +- 10 %")
    ax.plot(res.profile_z, res.profile_mean, "k-", lw=1, label="slice mean (VOI radius)")
    ax.axvspan(min(res.slice_z), max(res.slice_z), color="tab:blue", alpha=0.08, label="central VOI")
    ax.axhline(res.mean, color="tab:red", lw=1, ls="--", label=f"VOI mean {res.mean:.3f}")
    ax.set_xlabel("z (mm)")
    ax.set_ylabel(res.units or "value")
    ax.set_title("axial profile")
    ax.legend(fontsize=6)
    ax.grid(alpha=0.3)
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.bar(res.slice_z, res.slice_cov, width=0.8 * (abs(res.slice_z[1] - res.slice_z[0]) if len(res.slice_z) > 1
                                                     else 1.0), color="tab:orange")
    ax2.set_xlabel("z (mm)")
    ax2.set_ylabel("CoV per slice (%)")
    ax2.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _fig_png(fig)


def _write(path, story, overwrite: bool, title: str):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from workstation.io.atomic_write import atomic_output

    path = Path(path)
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(f"{path}: the report exists; choose another name or allow overwriting")
    with atomic_output(path, overwrite) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                                bottomMargin=14 * mm, title=title, author="workstation QA")
        doc.build(story)
    return path


def _styles():
    from reportlab.lib.styles import getSampleStyleSheet

    ss = getSampleStyleSheet()
    return ss["Title"], ss["Heading2"], ss["BodyText"]


def _table(rows, col_widths=None, header_rows: int = 1, verdict_cols=()):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table(rows, colWidths=col_widths, repeatRows=header_rows)
    style = [("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 8),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
             ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8e8e8"))]
    for r, row in enumerate(rows[header_rows:], start=header_rows):
        for c in verdict_cols:
            if row[c] == "FAIL":
                style.append(("TEXTCOLOR", (c, r), (c, r), colors.red))
            elif row[c] == "pass":
                style.append(("TEXTCOLOR", (c, r), (c, r), colors.HexColor("#117711")))
    t.setStyle(TableStyle(style))
    return t


def _header(ctx, what: str):
    title, h2, body = _styles()
    from reportlab.platypus import Paragraph, Spacer

    sc = ctx.scanner or {}
    scanner = " / ".join(v for v in (sc.get("manufacturer"), sc.get("model"), sc.get("station_name"),
                                     sc.get("device_serial")) if v) or "unknown scanner"
    when = ctx.reference_datetime.isoformat(sep=" ") if ctx.reference_datetime else "unknown"
    return [Paragraph(what, title),
            Paragraph(f"<b>Scanner</b>: {_esc(scanner)} &nbsp; <b>Scan</b>: {when} &nbsp; "
                      f"<b>Series</b>: {_esc(ctx.description or '')} ({_esc(ctx.series_uid)})", body),
            Paragraph(f"<b>Folder</b>: {_esc(ctx.series_dir)} &nbsp; <b>Report written</b>: "
                      f"{_dt.datetime.now().isoformat(sep=' ', timespec='seconds')}", body),
            Spacer(1, 4)]


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fmt(v, f="{:.3f}"):
    return "-" if v is None else f.format(v)


def write_nema_report(path, res, ctx, *, overwrite: bool = False) -> Path:
    """The NEMA IQ / EARL QA report of ``res`` (a NemaIqResult) for the series in ``ctx``."""
    from reportlab.platypus import Paragraph, Spacer

    _, h2, body = _styles()
    story = _header(ctx, "NEMA NU 2 image quality (IEC body phantom)")
    u = res.units or "image units"
    e1, e2 = res.earl_pass("EARL1"), res.earl_pass("EARL2")
    verdict = lambda v: {True: "PASS", False: "FAIL", None: "-"}[v]  # noqa: E731
    story.append(Paragraph(
        f"<b>EARL1: {verdict(e1)}</b> &nbsp; <b>EARL2: {verdict(e2)}</b> &nbsp; (RCmax and RCA50 of every hot "
        f"sphere in band; RCpeak bands not verified, no verdict). Edition: NU 2-{res.edition}.", body))
    story.append(Paragraph(
        f"Fill: sphere:background {res.true_ratio:g}; true sphere {res.true_sphere:.5g} {u}"
        + (f", true background {res.true_background:.5g} {u}" if res.true_background is not None else "")
        + f" ({_esc(res.fill_note)}). Background {res.background_mean:.5g} {u}, CoV {res.background_cov:.2f} %"
        + (f", calibration (measured / true background) {res.calibration_ratio:.3f}"
           if res.calibration_ratio is not None else "")
        + f". Lung residual {res.lung_residual_percent:.2f} %.", body))
    story.append(Spacer(1, 4))
    rows = [["sphere (mm)", "RCmax", "RCA50", "RCpeak", "Q_H (%)", "Q_C (%)", "N (%)", "EARL1", "EARL2",
             f"max ({u})", f"A50 ({u})"]]
    for s in res.spheres:
        rows.append([f"{s.diameter_mm:g}", _fmt(s.rc_max), _fmt(s.rc_a50), _fmt(s.rc_peak),
                     _fmt(s.contrast_hot, "{:.1f}"), _fmt(s.contrast_cold, "{:.1f}"),
                     f"{res.variability[s.diameter_mm]['n_percent']:.2f}",
                     {True: "pass", False: "FAIL"}.get(s.earl.get("EARL1", {}).get("pass"), "-"),
                     {True: "pass", False: "FAIL"}.get(s.earl.get("EARL2", {}).get("pass"), "-"),
                     _fmt(s.max, "{:.5g}"), _fmt(s.mean_a50, "{:.5g}")])
    story.append(_table(rows, verdict_cols=(7, 8)))
    story.append(Spacer(1, 6))
    story.append(_image(_rc_plot(res), 180))
    story.append(_image(_bv_plot(res), 170))
    plane = _plane_plot(res)
    if plane is not None:
        story.append(_image(plane, 105))
    if res.warnings:
        story.append(Paragraph("Warnings", h2))
        for w in res.warnings:
            story.append(Paragraph(_esc(w), body))
    story.append(Paragraph(
        "Method: spheres found automatically (matched filter and centroid around the IEC pattern) unless placed by "
        "the user; RCmax = max in the sphere VOI; RCA50 = mean of the voxels connected to the maximum at or above "
        "background + 50 % of (max - background); RCpeak = highest mean of a 1 mL ball centred in the sphere; NU 2 "
        "contrast and variability from 2-D ROIs of the sphere's diameter (60 background ROIs per size on the sphere "
        "slice and +-10, +-20 mm).", body))
    return _write(path, story, overwrite, "NEMA IQ QA report")


def write_uniformity_report(path, res, ctx, *, overwrite: bool = False) -> Path:
    """The uniform-cylinder QA report of ``res`` (a UniformityResult)."""
    from reportlab.platypus import Paragraph, Spacer

    _, h2, body = _styles()
    story = _header(ctx, "Uniform cylinder: SUV calibration and uniformity")
    story.append(Paragraph(
        f"<b>{'PASS' if res.passed else 'FAIL'}</b>: mean {res.mean:.4f} {_esc(res.units)} in a central VOI of "
        f"{res.volume_ml:.0f} mL (radius {res.voi_radius_mm:.0f} mm of {res.phantom_radius_mm:.0f} mm, "
        f"{len(res.slice_z)} slices), {res.deviation_percent:+.2f} % from 1.0 (tolerance +-10 %). Largest slice "
        f"deviation from the VOI mean {res.max_slice_deviation_percent:.2f} %, slice CoV "
        f"{min(res.slice_cov):.2f}-{max(res.slice_cov):.2f} %.", body))
    story.append(Spacer(1, 6))
    story.append(_image(_profile_plot(res), 180))
    rows = [["z (mm)", f"mean ({res.units})", "CoV (%)"]]
    for z, m, c in zip(res.slice_z, res.slice_mean, res.slice_cov):
        rows.append([f"{z:.1f}", f"{m:.4f}", f"{c:.2f}"])
    story.append(_table(rows))
    for w in res.warnings:
        story.append(Paragraph(_esc(w), body))
    return _write(path, story, overwrite, "Uniform cylinder QA report")


def write_trend_plot(path, rows, metric: str, *, overwrite: bool = False) -> Path:
    """A PNG of one summary metric over time, one line per scanner (``rows``: QaRow-like objects).

    Verdicts are marked: filled circles passed, crosses failed, open circles without a verdict.
    """
    from matplotlib.figure import Figure

    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: the file exists; choose another name or allow overwriting")
    pts: dict[str, list] = {}
    for r in rows:
        v = (r.summary or {}).get(metric)
        if v is None or r.acquired is None:
            continue
        pts.setdefault(r.scanner, []).append((_dt.datetime.fromisoformat(r.acquired), float(v), r.passed))
    if not pts:
        raise ReportError(f"no stored QA result has the metric {metric!r} with a scan date")
    fig = Figure(figsize=(7.0, 3.2))
    ax = fig.add_subplot(1, 1, 1)
    for scanner, p in sorted(pts.items()):
        p.sort(key=lambda t: t[0])
        line = ax.plot([t[0] for t in p], [t[1] for t in p], "-", lw=1, label=scanner)[0]
        for when, v, ok in p:
            marker = {True: "o", False: "x", None: "o"}[ok]
            ax.plot([when], [v], marker, color=line.get_color(), mfc="none" if ok is None else line.get_color())
    ax.set_ylabel(metric)
    ax.set_xlabel("scan date")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    from workstation.io.atomic_write import write_bytes_atomic

    write_bytes_atomic(path, _fig_png(fig), overwrite=overwrite)
    return path
