"""DICOM SR measurement report (TID 1500) of lesions and reference regions, with highdicom.

Each lesion is a *Volumetric ROI measurement group* (TID 1411) that points at its segment of our
SEG (by SOP instance UID and segment number) and carries: SUVmax, SUVpeak, SUVmean and SUV SD
(concept name = the SUV type, e.g. SUVbw 126401 DCM, with the derivation Maximum / Peak Value
Within ROI / Mean / Standard Deviation, unit the UCUM SUV unit such as ``{SUVbw}g/ml``), MTV
(Volume, method *Sum of segmented voxel method for volume*, mL) and TLG (Total Lesion
Glycolysis, g for the body-weight-like SUVs). The segmentation method and its parameters travel
as the group's algorithm identification (name, version, parameters). Reference regions (liver,
blood pool) are groups of their own with finding type Liver / Descending aorta. A Deauville
score, where computed, is a qualitative evaluation coded in the private scheme ``99WSPET``
(no standard code exists for the 5-point score); a PERCIST category likewise.

``read_measurements`` reads any TID 1500 SR (ours, dcmqi's) back into plain dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workstation.io.export_common import (MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION, ExportError, new_uid, save_dataset,
                            without_name_warnings)

PRIVATE_SCHEME = "99WSPET"

# SUV type key -> (concept keyword in pydicom's DCM dictionary, UCUM unit code, unit meaning)
SUV_CONCEPTS = {
    "bw": ("Suvbw", "{SUVbw}g/ml", "Standardized Uptake Value body weight"),
    "lbm-james128": ("SuvlbmJames128", "{SUVlbm(James128)}g/ml",
                     "Standardized Uptake Value lean body mass (James 128 multiplier)"),
    "lbm-james120": ("Suvlbm", "{SUVlbm}g/ml", "Standardized Uptake Value lean body mass"),
    "lbm-janma": ("SuvlbmJanma", "{SUVlbm(Janma)}g/ml", "Standardized Uptake Value lean body mass (Janmahasatian)"),
    "bsa": ("Suvbsa", "{SUVbsa}cm2/ml", "Standardized Uptake Value body surface area"),
    "ibw": ("Suvibw", "{SUVibw}g/ml", "Standardized Uptake Value ideal body weight"),
}


@dataclass
class RegionMeasurement:
    """The numbers of one lesion or reference region, in SUV units of the report's SUV type."""

    label: str  # "Lesion 1", "Liver reference", ...
    segment_number: int  # its segment in the SEG
    tracking_uid: str
    kind: str = "lesion"  # lesion | liver | blood_pool
    suvmax: float | None = None
    suvpeak: float | None = None
    suvmean: float | None = None
    suvsd: float | None = None
    mtv_ml: float | None = None
    tlg: float | None = None
    deauville: int | None = None


@dataclass
class MeasurementSet:
    suv_type: str
    method: str
    parameters: list[str] = field(default_factory=list)  # "threshold SUV = 2.500", ...
    regions: list[RegionMeasurement] = field(default_factory=list)
    percist_category: str | None = None  # CMR / PMR / SMD / PMD where a response was computed


def suv_unit(suv_type: str):
    import highdicom as hd

    if suv_type not in SUV_CONCEPTS:
        raise ExportError(f"SUV type {suv_type!r} has no DICOM code; use one of {', '.join(SUV_CONCEPTS)}")
    _, code, meaning = SUV_CONCEPTS[suv_type]
    return hd.sr.CodedConcept(code, "UCUM", meaning)


def suv_concept(suv_type: str):
    from pydicom.sr.codedict import codes

    if suv_type not in SUV_CONCEPTS:
        raise ExportError(f"SUV type {suv_type!r} has no DICOM code; use one of {', '.join(SUV_CONCEPTS)}")
    return getattr(codes.DCM, SUV_CONCEPTS[suv_type][0])


def _tlg_unit(suv_type: str):
    import highdicom as hd

    return hd.sr.CodedConcept("cm2", "UCUM", "square centimeter") if suv_type == "bsa" \
        else hd.sr.CodedConcept("g", "UCUM", "gram")


