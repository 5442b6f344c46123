"""The words of the workstation, defined once: SUV types, radionuclides, segmentation methods, inputs.

Everything that lists, names or parses one of these vocabularies (analysis, io writers, the CLI's
help and options, the viewer's combo boxes) reads it from here, so that a new SUV type, nuclide or
method is added in one place.

* **SUV types**: key, label, one-line description and which patient facts it needs.
* **Radionuclides**: half-life in seconds (NNDC/ENSDF evaluated values, rounded), CID 4020 / CID 18
  codes (SNOMED RT where DICOM lists one, and SNOMED CT), the DICOM code meaning, the positron
  fraction where known and whether the nuclide is imaged by its positrons (PET) or by single
  photons (SPECT: Lu-177, Tc-99m, I-131, In-111, I-123). :func:`functional_modality` names the
  functional image of a series ("PET" or "SPECT") from its modality, nuclide and description.
* **Segmentation methods**: ``fixed[:SUV]``, ``pct[:PERCENT]``, ``percist``, ``a50``, parsed by
  :func:`parse_method` (the one parser of method strings).
* **Inputs** (``INPUT_FIELDS``): the names of the values a user may have to supply (weight, dose,
  ...). Errors name the missing input by this name (``field``); the CLI maps it to its option,
  the viewer to its form field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple


class VocabularyError(ValueError):
    """A word that is not in a vocabulary (unknown SUV type, bad method string); ``field`` names the input."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# ============================================================================ inputs
#: input name -> what it is (with its unit), in the words shown to a user
INPUT_FIELDS: dict[str, str] = {
    "weight_kg": "patient weight (kg)",
    "height_m": "patient height (m)",
    "sex": "patient sex (M or F)",
    "dose_bq": "injected dose",
    "injected_dose_bq": "injected dose",
    "injection_datetime": "injection date and time",
    "half_life_s": "radionuclide half-life (s)",
    "acquisition_start": "acquisition start date and time",
    "liver_world": "liver reference VOI centre (world x, y, z in mm)",
    "blood_pool_world": "blood-pool reference VOI centre (world x, y, z in mm)",
    "seed_world": "seed point (world x, y, z in mm)",
    "method": "segmentation method",
}


# ============================================================================ SUV types
@dataclass(frozen=True)
class SuvType:
    key: str
    label: str  # short, for a menu
    description: str  # what it is and which formula
    needs: tuple[str, ...]  # patient inputs beyond weight, dose and times (names of INPUT_FIELDS)
    units: str = "g/ml"


SUV_TYPE_LIST: tuple[SuvType, ...] = (
    SuvType("bw", "body weight", "body weight (SUVbw, g/ml)", ()),
    SuvType("lbm-james128", "lean body mass (James, 128)",
            "lean body mass, James 1976 with 128 for men: M 1.10W-128(W/Hcm)^2, "
            "F 1.07W-148(W/Hcm)^2 (SUVlbm James-128, g/ml)", ("height_m", "sex")),
    SuvType("lbm-james120", "lean body mass (James, 120)",
            "lean body mass, James variant with 120 for men: M 1.10W-120(W/Hcm)^2, "
            "F 1.07W-148(W/Hcm)^2 (SUVlbm James-120, g/ml)", ("height_m", "sex")),
    SuvType("lbm-janma", "lean body mass (Janmahasatian)",
            "lean body mass, Janmahasatian 2005: M 9270W/(6680+216BMI), F 9270W/(8780+244BMI) "
            "(SUVlbm Janma, g/ml)", ("height_m", "sex")),
    SuvType("bsa", "body surface area",
            "body surface area, DuBois & DuBois 1916: 0.007184 W^0.425 Hcm^0.725 m2, as used by QIBA "
            "(SUVbsa, cm2/ml)", ("height_m",), "cm2/ml"),
    SuvType("ibw", "ideal body weight",
            "ideal body weight, Sugawara 1999: M 48.0+1.06(Hcm-152), F 45.5+0.91(Hcm-152) kg (SUVibw, g/ml)",
            ("height_m", "sex")),
)
SUV_TYPES: tuple[str, ...] = tuple(t.key for t in SUV_TYPE_LIST)
SUV_TYPE_ALIASES = {"lbm-james": "lbm-james128", "lbm_james": "lbm-james128", "body-weight": "bw"}
#: SUV Type (0054,1006) defined terms -> our keys
DICOM_SUV_TYPES = {"BW": "bw", "LBM": "lbm-james128", "LBMJAMES128": "lbm-james128", "LBMJANMA": "lbm-janma",
                   "BSA": "bsa", "IBW": "ibw"}


