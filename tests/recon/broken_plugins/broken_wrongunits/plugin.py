"""Returns counts instead of Bq/mL."""
import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.recon.api import ReconResult

GEOM = ImageGeometry((4, 5, 6), (2.0, 2.0, 3.0))


def run(request, context):
    return ReconResult(np.ones(GEOM.shape, np.float32), GEOM, units="CNTS")
