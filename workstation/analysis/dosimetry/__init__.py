"""Patient dosimetry for radionuclide therapy (Lu-177, Y-90, I-131, ...) across imaging time points.

The flow, each step its own module, none of them importing Qt:

* :mod:`.timepoints` - quantitative SPECT/PET series of one patient grouped by therapy (injection
  date-time, administered activity, nuclide); time after injection from the DICOM date-times
  (midnight rollover, UTC offsets); the decay policy that turns stored values into Bq/mL at scan time.
* :mod:`.vois` - volumes of interest from RTSTRUCT per time point, their activity (MBq) and mass.
* :mod:`.align` - rigid registration of every time point to the first, VOIs propagated.
* :mod:`.fits` - time-activity curve fits (trapezoid with a physical tail, mono-, bi-exponential,
  uptake-washout, single time point), choice by AICc, an uncertainty for every time-integrated activity.
* :mod:`.dose` - absorbed dose: local energy deposition, dose-voxel-kernel convolution, DVH, BED.
* :mod:`.pipeline` - the whole chain from scan folders to a result that the CLI, the report, the RT Dose
  export and the viewer read.
"""
