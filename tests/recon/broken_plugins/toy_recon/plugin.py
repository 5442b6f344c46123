"""Uniform cylinder of activity 'value' (Bq/mL), reached in 'iterations' cooperative steps."""
import time

import numpy as np

from workstation.core.geometry import ImageGeometry
from workstation.recon.api import ReconResult

GEOM = ImageGeometry((4, 5, 6), (2.0, 2.0, 3.0))


def run(request, context):
    p = request.parameters
    print("toy plugin: a stray print that must land in the log")
    nk, nj, ni = GEOM.shape
    j, i = np.mgrid[0:nj, 0:ni]
    disc = ((j - (nj - 1) / 2) ** 2 + (i - (ni - 1) / 2) ** 2) <= 2.0 ** 2
    img = np.zeros(GEOM.shape, np.float32)
    n = p["iterations"]
    for it in range(1, n + 1):
        time.sleep(p["seconds_per_iteration"])
        img[:, disc] = p["value"] * it / n
        context.partial_result(ReconResult(img.copy(), GEOM), it)
        context.progress(it / n, f"iteration {it}/{n}")
        context.log(f"iteration {it} done")
    # a toy 10-minute acquisition, so that the result can be decay-corrected and published
    return ReconResult(img, GEOM, description="toy", provenance={"iterations": n, "duration_s": 600.0,
                                                                  "attenuation": True})