@without_name_warnings
def build_sr(source_headers, seg, mset: MeasurementSet, *, rwvm=None, series_number: int = 902,
             description: str | None = None):
    """highdicom Comprehensive3DSR (TID 1500) of ``mset``; ``seg`` is the highdicom Segmentation it refers to.

    ``rwvm`` (the RWV mapping object written with it, optional): every measurement group then
    names it as its *Real World Value Map used for measurement* (126100, DCM; TID 1411), and it
    is listed in the evidence, so a reader knows which SUV factor the numbers were measured with.
    """
    import highdicom as hd
    from pydicom.sr.codedict import codes

    from workstation.io.export_common import functional_word

    if description is None:  # "PET lesion measurements" or "SPECT lesion measurements"
        description = f"{functional_word(source_headers[0])} lesion measurements"
    if not mset.regions:
        raise ExportError("nothing to report: no lesion or reference region")
    name = suv_concept(mset.suv_type)
    unit = suv_unit(mset.suv_type)
    algo = hd.sr.AlgorithmIdentification(name=f"workstation segmentation {mset.method}"[:64], version=SOFTWARE_VERSION,
                                         parameters=[p[:64] for p in mset.parameters] or None)
    pet_series = str(source_headers[0].SeriesInstanceUID)
    rwv_ref = None if rwvm is None else hd.sr.RealWorldValueMap(str(rwvm.SOPInstanceUID))
    groups = []
    for r in mset.regions:
        meas = []

        def add(value, concept, u, derivation=None, method=None):
            if value is None:
                return
            meas.append(hd.sr.Measurement(name=concept, value=float(value), unit=u, derivation=derivation,
                                          method=method, algorithm_id=algo))

        add(r.suvmax, name, unit, codes.SCT.Maximum)
        add(r.suvpeak, name, unit, codes.DCM.PeakValueWithinROI)
        add(r.suvmean, name, unit, codes.SCT.Mean)
        add(r.suvsd, name, unit, codes.DCM.StandardDeviation)
        add(r.mtv_ml, codes.SCT.Volume, hd.sr.CodedConcept("ml", "UCUM", "milliliter"), None,
            codes.DCM.SumOfSegmentedVoxelMethodForVolume)
        add(r.tlg, codes.DCM.TotalLesionGlycolysis, _tlg_unit(mset.suv_type))
        quals = []
        if r.deauville is not None:
            if int(r.deauville) not in (1, 2, 3, 4, 5):
                raise ExportError(f"{r.label}: Deauville score {r.deauville} is not 1..5")
            quals.append(hd.sr.QualitativeEvaluation(
                hd.sr.CodedConcept("DEAUVILLE", PRIVATE_SCHEME, "Deauville five-point score"),
                hd.sr.CodedConcept(f"DS{int(r.deauville)}", PRIVATE_SCHEME, f"Deauville score {int(r.deauville)}")))
        if mset.percist_category and r.kind == "lesion":
            cat = mset.percist_category.upper()
            quals.append(hd.sr.QualitativeEvaluation(
                hd.sr.CodedConcept("PERCIST", PRIVATE_SCHEME, "PERCIST response category"),
                hd.sr.CodedConcept(cat, PRIVATE_SCHEME, cat)))
        finding = {"lesion": codes.SCT.Lesion, "liver": codes.SCT.Liver,
                   "blood_pool": codes.SCT.DescendingAorta}.get(r.kind)
        if finding is None:
            raise ExportError(f"{r.label}: unknown region kind {r.kind!r}")
        ref_seg = hd.sr.ReferencedSegment(sop_class_uid=seg.SOPClassUID, sop_instance_uid=seg.SOPInstanceUID,
                                          segment_number=int(r.segment_number),
                                          source_series=hd.sr.SourceSeriesForSegmentation(pet_series))
        groups.append(hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations(
            tracking_identifier=hd.sr.TrackingIdentifier(uid=r.tracking_uid or new_uid(), identifier=r.label[:64]),
            referenced_segment=ref_seg, finding_type=finding, algorithm_id=algo,
            referenced_real_world_value_map=rwv_ref, measurements=meas or None, qualitative_evaluations=quals or None))
    observer = hd.sr.ObserverContext(
        observer_type=codes.DCM.Device,
        observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
            uid=new_uid(), name=MODEL_NAME, manufacturer_name=MANUFACTURER[:64], model_name=MODEL_NAME))
    report = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(observer_device_context=observer),
        procedure_reported=codes.LN.PETWholeBody, imaging_measurements=groups)
    return hd.sr.Comprehensive3DSR(
        evidence=list(source_headers) + [seg] + ([rwvm] if rwvm is not None else []), content=report[0], series_instance_uid=new_uid(),
        series_number=series_number, sop_instance_uid=new_uid(), instance_number=1, manufacturer=MANUFACTURER,
        is_complete=True, series_description=description[:64])


def write_sr(path, source_headers, seg, mset: MeasurementSet, *, overwrite: bool = False, **kw):  # kw: rwvm=
    sr = build_sr(source_headers, seg, mset, **kw)
    save_dataset(sr, path, overwrite)
    return sr


def _concept(c) -> dict | None:
    if c is None:
        return None
    return {"value": str(c.value), "scheme": str(c.scheme_designator), "meaning": str(c.meaning)}


