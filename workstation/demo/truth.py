"""The demo study read back through the normal data path and compared with its truth (``workstation demo --summary``).

:func:`compare_with_truth` loads the PET series of a demo study folder as any PET is loaded,
converts it to SUVbw with the series' own factors, and measures each lesion and each reference
VOI of ``truth.json`` in a sphere VOI of its true centre and radius. The CLI only prints the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TruthRow:
    """One lesion (or reference VOI): its true SUVbw and what the loaded image gives in a sphere of the true radius."""

    name: str
    radius_mm: float
    true_suv: float
    suv_max: float
    suv_mean: float
    suv_peak: float | None  # None for reference VOIs (not measured)
    reference: bool = False


@dataclass(frozen=True)
class TruthComparison:
    shape_kji: tuple[int, int, int]
    spacing: tuple[float, float, float]
    units: str
    suv: object  # analysis.suv.SuvResult (its factors and provenance: suv.to_text())
    rows: tuple[TruthRow, ...]


def compare_with_truth(folder: str | Path, truth: dict) -> TruthComparison:
    """Measure every lesion and reference VOI of ``truth`` on the PET below ``folder`` (SUVbw)."""
    from workstation.analysis.lesions.regions import region_stats
    from workstation.analysis.lesions.shapes import sphere_mask
    from workstation.analysis.suv.factor import compute_suv
    from workstation.analysis.suv.apply import suv_array
    from workstation.io.loader import load_pet_folder

    pet = load_pet_folder(str(folder))
    suv = compute_suv(pet.pet, "bw")
    values = suv_array(pet, suv)
    g = pet.geometry
    rows = []
    for les in truth.get("lesions", []):
        st = region_stats(values, sphere_mask(g, les["centre_lps_mm"], les["radius_mm"]), g)
        rows.append(TruthRow(les["name"], float(les["radius_mm"]), float(les["suv_bw"]), st.max, st.mean, st.suvpeak))
    for name, voi in truth.get("reference_vois", {}).items():
        if "suv_bw" in voi and "radius_mm" in voi:
            st = region_stats(values, sphere_mask(g, voi["centre_lps_mm"], voi["radius_mm"]), g, peak=False)
            rows.append(TruthRow(f"ref {name}", float(voi["radius_mm"]), float(voi["suv_bw"]), st.max, st.mean, None,
                                 reference=True))
    return TruthComparison(tuple(g.shape), tuple(float(s) for s in g.spacing), pet.units or "", suv, tuple(rows))
