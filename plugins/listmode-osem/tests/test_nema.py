"""Reconstruction of the simulated NEMA IEC body phantom: recovery, contrast, variability per iteration.

Phantom geometry from ``refdata/nema-iec-body-phantom/geometry.json`` (spheres 37..10 mm on a
57.27 mm circle, lung insert, body shape), 4:1 spheres, 5.3 kBq/mL background; scanner: ring
of radius 180 mm, 180 crystals x 12 rings of 6 mm, TOF 60 mm FWHM (200 ps); 4 s of data, about
1.2 million trues (10x what the first simulator could afford; it now samples activity layers and
integrates attenuation exactly). LM-OSEM 4 iterations x 6 subsets on 4 mm voxels, TOF,
attenuation from the phantom's mu map, randoms from delayeds.

The table printed per iteration holds, per sphere: RCmax and RCA50 (EARL definitions,
background-adapted A50), the NEMA hot contrast Q_H and the background variability N (12 ROIs
of the sphere's size on the central slice and at +-1, +-2 cm), and whether RCmax/RCA50 fall in
the EARL1/EARL2 bands of ``refdata/earl-nema-standards/README.md`` -- once unfiltered and once
with a 6 mm Gaussian post-filter (the harmonisation filter EARL-style protocols use; the plugin's
``post_filter_fwhm``). EARL band compliance is reported, not asserted: the simulated scanner has
no positron range, crystal penetration or PSF blur, so its recovery sits near the EARL2 (high
resolution) bands rather than EARL1.

Asserted, with the reason:
* the background mean within 5 % of the truth (calibration traceable to the scanner model; the
  EANM QC tolerance for a uniform phantom is 10 %);
* the 37 mm sphere (6 mm filter, last iteration): RCA50 in [0.85, 1.10] and Q_H in [70, 105] %
  -- a sphere 5x the effective resolution (~7 mm) is almost fully recovered, noise adds a bias
  upwards;
* partial volume: the 10 mm sphere recovers at least 0.2 less than the 37 mm one;
* background variability of the 37 mm ROIs below 10 % with the filter (published 4:1 scans:
  2.6-8 %);
* recovery of the 37 mm sphere does not fall with iterations (OSEM convergence).
"""

import math

import numpy as np
import pytest

from osem_fixtures import REFDATA

EARL = {  # sphere mm: (EARL1 RCmax, EARL1 RCA50, EARL2 RCmax, EARL2 RCA50) from the refdata README
    37: ((0.95, 1.16), (0.76, 0.89), (1.05, 1.29), (0.85, 1.00)),
    28: ((0.91, 1.13), (0.72, 0.85), (1.01, 1.26), (0.82, 0.97)),
    22: ((0.83, 1.09), (0.63, 0.78), (1.01, 1.32), (0.80, 0.99)),
    17: ((0.73, 1.01), (0.57, 0.73), (1.00, 1.38), (0.76, 0.97)),
    13: ((0.59, 0.85), (0.44, 0.60), (0.85, 1.22), (0.63, 0.86)),
    10: ((0.34, 0.57), (0.27, 0.43), (0.52, 0.88), (0.39, 0.61)),
}


def analyse(img, geom, info, shapes):
    from listmode_osem import _kernels_sim as ks
    from listmode_osem.simulate import _pack

    kinds, params, _, _ = _pack(shapes)
    body = [s for s in range(len(kinds)) if kinds[s] == 2][0]
    w = geom.kji_to_world(np.moveaxis(np.indices(geom.shape), 0, -1))
    x, y, z = w[..., 0], w[..., 1], w[..., 2]
    k0 = int(np.argmin(np.abs(w[:, 0, 0, 2])))
    dz = geom.spacing[2]
    slices = sorted({int(np.clip(k0 + round(o / dz), 0, geom.shape[0] - 1)) for o in (-20, -10, 0, 10, 20)})
    true_s, true_b = info["sphere_bqml"], info["background_bqml"]
    ratio = true_s / true_b
    out = []
    for d, c in zip(info["sphere_diameters_mm"], info["sphere_centres_mm"]):
        r = d / 2
        near = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= (r + 4.0) ** 2
        vmax = float(img[near].max())
        # background ROIs of this size on a 100 mm ring, inside the body, clear of spheres and lung
        rois = []
        for a in np.radians(np.arange(0, 360, 15)):
            cx, cy = 100 * math.cos(a), 100 * math.sin(a)
            edge = [(cx + (r + 3) * math.cos(t), cy + (r + 3) * math.sin(t), 0.0) for t in np.linspace(0, 2 * np.pi, 16)]
            inside = ks.values_at(np.array(edge), kinds[body:body + 1], params[body:body + 1], np.ones(1))
            clear = all(math.hypot(cx - s[0], cy - s[1]) > r + 18.5 + 4 for s in info["sphere_centres_mm"])
            if inside.min() > 0 and clear and math.hypot(cx, cy) > info["lung_radius_mm"] + r + 4:
                rois.append((cx, cy))
        rois = rois[:12]
        disc = lambda cx, cy: (x[0] - cx) ** 2 + (y[0] - cy) ** 2 <= r * r  # noqa: E731
        bg_means = np.array([img[k][disc(cx, cy)].mean() for k in slices for cx, cy in rois])
        cb = float(bg_means.mean())
        thr = cb + 0.5 * (vmax - cb)
        a50 = float(img[near & (img >= thr)].mean())
        ch = float(img[k0][disc(c[0], c[1])].mean())
        out.append({"d": d, "RCmax": vmax / true_s, "RCA50": a50 / true_s, "QH%": 100 * (ch / cb - 1) / (ratio - 1),
                    "N%": 100 * float(bg_means.std(ddof=1)) / cb, "n_roi": len(bg_means)})
    return out


