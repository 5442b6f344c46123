"""Standardized uptake value (SUV): a vendor-neutral factor with its provenance.

SUV normalises an activity concentration by the injected activity per unit of body size:

    SUV = C [Bq/ml] * N / D_ref [Bq]

with ``N`` the body weight in g (SUVbw, g/ml), a lean body mass or ideal body weight in g
(g/ml), or the body surface area in cm² (SUVbsa, cm²/ml), and ``D_ref`` the injected dose decayed
to the time the image is decay-corrected to. :func:`compute_suv` turns the header facts of a
:class:`~workstation.core.pet.PetAcquisition` into the factor that multiplies the stored pixel
values (in file units, after rescale slope/intercept), following the QIBA profile's
vendor-neutral pseudo-code for SUV:

* Units BQML: factor = N / D_ref.  Units CNTS (Philips): the private SUV scale factor
  (7053,1000) is the SUVbw factor; without it, the private activity concentration factor
  (7053,1009) turns pixels into Bq/ml and BQML rules follow.  Units GML / CM2ML: the image is
  already SUV of the type in SUV Type (0054,1006) (BW assumed for GML, BSA for CM2ML when
  absent); asking for another type rescales by the ratio of the two normalisers.
* DecayCorrection START: D_ref is the dose decayed from injection to the scan start — the series
  date/time when it is not after the earliest acquisition; otherwise (a post-processed series)
  the GE private scan date-time (0009,100D) when present, else the earliest acquisition
  date/time.  ADMIN: the image is corrected to the injection time, no decay term.  NONE: each
  frame is decayed to its own acquisition (start plus the frame's average-count-rate time when
  its duration is known), which gives one factor per instance.
* Injection from Radiopharmaceutical Start DateTime (0018,1078), else the clock time (0018,1072)
  on the date of the reference time, moved to the day before when it would be after the scan
  (injection before midnight, scan after it).  A dose below 1e5 is read as MBq (said in the
  provenance and warnings).  Half-life from (0018,1075), else from the radionuclide code.

Body-size formulas (W kg, H m, H_cm = 100 H, BMI = W/H²):

* ``lbm-james128``: James (1976), M 1.10 W − 128 (W/H_cm)², F 1.07 W − 148 (W/H_cm)²
  (the form used by PERCIST and DICOM's SUVlbm(James128)); ``lbm-james120`` uses 120 for men.
* ``lbm-janma``: Janmahasatian et al. 2005, M 9270 W/(6680 + 216 BMI), F 9270 W/(8780 + 244 BMI).
* ``bsa``: DuBois & DuBois (1916), BSA = 0.007184 W^0.425 H_cm^0.725 m² (the formula QIBA uses),
  in cm² so that SUVbsa is in cm²/ml.
* ``ibw``: ideal body weight as in Sugawara et al. 1999, M 48.0 + 1.06 (H_cm − 152),
  F 45.5 + 0.91 (H_cm − 152) kg.

Every input of the result is listed in ``SuvResult.provenance`` with its value, unit, source
(tag, ``"derived"`` or ``"override"``) and the rule applied.  A missing input is a
:class:`SuvInputMissing` naming the tag and the command-line option that supplies it.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

from workstation.core import vocabulary as vocab
from workstation.core.pet import Fact, PetAcquisition, json_value
from workstation.io.dicom_time import DicomTimeError, latest_at_or_before, parse_dt

__all__ = [
    "SUV_TYPES",
    "OVERRIDE_FIELDS",
    "SuvError",
    "SuvInputMissing",
    "SuvOverrides",
    "SuvResult",
    "compute_suv",
    "describe_suv_type",
    "normalize_suv_type",
    "lean_body_mass_kg",
    "body_surface_area_m2",
    "ideal_body_weight_kg",
    "half_life_from_code",
    "RADIONUCLIDE_HALF_LIVES_S",
]

SUV_TYPES: tuple[str, ...] = vocab.SUV_TYPES
_DESCRIPTIONS = {t.key: t.description for t in vocab.SUV_TYPE_LIST}
# SUV Type (0054,1006) defined terms -> our keys
_DICOM_SUV_TYPES = vocab.DICOM_SUV_TYPES
# Physical half-lives in seconds (core.vocabulary: NNDC/ENSDF evaluated values, rounded).
RADIONUCLIDE_HALF_LIVES_S: dict[str, float] = vocab.HALF_LIVES_S
#: the inputs a user may override, in the order they are listed (names of ``vocabulary.INPUT_FIELDS``)
OVERRIDE_FIELDS = ("weight_kg", "height_m", "dose_bq", "injection_datetime", "sex", "half_life_s")


def _what(field: str) -> str:
    return vocab.INPUT_FIELDS[field]


# ------------------------------------------------------------------------------------ errors
class SuvError(ValueError):
    """SUV cannot be computed from these headers (the message says why and what to do).

    ``field``: the input (a name of ``core.vocabulary.INPUT_FIELDS``) whose value would fix it, or
    None; the CLI shows the option for it, the viewer the form field.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class SuvInputMissing(SuvError):
    """An input SUV needs is missing; ``tag`` names it, ``field`` the override that supplies it (or None)."""

    def __init__(self, tag: str, field: str | None, message: str | None = None):
        self.tag = tag
        if message is None:
            message = f"{tag} is missing or empty"
        if field:
            message += f"; give the {_what(field)} as an override"
        else:
            message += "; no override exists for it: the series cannot be converted to SUV"
        super().__init__(message, field=field)


