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

import math
from dataclasses import dataclass, field

from workstation.analysis.suv.body_size import body_surface_area_m2, ideal_body_weight_kg, lean_body_mass_kg
from workstation.analysis.errors import SuvError, SuvInputMissing
from workstation.analysis.suv.inputs import (OVERRIDE_FIELDS, SuvInputs, SuvOverrides, Trail, decay,
                                             decay_weighted_mean_time_s, half_life_from_code, start_reference)
from workstation.core import vocabulary as vocab
from workstation.core.pet import PetAcquisition

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
    "decay_weighted_mean_time_s",
    "sex_assumed",
    "RADIONUCLIDE_HALF_LIVES_S",
]

SUV_TYPES: tuple[str, ...] = vocab.SUV_TYPES
_DESCRIPTIONS = {t.key: t.description for t in vocab.SUV_TYPE_LIST}
# SUV Type (0054,1006) defined terms -> our keys
_DICOM_SUV_TYPES = vocab.DICOM_SUV_TYPES
# Physical half-lives in seconds (core.vocabulary: NNDC/ENSDF evaluated values, rounded).
RADIONUCLIDE_HALF_LIVES_S: dict[str, float] = vocab.HALF_LIVES_S


def _what(field: str) -> str:
    return vocab.INPUT_FIELDS[field]


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


def _bqml_scale(inputs: SuvInputs, acq: PetAcquisition, trail: Trail, norm: float) -> tuple[float, dict | None]:
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
    if dc in ("ADMIN", "START"):
        policy = _decay_policy(inputs, acq, trail, dc)
        if policy is not None:
            st, half_life, inj = policy
            dt_s = (st.reference_datetime - inj).total_seconds()
            trail.add("decay time", dt_s, "s", "derived",
                      f"policy '{st.policy}': injection -> the time the DecayFactor refers the pixels to")
            decayed = dose * decay(dt_s, half_life)
            trail.add("decayed dose", decayed, "Bq", "derived", "dose * 2^(-decay time / half-life)")
            return norm / decayed, None
    if dc == "ADMIN":
        trail.add("decayed dose", dose, "Bq", "derived",
                  "DecayCorrection ADMIN: image is decay-corrected to the administration time; no decay term")
        return norm / dose, None
    half_life = inputs.half_life_s()
    if dc == "START":
        ref = start_reference(acq, trail, half_life)
        inj = inputs.injection(ref)
        dt_s = (ref - inj).total_seconds()
        if dt_s < 0:
            raise SuvError(f"the injection time {inj.isoformat()} is after the scan start {ref.isoformat()}; "
                           "check (0018,1078)/(0018,1072) RadiopharmaceuticalStart(Date)Time or override the "
                           "injection time", field="injection_datetime")
        if dt_s > 10 * half_life:
            trail.warn(f"the scan started {dt_s / half_life:.1f} half-lives after injection; check the injection time")
        trail.add("decay time", dt_s, "s", "derived", "reference time - injection time")
        decayed = dose * decay(dt_s, half_life)
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
            dec = decay(dt_s, half_life)
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


def _decay_policy(inputs: SuvInputs, acq: PetAcquisition, trail: Trail, dc: str):
    """Check DecayCorrection against DecayFactor and the times (``analysis.suv.decay``); the trail says the
    result. Returns (statement, half-life, injection) when they conflict and the policy replaces the declared
    reference time, else None (also when the times needed for the check are missing)."""
    from workstation.analysis.suv.decay import decay_statement_of

    if not acq.instance_values("decay_factor"):
        return None
    try:  # the check needs the half-life and the injection time, which ADMIN alone does not
        probe = Trail()
        probe_inputs = SuvInputs(acq, inputs.ov, probe)
        half_life = probe_inputs.half_life_s()
        earliest = acq.earliest_acquisition()
        ref = earliest[1] if earliest is not None else acq.series_datetime
        inj = probe_inputs.injection(ref)
    except SuvError:
        trail.add("decay statement", "not checked", "", "derived",
                  "DecayFactor (0054,1321) could not be compared with the times (half-life or injection missing)")
        return None
    st = decay_statement_of(acq, injection=inj, half_life_s=half_life)
    if not st.checked:
        return None
    rule = (f"DecayCorrection {dc} implies DecayFactor {st.expected_factor:.6g}; the header's is "
            f"{st.decay_factor:.6g}")
    if not st.conflict:
        trail.add("decay statement", "consistent", "", "DecayCorrection (0054,1102), DecayFactor (0054,1321)", rule)
        return None
    half_life = inputs.half_life_s()  # now in the real trail, with the injection
    inj = inputs.injection(ref)
    trail.add("decay statement", "CONFLICT", "", "DecayCorrection (0054,1102), DecayFactor (0054,1321)",
              rule + f"; policy: {st.policy}")
    trail.add("reference time (policy)", st.reference_datetime, "", "derived",
              "acquisition start + T_ave - half-life * log2(DecayFactor)")
    trail.warn(st.message)
    return st, half_life, inj


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
    trail = Trail()
    for w in acq.warnings:
        trail.warn(w)
    inputs = SuvInputs(acq, ov, trail)

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


def _cnts(inputs: SuvInputs, acq: PetAcquisition, trail: Trail, key: str, ov: SuvOverrides):
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


def _already_suv(inputs: SuvInputs, acq: PetAcquisition, trail: Trail, key: str, units: str,
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


def sex_assumed(result) -> str | None:
    """The header's PatientSex value (``"missing"`` when absent) when the SUV of ``result`` used the mean
    of the male and female values because the sex was unknown; ``None`` when no such mean was used."""
    if result is None:
        return None
    for p in result.provenance:
        if p.get("input") == "patient sex" and p.get("source") != "override" \
                and str(p.get("value")).upper() not in ("M", "F"):
            return "missing" if p.get("value") in (None, "unknown") else str(p.get("value"))
    return None


def percent_injected_factor(acq: PetAcquisition, overrides: SuvOverrides | None = None) -> float:
    """The factor from stored Bq/ml to % of the injected activity per ml (%IA/ml): 100 / D_ref, with D_ref the
    dose decayed to the time the image is corrected to, by the same rules (and decay-statement policy) as
    SUV. Needs no weight; SuvError for images not in Bq/ml."""
    ov = overrides or SuvOverrides()
    trail = Trail()
    units = str(acq.value("units") or "").upper()
    if units != "BQML":
        raise SuvError(f"%IA/ml needs an image in Bq/ml (Units (0054,1001) BQML), not {units or 'missing'}")
    factor, _per_instance = _bqml_scale(SuvInputs(acq, ov, trail), acq, trail, 100.0)
    if not math.isfinite(factor) or factor <= 0:
        raise SuvError(f"the %IA/ml factor came out as {factor!r}")
    return float(factor)
