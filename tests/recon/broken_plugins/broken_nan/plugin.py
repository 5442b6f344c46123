"""Returns a volume with NaNs."""
import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.recon.api import ReconResult

GEOM = ImageGeometry((4, 5, 6), (2.0, 2.0, 3.0))


def run(request, context):
    a = np.full(GEOM.shape, 5.0, np.float32)
    a[1, 2, 3] = np.nan
    return ReconResult(a, GEOM)
