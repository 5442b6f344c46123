"""The cohort report (PDF) of a batch run: distributions, outliers, failures, QC flags, run metadata.

Input: the series rows and lesion rows of a result set (plain dicts with the columns of
``workstation.batch.schema``, as ``batch.store.load_results`` reads them from Parquet) and the
run metadata. Contents:

* the run: task, parameters, software version, engine (workers, scheduler), times and counts,
  one line per run or resume;
* histograms of the series' SUVmax (highest lesion), TMTV and liver SUVmean (and, when the task
  gave them, the blood-pool SUVmean, the QA cylinder mean, the image SUVmax), each with n,
  median and interquartile range;
* outliers: values outside Tukey's fences (below Q1 − 1.5 IQR or above Q3 + 1.5 IQR) of each
  plotted quantity, with the series that gave them;
* QC flags (missing tags, decay conflicts, unknown sex, liver not found, ...) counted, and the
  failures with their reasons.

The plots are drawn with matplotlib's object API on the Agg canvas and embedded as PNG; no patient
name, ID or birth date is in the rows, so none can reach the report. An existing file is never
overwritten unless ``overwrite=True``; the PDF is written beside the target and moved into place.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import os
import tempfile
from pathlib import Path

#: (column, label, unit) of the quantities plotted, in order; the first three always appear
METRICS = (("suvmax", "SUVmax (highest lesion)", ""), ("tmtv_ml", "TMTV", "mL"),
           ("liver_suvmean", "liver SUVmean", ""), ("blood_pool_suvmean", "blood-pool SUVmean", ""),
           ("qa_mean", "QA cylinder mean SUV", ""), ("suvmax_image", "image SUVmax", ""))
TUKEY_K = 1.5


class ReportError(ValueError):
    """The report cannot be written (the message says why)."""


def values(rows: list[dict], column: str) -> list[tuple[float, dict]]:
    """The finite values of ``column`` in the rows that succeeded, with their rows."""
    out = []
    for r in rows:
        v = r.get(column)
        if r.get("status") == "ok" and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out.append((float(v), r))
    return out


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    """(Q1, median, Q3) by linear interpolation between order statistics (numpy's default)."""
    import numpy as np

    q = np.percentile(np.asarray(xs, float), [25, 50, 75])
    return float(q[0]), float(q[1]), float(q[2])


def tukey_outliers(pairs: list[tuple[float, dict]], k: float = TUKEY_K) -> tuple[list[tuple[float, dict]], tuple]:
    """The (value, row) pairs outside [Q1 - k IQR, Q3 + k IQR], and the fences (none below 4 values)."""
    if len(pairs) < 4:
        return [], (None, None)
    q1, _, q3 = quartiles([v for v, _ in pairs])
    lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
    return sorted([(v, r) for v, r in pairs if v < lo or v > hi], key=lambda t: t[0]), (lo, hi)


def _fig_png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    return buf.getvalue()


def histograms_png(series: list[dict]) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    shown = [m for n, m in enumerate(METRICS) if n < 3 or values(series, m[0])]
    if values(series, "suvmax"):  # the lesions task: the image SUVmax is (nearly always) the same number
        shown = [m for m in shown if m[0] != "suvmax_image"]
    ncols = 3
    nrows = (len(shown) + ncols - 1) // ncols
    fig = Figure(figsize=(7.2, 2.5 * nrows))
    for n, (col, label, unit) in enumerate(shown):
        ax = fig.add_subplot(nrows, ncols, n + 1)
        xs = [v for v, _ in values(series, col)]
        ax.set_title(label, fontsize=8)
        ax.set_xlabel(f"{label} ({unit})" if unit else label, fontsize=7)
        ax.set_ylabel("series", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not xs:
            ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes, fontsize=8, color="0.4")
            continue
        bins = max(5, min(30, int(math.sqrt(len(xs))) + 1))
        ax.hist(xs, bins=bins, color="tab:blue", alpha=0.75, edgecolor="white", linewidth=0.4)
        q1, med, q3 = quartiles(xs)
        ax.axvline(med, color="tab:red", lw=1, label=f"median {med:.3g}")
        ax.axvspan(q1, q3, color="tab:red", alpha=0.08, label=f"IQR {q1:.3g}-{q3:.3g}")
        outl, (lo, hi) = tukey_outliers([(v, {}) for v in xs])
        for f in (lo, hi):
            if f is not None and min(xs) <= f <= max(xs):
                ax.axvline(f, color="0.3", lw=0.8, ls=":")
        ax.legend(fontsize=6, title=f"n = {len(xs)}", title_fontsize=6)
        ax.grid(alpha=0.25)
    fig.tight_layout()
    return _fig_png(fig)


def _styles():
    from reportlab.lib.styles import getSampleStyleSheet

    ss = getSampleStyleSheet()
    small = ss["BodyText"].clone("small", fontSize=7, leading=8.5)
    return ss["Title"], ss["Heading2"], ss["BodyText"], small


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(rows, col_widths=None):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table(rows, colWidths=col_widths, repeatRows=1)
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 7), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
                           ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))]))
    return t


def _who(r: dict) -> str:
    uid = r.get("series_uid") or ""
    src = r.get("source") or ""
    short = ("…" + uid[-18:]) if len(uid) > 20 else uid
    return f"{short} ({Path(src).name})" if src else short


