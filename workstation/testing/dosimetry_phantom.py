"""A synthetic multi-time-point Lu-177 SPECT study with known time-activity curves, for dosimetry tests.

Regions (ellipsoids, each with its contours, so that the RTSTRUCT written here rasterises to exactly
the voxels that carry the region's activity):

* ``tumour``: a sphere, mono-exponential A0 e^(-l t) with l = lp + 0.010/h;
* ``kidney left`` / ``kidney right``: uptake-washout A (e^(-lw t) - e^(-(lw + lu) t)), lw = lp + 0.015/h, lu = 0.8/h;
* ``liver``: mono-exponential, l = lp + 0.004/h;
* ``vertebra`` (not an RTSTRUCT VOI: the place of a drawn marrow VOI): mono-exponential, l = lp + 0.02/h;
* a body background (not a VOI) with l = lp + 0.05/h.

``with_ct``: each time point also gets a CT (same grid, frame and patient movement as its SPECT: a
SPECT/CT) with each region's ``hu`` (air -1000 HU outside the body), so the density of every voxel and
the CT-to-CT registration are known.

Each time point is a PT series in Bq/mL (DecayCorrection START) with its own FrameOfReferenceUID, the
table moved along z (``table_mm``) and the patient moved by whole voxels (``shift_vox``), so the
registration must recover ``moving_from_fixed = translation(shift_vox x spacing + table shift)``.
Multiplicative Gaussian noise (``noise``, relative per voxel) is added with a fixed seed.
:func:`truth` gives each region's activity (MBq) at any time and its analytic TIA (MBq·h).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.core.vocabulary import NUCLIDES
from workstation.core.volume import PatientInfo, Volume
from workstation.io.dicom_write import PetHeader, StudyInfo, make_uid, write_series
from workstation.io.rtstruct import contours_to_mask

__all__ = ["Region", "DosimetryPhantom", "make_phantom", "write_phantom", "write_rtstruct", "local_shift",
           "LU177_HALF_LIFE_H"]

LU177_HALF_LIFE_H = NUCLIDES["Lu-177"].half_life_s / 3600.0
LP = math.log(2.0) / LU177_HALF_LIFE_H


@dataclass(frozen=True)
class Region:
    name: str
    centre: tuple[float, float, float]  # world LPS mm (first time point)
    semi_axes: tuple[float, float, float]  # mm
    model: str  # "mono" or "uptake-washout"
    a_mbq: float  # A0 (mono) or A (uptake-washout)
    d_lambda: float  # effective - physical (1/h)
    lambda_u: float = 0.0  # uptake (uptake-washout)
    voi: bool = True
    hu: float = 40.0  # CT number of the region (with_ct)

    def activity(self, t_h) -> np.ndarray:
        t = np.asarray(t_h, float)
        lw = LP + self.d_lambda
        if self.model == "mono":
            return self.a_mbq * np.exp(-lw * t)
        return self.a_mbq * (np.exp(-lw * t) - np.exp(-(lw + self.lambda_u) * t))

    @property
    def tia_mbq_h(self) -> float:
        lw = LP + self.d_lambda
        if self.model == "mono":
            return self.a_mbq / lw
        return self.a_mbq * (1.0 / lw - 1.0 / (lw + self.lambda_u))

    def contours(self, geometry: ImageGeometry, n_points: int = 72) -> list[np.ndarray]:
        """Closed planar contours (N x 3 LPS mm) of the ellipsoid on the slices of ``geometry`` (axial grid)."""
        out = []
        cx, cy, cz = self.centre
        ax, ay, az = self.semi_axes
        ang = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
        for k in range(geometry.shape[0]):
            z = float(geometry.kji_to_world((k, 0, 0))[2])
            u = 1.0 - ((z - cz) / az) ** 2
            if u <= 0.02:
                continue
            s = math.sqrt(u)
            pts = np.stack([cx + ax * s * np.cos(ang), cy + ay * s * np.sin(ang), np.full(n_points, z)], axis=1)
            out.append(pts)
        return out


DEFAULT_REGIONS = (
    Region("body", (0.0, 0.0, 0.0), (70.0, 55.0, 62.0), "mono", 400.0, 0.05, voi=False, hu=0.0),
    Region("vertebra", (0.0, 38.0, -20.0), (14.0, 12.0, 34.0), "mono", 12.0, 0.02, voi=False, hu=700.0),
    Region("liver", (-28.0, 8.0, 22.0), (30.0, 24.0, 20.0), "mono", 600.0, 0.004, hu=60.0),
    Region("kidney left", (40.0, 22.0, -26.0), (13.0, 15.0, 18.0), "uptake-washout", 160.0, 0.015, 0.8, hu=30.0),
    Region("kidney right", (-40.0, 22.0, -28.0), (13.0, 15.0, 18.0), "uptake-washout", 150.0, 0.015, 0.8, hu=30.0),
    Region("tumour", (22.0, -20.0, 30.0), (14.0, 14.0, 14.0), "mono", 90.0, 0.010, hu=45.0),
)


@dataclass
class DosimetryPhantom:
    geometry: ImageGeometry  # first time point
    regions: tuple[Region, ...]
    masks: dict  # region name -> bool mask on the first time point's grid (exactly the RTSTRUCT raster)
    times_h: tuple[float, ...]
    injection: datetime
    administered_bq: float
    shifts_vox: tuple  # per time point (dk, dj, di) whole-voxel patient movement
    table_mm: tuple  # per time point table shift along z (mm), also a new frame of reference
    volumes: list = field(default_factory=list)  # Volume per time point (Bq/mL at scan time)
    cts: list = field(default_factory=list)  # CT Volume per time point (HU) when made with_ct

    def hu_map(self) -> np.ndarray:
        """The CT numbers on the first time point's grid (before any movement)."""
        hu = np.full(self.geometry.shape, -1000.0, np.float32)
        for r in self.regions:
            hu[self.masks[r.name]] = r.hu
        return hu

    def moving_from_fixed(self, n: int) -> np.ndarray:
        """The true transform from the first time point's world to time point n's."""
        m = np.eye(4)
        dk, dj, di = self.shifts_vox[n]
        sp = np.asarray(self.geometry.spacing)  # (i, j, k)
        m[:3, 3] = np.asarray(self.geometry.direction) @ (np.array([di, dj, dk]) * sp) + np.array([0, 0, self.table_mm[n]])
        return m

    def truth_activity_mbq(self, name: str, t_h) -> np.ndarray:
        return next(r for r in self.regions if r.name == name).activity(t_h)

    def truth_tia_mbq_h(self, name: str) -> float:
        return next(r for r in self.regions if r.name == name).tia_mbq_h

    def region_volume_ml(self, name: str) -> float:
        return float(self.masks[name].sum() * self.geometry.voxel_volume_ml)


