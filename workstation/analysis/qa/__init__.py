"""Physicist QA: NEMA NU 2 image quality of the IEC body phantom, uniform-cylinder check, EARL bands.

* :mod:`.phantom` -- the IEC body phantom's geometry, the EARL recovery bands and a synthetic
  phantom of known truth (for tests, demos and the reconstruction -> QA loop).
* :mod:`.nema_iq` -- find the phantom, its six spheres and lung insert in a PET image and compute
  recovery coefficients (RCmax, RCA50, RCpeak), NU 2 hot/cold contrast, background variability
  over the 60 background ROIs and the lung residual.
* :mod:`.uniformity` -- the uniform cylinder: mean SUV in a central VOI, per-slice mean and
  coefficient of variation, axial profile.

Pure numpy/scipy: no Qt, no VTK; usable from the CLI, the viewer's worker threads and scripts.
"""

from workstation.analysis.qa.nema_iq import Fill, NemaIqError, NemaIqResult, analyse_nema_iq
from workstation.analysis.qa.uniformity import UniformityError, UniformityResult, analyse_uniformity

__all__ = ["Fill", "NemaIqError", "NemaIqResult", "UniformityError", "UniformityResult",
           "analyse_nema_iq", "analyse_uniformity"]
