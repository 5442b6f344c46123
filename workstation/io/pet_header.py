"""Read the SUV-relevant facts of a PET series from its DICOM headers.

:func:`read_pet_acquisition` takes the headers of all instances of one series (read with
``stop_before_pixels``; one dataset works too) and returns a
:class:`workstation.core.pet.PetAcquisition`: each value with the keyword and tag it came from,
nothing interpreted yet (SUV rules live in ``workstation.analysis.suv.factor``).

* Series-level facts (units, decay correction, dose, half-life, injection time, weight, ...) are
  read from the first instance and must agree across the instances; a disagreement is a
  :class:`PetHeaderError` naming the tag, never a silent choice.
* Per-instance facts (acquisition date/time, frame reference time, frame duration, decay factor,
  Philips private scale factors) are kept per SOPInstanceUID.
* Private tags are found through their private creator: Philips ``"Philips PET Private Group"``
  (7053,xx00) SUV scale factor and (7053,xx09) activity concentration scale factor; GE
  ``"GEMS_PETD_01"`` (0009,xx0D) scan date-time. Values stored as raw bytes (UN) are decoded.

Messages never contain patient name, ID or birth date.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

from workstation.core.pet import Fact, InstanceFacts, PetAcquisition

from workstation.io.dicom_time import DicomTimeError, parse_da, parse_dt, parse_tm
from workstation.io.errors import DicomError

__all__ = ["PetHeaderError", "read_pet_acquisition"]


class PetHeaderError(DicomError, ValueError):
    """The PET headers of a series cannot be read consistently."""


# keyword -> "(gggg,eeee)"
_TAGS = {
    "Manufacturer": "(0008,0070)",
    "Modality": "(0008,0060)",
    "Units": "(0054,1001)",
    "SUVType": "(0054,1006)",
    "DecayCorrection": "(0054,1102)",
    "CorrectedImage": "(0028,0051)",
    "SeriesDate": "(0008,0021)",
    "SeriesTime": "(0008,0031)",
    "AcquisitionDate": "(0008,0022)",
    "AcquisitionTime": "(0008,0032)",
    "AcquisitionDateTime": "(0008,002A)",
    "Radiopharmaceutical": "(0018,0031)",
    "RadiopharmaceuticalStartDateTime": "(0018,1078)",
    "RadiopharmaceuticalStartTime": "(0018,1072)",
    "RadionuclideTotalDose": "(0018,1074)",
    "RadionuclideHalfLife": "(0018,1075)",
    "RadionuclideCodeSequence": "(0054,0300)",
    "PatientWeight": "(0010,1030)",
    "PatientSize": "(0010,1020)",
    "PatientSex": "(0010,0040)",
    "FrameReferenceTime": "(0054,1300)",
    "ActualFrameDuration": "(0018,1242)",
    "DecayFactor": "(0054,1321)",
}

PHILIPS_CREATOR = "Philips PET Private Group"
GE_PET_CREATOR = "GEMS_PETD_01"


def tag_of(keyword: str) -> str:
    return _TAGS.get(keyword, "")


def _where(ds) -> str:
    """A file reference for messages (file name or SOPInstanceUID; no identity)."""
    fn = getattr(ds, "filename", None)
    if isinstance(fn, str) and fn:
        return f"file {fn}"
    uid = ds.get("SOPInstanceUID", None)
    return f"instance {uid}" if uid else "dataset"


def _raw(ds, keyword: str) -> Any:
    try:
        value = ds.get(keyword, None)
    except Exception:  # undecodable value in a corrupt header
        return None
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("ascii", errors="replace").strip(" \x00")
    if isinstance(value, str):
        value = value.strip(" \x00")
        if not value:
            return None
    return value


def _to_float(value, what: str, ds) -> float | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("ascii", errors="replace")
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = list(value)
        if not value:
            return None
        value = value[0]
    if isinstance(value, str):
        value = value.strip(" \x00\\")
        if not value:
            return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PetHeaderError(f"{what} has the non-numeric value {str(value)!r} in {_where(ds)}; "
                             "fix the header or give the value as an override") from None


def _fact(ds, keyword: str, value, unit: str = "") -> Fact | None:
    if value is None:
        return None
    return Fact(value, keyword, tag_of(keyword), unit)


def _num(ds, keyword: str, unit: str = "", source=None) -> Fact | None:
    src = ds if source is None else source
    v = _to_float(_raw(src, keyword), f"{keyword} {tag_of(keyword)}", ds)
    return _fact(ds, keyword, v, unit)


def _text(ds, keyword: str, upper: bool = True, source=None) -> Fact | None:
    src = ds if source is None else source
    v = _raw(src, keyword)
    if v is None:
        return None
    v = str(v).strip()
    if not v:
        return None
    return _fact(ds, keyword, v.upper() if upper else v)


def _timeval(ds, keyword: str, parser, source=None) -> Fact | None:
    src = ds if source is None else source
    v = _raw(src, keyword)
    if v is None:
        return None
    try:
        parsed = parser(v)
    except DicomTimeError as exc:
        raise PetHeaderError(f"{keyword} {tag_of(keyword)} in {_where(ds)}: {exc}") from None
    return _fact(ds, keyword, parsed)


def _private(ds, group: int, creator: str, offset: int):
    """Value of private element (group, creator, offset) or None."""
    try:
        block = ds.private_block(group, creator)
    except (KeyError, ValueError):
        return None
    try:
        elem = block[offset]
    except KeyError:
        return None
    return elem.value


PHILIPS_NO_CREATOR_NOTE = "private creator (7053,0010) missing (stripped by an anonymiser?): value accepted"


def _philips_without_creator(ds, offset: int):
    """(value, note) of (7053,10xx) when its private creator (7053,0010) was stripped, else (None, "").

    A block reserved by another creator is not Philips' and is ignored.
    """
    try:
        if 0x70530010 in ds:
            return None, ""  # (7053,0010) names someone else (Philips' block was looked up first)
        if 0x70531000 + offset not in ds:
            return None, ""
        return ds[0x70531000 + offset].value, PHILIPS_NO_CREATOR_NOTE
    except Exception:  # undecodable element in a corrupt header
        return None, ""


def _radiopharm_item(ds):
    seq = ds.get("RadiopharmaceuticalInformationSequence", None)
    if not seq:
        return None, 0
    return seq[0], len(seq)


# --------------------------------------------------------------------------------- per dataset
def _series_facts(ds) -> dict[str, Fact | None]:
    item, n_items = _radiopharm_item(ds)
    facts: dict[str, Fact | None] = {
        "manufacturer": _text(ds, "Manufacturer", upper=False),
        "modality": _text(ds, "Modality"),
        "units": _text(ds, "Units"),
        "suv_type": _text(ds, "SUVType"),
        "decay_correction": _text(ds, "DecayCorrection"),
        "series_date": _timeval(ds, "SeriesDate", parse_da),
        "series_time": _timeval(ds, "SeriesTime", parse_tm),
        "patient_weight_kg": _num(ds, "PatientWeight", "kg"),
        "patient_size_m": _num(ds, "PatientSize", "m"),
        "patient_sex": _text(ds, "PatientSex"),
    }
    ci = _raw(ds, "CorrectedImage")
    if ci is not None:
        vals = [ci] if isinstance(ci, str) else list(ci)
        vals = tuple(str(v).strip().upper() for v in vals if str(v).strip())
        facts["corrected_image"] = _fact(ds, "CorrectedImage", vals) if vals else None
    else:
        facts["corrected_image"] = None
    if item is not None:
        facts["radiopharmaceutical"] = _text(ds, "Radiopharmaceutical", upper=False, source=item)
        facts["radiopharmaceutical_start_datetime"] = _timeval(ds, "RadiopharmaceuticalStartDateTime", parse_dt,
                                                               source=item)
        facts["radiopharmaceutical_start_time"] = _timeval(ds, "RadiopharmaceuticalStartTime", parse_tm, source=item)
        facts["radionuclide_total_dose"] = _num(ds, "RadionuclideTotalDose", "Bq", source=item)
        facts["radionuclide_half_life_s"] = _num(ds, "RadionuclideHalfLife", "s", source=item)
        codes = item.get("RadionuclideCodeSequence", None)
        if codes:
            c = codes[0]
            code = (str(c.get("CodeValue", "") or "").strip(), str(c.get("CodingSchemeDesignator", "") or "").strip(),
                    str(c.get("CodeMeaning", "") or "").strip())
            facts["radionuclide_code"] = Fact(code, "RadionuclideCodeSequence", tag_of("RadionuclideCodeSequence"))
        else:
            facts["radionuclide_code"] = None
    else:
        for k in ("radiopharmaceutical", "radiopharmaceutical_start_datetime", "radiopharmaceutical_start_time",
                  "radionuclide_total_dose", "radionuclide_half_life_s", "radionuclide_code"):
            facts[k] = None
    ge = _private(ds, 0x0009, GE_PET_CREATOR, 0x0D)
    if ge is not None:
        text = ge.decode("ascii", errors="replace") if isinstance(ge, (bytes, bytearray)) else str(ge)
        try:
            ge_dt = parse_dt(text)
        except DicomTimeError as exc:
            raise PetHeaderError(f"GE private scan date-time (0009,100D) in {_where(ds)}: {exc}") from None
        facts["ge_scan_datetime"] = (Fact(ge_dt, "GE private scan_datetime", "(0009,100D)")
                                     if ge_dt is not None else None)
    else:
        facts["ge_scan_datetime"] = None
    facts["_n_radiopharm_items"] = n_items  # type: ignore[assignment]
    return facts


def _instance_facts(ds, index: int) -> InstanceFacts:
    uid = str(ds.get("SOPInstanceUID", "") or "").strip() or f"instance-{index}"
    acq = None
    adt = _raw(ds, "AcquisitionDateTime")
    ad, at = _raw(ds, "AcquisitionDate"), _raw(ds, "AcquisitionTime")
    try:
        if at is not None and (ad is not None or _raw(ds, "SeriesDate") is not None):
            date_kw = "AcquisitionDate" if ad is not None else "SeriesDate"
            d = parse_da(ad if ad is not None else _raw(ds, "SeriesDate"))
            t = parse_tm(at)
            acq = Fact(_dt.datetime.combine(d, t), "derived",
                       note=f"{date_kw} {tag_of(date_kw)} + AcquisitionTime {tag_of('AcquisitionTime')}")
        elif adt is not None:
            acq = Fact(parse_dt(adt), "AcquisitionDateTime", tag_of("AcquisitionDateTime"))
    except DicomTimeError as exc:
        raise PetHeaderError(f"acquisition date/time in {_where(ds)}: {exc}") from None

    def philips(offset: int, name: str, tag: str) -> Fact | None:
        v = _private(ds, 0x7053, PHILIPS_CREATOR, offset)
        note = ""
        if v is None:
            v, note = _philips_without_creator(ds, offset)
        f = _to_float(v, f"Philips {name} {tag}", ds)
        return None if f is None else Fact(f, f"Philips {name}", tag, note=note)

    return InstanceFacts(
        sop_instance_uid=uid,
        acquisition_datetime=acq,
        frame_reference_time_ms=_num(ds, "FrameReferenceTime", "ms"),
        actual_frame_duration_ms=_num(ds, "ActualFrameDuration", "ms"),
        decay_factor=_num(ds, "DecayFactor"),
        philips_suv_scale_factor=philips(0x00, "SUVScaleFactor", "(7053,1000)"),
        philips_activity_concentration_scale_factor=philips(0x09, "ActivityConcentrationScaleFactor", "(7053,1009)"),
    )


def _same(a: Fact | None, b: Fact | None) -> bool:
    va = None if a is None else a.value
    vb = None if b is None else b.value
    if isinstance(va, float) and isinstance(vb, float):
        return abs(va - vb) <= 1e-9 * max(abs(va), abs(vb), 1e-300)
    if isinstance(va, tuple) and isinstance(vb, tuple) and a is not None and a.keyword == "CorrectedImage":
        return set(va) == set(vb)
    return va == vb


_SERIES_KEYWORDS = ("Manufacturer", "Modality", "Units", "SUVType", "DecayCorrection", "SeriesDate", "SeriesTime",
                    "PatientWeight", "PatientSize", "PatientSex", "CorrectedImage",
                    "RadiopharmaceuticalInformationSequence")


#: the elements of the series-level facts (public: the loader compares their bytes between slices)
SERIES_KEYWORDS = _SERIES_KEYWORDS


def _series_fingerprint(ds) -> tuple:
    """The undecoded values of every element that feeds a series-level fact (cheap to compare).

    Equal fingerprints imply equal series facts, so the full parse is only needed where they differ.
    """
    out = []
    for kw in _SERIES_KEYWORDS:
        try:
            elem = ds.get_item(kw)
        except KeyError:
            elem = None
        out.append(None if elem is None else (type(elem).__name__, elem.value))
    for tag in ds.keys():
        if tag.group == 0x0009:
            out.append((int(tag), ds.get_item(tag).value))
    return tuple(out)


def read_pet_acquisition(datasets: Sequence) -> PetAcquisition:
    """The SUV-relevant facts of one PET series (see the module docstring).

    ``datasets`` are pydicom datasets of all instances of one series (or a single dataset).
    Raises :class:`PetHeaderError` when the instances disagree on a series-level fact, when they
    come from several series, or when a value cannot be parsed.
    """
    if hasattr(datasets, "dir") and hasattr(datasets, "get"):  # a single pydicom Dataset
        datasets = [datasets]
    datasets = list(datasets)
    if not datasets:
        raise PetHeaderError("no DICOM headers were given for the PET series")

    series_uids = {str(ds.get("SeriesInstanceUID", "") or "") for ds in datasets}
    series_uids.discard("")
    if len(series_uids) > 1:
        raise PetHeaderError(f"the headers belong to {len(series_uids)} different series; "
                             "pass the instances of one series only")

    first = _series_facts(datasets[0])
    n_items = first.pop("_n_radiopharm_items")
    warnings: list[str] = []
    if n_items > 1:
        warnings.append(f"RadiopharmaceuticalInformationSequence (0054,0016) has {n_items} items; "
                        "the first one is used")
    reference_print = _series_fingerprint(datasets[0])
    for ds in datasets[1:]:
        if _series_fingerprint(ds) == reference_print:
            continue  # the same bytes give the same facts
        other = _series_facts(ds)
        other.pop("_n_radiopharm_items")
        for name, fact in first.items():
            if not _same(fact, other[name]):
                ref = fact if fact is not None else other[name]
                label = ref.source if ref is not None else name
                raise PetHeaderError(
                    f"{label} differs between instances of the series ({_where(datasets[0])} vs {_where(ds)}); "
                    "a series must have one value: check the files, or give the value as an override")

    instances: dict[str, InstanceFacts] = {}
    for i, ds in enumerate(datasets):
        inst = _instance_facts(ds, i)
        instances[inst.sop_instance_uid] = inst

    stripped = [f"Philips {name}" for name in ("philips_suv_scale_factor",
                                                  "philips_activity_concentration_scale_factor")
                if any(getattr(i, name) is not None and getattr(i, name).note == PHILIPS_NO_CREATOR_NOTE
                       for i in instances.values())]
    if stripped:
        warnings.append("Philips private (7053,1000)/(7053,1009) values were read without their private creator "
                        "(7053,0010) (stripped by an anonymiser?): accepted as Philips values; check the SUV")
    if first.get("modality") is not None and first["modality"].value not in ("PT", "PET", "NM"):  # NM: SPECT
        warnings.append(f"Modality (0008,0060) is {first['modality'].value!r}, not PT or NM")

    return PetAcquisition(
        series_instance_uid=next(iter(series_uids), ""),
        n_instances=len(datasets),
        instances=instances,
        warnings=warnings,
        **first,
    )


_read_pet_acquisition_unguarded = read_pet_acquisition


def read_pet_acquisition(datasets: Sequence) -> PetAcquisition:  # noqa: F811 - the guarded public entry
    """:func:`_read_pet_acquisition_unguarded` with damaged headers turned into :class:`PetHeaderError`.

    pydicom parses sequences and converts values lazily, so a damaged element (an unknown VR, a
    sequence whose items run past their length) raises whatever pydicom raises where it is first
    read; that is reported as a header error naming the file's series, never a traceback.
    """
    try:
        return _read_pet_acquisition_unguarded(datasets)
    except DicomError:
        raise
    except Exception as exc:  # noqa: BLE001 - any pydicom failure on a damaged header
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        raise PetHeaderError(f"a PET header element cannot be read ({type(exc).__name__}: {detail}); "
                             "the file is damaged") from None