def _table(label, rows):
    inb = lambda v, b: "in " if b[0] <= v <= b[1] else "out"  # noqa: E731
    lines = [f"{label}:  d(mm)  RCmax  RCA50  QH%    N%   EARL1(max,A50) EARL2(max,A50)"]
    for r in rows:
        e = EARL[int(r["d"])]
        lines.append(f"{' ' * len(label)}    {r['d']:4.0f}  {r['RCmax']:.2f}   {r['RCA50']:.2f}  {r['QH%']:5.1f} "
                     f"{r['N%']:5.1f}   {inb(r['RCmax'], e[0])},{inb(r['RCA50'], e[1])}        "
                     f"{inb(r['RCmax'], e[2])},{inb(r['RCA50'], e[3])}")
    return "\n".join(lines)


def _in_bands(rows, which):
    """How many of the 12 checks (RCmax and RCA50 of 6 spheres) fall in EARL1 (0) or EARL2 (1) bands."""
    n = 0
    for r in rows:
        e = EARL[int(r["d"])]
        n += int(e[2 * which][0] <= r["RCmax"] <= e[2 * which][1])
        n += int(e[2 * which + 1][0] <= r["RCA50"] <= e[2 * which + 1][1])
    return n


@pytest.mark.slow
def test_nema_recovery_per_iteration(tmp_path):
    gj = REFDATA / "nema-iec-body-phantom" / "geometry.json"
    if not gj.is_file():
        pytest.skip(f"refdata missing: {gj}")
    from listmode_osem import osem, petsird_io
    from listmode_osem import simulate as sim
    from listmode_osem.plugin import run
    from listmode_osem.scanner import cylindrical_scanner
    from workstation.core.geometry import ImageGeometry
    from workstation.recon.api import NullContext, ReconRequest

    duration, fwhm = 4.0, 6.0
    shapes, info = sim.nema_phantom(gj, 5300.0, 4.0)
    s = cylindrical_scanner(radius=180.0, n_per_ring=180, n_rings=12, ring_pitch=6.0, tof_fwhm_mm=60.0, n_tof_bins=15)
    prompts, _, delayeds, stats = sim.simulate(s, shapes, duration, 0.1, seed=11)
    path = tmp_path / "nema.petsird"
    petsird_io.write_listmode(path, s, prompts.T, delayeds.T, duration_s=duration)
    mg = ImageGeometry((37, 180, 180), (2.0, 2.0, 2.0), (-179.0, -179.0, -36.0))
    mu = sim.phantom_image(shapes, mg, 2, "mu").astype(np.float32)
    params = {"iterations": 4, "subsets": 6, "voxel_size": 4.0, "matrix": 90, "tof": True, "post_filter_fwhm": fwhm,
              "randoms": True, "max_events": 0}
    ctx = NullContext()
    res = run(ReconRequest("nema", "listmode-osem", params, {"listmode": path}, _arrays={"mu_map": mu},
                           array_geometries={"mu_map": mg}), ctx)
    print(f"\nNEMA IEC simulation ({duration:g} s): {stats}")
    per_it = {0.0: [], fwhm: []}
    for f in per_it:
        for it, part in ctx.partials:
            img = osem.gaussian_filter(part.array, f, part.geometry.spacing)
            rows = analyse(img, part.geometry, info, shapes)
            per_it[f].append(rows)
            print(_table(f"iteration {it}, post-filter {f:g} mm", rows))
    final = analyse(res.array, res.geometry, info, shapes)
    # the plugin's own post-filter gives the image analysed as the filtered last iteration
    np.testing.assert_allclose([r["RCA50"] for r in final], [r["RCA50"] for r in per_it[fwhm][-1]], rtol=1e-4)
    for f, rows in per_it.items():
        print(f"post-filter {f:g} mm, last iteration: {_in_bands(rows[-1], 0)}/12 EARL1 and "
              f"{_in_bands(rows[-1], 1)}/12 EARL2 band checks (RCmax, RCA50 x 6 spheres) pass")
    # background calibration on the final image: body voxels away from spheres, lung and edges
    g = res.geometry
    w = g.kji_to_world(np.moveaxis(np.indices(g.shape), 0, -1))
    x, y, z = w[..., 0], w[..., 1], w[..., 2]
    bgmask = (np.hypot(x, y) > 85) & (np.hypot(x, y) < 110) & (y < 60) & (np.abs(z) < 20)
    bg = float(res.array[bgmask].mean())
    rc37 = [rows[0]["RCA50"] for rows in per_it[fwhm]]
    print(f"background mean {bg:.0f} Bq/mL (truth 5300), RCA50(37 mm, {fwhm:g} mm filter) per iteration "
          f"{np.round(rc37, 3).tolist()}")
    assert bg == pytest.approx(5300.0, rel=0.05)
    assert 0.85 <= final[0]["RCA50"] <= 1.10
    assert 70.0 <= final[0]["QH%"] <= 105.0
    assert final[5]["RCA50"] < final[0]["RCA50"] - 0.2
    assert final[0]["N%"] < 10.0
    assert rc37[-1] >= rc37[0]
    assert all(r["n_roi"] >= 30 for r in final)
