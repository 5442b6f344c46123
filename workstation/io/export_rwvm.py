"""Real World Value Mapping (RWVM) of the SUV factor, so other viewers show the same SUV.

A DICOM RWV mapping applies to **stored** pixel values: SUV = stored × slope + intercept. PET
slices usually carry their own RescaleSlope/Intercept (stored → Bq/mL), so the mapping of slice
``k`` is ``slope = RescaleSlope_k × f_k`` and ``intercept = RescaleIntercept_k × f_k``, where
``f_k`` is the SUV factor of that instance (Bq/mL → SUV; per-instance where decay correction
differs). Instances that share a mapping are listed under one item of the Referenced Image Real
World Value Mapping Sequence. The object is the RWV Mapping IOD (Modality RWV), built on
highdicom's SOP class base and its ``RealWorldValueMapping`` content item.

``read_rwvm`` returns, per referenced instance UID, its (slope, intercept, unit code); it reads
dcmqi's RWVM as well (which writes one slope for all instances).
"""

from __future__ import annotations

from collections import OrderedDict

from workstation.io.export_common import (DEVICE_SERIAL, MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION, ExportError, new_uid,
                            save_dataset, without_name_warnings)

RWVM_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.67"

_METHOD_CODES = {  # SUV type -> DCM calculation method keyword (CID 85 quantity definition)
    "bw": "SUVBodyWeightCalculationMethod",
    "lbm-james128": "SUVLeanBodyMassCalculationMethodUsing128Multiplier",
    "lbm-james120": "SUVLeanBodyMassCalculationMethod",
    "lbm-janma": "SUVLeanBodyMassCalculationJanmahasatianMethod",
    "bsa": "SUVBodySurfaceAreaCalculationMethod",
    "ibw": "SUVIdealBodyWeightCalculationMethod",
}


def instance_mappings(source_headers, factor: float, instance_factors: dict | None = None) -> list[tuple]:
    """(sop_instance_uid, slope, intercept) of each source instance: stored value -> SUV."""
    out = []
    for h in source_headers:
        uid = str(h.SOPInstanceUID)
        f = float(instance_factors.get(uid, factor)) if instance_factors else float(factor)
        rs = float(h.get("RescaleSlope", 1.0) or 1.0)
        ri = float(h.get("RescaleIntercept", 0.0) or 0.0)
        out.append((uid, rs * f, ri * f))
    return out


