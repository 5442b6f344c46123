"""Entry point of the plugin: ``run(request, context) -> ReconResult`` (see manifest.json).

Steps: read the PETSIRD header (SDK) and decode the prompt and delayed events (numba); build
the reconstruction grid (``matrix`` x ``matrix`` x axial extent of the scanner, ``voxel_size``
mm, centred on the scanner); resample the attenuation map (1/cm, from the CT) onto it through
world coordinates; compute or load the sensitivity image; run list-mode OSEM with a preview per
iteration (on a GPU with events, sensitivity and image resident on the device); post-filter; convert Bq/mm^3 to Bq/mL.
"""

from __future__ import annotations

import time

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.recon.api import PluginInputError, ReconResult


def trilinear_resample(src: np.ndarray, src_geom: ImageGeometry, dst_geom: ImageGeometry) -> np.ndarray:
    """Values of ``src`` at the voxel centres of ``dst_geom`` (world coordinates; 0 outside)."""
    nk, nj, ni = dst_geom.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    world = dst_geom.ijk_to_world(np.stack([i, j, k], axis=-1).reshape(-1, 3))
    q = src_geom.world_to_ijk(world)  # (n, 3) continuous i, j, k
    src = np.asarray(src, np.float64)
    sk, sj, si = src.shape
    out = np.zeros(q.shape[0])
    base = np.floor(q).astype(np.int64)
    frac = q - base
    for di in (0, 1):
        for dj in (0, 1):
            for dk in (0, 1):
                ii, jj, kk = base[:, 0] + di, base[:, 1] + dj, base[:, 2] + dk
                w = ((frac[:, 0] if di else 1 - frac[:, 0]) * (frac[:, 1] if dj else 1 - frac[:, 1])
                     * (frac[:, 2] if dk else 1 - frac[:, 2]))
                ok = (ii >= 0) & (ii < si) & (jj >= 0) & (jj < sj) & (kk >= 0) & (kk < sk)
                out[ok] += w[ok] * src[kk[ok], jj[ok], ii[ok]]
    return out.reshape(dst_geom.shape)


def recon_geometry(scanner, voxel_size: float, matrix: int) -> ImageGeometry:
    z = scanner.face_centres[:, 2]
    zs = np.unique(np.round(z, 3))
    pitch = float(np.min(np.diff(zs))) if zs.size > 1 else voxel_size
    extent = float(np.ptp(z)) + pitch
    nk = max(1, int(round(extent / voxel_size)))
    v = float(voxel_size)
    zc = 0.5 * (float(z.min()) + float(z.max()))  # axial centre of the scanner (a bed position may shift it)
    origin = (-(matrix - 1) / 2 * v, -(matrix - 1) / 2 * v, zc - (nk - 1) / 2 * v)
    return ImageGeometry((nk, matrix, matrix), (v, v, v), origin)