def suv_type_key(key: str) -> str:
    """Our SUV type key for ``key`` (case-insensitive, aliases resolved); VocabularyError if unknown."""
    k = str(key or "").strip().lower().replace("_", "-")
    k = SUV_TYPE_ALIASES.get(k, k)
    if k not in SUV_TYPES:
        raise VocabularyError(f"unknown SUV type {key!r}; choose one of {', '.join(SUV_TYPES)} "
                              "(lbm-james is lbm-james128)", field="suv_type")
    return k


def suv_type(key: str) -> SuvType:
    """The :class:`SuvType` of ``key`` (aliases resolved)."""
    k = suv_type_key(key)
    return next(t for t in SUV_TYPE_LIST if t.key == k)


# ============================================================================ radionuclides
@dataclass(frozen=True)
class Nuclide:
    name: str  # "F-18"
    half_life_s: float
    symbol: str
    element: str
    mass: str
    codes: tuple[str, ...]  # CID 4020: SNOMED RT, SNOMED CT
    code_meaning: str  # DICOM code meaning, e.g. "^18^Fluorine"
    positron_fraction: float | None = None
    #: mean energy emitted per decay as electrons (beta, conversion and Auger electrons), MeV;
    #: the non-penetrating energy that local energy deposition and dose-voxel kernels deposit
    electron_energy_mev: float | None = None
    #: end-point energy of the main beta branch (MeV), which sets the range of the beta point kernel
    beta_max_mev: float | None = None
    #: where the therapy values (half-life, electron energy, beta end-point) come from
    source: str = ""
    #: imaged by its annihilation photons (PET); False for the single-photon emitters read by SPECT
    positron_emitter: bool = True

    @property
    def label(self) -> str:
        """The nuclide as a reader writes it: "18F", "99mTc", "177Lu"."""
        return f"{self.mass}{self.symbol}"

    @property
    def single_photon(self) -> bool:
        """True for a nuclide imaged by SPECT (no positrons worth imaging)."""
        return not self.positron_emitter


NUCLIDE_LIST: tuple[Nuclide, ...] = (
    Nuclide("F-18", 6586.2, "F", "fluorine", "18", ("C-111A1", "77004003"), "^18^Fluorine", 0.9673),  # 109.77 min
    Nuclide("C-11", 1221.8, "C", "carbon", "11", ("C-105A1", "40565003"), "^11^Carbon", 0.9976),  # 20.364 min
    Nuclide("N-13", 597.9, "N", "nitrogen", "13", ("C-107A1", "21576001"), "^13^Nitrogen"),  # 9.965 min
    Nuclide("O-15", 122.24, "O", "oxygen", "15", ("C-B1038", "129504001"), "^15^Oxygen"),
    Nuclide("Ga-68", 4062.6, "Ga", "gallium", "68", ("C-131A3", "35337001"), "^68^Gallium", 0.8894,  # 67.71 min
            # positron kinetic energy per decay from ENSDF (NNDC NuDat): 0.8794 x 0.8360 + 0.0119 x 0.3526 MeV
            0.7394, 1.899, "ENSDF via NNDC NuDat 3 (beta+ branches 87.94 % at 836.0 keV mean, 1.19 % at "
            "352.6 keV mean; end point 1899 keV); Auger electrons (< 1 keV per decay) left out"),
    Nuclide("Cu-64", 45721.1, "Cu", "copper", "64", ("C-127A2", "3932008"), "^64^Copper"),  # 12.7007 h
    Nuclide("Zr-89", 282276.0, "Zr", "zirconium", "89", ("C-168A4", "63360001"), "^89^Zirconium"),  # 78.41 h
    Nuclide("Rb-82", 76.38, "Rb", "rubidium", "82", ("C-159A2", "79197006"), "^82^Rubidium"),  # 1.273 min
    Nuclide("I-124", 360806.4, "I", "iodine", "124", ("C-114A5", "40937006"), "^124^Iodine"),  # 4.176 d
    # therapy nuclides: half-life and electron energy per decay from ICRP Publication 107 (2008)
    Nuclide("Lu-177", 574300.8, "Lu", "lutetium", "177", ("", "447553000"), "^177^Lutetium", 0.0,  # 6.647 d
            0.14792, 0.4983, "ICRP Publication 107: T1/2 6.647 d, electrons (beta- + IC + Auger) 0.14792 MeV "
            "per decay; beta- end point 498.3 keV (79.4 %)", positron_emitter=False),
    Nuclide("Y-90", 2.6684 * 86400, "Y", "yttrium", "90", (), "^90^Yttrium", 3.19e-5,  # 64.04 h
            0.9336, 2.2801, "half-life DDEP (LNHB) 2.6684 d; ICRP Publication 107: electrons per decay 0.9336 MeV "
            "(beta- mean 0.9327 MeV + conversion/Auger); beta- end point 2280.1 keV (99.98 %)"),
    Nuclide("I-131", 693377.28, "I", "iodine", "131", ("", "1368003"), "^131^Iodine", 0.0,  # 8.0252 d
            0.1921, 0.6063, "half-life NNDC NuDat 3 (8.0252 d); ICRP Publication 107: electrons per decay 0.1921 "
            "MeV (beta- 0.1819 MeV + conversion and Auger electrons); main beta- end point 606.3 keV (89.6 %)",
            positron_emitter=False),
    Nuclide("Ge-68", 23410080.0, "Ge", "germanium", "68", ("C-128A2", "53315004"), "^68^Germanium"),  # 270.95 d
    # single-photon emitters (SPECT); SNOMED CT codes of DICOM CID 18, no SNOMED RT code is listed
    # for them there except Tc-99m's ("C-163A8", as scanners write it)
    Nuclide("Tc-99m", 21624.12, "Tc", "technetium", "99m", ("C-163A8", "72454006"), "^99m^Technetium", 0.0,
            positron_emitter=False),  # 6.0067 h
    Nuclide("In-111", 242326.08, "In", "indium", "111", ("", "56609000"), "^111^Indium", 0.0,
            positron_emitter=False),  # 2.8047 d
    Nuclide("I-123", 47604.6, "I", "iodine", "123", ("", "21572004"), "^123^Iodine", 0.0,
            positron_emitter=False),  # 13.2235 h
)
NUCLIDES: dict[str, Nuclide] = {n.name: n for n in NUCLIDE_LIST}
HALF_LIVES_S: dict[str, float] = {n.name: n.half_life_s for n in NUCLIDE_LIST}
F18_HALF_LIFE_S: float = NUCLIDES["F-18"].half_life_s