def _rwvm_reference(group) -> str | None:
    """SOP instance UID of the group's *Real World Value Map used for measurement* (126100, DCM), if any."""
    for item in getattr(group[0], "ContentSequence", []) or []:
        name = item.get("ConceptNameCodeSequence")
        if name and str(name[0].CodeValue) == "126100" and str(name[0].CodingSchemeDesignator) == "DCM":
            refs = item.get("ReferencedSOPSequence") or []
            if refs:
                return str(refs[0].ReferencedSOPInstanceUID)
    return None


def read_measurements(path) -> list[dict]:
    """Volumetric ROI groups of a TID 1500 SR: tracking id/uid, segment, finding, measurements, evaluations.

    Each measurement: ``{"name", "name_code", "value", "unit", "derivation", "method"}`` (meanings
    and codes as written in the file).
    """
    import highdicom as hd

    try:
        sr = hd.sr.srread(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{path}: not a readable DICOM structured report ({type(exc).__name__}: {exc})") from exc
    try:
        report = sr.content
        if not isinstance(report, hd.sr.MeasurementReport):
            report = hd.sr.MeasurementReport.from_sequence([report])
        groups = report.get_volumetric_roi_measurement_groups()
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{path}: not a TID 1500 measurement report ({exc})") from exc
    out = []
    for g in groups:
        seg_ref = g.referenced_segment
        item = {"tracking_id": g.tracking_identifier, "tracking_uid": str(g.tracking_uid),
                "finding_type": _concept(g.finding_type),
                "segment_number": None, "seg_sop_instance_uid": None, "measurements": [], "evaluations": [],
                "rwvm_sop_instance_uid": _rwvm_reference(g)}
        if seg_ref is not None:
            item["segment_number"] = int(seg_ref.referenced_segment_numbers[0]) \
                if hasattr(seg_ref, "referenced_segment_numbers") else None
            item["seg_sop_instance_uid"] = str(seg_ref.referenced_sop_instance_uid)
        for m in g.get_measurements():
            item["measurements"].append({
                "name": str(m.name.meaning), "name_code": _concept(m.name), "value": float(m.value),
                "unit": str(m.unit.value), "derivation": None if m.derivation is None else str(m.derivation.meaning),
                "method": None if m.method is None else str(m.method.meaning)})
        for q in g.get_qualitative_evaluations():
            item["evaluations"].append({"name": str(q.name.meaning), "value": str(q.value.meaning),
                                        "code": str(q.value.value)})
        out.append(item)
    return out


# ============================================================================ follow-up response
@dataclass
class FollowupLesion:
    """One lesion of a follow-up reading: values at baseline and follow-up, the change, categories."""

    label: str  # the reader's name, or L1 / N1
    status: str  # matched | disappeared | new
    suvmax: tuple  # (baseline, follow-up, change %) SUVbw
    sulpeak: tuple  # SUL (Janmahasatian)
    mtv_ml: tuple
    percist: str = ""
    eortc: str = ""
    deauville: int | None = None  # of the follow-up SUVmax


#: private codes (no standard code exists for these follow-up quantities and categories)
FOLLOWUP_CODES = {
    "suvmax": ("SUVMAX", "SUVmax (body weight)"), "sulpeak": ("SULPEAK", "SULpeak (Janmahasatian)"),
    "mtv_ml": ("MTV", "Metabolic tumour volume"),
}


def build_followup_sr(source_headers, lesions: list[FollowupLesion], response: dict, *, series_number: int = 903,
                      description: str | None = None):
    """highdicom Comprehensive3DSR (TID 1500) of a follow-up reading's change table: one measurement
    group (TID 1501) per lesion with its baseline and follow-up values and their change in percent,
    its status, PERCIST / EORTC category and Deauville score; one group for the patient-level
    response (``{"PERCIST": "PMD", "EORTC": "PMD", "Deauville": "5"}``). Values and categories use
    the private scheme ``99WSPET``; the evidence is the follow-up PET."""
    import math

    import highdicom as hd
    from pydicom.sr.codedict import codes

    from workstation.io.export_common import functional_word

    if description is None:
        description = f"{functional_word(source_headers[0])} follow-up response"
    if not lesions and not response:
        raise ExportError("nothing to report: no lesion and no response")

    def code(value, meaning):
        return hd.sr.CodedConcept(value[:16], PRIVATE_SCHEME, meaning[:64])

    def qual(name, meaning, value):
        return hd.sr.QualitativeEvaluation(code(name, meaning), code(str(value).upper(), str(value)))

    units = {"suvmax": ("{SUVbw}g/ml", "Standardized Uptake Value body weight"),
             "sulpeak": ("{SUVlbm(Janma)}g/ml", "Standardized Uptake Value lean body mass (Janmahasatian)"),
             "mtv_ml": ("ml", "milliliter")}
    algo = hd.sr.AlgorithmIdentification(name="workstation follow-up reading", version=SOFTWARE_VERSION)
    groups = []
    for les in lesions:
        meas = []
        for key, (c, meaning) in FOLLOWUP_CODES.items():
            u = hd.sr.CodedConcept(units[key][0], "UCUM", units[key][1])
            for part, (suffix, words), val in zip(range(3), (("BL", "at baseline"), ("FU", "at follow-up"),
                                                             ("CHG", "change from baseline")),
                                                  getattr(les, key)):
                if val is None or not math.isfinite(float(val)):
                    continue
                unit = hd.sr.CodedConcept("%", "UCUM", "percent") if part == 2 else u
                meas.append(hd.sr.Measurement(name=code(f"{c}{suffix}", f"{meaning} {words}"), value=float(val),
                                              unit=unit, algorithm_id=algo))
        quals = [qual("STATUS", "Follow-up lesion status", les.status)]
        if les.percist:
            quals.append(qual("PERCIST", "PERCIST response category", les.percist))
        if les.eortc:
            quals.append(qual("EORTC", "EORTC response category", les.eortc))
        if les.deauville is not None:
            if int(les.deauville) not in (1, 2, 3, 4, 5):
                raise ExportError(f"{les.label}: Deauville score {les.deauville} is not 1..5")
            quals.append(hd.sr.QualitativeEvaluation(
                hd.sr.CodedConcept("DEAUVILLE", PRIVATE_SCHEME, "Deauville five-point score"),
                hd.sr.CodedConcept(f"DS{int(les.deauville)}", PRIVATE_SCHEME, f"Deauville score {int(les.deauville)}")))
        groups.append(hd.sr.MeasurementsAndQualitativeEvaluations(
            tracking_identifier=hd.sr.TrackingIdentifier(uid=new_uid(), identifier=str(les.label)[:64]),
            finding_type=codes.SCT.Lesion, algorithm_id=algo, measurements=meas or None,
            qualitative_evaluations=quals))
    if response:
        quals = []
        for method, cat in response.items():
            if str(method).lower() == "deauville":
                quals.append(hd.sr.QualitativeEvaluation(
                    hd.sr.CodedConcept("DEAUVILLE", PRIVATE_SCHEME, "Deauville five-point score"),
                    hd.sr.CodedConcept(f"DS{int(cat)}", PRIVATE_SCHEME, f"Deauville score {int(cat)}")))
            else:
                quals.append(qual(str(method).upper(), f"{str(method).upper()} response category", cat))
        groups.append(hd.sr.MeasurementsAndQualitativeEvaluations(
            tracking_identifier=hd.sr.TrackingIdentifier(uid=new_uid(), identifier="Patient response"),
            algorithm_id=algo, qualitative_evaluations=quals))
    observer = hd.sr.ObserverContext(
        observer_type=codes.DCM.Device,
        observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
            uid=new_uid(), name=MODEL_NAME, manufacturer_name=MANUFACTURER[:64], model_name=MODEL_NAME))
    report = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(observer_device_context=observer),
        procedure_reported=codes.LN.PETWholeBody, imaging_measurements=groups)
    return hd.sr.Comprehensive3DSR(
        evidence=list(source_headers), content=report[0], series_instance_uid=new_uid(),
        series_number=series_number, sop_instance_uid=new_uid(), instance_number=1, manufacturer=MANUFACTURER,
        is_complete=True, series_description=description[:64])


def write_followup_sr(path, source_headers, lesions, response, *, overwrite: bool = False, **kw):
    sr = build_followup_sr(source_headers, lesions, response, **kw)
    save_dataset(sr, path, overwrite)
    return sr


def read_followup_measurements(path) -> list[dict]:
    """The measurement groups (TID 1501) of a follow-up SR: ``{"tracking_id", "measurements":
    {code: value}, "evaluations": {name code: value meaning}}``."""
    import highdicom as hd

    try:
        sr = hd.sr.srread(str(path))
        report = sr.content
        if not isinstance(report, hd.sr.MeasurementReport):
            report = hd.sr.MeasurementReport.from_sequence([report])
        groups = report.get_image_measurement_groups()
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{path}: not a readable TID 1500 measurement report ({type(exc).__name__}: {exc})") \
            from exc
    out = []
    for g in groups:
        out.append({"tracking_id": g.tracking_identifier,
                    "measurements": {str(m.name.value): (float(m.value), str(m.unit.value)) for m in g.get_measurements()},
                    "evaluations": {str(q.name.value): str(q.value.meaning) for q in g.get_qualitative_evaluations()}})
    return out
