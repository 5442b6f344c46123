"""A reading of one PET series: its lesions, reference regions and the results that leave the workstation.

``measure`` segments lesions exactly as ``workstation lesions`` does (``segmentation.find_lesions``:
whole-body, or one lesion per seed; several seeds give several lesions, a seed that lands in a
lesion already found adds nothing), measures the liver / blood-pool reference VOIs when their
centres are given, and scores Deauville when both are present. The exports are then built from
that one result: DICOM SEG (one segment per lesion + the reference regions), SR TID 1500 (the
same numbers), RWVM (the SUV factor), secondary-capture key images, and the PDF report's data.
Every number comes from the SUV array made by ``suv_apply.suv_array`` (per-instance factors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.analysis.errors import QuantError
from workstation.analysis.lesions.references import ReferenceVOI, blood_pool_reference, liver_reference
from workstation.analysis.followup.response import deauville_points
from workstation.core.vocabulary import DEFAULT_EXCLUDE
from workstation.analysis.lesions.segmentation import LesionReport, find_lesions
from workstation.analysis.lesions.shapes import cylinder_mask, sphere_mask


@dataclass
class Reading:
    pet: object  # core Volume (file units)
    suv: object  # SuvResult
    suv_array: np.ndarray
    report: LesionReport
    method: str
    seeds: list = field(default_factory=list)
    liver: ReferenceVOI | None = None
    blood_pool: ReferenceVOI | None = None
    deauville: dict = field(default_factory=dict)  # lesion label -> score 1..5
    tracking_uids: dict = field(default_factory=dict)  # segment label text -> UID (SEG and SR share them)
    response: object = None  # response.RuleResult of the follow-up this reading is (PERCIST), when one was computed

    @property
    def lesions(self):
        return self.report.lesions

    def parameters(self) -> list[str]:
        """The segmentation method and its parameters as short text (SEG/SR algorithm parameters, report)."""
        r = self.report
        out = [f"method = {r.method}"]
        if r.threshold is not None:
            out.append(f"threshold SUV = {r.threshold:.3f}")
        else:
            out.append("threshold = per lesion (relative to its maximum)")
        if r.seeded or self.seeds:
            out.append("seeds (LPS mm) = " + "; ".join(",".join(f"{v:.1f}" for v in s) for s in self.seeds))
        else:
            out.append(f"whole body, min volume = {r.min_volume_ml:g} mL")
        if r.reference and "percist_threshold" in r.reference:
            out.append(f"PERCIST threshold = {r.reference['percist_threshold']:.3f}")
        out.append(f"SUV type = {self.suv.suv_type}")
        return out


def whole_body_tracer_warning(pet) -> str:
    """A warning when whole-body detection runs on a series that is not FDG ("" for FDG, or when nothing says
    otherwise): its thresholds and its exclusions (brain, bladder) are those of FDG PET, and the physiological
    uptake of another tracer (kidneys, spleen, liver, salivary glands of a DOTATATE, PSMA or FAPI scan) is
    not excluded, so it shows among the "lesions"."""
    from workstation.core import vocabulary as vocab

    value = getattr(getattr(pet, "pet", None), "value", None)  # the PetAcquisition's facts
    if value is None:
        return ""
    text = str(value("radiopharmaceutical") or "").strip()
    nuclide = getattr(pet, "nuclide", None)
    if vocab.fdg_tracer(nuclide, text) is not False:
        return ""
    what = " ".join(x for x in (getattr(nuclide, "name", ""), getattr(pet, "functional_modality", "PET")) if x)
    return (f"whole-body detection is made for FDG PET; this is a {what}"
            + (f" ({vocab.tracer_label(text)})" if text else "")
            + ": the physiological uptake of its tracer is not excluded and shows among the lesions;"
              " read each finding, or measure clicked lesions")


def measure(pet, suv_result, method: str = "fixed:2.5", *, seeds=(), liver_world=None, blood_pool_world=None,
            min_volume_ml: float = 0.5, exclude=DEFAULT_EXCLUDE, constraint=None, progress=None) -> Reading:
    """Find the lesions as `workstation lesions` and the viewer do (same defaults: brain and bladder
    excluded by anatomy, the seeded constraint), measure the references, score Deauville."""
    from workstation.analysis.suv.apply import suv_array

    suv = suv_array(pet, suv_result)
    geom = pet.geometry
    seeds = [tuple(float(v) for v in s) for s in (seeds or ())]
    if not seeds:
        rep = find_lesions(suv, geom, method, liver_world=liver_world, min_volume_ml=min_volume_ml,
                           exclude=tuple(exclude), progress=progress)
        caveat = whole_body_tracer_warning(pet)
        if caveat:
            rep.warnings.append(caveat)
    else:
        rep = _seeded(suv, geom, method, seeds, liver_world, progress, constraint)
    liver = liver_reference(suv, geom, liver_world) if liver_world is not None else None
    bp = blood_pool_reference(suv, geom, blood_pool_world) if blood_pool_world is not None else None
    scores = {}
    if liver is not None and bp is not None:
        scores = {les.label: deauville_points(les.suvmax, bp.mean, liver.mean) for les in rep.lesions}
    return Reading(pet, suv_result, suv, rep, method, seeds, liver, bp, scores)


def _seeded(suv, geom, method, seeds, liver_world, progress, constraint=None) -> LesionReport:
    labels = np.zeros(suv.shape, np.int32)
    lesions = []
    warnings: list[str] = []
    first = None
    for s in seeds:
        r = find_lesions(suv, geom, method, seed_world=s, liver_world=liver_world, progress=progress,
                         constraint=constraint)
        first = first or r
        warnings.extend(f"seed {', '.join(f'{v:.1f}' for v in s)}: {w}" for w in r.warnings)
        region = r.labels == 1
        if (labels[region] > 0).any():  # this seed fell in a lesion already found
            continue
        les = r.lesions[0]
        les.label = len(lesions) + 1
        labels[region] = les.label
        lesions.append(les)
    return LesionReport(first.method, first.threshold, lesions, float(sum(x.mtv_ml for x in lesions)),
                        float(sum(x.tlg for x in lesions)), len(lesions), True, 0.0, first.reference, [], labels,
                        constraint=first.constraint, warnings=warnings)


# ---------------------------------------------------------------------------------------- exports
def _uid(reading: Reading, key: str) -> str:
    from workstation.io.export_common import new_uid

    if key not in reading.tracking_uids:
        reading.tracking_uids[key] = new_uid()
    return reading.tracking_uids[key]


def segments(reading: Reading):
    """SegmentSpecs of the lesions (label i -> segment i) then the reference regions."""
    from workstation.io.export_seg import SegmentSpec, lesion_colour

    params = {p.split(" = ")[0]: p.split(" = ", 1)[-1] for p in reading.parameters()}
    out = []
    for les in reading.lesions:
        label = f"Lesion {les.label}"
        out.append(SegmentSpec(label, reading.report.labels == les.label, "lesion", lesion_colour(les.label),
                               label, _uid(reading, label), f"workstation {reading.report.method}", params,
                               automatic=not reading.report.seeded))
    geom = reading.pet.geometry
    if reading.liver is not None:
        m = sphere_mask(geom, reading.liver.centre_world, reading.liver.size_mm[0] / 2)
        out.append(SegmentSpec("Liver reference", m, "liver", (160, 82, 45), "Liver reference",
                               _uid(reading, "Liver reference"), "workstation reference VOI",
                               {"shape": f"sphere {reading.liver.size_mm[0]:g} mm"}))
    if reading.blood_pool is not None:
        d, length = reading.blood_pool.size_mm
        m = cylinder_mask(geom, reading.blood_pool.centre_world, d, length)
        out.append(SegmentSpec("Blood pool reference", m, "blood_pool", (200, 0, 0), "Blood pool reference",
                               _uid(reading, "Blood pool reference"), "workstation reference VOI",
                               {"shape": f"cylinder {d:g} x {length:g} mm"}))
    return out


def measurement_set(reading: Reading):
    from workstation.io.export_sr import MeasurementSet, RegionMeasurement

    regions = []
    for les in reading.lesions:
        label = f"Lesion {les.label}"
        regions.append(RegionMeasurement(label, les.label, _uid(reading, label), "lesion", les.suvmax, les.suvpeak,
                                         les.suvmean, les.suv_sd, les.mtv_ml, les.tlg,
                                         reading.deauville.get(les.label)))
    n = len(reading.lesions)
    for ref, kind, label in ((reading.liver, "liver", "Liver reference"),
                             (reading.blood_pool, "blood_pool", "Blood pool reference")):
        if ref is not None:
            n += 1
            regions.append(RegionMeasurement(label, n, _uid(reading, label), kind, suvmax=ref.max, suvmean=ref.mean,
                                             suvsd=ref.std, mtv_ml=ref.volume_ml))
    category = None
    if reading.response is not None and str(getattr(reading.response, "method", "")).lower() == "percist":
        category = str(reading.response.category) or None
    return MeasurementSet(reading.suv.suv_type, reading.report.method, reading.parameters(), regions, category)


def attach_response(reading: Reading, followup_reading) -> Reading:
    """Give ``reading`` (the follow-up study) the PERCIST response of ``followup_reading``
    (``followup.read_followup`` of a baseline and this study); the SR then carries its category."""
    reading.response = followup_reading.response("percist")
    return reading


ALL_NAMES = {"seg": "seg.dcm", "sr": "sr.dcm", "rwvm": "rwvm.dcm", "sc": "key.dcm"}


def export_all(reading: Reading, folder, *, overwrite: bool = False, images=None) -> list:
    """SEG + RWVM + SR (referencing both) + key images of one reading, written into ``folder``.

    Names: ``seg.dcm``, ``rwvm.dcm``, ``sr.dcm``, ``key-mip.dcm``, ``key-lesion-N.dcm``. Every
    target is checked before anything is written: one existing file stops the whole export unless
    ``overwrite``. ``images``: the key images (``key_images.KeyImage``; default: PET only).
    """
    from pathlib import Path

    from workstation.io import export_common as C
    from workstation.io.export_rwvm import build_rwvm
    from workstation.io.export_sc import key_image_paths, write_key_images
    from workstation.io.export_seg import build_seg
    from workstation.io.export_sr import build_sr

    from workstation.analysis.reading.key_images import key_images

    folder = Path(folder)
    if not folder.is_dir():
        raise QuantError(f"{folder}: not a folder; create it first or give an existing one")
    heads = C.source_headers_for(reading.pet)
    if not reading.lesions and reading.liver is None and reading.blood_pool is None:
        raise QuantError("no lesion was found with this method and these settings: nothing to export")
    if images is None:
        images = key_images(reading)
    paths = {k: folder / n for k, n in ALL_NAMES.items() if k != "sc"}
    sc_paths = key_image_paths(folder / ALL_NAMES["sc"], [im.name for im in images])
    for t in [*paths.values(), *sc_paths]:
        C.check_target(t, overwrite)
    seg = build_seg(heads, reading.pet.geometry, segments(reading))
    rwvm = build_rwvm(heads, reading.suv.suv_type, reading.suv.factor, reading.suv.instance_factors)
    sr = build_sr(heads, seg, measurement_set(reading), rwvm=rwvm)
    C.save_dataset(seg, paths["seg"], overwrite)
    C.save_dataset(rwvm, paths["rwvm"], overwrite)
    C.save_dataset(sr, paths["sr"], overwrite)
    written = [paths["seg"], paths["rwvm"], paths["sr"]]
    written += write_key_images(folder / ALL_NAMES["sc"], heads[0], images, overwrite=overwrite)
    return written


def export(reading: Reading, kind: str, out, *, overwrite: bool = False, seg_out=None, images=None) -> list:
    """Write ``kind`` (seg | sr | rwvm | sc) to ``out``; returns the paths written.

    ``images`` (sc): the key images to write (``key_images.KeyImage``, e.g. fused with the viewer's
    style); default: ``key_images.key_images(reading)`` (PET only).

    ``sr`` also writes the SEG it refers to (``seg_out``, default OUT with ``-seg`` before the
    suffix) unless that SEG is given as an existing file written from this same reading.
    """
    from pathlib import Path

    from workstation.io import export_common as C
    from workstation.io.export_rwvm import write_rwvm
    from workstation.io.export_seg import build_seg, write_seg
    from workstation.io.export_sr import write_sr

    heads = C.source_headers_for(reading.pet)
    if kind in ("seg", "sr", "sc") and not reading.lesions and reading.liver is None and reading.blood_pool is None:
        raise QuantError("no lesion was found with this method and these settings: nothing to export")
    if kind == "seg":
        write_seg(out, heads, reading.pet.geometry, segments(reading), overwrite=overwrite)
        return [Path(out)]
    if kind == "sr":
        out = Path(out)
        seg_path = Path(seg_out) if seg_out else out.with_name(out.stem + "-seg" + (out.suffix or ".dcm"))
        C.check_target(out, overwrite)
        C.check_target(seg_path, overwrite)
        seg = build_seg(heads, reading.pet.geometry, segments(reading))
        write_sr(out, heads, seg, measurement_set(reading), overwrite=overwrite)
        C.save_dataset(seg, seg_path, overwrite)
        return [out, seg_path]
    if kind == "rwvm":
        write_rwvm(out, heads, reading.suv.suv_type, reading.suv.factor, reading.suv.instance_factors,
                   overwrite=overwrite)
        return [Path(out)]
    if kind == "sc":
        from workstation.io.export_sc import write_key_images

        from workstation.analysis.reading.key_images import key_images

        if images is None:
            images = key_images(reading)
        return write_key_images(out, heads[0], images, overwrite=overwrite)
    raise QuantError(f"unknown export {kind!r}: use seg, sr, rwvm or sc")


def reading_from_vois(pet, suv_result, vois) -> Reading:
    """A Reading of the viewer's VOIs (``voi.VoiModel`` on the PET grid): lesions, spheres and boxes become
    lesions 1..n in the model's order; the liver / blood-pool VOIs become the reference regions.

    Statistics are measured again on the SUV array of ``suv_result`` (the numbers the exports carry are
    those of the pixels, whatever the model's cached statistics say).
    """
    from workstation.analysis.lesions.regions import region_stats
    from workstation.analysis.lesions.segmentation import Lesion
    from workstation.analysis.suv.apply import suv_array

    suv = suv_array(pet, suv_result)
    geom = pet.geometry
    labels = np.zeros(suv.shape, np.int32)
    lesions = []
    for v in vois.vois.values():
        if v.is_reference:
            continue
        m = v.mask(geom.shape) & (labels == 0)
        if not m.any():
            continue
        n = len(lesions) + 1
        labels[m] = n
        st = region_stats(suv, m, geom)
        centroid = geom.kji_to_world(np.mean(np.nonzero(m), axis=1))
        thr = v.params.get("threshold")
        lesions.append(Lesion(n, tuple(float(x) for x in centroid), st.voxels, st.volume_ml, st.max, st.mean,
                              float(st.suvpeak), st.tlg, st.max_world, st.peak_world, st.std,
                              float(thr) if thr is not None else float("nan")))
    methods = sorted({str(v.params.get("method") or v.kind) for v in vois.vois.values() if not v.is_reference})
    rep = LesionReport(", ".join(methods) or "none", None, lesions, float(sum(x.mtv_ml for x in lesions)),
                       float(sum(x.tlg for x in lesions)), len(lesions), True, 0.0, None, [], labels)
    liv = vois.reference("liver")
    bp = vois.reference("blood_pool")
    liver = blood_pool = None
    if liv is not None:
        liver = liver_reference(suv, geom, liv.centre_world(geom), float(liv.params.get("diameter_mm", 30.0)))
    if bp is not None:
        blood_pool = blood_pool_reference(suv, geom, bp.centre_world(geom))
    scores = {}
    if liver is not None and blood_pool is not None:
        scores = {les.label: deauville_points(les.suvmax, blood_pool.mean, liver.mean) for les in lesions}
    seeds = [tuple(v.params["seed_world"]) for v in vois.vois.values() if "seed_world" in v.params]
    return Reading(pet, suv_result, suv, rep, rep.method, seeds, liver, blood_pool, scores)


def import_seg(path, pet, vois) -> tuple[int, list[str]]:
    """Add the lesion segments of a DICOM SEG file (ours or another tool's) to ``vois`` as lesion VOIs.

    Each segment is placed on the PET grid (nearest neighbour in world coordinates when its grid
    differs; refused when it lies outside the PET). Reference-region segments (liver, blood pool)
    are not turned into reference VOIs (their centre and size are not in a SEG): they are named in
    the returned notes. Returns (number of VOIs added, notes).
    """
    from workstation.io.export_seg import read_segments

    from workstation.analysis.lesions.regions import mask_on_grid

    added, notes = 0, []
    for s in read_segments(path):
        if s.kind in ("liver", "blood_pool"):
            notes.append(f"segment {s.number} ({s.label}) is a reference region: place the reference VOI by hand")
            continue
        try:
            mask, _ = mask_on_grid(s.mask, s.geometry, pet.geometry, f"{path} segment {s.number}")
        except QuantError as exc:
            notes.append(str(exc))
            continue
        vois.restore("lesion", s.label, (0, 0, 0), mask, {"method": "imported SEG", "source_file": str(path)},
                     "imported")
        added += 1
    return added, notes


# ---------------------------------------------------------------------------------------- imports
SR_COLUMNS = ("suvmax", "suvpeak", "suvmean", "mtv_ml", "tlg")


def sr_value_rows(groups) -> list[dict]:
    """One row per measurement group of a TID 1500 SR (``export_sr.read_measurements``): its name,
    segment, SUVmax / SUVpeak / SUVmean (any SUV type: the concept is the SUV type, the derivation
    says which), MTV (mL), TLG and the qualitative evaluations as text. Values not in the SR are None."""
    rows = []
    for g in groups:
        row = {"name": g.get("tracking_id") or "", "segment": g.get("segment_number"),
               "finding": (g.get("finding_type") or {}).get("meaning", ""), "unit": "",
               **{k: None for k in SR_COLUMNS}}
        for m in g.get("measurements", []):
            code = (m.get("name_code") or {}).get("value", "")
            name, der = str(m.get("name", "")), str(m.get("derivation") or "")
            if code in ("126401", "126400", "126402", "126403", "126404", "126405", "126406") or "SUV" in name \
                    or "Standardized Uptake" in name:
                key = {"Maximum": "suvmax", "Peak Value Within ROI": "suvpeak", "Mean": "suvmean"}.get(der)
                if key:
                    row[key] = m["value"]
                    row["unit"] = m.get("unit", "")
            elif code == "118565006" or name == "Volume":
                row["mtv_ml"] = m["value"]
            elif code == "126033" or name == "Total Lesion Glycolysis":
                row["tlg"] = m["value"]
        row["evaluations"] = "; ".join(f"{e['name']}: {e['value']}" for e in g.get("evaluations", []))
        rows.append(row)
    return rows


@dataclass
class RwvmComparison:
    """A RWV mapping file's SUV factor against ours, over the PET instances it maps."""

    instances: int  # PET instances of the loaded series
    mapped: int  # of them, how many the file maps
    file_factor: float | None  # median of slope / RescaleSlope over the mapped instances (Bq/mL -> SUV)
    our_factor: float  # the SUV factor of the reading
    max_relative_difference: float | None  # max |file - ours| / ours over the mapped instances
    unit: str = ""

    @property
    def agrees(self) -> bool:
        return self.mapped > 0 and self.max_relative_difference is not None and self.max_relative_difference < 1e-4


def compare_rwvm(path, pet, suv_result) -> RwvmComparison:
    """Read a RWVM (``export_rwvm.read_rwvm``) and compare its mapping, instance by instance, with
    the SUV factors of ``suv_result`` for the loaded ``pet`` (stored value -> SUV both ways)."""
    from workstation.io.export_common import source_headers_for
    from workstation.io.export_rwvm import instance_mappings, read_rwvm

    maps = read_rwvm(path)
    heads = source_headers_for(pet)
    ours = instance_mappings(heads, suv_result.factor, suv_result.instance_factors)
    file_f, diffs, unit = [], [], ""
    for (uid, slope, intercept), h in zip(ours, heads):
        if uid not in maps:
            continue
        fs, fi, unit = maps[uid]
        rs = float(h.get("RescaleSlope", 1.0) or 1.0)
        file_f.append(fs / rs)
        diffs.append(abs(fs - slope) / abs(slope) if slope else float("inf"))
    return RwvmComparison(len(heads), len(file_f), float(np.median(file_f)) if file_f else None,
                          float(suv_result.factor), max(diffs) if diffs else None, unit)
