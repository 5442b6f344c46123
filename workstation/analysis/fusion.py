"""The reading session: one PET read over one anatomical (CT/MR) series, without any GUI.

Concept
-------
A physician reads PET on top of an anatomical image. This module holds everything that
defines *what* is shown, as a plain-Python evented model (napari style): views (VTK in
``render``, Qt in ``ui``, or a test) subscribe to named events and redraw.

* **Display grid.** Every view samples one axis-aligned grid (direction = identity, so the
  array ``[z, y, x]`` runs towards L, P, S). For the usual axial CT this *is* the CT grid;
  a CT stored in any signed-permutation orientation is re-indexed exactly (transpose/flip,
  no interpolation); an oblique CT is resampled through world coordinates.
* **PET on the anatomical grid.** The PET is resampled onto the display grid through world
  coordinates (never by index), optionally through a rigid transform ``pet_from_anat``
  (4x4, maps a world point of the anatomical frame to the PET frame, the ITK convention)
  coming from registration or a manual nudge. PET values stay in file units; SUV is a factor.
* **Display planes** follow the radiological convention: axial and coronal show the
  patient's left on the image right; sagittal shows anterior on the left; superior is up.
* **Union of fields of view.** When PET and anatomy share a frame of reference, the display grid
  is the anatomical grid extended by whole voxels to cover the PET too (``pad_to_union``), so PET
  outside the CT/MR field of view is still shown (over an empty anatomy; the readout says "—").
* **State:** crosshair (world LPS mm), CT window/level, PET window (SUV), colour map,
  opacity, per-view zoom/pan, the MIP angle and the layout.
* **Registration kept with the study.** A registration (automatic or a manual nudge) is stored in
  the study database keyed by the (PET series, anatomical series) pair and applied again when the
  same pair is opened (``open_study`` / ``open_folder`` with a ``db``).
* **MIP.** Maximum-intensity projections of the PET about the patient's long axis, sampled
  along rays in millimetres; ``hottest_along_ray`` finds the voxel a MIP click points to.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import ndimage

from workstation.core import vocabulary as vocab
from workstation.core.texts import tr
from workstation.analysis.resample import resample_to_grid  # noqa: F401  (part of this module's API)
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume

from workstation.core.display import (  # noqa: F401  (re-exported)
    CT_PRESETS, MR_PRESETS, PET_PRESETS, default_layout, percentile_window, COLORMAPS, PLANES, KINDS, Cell, Layout, LAYOUTS, PlaneSpec, PLANE_SPECS,
    extract_plane,
)


# ----------------------------------------------------------------------------- events
class EventEmitter:
    """Named events with plain callbacks (no Qt). ``connect(name, cb)``; ``emit(name, **kw)``."""

    def __init__(self):
        self._subs: dict[str, list[Callable]] = defaultdict(list)

    def connect(self, name: str, callback: Callable) -> None:
        if callback not in self._subs[name]:
            self._subs[name].append(callback)

    def disconnect(self, name: str, callback: Callable) -> None:
        if callback in self._subs[name]:
            self._subs[name].remove(callback)

    def emit(self, _event: str, /, **kwargs) -> None:
        for cb in list(self._subs[_event]) + list(self._subs["*"]):
            cb(event=_event, **kwargs)


# ----------------------------------------------------------------------------- grids
def _signed_permutation(direction: np.ndarray, tol: float = 1e-4):
    """For a direction matrix that is a signed permutation return (axis_of_world, sign_of_world)."""
    d = np.asarray(direction)
    idx = np.argmax(np.abs(d), axis=1)  # for world axis a, the index axis m
    if sorted(idx.tolist()) != [0, 1, 2]:
        return None
    if not np.allclose(np.abs(d[np.arange(3), idx]), 1.0, atol=tol):
        return None
    return idx, np.sign(d[np.arange(3), idx])


def axis_aligned(array: np.ndarray, geometry: ImageGeometry, progress=None) -> tuple[np.ndarray, ImageGeometry]:
    """Return the volume on an axis-aligned grid (direction = identity).

    Signed-permutation orientations are re-indexed exactly; oblique ones are resampled
    (linear) onto the bounding box with the smallest spacing kept per world axis.
    """
    perm = _signed_permutation(geometry.direction)
    if perm is not None:
        idx, sign = perm
        # numpy axis of index axis m is 2 - m; new numpy axis of world axis a is 2 - a
        out = np.transpose(array, [2 - idx[2], 2 - idx[1], 2 - idx[0]])
        flips = tuple(2 - a for a in range(3) if sign[a] < 0)
        if flips:
            out = np.flip(out, axis=flips)
        spacing = tuple(geometry.spacing[idx[a]] for a in range(3))
        origin = geometry.corners_world().min(axis=0)
        geo = ImageGeometry(out.shape, spacing, origin, np.eye(3))
        return np.ascontiguousarray(out), geo
    corners = geometry.corners_world()
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    s = min(geometry.spacing)
    size = np.maximum(1, np.round((hi - lo) / s).astype(int) + 1)
    geo = ImageGeometry((size[2], size[1], size[0]), (s, s, s), lo, np.eye(3))
    return resample_to_grid(array, geometry, geo, progress=progress), geo


#: a union grid may hold at most this many times the anatomical grid's voxels (a wild transform must not
#: allocate a huge empty grid; the display then keeps the anatomical field of view)
UNION_MAX_FACTOR = 8.0


def union_geometry(geometry: ImageGeometry, pet_geometry: ImageGeometry, pet_from_anat) -> ImageGeometry:
    """The axis-aligned anatomical grid extended by whole voxels to cover the PET's field of view mapped
    into the anatomical frame (through the inverse of ``pet_from_anat``); ``geometry`` itself when it
    already covers it, or when the union would exceed :data:`UNION_MAX_FACTOR` times its voxels."""
    inv = np.linalg.inv(np.asarray(pet_from_anat, float))
    corners = pet_geometry.corners_world() @ inv[:3, :3].T + inv[:3, 3]
    sp = np.asarray(geometry.spacing, float)  # (x, y, z): identity direction
    lo_a = np.asarray(geometry.origin, float)
    hi_a = lo_a + (np.asarray(geometry.shape[::-1]) - 1) * sp
    tol = 1e-3
    add_lo = np.maximum(0, np.ceil((lo_a - corners.min(axis=0)) / sp - tol)).astype(int)
    add_hi = np.maximum(0, np.ceil((corners.max(axis=0) - hi_a) / sp - tol)).astype(int)
    if not (add_lo.any() or add_hi.any()):
        return geometry
    shape = tuple(int(n + add_lo[a] + add_hi[a]) for n, a in zip(geometry.shape, (2, 1, 0)))
    if float(np.prod(shape)) > UNION_MAX_FACTOR * float(np.prod(geometry.shape)):
        return geometry
    return ImageGeometry(shape, geometry.spacing, lo_a - add_lo * sp, np.eye(3))


def regrid_by_offset(array: np.ndarray, geometry: ImageGeometry, target: ImageGeometry, fill: float) -> np.ndarray:
    """``array`` on an axis-aligned grid put on another axis-aligned grid of the same spacing whose voxels
    lie on the same lattice (an offset by whole voxels): crop and pad, no interpolation."""
    if geometry == target or (tuple(geometry.shape) == tuple(target.shape)
                              and np.allclose(geometry.origin, target.origin, atol=1e-4)):
        return array
    sp = np.asarray(geometry.spacing, float)
    off = np.rint((np.asarray(geometry.origin, float) - np.asarray(target.origin, float)) / sp).astype(int)[::-1]
    out = np.full(target.shape, fill, dtype=array.dtype)
    src, dst = [], []
    for a in range(3):
        d0 = max(0, off[a])
        s0 = max(0, -off[a])
        n = min(array.shape[a] - s0, target.shape[a] - d0)
        if n <= 0:
            return out
        src.append(slice(s0, s0 + n))
        dst.append(slice(d0, d0 + n))
    out[tuple(dst)] = array[tuple(src)]
    return out


def pad_to_union(array: np.ndarray, geometry: ImageGeometry, pet_geometry: ImageGeometry, pet_from_anat,
                 fill: float) -> tuple[np.ndarray, ImageGeometry]:
    """Extend an axis-aligned anatomical grid by whole voxels so that it also covers the PET's field
    of view (mapped into the anatomical frame through the inverse of ``pet_from_anat``): the views
    then show the union of the two fields of view, PET outside the CT/MR included. The anatomical
    voxels keep their values and positions exactly; the added ones hold ``fill``."""
    inv = np.linalg.inv(np.asarray(pet_from_anat, float))
    corners = pet_geometry.corners_world() @ inv[:3, :3].T + inv[:3, 3]
    sp = np.asarray(geometry.spacing, float)  # (x, y, z): identity direction
    lo_a = np.asarray(geometry.origin, float)
    hi_a = lo_a + (np.asarray(geometry.shape[::-1]) - 1) * sp
    tol = 1e-3
    add_lo = np.maximum(0, np.ceil((lo_a - corners.min(axis=0)) / sp - tol)).astype(int)
    add_hi = np.maximum(0, np.ceil((corners.max(axis=0) - hi_a) / sp - tol)).astype(int)
    if not (add_lo.any() or add_hi.any()):
        return array, geometry
    pad = [(int(add_lo[2]), int(add_hi[2])), (int(add_lo[1]), int(add_hi[1])), (int(add_lo[0]), int(add_hi[0]))]
    out = np.pad(array, pad, mode="constant", constant_values=fill)
    geo = ImageGeometry(out.shape, geometry.spacing, lo_a - add_lo * sp, np.eye(3))
    return out, geo


# ----------------------------------------------------------------------------- session
@dataclass
class SuvState:
    factor: float | None = None
    suv_type: str = "bw"
    units: str = ""
    result: object = None
    error: str = ""
    error_field: str | None = None  # the input that would fix ``error`` (core.vocabulary.INPUT_FIELDS), if any
    overrides: object = None
    audit: list = field(default_factory=list)


class ReadingSession:
    """Evented model of one PET/CT (or PET/MR) reading.

    Events (``session.events.connect(name, cb)``; callbacks get ``event=name`` and keywords):
    ``crosshair``, ``ct_window``, ``pet_window``, ``colormap``, ``opacity``, ``pet`` (PET data,
    transform or SUV changed), ``view`` (zoom/pan), ``mip_angle``, ``layout``, ``anonymise``.
    """

    def __init__(self, anatomical: Volume | None, pet: Volume | None, *, pet_from_anat=None,
                 mip_frames: int = 36, progress=None, union_fov: bool = True):
        if anatomical is None and pet is None:
            raise ValueError("a reading needs a PET or an anatomical volume")
        self.events = EventEmitter()
        self.anatomical = anatomical
        self.pet = pet
        self.pet_from_anat = np.eye(4) if pet_from_anat is None else np.asarray(pet_from_anat, float)
        self.n_mip_frames = int(mip_frames)
        base = anatomical if anatomical is not None else pet
        sub = (lambda a, b: progress.sub(a, b)) if progress is not None else (lambda a, b: None)
        arr, geo = axis_aligned(base.array, base.geometry, progress=sub(0.0, 0.2))
        self.anat_grid = geo  # the anatomical image's own (axis-aligned) grid
        if union_fov and anatomical is not None and pet is not None and not needs_registration(pet, anatomical):
            # one frame of reference: the union of the two fields of view as the scanners placed them (a
            # later registration moves the PET inside this grid; the grid does not depend on it)
            arr, geo = pad_to_union(arr, geo, pet.geometry, np.eye(4), fill=float(np.min(arr)))
        self._union_fov = bool(union_fov)
        if self._union_by_transform() and not np.allclose(self.pet_from_anat, np.eye(4)):
            # different frames with a (stored) registration: the union as the registration places the PET
            geo_u = union_geometry(geo, pet.geometry, self.pet_from_anat)
            arr, geo = regrid_by_offset(arr, geo, geo_u, float(np.min(arr))), geo_u
        self.display_geometry: ImageGeometry = geo
        self.anat_display = arr.astype(np.float32, copy=False) if anatomical is not None else None
        self.pet_display: np.ndarray | None = None
        self._mip_cache: dict[int, tuple[np.ndarray, tuple[float, float]]] = {}
        self.suv = SuvState(units=(pet.units if pet is not None else ""))
        self._pet_relative_factors = None
        if pet is not None:
            self._init_suv(resample=False)
            self._resample_pet(sub(0.2, 1.0))
        # display state
        self.crosshair = self.display_geometry.center_world()
        self._snap_crosshair_to_voxel()
        self._window_presets: dict[str, tuple[float, float]] | None = None
        self.ct_window = self.window_presets()[self.default_window_preset]
        self.pet_window = PET_PRESETS["SUV 0-5"] if self.suv.factor is not None else self._auto_pet_window()
        self.colormap = "hot iron"
        self.opacity = 0.5
        self.zoom: dict[str, float] = defaultdict(lambda: 1.0)
        self.pan: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
        self.mip_angle_index = 0
        self.layout = default_layout(anatomical is not None)
        self.anonymise = False
        self.registration_note = ""
        self.registration_stored = None  # the io.db RegistrationRow applied at opening, if any

    # ------------------------------------------------------------ PET
    def _resample_pet(self, progress=None) -> None:
        self._apply_pet_arrays(self.compute_pet_arrays(self.pet_from_anat, progress))

    def compute_pet_arrays(self, pet_from_anat, progress=None) -> dict:
        """PET resampled onto the display grid through a transform, and the PET on its own grid for the MIP.

        Pure computation (safe on a worker thread); apply with ``set_pet_transform(..., arrays=)``.
        """
        t = np.asarray(pet_from_anat, float)
        src = self._pet_source_array()
        grid = self.display_geometry
        if self._union_by_transform():  # different frames: the display covers both as this transform places them
            grid = self.anat_grid if np.allclose(t, np.eye(4)) else union_geometry(self.anat_grid, self.pet.geometry, t)
        disp = resample_to_grid(src, self.pet.geometry, grid, t,
                                order=1, fill=0.0, progress=progress)
        mvol, mgeo = self._native_mip_volume()
        return {"transform": t, "pet_display": disp, "mip_geometry": mgeo, "mip_volume": mvol,
                "display_geometry": grid}

    def _union_by_transform(self) -> bool:
        """True when the display grid follows the registration: PET and anatomy in different frames of
        reference (a shared frame keeps the union of the scanner's placement, whatever the registration)."""
        return (getattr(self, "_union_fov", False) and self.anatomical is not None and self.pet is not None
                and needs_registration(self.pet, self.anatomical))

    def _set_display_geometry(self, grid: ImageGeometry) -> None:
        """Move the display to another union grid on the anatomical lattice (crop/pad the anatomy)."""
        if grid == self.display_geometry:
            return
        if self.anat_display is not None:
            fill = float(np.min(self.anat_display))
            self.anat_display = regrid_by_offset(self.anat_display, self.display_geometry, grid, fill)
        self.display_geometry = grid
        if hasattr(self, "crosshair"):
            self._snap_crosshair_to_voxel()

    def _pet_source_array(self) -> np.ndarray:
        """The PET array the views resample: stored values × each slice's SUV factor relative to
        ``suv.factor`` (``analysis.suv_apply``, the one SUV road), so display × ``pet_scale`` is SUV."""
        rel = self._pet_relative_factors
        if rel is None:
            return self.pet.array
        return np.asarray(self.pet.array, np.float32) * rel.astype(np.float32)[:, None, None]

    def _native_mip_volume(self) -> tuple[np.ndarray, ImageGeometry]:
        """The PET on its own grid (with the relative slice factors), re-indexed to be axis-aligned
        (exact for the usual orientations): the MIP never goes through the anatomical grid, so it
        loses no PET slice or voxel."""
        cached = getattr(self, "_native_mip", None)
        if cached is None:
            arr, geo = axis_aligned(self._pet_source_array(), self.pet.geometry)
            cached = self._native_mip = (np.asarray(arr, np.float32), geo)
        return cached

    def _apply_pet_arrays(self, arrays: dict) -> None:
        if "display_geometry" in arrays:
            self._set_display_geometry(arrays["display_geometry"])
        self.pet_display = arrays["pet_display"]
        if getattr(self, "mip_volume", None) is not arrays["mip_volume"]:
            self._mip_cache.clear()
        self.mip_geometry = arrays["mip_geometry"]
        self.mip_volume = arrays["mip_volume"]

    def set_pet_transform(self, pet_from_anat: np.ndarray, note: str = "", progress=None,
                          arrays: dict | None = None) -> None:
        """Use a new anatomical→PET rigid transform (registration result or manual nudge)."""
        self.pet_from_anat = np.asarray(pet_from_anat, float)
        self.registration_note = note
        if self.pet is not None:
            if arrays is None or not np.allclose(arrays["transform"], self.pet_from_anat):
                arrays = self.compute_pet_arrays(self.pet_from_anat, progress)
            self._apply_pet_arrays(arrays)
        self.events.emit("pet")

    def nudged_transform(self, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> np.ndarray:
        """The transform that moves the displayed PET by (dx, dy, dz) mm in the anatomical frame."""
        t = np.eye(4)
        t[:3, 3] = [-dx, -dy, -dz]  # moving the PET by +d means sampling it at p - d
        return self.pet_from_anat @ t

    def nudge(self, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> None:
        """Move the PET by (dx, dy, dz) mm in the anatomical world frame (manual registration)."""
        self.set_pet_transform(self.nudged_transform(dx, dy, dz), note="manual nudge")

    def _init_suv(self, resample: bool = True) -> None:
        units = (self.pet.units or "").upper()
        if units == "SUV" or (units == "GML" and self.pet.pet is None):
            self.suv.factor, self.suv.units = 1.0, "SUVbw (stored)"
            return
        self.set_suv("bw", None, emit=False, resample=resample)
        if self.suv.factor is None and units == "GML":
            self.suv.factor, self.suv.units = 1.0, "SUVbw (stored)"

    def _suv_fail(self, error: str, field: str | None = None) -> None:
        self.suv.factor, self.suv.result = None, None
        self.suv.units, self.suv.error = self.pet.units or "", error
        self.suv.error_field = field  # the input that would fix it (core.vocabulary.INPUT_FIELDS), if known

    def set_suv(self, suv_type: str = "bw", overrides=None, *, audit: dict | None = None, emit: bool = True,
                resample: bool = True) -> None:
        """(Re)compute the SUV factor; on missing inputs fall back to file units and keep the error.

        ``audit`` (time, user, changes, reason) is appended to the session's SUV audit trail.
        """
        self.suv.suv_type = suv_type
        if audit is not None:
            self.suv.audit.append(dict(audit))
        self.suv.overrides = overrides
        from workstation.analysis import suv as suv_mod
        from workstation.analysis.suv_apply import relative_slice_factors

        rel = None
        was_suv = self.suv.factor is not None
        try:
            if self.pet.pet is None:
                raise suv_mod.SuvError("the PET has no DICOM header facts (SUV needs them)")
            suv_type = suv_mod.normalize_suv_type(suv_type)
            self.suv.suv_type = suv_type
            kwargs = {"suv_type": suv_type}
            if overrides is not None:
                kwargs["overrides"] = overrides
            res = suv_mod.compute_suv(self.pet.pet, **kwargs)
            rel = relative_slice_factors(self.pet, res)
        except (suv_mod.SuvError, ValueError) as exc:  # show raw units, keep the reason
            self._suv_fail(f"{type(exc).__name__}: {exc}", getattr(exc, "field", None))
        else:
            self.suv.factor, self.suv.result, self.suv.error = float(res.factor), res, ""
            self.suv.error_field = None
            self.suv.units = getattr(res, "units", "") or f"SUV{suv_type}"
        if self.suv.factor is None and was_suv and self.pet_display is not None:
            # an SUV window over values in file units would be all white: show the file units' range
            self.pet_window = self._auto_pet_window()
            if emit:
                self.events.emit("pet_window", window=self.pet_window)
        old = self._pet_relative_factors
        if (rel is None) != (old is None) or (rel is not None and not np.array_equal(rel, old)):
            self._pet_relative_factors = rel
            self._native_mip = None
            if resample:
                self._resample_pet()
        if emit:
            self.events.emit("pet")

    @property
    def pet_scale(self) -> float:
        """Factor from file units to display units (SUV when known, else 1)."""
        return 1.0 if self.suv.factor is None else self.suv.factor

    @property
    def pet_units(self) -> str:
        """Label of PET display values: 'SUVbw' etc. when SUV is known, else the file units."""
        if self.suv.factor is not None:
            return f"SUV{self.suv.suv_type}"
        return self.pet.units if self.pet is not None else ""

    def _auto_pet_window(self) -> tuple[float, float]:
        if self.pet_display is None:
            return (0.0, 1.0)
        hi = float(np.percentile(self.pet_display[self.pet_display > 0], 99.5)) if np.any(self.pet_display > 0) else 1.0
        return (0.0, hi)

    # ------------------------------------------------------------ crosshair & slices
    def _snap_crosshair_to_voxel(self) -> None:
        g = self.display_geometry
        kji = np.clip(np.rint(g.world_to_kji(self.crosshair)), 0, np.asarray(g.shape) - 1)
        self.crosshair = g.kji_to_world(kji)

    def crosshair_index(self) -> tuple[int, int, int]:
        """Crosshair as (z, y, x) index of the display grid."""
        g = self.display_geometry
        kji = np.clip(np.rint(g.world_to_kji(self.crosshair)), 0, np.asarray(g.shape) - 1).astype(int)
        return int(kji[0]), int(kji[1]), int(kji[2])

    def set_crosshair(self, xyz) -> None:
        self.crosshair = np.asarray(xyz, float).copy()
        self._snap_crosshair_to_voxel()
        self.events.emit("crosshair", position=self.crosshair.copy())

    def plane_index(self, plane: str) -> int:
        z, y, x = self.crosshair_index()
        return {"axial": z, "coronal": y, "sagittal": x}[plane]

    def n_slices(self, plane: str) -> int:
        nz, ny, nx = self.display_geometry.shape
        return {"axial": nz, "coronal": ny, "sagittal": nx}[plane]

    def scroll(self, plane: str, steps: int) -> None:
        """Move the crosshair ``steps`` slices along the plane's normal (wheel)."""
        spec = PLANE_SPECS[plane]
        g = self.display_geometry
        kji = np.asarray(self.crosshair_index(), float)
        nax = {0: 2, 1: 1, 2: 0}[spec.normal]
        kji[nax] = np.clip(kji[nax] + steps, 0, g.shape[nax] - 1)
        self.set_crosshair(g.kji_to_world(kji))

    def plane_pixel_spacing(self, plane: str) -> tuple[float, float]:
        spec = PLANE_SPECS[plane]
        s = self.display_geometry.spacing  # (x, y, z) for identity direction
        return (s[spec.u], s[spec.v])

    def slice_image(self, kind: str, plane: str) -> np.ndarray | None:
        """Raw 2-D slice (file units for CT, display units (SUV) for PET) at the crosshair."""
        spec = PLANE_SPECS[plane]
        idx = self.plane_index(plane)
        if kind == "ct":
            return None if self.anat_display is None else extract_plane(self.anat_display, spec, idx)
        if kind == "pet":
            if self.pet_display is None:
                return None
            return extract_plane(self.pet_display, spec, idx) * np.float32(self.pet_scale)
        raise ValueError(f"unknown image kind {kind!r}")

    def world_to_pixel(self, plane: str, xyz) -> tuple[float, float]:
        """World point -> (column, row) of that plane's slice image (pixel centres at integers)."""
        spec = PLANE_SPECS[plane]
        g = self.display_geometry
        ijk = g.world_to_ijk(np.asarray(xyz, float))  # identity direction: (x, y, z) indices
        n = g.size_ijk
        col = ijk[spec.u] if spec.u_sign > 0 else n[spec.u] - 1 - ijk[spec.u]
        row = ijk[spec.v] if spec.v_sign > 0 else n[spec.v] - 1 - ijk[spec.v]
        return float(col), float(row)

    def pixel_to_world(self, plane: str, col: float, row: float) -> np.ndarray:
        """(column, row) in a plane's slice image -> world point on the current slice."""
        spec = PLANE_SPECS[plane]
        g = self.display_geometry
        n = g.size_ijk
        ijk = g.world_to_ijk(self.crosshair)
        ijk[spec.u] = col if spec.u_sign > 0 else n[spec.u] - 1 - col
        ijk[spec.v] = row if spec.v_sign > 0 else n[spec.v] - 1 - row
        return g.ijk_to_world(ijk)

    # ------------------------------------------------------------ display state setters
    def set_ct_window(self, width: float, level: float) -> None:
        self.ct_window = (max(1.0, float(width)), float(level))
        self.events.emit("ct_window", window=self.ct_window)

    @property
    def anat_label(self) -> str:
        """What the anatomical image is called on screen: "MR" for an MR, else "CT"."""
        return "MR" if self.anatomical is not None and (self.anatomical.modality or "").upper() == "MR" else "CT"

    @property
    def default_window_preset(self) -> str:
        return "MR auto" if self.anat_label == "MR" else "soft tissue"

    def window_presets(self) -> dict[str, tuple[float, float]]:
        """Window presets of the anatomical image, name -> (width, level): the CT presets in HU, or
        for an MR windows from the percentiles of its own non-background voxels (``MR_PRESETS``)."""
        if self.anat_label != "MR":
            return dict(CT_PRESETS)
        if self._window_presets is None:
            self._window_presets = {name: percentile_window(self.anat_display, lo, hi)
                                    for name, (lo, hi) in MR_PRESETS.items()}
        return dict(self._window_presets)

    def set_ct_preset(self, name: str) -> None:
        """Apply a window preset of the anatomical image (CT: ``CT_PRESETS``; MR: ``MR_PRESETS``)."""
        presets = self.window_presets()
        if name not in presets:
            raise KeyError(f"unknown {self.anat_label} preset {name!r}; choose one of {', '.join(presets)}")
        self.set_ct_window(*presets[name])

    def set_pet_window(self, lower: float, upper: float) -> None:
        lower, upper = float(lower), float(upper)
        if upper <= lower:
            upper = lower + 1e-3
        self.pet_window = (lower, upper)
        self.events.emit("pet_window", window=self.pet_window)

    def set_pet_preset(self, name: str) -> None:
        if name not in PET_PRESETS:
            raise KeyError(f"unknown PET preset {name!r}; choose one of {', '.join(PET_PRESETS)}")
        self.set_pet_window(*PET_PRESETS[name])

    def set_colormap(self, name: str) -> None:
        if name not in COLORMAPS:
            raise KeyError(f"unknown colour map {name!r}; choose one of {', '.join(COLORMAPS)}")
        self.colormap = name
        self.events.emit("colormap", name=name)

    def set_opacity(self, opacity: float) -> None:
        self.opacity = float(np.clip(opacity, 0.0, 1.0))
        self.events.emit("opacity", opacity=self.opacity)

    def set_layout(self, name: str) -> None:
        if name not in LAYOUTS:
            raise KeyError(f"unknown layout {name!r}; choose one of {', '.join(LAYOUTS)}")
        self.layout = name
        self.events.emit("layout", name=name)

    def set_anonymise(self, on: bool) -> None:
        self.anonymise = bool(on)
        self.events.emit("anonymise", on=self.anonymise)

    def set_zoom(self, key: str, zoom: float) -> None:
        self.zoom[key] = float(np.clip(zoom, 0.1, 20.0))
        self.events.emit("view", key=key)

    def set_pan(self, key: str, pan_mm: tuple[float, float]) -> None:
        self.pan[key] = (float(pan_mm[0]), float(pan_mm[1]))
        self.events.emit("view", key=key)

    # ------------------------------------------------------------ readout
    def readout(self) -> dict:
        """Values at the crosshair: world LPS mm, anatomical value (HU), PET value (SUV + type)."""
        p = self.crosshair
        out = {"world": tuple(float(v) for v in p), "anat_value": None, "anat_units": "",
               "pet_value": None, "pet_units": self.pet_units, "suv_type": self.suv.suv_type
               if self.suv.factor is not None else None}
        if self.anatomical is not None:
            out["anat_value"] = self.anatomical.value_at_world(p)
            out["anat_units"] = "HU" if self.anatomical.modality == "CT" else (self.anatomical.units or "")
        if self.pet is not None:
            q = self.pet_from_anat[:3, :3] @ p + self.pet_from_anat[:3, 3]
            if self.suv.result is not None:
                from workstation.analysis.suv_apply import suv_value_at

                out["pet_value"] = suv_value_at(self.pet, self.suv.result, q)
            else:
                v = self.pet.value_at_world(q)
                out["pet_value"] = None if v is None else v * self.pet_scale
        return out

    def readout_text(self) -> str:
        r = self.readout()
        x, y, z = r["world"]
        parts = [f"LPS ({x:.1f}, {y:.1f}, {z:.1f}) mm"]
        if self.anatomical is not None:
            v = r["anat_value"]
            parts.append(f"{self.anatomical.modality or 'anat'} " + ("—" if v is None else f"{v:.0f} {r['anat_units']}"))
        if self.pet is not None:
            v = r["pet_value"]
            parts.append("PET " + ("—" if v is None else f"{v:.2f} {r['pet_units']}"))
        return "   ".join(parts)

    def overlay_lines(self) -> list[str]:
        """Patient/study/series text for the corner overlay (identity hidden when anonymised)."""
        v = self.anatomical if self.anatomical is not None else self.pet
        lines = []
        if self.anonymise:
            lines.append(tr("overlay", "(patient hidden)"))
        else:
            from workstation.io.dicom_text import display_name

            lines.append(display_name(v.patient.name) if v.patient.name else tr("overlay", "(no name)"))  # "Family, Given"
            if v.patient.patient_id:
                lines.append(f"ID {v.patient.patient_id}")
        date = v.info.get("study_date") or v.info.get("StudyDate") or ""
        if date:
            lines.append(f"{tr('overlay', 'Study')} {date}")
        if self.anatomical is not None and self.anatomical.description:
            lines.append(f"{self.anatomical.modality}: {self.anatomical.description}")
        if self.pet is not None and self.pet.description:
            lines.append(f"{self.pet.modality or 'PT'}: {self.pet.description}")
        acq = self.pet_acquisition_line()
        if acq:
            lines.append(acq)
        return lines

    def pet_acquisition_line(self) -> str:
        """Nuclide, half-life and stored units of the PET/SPECT ("177 Lutetium  T1/2 6.65 d  BQML"; ½ is not in the view font)."""
        if self.pet is None:
            return ""
        parts = []
        acq = self.pet.pet
        if acq is not None:
            code = acq.value("radionuclide_code")
            known = vocab.nuclide_from_code(code) if code else None
            meaning = code[2] if isinstance(code, (tuple, list)) and len(code) > 2 and code[2] else None
            # "F-18" for a nuclide of the vocabulary; else the code meaning without its superscript marks
            name = known.name if known is not None else (str(meaning).replace("^", " ").strip() if meaning else None)
            parts.append(name or acq.value("radiopharmaceutical") or "")
            half = acq.value("radionuclide_half_life_s")
            if half:
                half = float(half)
                parts.append("T1/2 " + (f"{half / 86400:.2f} d" if half >= 86400 else
                                       f"{half / 3600:.2f} h" if half >= 3600 else f"{half / 60:.1f} min"))
        units = self.pet.units or ""
        if units:
            parts.append(units if units == self.pet_units else f"{units} → {self.pet_units}")
        return "  ".join(p for p in parts if p)

    # ------------------------------------------------------------ MIP
    def precompute_mip(self, progress=None) -> None:
        """Fill the MIP frame cache (for the rotating cine); safe on a worker thread."""
        for i in range(self.n_mip_frames):
            self.mip_frame(i)
            if progress is not None:
                progress.update((i + 1) / self.n_mip_frames, "MIP")

    def _mip_rays(self, angle_deg: float):
        """Screen axes of the MIP at an angle: centre, e_u (screen right), e_d (view direction), samples."""
        g = self.mip_geometry
        nz, ny, nx = g.shape
        sx, sy, _ = g.spacing
        c = g.center_world()
        th = math.radians(angle_deg)
        e_u = np.array([math.cos(th), math.sin(th), 0.0])
        e_d = np.array([-math.sin(th), math.cos(th), 0.0])
        u = (np.arange(nx) - (nx - 1) / 2.0) * sx
        diag = math.hypot(nx * sx, ny * sy)
        pad = max(0, int(math.ceil((diag - ny * sy) / (2 * sy))))
        nd = ny + 2 * pad
        t = (np.arange(nd) - (nd - 1) / 2.0) * sy
        return c, e_u, e_d, u, t

    def mip_angle(self, index: int | None = None) -> float:
        i = self.mip_angle_index if index is None else index
        return 360.0 * (i % self.n_mip_frames) / self.n_mip_frames

    def mip_frame(self, index: int | None = None) -> tuple[np.ndarray, tuple[float, float]]:
        """MIP image (display units, row 0 = superior) at a frame index, and its pixel spacing."""
        i = (self.mip_angle_index if index is None else index) % self.n_mip_frames
        if i not in self._mip_cache:
            self._mip_cache[i] = (mip_projection(self.mip_volume, self.mip_geometry, self.mip_angle(i),
                                                 self._mip_rays), None)
        img = self._mip_cache[i][0] * np.float32(self.pet_scale)
        g = self.mip_geometry
        return img, (g.spacing[0], g.spacing[2])

    def set_mip_angle_index(self, index: int) -> None:
        self.mip_angle_index = int(index) % self.n_mip_frames
        self.events.emit("mip_angle", index=self.mip_angle_index)

    def _pet_to_anat(self, p) -> np.ndarray:
        """PET-frame world point(s) → anatomical world (inverse of ``pet_from_anat``)."""
        inv = np.linalg.inv(self.pet_from_anat)
        return np.asarray(p, float) @ inv[:3, :3].T + inv[:3, 3]

    def mip_pixel_to_world(self, col: float, row: float, depth_mm: float = 0.0, index: int | None = None) -> np.ndarray:
        """Anatomical world point on the ray of MIP pixel (col, row), ``depth_mm`` from the PET centre plane."""
        return self._pet_to_anat(self._mip_pixel_to_pet(col, row, depth_mm, index))

    def _mip_pixel_to_pet(self, col: float, row: float, depth_mm: float = 0.0, index: int | None = None) -> np.ndarray:
        c, e_u, e_d, u, _t = self._mip_rays(self.mip_angle(index))
        g = self.mip_geometry
        nz = g.shape[0]
        zi = (nz - 1) - row  # row 0 is the top (superior)
        z = g.origin[2] + zi * g.spacing[2]
        uu = (col - (len(u) - 1) / 2.0) * g.spacing[0]
        p = c + uu * e_u + depth_mm * e_d
        p[2] = z
        return p

    def world_to_mip_pixel(self, xyz, index: int | None = None) -> tuple[float, float]:
        """MIP pixel (col, row) of an anatomical world point (mapped into the PET frame first)."""
        c, e_u, _e_d, u, _t = self._mip_rays(self.mip_angle(index))
        g = self.mip_geometry
        t = self.pet_from_anat
        xyz = t[:3, :3] @ np.asarray(xyz, float) + t[:3, 3]
        d = xyz - c
        col = float(d @ e_u) / g.spacing[0] + (len(u) - 1) / 2.0
        zi = (float(xyz[2]) - g.origin[2]) / g.spacing[2]
        return col, (g.shape[0] - 1) - zi

    def hottest_along_ray(self, col: float, row: float, index: int | None = None) -> np.ndarray:
        """Anatomical world position of the hottest PET voxel on the MIP ray through pixel (col, row):
        the ray is walked on the PET's own grid in steps of half a voxel, so the answer is a voxel of
        the PET itself, not of a resampled copy."""
        c, e_u, e_d, u, t = self._mip_rays(self.mip_angle(index))
        g = self.mip_geometry
        t = np.arange(t[0], t[-1] + 1e-9, 0.5 * min(g.spacing[0], g.spacing[1]))
        p0 = self._mip_pixel_to_pet(col, row, 0.0, index)
        pts = p0[None, :] + t[:, None] * e_d[None, :]
        kji = np.rint(g.world_to_kji(pts)).astype(int)
        ok = np.all((kji >= 0) & (kji < np.asarray(g.shape)), axis=1)
        if not np.any(ok):
            return self._pet_to_anat(p0)
        vals = np.full(len(t), -np.inf)
        kk = kji[ok]
        vals[ok] = self.mip_volume[kk[:, 0], kk[:, 1], kk[:, 2]]
        top = np.flatnonzero(vals >= vals.max() - 1e-6 * abs(vals.max()))
        best = kji[top[len(top) // 2]]  # a plateau of equal maxima (a uniform lesion): its middle
        return self._pet_to_anat(g.kji_to_world(best.astype(float)))  # the voxel's centre

    def jump_from_mip(self, col: float, row: float) -> None:
        self.set_crosshair(self.hottest_along_ray(col, row))


def mip_projection(volume: np.ndarray, geometry: ImageGeometry, angle_deg: float, rays) -> np.ndarray:
    """MIP of an axis-aligned volume viewed along e_d(angle); rows = z from superior down.

    Rays are sampled every ``spacing_y`` mm (nearest-neighbour in-plane at angle 0, where the
    samples fall on voxel centres; linear elsewhere).
    """
    c, e_u, e_d, u, t = rays(angle_deg)
    nz = geometry.shape[0]
    uu, tt = np.meshgrid(u, t, indexing="ij")  # (nu, nt)
    x = c[0] + uu * e_u[0] + tt * e_d[0]
    y = c[1] + uu * e_u[1] + tt * e_d[1]
    xi = (x - geometry.origin[0]) / geometry.spacing[0]
    yi = (y - geometry.origin[1]) / geometry.spacing[1]
    on_grid = np.allclose(xi, np.rint(xi), atol=1e-6) and np.allclose(yi, np.rint(yi), atol=1e-6)
    out = np.zeros((nz, len(u)), np.float32)
    ny, nx = geometry.shape[1], geometry.shape[2]
    inside = (xi > -0.5) & (xi < nx - 0.5) & (yi > -0.5) & (yi < ny - 0.5)
    if on_grid:
        xr = np.clip(np.rint(xi).astype(int), 0, nx - 1)
        yr = np.clip(np.rint(yi).astype(int), 0, ny - 1)
        for k in range(nz):
            vals = np.where(inside, volume[k][yr, xr], 0.0)
            out[k] = vals.max(axis=1)
    else:
        coords = np.stack([yi.ravel(), xi.ravel()])
        for k in range(nz):
            vals = ndimage.map_coordinates(volume[k], coords, order=1, mode="nearest").reshape(uu.shape)
            out[k] = np.where(inside, vals, 0.0).max(axis=1)
    return out[::-1]


# ----------------------------------------------------------------------------- pairing
def choose_pair(series: list, pet_uid: str | None = None, anat_uid: str | None = None):
    """Pick (pet, anatomical) series from a study's series rows (attributes ``modality``,
    ``series_uid``, ``frame_of_reference_uid``, and ``n_instances`` or ``files``).

    The PET is the largest PT series unless named; the anatomical series is the largest CT,
    else MR, sharing the PET's frame of reference, else the largest CT/MR (the caller then
    offers registration). Either may be None.
    """
    def count(s):
        n = getattr(s, "n_instances", None)
        return n if n is not None else len(getattr(s, "files", []) or [])

    pets = [s for s in series if (s.modality or "").upper() in ("PT", "PET")]
    anats = [s for s in series if (s.modality or "").upper() in ("CT", "MR")]
    pet = next((s for s in pets if s.series_uid == pet_uid), None) if pet_uid else None
    if pet_uid and pet is None:
        raise NoImageSeries(f"no PET series with UID {pet_uid} (PET series: "
                            f"{', '.join(s.series_uid for s in pets) or 'none'})")
    if pet is None and pets:
        pet = max(pets, key=count)
    anat = next((s for s in anats if s.series_uid == anat_uid), None) if anat_uid else None
    if anat_uid and anat is None:
        raise NoImageSeries(f"no CT/MR series with UID {anat_uid} (CT/MR series: "
                            f"{', '.join(s.series_uid for s in anats) or 'none'})")
    if anat is None and anats:
        rank = {"CT": 0, "MR": 1}
        same = [s for s in anats if pet is not None and s.frame_of_reference_uid
                and s.frame_of_reference_uid == pet.frame_of_reference_uid]
        pool = same or anats
        anat = min(pool, key=lambda s: (rank.get(s.modality.upper(), 2), -count(s)))
    return pet, anat


def needs_registration(pet: Volume | None, anatomical: Volume | None) -> bool:
    """True when both exist and their frames of reference differ (or one is unknown)."""
    if pet is None or anatomical is None:
        return False
    a, b = pet.frame_of_reference_uid, anatomical.frame_of_reference_uid
    return not (a and b and a == b)


# ----------------------------------------------------------------------------- stored registrations
METHOD_MI = "rigid MI"
METHOD_NUDGE = "manual nudge"


def pair_uids(pet: Volume | None, anatomical: Volume | None) -> tuple[str, str] | None:
    if pet is None or anatomical is None or not pet.series_uid or not anatomical.series_uid:
        return None
    return pet.series_uid, anatomical.series_uid


def stored_registration(db, pet: Volume | None, anatomical: Volume | None):
    """The registration stored for this (PET, anatomical) pair in a ``StudyDB``, or None."""
    uids = pair_uids(pet, anatomical)
    if db is None or uids is None:
        return None
    return db.get_registration(*uids)


def save_registration(db, session: "ReadingSession", method: str, metric: float | None = None):
    """Keep the session's current ``pet_from_anat`` with the study (returns the row, or None when the
    session has no PET/anatomical pair with series UIDs or there is no database)."""
    uids = pair_uids(session.pet, session.anatomical)
    if db is None or uids is None:
        return None
    return db.save_registration(*uids, session.pet_from_anat, metric=metric, method=method)


def _session_with_stored_registration(db, anat, pet, progress, session_kw) -> "ReadingSession":
    row = None if "pet_from_anat" in session_kw else stored_registration(db, pet, anat)
    if row is not None:
        session_kw = dict(session_kw, pet_from_anat=row.matrix)
    session = ReadingSession(anat, pet, progress=progress.sub(0.8, 1.0) if progress else None, **session_kw)
    if row is not None:
        session.registration_stored = row
        session.registration_note = f"stored {row.method} of {row.created}"
    return session


def registration_preview(session: "ReadingSession", arrays_after: dict, plane: str = "axial",
                         squares: int = 8) -> dict:
    """Before/after pictures of a registration proposal on one plane through the crosshair: the
    anatomical slice (CT/MR window) and the PET slice (PET window), both scaled to 0..1, shown as a
    checkerboard (``before``/``after``) and as a 50 % blend (``blend_before``/``blend_after``)."""
    from workstation.analysis.registration import checkerboard

    spec = PLANE_SPECS[plane]
    idx = session.plane_index(plane)
    width, level = session.ct_window
    anat = np.clip((extract_plane(session.anat_display, spec, idx) - (level - width / 2.0)) / max(width, 1e-6), 0, 1)
    lo, hi = session.pet_window
    scale = np.float32(session.pet_scale)

    def pet_norm(vol):
        return np.clip((extract_plane(vol, spec, idx) * scale - lo) / max(hi - lo, 1e-6), 0, 1)

    after_vol = arrays_after["pet_display"]
    if "display_geometry" in arrays_after:  # a registration across frames may come on a larger union grid
        after_vol = regrid_by_offset(after_vol, arrays_after["display_geometry"], session.display_geometry, 0.0)
    before, after = pet_norm(session.pet_display), pet_norm(after_vol)
    return {"before": checkerboard(anat, before, squares), "after": checkerboard(anat, after, squares),
            "blend_before": 0.5 * (anat + before), "blend_after": 0.5 * (anat + after)}


# ----------------------------------------------------------------------------- opening
class NoImageSeries(ValueError):
    """The folder or study holds no PET, CT or MR image series to read."""


def load_pair(pet_files, anat_files, progress=None) -> tuple[Volume | None, Volume | None]:
    """Load the PET and anatomical series (either list may be empty)."""
    from workstation.io.loader import load_series

    pet = load_series(pet_files, progress=progress.sub(0.0, 0.4) if progress else None) if pet_files else None
    anat = load_series(anat_files, progress=progress.sub(0.4, 0.8) if progress else None) if anat_files else None
    return pet, anat


def open_folder(path, pet_uid: str | None = None, anat_uid: str | None = None, progress=None, db=None,
                **session_kw) -> ReadingSession:
    """Find the series below ``path``, pair PET with CT/MR and build the reading session.

    With a study database ``db``, a registration stored for the pair is applied."""
    from workstation.io.loader import find_series

    series = [s for s in find_series([str(path)]) if getattr(s, "is_image", True)]
    pet_s, anat_s = choose_pair(series, pet_uid, anat_uid)
    if pet_s is None and anat_s is None:
        raise NoImageSeries(f"{path}: no PET, CT or MR image series found; point to a folder with DICOM images")
    pet, anat = load_pair(pet_s.files if pet_s else [], anat_s.files if anat_s else [], progress)
    return _session_with_stored_registration(db, anat, pet, progress, session_kw)


def open_study(db, study_uid: str, pet_uid: str | None = None, anat_uid: str | None = None, progress=None,
               **session_kw) -> ReadingSession:
    """Build the reading session of a study of the study database (``StudyDB``); a registration
    stored for the chosen pair is applied."""
    series = [s for s in db.series(study_uid) if getattr(s, "is_image", True)]
    pet_s, anat_s = choose_pair(series, pet_uid, anat_uid)
    if pet_s is None and anat_s is None:
        raise NoImageSeries(f"study {study_uid}: no PET, CT or MR image series in the database")
    pet, anat = load_pair(db.series_files(pet_s.series_uid) if pet_s else [],
                          db.series_files(anat_s.series_uid) if anat_s else [], progress)
    return _session_with_stored_registration(db, anat, pet, progress, session_kw)