def _norm_key(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def nuclide_from_code(code) -> Nuclide | None:
    """The nuclide of a radionuclide code (value, scheme, meaning) or a free text ("F18", "18F"), or None."""
    if code is None:
        return None
    if isinstance(code, str):
        value, meaning = code, code
    else:
        parts = list(code) + ["", "", ""]
        value, meaning = str(parts[0] or ""), str(parts[2] or "")
    value = value.strip().upper()
    for n in NUCLIDE_LIST:
        if value and value in [c for c in n.codes if c]:
            return n
    text = _norm_key(meaning) if meaning else _norm_key(value)
    if not text:
        return None
    for n in NUCLIDE_LIST:
        s = n.symbol.lower()
        if (n.mass + n.element) in text or (n.element + n.mass) in text or text in (s + n.mass, n.mass + s):
            return n
    return None


def nuclide_from_half_life(half_life_s, rel_tol: float = 0.01) -> Nuclide | None:
    """The one nuclide of the vocabulary whose half-life is within ``rel_tol`` of ``half_life_s``, or None
    (None too when two nuclides fit: the half-life alone then does not say which)."""
    try:
        h = float(half_life_s)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(h) and h > 0):
        return None
    fits = [n for n in NUCLIDE_LIST if abs(n.half_life_s - h) <= rel_tol * n.half_life_s]
    return fits[0] if len(fits) == 1 else None


FUNCTIONAL_MODALITIES: tuple[str, ...] = ("PET", "SPECT")


#: words of a radiopharmaceutical (0018,0031) that name FDG, and words that name another tracer
FDG_WORDS = ("fdg", "fluorodeoxyglucose", "deoxyglucose", "fludeoxyglucose")
NOT_FDG_WORDS = ("flt", "fluorothymidine", "psma", "fes", "estradiol", "naf", "fluoride", "dopa", "choline",
                 "fluciclovine", "facbc", "fmiso", "fapi", "dotatate", "dotatoc", "piflufolastat", "amyloid",
                 "florbetapir", "florbetaben", "flutemetamol")


def fdg_tracer(nuclide, radiopharmaceutical: str | None = "") -> bool | None:
    """Whether a series is FDG: False for a nuclide other than F-18 or a radiopharmaceutical that names another
    tracer, True when it names FDG, None when nothing says (an F-18 or unknown nuclide, no tracer named)."""
    name = getattr(nuclide, "name", None)
    if name is not None and name != "F-18":
        return False
    low = str(radiopharmaceutical or "").strip().lower()
    if any(w in low for w in FDG_WORDS):
        return True
    if low and any(w in low for w in NOT_FDG_WORDS):
        return False
    return None


