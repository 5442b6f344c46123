"""The reading session: one PET read over one anatomical (CT/MR) series, without any GUI.

Concept
-------
A physician reads PET on top of an anatomical image. ``ReadingSession`` is the reading's
evented view state (``analysis.view_state.ViewState``: crosshair, windows, colour map, opacity,
zoom/pan, layout, MIP frame; views subscribe to its events and redraw, they never write it)
plus the data it shows:

* **Display grid** (``analysis.reading.display_grid``): the axis-aligned grid every view samples, the
  anatomical grid re-indexed exactly (or resampled when oblique, within a voxel budget), extended
  to the union of the PET and anatomical fields of view when they share a frame of reference.
  The anatomical array keeps its stored type (int16 HU for the usual CT): no float copy.
* **PET on the views** (``analysis.pet_view.PetOnView``): the PET is resampled through world
  coordinates and the rigid transform ``pet_from_anat`` (4x4, maps a world point of the
  anatomical frame to the PET frame, the ITK convention; from registration or a manual nudge)
  *one plane at a time, when a view shows it*, never as a whole volume on the CT grid. PET
  values stay in file units (times each slice's factor relative to the SUV factor); SUV is one
  factor, ``pet_scale``.
* **MIP** (``analysis.mip.MipFrames``): projections of the PET on its own grid about the long
  axis; the frame shown is computed on demand, the others in the background (``precompute_mip``).
* **SUV** (``analysis.suv.factor``, ``analysis.suv.apply``): the factor and its inputs, with an audit
  trail of the changes; the readout (``readout``) samples the PET on its own grid.
* **Opening and registrations** (``analysis.reading.study_open``): pairing, loading, and the registration
  kept with the study (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.core import vocabulary as vocab
from workstation.core.texts import tr
from workstation.core.geometry import ImageGeometry
from workstation.core.volume import Volume, needs_registration
from workstation.analysis.suv.factor import sex_assumed

from workstation.core.display import (
    CT_PRESETS, MR_PRESETS, PET_PRESETS, default_layout, percentile_window, PLANE_SPECS,
    extract_plane,
)
from workstation.analysis.reading.display_grid import (
    axis_aligned, pad_to_union, regrid_by_offset, union_geometry,
)
from workstation.analysis.reading.mip import MipFrames, mip_rays
from workstation.analysis.reading.pet_view import PetOnView
from workstation.analysis.reading.view_state import ViewState


# ----------------------------------------------------------------------------- session
DISPLAY_UNIT_SUV = "SUV"
#: the display units of a functional image (``ReadingSession.available_units`` says which apply)
DISPLAY_UNITS: tuple[str, ...] = (DISPLAY_UNIT_SUV, "Bq/mL", "kBq/mL", "%IA/mL")
#: the percentile of the positive voxels that tops the automatic SPECT window
HOTSPOT_PERCENTILE = 99.9


def _fmt_value(v: float) -> str:
    """A readout value with 3 significant digits at least (Bq/mL values are large, %IA/mL tiny)."""
    a = abs(v)
    if a == 0 or 0.01 <= a < 1e4:
        return f"{v:.2f}"
    return f"{v:.4g}"


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
    refusal: str = ""  # why the last requested SUV type/overrides were refused (the previous SUV kept)
    refusal_field: str | None = None  # the input that would make the refused request possible


class ReadingSession(ViewState):
    """Evented model of one PET/CT (or PET/MR) reading: a ``ViewState`` with its data.

    Events (``session.events.connect(name, cb)``; callbacks get ``event=name`` and keywords):
    those of ``ViewState`` and ``pet`` (PET data, transform or SUV changed).
    """

    def __init__(self, anatomical: Volume | None, pet: Volume | None, *, pet_from_anat=None,
                 mip_frames: int = 36, progress=None, union_fov: bool = True):
        if anatomical is None and pet is None:
            raise ValueError("a reading needs a PET or an anatomical volume")
        self.anatomical = anatomical
        self.pet = pet
        self.pet_from_anat = np.eye(4) if pet_from_anat is None else np.asarray(pet_from_anat, float)
        base = anatomical if anatomical is not None else pet
        sub = (lambda a, b: progress.sub(a, b)) if progress is not None else (lambda a, b: None)
        arr, geo = axis_aligned(base.array, base.geometry, progress=sub(0.0, 0.5))
        self.anat_grid = geo  # the anatomical image's own (axis-aligned) grid
        self._anat_fill = arr.min()  # what the anatomical image shows beyond its field of view (air for a CT)
        if union_fov and anatomical is not None and pet is not None and not needs_registration(pet, anatomical):
            # one frame of reference: the union of the two fields of view as the scanners placed them (a
            # later registration moves the PET inside this grid; the grid does not depend on it)
            arr, geo = pad_to_union(arr, geo, pet.geometry, np.eye(4), fill=self._anat_fill)
        self._union_fov = bool(union_fov)
        if self._union_by_transform() and not np.allclose(self.pet_from_anat, np.eye(4)):
            # different frames with a (stored) registration: the union as the registration places the PET
            geo_u = union_geometry(geo, pet.geometry, self.pet_from_anat)
            arr, geo = regrid_by_offset(arr, geo, geo_u, self._anat_fill), geo_u
        super().__init__(geo, layout=default_layout(anatomical is not None), mip_frames=mip_frames)
        # the anatomical image in its stored type (int16 HU for the usual CT): never a float copy, and never
        # a padded copy over the union of the fields of view (a core.display.PaddedArray frames the planes)
        self.anat_display = arr if anatomical is not None else None
        self.pet_view: PetOnView | None = None
        self.mip: MipFrames | None = None
        self.suv = SuvState(units=(pet.units if pet is not None else ""))
        self._pet_relative_factors = None
        self._pet_source = None
        if pet is not None:
            self._init_suv(resample=False)
            self._apply_pet_arrays(self.compute_pet_arrays(self.pet_from_anat, sub(0.5, 1.0)))
        self._window_presets: dict[str, tuple[float, float]] | None = None
        self.ct_window = self.window_presets()[self.default_window_preset]
        self.display_unit = DISPLAY_UNIT_SUV
        self._pct_ia_factor: float | None | bool = False  # False: not computed yet; None: not available
        if self.functional_label == "SPECT" and "kBq/mL" in self.available_units():
            self.display_unit = "kBq/mL"  # a SPECT is read in activity concentration
        if self.functional_label == "SPECT":
            self.pet_window = self.hotspot_pet_window()
        else:
            self.pet_window = PET_PRESETS["SUV 0-5"] if self.suv.factor is not None else self._auto_pet_window()
        self.registration_note = ""
        self.registration_stored = None  # the io.db RegistrationRow applied at opening, if any

    # ------------------------------------------------------------ PET
    def _resample_pet(self, progress=None) -> None:
        self._apply_pet_arrays(self.compute_pet_arrays(self.pet_from_anat, progress))

    def compute_pet_arrays(self, pet_from_anat, progress=None) -> dict:
        """What the views need to show the PET through a transform: ``pet_view``, a ``PetOnView``
        that resamples the planes shown on demand, and the MIP frames on the PET's own grid.

        Cheap (nothing is resampled yet) and safe on a worker thread; apply with
        ``set_pet_transform(..., arrays=)``."""
        t = np.asarray(pet_from_anat, float)
        src = self._pet_source_array()
        grid = self.display_geometry
        if self._union_by_transform():  # different frames: the display covers both as this transform places them
            grid = self.anat_grid if np.allclose(t, np.eye(4)) else union_geometry(self.anat_grid, self.pet.geometry, t)
        view = PetOnView(src, self.pet.geometry, grid, t)
        mvol, mgeo = self._native_mip_volume()
        mip = self.mip if self.mip is not None and self.mip.volume is mvol else MipFrames(mvol, mgeo, self.n_mip_frames)
        if progress is not None:
            progress.update(1.0, "PET")
        return {"transform": t, "pet_view": view, "mip": mip, "mip_geometry": mgeo, "mip_volume": mvol,
                "display_geometry": grid}

    def _union_by_transform(self) -> bool:
        """True when the display grid follows the registration: PET and anatomy in different frames of
        reference (a shared frame keeps the union of the scanners' placement, whatever the registration)."""
        return (getattr(self, "_union_fov", False) and self.anatomical is not None and self.pet is not None
                and needs_registration(self.pet, self.anatomical))

    def _set_display_geometry(self, grid: ImageGeometry) -> None:
        """Move the display to another union grid on the anatomical lattice (crop/pad the anatomy)."""
        if grid == self.display_geometry:
            return
        if self.anat_display is not None:
            self.anat_display = regrid_by_offset(self.anat_display, self.display_geometry, grid,
                                                 self._anat_fill)
        self.display_geometry = grid
        if hasattr(self, "crosshair"):
            self._snap_crosshair_to_voxel()

    def _pet_source_array(self) -> np.ndarray:
        """The PET array the views resample (float32, made once): stored values × each slice's SUV
        factor relative to ``suv.factor`` (``analysis.suv.apply``, the one SUV road), so display ×
        ``pet_scale`` is SUV."""
        if self._pet_source is None:
            rel = self._pet_relative_factors
            if rel is None:
                src = np.asarray(self.pet.array, np.float32)
            else:
                src = np.asarray(self.pet.array, np.float32) * rel.astype(np.float32)[:, None, None]
            self._pet_source = src
        return self._pet_source

    def _native_mip_volume(self) -> tuple[np.ndarray, ImageGeometry]:
        """The PET on its own grid (with the relative slice factors), re-indexed to be axis-aligned
        (exact for the usual orientations; no copy for an axial PET): the MIP never goes through the
        anatomical grid, so it loses no PET slice or voxel."""
        cached = getattr(self, "_native_mip", None)
        if cached is None:
            arr, geo = axis_aligned(self._pet_source_array(), self.pet.geometry)
            cached = self._native_mip = (np.asarray(arr, np.float32), geo)
        return cached

    def _apply_pet_arrays(self, arrays: dict) -> None:
        if "display_geometry" in arrays:
            self._set_display_geometry(arrays["display_geometry"])
        self.pet_view = arrays["pet_view"]
        self.mip = arrays["mip"]

    @property
    def mip_volume(self) -> np.ndarray | None:
        return None if self.mip is None else self.mip.volume

    @property
    def mip_geometry(self) -> ImageGeometry | None:
        return None if self.mip is None else self.mip.geometry

    @property
    def pet_display(self) -> np.ndarray | None:
        """The whole PET resampled on the whole display grid (float32, file units × slice factors).
        Made on each access and not kept: for tests and small studies; the views use ``pet_view``."""
        return None if self.pet_view is None else self.pet_view.volume()

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
                resample: bool = True, keep_previous: bool = True) -> bool:
        """(Re)compute the SUV factor of ``suv_type`` with ``overrides``; True when it was applied.

        A type or override that cannot be computed (SUVlbm without a height) is **refused** when an SUV is
        shown (``keep_previous``): the previous type, factor and overrides stay, ``suv.refusal`` says why
        (with ``suv.refusal_field``, the input that would fix it), the event ``suv_refused`` is emitted and
        False returned, so that no number on screen changes its meaning. Without a previous SUV (or with
        ``keep_previous=False``) the PET falls back to file units and ``suv.error`` keeps the reason.
        ``audit`` (time, user, changes, reason) is appended to the session's SUV audit trail when applied.
        """
        from workstation.analysis.suv import factor as suv_mod
        from workstation.analysis import errors as errors_mod
        from workstation.analysis.suv.apply import relative_slice_factors

        rel = None
        was_suv = self.suv.factor is not None
        previous = f"SUV{self.suv.suv_type}"
        res = None
        error = None
        try:
            if self.pet.pet is None:
                raise errors_mod.SuvError("the PET has no DICOM header facts (SUV needs them)")
            suv_type = suv_mod.normalize_suv_type(suv_type)
            kwargs = {"suv_type": suv_type}
            if overrides is not None:
                kwargs["overrides"] = overrides
            res = suv_mod.compute_suv(self.pet.pet, **kwargs)
            rel = relative_slice_factors(self.pet, res)
        except (errors_mod.SuvError, ValueError) as exc:
            error = exc
        if error is not None and keep_previous and was_suv:
            self.suv.refusal = (f"SUV{suv_type} refused ({type(error).__name__}: {error}); {previous} kept")
            self.suv.refusal_field = getattr(error, "field", None)
            if emit:
                self.events.emit("suv_refused", message=self.suv.refusal, field=self.suv.refusal_field)
            return False
        self.suv.refusal, self.suv.refusal_field = "", None
        self.suv.suv_type = suv_type
        self._pct_ia_factor = False  # the %IA factor follows the overrides: computed again when asked
        if audit is not None:
            self.suv.audit.append(dict(audit))
        self.suv.overrides = overrides
        if error is not None:  # show raw units, keep the reason
            self._suv_fail(f"{type(error).__name__}: {error}", getattr(error, "field", None))
        else:
            self.suv.factor, self.suv.result, self.suv.error = float(res.factor), res, ""
            self.suv.error_field = None
            self.suv.units = getattr(res, "units", "") or f"SUV{suv_type}"
        if self.suv.factor is None and was_suv and self.pet_view is not None:
            # an SUV window over values in file units would be all white: show the file units' range
            self.pet_window = self._auto_pet_window()
            if emit:
                self.events.emit("pet_window", window=self.pet_window)
        old = self._pet_relative_factors
        if (rel is None) != (old is None) or (rel is not None and not np.array_equal(rel, old)):
            self._pet_relative_factors = rel
            self._pet_source = None
            self._native_mip = None
            if resample:
                self._resample_pet()
        if emit:
            self.events.emit("pet")
        return self.suv.factor is not None or error is None

    @property
    def pet_scale(self) -> float:
        """Factor from file units (times the slice factors) to the display unit (``display_unit``: SUV when
        known, Bq/mL, kBq/mL or %IA/mL), 1 for file units."""
        unit = self.effective_display_unit
        if unit == "Bq/mL":
            return 1.0
        if unit == "kBq/mL":
            return 1e-3
        if unit == "%IA/mL":
            return float(self.percent_ia_factor())
        return 1.0 if self.suv.factor is None else self.suv.factor

    @property
    def pet_units(self) -> str:
        """Label of the functional display values: 'SUVbw' etc., 'Bq/mL', 'kBq/mL', '%IA/mL', else the file units."""
        unit = self.effective_display_unit
        if unit != DISPLAY_UNIT_SUV:
            return unit
        return self.suv_units

    @property
    def suv_units(self) -> str:
        """Label of the quantitative (VOI, lesion) values: 'SUVbw' etc. when SUV is known, else the file units."""
        if self.suv.factor is not None:
            return f"SUV{self.suv.suv_type}"
        return self.pet.units if self.pet is not None else ""

    # ------------------------------------------------------------ display units
    def available_units(self) -> list[str]:
        """The display units this functional image can be shown in: SUV when a factor is known; Bq/mL and
        kBq/mL for an image stored in Bq/mL; %IA/mL when the dose and times are known."""
        out = [DISPLAY_UNIT_SUV] if self.suv.factor is not None else []
        if self.pet is not None and (self.pet.units or "").upper() == "BQML":
            out += ["Bq/mL", "kBq/mL"]
            if self.percent_ia_factor() is not None:
                out.append("%IA/mL")
        return out

    @property
    def effective_display_unit(self) -> str:
        """``display_unit`` when it is available, else SUV (file units when SUV is unknown too)."""
        unit = getattr(self, "display_unit", DISPLAY_UNIT_SUV)
        if unit == DISPLAY_UNIT_SUV or self.pet is None:
            return DISPLAY_UNIT_SUV
        if unit in ("Bq/mL", "kBq/mL") and (self.pet.units or "").upper() == "BQML":
            return unit
        if unit == "%IA/mL" and (self.pet.units or "").upper() == "BQML" and self.percent_ia_factor() is not None:
            return unit
        return DISPLAY_UNIT_SUV

    def percent_ia_factor(self) -> float | None:
        """Stored Bq/mL -> %IA/mL (``analysis.suv.percent_injected_factor``), None when not available."""
        if self._pct_ia_factor is False:
            self._pct_ia_factor = None
            if self.pet is not None and self.pet.pet is not None:
                from workstation.analysis.errors import SuvError
                from workstation.analysis.suv.factor import percent_injected_factor

                try:
                    self._pct_ia_factor = percent_injected_factor(self.pet.pet, self.suv.overrides)
                except (SuvError, ValueError):
                    self._pct_ia_factor = None
        return self._pct_ia_factor

    def set_display_unit(self, unit: str) -> None:
        """Show the functional image in ``unit`` (one of ``available_units``); the window keeps the same
        activity range. ValueError (naming the choices) for a unit this image cannot be shown in."""
        if unit not in self.available_units():
            raise ValueError(f"the {self.functional_label} cannot be shown in {unit!r}; choose one of "
                             f"{', '.join(self.available_units()) or 'its file units'}")
        old = self.pet_scale
        self.display_unit = unit
        ratio = self.pet_scale / old if old else 1.0
        lo, hi = self.pet_window
        self.pet_window = (lo * ratio, hi * ratio)
        self.events.emit("pet_window", window=self.pet_window)
        self.events.emit("pet")

    def hotspot_pet_window(self, percentile: float = HOTSPOT_PERCENTILE) -> tuple[float, float]:
        """(0, ``percentile`` of the positive voxels) in display units, on the functional volume's own grid:
        the automatic window of a SPECT (its hot spots, kidneys and lesions, are a tiny fraction of the
        voxels; an SUV 0-5 window saturates them)."""
        if self.pet is None:
            return (0.0, 1.0)
        src = self._pet_source_array()
        pos = src[src > 0]
        if not pos.size:
            return (0.0, 1.0)
        hi = float(np.percentile(pos, percentile)) * self.pet_scale
        return (0.0, hi if hi > 0 else 1.0)

    def pet_value_at(self, q) -> float | None:
        """The functional value in display units at a point ``q`` of the PET frame (per-instance SUV factors
        applied through ``analysis.suv.apply``); None outside."""
        if self.suv.result is not None:
            from workstation.analysis.suv.apply import suv_value_at

            v = suv_value_at(self.pet, self.suv.result, q)
            return None if v is None else v * (self.pet_scale / self.suv.factor)
        v = self.pet.value_at_world(q)
        return None if v is None else v * self.pet_scale

    def _auto_pet_window(self) -> tuple[float, float]:
        """(0, 99.5th percentile of the positive PET values shown): for a PET without SUV.

        The values are the PET as the views show it at a sample of the display grid's voxels about as
        dense as the PET (``PetOnView.sample_values``: one pass over the PET), never by resampling
        every plane; it equals the percentile over the whole resampled display up to sampling error
        (tests/analysis/test_auto_pet_window.py states the tolerance)."""
        if self.pet_view is None:
            return (0.0, 1.0)
        vals = self.pet_view.sample_values()
        pos = vals[vals > 0]
        return (0.0, float(np.percentile(pos, 99.5)) if pos.size else 1.0)

    # ------------------------------------------------------------ slices
    def slice_image(self, kind: str, plane: str) -> np.ndarray | None:
        """Raw 2-D slice at the crosshair: the anatomical image in its stored units (HU for CT, in its
        stored type), the PET in display units (SUV when known), resampled for this plane only."""
        spec = PLANE_SPECS[plane]
        idx = self.plane_index(plane)
        if kind == "ct":
            return None if self.anat_display is None else extract_plane(self.anat_display, spec, idx)
        if kind == "pet":
            if self.pet_view is None:
                return None
            return self.pet_view.plane(plane, idx) * np.float32(self.pet_scale)
        raise ValueError(f"unknown image kind {kind!r}")

    @property
    def anat_label(self) -> str:
        """What the anatomical image is called on screen: "MR" for an MR, else "CT"."""
        return "MR" if self.anatomical is not None and (self.anatomical.modality or "").upper() == "MR" else "CT"

    @property
    def functional_label(self) -> str:
        """What the functional image is called on screen: "SPECT" for a tomogram stored as NM, of a
        single-photon nuclide (Lu-177, Tc-99m, ... stored as PT) or described as SPECT; else "PET"."""
        return "PET" if self.pet is None else self.pet.functional_modality

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

    def set_pet_preset(self, name: str) -> None:
        if name not in PET_PRESETS:
            raise KeyError(f"unknown PET preset {name!r}; choose one of {', '.join(PET_PRESETS)}")
        self.set_pet_window(*PET_PRESETS[name])

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
            out["pet_value"] = self.pet_value_at(q)
        return out

    def readout_text(self) -> str:
        return self.readout_line(self.readout())

    def readout_line(self, r: dict) -> str:
        """One status-bar line of a readout dict (``readout`` or ``analysis.measure.readout_at``): position,
        anatomical value and PET value."""
        x, y, z = r["world"]
        parts = [f"LPS ({x:.1f}, {y:.1f}, {z:.1f}) mm"]
        if self.anatomical is not None:
            v = r["anat_value"]
            parts.append(f"{self.anatomical.modality or 'anat'} " + ("—" if v is None else f"{v:.0f} {r['anat_units']}"))
        if self.pet is not None:
            v = r["pet_value"]
            parts.append(f"{self.functional_label} " + ("—" if v is None else f"{_fmt_value(v)} {r['pet_units']}"))
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
        lines.extend(self.decay_lines())
        return lines

    def decay_lines(self) -> list[str]:
        """Time after injection (hours for a SPECT) and a decay-statement conflict with its policy, for the overlay."""
        if self.pet is None or self.pet.pet is None:
            return []
        from workstation.analysis.suv.decay import decay_statement_for, format_uptake_time, injection_and_scan

        out = []
        inj, scan = injection_and_scan(self.pet.pet, self.suv.overrides)
        if inj is not None and scan is not None:
            text = format_uptake_time((scan - inj).total_seconds(), hours=self.functional_label == "SPECT")
            out.append(f"{tr('overlay', 'p.i.')} {text}" if text[:1].isdigit() else tr("overlay", "injection after scan!"))
        st = decay_statement_for(self.pet.pet, self.suv.overrides)
        if st is not None and st.conflict:
            out.append(tr("overlay", "decay: {} but DecayFactor {:.3g} (expected {:.3g}): read as at the scan").format(
                st.declared, st.decay_factor, st.expected_factor) if abs(st.decay_factor - 1.0) < 1e-6 else
                tr("overlay", "decay: {} but DecayFactor {:.3g} (expected {:.3g}): DecayFactor trusted").format(
                st.declared, st.decay_factor, st.expected_factor))
        return out

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
        if sex_assumed(self.suv.result) is not None:  # an LBM/IBW SUV that used the mean of male and female
            parts.append(tr("overlay", "sex unknown: M/F mean"))
        return "  ".join(p for p in parts if p)

    # ------------------------------------------------------------ MIP
    def precompute_mip(self, progress=None) -> None:
        """Fill the MIP frames not yet computed (for the rotating cine), starting after the frame
        shown (the view computes that one itself, at once); safe on a worker thread, cancelled
        through ``progress``."""
        if self.mip is not None:
            self.mip.fill(progress, start=self.mip_angle_index + 1)

    def _mip_rays(self, angle_deg: float):
        """Screen axes of the MIP at an angle (``analysis.mip.mip_rays`` on the PET's grid)."""
        return mip_rays(self.mip_geometry, angle_deg)

    def mip_frame(self, index: int | None = None) -> tuple[np.ndarray, tuple[float, float]]:
        """MIP image (display units, row 0 = superior) at a frame index, and its pixel spacing."""
        i = (self.mip_angle_index if index is None else index) % self.n_mip_frames
        img = self.mip.frame(i) * np.float32(self.pet_scale)
        g = self.mip_geometry
        return img, (g.spacing[0], g.spacing[2])

    def _pet_to_anat(self, p) -> np.ndarray:
        """PET-frame world point(s) → anatomical world (inverse of ``pet_from_anat``)."""
        inv = np.linalg.inv(self.pet_from_anat)
        return np.asarray(p, float) @ inv[:3, :3].T + inv[:3, 3]

    def _mip_index(self, index: int | None) -> int:
        return self.mip_angle_index if index is None else index

    def mip_pixel_to_world(self, col: float, row: float, depth_mm: float = 0.0, index: int | None = None) -> np.ndarray:
        """Anatomical world point on the ray of MIP pixel (col, row), ``depth_mm`` from the PET centre plane."""
        return self._pet_to_anat(self.mip.pixel_to_pet(col, row, depth_mm, self._mip_index(index)))

    def world_to_mip_pixel(self, xyz, index: int | None = None) -> tuple[float, float]:
        """MIP pixel (col, row) of an anatomical world point (mapped into the PET frame first)."""
        t = self.pet_from_anat
        return self.mip.pet_to_pixel(t[:3, :3] @ np.asarray(xyz, float) + t[:3, 3], self._mip_index(index))

    def hottest_along_ray(self, col: float, row: float, index: int | None = None) -> np.ndarray:
        """Anatomical world position of the hottest PET voxel on the MIP ray through pixel (col, row)
        (``analysis.mip.MipFrames.hottest_along_ray``: a voxel of the PET itself)."""
        return self._pet_to_anat(self.mip.hottest_along_ray(col, row, self._mip_index(index)))

    def jump_from_mip(self, col: float, row: float) -> None:
        self.set_crosshair(self.hottest_along_ray(col, row))