@without_name_warnings
def build_rwvm(source_headers, suv_type: str, factor: float, instance_factors: dict | None = None, *,
               series_number: int = 903, description: str = "PET SUV factors"):
    import highdicom as hd
    from pydicom.dataset import Dataset
    from pydicom.sr.codedict import codes

    from workstation.io.export_sr import SUV_CONCEPTS, suv_unit

    if not (factor and factor > 0):
        raise ExportError(f"SUV factor {factor!r} is not positive; nothing to map")
    if suv_type not in _METHOD_CODES:
        raise ExportError(f"SUV type {suv_type!r} has no DICOM calculation-method code")
    ref = source_headers[0]
    unit = suv_unit(suv_type)
    label = SUV_CONCEPTS[suv_type][1]
    signed = int(ref.get("PixelRepresentation", 1)) == 1
    bits = int(ref.get("BitsStored", 16))
    value_range = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    quantity = [hd.sr.CodeContentItem(codes.SCT.Quantity, codes.DCM.StandardizedUptakeValue),
                hd.sr.CodeContentItem(codes.SCT.MeasurementMethod, getattr(codes.DCM, _METHOD_CODES[suv_type]))]
    groups: OrderedDict[tuple, list] = OrderedDict()
    for (uid, slope, intercept), h in zip(instance_mappings(source_headers, factor, instance_factors),
                                          source_headers):
        groups.setdefault((float(slope), float(intercept)), []).append(h)
    now_items = []
    for (slope, intercept), heads in groups.items():
        mapping = hd.pm.RealWorldValueMapping(
            lut_label=label[:16], lut_explanation=SUV_CONCEPTS[suv_type][2][:64], unit=unit, value_range=value_range,
            slope=slope, intercept=intercept)
        mapping.QuantityDefinitionSequence = quantity
        for kw in ("RealWorldValueFirstValueMapped", "RealWorldValueLastValueMapped"):
            mapping[kw].VR = "SS" if signed else "US"  # US or SS by Pixel Representation, which the item lacks
        item = Dataset()
        item.RealWorldValueMappingSequence = [mapping]
        refs = []
        for h in heads:
            r = Dataset()
            r.ReferencedSOPClassUID = h.SOPClassUID
            r.ReferencedSOPInstanceUID = h.SOPInstanceUID
            refs.append(r)
        item.ReferencedImageSequence = refs
        now_items.append(item)
    obj = hd.base.SOPClass(
        study_instance_uid=ref.StudyInstanceUID, series_instance_uid=new_uid(), series_number=series_number,
        sop_instance_uid=new_uid(), sop_class_uid=RWVM_SOP_CLASS, instance_number=1, modality="RWV",
        manufacturer=MANUFACTURER, transfer_syntax_uid="1.2.840.10008.1.2.1",
        series_description=description[:64], manufacturer_model_name=MODEL_NAME, software_versions=SOFTWARE_VERSION,
        device_serial_number=DEVICE_SERIAL)
    obj.copy_patient_and_study_information(ref)
    if "SpecificCharacterSet" in ref:
        obj.SpecificCharacterSet = ref.SpecificCharacterSet
    from datetime import datetime

    now = datetime.now()
    obj.ContentDate = now.strftime("%Y%m%d")
    obj.ContentTime = now.strftime("%H%M%S")
    obj.ContentLabel = "SUV"
    obj.Laterality = ""  # General Series, type 2C: a whole-body PET is not of one paired structure
    obj.ContentDescription = f"SUV ({suv_type}) of the PET series"[:64]
    obj.ContentCreatorName = ""
    obj.ReferencedImageRealWorldValueMappingSequence = now_items
    ser = Dataset()
    ser.SeriesInstanceUID = ref.SeriesInstanceUID
    insts = []
    for h in source_headers:
        r = Dataset()
        r.ReferencedSOPClassUID = h.SOPClassUID
        r.ReferencedSOPInstanceUID = h.SOPInstanceUID
        insts.append(r)
    ser.ReferencedInstanceSequence = insts
    obj.ReferencedSeriesSequence = [ser]
    return obj


def write_rwvm(path, source_headers, suv_type, factor, instance_factors=None, *, overwrite: bool = False, **kw):
    obj = build_rwvm(source_headers, suv_type, factor, instance_factors, **kw)
    save_dataset(obj, path, overwrite)
    return obj


def read_rwvm(path) -> dict[str, tuple[float, float, str]]:
    """{referenced SOP instance UID: (slope, intercept, unit code)} of a RWVM object."""
    import pydicom

    try:
        ds = pydicom.dcmread(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{path}: not a readable DICOM file ({type(exc).__name__})") from exc
    if "ReferencedImageRealWorldValueMappingSequence" not in ds:
        raise ExportError(f"{path}: no Referenced Image Real World Value Mapping Sequence (0040,9094): "
                          "not a RWV mapping object")
    out = {}
    for item in ds.ReferencedImageRealWorldValueMappingSequence:
        maps = item.get("RealWorldValueMappingSequence") or []
        if not maps:
            continue
        m = maps[0]
        if "RealWorldValueSlope" not in m:
            raise ExportError(f"{path}: the mapping uses a lookup table, not a slope; not supported")
        unit = str(m.MeasurementUnitsCodeSequence[0].CodeValue) if "MeasurementUnitsCodeSequence" in m else ""
        slope, intercept = float(m.RealWorldValueSlope), float(m.get("RealWorldValueIntercept", 0.0))
        for r in item.get("ReferencedImageSequence") or []:
            out[str(r.ReferencedSOPInstanceUID)] = (slope, intercept, unit)
    return out