def tracer_label(radiopharmaceutical: str | None = "", code=None) -> str:
    """The tracer as a reader writes it, without DICOM's superscript marks: "F^18^[^18^Fluorine]" -> "18F",
    "Ga^68^[^68^Gallium]PSMA-11" -> "68Ga-PSMA-11", ("Fluorodeoxyglucose", ^18^Fluorine) ->
    "Fluorodeoxyglucose (18F)"; "" when nothing is known."""
    import re

    text = str(radiopharmaceutical or "").strip()
    nuclide = nuclide_from_code(code) if code else None
    if "^" in text or "[" in text:  # coded-meaning markup
        text = re.sub(r"\[[^\]]*\]", "", text)  # "[^18^Fluorine]": the code meaning again
        text = re.sub(r"([A-Z][a-z]?)\^(\d+m?)\^(?=[A-Za-z0-9])", r"\2\1-", text)  # Ga^68^PSMA -> 68Ga-PSMA
        text = re.sub(r"([A-Z][a-z]?)\^(\d+m?)\^", r"\2\1", text)  # F^18^ -> 18F

        def coded(m):
            n = nuclide_from_code(m.group(0))
            return n.label if n is not None else m.group(1) + m.group(2)

        text = re.sub(r"\^(\d+m?)\^([A-Za-z]+)", coded, text).replace("^", "").strip(" -")
    if nuclide is None and text:
        nuclide = nuclide_from_code(text)
    if nuclide is not None and _norm_key(text) in (_norm_key(nuclide.name), _norm_key(nuclide.label), "",
                                                   _norm_key(nuclide.mass + nuclide.element)):
        return nuclide.label
    if text and nuclide is not None:
        return text if (nuclide.label in text or nuclide.name in text) else f"{text} ({nuclide.label})"
    return text


def functional_modality(modality: str | None = "", nuclide: Nuclide | None = None, description: str | None = "") -> str:
    """What a functional image is, "PET" or "SPECT".

    SPECT when the series is stored as NM, when its nuclide emits no positrons worth imaging (a Lu-177 or
    Tc-99m tomogram stored as PT is still a SPECT), or when its description says SPECT; PET otherwise."""
    if (modality or "").strip().upper() == "NM":
        return "SPECT"
    if nuclide is not None and nuclide.single_photon:
        return "SPECT"
    text = (description or "").upper()
    if "SPECT" in text:
        return "SPECT"
    return "PET"


# ============================================================================ segmentation methods
DEFAULT_FIXED = 2.5
DEFAULT_PCT = 41.0
METHODS: tuple[str, ...] = ("fixed", "pct", "percist", "a50", "gradient")
METHODS_HELP = "fixed[:SUV] (default 2.5), pct[:PERCENT] (default 41), percist, a50, gradient"
#: organs of physiological uptake that whole-body detection removes by anatomy
ORGANS = ("brain", "bladder")
#: whole-body detection leaves these out unless asked not to (the one default of the CLI and the viewer)
DEFAULT_EXCLUDE: tuple[str, ...] = ORGANS
#: radius of the sphere around the click that bounds a seeded region, mm
DEFAULT_CONSTRAINT_MM = 40.0

# ============================================================================ dosimetry
#: time-activity curve models of ``analysis.dosimetry.fits`` ("auto": chosen by AICc)
FIT_CHOICES = ("auto", "trapezoid", "mono", "bi", "uptake-washout", "stp")


class Method(NamedTuple):
    """A parsed segmentation method: ``name`` and its value (SUV for fixed, % for pct, None otherwise)."""

    name: str
    value: float | None

    @property
    def label(self) -> str:
        """The canonical method string, e.g. 'fixed:2.5', 'pct:41', 'a50'."""
        return f"{self.name}:{self.value:g}" if self.value is not None else self.name


def parse_method(method: str) -> Method:
    """'fixed:2.5' -> Method('fixed', 2.5); 'pct' -> ('pct', 41.0); 'percist' / 'a50' / 'gradient' -> (name, None)."""
    text = str(method).strip().lower()
    name, _, arg = text.partition(":")

    def bad(why: str):
        return VocabularyError(why, field="method")

    if name in ("percist", "a50", "gradient"):
        if arg:
            raise bad(f"method {method!r} takes no value; use {name!r}")
        return Method(name, None)
    if name not in ("fixed", "pct"):
        raise bad(f"unknown segmentation method {method!r}; use {METHODS_HELP}")
    if not arg:
        return Method(name, DEFAULT_FIXED if name == "fixed" else DEFAULT_PCT)
    try:
        value = float(arg)
    except ValueError:
        raise bad(f"method {method!r}: {arg!r} is not a number") from None
    if name == "fixed" and not (math.isfinite(value) and value > 0):
        raise bad(f"method {method!r}: the SUV threshold must be positive")
    if name == "pct" and not (0 < value < 100):
        raise bad(f"method {method!r}: the percentage must be between 0 and 100 (e.g. pct:41)")
    return Method(name, value)


def method_string(name: str, value: float | None = None) -> str:
    """The method string of a name and an optional value, checked by :func:`parse_method`."""
    text = name if value is None else f"{name}:{float(value):g}"
    return parse_method(text).label