# ------------------------------------------------------------------------------------ types
def normalize_suv_type(key: str) -> str:
    """Our SUV type key for ``key`` (case-insensitive, aliases resolved); SuvError if unknown."""
    try:
        return vocab.suv_type_key(key)
    except vocab.VocabularyError as exc:
        raise SuvError(str(exc), field=exc.field) from None


def describe_suv_type(key: str) -> str:
    """One line saying what SUV type ``key`` is and which formula it uses."""
    return _DESCRIPTIONS[normalize_suv_type(key)]


def _result_units(key: str) -> str:
    return vocab.suv_type(key).units


# ------------------------------------------------------------------------------------ body size
def lean_body_mass_kg(weight_kg: float, height_m: float, sex: str, formula: str = "james128") -> float:
    """Lean body mass in kg; ``formula`` is 'james128', 'james120' or 'janma'; sex 'M' or 'F'."""
    w, h_cm = float(weight_kg), 100.0 * float(height_m)
    sex = str(sex).upper()
    if sex not in ("M", "F"):
        raise SuvError(f"lean body mass needs sex M or F, got {sex!r}")
    if formula in ("james128", "james120"):
        k = (128.0 if formula == "james128" else 120.0) if sex == "M" else 148.0
        a = 1.10 if sex == "M" else 1.07
        return a * w - k * (w / h_cm) ** 2
    if formula == "janma":
        bmi = w / float(height_m) ** 2
        return 9270.0 * w / ((6680.0 + 216.0 * bmi) if sex == "M" else (8780.0 + 244.0 * bmi))
    raise SuvError(f"unknown lean body mass formula {formula!r}")


def body_surface_area_m2(weight_kg: float, height_m: float) -> float:
    """Body surface area in m² (DuBois & DuBois 1916)."""
    return 0.007184 * float(weight_kg) ** 0.425 * (100.0 * float(height_m)) ** 0.725


def ideal_body_weight_kg(height_m: float, sex: str) -> float:
    """Ideal body weight in kg (Sugawara et al. 1999)."""
    sex = str(sex).upper()
    h_cm = 100.0 * float(height_m)
    if sex == "M":
        return 48.0 + 1.06 * (h_cm - 152.0)
    if sex == "F":
        return 45.5 + 0.91 * (h_cm - 152.0)
    raise SuvError(f"ideal body weight needs sex M or F, got {sex!r}")