def make_phantom(times_h=(4.0, 24.0, 48.0, 96.0, 168.0), *, shape=(40, 48, 48), spacing_mm=4.0,
                 shifts_vox=None, table_mm=None, noise=0.02, seed=7, regions=DEFAULT_REGIONS,
                 injection=datetime(2025, 3, 3, 9, 30, 0), administered_bq=7.4e9, with_ct=False) -> DosimetryPhantom:
    """The phantom's time points in memory (see the module docstring)."""
    n = len(times_h)
    shifts_vox = tuple(shifts_vox) if shifts_vox is not None else tuple(
        [(0, 0, 0), (1, 0, 0), (0, 1, -1), (2, 0, 1), (-1, 1, 0), (1, -1, 1)][:n])
    table_mm = tuple(table_mm) if table_mm is not None else tuple(0.0 if i == 0 else 12.0 * i for i in range(n))
    nk, nj, ni = shape
    sp = float(spacing_mm)
    origin = (-(ni - 1) * sp / 2, -(nj - 1) * sp / 2, -(nk - 1) * sp / 2)
    g0 = ImageGeometry(shape=shape, spacing=(sp, sp, sp), origin=origin)
    masks = {}
    taken = np.zeros(shape, bool)
    # the VOIs are disjoint; the body (not a VOI) is what is left of its ellipsoid
    for r in reversed(regions):
        m = contours_to_mask(r.contours(g0), g0, name=r.name)
        if r.voi and (m & taken).any():
            raise ValueError(f"phantom region {r.name!r} overlaps another VOI")
        masks[r.name] = m & ~taken
        taken |= m
    rng = np.random.default_rng(seed)
    ph = DosimetryPhantom(g0, tuple(regions), masks, tuple(float(t) for t in times_h), injection, administered_bq,
                          shifts_vox, table_mm)
    vvol = g0.voxel_volume_ml
    for i, t in enumerate(times_h):
        conc = np.zeros(shape, np.float64)
        for r in regions:
            m = masks[r.name]
            if m.any():
                conc[m] = float(r.activity(t)) * 1e6 / (m.sum() * vvol)  # Bq/mL
        if noise:
            conc *= 1.0 + noise * rng.standard_normal(shape)
            np.clip(conc, 0, None, out=conc)
        dk, dj, di = shifts_vox[i]
        conc = np.roll(conc, (dk, dj, di), axis=(0, 1, 2))
        gi = ImageGeometry(shape=shape, spacing=(sp, sp, sp), origin=(origin[0], origin[1], origin[2] + table_mm[i]))
        ph.volumes.append(Volume(conc.astype(np.float32), gi, modality="PT", units="BQML"))
        if with_ct:
            hu = np.roll(ph.hu_map(), (dk, dj, di), axis=(0, 1, 2))
            ph.cts.append(Volume(hu, gi, modality="CT", units="HU"))
    return ph


