"""The inputs of an SUV factor: what the user overrides, the header facts resolved once with
their provenance trail (override > header > derived), and the reference time a DecayCorrection
START image is corrected to (QIBA pseudo-code, with back-computation from the frame timing tags).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

from workstation.analysis.suv.body_size import body_surface_area_m2, ideal_body_weight_kg, lean_body_mass_kg
from workstation.analysis.errors import SuvError, SuvInputMissing
from workstation.core import vocabulary as vocab
from workstation.core.pet import Fact, PetAcquisition, json_value
from workstation.io.dicom_time import DicomTimeError, latest_at_or_before, parse_dt

#: the inputs a user may override, in the order they are listed (names of ``vocabulary.INPUT_FIELDS``)
OVERRIDE_FIELDS = ("weight_kg", "height_m", "dose_bq", "injection_datetime", "sex", "half_life_s")


def half_life_from_code(code) -> tuple[str, float] | None:
    """(nuclide, half-life s) for a radionuclide code (value, scheme, meaning) or text, or None."""
    n = vocab.nuclide_from_code(code)
    return None if n is None else (n.name, n.half_life_s)


@dataclass(frozen=True)
class SuvOverrides:
    """User-supplied values that replace (or fill in) header facts; recorded as 'override'."""

    weight_kg: float | None = None
    height_m: float | None = None
    dose_bq: float | None = None
    injection_datetime: _dt.datetime | None = None
    sex: str | None = None
    half_life_s: float | None = None

    def __post_init__(self):
        for name in ("weight_kg", "height_m", "dose_bq", "half_life_s"):
            v = getattr(self, name)
            if v is None:
                continue
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise SuvError(f"{vocab.INPUT_FIELDS[name]}: {v!r} is not a number", field=name) from None
            if not math.isfinite(v) or v <= 0:
                raise SuvError(f"{vocab.INPUT_FIELDS[name]}: must be a positive number, got {v!r}", field=name)
            object.__setattr__(self, name, v)
        if self.height_m is not None and self.height_m > 3.0:
            raise SuvError(f"the patient height is in metres; {self.height_m:g} looks like centimetres "
                           f"(use {self.height_m / 100:g})", field="height_m")
        if self.sex is not None:
            s = str(self.sex).strip().upper()
            if s not in ("M", "F"):
                raise SuvError(f"the patient sex must be M or F, got {self.sex!r}", field="sex")
            object.__setattr__(self, "sex", s)
        inj = self.injection_datetime
        if inj is not None and not isinstance(inj, _dt.datetime):
            text = str(inj).strip()
            try:
                parsed = _dt.datetime.fromisoformat(text)
            except ValueError:
                try:
                    parsed = parse_dt(text)
                except DicomTimeError:
                    parsed = None
            if parsed is None:
                raise SuvError(f"injection time {text!r} is not a date-time "
                               "(use YYYYMMDDHHMMSS or YYYY-MM-DDTHH:MM:SS)", field="injection_datetime")
            object.__setattr__(self, "injection_datetime", parsed.replace(tzinfo=None))
        elif inj is not None:
            object.__setattr__(self, "injection_datetime", inj.replace(tzinfo=None))

    def given(self) -> list[str]:
        return [k for k in OVERRIDE_FIELDS if getattr(self, k) is not None]


class Trail:
    """The provenance of an SUV factor: each input with its value, unit, source and rule; warnings."""

    def __init__(self):
        self.provenance: list[dict] = []
        self.warnings: list[str] = []

    def add(self, input_: str, value: Any, unit: str, source: str, rule: str = "") -> None:
        self.provenance.append({"input": input_, "value": json_value(value), "unit": unit, "source": source,
                                "rule": rule})

    def add_fact(self, input_: str, fact: Fact, unit: str | None = None, rule: str = "", value: Any = None) -> None:
        self.add(input_, fact.value if value is None else value, fact.unit if unit is None else unit,
                 fact.source, rule)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


class SuvInputs:
    """Resolves each input once (override > header > derived) and records it in the trail."""

    def __init__(self, acq: PetAcquisition, ov: SuvOverrides, trail: Trail):
        self.acq, self.ov, self.trail = acq, ov, trail
        self._cache: dict[str, Any] = {}

    def _once(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def _override_rule(self, header: Fact | None, unit: str) -> str:
        if header is None or header.value in (None, 0, ""):
            return "given by the user; header has no value"
        hv = header.value
        hv = f"{hv:g}" if isinstance(hv, float) else str(hv)
        return f"given by the user; header {header.source} has {hv}{(' ' + unit) if unit else ''}"

    def weight_kg(self) -> float:
        def get():
            fact = self.acq.patient_weight_kg
            if self.ov.weight_kg is not None:
                self.trail.add("patient weight", self.ov.weight_kg, "kg", "override",
                               self._override_rule(fact, "kg"))
                return self.ov.weight_kg
            if fact is None or not fact.value or fact.value <= 0:
                raise SuvInputMissing("(0010,1030) PatientWeight", "weight_kg",
                                      "(0010,1030) PatientWeight is missing or zero: SUV needs the patient's weight")
            w = float(fact.value)
            if w > 350:
                self.trail.warn(f"patient weight {w:g} kg is implausible; check (0010,1030) or override the patient weight")
            self.trail.add_fact("patient weight", fact, "kg")
            return w
        return self._once("weight", get)

    def height_m(self) -> float:
        def get():
            fact = self.acq.patient_size_m
            if self.ov.height_m is not None:
                self.trail.add("patient height", self.ov.height_m, "m", "override", self._override_rule(fact, "m"))
                return self.ov.height_m
            if fact is None or not fact.value or fact.value <= 0:
                raise SuvInputMissing("(0010,1020) PatientSize", "height_m",
                                      "(0010,1020) PatientSize (height) is missing or zero: this SUV type needs it")
            h = float(fact.value)
            rule = ""
            if h > 3.0:
                h /= 100.0
                rule = f"height looked like cm (value {fact.value:g} > 3): /100"
                self.trail.warn(f"PatientSize (0010,1020) {fact.value:g} was read as cm ({h:g} m); "
                                "override the patient height if that is wrong")
            self.trail.add_fact("patient height", fact, "m", rule, value=h)
            return h
        return self._once("height", get)

    def sex(self) -> str:
        """'M' or 'F', or 'U' when the header has no usable sex (the normaliser then takes the mean)."""
        def get():
            fact = self.acq.patient_sex
            if self.ov.sex is not None:
                self.trail.add("patient sex", self.ov.sex, "", "override", self._override_rule(fact, ""))
                return self.ov.sex
            if fact is None or str(fact.value).upper() not in ("M", "F"):
                got = "missing" if fact is None else f"{fact.value!r}"
                rule = (f"(0010,0040) PatientSex is {got}: mean of the male and female values used; "
                        "give the patient's sex to choose")
                self.trail.add("patient sex", "unknown" if fact is None else fact.value, "",
                               "derived" if fact is None else fact.source, rule)
                self.trail.warn(f"PatientSex (0010,0040) is {got}: this SUV type needs the sex, so the mean of the "
                                f"male and female values was used; give the patient's sex to choose")
                return "U"
            self.trail.add_fact("patient sex", fact, "")
            return str(fact.value).upper()
        return self._once("sex", get)

    @staticmethod
    def _by_sex(fn, sex: str) -> tuple[float, str]:
        """fn(sex), or the mean of fn('M') and fn('F') when the sex is unknown ('U'), with a note."""
        if sex in ("M", "F"):
            return fn(sex), ""
        m, f = fn("M"), fn("F")
        return 0.5 * (m + f), f"mean of male {m:.6g} kg and female {f:.6g} kg (sex unknown)"

    def normalizer(self, key: str) -> tuple[float, str]:
        """(N, unit) for SUV type ``key``: g for mass-based types, cm² for bsa."""
        def get():
            if key == "bw":
                w = self.weight_kg()
                return w * 1000.0, "g"
            if key.startswith("lbm-"):
                formula = key[4:]
                w, h, s = self.weight_kg(), self.height_m(), self.sex()
                lbm, sex_note = self._by_sex(lambda sx: lean_body_mass_kg(w, h, sx, formula), s)
                if lbm <= 0:
                    raise SuvError(f"the {key} formula gives a non-positive lean body mass ({lbm:.3g} kg) for "
                                   f"weight {w:g} kg and height {h:g} m; use lbm-janma")
                rule = {"james128": "James-128 formula", "james120": "James-120 formula",
                        "janma": "Janmahasatian formula"}[formula]
                self.trail.add("lean body mass", lbm, "kg", "derived", rule + (f"; {sex_note}" if sex_note else ""))
                return lbm * 1000.0, "g"
            if key == "bsa":
                w, h = self.weight_kg(), self.height_m()
                bsa = body_surface_area_m2(w, h)
                self.trail.add("body surface area", bsa, "m2", "derived", "DuBois & DuBois formula (as QIBA)")
                return bsa * 1e4, "cm2"
            if key == "ibw":
                h, s = self.height_m(), self.sex()
                ibw, sex_note = self._by_sex(lambda sx: ideal_body_weight_kg(h, sx), s)
                if ibw <= 0:
                    raise SuvError(f"ideal body weight is not positive for height {h:g} m")
                self.trail.add("ideal body weight", ibw, "kg", "derived",
                               "Sugawara 1999 formula" + (f"; {sex_note}" if sex_note else ""))
                return ibw * 1000.0, "g"
            raise SuvError(f"unknown SUV type {key!r}")
        return self._once(("norm", key), get)

    def dose_bq(self) -> float:
        def get():
            fact = self.acq.radionuclide_total_dose
            if self.ov.dose_bq is not None:
                self.trail.add("injected dose", self.ov.dose_bq, "Bq", "override", self._override_rule(fact, ""))
                if self.ov.dose_bq < 1e5:
                    self.trail.warn(f"the dose override {self.ov.dose_bq / 1e6:g} MBq is below 0.1 MBq; check its unit")
                return self.ov.dose_bq
            if fact is None or not fact.value or fact.value <= 0:
                raise SuvInputMissing("(0018,1074) RadionuclideTotalDose", "dose_bq",
                                      "(0018,1074) RadionuclideTotalDose is missing or zero: SUV needs the injected dose")
            d = float(fact.value)
            if d < 1e5:
                self.trail.add_fact("injected dose", fact, "Bq",
                                    f"dose looked like MBq (value {d:g} < 1e5): x1e6", value=d * 1e6)
                self.trail.warn(f"RadionuclideTotalDose (0018,1074) is {d:g}: read as MBq ({d * 1e6:g} Bq); "
                                "override the injected dose if that is wrong")
                return d * 1e6
            self.trail.add_fact("injected dose", fact, "Bq")
            return d
        return self._once("dose", get)

    def half_life_s(self) -> float:
        def get():
            fact = self.acq.radionuclide_half_life_s
            code = self.acq.radionuclide_code
            from_code = half_life_from_code(code.value) if code is not None else None
            if self.ov.half_life_s is not None:
                self.trail.add("half-life", self.ov.half_life_s, "s", "override", self._override_rule(fact, "s"))
                return self.ov.half_life_s
            if fact is not None and fact.value and fact.value > 0:
                t = float(fact.value)
                if from_code is not None and abs(t / from_code[1] - 1.0) > 0.01:
                    self.trail.warn(f"RadionuclideHalfLife (0018,1075) {t:g} s differs from {from_code[0]} "
                                    f"({from_code[1]:g} s) named by the radionuclide code; the header value is used")
                self.trail.add_fact("half-life", fact, "s")
                return t
            if from_code is not None:
                self.trail.add("half-life", from_code[1], "s", code.source,
                               f"(0018,1075) missing: half-life of {from_code[0]} from the radionuclide code "
                               f"{code.value[0] if isinstance(code.value, tuple) else code.value}")
                return from_code[1]
            raise SuvInputMissing("(0018,1075) RadionuclideHalfLife", "half_life_s",
                                  "(0018,1075) RadionuclideHalfLife is missing and the radionuclide code "
                                  "(0054,0300) does not name a known nuclide")
        return self._once("halflife", get)

    def injection(self, reference: _dt.datetime | None) -> _dt.datetime:
        def get():
            if self.ov.injection_datetime is not None:
                hdr = self.acq.radiopharmaceutical_start_datetime or self.acq.radiopharmaceutical_start_time
                self.trail.add("injection time", self.ov.injection_datetime, "", "override",
                               self._override_rule(hdr, ""))
                return self.ov.injection_datetime
            fdt = self.acq.radiopharmaceutical_start_datetime
            if fdt is not None and fdt.value is not None:
                inj = fdt.value
                if reference is not None and inj > reference and inj.date() > reference.date():
                    # a wrong date (seen in real files): the clock time alone, when that is plausible
                    by_time = latest_at_or_before(inj.time(), reference)
                    limit = min(24 * 3600.0, _PLAUSIBLE_HALF_LIVES * self.half_life_s())
                    if (reference - by_time).total_seconds() <= limit:
                        self.trail.add("injection time", by_time, "", fdt.source,
                                       f"the injection date {inj.date()} is after the scan date {reference.date()}: "
                                       "the clock time alone was used (the interval is plausible)")
                        self.trail.warn(f"RadiopharmaceuticalStartDateTime (0018,1078) {inj.isoformat()} is after "
                                        f"the scan date {reference.date()}: its clock time alone was used; check it or "
                                        "give the injection date and time")
                        return by_time
                self.trail.add_fact("injection time", fdt, "")
                return inj
            ft = self.acq.radiopharmaceutical_start_time
            if ft is None or ft.value is None:
                raise SuvInputMissing("(0018,1072) RadiopharmaceuticalStartTime", "injection_datetime",
                                      "(0018,1078) RadiopharmaceuticalStartDateTime and (0018,1072) "
                                      "RadiopharmaceuticalStartTime are missing: SUV needs the injection time")
            if reference is None:
                raise SuvInputMissing("(0008,0021) SeriesDate", "injection_datetime",
                                      "the injection has a clock time only and no scan date is known")
            same_day = _dt.datetime.combine(reference.date(), ft.value)
            inj = latest_at_or_before(ft.value, reference)
            rule = "start date-time (0018,1078) missing: start time on the date of the reference time"
            if inj != same_day:
                rule += ("; injection time is after the scan time on that date: taken as the day before "
                         "(injection before midnight, scan after it)")
            self.trail.add("injection time", inj, "", f"{ft.source} + date of the reference time", rule)
            return inj
        return self._once("injection", get)


# an injection taken from its clock time alone must be at most this many half-lives before the scan
_PLAUSIBLE_HALF_LIVES = 5.0


def decay(seconds: float, half_life_s: float) -> float:
    """The fraction of activity left after ``seconds``."""
    return 2.0 ** (-seconds / half_life_s)


def decay_weighted_mean_time_s(duration_s: float, half_life_s: float) -> float:
    """T_ave = ln(λT / (1 − e^(−λT))) / λ: the time after a frame's start at which the activity equals
    its mean over the frame (the moment a frame's counts are decay-corrected to)."""
    lam = math.log(2.0) / half_life_s
    x = lam * duration_s
    if x < 1e-9:
        return duration_s / 2.0
    return math.log(x / (1.0 - math.exp(-x))) / lam


# back-computed reference times of the instances must agree within this (s)
_REFERENCE_AGREEMENT_S = 1.0


def _back_computed_reference(acq: PetAcquisition, half_life_s: float, trail: Trail):
    """t_ref = t_acq + T_ave − Δt per instance (START series), or None when the tags are missing.

    Δt is FrameReferenceTime (0054,1300), the offset of the frame's decay-weighted mid-time from the
    series reference time; T_ave comes from ActualFrameDuration (0018,1242).  A FrameReferenceTime of
    exactly 0 is treated as not recorded (a frame cannot be referenced to its own start under START).
    Returns (datetime, rule) or None; a disagreement between instances is a warning and None.
    """
    times = acq.acquisition_datetimes()
    frt = acq.instance_values("frame_reference_time_ms")
    dur = acq.instance_values("actual_frame_duration_ms")
    uids = list(acq.instances)
    if not uids or any(u not in times or u not in dur or dur[u] <= 0 or u not in frt for u in uids):
        return None
    if all(frt[u] == 0 for u in uids):
        trail.warn("FrameReferenceTime (0054,1300) is 0 in every instance: it was treated as not recorded")
        return None
    refs = {}
    for u in uids:
        t_ave = decay_weighted_mean_time_s(dur[u] / 1000.0, half_life_s)
        refs[u] = times[u] + _dt.timedelta(seconds=t_ave - frt[u] / 1000.0)
    lo, hi = min(refs.values()), max(refs.values())
    spread = (hi - lo).total_seconds()
    if spread > _REFERENCE_AGREEMENT_S:
        trail.warn(f"the reference times back-computed from AcquisitionTime, FrameReferenceTime and "
                   f"ActualFrameDuration disagree between instances by {spread:.1f} s; not used")
        return None
    mean = lo + (hi - lo) / 2
    rule = ("series time is after the earliest acquisition time (post-processed series?): reference time "
            "back-computed per instance as AcquisitionTime + T_ave - FrameReferenceTime, "
            "T_ave = ln(lT/(1-exp(-lT)))/l from ActualFrameDuration; "
            f"{len(refs)} instances agree within {spread:.3f} s")
    return mean, rule


def start_reference(acq: PetAcquisition, trail: Trail, half_life_s: float | None = None) -> _dt.datetime:
    """The time a DecayCorrection START image is corrected to (QIBA pseudo-code + back-computation)."""
    series_dt = acq.series_datetime
    earliest = acq.earliest_acquisition()
    series_src = "SeriesDate (0008,0021) + SeriesTime (0008,0031)"
    if series_dt is not None and (earliest is None or series_dt <= earliest[1]):
        rule = ("series time is not after the earliest acquisition time" if earliest is not None
                else "no acquisition times in the headers")
        trail.add("reference (scan start) time", series_dt, "", series_src, rule)
        return series_dt
    ge = acq.ge_scan_datetime
    if ge is not None and ge.value is not None:
        rule = ("GE private scan time used because series time is after acquisition time" if series_dt is not None
                else "GE private scan time used because series date/time is missing")
        trail.add("reference (scan start) time", ge.value, "", ge.source, rule)
        return ge.value
    if half_life_s is not None:
        back = _back_computed_reference(acq, half_life_s, trail)
        if back is not None:
            t, rule = back
            if series_dt is not None:
                trail.warn(f"series time {series_dt.time()} is after the earliest acquisition time: the reference "
                           f"time {t.time()} was back-computed from the frame timing tags")
            trail.add("reference (scan start) time", t, "",
                      "derived (AcquisitionTime (0008,0032), FrameReferenceTime (0054,1300), "
                      "ActualFrameDuration (0018,1242))", rule)
            return t
    if earliest is not None:
        uid, t = earliest
        src = acq.instances[uid].acquisition_datetime.source
        if series_dt is not None:
            rule = ("series time is after the earliest acquisition time (post-processed series?) and the frame "
                    "timing tags cannot give the reference time: earliest acquisition date/time of the series "
                    "used (QIBA)")
            trail.warn(f"series time {series_dt.time()} is after the earliest acquisition time {t.time()}: "
                       "the earliest acquisition was used as the scan start")
        else:
            rule = "series date/time missing: earliest acquisition date/time of the series used"
        trail.add("reference (scan start) time", t, "", f"{src}, earliest of {len(acq.acquisition_datetimes())} "
                  "instances", rule)
        return t
    raise SuvInputMissing("(0008,0031) SeriesTime", None,
                          "(0008,0021)/(0008,0031) SeriesDate/SeriesTime and (0008,0022)/(0008,0032) acquisition "
                          "date/time are missing: the scan time is unknown")