def _image(png: bytes, width_mm: float):
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    w, h = ImageReader(io.BytesIO(png)).getSize()
    return Image(io.BytesIO(png), width=width_mm * mm, height=width_mm * mm * h / w)


def _run_lines(meta: dict) -> list[str]:
    runs = meta.get("runs") or ([meta] if meta else [])
    out = []
    for n, r in enumerate(runs, 1):
        engine = r.get("engine", "?")
        if r.get("workers") is not None:
            engine += f", {r.get('workers')} worker(s)"
        if r.get("scheduler"):
            engine += f", scheduler {r.get('scheduler')}"
        out.append(f"<b>Run {n}</b>: task {_esc(r.get('task', '?'))}, workstation {_esc(r.get('software_version', '?'))}"
                   f" (Dask {_esc(r.get('distributed_version', '-'))}); {_esc(engine)}; started "
                   f"{_esc(r.get('started_utc', '?'))} UTC, {float(r.get('seconds') or 0):.1f} s; "
                   f"{r.get('selected', '?')} selected, {r.get('skipped_done', 0)} skipped as done, "
                   f"{r.get('completed', '?')} run ({r.get('failed', 0)} failed)"
                   + (" — <b>interrupted</b>" if r.get("interrupted") else ""))
    return out


def build_story(series: list[dict], lesions: list[dict], meta: dict, title: str):
    from reportlab.platypus import Paragraph, Spacer

    h1, h2, body, small = _styles()
    ok = [r for r in series if r.get("status") == "ok"]
    failed = [r for r in series if r.get("status") != "ok"]
    story = [Paragraph(_esc(title), h1),
             Paragraph(f"{len(series)} series: {len(ok)} quantified, {len(failed)} failed; {len(lesions)} lesions. "
                       f"Report written {_dt.datetime.now().isoformat(sep=' ', timespec='seconds')}.", body)]
    tasks = sorted({(r.get("task") or "") + (f":{r['method']}" if r.get("method") else "") for r in series})
    params = sorted({r.get("parameters") or "" for r in series})
    versions = sorted({r.get("software_version") or "" for r in series})
    story.append(Paragraph(f"<b>Task</b>: {_esc(', '.join(tasks))} &nbsp; <b>Software</b>: workstation "
                           f"{_esc(', '.join(versions))}", body))
    for p in params:
        try:
            text = ", ".join(f"{k} = {v}" for k, v in json.loads(p).items())
        except ValueError:
            text = p
        story.append(Paragraph(f"<b>Parameters</b>: {_esc(text)}", small))
    for line in _run_lines(meta):
        story.append(Paragraph(line, small))
    if len(versions) > 1 or len(params) > 1:
        story.append(Paragraph("<b>Note</b>: the rows come from more than one software version or parameter set; "
                               "compare them with care.", body))
    story.append(Spacer(1, 4))
    story.append(Paragraph("Distributions", h2))
    story.append(Paragraph("Each histogram counts the quantified series (one value per series); the red line is the "
                           "median, the band the interquartile range, dotted lines Tukey's fences "
                           f"(Q1 − {TUKEY_K:g} IQR, Q3 + {TUKEY_K:g} IQR).", small))
    story.append(_image(histograms_png(series), 180))
    story.append(Paragraph("Outliers", h2))
    rows = [["quantity", "value", "fences", "series (folder)"]]
    for col, label, unit in METRICS:
        pairs = values(series, col)
        outl, (lo, hi) = tukey_outliers(pairs)
        for v, r in outl:
            rows.append([label, f"{v:.4g} {unit}".strip(), f"{lo:.3g} – {hi:.3g}", Paragraph(_esc(_who(r)), small)])
    if len(rows) > 1:
        story.append(_table(rows, [110, 55, 70, 275]))
    else:
        story.append(Paragraph("No value lies outside Tukey's fences (or fewer than 4 values of a quantity).", body))
    story.append(Paragraph("QC flags", h2))
    counts: dict[str, int] = {}
    for r in series:
        for f in (r.get("qc_flags") or "").split(","):
            if f:
                counts[f] = counts.get(f, 0) + 1
    if counts:
        story.append(_table([["flag", "series"]] + [[k, str(v)] for k, v in sorted(counts.items())], [150, 60]))
    else:
        story.append(Paragraph("No QC flag raised.", body))
    story.append(Paragraph(f"Failures ({len(failed)})", h2))
    if failed:
        frows = [["series (folder)", "reason"]]
        for r in failed:
            frows.append([Paragraph(_esc(_who(r)), small), Paragraph(_esc(r.get("error") or "?"), small)])
        story.append(_table(frows, [170, 340]))
    else:
        story.append(Paragraph("None.", body))
    return story


def write_cohort_report(path, series: list[dict], lesions: list[dict], meta: dict | None = None, *,
                        overwrite: bool = False, title: str = "Cohort report") -> Path:
    """Write the cohort report PDF to ``path`` (see the module docstring); returns the path."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise ReportError(f"{path}: give a file name ending in .pdf")
    if path.exists() and not overwrite:
        raise ReportError(f"{path}: the file exists; choose another name or pass --force")
    if not series:
        raise ReportError("the result set has no series row: nothing to report")
    story = build_story(series, lesions, meta or {}, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".pdf", dir=str(path.parent))
    os.close(fd)
    try:
        doc = SimpleDocTemplate(tmp, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                                bottomMargin=14 * mm, title=title, author="workstation batch")
        doc.build(story)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