def run(request, context) -> ReconResult:
    from . import gpu, osem, petsird_io
    from .scanner import ScannerError

    p = request.parameters
    path = request.input_files.get("listmode")
    if path is None:
        raise PluginInputError("listmode-osem needs a PETSIRD list-mode file (input 'listmode')")
    t0 = time.time()
    context.progress(0.0, "reading PETSIRD header")
    try:
        header = petsird_io.read_header(path)
        (b1, b2, tof, _), (db1, db2, _, _), duration_ms = petsird_io.decode_all(path, header)
    except (petsird_io.PetsirdError, ScannerError) as exc:
        raise PluginInputError(str(exc)) from None
    scanner = header.scanner
    n_en = scanner.n_energy_bins
    d1, d2 = (b1 // n_en).astype(np.int32), (b2 // n_en).astype(np.int32)
    if p["max_events"] and d1.size > p["max_events"]:
        frac_used = p["max_events"] / d1.size
        d1, d2, tof = d1[: p["max_events"]], d2[: p["max_events"]], tof[: p["max_events"]]
    else:
        frac_used = 1.0
    if d1.size == 0:
        raise PluginInputError(f"{path}: no prompt coincidences in the file")
    if np.any(d1 >= scanner.n_detectors) or np.any(d2 >= scanner.n_detectors):
        raise PluginInputError(f"{path}: detection bins beyond the {scanner.n_detectors} crystals of the scanner")
    if np.any(tof >= max(1, scanner.n_tof_bins)):
        raise PluginInputError(f"{path}: TOF indices beyond the {scanner.n_tof_bins} bins of the scanner")
    duration_s = duration_ms / 1000.0 * frac_used
    if duration_s <= 0:
        raise PluginInputError(f"{path}: the time blocks span no time; cannot calibrate to Bq/mL")
    context.log(f"{d1.size} prompts, {db1.size} delayeds, {duration_s:.3f} s, {scanner.n_detectors} crystals, "
                f"{scanner.n_tof_bins} TOF bins ({scanner.tof_fwhm_mm:g} mm FWHM), decoded in {time.time() - t0:.2f} s")
    use_tof = bool(p["tof"]) and scanner.n_tof_bins > 1
    geom = recon_geometry(scanner, p["voxel_size"], p["matrix"])
    try:
        device, device_why = gpu.select_device(p.get("device", "auto"))
    except gpu.DeviceError as exc:
        raise PluginInputError(str(exc)) from None
    context.log(f"projector on the {device.upper()} ({device_why})")
    proj = gpu.make_projector(device, geom.shape, geom.spacing, geom.origin, scanner.face_centres, scanner.tof_edges,
                              scanner.tof_fwhm_mm)
    mu = None
    if request.has_array("mu_map"):
        src_geom = request.array_geometries.get("mu_map")
        if src_geom is None:
            raise PluginInputError("input 'mu_map' has no geometry; cannot place it in the scanner")
        mu = (trilinear_resample(request.array("mu_map"), src_geom, geom) / 10.0).astype(np.float32)  # 1/cm->1/mm
        if not np.all(np.isfinite(mu)) or mu.min() < 0:
            raise PluginInputError("attenuation map has negative or non-finite values")
    context.check_cancel()
    context.progress(0.02, "sensitivity image")
    sens = osem.sensitivity_image(scanner, proj, mu, progress=lambda f: context.progress(0.02 + 0.28 * f,
                                                                                          "sensitivity image"))
    sens = sens * np.float32(duration_s)
    mult = osem.multiplicative_factors(scanner, proj if mu is not None else None, mu, d1, d2, duration_s)
    add = (osem.randoms_per_event(scanner, db1 // n_en, db2 // n_en, d1, d2, scanner.n_tof_bins if use_tof else 1)
           * frac_used if p["randoms"] else np.zeros(d1.size))
    order = np.random.default_rng(0).permutation(d1.size)  # subsets that mix time and space
    d1, d2, tof, mult, add = d1[order], d2[order], tof[order], mult[order], add[order]

    def on_iteration(it, x):
        context.partial_result(ReconResult(x * np.float32(1000.0), geom, description=f"iteration {it}"), it)
        context.log(f"iteration {it} done")

    recon = gpu.lm_osem_resident if device == "gpu" else osem.lm_osem  # GPU: events and image stay on the device
    x = recon(proj, sens, d1, d2, tof.astype(np.int32) if use_tof else None, mult, add, p["iterations"],
              p["subsets"], progress=lambda f, m: context.progress(0.3 + 0.68 * f, m), on_iteration=on_iteration)
    x = osem.gaussian_filter(x, p["post_filter_fwhm"], geom.spacing)
    img = (x * np.float32(1000.0)).astype(np.float32)  # Bq/mm^3 -> Bq/mL
    context.progress(1.0, "done")
    return ReconResult(img, geom, description=f"LM-OSEM {p['iterations']}i{p['subsets']}s{' TOF' if use_tof else ''}",
                       provenance={"calibration_factor": scanner.calibration_factor,
                                   "calibration_source": "PETSIRD ScannerInformation.detection_efficiencies."
                                                         "calibration_factor x Crofton geometric factor",
                                   "duration_s": duration_s, "prompts": int(d1.size), "delayeds": int(db1.size),
                                   "tof": use_tof, "attenuation": mu is not None, "scanner": scanner.model_name,
                                   "parameters": dict(p), "seconds": round(time.time() - t0, 2),
                                   "voxel_volume_ml": geom.voxel_volume_ml, "exam": header.exam,
                                   "device": device, "device_detail": device_why})
