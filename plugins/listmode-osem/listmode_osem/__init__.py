"""List-mode OSEM reconstruction plugin for the PET workstation.

Modules: ``scanner`` (detector geometry read from a PETSIRD header), ``petsird_io`` (header via
the pinned ``petsird`` SDK, event blocks via our own numba decoder, and a writer),
``projector`` (Joseph ray-driven forward/back projection, non-TOF and TOF, plus a Siddon
reference), ``osem`` (list-mode OSEM, sensitivity image), ``simulate`` (independent Monte-Carlo
style simulation of list-mode data), ``plugin`` (the entry point ``run(request, context)``).

Importing this package does not import numba or compile anything.

The names below are the package's public API for other programs (the workstation's ``demo`` and
``simulate-listmode`` commands): they use these, never the modules behind them.
"""

from .petsird_io import make_exam, write_listmode
from .scanner import Scanner, cylindrical_scanner
from .simulate import demo_phantom, nema_phantom, phantom_image
from .simulate import simulate as simulate_listmode

__version__ = "0.1.0"
__all__ = ["Scanner", "cylindrical_scanner", "demo_phantom", "make_exam", "nema_phantom", "phantom_image",
           "simulate_listmode", "write_listmode"]