def local_shift(phantom: DosimetryPhantom, n: int, region: str, shift_vox=(2, 0, 0), *, inner_mm: float = 30.0,
                outer_mm: float = 64.0) -> np.ndarray:
    """Warp time point ``n`` in place with a known smooth non-rigid motion: around ``region`` the anatomy moves
    by the whole voxels ``shift_vox`` (k, j, i) against the rest of the body (an organ pushed by the bowel or the
    breath). The displacement is the full shift within ``inner_mm`` of the region's centre and falls to 0 at
    ``outer_mm`` (cosine), so the region itself moves rigidly and keeps exactly its voxels and its activity.

    Returns the region's true mask on time point n's grid. The CT (``with_ct``) is warped the same way."""
    from scipy import ndimage

    r = next(x for x in phantom.regions if x.name == region)
    vol = phantom.volumes[n]
    g = vol.geometry
    centre_n = phantom.moving_from_fixed(n)[:3, :3] @ np.asarray(r.centre) + phantom.moving_from_fixed(n)[:3, 3]
    nk, nj, ni = g.shape
    kji = np.stack(np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij"), axis=0).astype(float)
    centre_kji = g.world_to_kji(centre_n)
    sp = np.asarray(g.spacing, float)[::-1]
    dist = np.sqrt(sum(((kji[a] - centre_kji[a]) * sp[a]) ** 2 for a in range(3)))
    t = np.clip((dist - inner_mm) / (outer_mm - inner_mm), 0.0, 1.0)
    weight = 0.5 * (1.0 + np.cos(np.pi * t))
    # the warped image at q is the original at q - d(q): where the weight is 1 a whole-voxel shift, so exact
    src = kji - np.asarray(shift_vox, float)[:, None, None, None] * weight[None]

    def warp(a, order, fill):
        return ndimage.map_coordinates(np.asarray(a, np.float64), src, order=order, mode="constant", cval=fill)

    phantom.volumes[n] = Volume(warp(vol.array, 1, 0.0).astype(np.float32), g, modality=vol.modality,
                                units=vol.units)
    if phantom.cts:
        ct = phantom.cts[n]
        phantom.cts[n] = Volume(warp(ct.array, 1, -1000.0).astype(np.float32), ct.geometry, modality="CT", units="HU")
    dk, dj, di = phantom.shifts_vox[n]
    mask_n = np.roll(phantom.masks[region], (dk, dj, di), axis=(0, 1, 2))
    return warp(mask_n.astype(np.float32), 0, 0.0) > 0.5


def write_phantom(out_dir, phantom: DosimetryPhantom | None = None, *, rtstruct: bool = True) -> list[Path]:
    """Write each time point as a PT series in ``out_dir/TP{n}`` (and the RTSTRUCT of the first); the folders."""
    ph = phantom or make_phantom()
    out = Path(out_dir)
    study = StudyInfo(patient=PatientInfo("Phantom^Dosimetry", "DOSI-PHANTOM", "19600101", "M"))
    seed = f"dosimetry-phantom-{ph.injection:%Y%m%d%H%M}"  # another cycle: other UIDs
    study = study.with_uids(seed)
    folders = []
    nuc = NUCLIDES["Lu-177"]
    for i, (vol, t) in enumerate(zip(ph.volumes, ph.times_h)):
        folder = out / f"TP{i + 1}"
        acq = ph.injection + timedelta(hours=t)
        st = StudyInfo(**{**study.__dict__, "frame_of_reference_uid": make_uid(seed, "for", i)})
        pet = PetHeader(injected_dose_bq=ph.administered_bq, injection_datetime=ph.injection, series_datetime=acq,
                        half_life_s=nuc.half_life_s, radionuclide="Lu-177", radiopharmaceutical="Lu-177 DOTATATE",
                        decay_correction="START", frame_duration_s=1200.0)
        write_series(vol, folder, modality="PT", series_number=10 + i, description=f"Lu-177 SPECT TP{i + 1}",
                     study=st, pet=pet, uid_seed=f"{seed}-{i}")
        if ph.cts:
            write_series(ph.cts[i], folder / "CT", modality="CT", series_number=20 + i, description=f"CT TP{i + 1}",
                         study=st, uid_seed=f"{seed}-ct-{i}")
        folders.append(folder)
        if rtstruct and i == 0:
            write_rtstruct(folder / "RS.dcm", ph, st)
    return folders


def write_rtstruct(path, phantom: DosimetryPhantom, study: StudyInfo) -> Path:
    """An RTSTRUCT with the phantom's VOI contours on the first time point's frame of reference."""
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    sop = "1.2.840.10008.5.1.4.1.1.481.3"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop, meta.MediaStorageSOPInstanceUID
    ds.Modality = "RTSTRUCT"
    ds.PatientName, ds.PatientID = "Phantom^Dosimetry", "DOSI-PHANTOM"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study.study_uid, generate_uid()
    ds.FrameOfReferenceUID = study.frame_of_reference_uid
    ds.StructureSetLabel = "dosimetry"
    ds.StructureSetName = "dosimetry phantom"
    ss, rc, obs = [], [], []
    colours = [(220, 60, 60), (60, 160, 220), (60, 200, 90), (230, 180, 40), (180, 80, 200)]
    for n, r in enumerate([r for r in phantom.regions if r.voi], start=1):
        s = Dataset()
        s.ROINumber, s.ROIName, s.ReferencedFrameOfReferenceUID = n, r.name, study.frame_of_reference_uid
        s.ROIGenerationAlgorithm = "MANUAL"
        ss.append(s)
        c = Dataset()
        c.ReferencedROINumber = n
        c.ROIDisplayColor = list(colours[(n - 1) % len(colours)])
        seq = []
        for pts in r.contours(phantom.geometry):
            item = Dataset()
            item.ContourGeometricType = "CLOSED_PLANAR"
            item.NumberOfContourPoints = len(pts)
            item.ContourData = [f"{v:.4f}" for v in pts.ravel()]
            seq.append(item)
        c.ContourSequence = seq
        rc.append(c)
        o = Dataset()
        o.ObservationNumber, o.ReferencedROINumber = n, n
        o.RTROIInterpretedType, o.ROIInterpreter = "ORGAN" if r.name != "tumour" else "GTV", ""
        obs.append(o)
    ds.StructureSetROISequence, ds.ROIContourSequence, ds.RTROIObservationsSequence = ss, rc, obs
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pydicom.dcmwrite(str(path), ds, enforce_file_format=True)
    return path
