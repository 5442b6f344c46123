"""Benchmark: DICOM series → volume, ours against SimpleITK and the I/O floor, same files, same run.

Generates (once, in a temp folder) a 600-slice 512×512 CT series and a 300-slice 200×200 PET
series with per-slice rescale slopes, then times, on warm page cache (best of N):
  * ours:      workstation.io.loader.load_series (sorted by position, rescaled, geometry checked)
  * SimpleITK: ImageSeriesReader with GDCM's file sorting (what a user would otherwise call)
  * pydicom:   a plain loop of dcmread + pixel_array, then stack (no sorting or checks)
  * floor:     a header-only parse of every file plus reading its bytes
Prints times and the ratios. Usage: python bench/bench_load.py [--ct-slices N] [--repeat R] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid


def write_series(out: Path, n: int, size: int, modality: str, seed: int = 0, study_uid: str | None = None,
                 frame_uid: str | None = None) -> list[Path]:
    """One series of ``n`` slices; a PET/CT is two calls with the same ``study_uid`` and ``frame_uid``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    base = Dataset()
    base.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2" if modality == "CT" else "1.2.840.10008.5.1.4.1.1.128"
    base.StudyInstanceUID, base.SeriesInstanceUID = study_uid or generate_uid(), generate_uid()
    base.FrameOfReferenceUID = frame_uid or generate_uid()
    base.Modality = modality
    base.PatientName, base.PatientID = "BENCH^LOAD", "B1"
    base.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    base.PixelSpacing = [0.9765625, 0.9765625] if modality == "CT" else [4.0, 4.0]
    base.SliceThickness = 1.0 if modality == "CT" else 3.0
    base.Rows = base.Columns = size
    base.SamplesPerPixel, base.PhotometricInterpretation = 1, "MONOCHROME2"
    base.BitsAllocated, base.BitsStored, base.HighBit, base.PixelRepresentation = 16, 16, 15, 1
    if modality == "PT":
        base.Units, base.DecayCorrection = "BQML", "START"
    slice_img = rng.integers(-1000, 2000, (size, size)).astype("<i2")
    perm = rng.permutation(n)
    paths = []
    for k in range(n):
        ds = copy.copy(base)
        ds.SOPInstanceUID = generate_uid()
        ds.InstanceNumber = int(perm[k]) + 1
        ds.ImagePositionPatient = [-250.0, -250.0, float(k) * float(base.SliceThickness)]
        ds.RescaleSlope = 1.0 if modality == "CT" else float(rng.uniform(0.5, 2.0))
        ds.RescaleIntercept = -1024.0 if modality == "CT" else 0.0
        ds.PixelData = np.roll(slice_img, k, axis=0).tobytes()
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = base.SOPClassUID, ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
        p = out / f"IM{perm[k]:05d}"
        ds.save_as(p, enforce_file_format=True)
        paths.append(p)
    return sorted(paths)


def t_best(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def floor(files):
    for f in files:
        pydicom.dcmread(f, stop_before_pixels=True)
        with open(f, "rb") as fh:
            fh.read()


def plain_pydicom(files):
    arrs = [pydicom.dcmread(f).pixel_array for f in files]
    return np.stack(arrs)


def sitk_read(folder):
    import SimpleITK as sitk

    r = sitk.ImageSeriesReader()
    r.SetFileNames(r.GetGDCMSeriesFileNames(str(folder)))
    return sitk.GetArrayFromImage(r.Execute())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ct-slices", type=int, default=600)
    ap.add_argument("--pet-slices", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="generate into / reuse DIR instead of a temp folder")
    args = ap.parse_args()
    from workstation.io.loader import load_series

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_load_"))
    try:
        series = {}
        for name, n, size, mod in (("CT", args.ct_slices, 512, "CT"), ("PET", args.pet_slices, 200, "PT")):
            d = root / name
            files = sorted(d.iterdir()) if d.exists() and len(list(d.iterdir())) == n else write_series(d, n, size, mod)
            series[name] = (d, files)
        print(f"{'series':<5} {'ours':>8} {'SimpleITK':>10} {'pydicom':>9} {'floor':>8} {'SITK/ours':>10} {'ours/floor':>11}")
        for name, (d, files) in series.items():
            floor(files)  # warm the page cache
            vol = load_series(files)
            ref = sitk_read(d)
            assert vol.array.shape == ref.shape
            # SimpleITK sorts along the normal too: the arrays must agree (ours is already rescaled)
            assert np.allclose(vol.array[[0, -1]], ref[[0, -1]], rtol=1e-5, atol=1e-3), "different voxel values"
            t_ours = t_best(lambda: load_series(files), args.repeat)
            t_sitk = t_best(lambda: sitk_read(d), args.repeat)
            t_py = t_best(lambda: plain_pydicom(files), args.repeat)
            t_floor = t_best(lambda: floor(files), args.repeat)
            print(f"{name:<5} {t_ours:8.3f} {t_sitk:10.3f} {t_py:9.3f} {t_floor:8.3f} {t_sitk / t_ours:10.1f}x "
                  f"{t_ours / t_floor:10.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
