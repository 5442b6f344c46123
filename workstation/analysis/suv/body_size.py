"""Body-size normalisers of SUV (W kg, H m, H_cm = 100 H, BMI = W/H²).

* ``lbm-james128``: James (1976), M 1.10 W − 128 (W/H_cm)², F 1.07 W − 148 (W/H_cm)²
  (the form used by PERCIST and DICOM's SUVlbm(James128)); ``lbm-james120`` uses 120 for men.
* ``lbm-janma``: Janmahasatian et al. 2005, M 9270 W/(6680 + 216 BMI), F 9270 W/(8780 + 244 BMI).
* ``bsa``: DuBois & DuBois (1916), BSA = 0.007184 W^0.425 H_cm^0.725 m².
* ``ibw``: ideal body weight as in Sugawara et al. 1999, M 48.0 + 1.06 (H_cm − 152),
  F 45.5 + 0.91 (H_cm − 152) kg.
"""

from __future__ import annotations

from workstation.analysis.errors import SuvError

__all__ = ["lean_body_mass_kg", "body_surface_area_m2", "ideal_body_weight_kg"]

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
