"""PETSIRD list-mode files: header through the pinned ``petsird`` SDK, events through our numba codec.

The SDK (``petsird==0.12.0``, pinned: the binary format changes between minor versions) reads
and writes the header: scanner geometry, TOF bins, efficiencies, exam information. Reading
events through it builds one Python object per event (~0.15 M events/s), so the time blocks
are decoded here by :func:`decode_all` (prompts and delayeds in one pass; :func:`decode_events`
for one kind), a numba loop over the yardl binary encoding:

* after the header comes a *stream* of ``TimeBlock`` unions: repeated (varint count, items),
  ended by a count of 0;
* each item is a union tag byte (0 = ``EventTimeBlock``, others are skipped only when they
  are of a kind we can parse, otherwise :class:`PetsirdError`), then the record fields;
* ``EventTimeBlock`` = time interval (2 varints, ms), singles (nested vectors), prompts and
  delayeds (vector over module-type rows of vectors of event lists), triples, quadruples;
* a ``CoincidenceEvent`` = 2 detection bins (fixed vector: 2 varints) + varint TOF index.

Where the events start is found by re-serialising the header with the SDK and checking that the
file starts with exactly those bytes; so any header the SDK accepts works, and a mismatch is an
error rather than a misread. :func:`write_listmode` writes the header with the SDK and the
events with :func:`encode_events` (the mirror of the decoder); the SDK reads them back in tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .scanner import Scanner, ScannerError


class PetsirdError(ValueError):
    """The file is not PETSIRD list-mode this plugin can read (message names the file)."""


@dataclass
class ListmodeHeader:
    scanner: Scanner
    events_offset: int  # byte offset of the time-block stream
    exam: dict
    sdk_header: object


# ----------------------------------------------------------------------------- header
def _header_bytes(header) -> bytes:
    import petsird

    bio = io.BytesIO()
    w = petsird.BinaryPETSIRDWriter(bio)
    w.write_header(header)
    w._stream.flush()
    return bio.getvalue()


def scanner_from_petsird(info, source: str = "") -> Scanner:
    geom = info.scanner_geometry
    if geom.number_of_module_types() != 1:
        raise ScannerError(f"{source}: {geom.number_of_module_types()} module types; this plugin reads scanners "
                           "with one module type")
    rep = geom.replicated_modules[0]
    elements = rep.object.detecting_elements
    corners = np.array([c.c for c in elements.object.shape.corners], dtype=np.float64)
    if corners.shape != (8, 3):
        raise ScannerError(f"{source}: crystal shape is not a box with 8 corners")
    xmin = corners[:, 0].min()
    face_local = np.append(corners[np.isclose(corners[:, 0], xmin)].mean(axis=0), 1.0)
    area = float(np.ptp(corners[:, 1]) * np.ptp(corners[:, 2]))
    mods = [np.asarray(t.matrix, np.float64) for t in rep.transforms]
    els = [np.asarray(t.matrix, np.float64) for t in elements.transforms]
    centres, normals = [], []
    for m in mods:
        for e in els:
            p = m[:, :3] @ (e @ face_local) + m[:, 3]
            n = m[:, :3] @ (e[:, :3] @ np.array([1.0, 0.0, 0.0]))
            centres.append(p)
            normals.append(n)
    centres = np.array(centres)
    normals = np.array(normals)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    radial = centres.copy()
    radial[:, 2] = 0
    flip = np.einsum("ij,ij->i", normals, radial) < 0
    normals[flip] *= -1
    n_en = int(info.event_energy_bin_edges[0].number_of_bins()) if info.event_energy_bin_edges else 1
    edges = np.asarray(info.tof_bin_edges[0][0].edges, dtype=np.float64)
    if edges.size < 2:
        raise ScannerError(f"{source}: no TOF bin edges (coincidence window) in the scanner description")
    fwhm = float(info.tof_resolution[0][0])
    eff = np.ones(len(centres) * n_en)
    cal = 1.0
    de = info.detection_efficiencies
    if de is not None:
        cal = float(de.calibration_factor) if de.calibration_factor else 1.0
        if de.detection_bin_efficiencies:
            eff = np.asarray(de.detection_bin_efficiencies[0], dtype=np.float64)
        if de.module_pair_efficiencies_vectors:
            raise ScannerError(f"{source}: module-pair efficiencies are not supported by this plugin")
    if eff.size != len(centres) * n_en:
        raise ScannerError(f"{source}: {eff.size} detection-bin efficiencies for {len(centres) * n_en} bins")
    # efficiencies per element: average over energy bins (events of all energy bins are used)
    eff = eff.reshape(len(centres), n_en).mean(axis=1)
    if not np.all(np.isfinite(centres)) or not np.all(eff >= 0):
        raise ScannerError(f"{source}: non-finite crystal positions or negative efficiencies")
    return Scanner(centres, normals, np.full(len(centres), area), eff, edges, fwhm, cal, n_en, info.model_name)


def scanner_to_petsird(s: Scanner):
    import petsird
    from petsird.helpers.create import initialize_scanner_information_dimensions

    if s.radius is None:
        raise ScannerError("only cylindrical scanners built by cylindrical_scanner() can be written")
    depth = getattr(s, "crystal_depth", 20.0)
    pitch = getattr(s, "ring_pitch", 4.0)
    width = 2 * np.pi * s.radius / s.n_per_ring

    def coord(x, y, z):
        return petsird.Coordinate(c=np.array((x, y, z), dtype=np.float32))

    corners = [coord(x, y, z) for x in (0, depth) for y in (-width / 2, width / 2) for z in (-pitch / 2, pitch / 2)]
    crystal = petsird.BoxSolidVolume(shape=petsird.BoxShape(corners=corners), material_id=1)
    rep_el = petsird.ReplicatedBoxSolidVolume(object=crystal)
    z = (np.arange(s.n_rings) - (s.n_rings - 1) / 2) * pitch + float(getattr(s, "axial_offset", 0.0))
    for zr in z:
        rep_el.transforms.append(petsird.RigidTransformation(matrix=np.array(
            ((1, 0, 0, s.radius), (0, 1, 0, 0), (0, 0, 1, zr)), dtype=np.float32)))
    module = petsird.DetectorModule(detecting_elements=rep_el)
    rep_mod = petsird.ReplicatedDetectorModule(object=module)
    for j in range(s.n_per_ring):
        a = 2 * np.pi * j / s.n_per_ring
        rep_mod.transforms.append(petsird.RigidTransformation(matrix=np.array(
            ((np.cos(a), -np.sin(a), 0, 0), (np.sin(a), np.cos(a), 0, 0), (0, 0, 1, 0)), dtype=np.float32)))
    info = petsird.ScannerInformation(model_name=s.model_name,
                                      scanner_geometry=petsird.ScannerGeometry(replicated_modules=[rep_mod]))
    initialize_scanner_information_dimensions(info, 1, allocate_detection_bin_efficiencies=True,
                                              allocate_module_pair_efficiencies=False)
    info.tof_bin_edges[0][0] = petsird.BinEdges(edges=np.asarray(s.tof_edges, np.float32))
    info.tof_resolution[0][0] = float(s.tof_fwhm_mm)
    info.event_energy_bin_edges[0] = petsird.BinEdges(edges=np.array([430.0, 650.0], np.float32))
    info.energy_resolution_at_511[0] = 0.12
    info.detection_efficiencies.calibration_factor = float(s.calibration_factor)
    info.detection_efficiencies.detection_bin_efficiencies[0] = [float(e) for e in s.efficiencies]
    info.detection_efficiencies.method_description = "simulation: per-crystal efficiencies, Crofton geometry"
    info.prompt_event_policy = petsird.CoincidencePolicy.REJECT_HIGHER_MULTIPLES
    info.delayed_event_policy = petsird.CoincidencePolicy.REJECT_HIGHER_MULTIPLES
    return info


def read_header(path: str | Path) -> ListmodeHeader:
    import petsird

    path = Path(path)
    try:
        with open(path, "rb") as f:
            reader = petsird.BinaryPETSIRDReader(f)
            header = reader.read_header()
            hb = _header_bytes(header)
            f.seek(0)
            head = f.read(len(hb))
    except (OSError, EOFError) as exc:
        raise PetsirdError(f"{path}: cannot read a PETSIRD header ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - the SDK raises assorted errors on foreign files
        raise PetsirdError(f"{path}: not a PETSIRD 0.12 binary file ({type(exc).__name__}: {exc})") from None
    if head != hb:
        raise PetsirdError(f"{path}: header does not re-serialise identically; cannot locate the event stream")
    scanner = scanner_from_petsird(header.scanner, str(path))
    exam = exam_facts(header.exam)
    return ListmodeHeader(scanner, len(hb), exam, header)


def _iso(dt) -> str | None:
    """ISO text of a yardl DateTime, None for the unset default (the epoch)."""
    if dt is None:
        return None
    value = dt.to_datetime()
    if value.year <= 1970:
        return None
    return value.replace(tzinfo=None).isoformat()


def exam_facts(ex) -> dict:
    """The SUV facts and UIDs of a PETSIRD ``ExamInformation`` (zero / epoch values count as absent)."""
    if ex is None:
        return {}
    out = {"study_instance_uid": str(ex.study_instance_uid or ""),
           "frame_of_reference_uid": str(ex.frame_of_reference_uid or ""),
           "acquisition_start": _iso(ex.start_of_acquisition)}
    if ex.patient is not None:
        out["weight_kg"] = float(ex.patient.patients_weight) or None
        out["height_m"] = float(ex.patient.patients_size) or None
    if ex.radiopharmaceuticals:
        rp = ex.radiopharmaceuticals[0]
        out["injected_dose_bq"] = float(rp.radionuclide_total_dose) or None
        out["injection_datetime"] = _iso(rp.radiopharmaceutical_start_date_time)
    return out


def make_exam(acquisition_start=None, injection_datetime=None, injected_dose_bq=None, weight_kg=None):
    """A PETSIRD ``ExamInformation`` carrying the SUV facts (None = not written)."""
    import petsird

    ex = petsird.ExamInformation(modality="PT")
    if acquisition_start is not None:
        ex.start_of_acquisition = petsird.yardl_types.DateTime.from_datetime(acquisition_start)
    if weight_kg is not None:
        ex.patient = petsird.DICOMPatientInformation(patients_weight=float(weight_kg))
    if injected_dose_bq is not None or injection_datetime is not None:
        rp = petsird.DICOMRadiopharmaceuticalInformation(radionuclide_total_dose=float(injected_dose_bq or 0.0))
        if injection_datetime is not None:
            rp.radiopharmaceutical_start_date_time = petsird.yardl_types.DateTime.from_datetime(injection_datetime)
        ex.radiopharmaceuticals = [rp]
    return ex


# ----------------------------------------------------------------------------- numba codec
def _jit():
    from . import _kernels_codec

    return _kernels_codec


def decode_all(path: str | Path, header: ListmodeHeader | None = None):
    """Prompts and delayeds in one pass: ``((b1, b2, tof, t_ms), (b1, b2, tof, t_ms), duration_ms)``.

    Two walks over the file's bytes in memory (count, then fill), both numba; no per-event Python.
    Raises PetsirdError for truncated or malformed data.
    """
    path = Path(path)
    header = header or read_header(path)
    data = np.fromfile(path, dtype=np.uint8)
    k = _jit()
    n_p, n_d, status, pos = k.count_events(data, header.events_offset)
    if status != 0:
        raise PetsirdError(f"{path}: malformed event stream at byte {pos} ({k.STATUS[status]})")
    arrays = [np.empty(n, t) for n in (n_p, n_d) for t in (np.int32, np.int32, np.int32, np.int64)]
    times = np.zeros(2, np.int64)
    n_p2, n_d2, status, pos = k.fill_events(data, header.events_offset, *arrays, times)
    if status != 0 or (n_p2, n_d2) != (n_p, n_d):  # pragma: no cover - the count pass found the same bytes
        raise PetsirdError(f"{path}: malformed event stream at byte {pos} ({k.STATUS.get(status, status)})")
    return tuple(arrays[:4]), tuple(arrays[4:]), int(times[1] - times[0])


def decode_events(path: str | Path, header: ListmodeHeader | None = None, delayed: bool = False):
    """All prompt (or delayed) coincidences: ``(bin1, bin2, tof_idx, block_start_ms)`` arrays + duration (ms).

    Raises PetsirdError for truncated or malformed data.
    """
    prompts, delayeds, duration_ms = decode_all(path, header)
    return (*(delayeds if delayed else prompts), duration_ms)


def sdk_read_events(path: str | Path):
    """Reference reader through the SDK (slow): the same arrays as :func:`decode_events` for prompts."""
    import petsird

    b1, b2, tof, tms = [], [], [], []
    with open(path, "rb") as f:
        r = petsird.BinaryPETSIRDReader(f)
        r.read_header()
        for tb in r.read_time_blocks():
            if isinstance(tb, petsird.TimeBlock.EventTimeBlock):
                blk = tb.value
                for ev in blk.prompt_events[0][0]:
                    b1.append(ev.detection_bins[0])
                    b2.append(ev.detection_bins[1])
                    tof.append(ev.tof_idx)
                    tms.append(blk.time_interval.start)
    return (np.array(b1, np.int32), np.array(b2, np.int32), np.array(tof, np.int32), np.array(tms, np.int64))


def write_listmode(path: str | Path, scanner: Scanner, prompts, delayeds=None, duration_s: float = 1.0,
                   block_ms: int = 100, exam=None) -> None:
    """Write PETSIRD: SDK header, then numba-encoded event blocks spread over ``duration_s``.

    ``prompts``/``delayeds`` are ``(det1, det2, tof_idx)`` element-index arrays (energy bin 0).
    Events are reordered to PETSIRD's bin1 >= bin2 rule (mirroring the TOF index when swapped).
    """
    import petsird

    header = petsird.Header(scanner=scanner_to_petsird(scanner), exam=exam)
    hb = _header_bytes(header)
    nb = scanner.n_tof_bins

    def prep(ev):
        if ev is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        d1, d2, t = (np.asarray(a, np.int64) for a in ev)
        swap = d1 < d2
        b1 = np.where(swap, d2, d1) * scanner.n_energy_bins
        b2 = np.where(swap, d1, d2) * scanner.n_energy_bins
        t = np.where(swap, nb - 1 - t, t)
        return b1, b2, t

    p = prep(prompts)
    d = prep(delayeds)
    duration_ms = max(1, int(round(duration_s * 1000)))
    n_blocks = max(1, int(np.ceil(duration_ms / block_ms)))
    p_split = np.linspace(0, p[0].size, n_blocks + 1).astype(np.int64)
    d_split = np.linspace(0, d[0].size, n_blocks + 1).astype(np.int64)
    k = _jit()
    cap = 64 + 32 * n_blocks + 16 * (p[0].size + d[0].size)
    buf = np.empty(cap, np.uint8)
    n = k.encode_blocks(buf, *p, *d, p_split, d_split, block_ms, duration_ms)
    with open(path, "wb") as f:
        f.write(hb)
        f.write(buf[:n].tobytes())