def half_life_from_code(code) -> tuple[str, float] | None:
    """(nuclide, half-life s) for a radionuclide code (value, scheme, meaning) or text, or None."""
    n = vocab.nuclide_from_code(code)
    return None if n is None else (n.name, n.half_life_s)


# ------------------------------------------------------------------------------------ inputs
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
                raise SuvError(f"{_what(name)}: {v!r} is not a number", field=name) from None
            if not math.isfinite(v) or v <= 0:
                raise SuvError(f"{_what(name)}: must be a positive number, got {v!r}", field=name)
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


@dataclass
class SuvResult:
    """The SUV factor of a series and how it was obtained.

    ``factor`` multiplies stored pixel values (in file units, after rescale slope/intercept) to
    give SUV of ``suv_type`` in ``units``.  When the factor differs per instance (DecayCorrection
    NONE with different acquisition times, per-slice Philips factors), ``instance_factors`` maps
    SOPInstanceUID to its factor and ``factor`` is that of the earliest acquisition.
    """

    factor: float
    suv_type: str
    units: str
    instance_factors: dict[str, float] | None = None
    provenance: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    input_units: str = ""

    def factor_for(self, sop_instance_uid: str) -> float:
        """The factor of one instance (``factor`` when it is the same for all)."""
        if self.instance_factors is None:
            return self.factor
        return self.instance_factors[sop_instance_uid]

    def to_dict(self) -> dict:
        return {
            "factor": self.factor,
            "suv_type": self.suv_type,
            "units": self.units,
            "input_units": self.input_units,
            "instance_factors": None if self.instance_factors is None else dict(self.instance_factors),
            "provenance": [dict(p) for p in self.provenance],
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        """The human-readable trail (no patient identity)."""
        lines = [
            f"SUV type: {self.suv_type} - {describe_suv_type(self.suv_type)}",
            f"SUV factor: {self.factor:.9g} ({self.units} per {self.input_units or 'stored unit'}, "
            "applied to pixel values after rescale slope/intercept)",
        ]
        if self.instance_factors is not None:
            vals = list(self.instance_factors.values())
            lines.append(f"Per-instance factors: {len(vals)} instances, {min(vals):.9g} to {max(vals):.9g}")
        lines.append("Provenance:")
        for p in self.provenance:
            value = p.get("value")
            if isinstance(value, float):
                value = f"{value:.9g}"
            unit = f" {p['unit']}" if p.get("unit") else ""
            line = f"  - {p['input']}: {value}{unit}  [{p['source']}]"
            if p.get("rule"):
                line += f"  -- {p['rule']}"
            lines.append(line)
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  ! {w}" for w in self.warnings)
        return "\n".join(lines)


# ------------------------------------------------------------------------------------ engine
class _Trail:
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


class _Inputs:
    """Resolves each input once (override > header > derived) and records it in the trail."""

    def __init__(self, acq: PetAcquisition, ov: SuvOverrides, trail: _Trail):
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


def _decay(seconds: float, half_life_s: float) -> float:
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


def _back_computed_reference(acq: PetAcquisition, half_life_s: float, trail: _Trail):
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


def _start_reference(acq: PetAcquisition, trail: _Trail, half_life_s: float | None = None) -> _dt.datetime:
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


def _bqml_scale(inputs: _Inputs, acq: PetAcquisition, trail: _Trail, norm: float) -> tuple[float, dict | None]:
    """N / D_ref for an image in Bq/ml; per-instance dict for DecayCorrection NONE."""
    dc_fact = acq.decay_correction
    dc = None if dc_fact is None else str(dc_fact.value).upper()
    ci = () if acq.corrected_image is None else tuple(acq.corrected_image.value)
    if dc is None:
        if "DECY" in ci:
            dc = "START"
            trail.add("decay correction", "START", "", "derived",
                      "(0054,1102) DecayCorrection missing; CorrectedImage lists DECY: START assumed")
            trail.warn("DecayCorrection (0054,1102) is missing; START was assumed because CorrectedImage has DECY")
        else:
            raise SuvInputMissing("(0054,1102) DecayCorrection", None,
                                  "(0054,1102) DecayCorrection is missing and CorrectedImage (0028,0051) does not "
                                  "say DECY: the time the image is corrected to is unknown")
    else:
        trail.add_fact("decay correction", dc_fact, "")
    if dc in ("START", "ADMIN") and ci and "DECY" not in ci:
        trail.warn(f"DecayCorrection is {dc} but CorrectedImage (0028,0051) does not list DECY")

    dose = inputs.dose_bq()
    if dc == "ADMIN":
        trail.add("decayed dose", dose, "Bq", "derived",
                  "DecayCorrection ADMIN: image is decay-corrected to the administration time; no decay term")
        return norm / dose, None
    half_life = inputs.half_life_s()
    if dc == "START":
        ref = _start_reference(acq, trail, half_life)
        inj = inputs.injection(ref)
        dt_s = (ref - inj).total_seconds()
        if dt_s < 0:
            raise SuvError(f"the injection time {inj.isoformat()} is after the scan start {ref.isoformat()}; "
                           "check (0018,1078)/(0018,1072) RadiopharmaceuticalStart(Date)Time or override the "
                           "injection time", field="injection_datetime")
        if dt_s > 10 * half_life:
            trail.warn(f"the scan started {dt_s / half_life:.1f} half-lives after injection; check the injection time")
        trail.add("decay time", dt_s, "s", "derived", "reference time - injection time")
        decayed = dose * _decay(dt_s, half_life)
        trail.add("decayed dose", decayed, "Bq", "derived", "dose * 2^(-decay time / half-life)")
        return norm / decayed, None
    if dc == "NONE":
        times = acq.acquisition_datetimes()
        missing = [u for u in acq.instances if u not in times]
        if missing or not times:
            raise SuvInputMissing("(0008,0032) AcquisitionTime", None,
                                  "DecayCorrection NONE needs each instance's (0008,0022)/(0008,0032) acquisition "
                                  f"date/time; {len(missing) or len(acq.instances)} instance(s) have none")
        earliest = min(times.values())
        inj = inputs.injection(earliest)
        lam = math.log(2.0) / half_life
        durations = acq.instance_values("actual_frame_duration_ms")
        factors: dict[str, float] = {}
        no_duration = 0
        for uid, t in times.items():
            dt_s = (t - inj).total_seconds()
            if dt_s < 0:
                raise SuvError(f"the injection time {inj.isoformat()} is after the acquisition start "
                               f"{t.isoformat()} of instance {uid}; check the injection time or override it",
                               field="injection_datetime")
            dec = _decay(dt_s, half_life)
            dur = durations.get(uid)
            if dur is not None and dur > 0:
                x = lam * dur / 1000.0
                dec *= (1.0 - math.exp(-x)) / x  # mean of the decay over the frame
            else:
                no_duration += 1
            factors[uid] = norm / (dose * dec)
        trail.add("decay time", (earliest - inj).total_seconds(), "s", "derived",
                  "DecayCorrection NONE: each instance decayed from injection to its own acquisition start, "
                  "averaged over its ActualFrameDuration (0018,1242) when known; value shown for the earliest")
        if no_duration:
            trail.warn(f"{no_duration} instance(s) of a DecayCorrection NONE series have no ActualFrameDuration "
                       "(0018,1242): decayed to the frame start only")
        return _collapse(factors, acq)
    raise SuvError(f"DecayCorrection (0054,1102) {dc!r} is not supported (START, ADMIN or NONE)")


def _collapse(factors: dict[str, float], acq: PetAcquisition) -> tuple[float, dict | None]:
    vals = list(factors.values())
    earliest = acq.earliest_acquisition()
    first_uid = earliest[0] if earliest is not None and earliest[0] in factors else next(iter(factors))
    if max(vals) - min(vals) <= 1e-12 * max(abs(v) for v in vals):
        return factors[first_uid], None
    return factors[first_uid], dict(factors)


_SCANNER_BAKED = ("weight_kg", "dose_bq", "injection_datetime", "half_life_s")


def compute_suv(acq: PetAcquisition, suv_type: str = "bw", overrides: SuvOverrides | None = None) -> SuvResult:
    """The SUV factor of a PET series and its provenance (see the module docstring).

    Raises :class:`SuvInputMissing` when an input is missing (naming tag and option) and
    :class:`SuvError` when the headers cannot give a trustworthy SUV.
    """
    key = normalize_suv_type(suv_type)
    ov = overrides or SuvOverrides()
    trail = _Trail()
    for w in acq.warnings:
        trail.warn(w)
    inputs = _Inputs(acq, ov, trail)

    units_fact = acq.units
    if units_fact is None or not units_fact.value:
        raise SuvInputMissing("(0054,1001) Units", None, "(0054,1001) Units is missing: the pixel unit is unknown")
    units = str(units_fact.value).upper()
    trail.add_fact("pixel units", units_fact, "")
    trail.add("SUV type", key, "", "requested", describe_suv_type(key))

    ci = acq.corrected_image
    if ci is not None and units in ("BQML", "CNTS") and "ATTN" not in ci.value:
        raise SuvError(f"CorrectedImage (0028,0051) is {'/'.join(ci.value)} without ATTN: the image is not "
                       "attenuation corrected, so SUV would be meaningless")
    if ci is None and units in ("BQML", "CNTS"):
        trail.warn("CorrectedImage (0028,0051) is missing: attenuation and decay correction could not be checked")

    instance_factors: dict | None = None
    if units == "BQML":
        norm, _unit = inputs.normalizer(key)
        factor, instance_factors = _bqml_scale(inputs, acq, trail, norm)
        input_units = "Bq/ml"
    elif units == "CNTS":
        factor, instance_factors = _cnts(inputs, acq, trail, key, ov)
        input_units = "CNTS"
    elif units in ("GML", "CM2ML"):
        factor = _already_suv(inputs, acq, trail, key, units, ov)
        input_units = "g/ml" if units == "GML" else "cm2/ml"
    else:
        raise SuvError(f"Units (0054,1001) {units!r} cannot be converted to SUV "
                       "(supported: BQML, CNTS with Philips private factors, GML, CM2ML)")

    if not math.isfinite(factor) or factor <= 0:
        raise SuvError(f"the SUV factor came out as {factor!r}; check the header values in the provenance")
    if instance_factors is not None:
        trail.warn(f"the SUV factor differs between the {len(instance_factors)} instances; "
                   "apply instance_factors per instance (factor is that of the earliest acquisition)")
    trail.add("SUV factor", factor, f"{_result_units(key)} per {input_units}", "derived",
              "multiply pixel values (after rescale slope/intercept)")
    return SuvResult(factor=float(factor), suv_type=key, units=_result_units(key),
                     instance_factors=instance_factors, provenance=trail.provenance, warnings=trail.warnings,
                     input_units=input_units)


def _cnts(inputs: _Inputs, acq: PetAcquisition, trail: _Trail, key: str, ov: SuvOverrides):
    suvf = acq.instance_values("philips_suv_scale_factor")
    acf = acq.instance_values("philips_activity_concentration_scale_factor")
    uids = list(acq.instances)
    has_suv = bool(uids) and all(suvf.get(u) for u in uids)
    has_acf = bool(uids) and all(acf.get(u) for u in uids)
    baked_fields = [k for k in _SCANNER_BAKED if getattr(ov, k) is not None]
    baked = [f"the {_what(k)} override" for k in baked_fields]
    if has_suv and not (baked and has_acf):
        if baked:
            raise SuvError(f"Units CNTS: the Philips SUV scale factor (7053,1000) already contains the scanner's "
                           f"weight, dose and times, and there is no activity concentration factor (7053,1009) to "
                           f"recompute it; {', '.join(baked)} cannot be applied", field=baked_fields[0])
        example = acq.instances[uids[0]].philips_suv_scale_factor
        trail.add_fact("Philips SUV scale factor", example, "g/ml per CNTS",
                       "Units CNTS: the vendor's SUVbw factor (QIBA)" + (f"; {example.note}" if example.note else ""))
        factors = {u: float(suvf[u]) for u in uids}
        if key != "bw":
            norm, _ = inputs.normalizer(key)
            w_g = inputs.weight_kg() * 1000.0
            ratio = norm / w_g
            trail.add("SUV type conversion", ratio, "", "derived", f"SUVbw -> {key}: x {key} normaliser / body weight")
            factors = {u: f * ratio for u, f in factors.items()}
        return _collapse(factors, acq)
    if has_acf:
        example = acq.instances[uids[0]].philips_activity_concentration_scale_factor
        rule = "Units CNTS: (7053,1009) x pixel = Bq/ml, then BQML rules (QIBA)"
        if has_suv:
            rule += "; (7053,1000) not used because overrides were given"
        if example.note:
            rule += f"; {example.note}"
        trail.add_fact("Philips activity concentration factor", example, "Bq/ml per CNTS", rule)
        norm, _ = inputs.normalizer(key)
        base, per_inst = _bqml_scale(inputs, acq, trail, norm)
        if per_inst is None:
            factors = {u: base * float(acf[u]) for u in uids}
        else:
            factors = {u: per_inst[u] * float(acf[u]) for u in uids}
        return _collapse(factors, acq)
    raise SuvError("Units (0054,1001) is CNTS but the Philips private SUV scale factor (7053,1000) and activity "
                   "concentration scale factor (7053,1009) are missing or zero: counts cannot be converted to SUV")


def _already_suv(inputs: _Inputs, acq: PetAcquisition, trail: _Trail, key: str, units: str,
                 ov: SuvOverrides) -> float:
    st = acq.suv_type
    if st is not None and st.value:
        stored_term = str(st.value).upper()
        if stored_term not in _DICOM_SUV_TYPES:
            raise SuvError(f"SUV Type (0054,1006) {stored_term!r} is not known (BW, BSA, LBM, LBMJAMES128, "
                           "LBMJANMA, IBW)")
        stored = _DICOM_SUV_TYPES[stored_term]
        rule = ""
        if stored_term == "LBM":
            rule = "SUV Type LBM does not name the formula: James-128 assumed"
            trail.warn("SUV Type (0054,1006) is LBM without a formula; James-128 was assumed")
        trail.add_fact("stored SUV type", st, "", rule, value=stored)
    else:
        stored = "bw" if units == "GML" else "bsa"
        trail.add("stored SUV type", stored, "", "derived",
                  f"(0054,1006) SUV Type missing: Units {units} taken as {'SUVbw (QIBA)' if stored == 'bw' else 'SUVbsa'}")
        trail.warn(f"SUV Type (0054,1006) is missing; Units {units} was taken as {stored}")
    if (units == "CM2ML") != (stored == "bsa"):
        raise SuvError(f"Units {units} and SUV Type (0054,1006) {stored} contradict each other "
                       "(CM2ML goes with BSA, GML with the mass-based types)")
    ignored = [f"the {_what(k)} override" for k in ("dose_bq", "injection_datetime", "half_life_s")
               if getattr(ov, k) is not None]
    if ignored:
        trail.warn(f"the image is already SUV ({units}); {', '.join(ignored)} do not apply and were ignored")
    if stored == key:
        trail.add("SUV type conversion", 1.0, "", "derived", f"image already in SUV {key}: factor 1")
        return 1.0
    n_req, _ = inputs.normalizer(key)
    n_sto, _ = inputs.normalizer(stored)
    ratio = n_req / n_sto
    trail.add("SUV type conversion", ratio, "", "derived",
              f"stored SUV {stored} -> {key}: x ({key} normaliser / {stored} normaliser)")
    if any(getattr(ov, k) is not None for k in ("weight_kg", "height_m", "sex")):
        trail.warn("overrides of weight/height/sex change the conversion between SUV types only; the stored "
                   f"SUV {stored} values keep the scanner's own inputs")
    return ratio
