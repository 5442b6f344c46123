"""The state of a reading as a JSON document, and back: what ``io.sessions`` stores with the study.

``capture(session, vois)`` takes a :class:`fusion.ReadingSession` and its ``voi.VoiModel`` and
returns plain JSON data: version, crosshair (world mm), CT window (width, level), PET window
(lower, upper), colour map, opacity, layout, MIP angle, zoom and pan per view, the PET→CT
registration (4×4 matrix and its note) and every VOI (kind, name, source, parameters, and its
mask as the crop origin on the PET grid, the crop shape and the crop's bits, packed and base64
encoded, so a hand-edited or grown region comes back voxel for voxel). Statistics are not
stored: ``apply`` recomputes them from the image, so a restored VOI can never show numbers that
disagree with the pixels.

``apply(session, vois, state)`` restores all of it; a VOI whose mask does not fit the PET grid
(another series) is skipped and named in the returned list of warnings.
"""

from __future__ import annotations

import base64

import numpy as np

VERSION = 1


def _mask_to_json(lo, crop: np.ndarray) -> dict:
    c = np.asarray(crop, bool)
    return {"lo": [int(v) for v in lo], "shape": [int(v) for v in c.shape],
            "bits": base64.b64encode(np.packbits(c.ravel()).tobytes()).decode("ascii")}


def _mask_from_json(d: dict) -> tuple[tuple[int, int, int], np.ndarray]:
    shape = tuple(int(v) for v in d["shape"])
    n = int(np.prod(shape))
    bits = np.unpackbits(np.frombuffer(base64.b64decode(d["bits"]), np.uint8))[:n]
    if bits.size != n:
        raise ValueError("VOI mask bits do not match its shape")
    return tuple(int(v) for v in d["lo"]), bits.astype(bool).reshape(shape)


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def capture(session, vois=None) -> dict:
    s = session
    state = {
        "version": VERSION,
        "crosshair": [float(v) for v in s.crosshair],
        "ct_window": [float(v) for v in s.ct_window],
        "pet_window": [float(v) for v in s.pet_window],
        "colormap": s.colormap,
        "opacity": float(s.opacity),
        "layout": s.layout,
        "mip_angle_index": int(s.mip_angle_index),
        "zoom": {k: float(v) for k, v in dict(s.zoom).items()},
        "pan": {k: [float(x) for x in v] for k, v in dict(s.pan).items()},
        "registration": {"pet_from_anat": np.asarray(s.pet_from_anat, float).tolist(),
                         "note": s.registration_note},
        "vois": [],
    }
    if vois is not None:
        for v in vois.vois.values():
            state["vois"].append({"kind": v.kind, "name": v.name, "source": v.source, "params": _plain(v.params),
                                  "mask": _mask_to_json(v.lo, v.crop)})
    return state


def registration_change(session, state: dict):
    """(pet_from_anat 4×4, note) of ``state`` when it differs from the session's, else None."""
    reg = state.get("registration") or {}
    m = reg.get("pet_from_anat")
    if m is None or session.pet is None or int(state.get("version", 0)) > VERSION:
        return None
    m = np.asarray(m, float)
    if m.shape != (4, 4) or np.allclose(m, session.pet_from_anat):
        return None
    return m, str(reg.get("note", ""))


def apply(session, vois, state: dict, *, registration: bool = True) -> list[str]:
    """Restore ``state``; returns warnings (VOIs that could not be placed). Emits the session's events.

    ``registration=False`` leaves the PET→anatomy transform alone (the caller restores it off the
    UI thread: ``registration_change`` says what to restore, ``fusion.compute_pet_arrays`` resamples).
    """
    s = session
    warnings: list[str] = []
    if int(state.get("version", 0)) > VERSION:
        return [f"the stored session was written by a newer version (format {state.get('version')}); not restored"]
    change = registration_change(s, state) if registration else None
    if change is not None:
        s.set_pet_transform(change[0], note=change[1])
    if "ct_window" in state:
        w, lvl = state["ct_window"]
        s.set_ct_window(float(w), float(lvl))
    if "pet_window" in state:
        lo, hi = state["pet_window"]
        s.set_pet_window(float(lo), float(hi))
    for key, setter in (("colormap", s.set_colormap), ("opacity", s.set_opacity), ("layout", s.set_layout)):
        if key in state:
            setter(state[key])
    if "mip_angle_index" in state:
        s.set_mip_angle_index(int(state["mip_angle_index"]))
    for k, z in (state.get("zoom") or {}).items():
        s.set_zoom(k, float(z))
    for k, p in (state.get("pan") or {}).items():
        s.set_pan(k, (float(p[0]), float(p[1])))
    if "crosshair" in state:
        s.set_crosshair(np.asarray(state["crosshair"], float))
    if vois is not None and "vois" in state:
        vois.clear()
        shape = tuple(vois.geometry.shape)
        for d in state["vois"]:
            try:
                lo, crop = _mask_from_json(d["mask"])
                if any(a < 0 or a + n > size for a, n, size in zip(lo, crop.shape, shape)) or not crop.any():
                    raise ValueError("outside the PET grid")
                vois.restore(d["kind"], d.get("name", ""), lo, crop, d.get("params") or {}, d.get("source", "manual"))
            except (KeyError, ValueError, TypeError) as exc:
                warnings.append(f"VOI {d.get('name', '?')!r} not restored: {exc}")
    return warnings
