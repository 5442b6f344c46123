"""List-mode OSEM reconstruction plugin for the PET workstation.

Modules: ``scanner`` (detector geometry read from a PETSIRD header), ``petsird_io`` (header via
the pinned ``petsird`` SDK, event blocks via our own numba decoder, and a writer),
``projector`` (Joseph ray-driven forward/back projection, non-TOF and TOF, plus a Siddon
reference), ``osem`` (list-mode OSEM, sensitivity image), ``simulate`` (independent Monte-Carlo
style simulation of list-mode data), ``plugin`` (the entry point ``run(request, context)``).

Importing this package does not import numba or compile anything.
"""

__version__ = "0.1.0"
