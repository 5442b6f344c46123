"""Treatment response rules: PERCIST 1.0, EORTC 1999, Deauville 5-point, QIBA repeatability.

Concept
-------
A response rule compares a few numbers of a baseline and a follow-up study (the SULpeak of the
hottest lesion, the SUVmax of target lesions, reference organ means) and names a category. The
rules here are plain functions of those numbers, no images and no Qt, so that every threshold can
be tested at and around its boundary with hand-worked values. Measuring the numbers (segmentation,
SUVpeak, reference VOIs, matching lesions through a registration) is the job of
:mod:`workstation.analysis.followup.comparison`.

Changes are ``follow-up - baseline`` (absolute) and ``100 (follow-up - baseline) / baseline``
(percent). A change exactly at a threshold counts as reaching it where the rule says "at least"
(PERCIST's 30 % and 0.8 SUL, EORTC's 15 % after one cycle) and as not reaching it where the rule
says "more than" (EORTC's 25 %); comparisons allow 1e-9 (relative) for rounding, so 7.0 -> 4.9 is
exactly a 30 % decrease.

PERCIST 1.0 (Wahl RL, Jacene H, Kasamon Y, Lodge MA. J Nucl Med 2009;50 Suppl 1:122S-150S)
    * SUL = SUV normalised to lean body mass (Janmahasatian 2005 LBM, as recommended since; the
      SUV code's ``lbm-janma``). SULpeak: 1 cm3 sphere (``workstation.kernels.peak``).
    * Liver reference: 3 cm diameter sphere in the normal right lobe; SULmean and SD.
    * Measurable baseline target: SULpeak >= 1.5 x liver SULmean + 2 x liver SD (with an abnormal
      liver: 2.0 x blood-pool SULmean + 2 SD in the descending aorta).
    * Liver stability: the liver SULmean of the two studies should agree within 20 % and within
      0.3 SUL units; if either limit is exceeded the comparison is flagged (we flag when EITHER is
      exceeded, the conservative reading of "within 20 % and 0.3 SUL units").
    * Patient-level categories from the SULpeak of the hottest lesion of each study (not
      necessarily the same lesion), or of the sum over up to 5 targets (2 per organ) if chosen:
        - CMR: the target uptake resolved to no more than the liver SULmean (and, when a blood-pool
          reference is given, no more than its mean + 2 SD) and no new lesion;
        - PMR: a decrease of at least 30 % AND at least 0.8 SUL units;
        - PMD: an increase of at least 30 % AND at least 0.8 SUL units, or any new FDG-avid
          lesion;
        - SMD: otherwise.

EORTC 1999 (Young H et al. Eur J Cancer 1999;35:1773-1782), SUVmax normalised to body weight:
    * PMD: increase of more than 25 %, or new lesions;
    * PMR: decrease of at least 15 % after one cycle of therapy, more than 25 % after more cycles;
    * CMR: complete resolution (the lesion is no longer distinguishable: not segmented at follow-up);
    * SMD: otherwise (increase up to 25 %, decrease less than the PMR limit).

Deauville 5-point score (Meignan M et al. Leuk Lymphoma 2009;50:1257), quantitative surrogate of
the visual score: 1 no uptake; 2 <= mediastinal blood pool SUVmean; 3 <= liver SUVmean; 4 <=
``marked_factor`` (default 2) x liver SUVmean; 5 above (markedly higher) or new lesions. The visual
score stays the reader's.

QIBA repeatability: the QIBA FDG-PET/CT profile gives tumour SUVmax a within-subject coefficient of
variation of about 10 %; on the log scale this makes a decrease of more than 25 % or an increase of
more than 33 % unlikely (< 5 %) to be measurement variability (Lodge MA. J Nucl Med 2017;58:523-532,
"Repeatability of SUV in oncologic 18F-FDG PET"). A change inside [-25 %, +33 %] is flagged "within
repeatability".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from workstation.core import vocabulary as vocab

__all__ = [
    "CMR", "PMR", "SMD", "PMD", "NE",
    "PERCIST_PCT", "PERCIST_SUL_ABS", "EORTC_PMD_PCT", "EORTC_PMR_ONE_CYCLE_PCT", "EORTC_PMR_LATER_PCT",
    "QIBA_DECREASE_PCT", "QIBA_INCREASE_PCT", "LIVER_STABILITY_PCT", "LIVER_STABILITY_SUL",
    "ResponseError", "Change", "change", "percist_measurable_threshold", "percist_measurable",
    "liver_stability", "percist_category", "eortc_category", "deauville_score", "deauville_points", "qiba_within_repeatability",
    "Target", "select_targets", "RuleResult",
]

CMR, PMR, SMD, PMD, NE = "CMR", "PMR", "SMD", "PMD", "NE"
CATEGORY_NAMES = {CMR: "complete metabolic response", PMR: "partial metabolic response",
                  SMD: "stable metabolic disease", PMD: "progressive metabolic disease", NE: "not evaluable"}

PERCIST_PCT = 30.0
PERCIST_SUL_ABS = 0.8
LIVER_STABILITY_PCT = 20.0
LIVER_STABILITY_SUL = 0.3
PERCIST_LIVER_FACTOR = 1.5
PERCIST_BLOOD_POOL_FACTOR = 2.0
PERCIST_MAX_TARGETS = 5
PERCIST_MAX_PER_ORGAN = 2
EORTC_PMD_PCT = 25.0
EORTC_PMR_ONE_CYCLE_PCT = 15.0
EORTC_PMR_LATER_PCT = 25.0
QIBA_DECREASE_PCT = -25.0
QIBA_INCREASE_PCT = 33.0
QIBA_REFERENCE = ("QIBA FDG-PET/CT profile, tumour SUVmax wCV ~10 %: changes within -25 % / +33 % are within "
                  "the 95 % repeatability limits (Lodge MA, J Nucl Med 2017;58:523-532)")
DEAUVILLE_MARKED_FACTOR = 2.0
_EPS = 1e-9


class ResponseError(ValueError):
    """A response rule cannot be applied to these numbers; the message says which and why."""


def _finite(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ResponseError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ResponseError(f"{what} must be finite, got {value!r}")
    return v


@dataclass(frozen=True)
class Change:
    baseline: float
    followup: float
    absolute: float  # follow-up - baseline
    percent: float  # 100 * absolute / baseline (nan when the baseline is 0)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def change(baseline, followup) -> Change:
    """Absolute and percent change from ``baseline`` to ``followup``."""
    b, f = _finite(baseline, "baseline value"), _finite(followup, "follow-up value")
    pct = 100.0 * (f - b) / b if b != 0 else float("nan")
    return Change(b, f, f - b, pct)


def _at_least(value: float, limit: float) -> bool:
    """value >= limit, allowing rounding (relative 1e-9)."""
    return value >= limit - _EPS * max(1.0, abs(limit))


def _more_than(value: float, limit: float) -> bool:
    return value > limit + _EPS * max(1.0, abs(limit))


# ============================================================================ PERCIST
def percist_measurable_threshold(liver_mean: float, liver_sd: float, *, blood_pool: bool = False) -> float:
    """1.5 x liver SULmean + 2 SD (or 2.0 x blood-pool SULmean + 2 SD with ``blood_pool=True``)."""
    m, s = _finite(liver_mean, "reference SULmean"), _finite(liver_sd, "reference SD")
    if m <= 0 or s < 0:
        raise ResponseError(f"reference SULmean must be positive and SD not negative, got {m}, {s}")
    return (PERCIST_BLOOD_POOL_FACTOR if blood_pool else PERCIST_LIVER_FACTOR) * m + 2.0 * s


def percist_measurable(sulpeak: float, liver_mean: float, liver_sd: float, *, blood_pool: bool = False) -> bool:
    """Is a lesion of this SULpeak a measurable PERCIST target? (at or above the threshold)."""
    return _at_least(_finite(sulpeak, "SULpeak"), percist_measurable_threshold(liver_mean, liver_sd,
                                                                               blood_pool=blood_pool))


def liver_stability(baseline_mean: float, followup_mean: float) -> dict:
    """PERCIST liver check: stable when |change| <= 20 % and <= 0.3 SUL units."""
    c = change(baseline_mean, followup_mean)
    pct_ok = abs(c.percent) <= LIVER_STABILITY_PCT + _EPS * LIVER_STABILITY_PCT
    abs_ok = abs(c.absolute) <= LIVER_STABILITY_SUL + _EPS
    reasons = []
    if not pct_ok:
        reasons.append(f"liver SULmean changed by {c.percent:+.1f} % (limit {LIVER_STABILITY_PCT:g} %)")
    if not abs_ok:
        reasons.append(f"liver SULmean changed by {c.absolute:+.2f} SUL (limit {LIVER_STABILITY_SUL:g})")
    return {"stable": pct_ok and abs_ok, "change": c.to_dict(), "reasons": reasons}


@dataclass
class RuleResult:
    method: str
    category: str
    reasons: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        if self.method == "deauville":
            return f"Deauville score {self.category}"
        return CATEGORY_NAMES.get(self.category, self.category)

    def to_dict(self) -> dict:
        return {"method": self.method, "category": self.category, "name": self.name, "reasons": list(self.reasons),
                "values": dict(self.values)}


def percist_category(baseline_sulpeak: float, followup_sulpeak: float, *, new_lesions: int = 0,
                     followup_liver_mean: float | None = None, followup_blood_pool_mean: float | None = None,
                     followup_blood_pool_sd: float = 0.0, baseline_measurable: bool = True) -> RuleResult:
    """PERCIST 1.0 category from the target SULpeak (hottest lesion, or sum of targets) of each study.

    CMR needs ``followup_liver_mean``: the follow-up target must be at or below it (and at or below
    blood pool mean + 2 SD when the blood pool is given). A baseline without a measurable target is
    not evaluable (NE) unless new lesions appear (PMD).
    """
    c = change(baseline_sulpeak, followup_sulpeak)
    values = {"sulpeak": c.to_dict(), "new_lesions": int(new_lesions)}
    if new_lesions:
        return RuleResult("percist", PMD, [f"{int(new_lesions)} new lesion(s)"], values)
    if not baseline_measurable:
        return RuleResult("percist", NE, ["no measurable target at baseline (SULpeak below 1.5 x liver + 2 SD)"],
                          values)
    if c.baseline <= 0:
        raise ResponseError("the baseline target SULpeak must be positive")
    if followup_liver_mean is not None:
        liver = _finite(followup_liver_mean, "follow-up liver SULmean")
        resolved = c.followup <= liver + _EPS * max(1.0, abs(liver))
        if followup_blood_pool_mean is not None:
            bp = _finite(followup_blood_pool_mean, "blood-pool SULmean") + 2.0 * _finite(followup_blood_pool_sd, "SD")
            resolved = resolved and c.followup <= bp + _EPS * max(1.0, abs(bp))
        if resolved:
            return RuleResult("percist", CMR, [f"target SULpeak {c.followup:.2f} <= liver SULmean {liver:.2f}"],
                              values)
    big = _at_least(abs(c.absolute), PERCIST_SUL_ABS)
    text = f"SULpeak {c.baseline:.2f} -> {c.followup:.2f} ({c.percent:+.1f} %, {c.absolute:+.2f} SUL)"
    if c.absolute < 0 and _at_least(-c.percent, PERCIST_PCT) and big:
        return RuleResult("percist", PMR, [text + ": decrease >= 30 % and >= 0.8 SUL"], values)
    if c.absolute > 0 and _at_least(c.percent, PERCIST_PCT) and big:
        return RuleResult("percist", PMD, [text + ": increase >= 30 % and >= 0.8 SUL"], values)
    return RuleResult("percist", SMD, [text + ": within +-30 % or below 0.8 SUL"], values)


@dataclass(frozen=True)
class Target:
    key: str  # lesion id
    value: float  # SULpeak
    organ: str | None = None  # None: its own organ


def select_targets(lesions, max_total: int = PERCIST_MAX_TARGETS, max_per_organ: int = PERCIST_MAX_PER_ORGAN,
                   threshold: float | None = None) -> list[Target]:
    """PERCIST optional target set: the hottest lesions, at most ``max_per_organ`` per organ and
    ``max_total`` in all, each at or above ``threshold`` (measurability) when given.

    ``lesions``: iterable of :class:`Target`; ties keep the input order.
    """
    chosen: list[Target] = []
    per: dict[str, int] = {}
    for t in sorted(lesions, key=lambda t: -float(t.value)):
        if threshold is not None and not _at_least(float(t.value), threshold):
            continue
        organ = t.organ if t.organ is not None else f"__{t.key}"
        if per.get(organ, 0) >= max_per_organ:
            continue
        chosen.append(t)
        per[organ] = per.get(organ, 0) + 1
        if len(chosen) >= max_total:
            break
    return chosen


# ============================================================================ EORTC
def eortc_category(baseline_suvmax: float, followup_suvmax: float | None, *, new_lesions: int = 0,
                   resolved: bool = False, after_one_cycle: bool = False) -> RuleResult:
    """EORTC 1999 category from SUVmax (bw) of a lesion or the sum over target lesions.

    ``resolved``: the uptake is no longer distinguishable from background (CMR when no new lesion);
    then ``followup_suvmax`` may be None.
    """
    values = {"new_lesions": int(new_lesions), "after_one_cycle": bool(after_one_cycle)}
    if new_lesions:
        return RuleResult("eortc", PMD, [f"{int(new_lesions)} new lesion(s)"], values)
    if resolved:
        return RuleResult("eortc", CMR, ["uptake resolved (no lesion at follow-up)"], values)
    c = change(baseline_suvmax, followup_suvmax)
    if c.baseline <= 0:
        raise ResponseError("the baseline SUVmax must be positive")
    values["suvmax"] = c.to_dict()
    text = f"SUVmax {c.baseline:.2f} -> {c.followup:.2f} ({c.percent:+.1f} %)"
    if _more_than(c.percent, EORTC_PMD_PCT):
        return RuleResult("eortc", PMD, [text + ": increase > 25 %"], values)
    if after_one_cycle:
        if _at_least(-c.percent, EORTC_PMR_ONE_CYCLE_PCT):
            return RuleResult("eortc", PMR, [text + ": decrease >= 15 % after one cycle"], values)
    elif _more_than(-c.percent, EORTC_PMR_LATER_PCT):
        return RuleResult("eortc", PMR, [text + ": decrease > 25 % after more than one cycle"], values)
    return RuleResult("eortc", SMD, [text], values)


# ============================================================================ Deauville
#: a blood pool no more than 1 % above the liver counts as equal to it (rounding of stored pixels)
DEAUVILLE_EQUAL_REFERENCES = 0.01


def deauville_score(lesion_suvmax: float | None, mediastinum_mean: float, liver_mean: float, *,
                    marked_factor: float = DEAUVILLE_MARKED_FACTOR, new_lesions: int = 0) -> RuleResult:
    """Deauville 5-point score (quantitative surrogate); ``lesion_suvmax`` None means no uptake (1)."""
    med, liv = _finite(mediastinum_mean, "mediastinal blood-pool SUVmean"), _finite(liver_mean, "liver SUVmean")
    # equal references (within DEAUVILLE_EQUAL_REFERENCES, e.g. a uniform phantom read through
    # rounded pixel values): score 3 cannot occur, the others stay defined
    if 0 < liv < med <= liv * (1.0 + DEAUVILLE_EQUAL_REFERENCES):
        liv = med
    if not 0 < med <= liv:
        raise ResponseError(f"Deauville needs 0 < mediastinal blood pool ({med:.3g}) <= liver ({liv:.3g}); "
                            "check the reference VOIs")
    values = {"mediastinum_mean": med, "liver_mean": liv, "marked_factor": marked_factor, "new_lesions": new_lesions}
    if new_lesions:
        return RuleResult("deauville", "5", [f"{int(new_lesions)} new lesion(s)"], values)
    if lesion_suvmax is None:
        return RuleResult("deauville", "1", ["no uptake above background"], values)
    v = _finite(lesion_suvmax, "lesion SUVmax")
    values["lesion_suvmax"] = v
    tol = lambda x: x + _EPS * max(1.0, abs(x))  # noqa: E731
    if v <= tol(med):
        return RuleResult("deauville", "2", [f"SUVmax {v:.2f} <= mediastinum {med:.2f}"], values)
    if v <= tol(liv):
        return RuleResult("deauville", "3", [f"mediastinum < SUVmax {v:.2f} <= liver {liv:.2f}"], values)
    if v <= tol(marked_factor * liv):
        return RuleResult("deauville", "4", [f"liver < SUVmax {v:.2f} <= {marked_factor:g} x liver"], values)
    return RuleResult("deauville", "5", [f"SUVmax {v:.2f} > {marked_factor:g} x liver {liv:.2f}"], values)


def deauville_points(lesion_suvmax: float | None, mediastinum_mean: float, liver_mean: float) -> int | None:
    """The score of :func:`deauville_score` as an integer 1..5 (lesion tables), None when the two
    references cannot score (blood pool not below the liver, or not finite)."""
    try:
        return int(deauville_score(lesion_suvmax, mediastinum_mean, liver_mean).category)
    except ResponseError:
        return None


# ============================================================================ QIBA
def qiba_within_repeatability(baseline: float, followup: float) -> bool:
    """True when the change lies within the QIBA 95 % repeatability limits [-25 %, +33 %] (inclusive)."""
    c = change(baseline, followup)
    if not math.isfinite(c.percent):
        return False
    return c.percent >= QIBA_DECREASE_PCT - _EPS * 25 and c.percent <= QIBA_INCREASE_PCT + _EPS * 33


# ------------------------------------------------------------------------------ tracers of the criteria
#: the tracers each response criterion was made for: PERCIST 1.0 and EORTC 1999 are FDG criteria, and the
#: Deauville scale is FDG in lymphoma (Wahl 2009; Young 1999; Barrington 2014)
RESPONSE_TRACERS = {"percist": "FDG", "eortc": "FDG", "deauville": "FDG"}


def check_response_tracer(method: str, nuclide, radiopharmaceutical: str | None = "") -> str:
    """Refuse (ResponseError, one line) a response criterion on a tracer it is not made for: PERCIST, EORTC
    and Deauville need FDG (an F-18 nuclide whose radiopharmaceutical is FDG or not named). Returns "" or a
    note when FDG was assumed because the radiopharmaceutical (0018,0031) is not named."""
    key = str(method).lower()
    need = RESPONSE_TRACERS.get(key)
    if need is None:
        return ""
    text = str(radiopharmaceutical or "").strip()
    name = getattr(nuclide, "name", None)
    fdg = vocab.fdg_tracer(nuclide, text)
    if fdg is True:
        return ""
    if fdg is False and name is not None and name != "F-18":
        raise ResponseError(f"{key.upper()} is made for {need} PET; this study's nuclide is {name}"
                            f"{' (' + text + ')' if text else ''}: no {key.upper()} response is given")
    if fdg is False:
        raise ResponseError(f"{key.upper()} is made for {need} PET; this study's radiopharmaceutical is {text!r}: "
                            f"no {key.upper()} response is given")
    if name is None:
        raise ResponseError(f"{key.upper()} is made for {need} PET; this study's radionuclide is not named "
                            "(RadionuclideCodeSequence (0054,0300), RadionuclideHalfLife (0018,1075))")
    return (f"the radiopharmaceutical (0018,0031) is {'not named' if not text else repr(text)}: FDG was assumed "
            f"for {key.upper()}")
